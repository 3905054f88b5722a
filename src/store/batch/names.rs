//! The names and aliases of the sources a batch added, for the namesake rule and `find_source` on
//! PostgreSQL's bulk path.
//!
//! There a new source travels as a pending COPY row, and a lookup that names `sources` sends every pending
//! row first: checking each new source's name against the table sent one COPY per source (a bulk load of
//! 10,000 sources spent most of its time so). Instead the batch remembers the name keys of the sources it
//! added, and asks the server only about the rows it has ([`Db::query_opt_sent`]); the two together are
//! every source. Bounded: when full, the pending rows are sent and the record starts again empty (the
//! server has them all then). A failed attempt forgets it all: everything before the attempt was sent at
//! its savepoint.

use std::collections::HashMap;

use crate::error::Result;
use crate::model::ids::SourceId;
use crate::model::source::Source;
use crate::model::text::name_key;
use crate::store::db::Db;
use crate::store::record::sources::{find_sent_by_key, namesake};

use super::cache::CACHE_LIMIT;

/// Name key → the oldest source of this batch with that name or alias (id and rowid).
#[derive(Default)]
pub(super) struct BatchNames(pub(super) HashMap<String, (SourceId, i64)>);

impl BatchNames {
    /// The oldest source whose name or alias has `key`: the server's rows and the batch's own.
    pub(super) fn find(&self, db: &Db<'_>, key: &str) -> Result<Option<SourceId>> {
        let sent = find_sent_by_key(db, key)?;
        let own = self.0.get(key).copied();
        Ok(match (sent, own) {
            (Some(a), Some(b)) => Some(if a.1 <= b.1 { a.0 } else { b.0 }),
            (a, b) => a.or(b).map(|(id, _)| id),
        })
    }

    /// Refuses a new source whose name or an alias is already another source's (as
    /// `sources::refuse_namesake` does, for a batch on the bulk path).
    pub(super) fn refuse_namesake(&self, db: &Db<'_>, s: &Source) -> Result<()> {
        for name in std::iter::once(&s.name).chain(&s.aliases) {
            if let Some(other) = self.find(db, &name_key(name))?
                && other != s.id
            {
                return Err(namesake(db, name, other));
            }
        }
        Ok(())
    }

    /// Remembers the names of a source the batch has just added as row `rowid` (`None`: not known,
    /// so the pending rows are sent and the server answers for it).
    pub(super) fn note(&mut self, db: &Db<'_>, s: &Source, rowid: Option<i64>) -> Result<()> {
        let Some(rowid) = rowid else {
            db.flush()?;
            self.0.clear();
            return Ok(());
        };
        if self.0.len() + 1 + s.aliases.len() > CACHE_LIMIT {
            db.flush()?;
            self.0.clear();
        }
        for name in std::iter::once(&s.name).chain(&s.aliases) {
            let key = name_key(name);
            if !key.is_empty() {
                self.0.entry(key).or_insert((s.id, rowid));
            }
        }
        Ok(())
    }
}
