//! What a copy to PostgreSQL refuses by name (`Store::copy_to`): values a file can hold and a server
//! cannot, found in files edited by hand (the API never writes them).

use crate::error::{Error, Result};

/// Refuses, naming it, text PostgreSQL cannot hold (a NUL character) before it is sent: the client
/// turns the server's refusal of it into an `Error::Invalid` that names no row. Every other value the
/// server refuses for its data is named by [`refused_row`]. `id` is the row's id (a history entry's
/// number).
pub(super) fn postgres_holds(table: &str, id: Option<i64>, column: &str, text: &str) -> Result<()> {
    if text.contains('\0') {
        let id = id.map_or_else(|| "?".to_string(), |id| id.to_string());
        return Err(Error::invalid(
            "text",
            format!(
                "{table} row {id} ({column}) holds a NUL character, which PostgreSQL cannot store \
                 (edited by hand? `claimtrack check` reports it)"
            ),
        ));
    }
    Ok(())
}

/// A row the target refused for its data (on PostgreSQL, an SQLSTATE of class 22, "data exception": a
/// history value written by hand that SQLite's `json_valid` and `json` take but the `jsonb` column
/// generated from it does not — a `\u0000` escape, a number beyond `numeric`'s range, a lone surrogate)
/// as [`Error::Invalid`] naming the row; any other error as it is.
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
