//! The rules every write obeys, whoever the caller (single writes, batches, every importer):
//!
//! - evidence and reviews are never overwritten: an incoming record whose id is stored with other
//!   content is refused with [`Error::Conflict`] naming it (a new stance or verdict is a new version:
//!   `Store::revise_evidence`, `Store::correct_review`);
//! - no record moves to another claim;
//! - standings are consistent: a record is superseded only by a record of the same claim (for evidence,
//!   also of the same source), never in a cycle, and a standing once set (superseded, retracted) is
//!   never changed, so a retracted record never counts again.
//!
//! [`standing_problems`] finds any breach of the standing rules in a file edited by hand (`Store::check`).

use super::convert::rowid;
use super::db::{Db, p};
use super::record::Record;
use super::standing::{Versioned, standing};
use crate::error::{Error, Result};
use crate::model::history::StandingEntry;

/// Refuses to replace the stored `old` with `new` (same id) when the rules forbid it: `new` belongs to
/// other claims, or the kind is versioned and the content differs.
pub(crate) fn check_replace<R: Record>(old: &R, new: &R) -> Result<()> {
    let kind = <R::Id as crate::model::ids::EntityId>::KIND;
    let id = old.id();
    if old.claims() != new.claims() {
        let shown = |c: [Option<crate::model::ids::ClaimId>; 2]| {
            c.iter()
                .flatten()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" and ")
        };
        return Err(Error::conflict(
            kind,
            id,
            format!(
                "it belongs to claim {}, not {}; a record never moves to another claim",
                shown(old.claims()),
                shown(new.claims())
            ),
        ));
    }
    if R::VERSIONED && old != new {
        let how = match R::KIND {
            crate::model::history::EntityKind::Review => {
                "a review is never overwritten: publish a correction (Store::correct_review) or retract it"
            }
            _ => "evidence is never overwritten: record a new version (Store::revise_evidence) or retract it",
        };
        return Err(Error::conflict(kind, id, how));
    }
    Ok(())
}

/// Refuses a standing entry (from a bundle or a JSON Lines file) that breaks the standing rules on top
/// of what is stored: a stored record that no longer counts keeps its standing; a successor must exist
/// and belong to the same claim (and, for evidence, come from the same source); no cycle. Returns
/// whether the entry differs from what is stored (`false`: nothing to write).
pub(crate) fn check_standing<I: Versioned>(db: &Db<'_>, entry: &StandingEntry<I>) -> Result<bool> {
    entry.validate()?;
    let stored = standing(db, entry.id)?;
    if stored == entry.standing {
        return Ok(false);
    }
    // An unknown successor is named as such, before any other rule.
    if let Some(next) = entry.standing.replaced_by {
        rowid(db, next)?;
    }
    if !stored.is_current() {
        return Err(Error::conflict(
            I::KIND,
            entry.id,
            format!(
                "it is {}{} and a standing, once set, is never changed",
                stored.status,
                stored
                    .replaced_by
                    .map(|n| format!(" (by {n})"))
                    .unwrap_or_default()
            ),
        ));
    }
    if let Some(next) = entry.standing.replaced_by {
        let own = rowid(db, entry.id)?;
        let successor = rowid(db, next)?;
        let owner = |row: i64| -> Result<(i64, Option<i64>)> {
            db.query_one(I::OWNER, p![row], |r| Ok((r.get(0)?, r.get(1)?)))
        };
        let (claim, source) = owner(own)?;
        let (next_claim, next_source) = owner(successor)?;
        if claim != next_claim {
            return Err(Error::invalid(
                "replaced_by",
                format!(
                    "{} {} cannot be superseded by {next}, a record of another claim",
                    I::KIND,
                    entry.id
                ),
            ));
        }
        if source != next_source {
            return Err(Error::invalid(
                "replaced_by",
                format!(
                    "{} {} cannot be superseded by {next}, a record of another source",
                    I::KIND,
                    entry.id
                ),
            ));
        }
        let cycle: bool = db.query_one(I::REACHES, p![successor, own], |r| r.get(0))?;
        if cycle {
            return Err(Error::invalid(
                "replaced_by",
                format!(
                    "{} {} cannot be superseded by {next}: {next} is (indirectly) superseded by it, a cycle",
                    I::KIND,
                    entry.id
                ),
            ));
        }
    }
    Ok(true)
}

/// Every breach of the standing rules among records of kind `I`, as messages naming the records: a
/// successor of another claim or source, a cycle of supersessions.
pub(crate) fn standing_problems<I: Versioned>(db: &Db<'_>) -> Result<Vec<String>> {
    let mut out: Vec<String> = db.query_vec(I::FOREIGN_SUCCESSORS, p![], |r| {
        let (id, next, what): (I, I, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        Ok(format!(
            "{} {id} is superseded by {next}, a record of another {what}",
            I::KIND
        ))
    })?;
    let cyclic: Vec<I> = db.query_vec(I::CYCLES, p![], |r| r.get(0))?;
    out.extend(
        cyclic
            .into_iter()
            .map(|id| format!("{} {id} is (indirectly) superseded by itself: a cycle", I::KIND)),
    );
    Ok(out)
}
