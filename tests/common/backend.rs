//! One test body, run on both backends (issue 13).
//!
//! Include it at the root of a test file as `#[path = "common/backend.rs"] mod backend;` (the macros
//! name it `crate::backend`), then write each test once, as a function of a fresh store or desk:
//!
//! ```ignore
//! use backend::{Desk, per_backend};
//!
//! per_backend!(evidence_is_versioned);
//! fn evidence_is_versioned(s: &Store) {
//!     // … the same assertions on SQLite and on PostgreSQL
//! }
//! ```
//!
//! This makes a module `evidence_is_versioned` (beside the function: they live in different namespaces)
//! with two tests, `sqlite` and `postgres` (`cargo test --test store postgres` runs only the PostgreSQL
//! halves). The function takes `&Store` or `&mut Store` (a store opened on a fresh database) or `&Desk`
//! (the fresh database itself: open as many stores on it as the test needs, reopen it, or hand
//! [`Desk::location`] to the CLI as `--db`). `per_backend! { fn name(s: &Store) { … } }` also works, with
//! the body inside the macro (where rustfmt does not reach). A test that cannot run on PostgreSQL yet is
//! listed with [`sqlite_only!`] instead, with a comment saying what it waits for.
//!
//! - SQLite: a new database file in a temporary folder, removed when the test ends.
//! - PostgreSQL: a new schema in the database named by `CLAIMTRACK_TEST_PG`, reached through a URL whose
//!   `options=-csearch_path%3D<schema>` makes every connection (the test's stores, a CLI child process)
//!   work in it; the schema is dropped when the test ends, passed or failed. Without `CLAIMTRACK_TEST_PG`
//!   the PostgreSQL half says on stderr that it was skipped and passes; under `CI=true` it fails instead.
//!   Start a throwaway server with `eval "$(scripts/pg-test-server start)"`.
#![allow(dead_code, unused_macros, unused_imports)]

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};

use claimtrack::Store;

/// The variable naming the test server's database (`scripts/pg-test-server start` exports it).
pub const ENV: &str = "CLAIMTRACK_TEST_PG";

/// The line printed (once per test binary) when the PostgreSQL half of the tests is skipped.
pub const SKIPPED: &str = "PostgreSQL tests skipped: set CLAIMTRACK_TEST_PG, see scripts/pg-test-server \
     (eval \"$(scripts/pg-test-server start)\"; cargo test --all-features; scripts/pg-test-server stop)";

/// Which engine a [`Desk`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's own database, removed when dropped (after every store opened on it is closed).
pub struct Desk {
    backend: Backend,
    location: String,
    // Dropped after the fields above; the order of the two below does not matter.
    dir: Option<tempfile::TempDir>,
    #[cfg(feature = "postgres")]
    schema: Option<pg::Schema>,
}

impl Desk {
    /// A new SQLite database file (not yet created: the first [`Desk::open`] makes it) in a temporary
    /// folder of its own.
    pub fn sqlite() -> Desk {
        let dir = tempfile::Builder::new()
            .prefix("claimtrack-desk-")
            .tempdir()
            .expect("a temporary folder");
        let location = dir.path().join("desk.db").to_string_lossy().into_owned();
        Desk {
            backend: Backend::Sqlite,
            location,
            dir: Some(dir),
            #[cfg(feature = "postgres")]
            schema: None,
        }
    }

    /// A new empty schema on the test server for the test `tag`, or `None` (after saying so on stderr)
    /// when there is no server and this is not CI. Panics under `CI=true` without a server.
    pub fn postgres(tag: &str) -> Option<Desk> {
        let admin = pg_server()?;
        Some(Desk::postgres_on(&admin, tag))
    }

    #[cfg(feature = "postgres")]
    fn postgres_on(admin: &str, tag: &str) -> Desk {
        let schema = pg::Schema::new(admin, tag);
        Desk {
            backend: Backend::Postgres,
            location: schema.url(),
            dir: None,
            schema: Some(schema),
        }
    }

    #[cfg(not(feature = "postgres"))]
    fn postgres_on(_admin: &str, _tag: &str) -> Desk {
        unreachable!("pg_server() is None without the postgres feature")
    }

    /// The desk of `backend`, or `None` when that backend cannot run here (see [`Desk::postgres`]).
    pub fn new(backend: Backend, tag: &str) -> Option<Desk> {
        match backend {
            Backend::Sqlite => Some(Desk::sqlite()),
            Backend::Postgres => Desk::postgres(tag),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// What `Store::open` and the CLI's `--db` take: the database file's path, or the PostgreSQL URL
    /// (the test's schema first on its search path).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The SQLite database's path (`None` on PostgreSQL).
    pub fn path(&self) -> Option<PathBuf> {
        (self.backend == Backend::Sqlite).then(|| PathBuf::from(&self.location))
    }

    /// The temporary folder of a SQLite desk, for files a test writes beside it (`None` on PostgreSQL).
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(|d| d.path())
    }

    /// A store on this desk (a new connection each call).
    pub fn open(&self) -> Store {
        Store::open(&self.location).unwrap_or_else(|e| panic!("opening {:?}: {e}", self.backend))
    }

    /// Another fresh desk on the same backend, for a test that needs a second database (a copy to
    /// import into).
    pub fn another(&self, tag: &str) -> Desk {
        Desk::new(self.backend, tag).expect("a second desk (the server was there a moment ago)")
    }

    /// The PostgreSQL schema's name (`None` on SQLite).
    pub fn schema(&self) -> Option<&str> {
        #[cfg(feature = "postgres")]
        if let Some(s) = &self.schema {
            return Some(s.name());
        }
        None
    }
}

/// Runs `body` on a fresh desk of `backend`; on PostgreSQL without a server (outside CI) it says so and
/// returns without running it. `test` names the test (`module_path!()`), for the schema's name.
pub fn with_desk(backend: Backend, test: &str, body: impl FnOnce(&Desk)) {
    let Some(desk) = Desk::new(backend, test) else {
        return;
    };
    body(&desk);
}

/// The test server's URL, or `None` (after saying so, once per test binary) when there is none and this is
/// not CI. Panics under `CI=true`: CI must run the PostgreSQL tests.
pub fn pg_server() -> Option<String> {
    let ci = std::env::var("CI").ok();
    match pg_decision(
        std::env::var(ENV).ok().as_deref(),
        ci.as_deref(),
        cfg!(feature = "postgres"),
    ) {
        Decision::Run(url) => Some(url),
        Decision::Skip(why) => {
            static SAID: Once = Once::new();
            SAID.call_once(|| {
                // Straight to stderr: the harness swallows `eprintln!` of a passing test.
                let _ = writeln!(std::io::stderr(), "\n{why}\n");
            });
            None
        }
        Decision::Fail(why) => panic!("{why}"),
    }
}

/// What the PostgreSQL half of a test does.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    Run(String),
    Skip(String),
    Fail(String),
}

/// The decision of [`pg_server`] from the value of `CLAIMTRACK_TEST_PG`, of `CI`, and whether the
/// `postgres` feature is built.
pub fn pg_decision(server: Option<&str>, ci: Option<&str>, feature: bool) -> Decision {
    let server = server.map(str::trim).filter(|s| !s.is_empty());
    let ci = matches!(ci.map(str::trim), Some("true" | "1"));
    match (server, feature) {
        (Some(url), true) => Decision::Run(url.to_string()),
        (_, false) => Decision::Skip(
            "PostgreSQL tests skipped: built without the `postgres` feature \
             (cargo test --all-features, with CLAIMTRACK_TEST_PG set, see scripts/pg-test-server)"
                .to_string(),
        ),
        (None, true) if ci => Decision::Fail(format!(
            "CI=true but {ENV} is not set: the PostgreSQL tests must run in CI \
             (start a server with `eval \"$(scripts/pg-test-server start)\"`)"
        )),
        (None, true) => Decision::Skip(SKIPPED.to_string()),
    }
}

/// `base` (a `postgres://` URL or libpq `key=value` pairs) with extra connection parameters, each
/// `(key, value)`; values are percent-encoded in a URL and single-quoted in key=value form.
pub fn with_params(base: &str, params: &[(&str, &str)]) -> String {
    let url = ["postgres://", "postgresql://"]
        .iter()
        .any(|s| base.starts_with(s));
    let mut out = base.to_string();
    for (i, (k, v)) in params.iter().enumerate() {
        if url {
            let sep = if i == 0 && !base.contains('?') { '?' } else { '&' };
            out.push(sep);
            out.push_str(k);
            out.push('=');
            for b in v.bytes() {
                match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        out.push(b as char)
                    }
                    _ => out.push_str(&format!("%{b:02X}")),
                }
            }
        } else {
            let v = v.replace('\\', "\\\\").replace('\'', "\\'");
            out.push_str(&format!(" {k}='{v}'"));
        }
    }
    out
}

/// A schema name for the test `tag`: unique in this process and among processes (the process id), only
/// lower-case ASCII letters, digits and `_`, at most 63 bytes (PostgreSQL's identifier limit).
pub fn schema_name(tag: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let prefix = format!(
        "ct_{}_{}_",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut name = prefix;
    let mut last_sep = true;
    // The test's own name is the last part of its module path (`file::test_name`): keep the end.
    let tag = tag
        .rsplit("::")
        .find(|p| *p != "sqlite" && *p != "postgres")
        .unwrap_or(tag);
    for c in tag.chars() {
        if name.len() >= 63 {
            break;
        }
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            name.push(c);
            last_sep = false;
        } else if !last_sep {
            name.push('_');
            last_sep = true;
        }
    }
    name
}

/// A test body [`with_desk`] can run: a function (or closure) taking `&Store`, `&mut Store` or `&Desk`.
/// `M` only tells the three apart (the axum handler trick).
pub trait TestBody<M> {
    fn run_on(self, desk: &Desk);
}

pub struct TakesStore;
pub struct TakesMutStore;
pub struct TakesDesk;

impl<F: FnOnce(&Store)> TestBody<TakesStore> for F {
    fn run_on(self, desk: &Desk) {
        let store = desk.open();
        self(&store)
    }
}

impl<F: FnOnce(&mut Store)> TestBody<TakesMutStore> for F {
    fn run_on(self, desk: &Desk) {
        let mut store = desk.open();
        self(&mut store)
    }
}

impl<F: FnOnce(&Desk)> TestBody<TakesDesk> for F {
    fn run_on(self, desk: &Desk) {
        self(desk)
    }
}

/// Runs `body` on a fresh desk of `backend` (see [`with_desk`]).
pub fn run<M>(backend: Backend, test: &str, body: impl TestBody<M>) {
    with_desk(backend, test, |desk| body.run_on(desk));
}

/// One test body, run on both backends: for each test function `name` (taking `&Store`, `&mut Store` or
/// `&Desk`), a module `name` with the tests `sqlite` and `postgres`.
///
/// Two spellings. A list of functions written as usual (rustfmt and clippy see them):
///
/// ```ignore
/// per_backend!(evidence_is_versioned);
/// fn evidence_is_versioned(s: &Store) { … }
/// ```
///
/// or the bodies inside the macro: `per_backend! { fn evidence_is_versioned(s: &Store) { … } }`
/// (attributes before `fn` go on both tests).
macro_rules! per_backend {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    $crate::backend::run($crate::backend::Backend::Sqlite, module_path!(), super::$name)
                }

                #[test]
                fn postgres() {
                    $crate::backend::run($crate::backend::Backend::Postgres, module_path!(), super::$name)
                }
            }
        )+
    };
    () => {};
    ($(#[$m:meta])* fn $name:ident($arg:ident : $($ty:tt)+) $body:block $($rest:tt)*) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$m])*
            #[test]
            fn sqlite() {
                $crate::backend::run(
                    $crate::backend::Backend::Sqlite,
                    module_path!(),
                    |$arg: $($ty)+| $body,
                )
            }

            $(#[$m])*
            #[test]
            fn postgres() {
                $crate::backend::run(
                    $crate::backend::Backend::Postgres,
                    module_path!(),
                    |$arg: $($ty)+| $body,
                )
            }
        }
        $crate::backend::per_backend!($($rest)*);
    };
}
pub(crate) use per_backend;

/// [`per_backend!`]'s list spelling for a test that cannot run on PostgreSQL yet: only `name::sqlite`.
/// Say why beside it (`// PostgreSQL: waits for <module>`); when it can, the macro's name changes, not
/// the test.
macro_rules! sqlite_only {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    $crate::backend::run($crate::backend::Backend::Sqlite, module_path!(), super::$name)
                }
            }
        )+
    };
}
pub(crate) use sqlite_only;

/// The most cases a property runs on PostgreSQL, where each case makes (and drops) a schema of its own:
/// keeps the properties' share of CI time near SQLite's.
pub const PG_CASES: u32 = 16;

/// How many cases a property asking for `cases` runs on `backend`: all of them on SQLite, at most
/// [`PG_CASES`] on PostgreSQL.
pub fn cases(backend: Backend, cases: u32) -> u32 {
    match backend {
        Backend::Sqlite => cases,
        Backend::Postgres => cases.min(PG_CASES),
    }
}

/// Runs the property `body` on `backend` with proptest, each case on a fresh desk of its own (on
/// PostgreSQL without a server, outside CI, it says so and returns). `file` is the test's source file
/// (`file!()`), so that failures are saved to and replayed from its `proptest-regressions` file as the
/// `proptest!` macro does; `test` names the test (`module_path!()`).
pub fn property<S: proptest::strategy::Strategy>(
    backend: Backend,
    test: &str,
    file: &'static str,
    asked: u32,
    strategy: S,
    body: impl Fn(&Desk, S::Value) -> Result<(), proptest::test_runner::TestCaseError>,
) {
    use proptest::test_runner::{Config, TestRunner};
    if backend == Backend::Postgres && pg_server().is_none() {
        return;
    }
    let config = Config {
        cases: cases(backend, asked),
        source_file: Some(file),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |value| {
        let desk = Desk::new(backend, test).expect("a desk (the server was there a moment ago)");
        body(&desk, value)
    });
    if let Err(e) = result {
        panic!("{e}\n{runner}");
    }
}

/// A property run on both backends: `per_backend_property!(name, cases, strategy)` for a function
/// `fn name(desk: &Desk, value) -> Result<(), TestCaseError>` (the strategy's value; a tuple strategy gives
/// a tuple) makes the tests `name::sqlite` (`cases` cases) and `name::postgres` (at most [`PG_CASES`]),
/// each case on a fresh desk (see [`property`]). The strategy expression is evaluated in the test file's
/// scope.
macro_rules! per_backend_property {
    ($name:ident, $cases:expr, $strategy:expr $(,)?) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                $crate::backend::property(
                    $crate::backend::Backend::Sqlite,
                    module_path!(),
                    file!(),
                    $cases,
                    $strategy,
                    super::$name,
                )
            }

            #[test]
            fn postgres() {
                $crate::backend::property(
                    $crate::backend::Backend::Postgres,
                    module_path!(),
                    file!(),
                    $cases,
                    $strategy,
                    super::$name,
                )
            }
        }
    };
}
pub(crate) use per_backend_property;

/// The PostgreSQL side: a schema of one test's own, made and dropped with the `postgres` crate.
#[cfg(feature = "postgres")]
pub mod pg {
    use std::str::FromStr;
    use std::sync::Once;
    use std::time::Duration;

    use postgres::{Client, Config, NoTls};

    /// Connects to `url` (the test server, or a test's schema URL).
    pub fn connect(url: &str) -> Client {
        let mut config = Config::from_str(url).unwrap_or_else(|e| panic!("{}: {e}", super::ENV));
        config.connect_timeout(Duration::from_secs(10));
        config
            .connect(NoTls)
            .unwrap_or_else(|e| panic!("connecting to the test server ({}): {e}", super::ENV))
    }

    /// Extensions the claimtrack schema may ask for, made once in `public` (which every test's search
    /// path ends with): made inside a test's schema instead, they would be dropped with it, taking every
    /// other test's objects that use them along (DROP SCHEMA … CASCADE).
    fn shared_extensions(admin: &mut Client) {
        static DONE: Once = Once::new();
        DONE.call_once(|| {
            // Concurrent CREATE EXTENSION IF NOT EXISTS can still collide: one session-level lock, taken
            // by every test process, makes them take turns.
            let mut tx = admin.transaction().expect("a transaction");
            tx.execute("SELECT pg_advisory_xact_lock(7443125001)", &[])
                .expect("the extension lock");
            let available: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm')",
                    &[],
                )
                .expect("pg_available_extensions")
                .get(0);
            if available {
                tx.batch_execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
                    .expect("CREATE EXTENSION pg_trgm");
            }
            tx.commit().expect("commit");
        });
    }

    /// A schema of one test, dropped on drop with every connection still working in it.
    pub struct Schema {
        admin: String,
        name: String,
    }

    impl Schema {
        pub fn new(admin: &str, tag: &str) -> Schema {
            let name = super::schema_name(tag);
            let mut c = connect(admin);
            shared_extensions(&mut c);
            // The name is ours (see schema_name: letters, digits, `_`), never user text; CREATE SCHEMA
            // takes no parameters.
            c.batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
            ))
            .unwrap_or_else(|e| panic!("CREATE SCHEMA {name}: {e}"));
            Schema {
                admin: admin.to_string(),
                name,
            }
        }

        pub fn name(&self) -> &str {
            &self.name
        }

        /// The server's URL with this schema first on the search path (then `public`, for shared
        /// extensions), and the schema's name as the application name, so that [`Drop`] can find and end
        /// the connections a test left open.
        pub fn url(&self) -> String {
            super::with_params(
                &self.admin,
                &[
                    ("options", &format!("-csearch_path={},public", self.name)),
                    ("application_name", &self.name),
                ],
            )
        }
    }

    impl Drop for Schema {
        fn drop(&mut self) {
            let drop = || -> Result<(), postgres::Error> {
                let mut config = Config::from_str(&self.admin)?;
                config.connect_timeout(Duration::from_secs(10));
                let mut c = config.connect(NoTls)?;
                // A store a failed test left open (in another thread, a child process) holds locks that
                // DROP SCHEMA would wait for: end those connections first.
                c.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE application_name = $1 AND pid <> pg_backend_pid()",
                    &[&self.name],
                )?;
                c.batch_execute("SET lock_timeout = '30s'")?;
                c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name))
            };
            if let Err(e) = drop() {
                // Not a panic: this may run while a failed test unwinds. The cluster is thrown away anyway.
                let _ = std::io::Write::write_all(
                    &mut std::io::stderr(),
                    format!("could not drop the test schema {}: {e}\n", self.name).as_bytes(),
                );
            }
        }
    }
}
