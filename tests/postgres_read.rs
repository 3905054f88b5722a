//! The store's read side on PostgreSQL gives the answers SQLite gives (issue 13): a desk with the seed,
//! real data sets and hand-made withdrawals, supersessions, affiliations, figures and tokens is built on
//! SQLite, copied to PostgreSQL (`Store::copy_to`, ids kept), and every question is asked of both: the
//! evidence summary of every claim, chains, conflicts, relay bottlenecks, timelines, origins, every
//! record's and claim's history, `verify_history`, counts, lookups and API tokens. A change then made on
//! PostgreSQL alone is found by its own `verify_history`.
//!
//! Run with a throwaway server:
//!
//! ```sh
//! eval "$(scripts/pg-test-server start)"
//! cargo test --all-features --test postgres_read
//! scripts/pg-test-server stop
//! ```
//!
//! Without `CLAIMTRACK_TEST_PG` the tests say so on stderr and pass without checking anything; under
//! `CI=true` a missing server fails them instead.
#![cfg(feature = "postgres")]

#[path = "common/dir.rs"]
mod dir;

use std::io::Write as _;
use std::path::Path;

use claimtrack::io::{DataSet, ImportOptions, bundle, claimreview, import_file};
use claimtrack::{
    Error, NewClaim, NewEvidence, NewReview, NewSource, Quantity, Role, SourceKind, Stance, Store, Verdict,
};
use dir::Dir;
use serde::Serialize;

/// A desk with a bit of everything the read side looks at.
fn desk(store: &Store) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    store.set_actor("desk:seed").unwrap();
    let seed = bundle::read_bundle(std::fs::File::open(root.join("seeds/wonsan.json")).unwrap()).unwrap();
    bundle::import(store, &seed, ImportOptions::default()).unwrap();
    let data = root.join("tests/data");
    for (set, file) in [
        (DataSet::Fever, "fever/paper_dev_excerpt.jsonl"),
        (DataSet::Liar, "liar/handmade.tsv"),
        (DataSet::ClimateFever, "climate-fever/handmade.csv"),
    ] {
        store.set_actor(&format!("import:{file}")).unwrap();
        import_file(store, set, data.join(file), ImportOptions::default()).unwrap();
    }
    claimreview::import(
        store,
        std::fs::File::open(data.join("schemaorg/example1.jsonld")).unwrap(),
        ImportOptions::default(),
    )
    .unwrap();
    store.set_actor("desk:alice").unwrap();
    let state = store
        .add_source(NewSource::new("State", SourceKind::GovernmentBody))
        .unwrap();
    let agency = store
        .add_source(NewSource::new("Agency", SourceKind::NewsAgency).part_of(state))
        .unwrap();
    let paper = store
        .add_source(NewSource::new("Paper", SourceKind::Outlet))
        .unwrap();
    // Figures that cannot both hold, one unit written with a capital and a plural, one not ASCII.
    let many = store
        .add_claim(
            NewClaim::factual("More than 10,000 troops").quantity(Quantity::more_than(10_000.0, " Troops")),
        )
        .unwrap();
    store
        .add_claim(NewClaim::factual("About 3,000 troops").quantity(Quantity::about(3_000.0, "troop")))
        .unwrap();
    store
        .add_claim(NewClaim::factual("Über 50 Ärzte").quantity(Quantity::more_than(50.0, "Ärzte")))
        .unwrap();
    store
        .add_claim(NewClaim::factual("Drei Ärzte").quantity(Quantity::exact(3.0, "ärzte")))
        .unwrap();
    store
        .add_claim(NewClaim::factual("Zwei Ärzte").quantity(Quantity::exact(2.0, "Ärzte")))
        .unwrap();
    let e = store
        .add_evidence(many, NewEvidence::new(agency, Stance::Supports))
        .unwrap();
    store
        .revise_evidence(e, NewEvidence::new(agency, Stance::Refutes), "read again")
        .unwrap();
    store
        .add_evidence(many, NewEvidence::new(paper, Stance::Supports))
        .unwrap();
    let f = store
        .add_evidence(many, NewEvidence::new(state, Stance::Mixed))
        .unwrap();
    store.retract_evidence(f, "wrong source").unwrap();
    store.set_actor("desk:bob").unwrap();
    store
        .add_review(
            many,
            NewReview::new(Verdict::MostlyFalse).url("https://example.org/troops"),
        )
        .unwrap();
    let mut c = store.claim(many).unwrap();
    c.text = "More than 10,000 troops were sent".into();
    store.update_claim(&c).unwrap();
    store.add_token("cms-bot", Role::Write, &[7; 32]).unwrap();
    store.add_token("Zed", Role::Admin, &[9; 32]).unwrap();
    store.add_token("old-bot", Role::Read, &[8; 32]).unwrap();
    store.revoke_token("old-bot").unwrap();
}

/// Asserts that both engines give the same answer (compared as JSON), or fail alike.
fn same<T: Serialize>(what: &str, sqlite: claimtrack::Result<T>, pg: claimtrack::Result<T>) {
    match (sqlite, pg) {
        (Ok(a), Ok(b)) => assert_eq!(
            serde_json::to_string_pretty(&a).unwrap(),
            serde_json::to_string_pretty(&b).unwrap(),
            "{what}: the engines disagree"
        ),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}: different errors"),
        (a, b) => panic!(
            "{what}: SQLite {:?}, PostgreSQL {:?}",
            a.map(|_| "ok"),
            b.map(|_| "ok")
        ),
    }
}

/// The desk on SQLite and its copy on PostgreSQL (ids kept), or `None` when there is no server.
struct Pair {
    _dir: Dir,
    sqlite: Store,
    pg: Store,
    _schema: PgSchema,
}

fn pair(tag: &str) -> Option<Pair> {
    let schema = PgSchema::new()?;
    let dir = Dir::new(tag);
    let sqlite = Store::open(dir.path("desk.db")).unwrap();
    desk(&sqlite);
    let pg = Store::open(schema.url()).unwrap();
    sqlite.copy_to(&pg).unwrap();
    Some(Pair {
        _dir: dir,
        sqlite,
        pg,
        _schema: schema,
    })
}

#[test]
fn tokens_are_kept_and_checked_on_postgres() {
    let Some(schema) = PgSchema::new() else { return };
    let store = Store::open(schema.url()).unwrap();
    store.add_token("cms-bot", Role::Write, &[7; 32]).unwrap();
    store.add_token("alice", Role::Admin, &[9; 32]).unwrap();
    let dup = store.add_token("alice", Role::Read, &[1; 32]).unwrap_err();
    assert!(matches!(dup, Error::Duplicate { kind: "token", .. }), "{dup}");
    assert!(matches!(
        store.add_token(" ", Role::Read, &[1; 32]),
        Err(Error::Invalid { field: "name", .. })
    ));
    let names: Vec<_> = store.tokens().unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["alice", "cms-bot"]);
    let revoked = store.revoke_token("alice").unwrap();
    assert!(revoked.revoked_at.is_some());
    // Revoking again changes nothing, and the time read back is the time written, to the microsecond.
    assert_eq!(store.revoke_token("alice").unwrap(), revoked);
    assert_eq!(store.tokens().unwrap()[0], revoked);
    let active = store.active_token_hashes().unwrap();
    assert_eq!(
        active
            .iter()
            .map(|(t, h)| (t.name.as_str(), t.role, *h))
            .collect::<Vec<_>>(),
        [("cms-bot", Role::Write, [7; 32])]
    );
    assert!(matches!(
        store.revoke_token("nobody"),
        Err(Error::NotFound { kind: "token", .. })
    ));
    // A revoked name stays taken; the refused write left nothing behind.
    assert!(store.add_token("alice", Role::Read, &[2; 32]).is_err());
    assert_eq!(store.tokens().unwrap().len(), 2);
}

#[test]
fn tokens_counts_and_lookups_agree() {
    let Some(p) = pair("pgread-tokens") else { return };
    same("tokens", p.sqlite.tokens(), p.pg.tokens());
    same(
        "active tokens",
        p.sqlite.active_token_hashes(),
        p.pg.active_token_hashes(),
    );
    let names: Vec<String> = p.pg.tokens().unwrap().into_iter().map(|t| t.name).collect();
    // Byte order, as SQLite sorts, whatever the server's collation: upper case first.
    assert_eq!(names, ["Zed", "cms-bot", "old-bot"]);
    same("counts", p.sqlite.counts(), p.pg.counts());
    assert!(p.pg.counts().unwrap().claims > 20);
}

/// PostgreSQL side of a pair: a schema of its own on the test server, dropped at the end.
struct PgSchema {
    admin: String,
    name: String,
}

impl PgSchema {
    /// A new schema, or `None` (after saying so) when there is no server and this is not CI.
    fn new() -> Option<Self> {
        let admin = match std::env::var("CLAIMTRACK_TEST_PG") {
            Ok(u) if !u.trim().is_empty() => u,
            _ => {
                let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
                assert!(!ci, "CI=true but CLAIMTRACK_TEST_PG is not set");
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: the PostgreSQL read tests need CLAIMTRACK_TEST_PG \
                     (eval \"$(scripts/pg-test-server start)\")"
                );
                return None;
            }
        };
        let name = format!("pgread_{}_{}", std::process::id(), uuid::Uuid::now_v7().simple());
        let mut c = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        c.batch_execute(&format!("CREATE SCHEMA {name}")).unwrap();
        Some(Self { admin, name })
    }

    /// The server's URL with this schema first on the search path.
    fn url(&self) -> String {
        let sep = if self.admin.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-csearch_path%3D{}", self.admin, self.name)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

#[test]
fn evidence_summaries_chains_and_origins_agree() {
    let Some(p) = pair("pgread-summary") else { return };
    let claims = p.sqlite.claims().unwrap();
    let mut with_evidence = 0;
    for c in &claims {
        let id = c.id;
        same(
            "evidence summary",
            p.sqlite.evidence_summary(id),
            p.pg.evidence_summary(id),
        );
        with_evidence += usize::from(p.sqlite.evidence_summary(id).unwrap().all().count() > 0);
    }
    assert!(with_evidence > 10, "{with_evidence}");
    same(
        "relay bottlenecks",
        p.sqlite.single_relay_claims(),
        p.pg.single_relay_claims(),
    );
    for s in p.sqlite.sources().unwrap() {
        same("origin", p.sqlite.origin_of(s.id), p.pg.origin_of(s.id));
    }
    // An unknown claim or source is the same error on both.
    let nobody = claimtrack::ClaimId::new();
    same(
        "unknown claim",
        p.sqlite.evidence_summary(nobody),
        p.pg.evidence_summary(nobody),
    );
}

#[test]
fn history_by_actor_agrees() {
    let Some(p) = pair("pgread-actor") else { return };
    for actor in ["desk:seed", "desk:alice", "desk:bob", "unknown", "nobody"] {
        same(
            "history by actor",
            p.sqlite.history_by_actor(actor),
            p.pg.history_by_actor(actor),
        );
    }
    // Batch entries (the imports) read back with their counts, single changes with their values.
    let imported = p.pg.history_by_actor("desk:seed").unwrap();
    assert!(
        imported
            .iter()
            .any(|c| c.kind == claimtrack::EntityKind::Batch && c.after.is_some())
    );
    assert!(!p.pg.history_by_actor("desk:alice").unwrap().is_empty());
}
