//! Who makes the changes: the actor recorded in every history entry.

use rusqlite::Connection;

use crate::error::Result;
use crate::model::history::{DEFAULT_ACTOR, validate_actor};
use crate::store::Store;
use crate::store::db::{Db, p};

/// Creates the connection's actor slot, its open-batch table and its batch's text-key mark (TEMP
/// tables: private to this connection, never in the file; see `batch.rs` for the second,
/// `text_keys.rs` for the third).
pub(crate) fn init_actor(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS claimtrack_actor (name TEXT NOT NULL); \
         DELETE FROM temp.claimtrack_actor; \
         CREATE TEMP TABLE IF NOT EXISTS claimtrack_open_batch (entity_kind TEXT NOT NULL, \
             first_row INTEGER NOT NULL, batch INTEGER NOT NULL); \
         DELETE FROM temp.claimtrack_open_batch; \
         CREATE TEMP TABLE IF NOT EXISTS claimtrack_text_keys_through (claim INTEGER NOT NULL); \
         DELETE FROM temp.claimtrack_text_keys_through;",
    )?;
    conn.prepare_cached("INSERT INTO temp.claimtrack_actor (name) VALUES (?1)")?
        .execute([DEFAULT_ACTOR])?;
    Ok(())
}

// The slot is named without its schema: both engines look a name up in the connection's temporary
// tables first (SQLite's `temp`, PostgreSQL's `pg_temp`), and it is only ever a temporary table.
pub(crate) fn set_actor(db: &Db<'_>, actor: &str) -> Result<()> {
    validate_actor(actor)?;
    db.execute("UPDATE claimtrack_actor SET name = ?1", p![actor])?;
    Ok(())
}

pub(crate) fn actor(db: &Db<'_>) -> Result<String> {
    db.query_one("SELECT name FROM claimtrack_actor", p![], |r| r.get(0))
}

impl Store {
    /// Names who makes the following changes through this store; every history entry records it.
    /// Until set, the actor is `"unknown"`. Refused when blank, over 1,000 characters, or holding
    /// control characters.
    ///
    /// ```
    /// use claimtrack::{NewClaim, Store};
    /// let store = Store::open_in_memory()?;
    /// store.set_actor("desk:alice")?;
    /// let id = store.add_claim(NewClaim::factual("Troops were deployed"))?;
    /// assert_eq!(store.history_of(id)?[0].actor, "desk:alice");
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn set_actor(&self, actor: &str) -> Result<()> {
        // A read: the slot is a temporary table, which even a read-only transaction may change.
        self.read(|db| set_actor(db, actor))
    }

    /// The actor recorded for changes made through this store.
    ///
    /// # Example
    /// ```
    /// let store = claimtrack::Store::open_in_memory()?;
    /// assert_eq!(store.actor()?, "unknown");
    /// store.set_actor("desk:alice")?;
    /// assert_eq!(store.actor()?, "desk:alice");
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn actor(&self) -> Result<String> {
        self.read(actor)
    }
}
