//! The Store API for evidence.

use super::Store;
use super::convert::{refuse_if_referenced, rowid};
use super::db::p;
use super::history::track;
use super::record::Lookup;
use super::standing::current;
use super::standing::{require_current, set_status, standing};
use super::writes::{self, Log};
use crate::error::{Error, Result};
use crate::model::evidence::{Evidence, NewEvidence};
use crate::model::history::{EntityKind, Operation, Standing, Status, validate_reason};
use crate::model::ids::{ClaimId, EvidenceId, SourceId};

use super::record::evidence::*;

impl Store {
    /// Records a source's stance on `claim`; returns the evidence id.
    ///
    /// A source that changes its stance gets a new version through
    /// [`revise_evidence`](Self::revise_evidence); the earlier one is kept, marked superseded.
    ///
    /// Shown in the example of [`evidence`](Self::evidence).
    pub fn add_evidence(&self, claim: ClaimId, new: NewEvidence) -> Result<EvidenceId> {
        let e = new.into_evidence(claim)?;
        self.insert_one(&e, |_| Ok(()))?;
        Ok(e.id)
    }

    /// Reads one piece of evidence.
    ///
    /// # Example
    /// Reading, correcting, retracting and deleting evidence (a new stance is a new version: see
    /// [`revise_evidence`](Self::revise_evidence)):
    /// ```
    /// use claimtrack::{Error, NewClaim, NewEvidence, NewSource, SourceKind, Stance, Store};
    /// let store = Store::open_in_memory()?;
    /// let yonhap = store.add_source(NewSource::new("Yonhap", SourceKind::NewsAgency))?;
    /// let claim = store.add_claim(NewClaim::factual("Troops were deployed."))?;
    /// let backs = store.add_evidence(claim, NewEvidence::new(yonhap, Stance::Supports))?;
    /// let mut e = store.evidence(backs)?;
    /// e.excerpt = Some("citing the intelligence service".into());
    /// store.update_evidence(&e)?; // a correction of its words
    /// e.stance = Stance::Refutes;
    /// assert!(matches!(store.update_evidence(&e), Err(Error::Invalid { .. }))); // not a new stance
    /// assert_eq!(store.evidence_by_source(yonhap)?[0].excerpt.as_deref(), Some("citing the intelligence service"));
    ///
    /// // Retracted evidence is kept but no longer counts; deleting removes it.
    /// store.retract_evidence(backs, "the report was withdrawn")?;
    /// assert!(store.current_evidence_of(claim)?.is_empty());
    /// assert_eq!(store.evidence_of(claim)?.len(), 1);
    /// store.delete_evidence(backs)?;
    /// assert!(store.evidence_of(claim)?.is_empty());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn evidence(&self, id: EvidenceId) -> Result<Evidence> {
        self.read(|db| read(db, id))
    }

    /// Corrects a stored piece of evidence in place (matched by id): its excerpt, credibility,
    /// publication or date. The change is recorded in history.
    ///
    /// A different stance, claim or source is not a correction but a new version: that is refused with
    /// [`Error::Invalid`]; use [`revise_evidence`](Self::revise_evidence). Evidence that was superseded or
    /// retracted cannot be changed.
    ///
    /// Shown in the example of [`evidence`](Self::evidence).
    pub fn update_evidence(&self, evidence: &Evidence) -> Result<()> {
        self.replace_one(evidence, |db, old| {
            require_current(db, evidence.id)?;
            for (field, same) in [
                ("stance", old.stance == evidence.stance),
                ("claim", old.claim == evidence.claim),
                ("source", old.source == evidence.source),
            ] {
                if !same {
                    return Err(Error::invalid(
                        field,
                        "a changed stance, claim or source is a new version: use Store::revise_evidence",
                    ));
                }
            }
            Ok(())
        })
    }

    /// Records a new version of a source's stance on a claim: `new` (from the same source) is stored for
    /// the same claim, and `old` is kept, marked superseded by it with `reason`. Returns the new id.
    ///
    /// ```
    /// use claimtrack::{NewClaim, NewEvidence, NewSource, SourceKind, Stance, Store};
    /// let store = Store::open_in_memory()?;
    /// let gov = store.add_source(NewSource::new("Ministry", SourceKind::GovernmentBody))?;
    /// let claim = store.add_claim(NewClaim::factual("Troops were deployed"))?;
    /// let denial = store.add_evidence(claim, NewEvidence::new(gov, Stance::Refutes))?;
    /// let admission = store.revise_evidence(denial, NewEvidence::new(gov, Stance::Supports), "ministry confirmed")?;
    /// assert!(!store.evidence_standing(denial)?.is_current());
    /// assert_eq!(store.current_evidence_of(claim)?.iter().map(|e| e.id).collect::<Vec<_>>(), vec![admission]);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn revise_evidence(&self, old: EvidenceId, new: NewEvidence, reason: &str) -> Result<EvidenceId> {
        validate_reason(reason)?;
        self.write(|db| {
            let prev = read(db, old)?;
            require_current(db, old)?;
            let next = new.clone().into_evidence(prev.claim)?;
            if next.source != prev.source {
                return Err(Error::invalid(
                    "source",
                    format!(
                        "a revision must come from the same source ({}); record another source's stance with add_evidence",
                        prev.source.map_or_else(|| "none".to_string(), |s| s.to_string())
                    ),
                ));
            }
            writes::insert(db, &mut Lookup, Log::Own, &next)?;
            track(db, EntityKind::Evidence, old.as_uuid(), Some(Operation::Supersede), Some(reason), || {
                set_status(db, old, Status::Superseded, Some(next.id), reason)
            })?;
            Ok(next.id)
        })
    }

    /// Withdraws a piece of evidence without replacing it: it is kept, marked retracted with `reason`,
    /// and no longer counts.
    ///
    /// Shown in the example of [`evidence`](Self::evidence).
    pub fn retract_evidence(&self, id: EvidenceId, reason: &str) -> Result<()> {
        validate_reason(reason)?;
        self.write(|db| {
            require_current(db, id)?;
            track(
                db,
                EntityKind::Evidence,
                id.as_uuid(),
                Some(Operation::Retract),
                Some(reason),
                || set_status(db, id, Status::Retracted, None, reason),
            )
        })
    }

    /// Whether a piece of evidence counts, and if not, why and what replaced it.
    ///
    /// Shown in the example of [`revise_evidence`](Self::revise_evidence).
    pub fn evidence_standing(&self, id: EvidenceId) -> Result<Standing<EvidenceId>> {
        self.read(|db| standing(db, id))
    }

    /// A claim's evidence that counts (neither superseded nor retracted), oldest record first.
    ///
    /// Shown in the example of [`evidence`](Self::evidence).
    pub fn current_evidence_of(&self, claim: ClaimId) -> Result<Vec<Evidence>> {
        self.read(|db| {
            let own = rowid(db, claim)?;
            db.query_vec(
                concat!(
                    select!("WHERE e.claim_id = +?1 AND "),
                    current!("e"),
                    " ORDER BY e.id"
                ),
                p![own],
                from_row,
            )
        })
    }

    /// Deletes one piece of evidence.
    ///
    /// The deletion and the record's last value are kept in history. A record that replaced another
    /// (see [`revise_evidence`](Self::revise_evidence)) is refused with [`Error::StillReferenced`].
    ///
    /// Shown in the example of [`evidence`](Self::evidence).
    pub fn delete_evidence(&self, id: EvidenceId) -> Result<()> {
        self.write_tracked(EntityKind::Evidence, id, |db| {
            let own = rowid(db, id)?;
            refuse_if_referenced(
                db,
                "evidence",
                id,
                own,
                &[(
                    "evidence (superseded by it)",
                    "SELECT count(*) FROM evidence WHERE replaced_by = ?1",
                )],
            )?;
            db.execute("DELETE FROM evidence WHERE id = ?1", p![own])?;
            Ok(())
        })
    }

    /// A claim's evidence, oldest record first, superseded and retracted records included (see
    /// [`current_evidence_of`](Self::current_evidence_of) and [`evidence_standing`](Self::evidence_standing)).
    ///
    /// Shown in the example of [`evidence`](Self::evidence).
    pub fn evidence_of(&self, claim: ClaimId) -> Result<Vec<Evidence>> {
        self.read(|db| of_claim(db, claim))
    }

    /// Every stance a source has taken, oldest record first.
    ///
    /// Shown in the example of [`evidence`](Self::evidence).
    pub fn evidence_by_source(&self, source: SourceId) -> Result<Vec<Evidence>> {
        self.read(|db| {
            let own = rowid(db, source)?;
            db.query_vec(
                select!("WHERE e.source_id = +?1 ORDER BY e.id"),
                p![own],
                from_row,
            )
        })
    }
}
