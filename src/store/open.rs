//! Opening a database: options, pragmas, the checks that refuse a file that is not claimtrack's (or is
//! damaged, or newer) before anything is written to it, and read-only opens that leave no file behind.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::{MMAP_SIZE, Store, history, migrations};
use crate::error::{Error, Result};
use migrations::SCHEMA_VERSION;

/// How hard commits push data to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Durability {
    /// WAL journal with `synchronous=NORMAL` (the default): the database is consistent after any crash,
    /// and every commit survives a crash of the process; after a power loss or OS crash the last few
    /// commits may roll back (never half of one).
    #[default]
    Normal,
    /// WAL journal with `synchronous=FULL`: every commit is on disk before the call returns and survives
    /// power loss too, at the cost of an fsync per commit.
    Full,
}

/// Settings for [`Store::open_with`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OpenOptions {
    /// How hard commits push data to disk.
    pub durability: Durability,
    /// How long a write waits for another connection's lock before returning [`Error::Busy`].
    pub busy_timeout: Duration,
    /// Who makes the changes, recorded in every history entry (see [`Store::set_actor`]); `None` records
    /// `"unknown"`.
    pub actor: Option<String>,
    /// Open for reading only (see [`OpenOptions::read_only`]).
    pub read_only: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            durability: Durability::Normal,
            busy_timeout: Duration::from_secs(10),
            actor: None,
            read_only: false,
        }
    }
}

impl OpenOptions {
    /// Default options: [`Durability::Normal`], a 10 s busy timeout.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the durability.
    pub fn durability(mut self, d: Durability) -> Self {
        self.durability = d;
        self
    }
    /// Sets the busy timeout.
    pub fn busy_timeout(mut self, t: Duration) -> Self {
        self.busy_timeout = t;
        self
    }
    /// Sets the actor recorded in history (checked when the store opens).
    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }
    /// Opens an existing database for reading only: nothing is migrated or written, and no file is
    /// created beside it by a user who cannot write the database (a second user of a desk's file, a
    /// read-only folder): such a reader sees the file as it was last checkpointed (SQLite's
    /// `immutable`), or, when a writer has it open, reads through the writer's `-wal` and `-shm`. Any
    /// write through the store fails. A file of an older schema version is refused: open it for
    /// writing once to migrate it.
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }
}

/// Whether `s` names a PostgreSQL database (`postgres://` or `postgresql://`) rather than a file.
pub(crate) fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    /// Opens (creating if needed) a database file with the default [`OpenOptions`] and brings its schema
    /// up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Self::open_with(path, &OpenOptions::default())
    }

    /// Opens (creating if needed) a database file and brings its schema up to date.
    ///
    /// A file that is not an SQLite database is refused with [`Error::Corrupt`] and left as it was; a
    /// database written by a newer claimtrack is refused with [`Error::SchemaTooNew`], also untouched.
    pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Store> {
        let path = path.as_ref();
        if let Some(url) = path.to_str().filter(|s| is_postgres_url(s)) {
            return Self::open_postgres(url, options);
        }
        let shown = path.display().to_string();
        check_header(path)?;
        // Many processes creating or first opening one new file race for the locks in ways SQLite's
        // busy handler does not cover (a journal-mode switch, a read that must become a write): the
        // open is retried until the busy timeout, as a single write would wait.
        let deadline = std::time::Instant::now() + options.busy_timeout;
        loop {
            match Self::try_open(path, &shown, options) {
                Err(Error::Busy) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                other => return other,
            }
        }
    }

    #[cfg(feature = "postgres")]
    fn open_postgres(url: &str, options: &OpenOptions) -> Result<Store> {
        let conn = super::postgres::open(url, options.read_only, options.busy_timeout)?;
        let store = Store {
            backend: super::Backend::Postgres(Box::new(conn)),
        };
        if let Some(actor) = &options.actor {
            store.set_actor(actor)?;
        }
        Ok(store)
    }

    #[cfg(not(feature = "postgres"))]
    fn open_postgres(_url: &str, _options: &OpenOptions) -> Result<Store> {
        Err(Error::invalid(
            "db",
            "a PostgreSQL URL, but this claimtrack was built without PostgreSQL support (cargo feature \
             `postgres`)",
        ))
    }

    fn try_open(path: &Path, shown: &str, options: &OpenOptions) -> Result<Store> {
        // Read before anything can write: another application's file, or one of a newer version, must be
        // refused byte for byte untouched, its WAL included (a read-only connection never checkpoints).
        let probe = probe(path, options.busy_timeout).map_err(|e| corrupt_or_err(e, shown))?;
        if let Some(p) = &probe {
            p.refuse_foreign(shown)?;
            migrations::refuse_too_new(p.user_version)?;
            if p.user_version == 0 && p.objects > 0 {
                return Err(Error::Migration {
                    version: 0,
                    message: "the file holds claimtrack's tables but says schema version 0 (PRAGMA \
                              user_version was changed by hand); it was not modified"
                        .into(),
                });
            }
        }
        if options.read_only {
            return Self::open_read_only(path, shown, probe, options);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| corrupt_or(e, shown))?;
        conn.busy_timeout(options.busy_timeout)?;
        // Read again on the writing connection: the file may have been created meanwhile.
        let version = migrations::user_version(&conn).map_err(|e| corrupt_or_err(e, shown))?;
        migrations::refuse_too_new(version)?;
        let sync = match options.durability {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        };
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| corrupt_or(e, shown))?;
        conn.pragma_update(None, "synchronous", sync)?;
        // Statement journals and temporary b-trees in memory: inside a transaction SQLite journals
        // each page a statement changes, and with the default (a temporary file) a bulk load made
        // 37 pwrite calls per claim (benches/throughput.rs, docs/performance.md).
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // 32 MiB of page cache (SQLite's default is 2 MiB): the indexes of a store of a million claims
        // are hundreds of MB, and bulk loads and summaries touch them at random.
        conn.pragma_update(None, "cache_size", -32_768)?;
        conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        let store = Self::finish_open(conn).map_err(|e| corrupt_or_err(e, shown))?;
        if let Some(actor) = &options.actor {
            store.set_actor(actor)?;
        }
        Ok(store)
    }

    fn open_read_only(
        path: &Path,
        shown: &str,
        probe: Option<Probe>,
        options: &OpenOptions,
    ) -> Result<Store> {
        let Some(probe) = probe else {
            return Err(Error::Corrupt {
                path: shown.to_string(),
                message: "no claimtrack database here (opened read-only, nothing is created)".into(),
            });
        };
        if probe.user_version < SCHEMA_VERSION {
            return Err(Error::Migration {
                version: SCHEMA_VERSION,
                message: format!(
                    "schema version {} needs upgrading, which a read-only open cannot do; open the file \
                     for writing once (claimtrack init)",
                    probe.user_version
                ),
            });
        }
        let conn = open_reader(path, options.busy_timeout, false).map_err(|e| corrupt_or_err(e, shown))?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.pragma_update(None, "cache_size", -32_768)?;
        conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        stable_plans(&conn)?;
        history::init_actor(&conn)?;
        let store = Store {
            backend: super::Backend::Sqlite(conn),
        };
        if let Some(actor) = &options.actor {
            store.set_actor(actor)?;
        }
        Ok(store)
    }

    /// Opens a private in-memory database (for tests and one-off analysis); it vanishes when dropped.
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        Self::finish_open(conn)
    }

    fn finish_open(conn: Connection) -> Result<Store> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        stable_plans(&conn)?;
        history::init_actor(&conn)?;
        migrations::migrate(&conn)?;
        Ok(Store {
            backend: super::Backend::Sqlite(conn),
        })
    }

    /// The durability in force, read back from SQLite (`PRAGMA synchronous`: FULL or stronger is
    /// [`Durability::Full`]). An in-memory store reports what SQLite reports for it.
    ///
    /// ```
    /// use claimtrack::{Durability, OpenOptions, Store};
    /// let dir = std::env::temp_dir().join(format!("claimtrack-doc-durable-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let store = Store::open_with(dir.join("desk.db"), &OpenOptions::new().durability(Durability::Full))?;
    /// assert_eq!(store.durability()?, Durability::Full);
    /// # drop(store); std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    ///
    /// On PostgreSQL, the server's `synchronous_commit`: `off` is [`Durability::Normal`] (the last
    /// commits may be lost in a crash of the server, never half of one), anything else
    /// [`Durability::Full`].
    pub fn durability(&self) -> Result<Durability> {
        #[cfg(feature = "postgres")]
        if let super::Backend::Postgres(_) = &self.backend {
            let setting: String = self.read(|db| {
                db.query_one(
                    "SELECT current_setting('synchronous_commit')",
                    crate::store::db::p![],
                    |r| r.get(0),
                )
            })?;
            return Ok(if setting == "off" {
                Durability::Normal
            } else {
                Durability::Full
            });
        }
        let level: i64 = self
            .sqlite()?
            .pragma_query_value(None, "synchronous", |r| r.get(0))?;
        // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
        Ok(if level >= 2 {
            Durability::Full
        } else {
            Durability::Normal
        })
    }

    /// The schema version of the open database (SQLite's `PRAGMA user_version`; on PostgreSQL the newest
    /// row of `schema_version`, compared with `POSTGRES_SCHEMA_VERSION`, feature `postgres`).
    ///
    /// # Example
    /// ```
    /// let store = claimtrack::Store::open_in_memory()?;
    /// assert_eq!(store.schema_version()?, claimtrack::SCHEMA_VERSION);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn schema_version(&self) -> Result<i64> {
        #[cfg(feature = "postgres")]
        if let super::Backend::Postgres(p) = &self.backend {
            return p.client(super::postgres::schema_version);
        }
        migrations::user_version(self.sqlite()?)
    }
}

/// Statements are prepared once per connection and kept (`prepare_cached`), and each plan is fixed when
/// it is prepared: SQLite's query-planner stability guarantee (QPSG) is turned on.
///
/// Without it, SQLite 3.54 marks a statement to be re-prepared whenever a new value is bound to a
/// parameter whose value the planner looked at, which it does for many ordinary shapes (`entity = ?1 …
/// ORDER BY id LIMIT 1`, the history's first-entry lookup, is one). The statement cache then saved
/// nothing: a claim read at 1,000,000 claims spent 37% of its time re-parsing SQL
/// (`docs/performance.md`). The store's queries do not need value-dependent plans: there are no
/// `sqlite_stat4` samples, and every partial index is `WHERE column IS NOT NULL`.
fn stable_plans(conn: &Connection) -> Result<()> {
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(())
}

/// What a read-only look at an existing, non-empty file found.
struct Probe {
    application_id: i64,
    user_version: i64,
    /// Up to three names of the file's tables, for the message when it is refused.
    tables: Vec<String>,
    objects: i64,
}

impl Probe {
    /// Refuses an SQLite file that is not claimtrack's: another application's id, or no id but
    /// tables (an `invoices` database). An empty SQLite file (no schema at all) may become claimtrack's.
    fn refuse_foreign(&self, shown: &str) -> Result<()> {
        if self.application_id == migrations::APPLICATION_ID
            || (self.application_id == 0 && self.objects == 0 && self.user_version == 0)
        {
            return Ok(());
        }
        let tables = if self.tables.is_empty() {
            String::new()
        } else {
            format!(", tables {}", self.tables.join(", "))
        };
        Err(Error::Corrupt {
            path: shown.to_string(),
            message: format!(
                "an SQLite database that is not claimtrack's (application_id {}, user_version {}{tables}); \
                 the file was not modified",
                self.application_id, self.user_version
            ),
        })
    }
}

/// A `file:` URI for `path` with `query` (SQLite's URI syntax: `%`, `?` and `#` escaped).
fn file_uri(path: &Path, query: &str) -> Result<String> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let text = abs.to_str().ok_or_else(|| Error::Invalid {
        field: "db",
        reason: format!("the path {} is not UTF-8", abs.display()),
    })?;
    let mut uri = String::from("file:");
    for c in text.chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri.push('?');
    uri.push_str(query);
    Ok(uri)
}

/// Whether this process may write the file (opening it for writing changes nothing in it).
fn writable(path: &Path) -> bool {
    std::fs::OpenOptions::new().write(true).open(path).is_ok()
}

fn side_file(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    s.into()
}

/// A read-only connection that creates no file and never checkpoints: when this process cannot write
/// the database and no writer has it open (no `-wal`), SQLite's `immutable` mode (no locks, no `-shm`);
/// otherwise an ordinary read-only connection, which reads through the writers' `-wal` and `-shm`.
///
/// `snapshot` asks for `immutable` whenever no writer has the file open, whatever the permissions: a
/// look at a few header values that must leave no file behind.
fn open_reader(path: &Path, busy: Duration, snapshot: bool) -> Result<Connection> {
    let flags =
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let no_writer = !side_file(path, "-wal").exists();
    let conn = if no_writer && (snapshot || !writable(path)) {
        Connection::open_with_flags(file_uri(path, "immutable=1")?, flags)?
    } else {
        let conn = Connection::open_with_flags(file_uri(path, "mode=ro")?, flags)?;
        conn.busy_timeout(busy)?;
        // A read-only folder: SQLite cannot make the `-shm` it needs. With no writer the file is whole.
        match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)) {
            Err(rusqlite::Error::SqliteFailure(f, _))
                if no_writer
                    && matches!(
                        f.code,
                        rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::ReadOnly
                    ) =>
            {
                drop(conn);
                Connection::open_with_flags(file_uri(path, "immutable=1")?, flags)?
            }
            Err(e) => return Err(e.into()),
            Ok(_) => conn,
        }
    };
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    Ok(conn)
}

/// Looks at an existing, non-empty file without writing to it; `None` for a missing or empty file.
fn probe(path: &Path, busy: Duration) -> Result<Option<Probe>> {
    match std::fs::metadata(path) {
        Ok(m) if m.len() > 0 => {}
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::Io(e)),
    }
    let conn = open_reader(path, busy, true)?;
    let application_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let user_version = migrations::user_version(&conn)?;
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    let tables = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name LIMIT 3")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(Some(Probe {
        application_id,
        user_version,
        tables,
        objects,
    }))
}

/// Refuses a non-empty file that does not start with SQLite's header, before SQLite opens it.
fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    // A pipe would block the read below for ever, and a device or folder is no database (SQLite would
    // also make a `-journal` beside a device): refused before anything is opened.
    if let Ok(m) = std::fs::metadata(path)
        && !m.is_file()
    {
        return Err(Error::invalid(
            "db",
            format!(
                "{} is not a regular file (a folder, device or pipe); give a database file",
                path.display()
            ),
        ));
    }
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::Io(e)),
    };
    let mut head = [0u8; 100];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    if n == 0 {
        return Ok(());
    }
    let corrupt = |message: String| Error::Corrupt {
        path: path.display().to_string(),
        message,
    };
    if n < SQLITE_HEADER.len() || &head[..SQLITE_HEADER.len()] != SQLITE_HEADER {
        return Err(corrupt("the file does not start with the SQLite header".into()));
    }
    if n < head.len() {
        return Err(corrupt(format!(
            "the file ends inside the 100-byte database header ({n} bytes)"
        )));
    }
    // A database file is a whole number of pages; anything else was cut short or padded. (Bytes 16–17
    // hold the page size, big-endian, with 1 meaning 65536.)
    let page = match u32::from(u16::from_be_bytes([head[16], head[17]])) {
        1 => 65_536,
        p => p,
    };
    if !(512..=65_536).contains(&page) || !page.is_power_of_two() {
        return Err(corrupt(format!(
            "the header names an impossible page size ({page})"
        )));
    }
    let len = file.metadata()?.len();
    if len % u64::from(page) != 0 {
        return Err(corrupt(format!(
            "the file is truncated or padded: {len} bytes is not a whole number of {page}-byte pages"
        )));
    }
    Ok(())
}

fn corrupt_or(e: rusqlite::Error, path: &str) -> Error {
    corrupt_or_err(Error::from(e), path)
}

fn corrupt_or_err(e: Error, path: &str) -> Error {
    match e {
        Error::Corrupt { message, .. } => Error::Corrupt {
            path: path.to_string(),
            message,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cached statement bound to new values is reused, not re-prepared: the history's first-entry
    /// lookup (`entity = ?1 … ORDER BY id LIMIT 1`) is one SQLite would otherwise re-prepare on every
    /// new binding, on a file store and an in-memory one alike (see `stable_plans`).
    #[test]
    fn cached_statements_are_not_reprepared_for_new_bindings() {
        let dir = tempfile::tempdir().unwrap();
        let file = Store::open(dir.path().join("desk.db")).unwrap();
        let memory = Store::open_in_memory().unwrap();
        for store in [&file, &memory] {
            let ids: Vec<_> = (0..4)
                .map(|i| {
                    store
                        .add_claim(crate::NewClaim::factual(format!("claim {i}")))
                        .unwrap()
                })
                .collect();
            let sql = "SELECT before, batch FROM history WHERE entity = ?1 AND entity_kind = ?2 \
                       ORDER BY id LIMIT 1";
            for id in &ids {
                let mut stmt = store.conn().prepare_cached(sql).unwrap();
                let found = stmt
                    .query(rusqlite::params![&id.as_uuid().as_bytes()[..], "claim"])
                    .unwrap()
                    .next()
                    .unwrap()
                    .is_some();
                assert!(found);
                assert_eq!(
                    stmt.get_status(rusqlite::StatementStatus::RePrepare),
                    0,
                    "re-prepared on a new binding"
                );
            }
        }
    }

    #[test]
    fn garbage_file_is_refused_and_left_alone() {
        let dir = std::env::temp_dir().join(format!("claimtrack-garbage-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("garbage.db");
        let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, Error::Corrupt { .. }), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
