//! The one write path: a record of any kind is inserted, replaced and entered in the history here,
//! whoever writes it — a single `add_*` or `update_*`, a [`Batch`](super::Batch), an importer, a bundle.
//!
//! - [`insert`]: a new record through its kind's one INSERT ([`Record::insert`], which validates it
//!   and finds the rows it references through [`Refs`]: the uuid index, or a batch's cache). Its
//!   creation goes into the history in the same transaction: an `insert` entry of its own for a single
//!   write, the batch's one entry for a bulk write ([`Log`]).
//! - [`replace`]: a stored record changed through its kind's one UPDATE ([`Record::update`]), after the
//!   caller's rules have seen the stored record; the change gets a history entry of its own.
//! - [`put`]: what imports do with a record that carries its id: insert it when new, leave it when
//!   stored exactly so, replace it where [`rules::check_replace`] allows (evidence and reviews never; no
//!   record moves to another claim).
//!
//! The SQL of a kind lives in its [`Record`] description (`store/record/`), written once for both
//! engines and run through the [`Db`] seam: SQLite and PostgreSQL share this path and its rules.

use super::Store;
use super::convert::rowid_opt;
use super::db::Db;
use super::history::{self, BatchLog, track_with};
use super::record::{Lookup, Record, Refs};
use super::rules;
use crate::error::Result;
use crate::model::history::Operation;
use crate::model::ids::EntityId;

/// Where the creation of a record goes in the history.
pub(crate) enum Log<'a> {
    /// A single write: an `insert` entry of its own.
    Own,
    /// A bulk write: the batch's one entry. `given`: the caller chose the id (an `insert_*` or an
    /// import), so it may have history of its own already (see [`BatchLog::record`]).
    Batch {
        /// The batch's log.
        log: &'a mut BatchLog,
        /// Whether the caller chose the id.
        given: bool,
    },
}

/// Inserts a new record (see the module doc); must run inside the caller's write transaction.
pub(crate) fn insert<R: Record>(db: &Db<'_>, refs: &mut dyn Refs, log: Log<'_>, record: &R) -> Result<()> {
    R::insert(db, record, refs)?;
    let id = record.id().as_uuid();
    match log {
        Log::Own => history::inserted(db, R::KIND, id, record),
        Log::Batch { log, given } => log.record(db, given.then_some(id), record),
    }
}

/// Replaces the stored record of `record`'s id with it, after `rules` has seen the stored one (and
/// refused, if it must); the change is recorded with `operation` (`None`: update) and `reason`. `log`
/// is the batch in progress, if any. An identical record writes nothing, history included.
pub(crate) fn replace<R: Record>(
    db: &Db<'_>,
    log: Option<&BatchLog>,
    record: &R,
    operation: Option<Operation>,
    rules: impl FnOnce(&R) -> Result<()>,
) -> Result<()> {
    let id = record.id();
    track_with(db, log, R::KIND, id.as_uuid(), operation, None, || {
        rules(&R::read(db, id)?)?;
        R::update(db, record)
    })
}

/// What [`put`] did with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Put {
    /// The id was new: the record was inserted.
    Inserted,
    /// The record was stored with other content and replaced.
    Replaced,
    /// The record was stored exactly so.
    Unchanged,
}

/// Writes an imported record that carries its id, inside a batch (see the module doc).
pub(crate) fn put<R: Record>(db: &Db<'_>, refs: &mut dyn Refs, log: &mut BatchLog, item: &R) -> Result<Put> {
    let id = item.id();
    if rowid_opt(db, id)?.is_none() {
        insert(db, refs, Log::Batch { log, given: true }, item)?;
        return Ok(Put::Inserted);
    }
    if R::read(db, id)? == *item {
        return Ok(Put::Unchanged);
    }
    replace(db, Some(log), item, Some(Operation::Import), |stored| {
        rules::check_replace(stored, item)
    })?;
    Ok(Put::Replaced)
}

impl Store {
    /// Inserts `record` in one transaction through the one write path, after `check` (a rule of this
    /// caller, such as no second source of the same name).
    pub(crate) fn insert_one<R: Record>(
        &self,
        record: &R,
        check: impl Fn(&Db<'_>) -> Result<()>,
    ) -> Result<()> {
        self.write(|db| {
            check(db)?;
            insert(db, &mut Lookup, Log::Own, record)
        })
    }

    /// Replaces the stored record of `record`'s id in one transaction through the one write path, after
    /// `rules` has seen the stored one.
    pub(crate) fn replace_one<R: Record>(
        &self,
        record: &R,
        rules: impl Fn(&Db<'_>, &R) -> Result<()>,
    ) -> Result<()> {
        self.write(|db| replace(db, None, record, None, |stored| rules(db, stored)))
    }
}
