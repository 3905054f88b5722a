//! The digest of a record's value (FNV-1a of its JSON text), as batches sum it and `verify` compares it.

use rusqlite::Connection;
use serde_json::Value;
use uuid::Uuid;

use super::snapshot::stored;
use crate::error::{Error, Result};
use crate::model::history::EntityKind;

/// A stable 64-bit digest (FNV-1a) of a value's JSON text. Summed per batch through [`record_digest`]
/// (`history_batch_rows.digest`), so it must never change; `verify` compares every value through it.
pub(super) fn digest(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The digest as SQLite stores it (INTEGER is signed; the bits are kept).
pub(super) fn digest_to_sql(d: u64) -> i64 {
    i64::from_ne_bytes(d.to_ne_bytes())
}

pub(super) fn digest_from_sql(d: i64) -> u64 {
    u64::from_ne_bytes(d.to_ne_bytes())
}

/// FNV-1a ([`digest`]) over the bytes written to it.
pub(super) struct Fnv(u64);

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
pub(super) fn record_digest<T: serde::Serialize>(value: &T) -> Result<u64> {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    serde_json::to_writer(&mut h, value)
        .map_err(|e| Error::invalid("record", format!("cannot be serialized: {e}")))?;
    Ok(h.0)
}

/// A record's digest with its standing mixed in, when it has one (a record that no longer counts
/// digests differently from the current one a batch wrote).
pub(super) fn with_standing_digest(record: u64, standing: Option<&Value>) -> u64 {
    match standing {
        Some(s) => record ^ digest(&s.to_string()).rotate_left(1),
        None => record,
    }
}

/// [`record_digest`] of the record `id` of `kind` as stored now, with its standing (`None` when it does
/// not exist).
pub(super) fn stored_digest(conn: &Connection, kind: EntityKind, id: Uuid) -> Result<Option<u64>> {
    stored(conn, kind, id)?
        .map(|(record, standing)| Ok(with_standing_digest(record_digest(&record)?, standing.as_ref())))
        .transpose()
}

/// [`record_digest`] of a record value as history stores it (JSON text, as [`snapshot`] makes it): read
/// back into its model type, so the digest does not depend on the order of the JSON's members.
pub(super) fn value_digest(kind: EntityKind, text: &str) -> Result<u64> {
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

pub(super) fn text_hash(text: &str) -> u64 {
    digest(text)
}
