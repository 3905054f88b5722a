//! Recording a single write: the record's value before and after, in the writer's transaction.

use rusqlite::Connection;
use uuid::Uuid;

use super::batch::{BatchLog, creating_batch};
use super::entry::{append, append_entry};
use super::kinds::{snapshot, to_json};
use crate::error::Result;
use crate::model::history::{EntityKind, Operation};
use crate::model::ids::EntityId;
use crate::store::Store;

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

/// Records the creation of record `entity` from `value`, just inserted, without re-reading it: the
/// history's value after is `value` itself (a stored record reads back equal to the value it was
/// written from; `verify_history` checks that). Cheaper than [`track`] for inserts.
pub(crate) fn inserted<V: serde::Serialize>(
    conn: &Connection,
    kind: EntityKind,
    entity: Uuid,
    value: &V,
) -> Result<()> {
    append(
        conn,
        kind,
        entity,
        Operation::Insert,
        None,
        Some(&to_json(value)?),
        None,
    )
}

impl Store {
    /// Runs `f` in one write transaction as a change to the one record `id`, recorded in history.
    pub(crate) fn write_tracked<I: EntityId, T>(
        &self,
        kind: EntityKind,
        id: I,
        f: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        self.write_sqlite(|c| track(c, kind, id.as_uuid(), None, None, || f(c)))
    }
}
