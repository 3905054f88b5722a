//! Appending one history row (and its per-claim index rows).

use serde_json::Value;
use uuid::Uuid;

use crate::error::Result;
use crate::model::history::{EntityKind, Operation};
use crate::store::convert::{JsonText, insert_id, insert_sql, ts_to_sql};
use crate::store::db::{Db, p};

/// The claims a record's value mentions (for the per-claim index).
pub(super) fn claims_in(kind: EntityKind, v: &Value, out: &mut Vec<Uuid>) {
    let fields = super::kinds::of(kind).map_or(&[][..], |k| k.claim_fields);
    for k in fields {
        if let Some(u) = v
            .get(*k)
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
        {
            out.push(u);
        }
    }
}

/// Appends one history entry (and its per-claim index rows) with the connection's actor.
pub(crate) fn append(
    db: &Db<'_>,
    kind: EntityKind,
    entity: Uuid,
    operation: Operation,
    before: Option<&Value>,
    after: Option<&Value>,
    reason: Option<&str>,
) -> Result<()> {
    append_entry(db, kind, entity, operation, before, after, None, reason)
}

/// [`append`], naming `batch` (the batch entry that created the record) on the first own entry of a
/// record a batch created.
#[allow(clippy::too_many_arguments)]
pub(super) fn append_entry(
    db: &Db<'_>,
    kind: EntityKind,
    entity: Uuid,
    operation: Operation,
    before: Option<&Value>,
    after: Option<&Value>,
    batch: Option<i64>,
    reason: Option<&str>,
) -> Result<()> {
    let at = ts_to_sql(crate::model::now())?;
    let row = insert_id(
        db,
        insert_sql!(
            "INSERT INTO history (at, actor, entity_kind, entity, operation, before, after, reason, batch) \
             VALUES (?1, (SELECT name FROM claimtrack_actor), ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
        ),
        p![
            at,
            kind,
            entity,
            operation,
            before.map(|v| JsonText(v.to_string())),
            after.map(|v| JsonText(v.to_string())),
            reason,
            batch
        ],
    )?;
    let mut mentioned = Vec::new();
    for v in [before, after].into_iter().flatten() {
        claims_in(kind, v, &mut mentioned);
    }
    mentioned.sort();
    mentioned.dedup();
    for c in mentioned {
        db.execute(
            "INSERT INTO history_claims (history_id, claim) VALUES (?1, ?2)",
            p![row, c],
        )?;
    }
    Ok(())
}
