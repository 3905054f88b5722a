//! The append-only history of changes, and the standing of evidence and reviews.
//!
//! Every write through the [`Store`] API goes through [`track`]: it reads the record's value before and
//! after the write (as serde JSON, see [`snapshot`]) inside the same transaction and, when they differ,
//! appends one row to `history` naming the actor, time, record, operation and both values. Because the
//! row is written in the writer's transaction, a change and its history entry commit together or not at
//! all. `verify` replays the history and compares its last value for every record with the current state.
//!
//! The actor lives in a per-connection TEMP table, so every code path holding only a `&Connection` (the
//! bundle importer, a bulk loader) records the actor set on its `Store` without passing it around.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, Row, params};
use serde_json::Value;
use uuid::Uuid;

use super::convert::ts_to_sql;
use super::{Store, attributions, claims, evidence, links, publications, reviews, sources};
use crate::error::{Error, Result};
use crate::model::history::{
    Change, DEFAULT_ACTOR, EntityKind, HistoryProblem, HistoryReport, Operation, Standing, validate_actor,
};
use crate::model::ids::*;

/// SQL predicate selecting evidence or reviews that count, for a table alias: `current!("e")` is
/// `"e.status = 'current'"`. The one rule for "current" in SQL; [`Standing::is_current`] is the same rule
/// in Rust. Use it in `concat!` so statements stay literals.
macro_rules! current {
    ($alias:literal) => {
        concat!($alias, ".status = 'current'")
    };
}
pub(crate) use current;

/// Creates the connection's actor slot (a TEMP table: private to this connection, never in the file).
pub(crate) fn init_actor(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS claimtrack_actor (name TEXT NOT NULL); \
         DELETE FROM temp.claimtrack_actor;",
    )?;
    conn.prepare_cached("INSERT INTO temp.claimtrack_actor (name) VALUES (?1)")?
        .execute([DEFAULT_ACTOR])?;
    Ok(())
}

pub(crate) fn set_actor(conn: &Connection, actor: &str) -> Result<()> {
    validate_actor(actor)?;
    conn.prepare_cached("UPDATE temp.claimtrack_actor SET name = ?1")?
        .execute([actor])?;
    Ok(())
}

pub(crate) fn actor(conn: &Connection) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT name FROM temp.claimtrack_actor")?
        .query_row([], |r| r.get(0))?)
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::invalid("record", format!("cannot be serialized: {e}")))
}

fn none_if_missing<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Adds the `"standing"` member to a record that no longer counts.
fn with_standing<I: serde::Serialize>(mut v: Value, s: &Standing<I>) -> Result<Value> {
    if !s.is_current()
        && let Value::Object(map) = &mut v
    {
        map.insert("standing".into(), to_json(s)?);
    }
    Ok(v)
}

/// The record's current value as history stores it, or `None` when it does not exist.
pub(crate) fn snapshot(conn: &Connection, kind: EntityKind, id: Uuid) -> Result<Option<Value>> {
    Ok(match kind {
        EntityKind::Source => none_if_missing(sources::read(conn, SourceId::from_uuid(id)))?
            .map(|v| to_json(&v))
            .transpose()?,
        EntityKind::Publication => none_if_missing(publications::read(conn, PublicationId::from_uuid(id)))?
            .map(|v| to_json(&v))
            .transpose()?,
        EntityKind::Claim => none_if_missing(claims::read(conn, ClaimId::from_uuid(id)))?
            .map(|v| to_json(&v))
            .transpose()?,
        EntityKind::Attribution => none_if_missing(attributions::read(conn, AttributionId::from_uuid(id)))?
            .map(|v| to_json(&v))
            .transpose()?,
        EntityKind::ClaimLink => none_if_missing(links::read(conn, ClaimLinkId::from_uuid(id)))?
            .map(|v| to_json(&v))
            .transpose()?,
        EntityKind::Evidence => {
            let id = EvidenceId::from_uuid(id);
            match none_if_missing(evidence::read(conn, id))? {
                Some(e) => Some(with_standing(
                    to_json(&e)?,
                    &super::standing::standing(conn, id)?,
                )?),
                None => None,
            }
        }
        EntityKind::Review => {
            let id = ReviewId::from_uuid(id);
            match none_if_missing(reviews::read(conn, id))? {
                Some(r) => Some(with_standing(
                    to_json(&r)?,
                    &super::standing::standing(conn, id)?,
                )?),
                None => None,
            }
        }
    })
}

/// The claims a record's value mentions (for the per-claim index).
fn claims_in(kind: EntityKind, entity: Uuid, v: &Value, out: &mut Vec<Uuid>) {
    let keys: &[&str] = match kind {
        EntityKind::Claim => {
            out.push(entity);
            &[]
        }
        EntityKind::Attribution | EntityKind::Evidence | EntityKind::Review => &["claim"],
        EntityKind::ClaimLink => &["from", "to"],
        EntityKind::Source | EntityKind::Publication => &[],
    };
    for k in keys {
        if let Some(u) = v
            .get(*k)
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
        {
            out.push(u);
        }
    }
}

/// A stable 64-bit digest (FNV-1a) of a value's JSON text. Stored in `history.after_digest` by compact
/// import entries, so it must never change; `verify` compares every value through it.
fn digest(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The digest as SQLite stores it (INTEGER is signed; the bits are kept).
fn digest_to_sql(d: u64) -> i64 {
    i64::from_ne_bytes(d.to_ne_bytes())
}

fn digest_from_sql(d: i64) -> u64 {
    u64::from_ne_bytes(d.to_ne_bytes())
}

/// Appends one history entry (and its per-claim index rows) with the connection's actor.
pub(crate) fn append(
    conn: &Connection,
    kind: EntityKind,
    entity: Uuid,
    operation: Operation,
    before: Option<&Value>,
    after: Option<&Value>,
    reason: Option<&str>,
) -> Result<()> {
    append_entry(conn, kind, entity, operation, before, after, false, reason)
}

/// [`append`], or, when `compact`, an entry that stores only the digest of `after` (see
/// [`record_import`]); `after` must then be `Some` and `before` `None`.
#[allow(clippy::too_many_arguments)]
fn append_entry(
    conn: &Connection,
    kind: EntityKind,
    entity: Uuid,
    operation: Operation,
    before: Option<&Value>,
    after: Option<&Value>,
    compact: bool,
    reason: Option<&str>,
) -> Result<()> {
    let at = ts_to_sql(crate::model::now())?;
    let after_text = after.map(Value::to_string);
    let (after_text, after_digest) = if compact {
        (None, after_text.as_deref().map(|t| digest_to_sql(digest(t))))
    } else {
        (after_text, None)
    };
    conn.prepare_cached(
        "INSERT INTO history (at, actor, entity_kind, entity, operation, before, after, reason, after_digest) \
         VALUES (?1, (SELECT name FROM temp.claimtrack_actor), ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        at,
        kind,
        &entity.as_bytes()[..],
        operation,
        before.map(Value::to_string),
        after_text,
        reason,
        after_digest
    ])?;
    let row = conn.last_insert_rowid();
    let mut mentioned = Vec::new();
    for v in [before, after].into_iter().flatten() {
        claims_in(kind, entity, v, &mut mentioned);
    }
    mentioned.sort();
    mentioned.dedup();
    let mut ins = conn.prepare_cached("INSERT INTO history_claims (history_id, claim) VALUES (?1, ?2)")?;
    for c in mentioned {
        ins.execute(params![row, &c.as_bytes()[..]])?;
    }
    Ok(())
}

/// Runs `write` (which changes at most the one record `kind`/`entity`) and records the change, if any.
///
/// `operation` `None` means insert, update or delete as the before/after values show. Must run inside
/// the caller's write transaction, so the change and its entry commit together.
pub(crate) fn track<T>(
    conn: &Connection,
    kind: EntityKind,
    entity: Uuid,
    operation: Option<Operation>,
    reason: Option<&str>,
    write: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let before = snapshot(conn, kind, entity)?;
    let out = write()?;
    let after = snapshot(conn, kind, entity)?;
    if before != after {
        let op = operation.unwrap_or(match (&before, &after) {
            (None, _) => Operation::Insert,
            (_, None) => Operation::Delete,
            _ => Operation::Update,
        });
        append(conn, kind, entity, op, before.as_ref(), after.as_ref(), reason)?;
    }
    Ok(out)
}

/// Runs `write`, which creates the record `entity` from `value`, and records its creation without
/// re-reading it: the history's value after is `value` itself (a stored record reads back equal to the
/// value it was written from; `verify_history` checks that). Cheaper than [`track`] for inserts.
pub(crate) fn track_insert<V: serde::Serialize, T>(
    conn: &Connection,
    kind: EntityKind,
    entity: Uuid,
    operation: Operation,
    value: &V,
    write: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let out = write()?;
    append(conn, kind, entity, operation, None, Some(&to_json(value)?), None)?;
    Ok(out)
}

/// Records one record written by a bulk path (`store/batch.rs`) that already holds its model value: one
/// compact `Import` entry, without re-reading the row. Call it in the same transaction, once per record,
/// after the row is written; `value` must be the model value just written (its serde JSON is what
/// `snapshot` reads back, so `verify_history` stays consistent). Evidence and reviews are written current.
///
/// The entry stores no JSON copy of the record (`after` is NULL): until the record first changes, its
/// value is the row itself, and the entry of that first change holds the full value before. It keeps the
/// digest of the value's JSON text instead, so `verify_history` still finds a change made behind the
/// API, and still indexes the entry under the claims the value mentions. Readers fill the value after in
/// ([`fill_compact`]).
///
/// Bulk loads get one entry per record rather than one summary per batch: `verify_history` can then
/// check every record, and `claim_history` shows where each came from.
pub(crate) fn record_import<T: serde::Serialize>(
    conn: &Connection,
    kind: EntityKind,
    entity: Uuid,
    value: &T,
) -> Result<()> {
    append_entry(
        conn,
        kind,
        entity,
        Operation::Import,
        None,
        Some(&to_json(value)?),
        true,
        None,
    )
}

/// Every record's uuid, kind by kind (used by the baseline and by `verify`).
fn all_ids(conn: &Connection) -> Result<Vec<(EntityKind, Uuid)>> {
    const TABLES: &[(EntityKind, &str)] = &[
        (EntityKind::Source, "SELECT uuid FROM sources ORDER BY id"),
        (
            EntityKind::Publication,
            "SELECT uuid FROM publications ORDER BY id",
        ),
        (EntityKind::Claim, "SELECT uuid FROM claims ORDER BY id"),
        (
            EntityKind::Attribution,
            "SELECT uuid FROM attributions ORDER BY id",
        ),
        (EntityKind::Evidence, "SELECT uuid FROM evidence ORDER BY id"),
        (EntityKind::ClaimLink, "SELECT uuid FROM claim_links ORDER BY id"),
        (EntityKind::Review, "SELECT uuid FROM reviews ORDER BY id"),
    ];
    let mut out = Vec::new();
    for (kind, sql) in TABLES {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        for blob in rows {
            let blob = blob?;
            let id = Uuid::from_slice(&blob).map_err(|_| Error::Corrupt {
                path: String::new(),
                message: format!("a {kind} uuid is {} bytes long", blob.len()),
            })?;
            out.push((*kind, id));
        }
    }
    Ok(out)
}

/// The actor of baseline entries.
pub(crate) const BASELINE_ACTOR: &str = "claimtrack upgrade";

/// Records a `Baseline` entry for every record of a database that predates history. Called by the
/// migration that creates the history table, inside its transaction.
pub(crate) fn baseline(conn: &Connection) -> Result<()> {
    let empty: bool = conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM history)", [], |r| r.get(0))?;
    if !empty {
        return Ok(());
    }
    let records = all_ids(conn)?;
    if records.is_empty() {
        return Ok(());
    }
    let actor = actor(conn)?;
    set_actor(conn, BASELINE_ACTOR)?;
    for (kind, id) in records {
        if let Some(v) = snapshot(conn, kind, id)? {
            append(conn, kind, id, Operation::Baseline, None, Some(&v), None)?;
        }
    }
    set_actor(conn, &actor)
}

fn parse_json(text: Option<String>, seq: i64) -> Result<Option<Value>> {
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
            "SELECT h.id, h.at, h.actor, h.entity_kind, h.entity, h.operation, h.before, h.after, h.reason, \
             h.after_digest FROM history h ",
            $tail
        )
    };
}

type RawChange = (
    i64,
    i64,
    String,
    EntityKind,
    Vec<u8>,
    Operation,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

fn raw_row(r: &Row<'_>) -> rusqlite::Result<RawChange> {
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
        r.get(9)?,
    ))
}

fn to_change(raw: RawChange) -> Result<(Change, Option<u64>)> {
    let (seq, at, actor, kind, entity, operation, before, after, reason, after_digest) = raw;
    let bad = |what: String| Error::Corrupt {
        path: String::new(),
        message: format!("history entry {seq}: {what}"),
    };
    let change = Change {
        seq,
        at: time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at))
            .map_err(|e| bad(format!("bad time: {e}")))?,
        actor,
        kind,
        entity: Uuid::from_slice(&entity).map_err(|_| bad("bad entity id".into()))?,
        operation,
        before: parse_json(before, seq)?,
        after: parse_json(after, seq)?,
        reason,
    };
    Ok((change, after_digest.map(digest_from_sql)))
}

/// Fills in the value after of a compact import entry (see [`record_import`]): it is the value before
/// of the record's next entry or, when there is none, the record as stored now. Left `None` when that
/// value does not match the entry's digest (the record was changed behind the API; `verify_history`
/// reports it).
fn fill_compact(conn: &Connection, change: &mut Change, digest_of_after: u64) -> Result<()> {
    let next: Option<Option<String>> = conn
        .prepare_cached(
            "SELECT before FROM history WHERE entity = ?1 AND entity_kind = ?2 AND id > ?3 \
             ORDER BY id LIMIT 1",
        )?
        .query_row(
            params![&change.entity.as_bytes()[..], change.kind, change.seq],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    let text = match next {
        Some(before) => before,
        None => snapshot(conn, change.kind, change.entity)?.map(|v| v.to_string()),
    };
    if let Some(text) = text
        && digest(&text) == digest_of_after
    {
        change.after = parse_json(Some(text), change.seq)?;
    }
    Ok(())
}

fn changes(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Change>> {
    let raws: Vec<RawChange> = conn
        .prepare_cached(sql)?
        .query_map(p, raw_row)?
        .collect::<rusqlite::Result<_>>()?;
    raws.into_iter()
        .map(|raw| {
            let (mut change, compact) = to_change(raw)?;
            if let Some(d) = compact
                && change.after.is_none()
            {
                fill_compact(conn, &mut change, d)?;
            }
            Ok(change)
        })
        .collect()
}

fn text_hash(text: &str) -> u64 {
    digest(text)
}

/// Replays the history and compares it with the current state.
pub(crate) fn verify(conn: &Connection) -> Result<HistoryReport> {
    let mut report = HistoryReport::default();
    // Last known value (hash of its JSON text, None = deleted) of every record with history.
    // Keyed by kind and id: ids are unique per table, so a bundle may reuse one across kinds.
    let mut last: HashMap<(EntityKind, Uuid), (Option<u64>, i64)> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, entity_kind, entity, operation, before, after, after_digest FROM history ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            report.changes += 1;
            let seq: i64 = r.get(0)?;
            let kind: EntityKind = r.get(1)?;
            let blob: Vec<u8> = r.get(2)?;
            let op: Operation = r.get(3)?;
            let before: Option<String> = r.get(4)?;
            let after: Option<String> = r.get(5)?;
            // A compact import entry stores the digest of its value after instead of the value.
            let after_digest: Option<i64> = r.get(6)?;
            let Ok(entity) = Uuid::from_slice(&blob) else {
                report.problems.push(HistoryProblem {
                    kind,
                    entity: Uuid::nil(),
                    problem: format!("history entry {seq} has a malformed id"),
                });
                continue;
            };
            let mut problem = |p: String| {
                report.problems.push(HistoryProblem {
                    kind,
                    entity,
                    problem: p,
                })
            };
            let before_hash = before.as_deref().map(text_hash);
            match last.get(&(kind, entity)) {
                Some((prev, prev_seq)) if *prev != before_hash => problem(format!(
                    "entry {seq}'s value before differs from entry {prev_seq}'s value after"
                )),
                None if before.is_some() => {
                    problem(format!("its history starts at entry {seq} with a value before"))
                }
                _ => {}
            }
            if op == Operation::Baseline && last.contains_key(&(kind, entity)) {
                problem(format!("baseline entry {seq} is not its first entry"));
            }
            let after_hash = after
                .as_deref()
                .map(text_hash)
                .or(after_digest.map(digest_from_sql));
            last.insert((kind, entity), (after_hash, seq));
        }
    }
    let mut seen: HashSet<(EntityKind, Uuid)> = HashSet::new();
    for (kind, id) in all_ids(conn)? {
        report.records += 1;
        seen.insert((kind, id));
        let now = snapshot(conn, kind, id)?.map(|v| text_hash(&v.to_string()));
        let mut problem = |p: String| {
            report.problems.push(HistoryProblem {
                kind,
                entity: id,
                problem: p,
            })
        };
        match last.get(&(kind, id)) {
            None => problem("it has no history".into()),
            Some((None, seq)) => problem(format!("entry {seq} records its deletion, yet it exists")),
            Some((prev, seq)) if *prev != now => problem(format!(
                "its current value differs from entry {seq}'s value after"
            )),
            Some(_) => {}
        }
    }
    for ((kind, id), (after, seq)) in &last {
        if after.is_some() && !seen.contains(&(*kind, *id)) {
            report.problems.push(HistoryProblem {
                kind: *kind,
                entity: *id,
                problem: format!("entry {seq} records a value, yet it does not exist"),
            });
        }
    }
    report.problems.sort_by_key(|p| (p.kind, p.entity));
    Ok(report)
}

impl Store {
    /// Names who makes the following changes through this store; every history entry records it.
    /// Until set, the actor is `"unknown"`. Refused when blank, over 1,000 characters, or holding
    /// control characters.
    ///
    /// ```
    /// use claimtrack::{NewClaim, Store};
    /// let store = Store::open_in_memory()?;
    /// store.set_actor("desk:alice")?;
    /// let id = store.add_claim(NewClaim::factual("Troops were deployed"))?;
    /// assert_eq!(store.history_of(id)?[0].actor, "desk:alice");
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn set_actor(&self, actor: &str) -> Result<()> {
        set_actor(&self.conn, actor)
    }

    /// The actor recorded for changes made through this store.
    pub fn actor(&self) -> Result<String> {
        actor(&self.conn)
    }

    /// Runs `f` in one write transaction as a change to the one record `id`, recorded in history.
    pub(crate) fn write_tracked<I: EntityId, T>(
        &self,
        kind: EntityKind,
        id: I,
        f: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        self.write(|c| track(c, kind, id.as_uuid(), None, None, || f(c)))
    }

    /// Runs `f` in one write transaction as the creation of `value` (with id `id`), recorded in history.
    pub(crate) fn write_new<I: EntityId, V: serde::Serialize, T>(
        &self,
        kind: EntityKind,
        id: I,
        value: &V,
        f: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        self.write(|c| track_insert(c, kind, id.as_uuid(), Operation::Insert, value, || f(c)))
    }

    /// Every change to one record, oldest first.
    pub fn history_of<I: EntityId>(&self, id: I) -> Result<Vec<Change>> {
        let kind: EntityKind = I::KIND.parse()?;
        self.read(|c| {
            changes(
                c,
                select_changes!("WHERE h.entity = ?1 AND h.entity_kind = ?2 ORDER BY h.id"),
                params![&id.as_uuid().as_bytes()[..], kind],
            )
        })
    }

    /// Every change made by `actor`, oldest first.
    pub fn history_by_actor(&self, actor: &str) -> Result<Vec<Change>> {
        self.read(|c| changes(c, select_changes!("WHERE h.actor = ?1 ORDER BY h.id"), [actor]))
    }

    /// A claim's full change record, oldest first: changes to the claim itself and to every
    /// attribution, evidence record, review and link that belongs (or belonged) to it.
    pub fn claim_history(&self, claim: ClaimId) -> Result<Vec<Change>> {
        self.read(|c| {
            let known: bool = c
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM claims WHERE uuid = ?1) \
                     OR EXISTS (SELECT 1 FROM history_claims WHERE claim = ?1)",
                )?
                .query_row([claim], |r| r.get(0))?;
            if !known {
                return Err(Error::not_found("claim", claim));
            }
            changes(
                c,
                select_changes!(
                    "WHERE h.id IN (SELECT history_id FROM history_claims WHERE claim = ?1) ORDER BY h.id"
                ),
                [claim],
            )
        })
    }

    /// Checks that the history agrees with the current state: each record's entries form one unbroken
    /// chain (every entry's value before equals the previous entry's value after), the last entry's value
    /// equals the record as stored now, every stored record has history, and no record that history says
    /// exists is missing. Reads one snapshot; writes nothing.
    pub fn verify_history(&self) -> Result<HistoryReport> {
        self.read(verify)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::claim::NewClaim;

    #[test]
    fn history_rows_cannot_be_changed_even_by_raw_sql() {
        let store = Store::open_in_memory().unwrap();
        store
            .add_claim(NewClaim::factual("Troops were deployed"))
            .unwrap();
        let upd = store.conn.execute("UPDATE history SET actor = 'mallory'", []);
        assert!(upd.unwrap_err().to_string().contains("append-only"));
        let del = store.conn.execute("DELETE FROM history", []);
        assert!(del.unwrap_err().to_string().contains("append-only"));
        let del = store.conn.execute("DELETE FROM history_claims", []);
        assert!(del.unwrap_err().to_string().contains("append-only"));
        let n: i64 = store
            .conn
            .query_row("SELECT count(*) FROM history WHERE actor = 'unknown'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn current_macro_is_the_status_rule() {
        assert_eq!(current!("e"), "e.status = 'current'");
    }
}

#[cfg(test)]
mod verify_tests {
    use super::*;
    use crate::model::claim::NewClaim;
    use crate::model::evidence::{NewEvidence, Stance};
    use crate::model::source::{NewSource, SourceKind};

    fn seeded() -> (Store, ClaimId) {
        let store = Store::open_in_memory().unwrap();
        let s = store
            .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
            .unwrap();
        let c = store.add_claim(NewClaim::factual("A claim")).unwrap();
        store
            .add_evidence(c, NewEvidence::new(s, Stance::Supports))
            .unwrap();
        assert!(store.verify_history().unwrap().is_consistent());
        (store, c)
    }

    #[test]
    fn a_change_made_behind_the_api_is_found() {
        let (store, c) = seeded();
        store
            .conn
            .execute("UPDATE claims SET text = 'tampered'", [])
            .unwrap();
        let r = store.verify_history().unwrap();
        assert_eq!(r.problems.len(), 1, "{r:?}");
        assert_eq!(
            (r.problems[0].kind, r.problems[0].entity),
            (EntityKind::Claim, c.as_uuid())
        );
        assert!(r.problems[0].problem.contains("current value differs"));
    }

    #[test]
    fn a_record_without_history_and_a_vanished_record_are_found() {
        let (store, _) = seeded();
        store
            .conn
            .execute(
                "INSERT INTO claims (uuid, text, kind, created_at) VALUES (?1, 'raw', 'factual', 0)",
                [&ClaimId::new().as_uuid().as_bytes()[..]],
            )
            .unwrap();
        store.conn.execute("DELETE FROM evidence", []).unwrap();
        let r = store.verify_history().unwrap();
        let what: Vec<_> = r.problems.iter().map(|p| (p.kind, p.problem.clone())).collect();
        assert_eq!(what.len(), 2, "{what:?}");
        assert!(what.contains(&(EntityKind::Claim, "it has no history".into())));
        assert!(
            what.iter()
                .any(|(k, p)| *k == EntityKind::Evidence && p.contains("does not exist"))
        );
    }

    #[test]
    fn a_broken_chain_is_found() {
        let (store, c) = seeded();
        // An entry whose value before is not the previous value after (history can only be appended to).
        append(
            &store.conn,
            EntityKind::Claim,
            c.as_uuid(),
            Operation::Update,
            Some(&serde_json::json!({"text": "something else"})),
            Some(
                &snapshot(&store.conn, EntityKind::Claim, c.as_uuid())
                    .unwrap()
                    .unwrap(),
            ),
            None,
        )
        .unwrap();
        let r = store.verify_history().unwrap();
        assert_eq!(r.problems.len(), 1, "{r:?}");
        assert!(r.problems[0].problem.contains("value before differs"));
    }

    #[test]
    fn bulk_records_with_record_import_verify_clean() {
        let (store, _) = seeded();
        let c = NewClaim::factual("Loaded in bulk")
            .tag("bulk")
            .into_claim()
            .unwrap();
        store
            .write(|conn| {
                claims::insert(conn, &c)?;
                record_import(conn, EntityKind::Claim, c.id.as_uuid(), &c)
            })
            .unwrap();
        assert!(store.verify_history().unwrap().is_consistent());
        let h = store.claim_history(c.id).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].operation, Operation::Import);
    }

    fn bulk_claim(store: &Store, text: &str) -> crate::model::claim::Claim {
        let c = NewClaim::factual(text).tag("bulk").into_claim().unwrap();
        store
            .write(|conn| {
                claims::insert(conn, &c)?;
                record_import(conn, EntityKind::Claim, c.id.as_uuid(), &c)
            })
            .unwrap();
        c
    }

    #[test]
    fn a_bulk_entry_stores_a_digest_not_a_copy_and_reads_back_the_record() {
        let (store, _) = seeded();
        let c = bulk_claim(&store, "Loaded in bulk");
        let (after, stored_digest): (Option<String>, Option<i64>) = store
            .conn
            .query_row(
                "SELECT after, after_digest FROM history WHERE entity = ?1",
                [&c.id.as_uuid().as_bytes()[..]],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(after, None, "no JSON copy of a bulk-loaded record");
        let expected = to_json(&c).unwrap();
        assert_eq!(
            stored_digest.map(digest_from_sql),
            Some(digest(&expected.to_string()))
        );
        // Readers present the value after from the current row while it is the last entry...
        let h = store.history_of(c.id).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].after.as_ref(), Some(&expected));
        // ...and from the next entry's value before once the record has changed.
        store
            .write(|conn| {
                track(conn, EntityKind::Claim, c.id.as_uuid(), None, None, || {
                    conn.execute(
                        "UPDATE claims SET text = 'Changed later' WHERE uuid = ?1",
                        [&c.id.as_uuid().as_bytes()[..]],
                    )?;
                    Ok(())
                })
            })
            .unwrap();
        let h = store.history_of(c.id).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].after.as_ref(), Some(&expected));
        assert_eq!(h[1].before.as_ref(), Some(&expected));
        assert_eq!(h[1].after.as_ref().unwrap()["text"], "Changed later");
        assert_eq!(store.claim_history(c.id).unwrap(), h);
        assert!(store.verify_history().unwrap().is_consistent());
    }

    #[test]
    fn a_change_behind_the_api_to_a_bulk_record_is_found() {
        let (store, _) = seeded();
        let c = bulk_claim(&store, "Loaded in bulk");
        store
            .conn
            .execute(
                "UPDATE claims SET text = 'tampered' WHERE uuid = ?1",
                [&c.id.as_uuid().as_bytes()[..]],
            )
            .unwrap();
        let r = store.verify_history().unwrap();
        assert_eq!(r.problems.len(), 1, "{r:?}");
        assert_eq!(r.problems[0].entity, c.id.as_uuid());
        assert!(r.problems[0].problem.contains("current value differs"));
        // The tampered row is not presented as what was imported.
        assert_eq!(store.history_of(c.id).unwrap()[0].after, None);
    }

    #[test]
    fn the_schema_refuses_a_digest_outside_a_valueless_import_entry() {
        let (store, c) = seeded();
        let e = store.conn.execute(
            "INSERT INTO history (at, actor, entity_kind, entity, operation, after_digest) \
             VALUES (0, 'x', 'claim', ?1, 'update', 1)",
            [&c.as_uuid().as_bytes()[..]],
        );
        assert!(e.is_err());
        let e = store.conn.execute(
            "INSERT INTO history (at, actor, entity_kind, entity, operation) \
             VALUES (0, 'x', 'claim', ?1, 'import')",
            [&c.as_uuid().as_bytes()[..]],
        );
        assert!(e.is_err(), "an entry needs a value or a digest");
    }

    #[test]
    fn status_columns_refuse_incoherent_values_from_raw_sql() {
        let (store, _) = seeded();
        let e = store.conn.execute("UPDATE evidence SET status = 'retracted'", []);
        assert!(e.is_err(), "a retraction without reason and time must be refused");
        let e = store.conn.execute(
            "UPDATE evidence SET status = 'superseded', status_reason = 'x', status_at = 1",
            [],
        );
        assert!(e.is_err(), "superseded without a successor must be refused");
    }
}
