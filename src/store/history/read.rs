//! Reading the history back: one record's, an actor's, a claim's.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use super::batch::{batch_holding, rowid_of_entity};
use super::checked::Checked;
use super::kinds::snapshot;
use crate::error::{Error, Result};
use crate::model::history::Unverified;
use crate::model::history::{Change, EntityKind, Operation};
use crate::model::ids::*;
use crate::store::Store;
use crate::store::convert::rowid_opt;
use crate::store::db::{Db, Param, Row, p};

/// A stored time (unix nanoseconds, as every record and history time is kept on both engines) read
/// back; a number outside `OffsetDateTime`'s range is damage.
pub(crate) fn stored_time(n: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(n)).map_err(|e| Error::Corrupt {
        path: String::new(),
        message: format!("a stored time ({n} ns) is out of range: {e}"),
    })
}

/// The `import` change of a record a batch created, as readers show it: the batch entry's number, time
/// and actor, and the record's value as written (the value before of its first own entry, or the record
/// as stored now) when the batch's records of its kind add up to what it wrote, else no value and why
/// ([`Checked`]). `None` when no batch created it.
pub(super) fn batch_creation(
    db: &Db<'_>,
    checked: &mut Checked,
    kind: EntityKind,
    entity: Uuid,
) -> Result<Option<Change>> {
    batch_creation_with(db, checked, kind, entity, true, &mut HashMap::new(), &|_, _| None)
}

/// The value of a record the caller already holds, as history shows it ([`with_standing`](super::kinds::with_standing)), or
/// `None` to read it from the store: the server's claim read holds the claim's records, read in the
/// same snapshot, and need not read each again for its history.
pub(crate) type Held<'a> = &'a dyn Fn(EntityKind, Uuid) -> Option<Result<Value>>;

/// The time and actor of batch entries already looked up, by entry number: the records of one claim
/// were mostly written by one batch.
type BatchHeads = HashMap<i64, (i64, String)>;

/// [`batch_creation`], told whether the record may have entries of its own (`false`: the caller knows
/// it has none, so its first entry is not looked up), reusing the batch entries in `heads`, and taking
/// the record's value from `held` when the caller has it.
fn batch_creation_with(
    db: &Db<'_>,
    checked: &mut Checked,
    kind: EntityKind,
    entity: Uuid,
    may_have_own: bool,
    heads: &mut BatchHeads,
    held: Held<'_>,
) -> Result<Option<Change>> {
    if kind == EntityKind::Batch {
        return Ok(None);
    }
    // JSON as text: PostgreSQL keeps it as `json`, whose text is the value as written.
    let first: Option<(Option<String>, Option<i64>)> = if may_have_own {
        db.query_opt(
            "SELECT CAST(before AS TEXT), batch FROM history WHERE entity = ?1 AND entity_kind = ?2 \
             ORDER BY id LIMIT 1",
            p![entity, kind],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
    } else {
        None
    };
    let (batch, after) = match first {
        Some((Some(before), Some(batch))) => (batch, parse_json(Some(before), batch)?),
        Some(_) => return Ok(None),
        None => {
            let Some(rowid) = rowid_of_entity(db, kind, entity)? else {
                return Ok(None);
            };
            let Some(batch) = batch_holding(db, kind, rowid)? else {
                return Ok(None);
            };
            let value = match held(kind, entity) {
                Some(v) => Some(v?),
                None => snapshot(db, kind, entity)?,
            };
            (batch, value)
        }
    };
    let unverified = checked.of(db, batch, kind)?;
    // A sum that no longer adds up hides the value; a batch too large to check on a read shows it,
    // flagged as not checked.
    let after = if unverified == Some(Unverified::Changed) {
        None
    } else {
        after
    };
    let (at, actor): (i64, String) = match heads.get(&batch) {
        Some(head) => head.clone(),
        None => {
            let head: (i64, String) =
                db.query_one("SELECT at, actor FROM history WHERE id = ?1", p![batch], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            heads.insert(batch, head.clone());
            head
        }
    };
    Ok(Some(Change {
        seq: batch,
        at: stored_time(at).map_err(|e| Error::Corrupt {
            path: String::new(),
            message: format!("history entry {batch}: bad time: {e}"),
        })?,
        actor,
        kind,
        entity,
        operation: Operation::Import,
        before: None,
        after,
        unverified,
        reason: None,
    }))
}

/// The claim and the records that belong to it now: its attributions, evidence, reviews and links.
pub(super) fn claim_records(db: &Db<'_>, claim: ClaimId) -> Result<Vec<(EntityKind, Uuid)>> {
    let Some(own) = rowid_opt(db, claim)? else {
        return Ok(Vec::new());
    };
    let mut out = vec![(EntityKind::Claim, claim.as_uuid())];
    // The kinds' names as text (PostgreSQL would not guess a bare literal's type in a UNION).
    db.query_each(
        "SELECT CAST('attribution' AS TEXT), uuid FROM attributions WHERE claim_id = ?1 \
         UNION ALL SELECT CAST('evidence' AS TEXT), uuid FROM evidence WHERE claim_id = ?1 \
         UNION ALL SELECT CAST('review' AS TEXT), uuid FROM reviews WHERE claim_id = ?1 \
         UNION ALL SELECT CAST('claim_link' AS TEXT), uuid FROM claim_links \
         WHERE from_claim = ?1 OR to_claim = ?1",
        p![own],
        |r| {
            out.push((r.get(0)?, r.get(1)?));
            Ok(())
        },
    )?;
    Ok(out)
}

/// A batch entry's value: how many records of each kind it wrote.
pub(super) fn batch_counts(db: &Db<'_>, batch: i64) -> Result<Value> {
    let mut map = serde_json::Map::new();
    db.query_each(
        "SELECT entity_kind, records FROM history_batch_rows WHERE batch = ?1",
        p![batch],
        |r| {
            let kind: EntityKind = r.get(0)?;
            map.insert(kind.as_str().to_owned(), Value::from(r.get::<i64>(1)?));
            Ok(())
        },
    )?;
    Ok(Value::Object(map))
}

pub(super) fn parse_json(text: Option<String>, seq: i64) -> Result<Option<Value>> {
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| Error::Corrupt {
            path: String::new(),
            message: format!("history entry {seq} holds invalid JSON: {e}"),
        })
    })
    .transpose()
}

macro_rules! select_changes {
    ($tail:literal) => {
        concat!(
            "SELECT h.id, h.at, h.actor, h.entity_kind, h.entity, h.operation, CAST(h.before AS TEXT), \
             CAST(h.after AS TEXT), h.reason FROM history h ",
            $tail
        )
    };
}

pub(super) type RawChange = (
    i64,
    i64,
    String,
    EntityKind,
    Uuid,
    Operation,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub(super) fn raw_row(r: &Row<'_>) -> Result<RawChange> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
    ))
}

pub(super) fn to_change(raw: RawChange) -> Result<Change> {
    let (seq, at, actor, kind, entity, operation, before, after, reason) = raw;
    let bad = |what: String| Error::Corrupt {
        path: String::new(),
        message: format!("history entry {seq}: {what}"),
    };
    let change = Change {
        seq,
        at: stored_time(at).map_err(|e| bad(format!("bad time: {e}")))?,
        actor,
        kind,
        entity,
        operation,
        before: parse_json(before, seq)?,
        after: parse_json(after, seq)?,
        unverified: None,
        reason,
    };
    Ok(change)
}

pub(crate) fn changes(db: &Db<'_>, sql: &'static str, params: &[&dyn Param]) -> Result<Vec<Change>> {
    let raws: Vec<RawChange> = db.query_vec(sql, params, raw_row)?;
    raws.into_iter()
        .map(|raw| {
            let mut change = to_change(raw)?;
            if change.kind == EntityKind::Batch {
                change.after = Some(batch_counts(db, change.seq)?);
            }
            Ok(change)
        })
        .collect()
}

/// See [`Store::history_of`]; also what a batch reads (`Batch::history_of`).
pub(crate) fn history_of<I: EntityId>(db: &Db<'_>, id: I) -> Result<Vec<Change>> {
    let kind: EntityKind = I::KIND.parse()?;
    let entity = id.as_uuid();
    let mut out: Vec<Change> = batch_creation(db, &mut Checked::default(), kind, entity)?
        .into_iter()
        .collect();
    out.extend(changes(
        db,
        select_changes!("WHERE h.entity = ?1 AND h.entity_kind = ?2 ORDER BY h.id"),
        p![entity, kind],
    )?);
    Ok(out)
}

impl Store {
    /// Every change to one record, oldest first.
    ///
    /// A record written by [`Store::batch`] starts with an `import` change of the batch's one entry,
    /// which keeps no copy of its records: its value is shown only when the batch's records of that kind
    /// still add up to the digest sum it wrote, else [`Change::after`] is `None` and
    /// [`Change::unverified`] says why (a record of the batch changed behind the API, or the batch wrote
    /// more than [`BATCH_CHECK_LIMIT`](crate::BATCH_CHECK_LIMIT) records of the kind). A value changed
    /// behind the API is never shown as the value imported.
    ///
    /// # Example
    /// Reading the history by record, by actor and by claim:
    /// ```
    /// use claimtrack::{NewClaim, NewReview, Operation, Store, Verdict};
    /// let store = Store::open_in_memory()?;
    /// store.set_actor("desk:alice")?;
    /// let claim = store.add_claim(NewClaim::factual("Troops were deployed."))?;
    /// let mut c = store.claim(claim)?;
    /// c.text = "Troops were deployed to Kursk.".into();
    /// store.update_claim(&c)?;
    /// store.set_actor("desk:bob")?;
    /// store.add_review(claim, NewReview::new(Verdict::True))?;
    ///
    /// let ops: Vec<Operation> = store.history_of(claim)?.iter().map(|ch| ch.operation).collect();
    /// assert_eq!(ops, [Operation::Insert, Operation::Update]);
    /// assert_eq!(store.history_by_actor("desk:bob")?.len(), 1);
    /// assert_eq!(store.claim_history(claim)?.len(), 3); // the claim's two changes and its review
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn history_of<I: EntityId>(&self, id: I) -> Result<Vec<Change>> {
        self.read(|db| history_of(db, id))
    }

    /// Every change made by `actor`, oldest first.
    ///
    /// Shown in the example of [`history_of`](Self::history_of).
    pub fn history_by_actor(&self, actor: &str) -> Result<Vec<Change>> {
        if crate::store::db::unmatchable(actor) {
            return Ok(Vec::new());
        }
        self.read(|db| changes(db, select_changes!("WHERE h.actor = ?1 ORDER BY h.id"), p![actor]))
    }

    /// A claim's full change record, oldest first: changes to the claim itself and to every
    /// attribution, evidence record, review and link that belongs (or belonged) to it.
    ///
    /// Shown in the example of [`history_of`](Self::history_of).
    pub fn claim_history(&self, claim: ClaimId) -> Result<Vec<Change>> {
        self.read(|db| claim_history(db, claim))
    }
}

/// [`Store::claim_history`] inside a read already open.
pub(crate) fn claim_history(db: &Db<'_>, claim: ClaimId) -> Result<Vec<Change>> {
    claim_history_holding(db, claim, &|_, _| None)
}

/// [`claim_history`], taking the values of the records the caller holds from `held`.
pub(crate) fn claim_history_holding(db: &Db<'_>, claim: ClaimId, held: Held<'_>) -> Result<Vec<Change>> {
    // A boolean on PostgreSQL, 0 or 1 on SQLite: both read as `bool`.
    let known: bool = db.query_one(
        "SELECT EXISTS (SELECT 1 FROM claims WHERE uuid = ?1) \
         OR EXISTS (SELECT 1 FROM history_claims WHERE claim = ?1)",
        p![claim],
        |r| r.get(0),
    )?;
    if !known {
        return Err(Error::not_found("claim", claim));
    }
    let mut out = changes(
        db,
        select_changes!(
            "WHERE h.id IN (SELECT history_id FROM history_claims WHERE claim = ?1) ORDER BY h.id"
        ),
        p![claim],
    )?;
    // Records a batch created have no entry of their own until they change: add their creation,
    // for the claim and everything that belongs to it now or belonged to it once. Every entry of
    // a record of this claim names the claim (a record never moves to another claim), so one
    // without an entry above has none at all, and its first entry need not be looked up.
    let own: HashSet<(EntityKind, Uuid)> = out.iter().map(|ch| (ch.kind, ch.entity)).collect();
    let mut records: Vec<(EntityKind, Uuid)> = own.iter().copied().collect();
    records.extend(claim_records(db, claim)?);
    records.sort();
    records.dedup();
    let mut heads = BatchHeads::new();
    let mut checked = Checked::default();
    for (kind, entity) in records {
        let may_have_own = own.contains(&(kind, entity));
        out.extend(batch_creation_with(
            db,
            &mut checked,
            kind,
            entity,
            may_have_own,
            &mut heads,
            held,
        )?);
    }
    out.sort_by_key(|ch| ch.seq);
    Ok(out)
}
