//! The Store API for links.

use super::Store;
use super::convert::rowid;
use super::db::{Db, p};
use crate::error::Result;
use crate::model::ids::{ClaimId, ClaimLinkId};
use crate::model::link::ClaimLink;

use super::record::links::*;

impl Store {
    /// Links two claims with a link built by [`ClaimLink::new`] (`from` *kind* `to`, e.g. a denial
    /// `Denies` the claim it denies; [`ClaimLink::with_note`] says why); returns the link's id. The same
    /// link twice is refused with [`Error::Duplicate`](crate::Error::Duplicate), a link of a claim to itself with
    /// [`Error::Invalid`](crate::Error::Invalid). In a [`batch`](Self::batch), [`Batch::add_link`](crate::Batch::add_link) writes
    /// through the same insert.
    ///
    /// # Example
    /// ```
    /// use claimtrack::{ClaimLink, Error, LinkKind, NewClaim, Store};
    /// let store = Store::open_in_memory()?;
    /// let troops = store.add_claim(NewClaim::factual("North Korea sent troops to Kursk."))?;
    /// let denial = store.add_claim(NewClaim::factual("Pyongyang sent no troops."))?;
    /// let link = ClaimLink::new(denial, LinkKind::Denies, troops)?.with_note("KCNA, 2024-10-25");
    /// let id = store.add_link(&link)?;
    /// assert_eq!(store.links_of(troops)?, vec![store.link(id)?]);
    /// let again = ClaimLink::new(denial, LinkKind::Denies, troops)?;
    /// assert!(matches!(store.add_link(&again), Err(Error::Duplicate { .. })));
    ///
    /// // Its kind or note can change, not the claims it joins; deleting it leaves the claims.
    /// let mut stored = store.link(id)?;
    /// stored.kind = LinkKind::Contradicts;
    /// store.update_link(&stored)?;
    /// assert_eq!(store.link(id)?.kind, LinkKind::Contradicts);
    /// stored.to = store.add_claim(NewClaim::factual("Another claim."))?;
    /// assert!(matches!(store.update_link(&stored), Err(Error::Conflict { .. })));
    /// store.delete_link(id)?;
    /// assert!(store.links_of(troops)?.is_empty());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn add_link(&self, link: &ClaimLink) -> Result<ClaimLinkId> {
        self.insert_one(link, |_| Ok(()))?;
        Ok(link.id)
    }

    /// Reads a link.
    ///
    /// Shown in the example of [`add_link`](Self::add_link).
    pub fn link(&self, id: ClaimLinkId) -> Result<ClaimLink> {
        self.read(|db| read(db, id))
    }

    /// Replaces a stored link with `link` (matched by id): its kind or note.
    ///
    /// A link never moves to other claims: different claims are refused with
    /// [`Error::Conflict`](crate::Error::Conflict) (delete it and add another).
    ///
    /// Shown in the example of [`add_link`](Self::add_link).
    pub fn update_link(&self, link: &ClaimLink) -> Result<()> {
        self.replace_one(link, |_, stored| super::rules::check_replace(stored, link))
    }

    /// Deletes a link.
    ///
    /// Shown in the example of [`add_link`](Self::add_link).
    pub fn delete_link(&self, id: ClaimLinkId) -> Result<()> {
        self.write_tracked(crate::model::history::EntityKind::ClaimLink, id, |db| {
            let own = rowid(db, id)?;
            db.execute("DELETE FROM claim_links WHERE id = ?1", p![own])?;
            Ok(())
        })
    }

    /// Links from or to a claim, oldest first.
    ///
    /// Shown in the example of [`add_link`](Self::add_link).
    pub fn links_of(&self, claim: ClaimId) -> Result<Vec<ClaimLink>> {
        self.read(|db| links_of(db, claim))
    }
}

/// A claim's links in either direction, oldest first.
pub(crate) fn links_of(db: &Db<'_>, claim: ClaimId) -> Result<Vec<ClaimLink>> {
    let own = rowid(db, claim)?;
    db.query_vec(
        select!("WHERE l.from_claim = ?1 OR l.to_claim = +?1 ORDER BY l.id"),
        p![own],
        from_row,
    )
}
