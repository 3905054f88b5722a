//! Rebuilding what is derived from the records: the full-text indexes (SQLite) or search documents
//! (PostgreSQL), and the stored lookup keys, the remedy for what `Store::check` reports as
//! `search_index` or `name_keys`.

use super::db::{Db, p};
use super::{Backend, Store};
use crate::error::Result;
use crate::model::review::site_of_url;
use crate::model::text::{name_key, name_key_hash};

/// Recomputes every stored key from its text: claims' `text_key_hash`, sources' `name_key`, aliases'
/// `alias_key`, reviews' `site`. Only rows whose key differs are written. This is how stored keys follow
/// a change of [`name_key`] or [`name_key_hash`]: `claimtrack reindex` after an upgrade.
pub(crate) fn rebuild_keys(db: &Db<'_>) -> Result<()> {
    let mut stale: Vec<(i64, i64)> = Vec::new();
    db.query_each("SELECT id, text, text_key_hash FROM claims", p![], |r| {
        let (id, text, hash): (i64, String, Option<i64>) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let fresh = name_key_hash(&name_key(&text));
        if hash != Some(fresh) {
            stale.push((id, fresh));
        }
        Ok(())
    })?;
    for (id, hash) in stale {
        db.execute("UPDATE claims SET text_key_hash = ?2 WHERE id = ?1", p![id, hash])?;
    }
    let mut stale: Vec<(i64, String)> = Vec::new();
    db.query_each("SELECT id, name, name_key FROM sources", p![], |r| {
        let (id, name, key): (i64, String, Option<String>) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let fresh = name_key(&name);
        if key.as_deref() != Some(fresh.as_str()) {
            stale.push((id, fresh));
        }
        Ok(())
    })?;
    for (id, key) in stale {
        db.execute("UPDATE sources SET name_key = ?2 WHERE id = ?1", p![id, key])?;
    }
    // A review's site, from its URL (`claims:search` by site alone looks it up).
    let sites: Vec<(i64, Option<String>, Option<String>)> =
        db.query_vec("SELECT id, url, site FROM reviews", p![], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    for (id, url, site) in sites {
        let fresh = site_of_url(url.as_deref());
        if fresh != site {
            db.execute("UPDATE reviews SET site = ?2 WHERE id = ?1", p![id, fresh])?;
        }
    }
    // Aliases are keyed by source and position.
    let aliases: Vec<(i64, i64, String, String)> = db.query_vec(
        "SELECT source_id, position, alias, alias_key FROM source_aliases",
        p![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    for (source, position, alias, key) in aliases {
        let fresh = name_key(&alias);
        if fresh != key {
            db.execute(
                "UPDATE source_aliases SET alias_key = ?3 WHERE source_id = ?1 AND position = ?2",
                p![source, position, fresh],
            )?;
        }
    }
    Ok(())
}

/// Writes SQLite's three full-text indexes and its exact-repeat lookup (`claim_text_keys`, from the
/// claims' hashes) again from their tables: the store writes their rows itself, with no INSERT
/// triggers, so `reindex` and a copy into SQLite end here.
pub(crate) fn rebuild_sqlite_indexes(db: &Db<'_>) -> Result<()> {
    db.batch(
        "INSERT INTO claims_fts (claims_fts) VALUES ('rebuild'); \
         INSERT INTO attributions_fts (attributions_fts) VALUES ('rebuild'); \
         INSERT INTO evidence_fts (evidence_fts) VALUES ('rebuild');",
    )?;
    crate::store::text_keys::rebuild(db)
}

impl Store {
    /// Rebuilds the three full-text indexes (claim text, quotes, excerpts) from their tables, and every
    /// stored lookup key (claim texts' keys for exact repeats, source names' and aliases' keys) from the
    /// text, in one transaction: the remedy when [`check`](Self::check) reports `search_index` or
    /// `name_keys` (rows written behind the API, or keys written by a claimtrack whose
    /// [`name_key`](crate::name_key) differed). Takes time in proportion to the store; searches see the old
    /// index until it commits. On PostgreSQL the search documents are generated columns: those that
    /// differ from what the `simple` configuration now makes of their text are generated again.
    ///
    /// ```
    /// let store = claimtrack::Store::open_in_memory()?;
    /// claimtrack::seeds::load_wonsan(&store)?;
    /// store.rebuild_search_index()?;
    /// assert_eq!(store.search("artillery rounds", 5)?.len(), 1);
    /// assert!(store.check()?.is_ok());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn rebuild_search_index(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(_) => self.write_sqlite(|c| {
                let db = Db::from_sqlite(c);
                rebuild_keys(&db)?;
                rebuild_sqlite_indexes(&db)
            }),
            // The search documents are generated columns: only those a changed text search
            // configuration left stale are made again.
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => self.write(|db| {
                super::postgres::check::rebuild_search_documents(db)?;
                rebuild_keys(db)
            }),
        }
    }
}
