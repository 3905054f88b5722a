//! The Store API for attributions.

use super::Store;
use super::convert::rowid;
use super::db::p;
use crate::error::Result;
use crate::model::attribution::{Attribution, NewAttribution};
use crate::model::ids::{AttributionId, ClaimId};

use super::record::attributions::*;

impl Store {
    /// Records who said `claim`, through whom and where; returns the attribution's id.
    ///
    /// ```
    /// use claimtrack::{NewAttribution, NewClaim, NewSource, SourceKind, Store};
    /// let store = Store::open_in_memory()?;
    /// let kim = store.add_source(NewSource::new("Kim Jong Un", SourceKind::Person))?;
    /// let kcna = store.add_source(NewSource::new("KCNA", SourceKind::NewsAgency))?;
    /// let pledge = store.add_claim(NewClaim::pledge("The DPRK will unconditionally support Russia"))?;
    /// store.attribute(pledge, NewAttribution::said_by(kim).via(kcna).quote("ready to unconditionally support"))?;
    /// let chain: Vec<_> = store.attributions_of(pledge)?[0].chain().collect();
    /// assert_eq!(chain, vec![kim, kcna]);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn attribute(&self, claim: ClaimId, new: NewAttribution) -> Result<AttributionId> {
        let a = new.into_attribution(claim)?;
        self.insert_one(&a, |_| Ok(()))?;
        Ok(a.id)
    }

    /// Reads an attribution.
    ///
    /// # Example
    /// Reading, correcting and deleting an attribution:
    /// ```
    /// use claimtrack::{Error, Mode, NewAttribution, NewClaim, NewSource, SourceKind, Store};
    /// let store = Store::open_in_memory()?;
    /// let lavrov = store.add_source(NewSource::new("Sergei Lavrov", SourceKind::Person))?;
    /// let claim = store.add_claim(NewClaim::factual("Relations are an invincible brotherhood."))?;
    /// let said = store.attribute(claim, NewAttribution::said_by(lavrov))?;
    /// let mut a = store.attribution(said)?;
    /// a.mode = Mode::DirectQuote;
    /// a.quote = Some("an invincible fighting brotherhood".into());
    /// store.update_attribution(&a)?;
    /// assert_eq!(store.attributions_of(claim)?, vec![a.clone()]);
    ///
    /// // An attribution never moves to another claim.
    /// a.claim = store.add_claim(NewClaim::factual("Another claim."))?;
    /// assert!(matches!(store.update_attribution(&a), Err(Error::Conflict { .. })));
    /// store.delete_attribution(said)?;
    /// assert!(store.attributions_of(claim)?.is_empty());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn attribution(&self, id: AttributionId) -> Result<Attribution> {
        self.read(|db| read(db, id))
    }

    /// Replaces a stored attribution with `attribution` (matched by id), relays included.
    ///
    /// An attribution never moves to another claim: a different claim is refused with
    /// [`Error::Conflict`](crate::Error::Conflict).
    ///
    /// Shown in the example of [`attribution`](Self::attribution).
    pub fn update_attribution(&self, attribution: &Attribution) -> Result<()> {
        self.replace_one(attribution, |_, stored| {
            super::rules::check_replace(stored, attribution)
        })
    }

    /// Deletes an attribution (its relay chain goes with it; the sources stay).
    ///
    /// Shown in the example of [`attribution`](Self::attribution).
    pub fn delete_attribution(&self, id: AttributionId) -> Result<()> {
        self.write_tracked(crate::model::history::EntityKind::Attribution, id, |db| {
            let own = rowid(db, id)?;
            db.execute("DELETE FROM attributions WHERE id = ?1", p![own])?;
            Ok(())
        })
    }

    /// A claim's attributions, oldest first.
    ///
    /// Shown in the example of [`attribute`](Self::attribute).
    pub fn attributions_of(&self, claim: ClaimId) -> Result<Vec<Attribution>> {
        self.read(|db| of_claim(db, claim))
    }
}
