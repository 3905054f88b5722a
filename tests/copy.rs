//! Moving a desk (`Store::copy_to`, `claimtrack copy`): the seed and the real data sets copied from a file
//! to another file, and from a file to PostgreSQL and back, give byte-identical exports, the same history
//! (which still verifies) and a clean `check`; a target that holds anything is refused untouched.
//!
//! The PostgreSQL round trip needs a server (`eval "$(scripts/pg-test-server start)"`); without
//! `CLAIMTRACK_TEST_PG` it says so and checks the file-to-file copy only (under `CI=true` it fails).

#[path = "common/backend.rs"]
mod backend;
#[path = "common/dir.rs"]
mod dir;

use std::path::Path;
use std::process::Command;

use backend::Desk;
use claimtrack::io::{DataSet, ImportOptions, bundle, claimreview, csv, import_file, jsonl};
use claimtrack::{Error, NewClaim, NewEvidence, NewSource, Role, SourceKind, Stance, Store};
use dir::Dir;

/// A desk with a bit of everything: the seed bundle, four real data sets, a ClaimReview page, a source
/// that became part of a later one, evidence superseded and retracted, a token (one revoked).
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
        (DataSet::Averitec, "averitec/handmade.json"),
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
    let agency = store
        .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
        .unwrap();
    let state = store
        .add_source(NewSource::new("State", SourceKind::GovernmentBody))
        .unwrap();
    let mut a = store.source(agency).unwrap();
    a.part_of = Some(state); // points forward: the copy sets it in its second pass
    store.update_source(&a).unwrap();
    let claim = store
        .add_claim(NewClaim::factual("Troops were deployed"))
        .unwrap();
    let e = store
        .add_evidence(claim, NewEvidence::new(agency, Stance::Supports))
        .unwrap();
    store
        .revise_evidence(e, NewEvidence::new(agency, Stance::Refutes), "read again")
        .unwrap();
    let f = store
        .add_evidence(claim, NewEvidence::new(state, Stance::Mixed))
        .unwrap();
    store.retract_evidence(f, "wrong source").unwrap();
    store.add_token("cms-bot", Role::Write, &[7; 32]).unwrap();
    store.add_token("old-bot", Role::Read, &[8; 32]).unwrap();
    store.revoke_token("old-bot").unwrap();
}

/// Every export the store makes, as bytes.
fn exports(store: &Store) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    let mut b = Vec::new();
    bundle::write_bundle(&bundle::export(store).unwrap(), &mut b).unwrap();
    out.push(("bundle", b));
    let mut j = Vec::new();
    jsonl::export(store, &mut j).unwrap();
    out.push(("jsonl", j));
    let mut c = Vec::new();
    claimreview::export(store, &mut c).unwrap();
    out.push(("claimreview", c));
    let mut v = Vec::new();
    csv::export(store, &mut v).unwrap();
    out.push(("csv", v));
    out
}

/// The whole history, claim by claim, and the tokens.
fn history(store: &Store) -> String {
    let mut s = String::new();
    for c in store.claims().unwrap() {
        s.push_str(&format!("{:?}\n", store.history_of(c.id).unwrap()));
    }
    s.push_str(&format!("{:?}", store.tokens().unwrap()));
    s
}

fn same_desk(a: &Store, b: &Store) {
    for ((name, x), (_, y)) in exports(a).into_iter().zip(exports(b)) {
        assert!(x == y, "{name} export differs after the copy");
        assert!(!x.is_empty(), "{name} export is empty");
    }
    assert_eq!(history(a), history(b));
    let v = b.verify_history().unwrap();
    assert!(v.is_consistent(), "{:?}", v.problems);
    let c = b.check().unwrap();
    assert!(c.is_ok(), "{:?}", c.problems);
}

#[test]
fn a_file_copied_to_another_file_is_the_same_desk() {
    let dir = Dir::new("copy-file");
    let source = Store::open(dir.path("a.db")).unwrap();
    desk(&source);
    let target = Store::open(dir.path("b.db")).unwrap();
    let report = source.copy_to(&target).unwrap();
    let claims = report.tables.iter().find(|(t, _)| t == "claims").unwrap().1;
    assert_eq!(claims, source.claims().unwrap().len() as u64);
    assert!(report.tables.iter().all(|(_, n)| *n > 0), "{report:?}");
    same_desk(&source, &target);
    // The target is a desk like any other: it takes new work.
    target
        .add_claim(NewClaim::factual("Written after the move"))
        .unwrap();
}

#[test]
fn a_target_that_holds_anything_is_refused_untouched() {
    let dir = Dir::new("copy-refused");
    let source = Store::open(dir.path("a.db")).unwrap();
    desk(&source);
    let target = Store::open(dir.path("b.db")).unwrap();
    target.add_claim(NewClaim::factual("Already here")).unwrap();
    let before = exports(&target);
    let e = source.copy_to(&target).unwrap_err();
    assert!(matches!(e, Error::Invalid { field: "to", .. }), "{e:?}");
    assert_eq!(exports(&target), before);
    assert_eq!(target.claims().unwrap().len(), 1);
}

#[test]
fn a_desk_moved_to_postgres_and_back_gives_byte_identical_exports() {
    let Some(pg) = Desk::postgres("copy-there-and-back") else {
        return;
    };
    let dir = Dir::new("copy-pg");
    let source = Store::open(dir.path("a.db")).unwrap();
    desk(&source);
    let server = pg.open();
    let there = source.copy_to(&server).unwrap();
    let back = Store::open(dir.path("back.db")).unwrap();
    let again = server.copy_to(&back).unwrap();
    assert_eq!(there, again, "rows per table differ between the two legs");
    same_desk(&source, &back);
    // The server refuses a second copy into it, untouched.
    let e = source.copy_to(&server).unwrap_err();
    assert!(matches!(e, Error::Invalid { field: "to", .. }), "{e:?}");

    // Through the command, into another schema, with a password in the URL (the test server trusts
    // local connections and ignores it): the output never shows the password.
    let Some(other) = Desk::postgres("copy-cli") else {
        return;
    };
    let with_password = other.location().replacen("postgres@", "postgres:hunter2@", 1);
    assert!(with_password.contains("hunter2"), "{with_password}");
    drop(source);
    let out = Command::new(env!("CARGO_BIN_EXE_claimtrack"))
        .args(["copy", "--from"])
        .arg(dir.path("a.db"))
        .arg("--to")
        .arg(&with_password)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("postgres:***@") && !stdout.contains("hunter2"),
        "{stdout}"
    );
    let copied = other.open();
    let back2 = Store::open(dir.path("back2.db")).unwrap();
    copied.copy_to(&back2).unwrap();
    same_desk(&Store::open(dir.path("a.db")).unwrap(), &back2);
}

#[test]
fn the_copy_command_moves_a_desk_and_refuses_a_full_target() {
    let dir = Dir::new("copy-cli");
    let source = Store::open(dir.db()).unwrap();
    desk(&source);
    drop(source);
    let bin = env!("CARGO_BIN_EXE_claimtrack");
    let to = dir.path("moved.db");
    let out = Command::new(bin)
        .args(["--json", "copy", "--from"])
        .arg(dir.db())
        .arg("--to")
        .arg(&to)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["rows"].as_u64().unwrap() > 100, "{v}");
    same_desk(&Store::open(dir.db()).unwrap(), &Store::open(&to).unwrap());
    // Again into the same (now full) target: refused, exit 1, the target unchanged.
    let before = std::fs::read(&to).unwrap();
    let out = Command::new(bin)
        .args(["copy", "--from"])
        .arg(dir.db())
        .arg("--to")
        .arg(&to)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));
    assert_eq!(std::fs::read(&to).unwrap(), before);
    // The same store on both sides, and a missing source: refused, nothing made.
    let out = Command::new(bin)
        .args(["copy", "--to"])
        .arg(dir.db())
        .arg("--db")
        .arg(dir.db())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = Command::new(bin)
        .args(["copy", "--from"])
        .arg(dir.path("missing.db"))
        .arg("--to")
        .arg(dir.path("never.db"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path("never.db").exists());
    assert!(!dir.path("missing.db").exists());
    // A folder given as either side: refused, naming that side (the store's own name for it is `db`).
    for (flag, args) in [
        (
            "to",
            [
                "--from",
                dir.db().to_str().unwrap(),
                "--to",
                dir.path("").to_str().unwrap(),
            ],
        ),
        (
            "from",
            [
                "--from",
                dir.path("").to_str().unwrap(),
                "--to",
                dir.path("new.db").to_str().unwrap(),
            ],
        ),
    ] {
        let out = Command::new(bin).arg("copy").args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(&format!("invalid {flag}: ")), "{flag}: {stderr}");
        assert!(!dir.path("new.db").exists());
    }
}

/// A history value appended by hand to a file (the triggers refuse only UPDATE and DELETE) may hold a
/// `\u0000` escape: SQLite's `json_valid` takes it, and so does PostgreSQL's `json`, but not the `jsonb`
/// twin generated from it. Copying such a file to a server is refused with a typed error naming the
/// entry (never a raw database error), the server left empty; so is a record holding a NUL written by
/// hand.
#[test]
fn a_value_postgres_cannot_hold_is_refused_by_name() {
    let Some(pg) = Desk::postgres("copy-nul") else {
        return;
    };
    let dir = Dir::new("copy-nul");
    let source = Store::open(dir.path("a.db")).unwrap();
    let claim = source
        .add_claim(NewClaim::factual("Troops were deployed"))
        .unwrap();
    drop(source);
    let conn = rusqlite::Connection::open(dir.path("a.db")).unwrap();
    // A rewording and its undoing, as a hand-written pair of entries: the chain still ends at the
    // stored value, so SQLite's check passes.
    conn.execute_batch(
        "INSERT INTO history (at, actor, entity_kind, entity, operation, before, after)
             SELECT at + 1, actor, entity_kind, entity, 'update', after,
                    replace(after, 'Troops', 'Tr\\u0000oops') FROM history WHERE id = 1;
         INSERT INTO history (at, actor, entity_kind, entity, operation, before, after)
             SELECT at + 2, actor, entity_kind, entity, 'update',
                    replace(after, 'Troops', 'Tr\\u0000oops'), after FROM history WHERE id = 1;",
    )
    .unwrap();
    drop(conn);
    let source = Store::open(dir.path("a.db")).unwrap();
    assert_eq!(source.history_of(claim).unwrap().len(), 3);
    let server = pg.open();
    match source.copy_to(&server) {
        Err(Error::Invalid {
            field: "history",
            reason,
        }) => {
            assert!(reason.contains("entry 2"), "{reason}");
        }
        other => panic!("expected Invalid naming history entry 2, got {other:?}"),
    }
    assert!(server.claims().unwrap().is_empty());
    assert!(server.history_of(claim).unwrap().is_empty());
    drop(source);

    // Other JSON that json_valid takes and PostgreSQL does not: a number beyond numeric's range, a
    // number too small for it, a lone surrogate. Each in a file of its own, each refused by name.
    for (n, value) in ["1e999999", "1e-999999", "\"\\ud800\""].iter().enumerate() {
        let path = dir.path(&format!("json{n}.db"));
        let s = Store::open(&path).unwrap();
        s.add_claim(NewClaim::factual("Troops were deployed")).unwrap();
        drop(s);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO history (at, actor, entity_kind, entity, operation, before, after)
                 SELECT at + 1, actor, entity_kind, entity, 'update', after,
                        json_set(after, '$.x', json(?1)) FROM history WHERE id = 1",
            [value],
        )
        .unwrap();
        drop(conn);
        match Store::open(&path).unwrap().copy_to(&server) {
            Err(Error::Invalid {
                field: "history",
                reason,
            }) => {
                assert!(reason.contains("history entry 2"), "{value}: {reason}");
            }
            other => panic!("{value}: expected Invalid naming history entry 2, got {other:?}"),
        }
        assert!(server.claims().unwrap().is_empty());
    }

    // A record's text with a NUL written by hand: refused naming the table, the row and the column.
    let conn = rusqlite::Connection::open(dir.path("a.db")).unwrap();
    conn.execute_batch("UPDATE claims SET text = 'Tr' || char(0) || 'oops'")
        .unwrap();
    drop(conn);
    let source = Store::open(dir.path("a.db")).unwrap();
    match source.copy_to(&server) {
        Err(Error::Invalid {
            field: "text",
            reason,
        }) => {
            assert!(reason.contains("claims row 1"), "{reason}");
        }
        other => panic!("expected Invalid naming claims row 1, got {other:?}"),
    }
    assert!(server.claims().unwrap().is_empty());
}

/// A password may also be given as a query parameter of the URL (`?password=…`, its key even
/// percent-encoded), or hold a `/` the URL did not encode: the commands that print the database's name
/// (`init`, `copy`, human and JSON) never print it.
#[test]
fn a_password_anywhere_in_the_url_is_never_printed() {
    let Some(pg) = Desk::postgres("copy-password-param") else {
        return;
    };
    let dir = Dir::new("copy-password-param");
    let source = Store::open(dir.path("a.db")).unwrap();
    source
        .add_claim(NewClaim::factual("Troops were deployed"))
        .unwrap();
    drop(source);
    let base = pg.location();
    let sep = if base.contains('?') { '&' } else { '?' };
    let bin = env!("CARGO_BIN_EXE_claimtrack");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(bin).args(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(
            !stdout.contains("hunter2") && !stdout.contains("hun/ter2") && !stderr.contains("hunter2"),
            "{args:?} printed the password: {stdout}{stderr}"
        );
        assert!(stdout.contains("***"), "{args:?}: {stdout}");
    };
    let urls = [
        format!("{base}{sep}password=hunter2"),
        format!("{base}{sep}pass%77ord=hunter2&application_name=x"),
        base.replacen("postgres@", "postgres:hun/ter2@", 1),
    ];
    let a = dir.path("a.db");
    for (n, url) in urls.iter().enumerate() {
        assert!(url.contains("hunter2") || url.contains("hun/ter2"), "{url}");
        let url = std::ffi::OsStr::new(url);
        run(&["--db".as_ref(), url, "init".as_ref()]);
        run(&["--json".as_ref(), "--db".as_ref(), url, "init".as_ref()]);
        if n == 0 {
            run(&[
                "copy".as_ref(),
                "--from".as_ref(),
                a.as_os_str(),
                "--to".as_ref(),
                url,
            ]);
        }
        let back = dir.path(&format!("back{n}.db"));
        run(&[
            "--json".as_ref(),
            "copy".as_ref(),
            "--from".as_ref(),
            url,
            "--to".as_ref(),
            back.as_os_str(),
        ]);
    }
}

/// Text that is not UTF-8, cast into a file by hand: the copy is refused naming the table, row and
/// column (as `check` names it), not with a bare database error, and the target stays empty.
#[test]
fn text_that_is_not_utf8_is_refused_by_name() {
    let dir = Dir::new("copy-not-utf8");
    let source = Store::open(dir.path("a.db")).unwrap();
    source
        .add_claim(NewClaim::factual("Troops were deployed"))
        .unwrap();
    drop(source);
    let conn = rusqlite::Connection::open(dir.path("a.db")).unwrap();
    conn.execute_batch("UPDATE claims SET text = CAST(x'54ff72' AS TEXT)")
        .unwrap();
    drop(conn);
    let source = Store::open(dir.path("a.db")).unwrap();
    let target = Store::open(dir.path("b.db")).unwrap();
    match source.copy_to(&target) {
        Err(Error::Invalid {
            field: "from",
            reason,
        }) => {
            assert!(reason.contains("claims row 1 (text)"), "{reason}");
        }
        other => panic!("expected Invalid naming claims row 1, got {other:?}"),
    }
    assert!(target.claims().unwrap().is_empty());
}
