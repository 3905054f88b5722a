//! The Store API for sources.

use serde::{Deserialize, Serialize};

use super::Store;
use super::convert::{refuse_if_referenced, rowid};
use super::db::p;
use super::record::claims;
use crate::error::{Error, Result};
use crate::model::claim::Claim;
use crate::model::ids::{ClaimId, SourceId};
use crate::model::source::{NewSource, Source};
use crate::model::text::name_key;

use super::record::sources::*;

/// Where a source appears in a claim's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SourceRole {
    /// It said the claim.
    Speaker,
    /// It passed the claim on.
    Relay,
    /// It took a stance on the claim.
    Evidence,
}

/// A claim a source is involved in, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceClaim {
    /// The claim.
    pub claim: Claim,
    /// The source's roles in it, each once, in the order speaker, relay, evidence.
    pub roles: Vec<SourceRole>,
}

impl Store {
    /// Adds a source and returns its id.
    ///
    /// ```
    /// use claimtrack::{NewSource, SourceKind, Store};
    /// let store = Store::open_in_memory()?;
    /// let dprk = store.add_source(NewSource::new("DPRK state", SourceKind::GovernmentBody).country("KP"))?;
    /// let kcna = store.add_source(
    ///     NewSource::new("Korean Central News Agency", SourceKind::NewsAgency).alias("KCNA").controlled_by(dprk),
    /// )?;
    /// assert_eq!(store.find_source("kcna")?.map(|s| s.id), Some(kcna));
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    ///
    /// A source is one entry per real-world source: a name or alias that is already the name or an alias
    /// of a stored source, compared by [`name_key`](crate::name_key) (so "facebook" after "Facebook", or
    /// "ＫＣＮＡ" after "KCNA"), is refused with [`Error::Duplicate`] and nothing is written. Use
    /// [`find_or_add_source`](Self::find_or_add_source) to reuse the stored one, or give namesakes
    /// distinguishing names ("John Smith (Ohio)"). Aliases that repeat the name or each other are
    /// kept once.
    ///
    /// ```
    /// use claimtrack::{Error, NewSource, SourceKind, Store};
    /// let store = Store::open_in_memory()?;
    /// store.add_source(NewSource::new("Facebook", SourceKind::Outlet))?;
    /// let again = store.add_source(NewSource::new("facebook", SourceKind::Outlet));
    /// assert!(matches!(again, Err(Error::Duplicate { kind: "source", .. })));
    /// assert_eq!(store.sources()?.len(), 1);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn add_source(&self, new: NewSource) -> Result<SourceId> {
        let s = new.into_source()?;
        self.insert_one(&s, |db| refuse_namesake(db, &s))?;
        Ok(s.id)
    }

    /// The source answering to `name` (see [`find_source`](Self::find_source)), or a new one made by
    /// `new` when there is none, in one transaction: a publisher or speaker named in many records becomes
    /// one source. `new` is called only when a source is added; its own name and aliases are checked as
    /// [`add_source`](Self::add_source) does.
    ///
    /// ```
    /// use claimtrack::{NewSource, SourceKind, Store};
    /// let store = Store::open_in_memory()?;
    /// let made = || NewSource::new("Korean Central News Agency", SourceKind::NewsAgency).alias("KCNA");
    /// let kcna = store.find_or_add_source("KCNA", made)?;
    /// // Fullwidth letters and a zero-width space find the same source.
    /// assert_eq!(store.find_or_add_source("ＫＣＮＡ", made)?, kcna);
    /// assert_eq!(store.find_or_add_source("K\u{200B}CNA", made)?, kcna);
    /// assert_eq!(store.sources()?.len(), 1);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn find_or_add_source(&self, name: &str, new: impl FnOnce() -> NewSource) -> Result<SourceId> {
        let key = name_key(name);
        if let Some(id) = self.read(|db| find_by_key(db, &key))? {
            return Ok(id);
        }
        let s = new().into_source()?;
        let added = self.insert_one(&s, |db| refuse_namesake(db, &s));
        match added {
            Ok(()) => Ok(s.id),
            // Another connection may have added it since the read above.
            Err(e @ Error::Duplicate { .. }) => self.read(|db| find_by_key(db, &key))?.ok_or(e),
            Err(e) => Err(e),
        }
    }

    /// Reads a source.
    ///
    /// # Example
    /// Reading, finding, changing and deleting sources, and what a source took part in:
    /// ```
    /// use claimtrack::{Error, NewAttribution, NewClaim, NewSource, SourceKind, SourceRole, Store};
    /// let store = Store::open_in_memory()?;
    /// let dprk = store.add_source(NewSource::new("Government of North Korea", SourceKind::GovernmentBody))?;
    /// let kcna = store.add_source(NewSource::new("Korean Central News Agency", SourceKind::NewsAgency)
    ///     .alias("KCNA").controlled_by(dprk))?;
    /// let mut agency = store.source(kcna)?;
    /// assert_eq!(store.find_sources("kcna")?, vec![agency.clone()]);
    /// assert_eq!(store.source_children(dprk)?, vec![agency.clone()]);
    ///
    /// agency.country = Some("KP".parse()?);
    /// store.update_source(&agency)?;
    /// assert_eq!(store.source(kcna)?.country, agency.country);
    ///
    /// let claim = store.add_claim(NewClaim::factual("Troops were sent."))?;
    /// store.attribute(claim, NewAttribution::said_by(kcna))?;
    /// assert_eq!(store.claims_of_source(kcna)?[0].roles, vec![SourceRole::Speaker]);
    ///
    /// // A source something refers to is not deleted; one nothing refers to is.
    /// assert!(matches!(store.delete_source(dprk), Err(Error::StillReferenced { .. })));
    /// let spare = store.add_source(NewSource::new("Spare", SourceKind::Person))?;
    /// store.delete_source(spare)?;
    /// assert_eq!(store.sources()?.len(), 2);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn source(&self, id: SourceId) -> Result<Source> {
        self.read(|db| read(db, id))
    }

    /// A source's name alone (one statement, no aliases read): for answers that show only the name.
    #[cfg(feature = "server")]
    pub(crate) fn source_name(&self, id: SourceId) -> Result<String> {
        self.read_single(|db| {
            db.query_opt("SELECT name FROM sources WHERE uuid = ?1", p![id], |r| r.get(0))?
                .ok_or_else(|| crate::Error::not_found("source", id))
        })
    }

    /// Replaces a stored source with `source` (matched by id), aliases included.
    ///
    /// Aliases that repeat the name or an earlier alias (by [`name_key`](crate::name_key)) are stored
    /// once, as [`add_source`](Self::add_source) does. (Bundle and JSON Lines imports keep records exactly
    /// as exported.)
    ///
    /// Shown in the example of [`source`](Self::source).
    pub fn update_source(&self, source: &Source) -> Result<()> {
        let mut source = source.clone();
        source.aliases = source.distinct_aliases();
        self.replace_one(&source, |_, _| Ok(()))
    }

    /// Deletes a source no claim, evidence, publication, review or other source refers to.
    ///
    /// Shown in the example of [`source`](Self::source).
    pub fn delete_source(&self, id: SourceId) -> Result<()> {
        self.write_tracked(crate::model::history::EntityKind::Source, id, |db| {
            let own = rowid(db, id)?;
            refuse_if_referenced(
                db,
                "source",
                id,
                own,
                &[
                    (
                        "sources (part of it)",
                        "SELECT count(*) FROM sources WHERE part_of = ?1",
                    ),
                    (
                        "attributions (as speaker)",
                        "SELECT count(*) FROM attributions WHERE speaker = ?1",
                    ),
                    (
                        "attributions (as relay)",
                        "SELECT count(*) FROM attribution_relays WHERE source_id = ?1",
                    ),
                    ("evidence", "SELECT count(*) FROM evidence WHERE source_id = ?1"),
                    (
                        "publications (as publisher)",
                        "SELECT count(*) FROM publications WHERE publisher = ?1",
                    ),
                    (
                        "reviews (as reviewer)",
                        "SELECT count(*) FROM reviews WHERE reviewer = ?1",
                    ),
                ],
            )?;
            db.execute("DELETE FROM sources WHERE id = ?1", p![own])?;
            Ok(())
        })
    }

    /// Every source, oldest first.
    ///
    /// Shown in the example of [`add_source`](Self::add_source).
    pub fn sources(&self) -> Result<Vec<Source>> {
        self.read(|db| read_many(db, select!("ORDER BY s.id"), p![]))
    }

    /// Sources whose name or an alias matches `name`, ignoring case (in any script) and spacing;
    /// oldest first.
    ///
    /// Names are compared by [`name_key`](crate::name_key): Unicode case folding (final sigma
    /// included), NFKC (fullwidth letters, NFD and NFC), invisible format characters and spacing ignored.
    ///
    /// Shown in the example of [`source`](Self::source).
    pub fn find_sources(&self, name: &str) -> Result<Vec<Source>> {
        let key = name_key(name);
        if key.is_empty() || crate::store::db::unmatchable(&key) {
            return Ok(Vec::new());
        }
        let sql = select!(
            "WHERE s.name_key = ?1 \
             OR s.id IN (SELECT source_id FROM source_aliases WHERE alias_key = ?1) ORDER BY s.id"
        );
        self.read(|db| read_many(db, sql, p![key]))
    }

    /// The oldest source whose name or alias matches `name` (see [`find_sources`](Self::find_sources)).
    ///
    /// Shown in the example of [`add_source`](Self::add_source).
    pub fn find_source(&self, name: &str) -> Result<Option<Source>> {
        Ok(self.find_sources(name)?.into_iter().next())
    }

    /// The direct children of a source in the affiliation tree.
    ///
    /// Shown in the example of [`source`](Self::source).
    pub fn source_children(&self, id: SourceId) -> Result<Vec<Source>> {
        self.read(|db| {
            let own = rowid(db, id)?;
            read_many(db, select!("WHERE s.part_of = +?1 ORDER BY s.id"), p![own])
        })
    }

    /// The claims a source said, relayed or took a stance on, oldest first, with its roles in each.
    ///
    /// Shown in the example of [`source`](Self::source).
    pub fn claims_of_source(&self, id: SourceId) -> Result<Vec<SourceClaim>> {
        self.read(|db| {
            let own = rowid(db, id)?;
            // Counted, not max(r.role = 0): PostgreSQL's max() takes no boolean, and its count is a bigint.
            let rows: Vec<(ClaimId, bool, bool, bool)> = db.query_vec(
                "SELECT cl.uuid, count(CASE WHEN r.role = 0 THEN 1 END), \
                   count(CASE WHEN r.role = 1 THEN 1 END), count(CASE WHEN r.role = 2 THEN 1 END) FROM ( \
                   SELECT claim_id, 0 AS role FROM attributions WHERE speaker = ?1 \
                   UNION ALL SELECT a.claim_id, 1 FROM attribution_relays ar \
                     JOIN attributions a ON a.id = ar.attribution_id WHERE ar.source_id = ?1 \
                   UNION ALL SELECT claim_id, 2 FROM evidence WHERE source_id = ?1) r \
                 JOIN claims cl ON cl.id = r.claim_id GROUP BY cl.id ORDER BY cl.id",
                p![own],
                |r| {
                    let flag = |i| r.get::<i64>(i).map(|n| n > 0);
                    Ok((r.get(0)?, flag(1)?, flag(2)?, flag(3)?))
                },
            )?;
            rows.into_iter()
                .map(|(claim, sp, re, ev)| {
                    let roles = [
                        (sp, SourceRole::Speaker),
                        (re, SourceRole::Relay),
                        (ev, SourceRole::Evidence),
                    ]
                    .into_iter()
                    .filter_map(|(on, role)| on.then_some(role))
                    .collect();
                    Ok(SourceClaim {
                        claim: claims::read(db, claim)?,
                        roles,
                    })
                })
                .collect()
        })
    }
}
