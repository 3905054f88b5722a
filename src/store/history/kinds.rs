//! The record kinds as the history sees them when it knows a record only by its kind and id: one
//! table built from each kind's [`Record`] description, instead of a `match` on the kind in every
//! function.

use serde_json::Value;
use uuid::Uuid;

use super::digest::Digest;
use crate::error::{Error, Result};
use crate::model::attribution::Attribution;
use crate::model::claim::Claim;
use crate::model::evidence::Evidence;
use crate::model::history::EntityKind;
use crate::model::ids::EntityId;
use crate::model::link::ClaimLink;
use crate::model::publication::Publication;
use crate::model::review::Review;
use crate::model::source::Source;
use crate::store::convert::rowid_opt;
use crate::store::db::Db;
use crate::store::record::Record;

/// What the history does with records of one kind.
pub(super) struct Kind {
    /// The kind.
    pub(super) kind: EntityKind,
    /// See [`Record::MAX_ROWID`]. A batch reads every table's at once (`MAX_ROWIDS` in `batch.rs`, held
    /// to these by a test).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) max_rowid: &'static str,
    /// See [`Record::BATCH_ROWS`].
    pub(super) batch_rows: &'static str,
    /// See [`Record::ALL_IDS`].
    pub(super) all_ids: &'static str,
    /// See [`Record::BATCH_RECORDS`].
    pub(super) batch_records: &'static str,
    /// See [`Record::CLAIM_FIELDS`].
    pub(super) claim_fields: &'static [&'static str],
    /// The stored record as history stores it, or `None`.
    pub(super) snapshot: for<'a, 'b> fn(&'a Db<'b>, Uuid) -> Result<Option<Value>>,
    /// [`Digest::of_record`] of the stored record with its standing, or `None`.
    pub(super) stored_digest: for<'a, 'b> fn(&'a Db<'b>, Uuid) -> Result<Option<Digest>>,
    /// [`Digest::of_record`] of a value as history stores it (read back into the record's type, so
    /// the digest does not depend on the order of the JSON's members), with its standing.
    pub(super) value_digest: fn(Value) -> Result<Digest>,
    /// The record's rowid, or `None`.
    pub(super) rowid: for<'a, 'b> fn(&'a Db<'b>, Uuid) -> Result<Option<i64>>,
}

const fn kind<R: Record>() -> Kind {
    Kind {
        kind: R::KIND,
        max_rowid: R::MAX_ROWID,
        batch_rows: R::BATCH_ROWS,
        all_ids: R::ALL_IDS,
        batch_records: R::BATCH_RECORDS,
        claim_fields: R::CLAIM_FIELDS,
        snapshot: snapshot_of::<R>,
        stored_digest: stored_digest::<R>,
        value_digest: value_digest_of::<R>,
        rowid: |db, id| rowid_opt(db, R::Id::from_uuid(id)),
    }
}

/// Every record kind; a batch's slot for a kind is its index here.
pub(super) const KINDS: [Kind; 7] = [
    kind::<Source>(),
    kind::<Publication>(),
    kind::<Claim>(),
    kind::<Attribution>(),
    kind::<Evidence>(),
    kind::<ClaimLink>(),
    kind::<Review>(),
];

/// The slot of `kind` in [`KINDS`]; `None` for a batch entry.
pub(super) fn slot(kind: EntityKind) -> Option<usize> {
    KINDS.iter().position(|k| k.kind == kind)
}

/// The description of `kind`; `None` for a batch entry.
pub(super) fn of(kind: EntityKind) -> Option<&'static Kind> {
    slot(kind).map(|s| &KINDS[s])
}

/// The record's current value as history stores it, or `None` when it does not exist: the record's
/// serde JSON, with a `"standing"` member when it no longer counts.
pub(crate) fn snapshot(db: &Db<'_>, kind: EntityKind, id: Uuid) -> Result<Option<Value>> {
    match of(kind) {
        Some(k) => (k.snapshot)(db, id),
        None => Ok(None),
    }
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::invalid("record", format!("cannot be serialized: {e}")))
}

/// The stored record `id` with its standing when it no longer counts, or `None`.
fn stored<R: Record>(db: &Db<'_>, id: Uuid) -> Result<Option<(R, Option<Value>)>> {
    let id = R::Id::from_uuid(id);
    match R::read(db, id) {
        Ok(r) => Ok(Some((r, R::withdrawn(db, id)?))),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The record's serde JSON, with a `"standing"` member when it no longer counts.
fn snapshot_of<R: Record>(db: &Db<'_>, id: Uuid) -> Result<Option<Value>> {
    let Some((record, standing)) = stored::<R>(db, id)? else {
        return Ok(None);
    };
    Ok(Some(with_standing(to_json(&record)?, standing)))
}

/// A record's value as history stores it: its serde JSON `value`, with a `"standing"` member (the
/// serde JSON of its [`Standing`](crate::model::history::Standing)) when it no longer counts.
pub(crate) fn with_standing(mut value: Value, standing: Option<Value>) -> Value {
    if let (Some(s), Value::Object(map)) = (standing, &mut value) {
        map.insert("standing".into(), s);
    }
    value
}

fn stored_digest<R: Record>(db: &Db<'_>, id: Uuid) -> Result<Option<Digest>> {
    stored::<R>(db, id)?
        .map(|(record, standing)| Ok(Digest::of_record(&record)?.with_standing(standing.as_ref())))
        .transpose()
}

/// The digest of a record value as history stores it (JSON text, as [`snapshot`] makes it).
pub(super) fn value_digest(kind: EntityKind, text: &str) -> Result<Digest> {
    let v = serde_json::from_str(text).map_err(|e| Error::Corrupt {
        path: String::new(),
        message: format!("a history value is not JSON: {e}"),
    })?;
    match of(kind) {
        Some(k) => (k.value_digest)(v),
        None => Ok(Digest::default()),
    }
}

fn value_digest_of<R: Record>(mut v: Value) -> Result<Digest> {
    // Only a record that no longer counts carries its standing (see `snapshot`).
    let standing = v.as_object_mut().and_then(|m| m.remove("standing"));
    let record: R = serde_json::from_value(v).map_err(|e| Error::Corrupt {
        path: String::new(),
        message: format!("a history value does not read back: {e}"),
    })?;
    Ok(Digest::of_record(&record)?.with_standing(standing.as_ref()))
}
