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

mod actor;
mod batch;
mod digest;
mod entry;
mod kinds;
mod read;
mod verify;
mod write;

pub(crate) use actor::init_actor;
pub(crate) use batch::BatchLog;
pub(crate) use write::{inserted, track, track_with};

#[cfg(test)]
mod tests {
    use crate::model::claim::NewClaim;
    use crate::store::Store;

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
        assert_eq!(crate::store::standing::current!("e"), "e.status = 'current'");
    }
}
