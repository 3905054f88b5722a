//! What a copy to PostgreSQL refuses by name (`Store::copy_to`): values a file can hold and a server
//! cannot, found in files edited by hand (the API never writes them).

use crate::error::{Error, Result};

/// Refuses, naming it, a value PostgreSQL cannot hold, before the server refuses it with a bare
/// database error: text with a NUL character, and a history value holding a string with a NUL
/// (`\u0000`), which `json` and SQLite's `json_valid` take but the `jsonb` column generated from it does
/// not. `id` is the row's id (a history entry's number).
pub(super) fn postgres_holds(table: &str, id: Option<i64>, column: &str, text: &str) -> Result<()> {
    let id = id.map_or_else(|| "?".to_string(), |id| id.to_string());
    if text.contains('\0') {
        return Err(Error::invalid(
            "text",
            format!(
                "{table} row {id} ({column}) holds a NUL character, which PostgreSQL cannot store \
                 (edited by hand? `claimtrack check` reports it)"
            ),
        ));
    }
    if table == "history"
        && (column == "before" || column == "after")
        && text.contains("\\u0000")
        && serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| holds_nul(&v))
    {
        return Err(Error::invalid(
            "history",
            format!(
                "entry {id}'s value {column} holds a NUL character (\\u0000), which PostgreSQL's jsonb \
                 cannot store; no record can hold one, so the entry was written by hand"
            ),
        ));
    }
    Ok(())
}

/// A row the target refused for its data (on PostgreSQL, an SQLSTATE of class 22, "data exception":
/// a history value written by hand with a number beyond `jsonb`'s range or a lone surrogate, which
/// SQLite's `json_valid` takes) as [`Error::Invalid`] naming the row; any other error as it is.
pub(super) fn refused_row(table: &'static str, id: Option<i64>, e: Error) -> Error {
    #[cfg(feature = "postgres")]
    if let Error::Database(d) = &e
        && let Some(pg) = std::error::Error::source(d).and_then(|s| s.downcast_ref::<postgres::Error>())
        && pg.code().is_some_and(|c| c.code().starts_with("22"))
    {
        let id = id.map_or_else(|| "?".to_string(), |id| id.to_string());
        let (field, what) = match table {
            "history" => ("history", format!("history entry {id}")),
            _ => ("from", format!("{table} row {id}")),
        };
        return Error::invalid(
            field,
            format!("{what} cannot be stored on the target: {}", d.message()),
        );
    }
    let _ = (table, id);
    e
}

/// Whether a JSON value holds a NUL character in any string or key.
fn holds_nul(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(a) => a.iter().any(holds_nul),
        serde_json::Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}
