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

#[path = "common/backend.rs"]
mod backend;

use std::path::Path;

use backend::Desk;
use claimtrack::io::{DataSet, ImportOptions, bundle, claimreview, import_file};
use claimtrack::{
    Error, NewClaim, NewEvidence, NewReview, NewSource, Quantity, Role, SourceKind, Stance, Store, Verdict,
};
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
    // The stores close before their desks are removed.
    sqlite: Store,
    pg: Store,
    _desks: (Desk, Desk),
}

fn pair(tag: &str) -> Option<Pair> {
    let on_pg = Desk::postgres(tag)?;
    let on_file = Desk::sqlite();
    let sqlite = on_file.open();
    desk(&sqlite);
    let pg = on_pg.open();
    sqlite.copy_to(&pg).unwrap();
    Some(Pair {
        sqlite,
        pg,
        _desks: (on_file, on_pg),
    })
}

#[test]
fn tokens_are_kept_and_checked_on_postgres() {
    let Some(desk) = Desk::postgres("pgread_tokens_alone") else {
        return;
    };
    let store = desk.open();
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

#[test]
fn history_of_claims_written_one_by_one_agrees() {
    let Some(p) = pair("pgread-one-by-one") else {
        return;
    };
    let mut n = 0;
    for c in p.sqlite.claims().unwrap() {
        let h = p.sqlite.claim_history(c.id).unwrap();
        if h.iter().any(|ch| ch.actor == "desk:alice") {
            same("claim history", Ok(h), p.pg.claim_history(c.id));
            same("history of", p.sqlite.history_of(c.id), p.pg.history_of(c.id));
            n += 1;
        }
    }
    assert!(n >= 5, "{n}");
}

#[test]
fn history_of_every_record_and_claim_agrees() {
    let Some(p) = pair("pgread-history") else { return };
    for c in p.sqlite.claims().unwrap() {
        same(
            "history of a claim",
            p.sqlite.history_of(c.id),
            p.pg.history_of(c.id),
        );
        same(
            "claim history",
            p.sqlite.claim_history(c.id),
            p.pg.claim_history(c.id),
        );
    }
    for s in p.sqlite.sources().unwrap() {
        same(
            "history of a source",
            p.sqlite.history_of(s.id),
            p.pg.history_of(s.id),
        );
    }
    // Records a batch created read back their creation as an import of the batch entry.
    let imported = p.sqlite.claims().unwrap().remove(0);
    let h = p.pg.history_of(imported.id).unwrap();
    assert_eq!(h[0].operation, claimtrack::Operation::Import, "{h:?}");
    let nobody = claimtrack::ClaimId::new();
    same(
        "unknown claim",
        p.sqlite.claim_history(nobody),
        p.pg.claim_history(nobody),
    );
}

#[test]
fn conflicts_chains_and_timelines_agree() {
    let Some(p) = pair("pgread-conflicts") else { return };
    same("conflicts", p.sqlite.conflicts(), p.pg.conflicts());
    // The figures with non-ASCII units: SQLite's unit key lowers ASCII only, and so does PostgreSQL's
    // answer, though its lower() folds 'Ä'.
    let all = p.pg.conflicts().unwrap();
    assert!(all.iter().any(|c| format!("{c:?}").contains("Ärzte")), "{all:?}");
    for c in p.sqlite.claims().unwrap() {
        same(
            "conflicts of",
            p.sqlite.conflicts_of(c.id),
            p.pg.conflicts_of(c.id),
        );
        same("timeline", p.sqlite.timeline(c.id), p.pg.timeline(c.id));
        same(
            "first appearance",
            p.sqlite.first_appearance(c.id),
            p.pg.first_appearance(c.id),
        );
        same(
            "chains",
            p.sqlite.attribution_chains(c.id),
            p.pg.attribution_chains(c.id),
        );
    }
}

/// Every export the store makes, as bytes.
fn exports(store: &Store) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let mut b = Vec::new();
    bundle::write_bundle(&bundle::export(store).unwrap(), &mut b).unwrap();
    out.push(("bundle", b));
    let mut j = Vec::new();
    claimtrack::io::jsonl::export(store, &mut j).unwrap();
    out.push(("jsonl", j));
    let mut c = Vec::new();
    claimreview::export(store, &mut c).unwrap();
    out.push(("claimreview", c));
    let mut v = Vec::new();
    claimtrack::io::csv::export(store, &mut v).unwrap();
    out.push(("csv", v));
    out
}

#[test]
fn exports_and_lookups_are_byte_identical() {
    let Some(p) = pair("pgread-exports") else { return };
    for ((name, a), (_, b)) in exports(&p.sqlite).into_iter().zip(exports(&p.pg)) {
        assert!(!a.is_empty(), "{name} export is empty");
        assert!(a == b, "{name} export differs between the engines");
    }
    for c in p.sqlite.claims().unwrap() {
        let one = |s: &Store| {
            let mut b = Vec::new();
            bundle::write_bundle(&bundle::export_claim(s, c.id).unwrap(), &mut b).unwrap();
            let mut d = Vec::new();
            claimtrack::io::dot::export_claim(s, c.id, &mut d).unwrap();
            (b, d)
        };
        assert!(one(&p.sqlite) == one(&p.pg), "claim {} exports differently", c.id);
    }
    for url in ["https://example.org/troops", "https://example.org/none"] {
        same(
            "reviews at url",
            p.sqlite.reviews_at_url(url),
            p.pg.reviews_at_url(url),
        );
    }
    assert_eq!(
        p.pg.reviews_at_url("https://example.org/troops").unwrap().len(),
        1
    );
}

#[test]
fn verify_history_agrees_and_finds_a_change_made_behind_the_api() {
    let Some(p) = pair("pgread-verify") else { return };
    let a = p.sqlite.verify_history().unwrap();
    let b = p.pg.verify_history().unwrap();
    assert!(b.is_consistent(), "{:?}", b.problems);
    assert_eq!((a.changes, a.records), (b.changes, b.records));
    assert!(b.records > 20 && b.changes > 10, "{b:?}");
    // A claim made by hand and one a batch wrote, both changed with raw SQL on the server.
    let single =
        p.pg.claims()
            .unwrap()
            .into_iter()
            .find(|c| c.text == "More than 10,000 troops were sent")
            .unwrap();
    let bulk = p.pg.claims().unwrap().remove(0);
    let mut c = postgres::Client::connect(p._desks.1.location(), postgres::NoTls).unwrap();
    for id in [single.id, bulk.id] {
        let n = c
            .execute(
                "UPDATE claims SET text = 'tampered' WHERE uuid = $1",
                &[&id.to_string().parse::<uuid::Uuid>().unwrap()],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    let r = p.pg.verify_history().unwrap();
    let found: Vec<_> = r.problems.iter().map(|p| (p.kind, p.problem.clone())).collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found
            .iter()
            .any(|(k, m)| *k == claimtrack::EntityKind::Claim && m.contains("current value differs"))
    );
    assert!(
        found
            .iter()
            .any(|(k, m)| *k == claimtrack::EntityKind::Batch && m.contains("changed behind the API"))
    );
}

/// Runs the built binary on `db`; its exit status and standard output.
fn run(db: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimtrack"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn the_reading_commands_print_the_same_on_both_engines() {
    let Some(p) = pair("pgread-cli") else { return };
    let (file, url) = (p._desks.0.location(), p._desks.1.location());
    let claims = p.sqlite.claims().unwrap();
    let with_review = claims
        .iter()
        .find(|c| c.text == "More than 10,000 troops were sent")
        .unwrap()
        .id
        .to_string();
    let first = claims[0].id.to_string();
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["stats"],
        vec!["--json", "stats"],
        vec!["token", "list"],
        vec!["--json", "token", "list"],
        vec!["history", &first],
        vec!["history", &with_review],
        vec!["--json", "history", &with_review],
        vec!["show", &with_review],
        vec!["--json", "show", &first],
        vec!["export", "--format", "dot", "--claim", &with_review],
        vec!["export", "--format", "claimreview", "--claim", &with_review],
        vec!["export", "--format", "jsonl", "--claim", &first],
    ];
    for f in ["bundle", "jsonl", "claimreview", "csv", "csv-verbatim"] {
        commands.push(vec!["export", "--format", f]);
    }
    for args in &commands {
        let (a, b) = (run(file, args), run(url, args));
        assert_eq!(a.0, Some(0), "{args:?} on SQLite");
        assert!(!a.1.is_empty(), "{args:?} printed nothing");
        assert!(
            a == b,
            "{args:?}: SQLite printed\n{}\nPostgreSQL printed\n{}",
            a.1,
            b.1
        );
    }
    // Tokens made and revoked through the command on the server.
    let (code, secret) = run(url, &["token", "add", "cli-bot", "--role", "read"]);
    assert_eq!(code, Some(0));
    assert!(!secret.trim().is_empty());
    assert_eq!(run(url, &["token", "revoke", "cli-bot"]).0, Some(0));
    let listed = run(url, &["token", "list"]).1;
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("cli-bot\tread") && l.contains("revoked")),
        "{listed}"
    );
    assert_eq!(p.pg.tokens().unwrap().len(), 4);
    // An unknown claim is the same refusal on both.
    let nobody = claimtrack::ClaimId::new().to_string();
    assert_eq!(
        run(file, &["history", &nobody]).0,
        run(url, &["history", &nobody]).0
    );
    assert_eq!(run(url, &["history", &nobody]).0, Some(1));
}
