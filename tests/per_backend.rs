//! The per-backend test helper itself (tests/common/backend.rs): when the PostgreSQL half runs, skips or
//! fails; that each test's schema is its own, reached through its URL, and dropped when the test ends,
//! passed or failed; that a SQLite desk is a file in a folder removed with it.

#[path = "common/backend.rs"]
mod backend;

use backend::{Backend, Decision, Desk, per_backend, pg_decision, schema_name, sqlite_only, with_params};
use claimtrack::{NewClaim, Store};

#[test]
fn the_postgres_half_runs_with_a_server_skips_without_and_fails_without_in_ci() {
    let url = "postgresql://postgres@%2Ftmp%2Fx:5432/postgres";
    assert_eq!(pg_decision(Some(url), None, true), Decision::Run(url.into()));
    assert_eq!(
        pg_decision(Some(url), Some("true"), true),
        Decision::Run(url.into())
    );
    for ci in [None, Some("false"), Some("0"), Some("")] {
        for server in [None, Some(""), Some("  ")] {
            match pg_decision(server, ci, true) {
                Decision::Skip(why) => {
                    assert!(why.contains("PostgreSQL tests skipped"), "{why}");
                    assert!(why.contains("CLAIMTRACK_TEST_PG"), "{why}");
                    assert!(why.contains("scripts/pg-test-server"), "{why}");
                }
                other => panic!("{server:?} {ci:?}: {other:?}"),
            }
        }
    }
    for ci in ["true", "1"] {
        match pg_decision(None, Some(ci), true) {
            Decision::Fail(why) => assert!(why.contains("CLAIMTRACK_TEST_PG"), "{why}"),
            other => panic!("{ci}: {other:?}"),
        }
    }
    // A build without the feature has no PostgreSQL to test: it says so, whatever the server.
    match pg_decision(Some(url), Some("true"), false) {
        Decision::Skip(why) => assert!(why.contains("`postgres` feature"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn connection_parameters_are_added_to_either_form_of_connection_string() {
    let params = [
        ("options", "-csearch_path=ct_1,public"),
        ("application_name", "ct_1"),
    ];
    assert_eq!(
        with_params("postgresql://postgres@%2Ftmp%2Fx:5432/postgres", &params),
        "postgresql://postgres@%2Ftmp%2Fx:5432/postgres\
         ?options=-csearch_path%3Dct_1%2Cpublic&application_name=ct_1"
    );
    assert_eq!(
        with_params("postgres://u@h/db?sslmode=disable", &params[1..]),
        "postgres://u@h/db?sslmode=disable&application_name=ct_1"
    );
    assert_eq!(
        with_params("host=/tmp/x user=postgres", &[("options", "-c a='b' \\")]),
        "host=/tmp/x user=postgres options='-c a=\\'b\\' \\\\'"
    );
}

#[test]
fn schema_names_are_plain_unique_identifiers() {
    let a = schema_name("store::Évidence is-versioned::postgres");
    let b = schema_name("store::Évidence is-versioned::postgres");
    assert_ne!(a, b);
    let pid = std::process::id();
    assert!(a.starts_with(&format!("ct_{pid}_")), "{a}");
    assert!(a.ends_with("_vidence_is_versioned"), "{a}");
    let long = schema_name(&"x".repeat(500));
    assert_eq!(long.len(), 63);
    for name in [a, b, long, schema_name("'; DROP SCHEMA public; --")] {
        assert!(
            name.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_'),
            "{name}"
        );
    }
}

#[test]
fn a_sqlite_desk_is_a_file_in_a_folder_removed_with_it() {
    let desk = Desk::sqlite();
    assert_eq!(desk.backend(), Backend::Sqlite);
    let path = desk.path().unwrap();
    let dir = desk.dir().unwrap().to_path_buf();
    assert_eq!(path.parent(), Some(dir.as_path()));
    assert!(!path.exists(), "made only when first opened");
    {
        let store = desk.open();
        store
            .add_claim(claimtrack::NewClaim::factual("North Korean troops are in Kursk"))
            .unwrap();
    }
    assert_eq!(
        desk.open().counts().unwrap().claims,
        1,
        "a second store sees the first one's work"
    );
    assert!(path.is_file());
    assert_eq!(desk.schema(), None);
    drop(desk);
    assert!(!dir.exists());
}

/// The test's own name, as libtest names its thread (`module::test`).
fn test_name() -> String {
    std::thread::current().name().unwrap_or("").to_string()
}

per_backend!(the_list_form_runs_a_function_per_backend);
fn the_list_form_runs_a_function_per_backend(desk: &Desk) {
    let expected = match desk.backend() {
        Backend::Sqlite => "the_list_form_runs_a_function_per_backend::sqlite",
        Backend::Postgres => "the_list_form_runs_a_function_per_backend::postgres",
    };
    assert_eq!(test_name(), expected);
}

per_backend!(a_store_is_opened_on_the_backend, a_store_can_be_taken_mutably);
fn a_store_is_opened_on_the_backend(s: &Store) {
    assert!(test_name().starts_with("a_store_is_opened_on_the_backend::"));
    assert!(s.schema_version().unwrap() >= 1);
    assert_eq!(s.actor().unwrap(), "unknown");
    s.set_actor("desk:alice").unwrap();
    assert_eq!(s.actor().unwrap(), "desk:alice");
}
fn a_store_can_be_taken_mutably(s: &mut Store) {
    assert_eq!(s.actor().unwrap(), "unknown");
}

// The spelling for a test that waits for a store module on PostgreSQL.
sqlite_only!(sqlite_only_makes_the_sqlite_test_alone);
fn sqlite_only_makes_the_sqlite_test_alone(desk: &Desk) {
    assert_eq!(desk.backend(), Backend::Sqlite);
    assert_eq!(test_name(), "sqlite_only_makes_the_sqlite_test_alone::sqlite");
}

per_backend!(a_fresh_store_is_empty_and_its_own);
fn a_fresh_store_is_empty_and_its_own(s: &Store) {
    assert!(test_name().starts_with("a_fresh_store_is_empty_and_its_own::"));
    assert_eq!(s.counts().unwrap(), Default::default());
    s.add_claim(NewClaim::factual("North Korean troops are in Kursk"))
        .unwrap();
    assert_eq!(s.counts().unwrap().claims, 1);
}

per_backend! {
    /// The macro's two tests run their body on the backend they are named after.
    fn the_macro_runs_one_body_per_backend(desk: &Desk) {
        let thread = std::thread::current();
        let test = thread.name().unwrap_or("");
        let expected = match desk.backend() {
            Backend::Sqlite => "the_macro_runs_one_body_per_backend::sqlite",
            Backend::Postgres => "the_macro_runs_one_body_per_backend::postgres",
        };
        assert_eq!(test, expected);
        assert_eq!(desk.schema().is_some(), desk.backend() == Backend::Postgres);
        assert_eq!(desk.path().is_some(), desk.backend() == Backend::Sqlite);
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::backend::pg::connect;
    use super::*;

    fn schema_exists(name: &str) -> bool {
        let admin = backend::pg_server().unwrap();
        connect(&admin)
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                &[&name],
            )
            .unwrap()
            .get(0)
    }

    fn tables_in(c: &mut ::postgres::Client, schema: &str) -> Vec<String> {
        c.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1 \
             AND table_type = 'BASE TABLE' ORDER BY 1",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    }

    #[test]
    fn each_desk_is_a_schema_of_its_own_reached_through_its_url() {
        let Some(a) = Desk::postgres("isolation_a") else {
            return;
        };
        let Some(b) = Desk::postgres("isolation_b") else {
            return;
        };
        let (sa, sb) = (a.schema().unwrap().to_string(), b.schema().unwrap().to_string());
        assert_ne!(sa, sb);
        assert!(a.location().contains(&sa));

        // Every connection through the desk's URL works in its schema: the migration's tables land there.
        assert_eq!(
            claimtrack::postgres_migrate(a.location()).unwrap(),
            claimtrack::POSTGRES_SCHEMA_VERSION
        );
        let mut c = connect(a.location());
        let current: String = c.query_one("SELECT current_schema()::text", &[]).unwrap().get(0);
        assert_eq!(current, sa);
        let made = tables_in(&mut c, &sa);
        assert!(made.iter().any(|t| t == "claims"), "{made:?}");
        assert!(made.iter().any(|t| t == "history"), "{made:?}");
        assert!(tables_in(&mut c, &sb).is_empty(), "the other desk is untouched");
        assert!(
            !tables_in(&mut c, "public").iter().any(|t| t == "claims"),
            "nothing lands in public"
        );
        assert_eq!(claimtrack::postgres_schema_version(b.location()).unwrap(), 0);
    }

    #[test]
    fn the_schema_is_dropped_when_the_test_ends_even_failed_with_a_connection_open() {
        let mut name = String::new();
        let mut left_open = None;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            backend::with_desk(Backend::Postgres, "dropped_on_panic", |desk| {
                name = desk.schema().unwrap().to_string();
                claimtrack::postgres_migrate(desk.location()).unwrap();
                let mut c = connect(desk.location());
                // A transaction holding a lock on a table of the schema, as a store a failing test left
                // open would: DROP SCHEMA would wait for it for ever.
                c.batch_execute("BEGIN; LOCK TABLE claims IN ACCESS EXCLUSIVE MODE")
                    .unwrap();
                left_open = Some(c);
                panic!("the test failed");
            })
        }));
        if backend::pg_server().is_none() {
            return;
        }
        assert!(outcome.is_err());
        assert!(!name.is_empty());
        assert!(!schema_exists(&name), "{name} left behind");
        let mut c = left_open.unwrap();
        assert!(c.simple_query("SELECT 1").is_err(), "the connection was ended");
    }

    #[test]
    fn a_desk_dropped_normally_takes_its_schema_along() {
        let Some(desk) = Desk::postgres("dropped_normally") else {
            return;
        };
        let name = desk.schema().unwrap().to_string();
        claimtrack::postgres_migrate(desk.location()).unwrap();
        assert!(schema_exists(&name));
        drop(desk);
        assert!(!schema_exists(&name));
    }

    #[test]
    fn shared_extensions_live_in_public_not_in_a_test_schema() {
        let Some(desk) = Desk::postgres("extensions") else {
            return;
        };
        claimtrack::postgres_migrate(desk.location()).unwrap();
        let mut c = connect(desk.location());
        let rows = c
            .query(
                "SELECT e.extname::text, n.nspname::text FROM pg_extension e \
                 JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'",
                &[],
            )
            .unwrap();
        for r in rows {
            let (ext, schema): (String, String) = (r.get(0), r.get(1));
            assert_eq!(
                schema, "public",
                "extension {ext} would be dropped with a test's schema"
            );
        }
    }
}
