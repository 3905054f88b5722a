//! The append-only history of changes.
//!
//! Every write goes through the one write path (`store/writes.rs`), which enters it here in the writer's
//! transaction, so a change and its history commit together or not at all:
//!
//! - `write.rs`: a single write. [`track`] reads the record's value before and after the write (its serde
//!   JSON, with its standing when it no longer counts) and appends one row when they differ; an insert's
//!   value after is the record written ([`inserted`]).
//! - `batch.rs`: a bulk write. One `batch` entry for all its records ([`BatchLog`]), with per table the
//!   rowid range it inserted, how many records and the sum of their digests.
//! - `read.rs`: a record's, an actor's or a claim's changes, a batch's records shown as `import`
//!   changes of its entry; `checked.rs`: whether a batch's records still add up to what it wrote, asked
//!   before one is shown with its value as imported.
//! - `verify.rs`: replaying the history against the current state (`Store::verify_history`).
//! - `digest.rs`: the one digest (a 64-bit hash of a value's JSON text) batches sum and `verify` compares.
//! - `kinds.rs`: the record kinds as the history sees them, one table built from their
//!   [`Record`](super::record::Record) descriptions.
//! - `entry.rs`: appending one row and its per-claim index rows; `actor.rs`: who makes the changes.
//!
//! The actor lives in a per-connection TEMP table, so every code path holding only a `&Connection` (the
//! bundle importer, a bulk loader) records the actor set on its `Store` without passing it around.

mod actor;
mod batch;
mod checked;
mod digest;
mod entry;
mod kinds;
mod read;
mod verify;
mod write;

pub(crate) use actor::init_actor;
pub(crate) use batch::BatchLog;
pub(crate) use digest::Digest;
pub(crate) use entry::append;
pub(crate) use read::{changes, history_of, stored_time};
// The server's claim read reads the history in its own snapshot.
#[cfg(feature = "server")]
pub(crate) use kinds::{to_json, with_standing};
#[cfg(feature = "server")]
pub(crate) use read::claim_history_holding;
pub(crate) use verify::verify;
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
        let upd = store.conn().execute("UPDATE history SET actor = 'mallory'", []);
        assert!(upd.unwrap_err().to_string().contains("append-only"));
        let del = store.conn().execute("DELETE FROM history", []);
        assert!(del.unwrap_err().to_string().contains("append-only"));
        let del = store.conn().execute("DELETE FROM history_claims", []);
        assert!(del.unwrap_err().to_string().contains("append-only"));
        let n: i64 = store
            .conn()
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
