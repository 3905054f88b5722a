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

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;
use uuid::Uuid;

use super::Store;
use super::convert::ts_to_sql;
use super::record::Record;
use crate::error::{Error, Result};
use crate::model::attribution::Attribution;
use crate::model::claim::Claim;
use crate::model::evidence::Evidence;
use crate::model::history::{
    Change, DEFAULT_ACTOR, EntityKind, HistoryProblem, HistoryReport, Operation, validate_actor,
};
use crate::model::ids::*;
use crate::model::link::ClaimLink;
use crate::model::publication::Publication;
use crate::model::review::Review;
use crate::model::source::Source;

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

/// A stored record of any kind; serializes as the record itself.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum StoredRecord {
    Source(crate::model::source::Source),
    Publication(crate::model::publication::Publication),
    Claim(crate::model::claim::Claim),
    Attribution(crate::model::attribution::Attribution),
    ClaimLink(crate::model::link::ClaimLink),
    Evidence(crate::model::evidence::Evidence),
    Review(crate::model::review::Review),
}

/// The record `id` of `kind` as stored now, with, for an evidence record or review that no longer
/// counts, its standing as JSON; `None` when it does not exist. The one per-kind read behind
/// [`snapshot`] and [`stored_digest`].
fn stored(conn: &Connection, kind: EntityKind, id: Uuid) -> Result<Option<(StoredRecord, Option<Value>)>> {
    fn plain<T>(r: Result<T>, wrap: fn(T) -> StoredRecord) -> Result<Option<(StoredRecord, Option<Value>)>> {
        Ok(none_if_missing(r)?.map(|x| (wrap(x), None)))
    }
    fn versioned<I: super::standing::Versioned + serde::Serialize, T>(
        conn: &Connection,
        id: I,
        r: Result<T>,
        wrap: fn(T) -> StoredRecord,
    ) -> Result<Option<(StoredRecord, Option<Value>)>> {
        let Some(x) = none_if_missing(r)? else {
            return Ok(None);
        };
        let s = super::standing::standing(conn, id)?;
        let standing = if s.is_current() { None } else { Some(to_json(&s)?) };
        Ok(Some((wrap(x), standing)))
    }
    match kind {
        EntityKind::Source => plain(Source::read(conn, SourceId::from_uuid(id)), StoredRecord::Source),
        EntityKind::Publication => plain(
            Publication::read(conn, PublicationId::from_uuid(id)),
            StoredRecord::Publication,
        ),
        EntityKind::Claim => plain(Claim::read(conn, ClaimId::from_uuid(id)), StoredRecord::Claim),
        EntityKind::Attribution => plain(
            Attribution::read(conn, AttributionId::from_uuid(id)),
            StoredRecord::Attribution,
        ),
        EntityKind::ClaimLink => plain(
            ClaimLink::read(conn, ClaimLinkId::from_uuid(id)),
            StoredRecord::ClaimLink,
        ),
        EntityKind::Evidence => {
            let id = EvidenceId::from_uuid(id);
            versioned(conn, id, Evidence::read(conn, id), StoredRecord::Evidence)
        }
        EntityKind::Review => {
            let id = ReviewId::from_uuid(id);
            versioned(conn, id, Review::read(conn, id), StoredRecord::Review)
        }
        EntityKind::Batch => Ok(None),
    }
}

/// The record's current value as history stores it, or `None` when it does not exist: the record's
/// serde JSON, with a `"standing"` member when it no longer counts.
pub(crate) fn snapshot(conn: &Connection, kind: EntityKind, id: Uuid) -> Result<Option<Value>> {
    stored(conn, kind, id)?
        .map(|(record, standing)| {
            let mut v = to_json(&record)?;
            if let (Some(s), Value::Object(map)) = (standing, &mut v) {
                map.insert("standing".into(), s);
            }
            Ok(v)
        })
        .transpose()
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
        EntityKind::Source | EntityKind::Publication | EntityKind::Batch => &[],
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

/// A stable 64-bit digest (FNV-1a) of a value's JSON text. Summed per batch through [`record_digest`]
/// (`history_batch_rows.digest`), so it must never change; `verify` compares every value through it.
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

/// FNV-1a ([`digest`]) over the bytes written to it.
struct Fnv(u64);

impl std::io::Write for Fnv {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for b in buf {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The digest a batch keeps of a record it writes: [`digest`] of the record's serde JSON in field order,
/// streamed (no JSON value or text is built: this runs once per record of a bulk load). Stored in
/// `history_batch_rows.digest` sums, so the serialization of the model types must not change.
fn record_digest<T: serde::Serialize>(value: &T) -> Result<u64> {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    serde_json::to_writer(&mut h, value)
        .map_err(|e| Error::invalid("record", format!("cannot be serialized: {e}")))?;
    Ok(h.0)
}

/// A record's digest with its standing mixed in, when it has one (a record that no longer counts
/// digests differently from the current one a batch wrote).
fn with_standing_digest(record: u64, standing: Option<&Value>) -> u64 {
    match standing {
        Some(s) => record ^ digest(&s.to_string()).rotate_left(1),
        None => record,
    }
}

/// [`record_digest`] of the record `id` of `kind` as stored now, with its standing (`None` when it does
/// not exist).
fn stored_digest(conn: &Connection, kind: EntityKind, id: Uuid) -> Result<Option<u64>> {
    stored(conn, kind, id)?
        .map(|(record, standing)| Ok(with_standing_digest(record_digest(&record)?, standing.as_ref())))
        .transpose()
}

/// [`record_digest`] of a record value as history stores it (JSON text, as [`snapshot`] makes it): read
/// back into its model type, so the digest does not depend on the order of the JSON's members.
fn value_digest(kind: EntityKind, text: &str) -> Result<u64> {
    fn of<T: serde::Serialize + serde::de::DeserializeOwned>(v: Value) -> Result<u64> {
        record_digest(&serde_json::from_value::<T>(v).map_err(|e| Error::Corrupt {
            path: String::new(),
            message: format!("a history value does not read back: {e}"),
        })?)
    }
    let mut v: Value = serde_json::from_str(text).map_err(|e| Error::Corrupt {
        path: String::new(),
        message: format!("a history value is not JSON: {e}"),
    })?;
    let standing = v.as_object_mut().and_then(|m| m.remove("standing"));
    let d = match kind {
        EntityKind::Source => of::<crate::model::source::Source>(v)?,
        EntityKind::Publication => of::<crate::model::publication::Publication>(v)?,
        EntityKind::Claim => of::<crate::model::claim::Claim>(v)?,
        EntityKind::Attribution => of::<crate::model::attribution::Attribution>(v)?,
        EntityKind::ClaimLink => of::<crate::model::link::ClaimLink>(v)?,
        EntityKind::Evidence => of::<crate::model::evidence::Evidence>(v)?,
        EntityKind::Review => of::<crate::model::review::Review>(v)?,
        EntityKind::Batch => 0,
    };
    // Only a record that no longer counts carries its standing (see `snapshot`).
    Ok(with_standing_digest(d, standing.as_ref()))
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
    append_entry(conn, kind, entity, operation, before, after, None, reason)
}

/// [`append`], naming `batch` (the batch entry that created the record) on the first own entry of a
/// record a batch created.
#[allow(clippy::too_many_arguments)]
fn append_entry(
    conn: &Connection,
    kind: EntityKind,
    entity: Uuid,
    operation: Operation,
    before: Option<&Value>,
    after: Option<&Value>,
    batch: Option<i64>,
    reason: Option<&str>,
) -> Result<()> {
    let at = ts_to_sql(crate::model::now())?;
    conn.prepare_cached(
        "INSERT INTO history (at, actor, entity_kind, entity, operation, before, after, reason, batch) \
         VALUES (?1, (SELECT name FROM temp.claimtrack_actor), ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        at,
        kind,
        &entity.as_bytes()[..],
        operation,
        before.map(Value::to_string),
        after.map(Value::to_string),
        reason,
        batch
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
    track_with(conn, None, kind, entity, operation, reason, write)
}

/// [`track`] inside a batch in progress, whose own records `log` knows (their ranges are written only
/// when it ends).
pub(crate) fn track_with<T>(
    conn: &Connection,
    log: Option<&BatchLog>,
    kind: EntityKind,
    entity: Uuid,
    operation: Option<Operation>,
    reason: Option<&str>,
    write: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let before = snapshot(conn, kind, entity)?;
    // Looked up before the write, which may delete the row.
    let batch = match before {
        Some(_) => creating_batch(conn, log, kind, entity)?,
        None => None,
    };
    let out = write()?;
    let after = snapshot(conn, kind, entity)?;
    if before != after {
        let op = operation.unwrap_or(match (&before, &after) {
            (None, _) => Operation::Insert,
            (_, None) => Operation::Delete,
            _ => Operation::Update,
        });
        append_entry(
            conn,
            kind,
            entity,
            op,
            before.as_ref(),
            after.as_ref(),
            batch,
            reason,
        )?;
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

/// The record tables, each with the statement reading its largest rowid (a batch's range) and the one
/// listing its records (`verify`). A batch's slot for a kind is its index here.
const RECORD_TABLES: [(EntityKind, &str, &str); 7] = [
    (
        EntityKind::Source,
        "SELECT coalesce(max(id), 0) FROM sources",
        "SELECT uuid, id FROM sources ORDER BY id",
    ),
    (
        EntityKind::Publication,
        "SELECT coalesce(max(id), 0) FROM publications",
        "SELECT uuid, id FROM publications ORDER BY id",
    ),
    (
        EntityKind::Claim,
        "SELECT coalesce(max(id), 0) FROM claims",
        "SELECT uuid, id FROM claims ORDER BY id",
    ),
    (
        EntityKind::Attribution,
        "SELECT coalesce(max(id), 0) FROM attributions",
        "SELECT uuid, id FROM attributions ORDER BY id",
    ),
    (
        EntityKind::Evidence,
        "SELECT coalesce(max(id), 0) FROM evidence",
        "SELECT uuid, id FROM evidence ORDER BY id",
    ),
    (
        EntityKind::ClaimLink,
        "SELECT coalesce(max(id), 0) FROM claim_links",
        "SELECT uuid, id FROM claim_links ORDER BY id",
    ),
    (
        EntityKind::Review,
        "SELECT coalesce(max(id), 0) FROM reviews",
        "SELECT uuid, id FROM reviews ORDER BY id",
    ),
];

fn batch_slot(kind: EntityKind) -> Option<usize> {
    RECORD_TABLES.iter().position(|(k, _, _)| *k == kind)
}

/// The history of one bulk write ([`Store::batch`]): one `batch` entry for all of its records, instead
/// of one entry per record (`schema/0001_initial.sql`, `history_batch_rows`).
///
/// The entry is appended when the first record is written; [`finish`](Self::finish), called just before
/// the commit, writes per table the rowid range the batch inserted with the number of records and the
/// wrapping sum of their digests. SQLite gives each new row rowid max + 1 inside the transaction, so the
/// rows a batch inserted are exactly `start + 1 ..= max` per table. `Copy`, so an attempt that is rolled
/// back restores the log it started from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchLog {
    start: [i64; 7],
    records: [u64; 7],
    digests: [u64; 7],
    entry: Option<i64>,
}

impl BatchLog {
    /// Notes where each table ends; call inside the batch's transaction, before it writes.
    pub(crate) fn begin(conn: &Connection) -> Result<Self> {
        let mut start = [0; 7];
        for (slot, (_, sql, _)) in start.iter_mut().zip(RECORD_TABLES) {
            *slot = conn.prepare_cached(sql)?.query_row([], |r| r.get(0))?;
        }
        Ok(BatchLog {
            start,
            records: [0; 7],
            digests: [0; 7],
            entry: None,
        })
    }

    /// Enters one record the batch has just written (its row inserted in this transaction); `value` is
    /// the model value written, whose serde JSON is what [`snapshot`] reads back.
    ///
    /// `given` is the record's id when the caller chose it (`insert_*`, bundles), `None` when the batch
    /// has just made it (`add_*`: a new id has no history). A record given with an id that has history
    /// of its own (one deleted, now written again with the same id, as when a backup bundle is
    /// restored) is not the batch's: its history goes on with an `import` entry of its own, as before
    /// batches had one entry, so its chain (ending in its deletion) stays unbroken and `verify` does not
    /// count it for the batch (it counts only rows without entries of their own).
    pub(crate) fn record<T: serde::Serialize>(
        &mut self,
        conn: &Connection,
        kind: EntityKind,
        given: Option<Uuid>,
        value: &T,
    ) -> Result<()> {
        let slot =
            batch_slot(kind).ok_or_else(|| Error::invalid("entity kind", "a batch is not a record"))?;
        if let Some(entity) = given
            && conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM history WHERE entity = ?1 AND entity_kind = ?2)",
                )?
                .query_row(params![&entity.as_bytes()[..], kind], |r| r.get::<_, bool>(0))?
        {
            return append(
                conn,
                kind,
                entity,
                Operation::Import,
                None,
                Some(&to_json(value)?),
                None,
            );
        }
        if self.entry.is_none() {
            let at = ts_to_sql(crate::model::now())?;
            conn.prepare_cached(
                "INSERT INTO history (at, actor, entity_kind, entity, operation, after) \
                 VALUES (?1, (SELECT name FROM temp.claimtrack_actor), 'batch', ?2, 'import', '{}')",
            )?
            .execute(params![at, &crate::model::ids::new_v7().as_bytes()[..]])?;
            self.entry = Some(conn.last_insert_rowid());
        }
        self.records[slot] += 1;
        self.digests[slot] = self.digests[slot].wrapping_add(record_digest(value)?);
        Ok(())
    }

    /// Writes the batch's rowid ranges; call once, after its last write and before the commit.
    pub(crate) fn finish(&self, conn: &Connection) -> Result<()> {
        let Some(batch) = self.entry else {
            return Ok(());
        };
        for (slot, (kind, sql, _)) in RECORD_TABLES.iter().enumerate() {
            if self.records[slot] == 0 {
                continue;
            }
            let end: i64 = conn.prepare_cached(sql)?.query_row([], |r| r.get(0))?;
            conn.prepare_cached(
                "INSERT INTO history_batch_rows (entity_kind, first_row, last_row, batch, records, digest) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                kind,
                self.start[slot] + 1,
                end,
                batch,
                self.records[slot] as i64,
                digest_to_sql(self.digests[slot])
            ])?;
        }
        Ok(())
    }
}

/// The batch entry whose rows hold rowid `rowid` of `kind`'s table: the newest batch whose range holds
/// it (an older range can hold it too when its rows were deleted and the rowid reused).
fn batch_holding(conn: &Connection, kind: EntityKind, rowid: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT batch FROM history_batch_rows WHERE entity_kind = ?1 AND first_row <= ?2 \
             AND last_row >= ?2 ORDER BY batch DESC LIMIT 1",
        )?
        .query_row(params![kind, rowid], |r| r.get(0))
        .optional()?)
}

/// The rowid of record `entity` of `kind`, if it exists.
fn rowid_of_entity(conn: &Connection, kind: EntityKind, entity: Uuid) -> Result<Option<i64>> {
    use super::convert::rowid_opt;
    match kind {
        EntityKind::Source => rowid_opt(conn, SourceId::from_uuid(entity)),
        EntityKind::Publication => rowid_opt(conn, PublicationId::from_uuid(entity)),
        EntityKind::Claim => rowid_opt(conn, ClaimId::from_uuid(entity)),
        EntityKind::Attribution => rowid_opt(conn, AttributionId::from_uuid(entity)),
        EntityKind::Evidence => rowid_opt(conn, EvidenceId::from_uuid(entity)),
        EntityKind::ClaimLink => rowid_opt(conn, ClaimLinkId::from_uuid(entity)),
        EntityKind::Review => rowid_opt(conn, ReviewId::from_uuid(entity)),
        EntityKind::Batch => Ok(None),
    }
}

/// The batch that created record `entity`, when a batch did and the record has no history entry of its
/// own yet: what the first entry of its first change must name (see [`track`]).
fn creating_batch(
    conn: &Connection,
    log: Option<&BatchLog>,
    kind: EntityKind,
    entity: Uuid,
) -> Result<Option<i64>> {
    let has_own: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM history WHERE entity = ?1 AND entity_kind = ?2)")?
        .query_row(params![&entity.as_bytes()[..], kind], |r| r.get(0))?;
    if has_own {
        return Ok(None);
    }
    let Some(rowid) = rowid_of_entity(conn, kind, entity)? else {
        return Ok(None);
    };
    if let Some(log) = log
        && let (Some(entry), Some(slot)) = (log.entry, batch_slot(kind))
        && rowid > log.start[slot]
    {
        return Ok(Some(entry));
    }
    batch_holding(conn, kind, rowid)
}

/// The `import` change of a record a batch created, as readers show it: the batch entry's number, time
/// and actor, and the record's value as written (the value before of its first own entry, or the record
/// as stored now). `None` when no batch created it.
fn batch_creation(conn: &Connection, kind: EntityKind, entity: Uuid) -> Result<Option<Change>> {
    if kind == EntityKind::Batch {
        return Ok(None);
    }
    let first: Option<(Option<String>, Option<i64>)> = conn
        .prepare_cached(
            "SELECT before, batch FROM history WHERE entity = ?1 AND entity_kind = ?2 ORDER BY id LIMIT 1",
        )?
        .query_row(params![&entity.as_bytes()[..], kind], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (batch, after) = match first {
        Some((Some(before), Some(batch))) => (batch, parse_json(Some(before), batch)?),
        Some(_) => return Ok(None),
        None => {
            let Some(rowid) = rowid_of_entity(conn, kind, entity)? else {
                return Ok(None);
            };
            let Some(batch) = batch_holding(conn, kind, rowid)? else {
                return Ok(None);
            };
            (batch, snapshot(conn, kind, entity)?)
        }
    };
    let (at, actor): (i64, String) = conn
        .prepare_cached("SELECT at, actor FROM history WHERE id = ?1")?
        .query_row([batch], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(Some(Change {
        seq: batch,
        at: time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at)).map_err(|e| Error::Corrupt {
            path: String::new(),
            message: format!("history entry {batch}: bad time: {e}"),
        })?,
        actor,
        kind,
        entity,
        operation: Operation::Import,
        before: None,
        after,
        reason: None,
    }))
}

/// The claim and the records that belong to it now: its attributions, evidence, reviews and links.
fn claim_records(conn: &Connection, claim: ClaimId) -> Result<Vec<(EntityKind, Uuid)>> {
    let Some(own) = super::convert::rowid_opt(conn, claim)? else {
        return Ok(Vec::new());
    };
    let mut out = vec![(EntityKind::Claim, claim.as_uuid())];
    let mut stmt = conn.prepare_cached(
        "SELECT 'attribution', uuid FROM attributions WHERE claim_id = ?1 \
         UNION ALL SELECT 'evidence', uuid FROM evidence WHERE claim_id = ?1 \
         UNION ALL SELECT 'review', uuid FROM reviews WHERE claim_id = ?1 \
         UNION ALL SELECT 'claim_link', uuid FROM claim_links WHERE from_claim = ?1 OR to_claim = ?1",
    )?;
    let rows = stmt.query_map([own], |r| {
        Ok((r.get::<_, EntityKind>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    for row in rows {
        let (kind, blob) = row?;
        out.push((kind, stored_uuid(kind, &blob)?));
    }
    Ok(out)
}

/// A record's id as stored (a 16-byte BLOB; anything else is damage).
fn stored_uuid(kind: EntityKind, blob: &[u8]) -> Result<Uuid> {
    Uuid::from_slice(blob).map_err(|_| Error::Corrupt {
        path: String::new(),
        message: format!("a {kind} uuid is {} bytes long", blob.len()),
    })
}

/// A batch entry's value: how many records of each kind it wrote.
fn batch_counts(conn: &Connection, batch: i64) -> Result<Value> {
    let mut map = serde_json::Map::new();
    let mut stmt =
        conn.prepare_cached("SELECT entity_kind, records FROM history_batch_rows WHERE batch = ?1")?;
    let rows = stmt.query_map([batch], |r| Ok((r.get::<_, EntityKind>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (kind, n) = row?;
        map.insert(kind.as_str().to_owned(), Value::from(n));
    }
    Ok(Value::Object(map))
}

/// Every record's kind, uuid and rowid, kind by kind (used by `verify`).
fn all_ids(conn: &Connection) -> Result<Vec<(EntityKind, Uuid, i64)>> {
    let mut out = Vec::new();
    for (kind, _, sql) in &RECORD_TABLES {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (blob, rowid) = row?;
            out.push((*kind, stored_uuid(*kind, &blob)?, rowid));
        }
    }
    Ok(out)
}

/// The rowid ranges of every batch, per kind, newer batches painted over older ones, so that each
/// rowid maps to the newest batch whose range holds it (what [`batch_holding`] asks SQLite, for one
/// record; `verify` asks for every record).
#[derive(Default)]
struct BatchRanges(HashMap<EntityKind, std::collections::BTreeMap<i64, (i64, i64)>>);

impl BatchRanges {
    /// Adds rowids `first..=last` of `kind` for `batch`; call in increasing batch order.
    fn paint(&mut self, kind: EntityKind, first: i64, last: i64, batch: i64) {
        let map = self.0.entry(kind).or_default();
        // The ranges kept are disjoint and sorted, so the ones overlapping `first..=last` are the last
        // few starting at or before `last`.
        let hit: Vec<(i64, (i64, i64))> = map
            .range(..=last)
            .rev()
            .take_while(|(_, (end, _))| *end >= first)
            .map(|(k, v)| (*k, *v))
            .collect();
        for (start, (end, b)) in hit {
            map.remove(&start);
            if start < first {
                map.insert(start, (first - 1, b));
            }
            if end > last {
                map.insert(last + 1, (end, b));
            }
        }
        map.insert(first, (last, batch));
    }

    fn batch_of(&self, kind: EntityKind, rowid: i64) -> Option<i64> {
        let (_, (end, batch)) = self.0.get(&kind)?.range(..=rowid).next_back()?;
        (*end >= rowid).then_some(*batch)
    }
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
            "SELECT h.id, h.at, h.actor, h.entity_kind, h.entity, h.operation, h.before, h.after, h.reason \
             FROM history h ",
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
    ))
}

fn to_change(raw: RawChange) -> Result<Change> {
    let (seq, at, actor, kind, entity, operation, before, after, reason) = raw;
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
    Ok(change)
}

fn changes(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<Change>> {
    let raws: Vec<RawChange> = conn
        .prepare_cached(sql)?
        .query_map(p, raw_row)?
        .collect::<rusqlite::Result<_>>()?;
    raws.into_iter()
        .map(|raw| {
            let mut change = to_change(raw)?;
            if change.kind == EntityKind::Batch {
                change.after = Some(batch_counts(conn, change.seq)?);
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
    // Batch entries (number → id), and per batch and kind the records found to come from it: how many,
    // and the wrapping sum of the digests of their values as written.
    let mut batches: HashMap<i64, Uuid> = HashMap::new();
    let mut found: HashMap<(i64, EntityKind), (u64, u64)> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, entity_kind, entity, before, after, batch FROM history ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            report.changes += 1;
            let seq: i64 = r.get(0)?;
            let kind: EntityKind = r.get(1)?;
            let blob: Vec<u8> = r.get(2)?;
            let before: Option<String> = r.get(3)?;
            let after: Option<String> = r.get(4)?;
            // The first entry of a record a batch created names the batch.
            let batch: Option<i64> = r.get(5)?;
            let Ok(entity) = Uuid::from_slice(&blob) else {
                report.problems.push(HistoryProblem {
                    kind,
                    entity: Uuid::nil(),
                    problem: format!("history entry {seq} has a malformed id"),
                });
                continue;
            };
            if kind == EntityKind::Batch {
                batches.insert(seq, entity);
                continue;
            }
            let mut problem = |p: String| {
                report.problems.push(HistoryProblem {
                    kind,
                    entity,
                    problem: p,
                })
            };
            let before_hash = before.as_deref().map(text_hash);
            match (last.get(&(kind, entity)), batch) {
                (Some((prev, prev_seq)), _) if *prev != before_hash => problem(format!(
                    "entry {seq}'s value before differs from entry {prev_seq}'s value after"
                )),
                (Some(_), Some(b)) => {
                    problem(format!("entry {seq} names batch {b}, yet is not its first entry"))
                }
                (None, Some(b)) => {
                    if !batches.contains_key(&b) {
                        problem(format!("entry {seq} names batch {b}, which is not a batch entry"));
                    }
                    // Its value before is the record as the batch wrote it.
                    let d = match before.as_deref().map(|t| value_digest(kind, t)).transpose() {
                        Ok(d) => d.unwrap_or_default(),
                        Err(e) => {
                            problem(format!("entry {seq}'s value before does not read back: {e}"));
                            0
                        }
                    };
                    let f = found.entry((b, kind)).or_default();
                    f.0 += 1;
                    f.1 = f.1.wrapping_add(d);
                }
                (None, None) if before.is_some() => {
                    problem(format!("its history starts at entry {seq} with a value before"))
                }
                _ => {}
            }
            let after_hash = after.as_deref().map(text_hash);
            last.insert((kind, entity), (after_hash, seq));
        }
    }
    // What each batch says it wrote, and where.
    let mut ranges = BatchRanges::default();
    let mut written: Vec<(i64, EntityKind, u64, u64)> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT batch, entity_kind, first_row, last_row, records, digest FROM history_batch_rows \
             ORDER BY batch",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (batch, kind): (i64, EntityKind) = (r.get(0)?, r.get(1)?);
            ranges.paint(kind, r.get(2)?, r.get(3)?, batch);
            written.push((
                batch,
                kind,
                r.get::<_, i64>(4)? as u64,
                digest_from_sql(r.get(5)?),
            ));
        }
    }
    let mut seen: HashSet<(EntityKind, Uuid)> = HashSet::new();
    for (kind, id, rowid) in all_ids(conn)? {
        report.records += 1;
        seen.insert((kind, id));
        let entries = last.get(&(kind, id));
        // A record with entries is compared with its last one; one without, with its batch's digests.
        let now = match entries {
            Some(_) => snapshot(conn, kind, id)?.map(|v| text_hash(&v.to_string())),
            None => stored_digest(conn, kind, id)?,
        };
        let mut problem = |p: String| {
            report.problems.push(HistoryProblem {
                kind,
                entity: id,
                problem: p,
            })
        };
        match entries {
            None => match ranges.batch_of(kind, rowid) {
                Some(b) => {
                    let f = found.entry((b, kind)).or_default();
                    f.0 += 1;
                    f.1 = f.1.wrapping_add(now.unwrap_or_default());
                }
                None => problem("it has no history".into()),
            },
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
    for (batch, kind, records, digest) in written {
        let (n, sum) = found.get(&(batch, kind)).copied().unwrap_or_default();
        let problem = if n != records {
            format!("batch entry {batch} wrote {records} {kind} records; {n} are found")
        } else if sum != digest {
            format!(
                "a {kind} record written by batch entry {batch} differs from what it wrote \
                 (changed behind the API)"
            )
        } else {
            continue;
        };
        report.problems.push(HistoryProblem {
            kind: EntityKind::Batch,
            entity: batches.get(&batch).copied().unwrap_or_else(Uuid::nil),
            problem,
        });
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
            let mut out: Vec<Change> = batch_creation(c, kind, id.as_uuid())?.into_iter().collect();
            out.extend(changes(
                c,
                select_changes!("WHERE h.entity = ?1 AND h.entity_kind = ?2 ORDER BY h.id"),
                params![&id.as_uuid().as_bytes()[..], kind],
            )?);
            Ok(out)
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
            let mut out = changes(
                c,
                select_changes!(
                    "WHERE h.id IN (SELECT history_id FROM history_claims WHERE claim = ?1) ORDER BY h.id"
                ),
                [claim],
            )?;
            // Records a batch created have no entry of their own until they change: add their creation,
            // for the claim and everything that belongs to it now or belonged to it once.
            let mut records: Vec<(EntityKind, Uuid)> = out.iter().map(|ch| (ch.kind, ch.entity)).collect();
            records.extend(claim_records(c, claim)?);
            records.sort();
            records.dedup();
            for (kind, entity) in records {
                out.extend(batch_creation(c, kind, entity)?);
            }
            out.sort_by_key(|ch| ch.seq);
            Ok(out)
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
        assert_eq!(super::super::standing::current!("e"), "e.status = 'current'");
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

    fn bulk_claims(store: &Store, texts: &[&str]) -> Vec<crate::model::claim::Claim> {
        let claims: Vec<_> = texts
            .iter()
            .map(|t| NewClaim::factual(*t).tag("bulk").into_claim().unwrap())
            .collect();
        store
            .batch(|b| {
                for c in &claims {
                    b.insert_claim(c)?;
                }
                Ok(())
            })
            .unwrap();
        claims
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_batch_writes_one_entry_and_each_record_reads_back_its_import() {
        let (store, _) = seeded();
        let before = count(&store, "SELECT count(*) FROM history");
        let claims = bulk_claims(&store, &["Loaded in bulk", "Also in bulk", "Third"]);
        assert_eq!(count(&store, "SELECT count(*) FROM history"), before + 1);
        assert_eq!(
            count(&store, "SELECT count(*) FROM history WHERE entity_kind = 'batch'"),
            1
        );
        let batch = count(&store, "SELECT id FROM history WHERE entity_kind = 'batch'");
        let c = &claims[1];
        let expected = to_json(c).unwrap();
        let h = store.history_of(c.id).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(
            (h[0].seq, h[0].operation, h[0].kind),
            (batch, Operation::Import, EntityKind::Claim)
        );
        assert_eq!(h[0].after.as_ref(), Some(&expected));
        assert_eq!(store.claim_history(c.id).unwrap(), h);
        // The batch entry itself, as its actor's history shows it: how many records of each kind.
        let by_actor = store.history_by_actor("unknown").unwrap();
        let entry = by_actor.iter().find(|ch| ch.kind == EntityKind::Batch).unwrap();
        assert_eq!(entry.after.as_ref().unwrap()["claim"], 3);
        assert!(store.verify_history().unwrap().is_consistent());

        // Once the record changes, its entry names the batch and holds the imported value before.
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
        assert_eq!(
            count(&store, "SELECT count(*) FROM history WHERE batch IS NOT NULL"),
            1
        );
        let h = store.history_of(c.id).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].after.as_ref(), Some(&expected));
        assert_eq!(h[1].before.as_ref(), Some(&expected));
        assert_eq!(h[1].after.as_ref().unwrap()["text"], "Changed later");
        assert_eq!(store.claim_history(c.id).unwrap(), h);
        let r = store.verify_history().unwrap();
        assert!(r.is_consistent(), "{r:?}");
    }

    #[test]
    fn a_deleted_batch_record_keeps_its_import_and_verifies() {
        let (store, _) = seeded();
        let claims = bulk_claims(&store, &["one", "two"]);
        store.delete_claim(claims[1].id).unwrap();
        let h = store.history_of(claims[1].id).unwrap();
        let ops: Vec<Operation> = h.iter().map(|c| c.operation).collect();
        assert_eq!(ops, [Operation::Import, Operation::Delete]);
        let r = store.verify_history().unwrap();
        assert!(r.is_consistent(), "{r:?}");
        // Its rowid is free again: a later batch takes it, and each record names its own batch.
        let again = bulk_claims(&store, &["three"]);
        let first = store.history_of(claims[0].id).unwrap()[0].seq;
        let reused = store.history_of(again[0].id).unwrap();
        assert_eq!(reused.len(), 1);
        assert!(reused[0].seq > first);
        assert_eq!(store.history_of(claims[1].id).unwrap()[0].seq, first);
        let r = store.verify_history().unwrap();
        assert!(r.is_consistent(), "{r:?}");
    }

    #[test]
    fn a_change_behind_the_api_to_a_bulk_record_is_found() {
        let (store, _) = seeded();
        let c = bulk_claims(&store, &["Loaded in bulk"]).remove(0);
        assert!(store.verify_history().unwrap().is_consistent());
        store
            .conn
            .execute(
                "UPDATE claims SET text = 'tampered' WHERE uuid = ?1",
                [&c.id.as_uuid().as_bytes()[..]],
            )
            .unwrap();
        let r = store.verify_history().unwrap();
        assert_eq!(r.problems.len(), 1, "{r:?}");
        assert_eq!(r.problems[0].kind, EntityKind::Batch);
        assert!(r.problems[0].problem.contains("changed behind the API"), "{r:?}");
        // A row inserted behind the API, inside no batch's range, has no history.
        store
            .conn
            .execute(
                "INSERT INTO claims (uuid, text, kind, created_at) VALUES (?1, 'raw', 'factual', 0)",
                [&Uuid::now_v7().as_bytes()[..]],
            )
            .unwrap();
        let r = store.verify_history().unwrap();
        assert!(
            r.problems.iter().any(|p| p.problem == "it has no history"),
            "{r:?}"
        );
    }

    #[test]
    fn newer_batches_paint_over_older_ranges() {
        let mut r = BatchRanges::default();
        r.paint(EntityKind::Claim, 1, 100, 1);
        r.paint(EntityKind::Claim, 40, 60, 2);
        r.paint(EntityKind::Claim, 55, 120, 3);
        r.paint(EntityKind::Evidence, 1, 5, 3);
        let got: Vec<Option<i64>> = [0, 1, 39, 40, 54, 55, 100, 120, 121]
            .iter()
            .map(|&row| r.batch_of(EntityKind::Claim, row))
            .collect();
        assert_eq!(
            got,
            [
                None,
                Some(1),
                Some(1),
                Some(2),
                Some(2),
                Some(3),
                Some(3),
                Some(3),
                None
            ]
        );
        assert_eq!(r.batch_of(EntityKind::Evidence, 3), Some(3));
        assert_eq!(r.batch_of(EntityKind::Source, 3), None);
        r.paint(EntityKind::Claim, 1, 200, 4);
        assert_eq!(r.batch_of(EntityKind::Claim, 50), Some(4));
        assert_eq!(r.0[&EntityKind::Claim].len(), 1);
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
        // The same rule holds for rows inserted by hand (table CHECKs).
        let e = store.conn.execute(
            "INSERT INTO evidence (uuid, claim_id, source_id, stance, created_at, status) \
             SELECT ?1, claim_id, source_id, 'supports', 0, 'retracted' FROM evidence LIMIT 1",
            [&Uuid::now_v7().as_bytes()[..]],
        );
        assert!(
            e.is_err(),
            "a retracted row without reason and time must be refused"
        );
        let ok = store.conn.execute(
            "INSERT INTO evidence (uuid, claim_id, source_id, stance, created_at, status, status_reason, \
             status_at) SELECT ?1, claim_id, source_id, 'supports', 0, 'retracted', 'withdrawn', 1 \
             FROM evidence LIMIT 1",
            [&Uuid::now_v7().as_bytes()[..]],
        );
        assert_eq!(ok.unwrap(), 1, "a coherent retracted row is accepted");
    }
}
