//! Recording a single write: the record's value before and after, in the writer's transaction.

use uuid::Uuid;

use super::batch::{BatchLog, creating_batch};
use super::entry::{append, append_entry};
use super::kinds::{snapshot, to_json};
use crate::error::Result;
use crate::model::history::{EntityKind, Operation};
use crate::model::ids::EntityId;
use crate::store::Store;
use crate::store::db::Db;

/// Runs `write` (which changes at most the one record `kind`/`entity`) and records the change, if any.
///
/// `operation` `None` means insert, update or delete as the before/after values show. Must run inside
/// the caller's write transaction, so the change and its entry commit together.
pub(crate) fn track<T>(
    db: &Db<'_>,
    kind: EntityKind,
    entity: Uuid,
    operation: Option<Operation>,
    reason: Option<&str>,
    write: impl FnOnce() -> Result<T>,
) -> Result<T> {
    track_with(db, None, kind, entity, operation, reason, write)
}

/// [`track`] inside a batch in progress, whose own records `log` knows (their ranges are written only
/// when it ends).
pub(crate) fn track_with<T>(
    db: &Db<'_>,
    log: Option<&BatchLog>,
    kind: EntityKind,
    entity: Uuid,
    operation: Option<Operation>,
    reason: Option<&str>,
    write: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let before = snapshot(db, kind, entity)?;
    // Looked up before the write, which may delete the row.
    let batch = match before {
        Some(_) => creating_batch(db, log, kind, entity)?,
        None => None,
    };
    let out = write()?;
    let after = snapshot(db, kind, entity)?;
    if before != after {
        let op = operation.unwrap_or(match (&before, &after) {
            (None, _) => Operation::Insert,
            (_, None) => Operation::Delete,
            _ => Operation::Update,
        });
        append_entry(
            db,
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
    db: &Db<'_>,
    kind: EntityKind,
    entity: Uuid,
    value: &V,
) -> Result<()> {
    append(
        db,
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
        mut f: impl FnMut(&Db<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write(|db| track(db, kind, id.as_uuid(), None, None, || f(db)))
    }
}
