//! A record as history stores it: its serde JSON, with its standing when it no longer counts.

use rusqlite::Connection;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::attribution::Attribution;
use crate::model::claim::Claim;
use crate::model::evidence::Evidence;
use crate::model::history::EntityKind;
use crate::model::ids::*;
use crate::model::link::ClaimLink;
use crate::model::publication::Publication;
use crate::model::review::Review;
use crate::model::source::Source;
use crate::store::record::Record;

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::invalid("record", format!("cannot be serialized: {e}")))
}

pub(super) fn none_if_missing<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A stored record of any kind; serializes as the record itself.
#[derive(serde::Serialize)]
#[serde(untagged)]
pub(super) enum StoredRecord {
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
pub(super) fn stored(
    conn: &Connection,
    kind: EntityKind,
    id: Uuid,
) -> Result<Option<(StoredRecord, Option<Value>)>> {
    fn plain<T>(r: Result<T>, wrap: fn(T) -> StoredRecord) -> Result<Option<(StoredRecord, Option<Value>)>> {
        Ok(none_if_missing(r)?.map(|x| (wrap(x), None)))
    }
    fn versioned<I: crate::store::standing::Versioned + serde::Serialize, T>(
        conn: &Connection,
        id: I,
        r: Result<T>,
        wrap: fn(T) -> StoredRecord,
    ) -> Result<Option<(StoredRecord, Option<Value>)>> {
        let Some(x) = none_if_missing(r)? else {
            return Ok(None);
        };
        let s = crate::store::standing::standing(conn, id)?;
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
