//! Reliability round 2 (issue 11) through the built binary: the files the tool writes, the exit codes
//! it returns and the markup it produces, tried as a careless or hostile user would.
#![cfg(feature = "cli")]

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_claimtrack");

#[path = "common/backend.rs"]
mod backend;
#[path = "common/dir.rs"]
mod dir;
use backend::{Desk, per_backend};
use dir::Dir;
impl Dir {
    /// [`names`](Self::names) without the database's own `-wal` and `-shm` (a reader who may write
    /// the database uses SQLite's ordinary locking, which keeps them).
    fn outputs(&self) -> Vec<String> {
        let mut v = self.names();
        v.retain(|n| !n.ends_with(".db-wal") && !n.ends_with(".db-shm"));
        v
    }
}

fn cmd(db: &(impl AsRef<OsStr> + ?Sized), args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db")
        .arg(db.as_ref())
        .args(args)
        .env_remove("CLAIMTRACK_DB")
        .env_remove("CLAIMTRACK_ACTOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn no_panic(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("internal error"),
        "panic on stderr: {stderr}"
    );
    assert_ne!(out.status.code(), Some(101), "exit 101 is a panic");
}

fn run(db: &(impl AsRef<OsStr> + ?Sized), args: &[&str]) -> Output {
    let out = cmd(db, args).output().unwrap();
    no_panic(&out);
    out
}

fn ok(db: &(impl AsRef<OsStr> + ?Sized), args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(db: &(impl AsRef<OsStr> + ?Sized), args: &[&str], stderr_has: &str) -> String {
    let out = run(db, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{args:?} should fail: {stderr}");
    assert!(
        stderr.contains(stderr_has),
        "{args:?}: {stderr:?} lacks {stderr_has:?}"
    );
    stderr
}

/// A database with a source, a claim containing markup, and a review with a URL.
fn desk(dir: &Dir) -> (PathBuf, String) {
    let db = dir.path("desk.db");
    let claim = fill(&db);
    (db, claim)
}

/// [`desk`] on the test's own database of either backend (`tests/common/backend.rs`): its `--db` and
/// the claim's id.
fn desk_on(d: &Desk) -> (&str, String) {
    (d.location(), fill(d.location()))
}

/// A temporary folder for the files a test writes, of its own per backend (both halves of a test run
/// at once in one process).
fn files(tag: &str, d: &Desk) -> Dir {
    Dir::new(&format!("{tag}-{:?}", d.backend()))
}

/// Initialises `db` and writes [`desk`]'s records; returns the claim's id.
fn fill(db: &(impl AsRef<OsStr> + ?Sized)) -> String {
    let db = db.as_ref();
    ok(db, &["init"]);
    ok(db, &["add-source", "Desk Checks", "--kind", "organisation"]);
    let claim = ok(
        db,
        &[
            "add-claim",
            "Troops </script><script>alert(1)</script> & <!-- more",
        ],
    )
    .trim()
    .to_string();
    ok(
        db,
        &[
            "review",
            &claim,
            "--verdict",
            "false",
            "--reviewer",
            "Desk Checks",
            "--url",
            "https://checks.example/troops?a=1&b=<2>",
        ],
    );
    claim
}

// ------------------------------------------------------------------------------------------ item 1

#[test]
fn export_refuses_the_database_and_its_wal_and_shm_by_any_name() {
    let dir = Dir::new("overdb");
    let (db, _) = desk(&dir);
    let before = fs::read(&db).unwrap();
    let link = dir.path("link.db");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let hard = dir.path("hard.db");
    fs::hard_link(&db, &hard).unwrap();
    let sub = dir.path("sub");
    fs::create_dir(&sub).unwrap();
    let dotted = sub.join("../desk.db");
    let wal = dir.path("desk.db-wal");
    let shm = dir.path("desk.db-shm");
    for target in [&db, &link, &hard, &dotted, &wal, &shm] {
        let stderr = fails(
            &db,
            &["export", "-f", "csv", "-o", target.to_str().unwrap()],
            "database",
        );
        assert!(stderr.contains("give another output file"), "{stderr}");
        assert_eq!(fs::read(&db).unwrap(), before, "{}", target.display());
    }
    // Through a symlink to the database, given as --db too.
    fails(
        &link,
        &["export", "-f", "csv", "-o", db.to_str().unwrap()],
        "database",
    );
    assert!(link.is_symlink());
    ok(&db, &["check"]);
    // No temporary file was left behind.
    assert_eq!(dir.outputs(), ["desk.db", "hard.db", "link.db", "sub"]);
}

#[test]
fn export_writes_through_a_symlink_and_to_devices_and_pipes() {
    let dir = Dir::new("links");
    let (db, _) = desk(&dir);
    let real = dir.path("real.csv");
    fs::write(&real, "old").unwrap();
    let link = dir.path("out.csv");
    std::os::unix::fs::symlink("real.csv", &link).unwrap();
    ok(&db, &["export", "-f", "csv", "-o", link.to_str().unwrap()]);
    assert!(link.is_symlink(), "the symlink is still a symlink");
    let written = fs::read_to_string(&real).unwrap();
    assert!(written.starts_with("claim_id,"), "{written}");
    // A dangling symlink is written through too: the file it names is created.
    let dangling = dir.path("dangling.jsonl");
    std::os::unix::fs::symlink("target.jsonl", &dangling).unwrap();
    ok(&db, &["export", "-f", "jsonl", "-o", dangling.to_str().unwrap()]);
    assert!(dangling.is_symlink());
    assert!(
        fs::read_to_string(dir.path("target.jsonl"))
            .unwrap()
            .contains("claimtrack")
    );

    // A device stays a device.
    ok(&db, &["export", "-f", "jsonl", "-o", "/dev/null"]);
    let null = fs::metadata("/dev/null").unwrap();
    assert!(!null.is_file(), "/dev/null was replaced by a regular file");
    // /dev/stdout, when stdout is a pipe, is written to directly.
    let out = ok(&db, &["export", "-f", "csv", "-o", "/dev/stdout"]);
    assert!(out.starts_with("claim_id,"), "{out}");

    // A directory is refused, not replaced.
    fails(
        &db,
        &["export", "-f", "csv", "-o", dir.0.to_str().unwrap()],
        "directory",
    );
    assert!(dir.0.is_dir());
    // An existing file keeps its permissions.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    ok(&db, &["export", "-f", "csv", "-o", real.to_str().unwrap()]);
    assert_eq!(fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
}

// ------------------------------------------------------------------------------------------ item 2

#[test]
fn two_exports_at_once_each_get_their_own_file() {
    let dir = Dir::new("twoexports");
    let (db, _) = desk(&dir);
    for round in 0..5 {
        let csv = dir.path("out.csv");
        let jsonl = dir.path("out.jsonl");
        let a = cmd(&db, &["export", "-f", "csv", "-o", csv.to_str().unwrap()])
            .spawn()
            .unwrap();
        let b = cmd(&db, &["export", "-f", "jsonl", "-o", jsonl.to_str().unwrap()])
            .spawn()
            .unwrap();
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(a.status.success() && b.status.success(), "round {round}");
        let csv = fs::read_to_string(csv).unwrap();
        let jsonl = fs::read_to_string(jsonl).unwrap();
        assert!(
            csv.starts_with("claim_id,") && !csv.contains("claimtrack-jsonl"),
            "{csv}"
        );
        assert!(
            jsonl.lines().all(|l| l.starts_with('{')),
            "round {round}: a CSV line in the JSON Lines file:\n{jsonl}"
        );
    }
    assert_eq!(dir.outputs(), ["desk.db", "out.csv", "out.jsonl"]);
}

#[test]
fn a_failed_export_leaves_the_old_file_and_no_temporary_file() {
    let dir = Dir::new("failedexport");
    let (db, _) = desk(&dir);
    let out = dir.path("graph.dot");
    fs::write(&out, "old").unwrap();
    // dot needs --claim: refused after the output was named.
    fails(
        &db,
        &["export", "-f", "dot", "-o", out.to_str().unwrap()],
        "--claim",
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), "old");
    assert_eq!(dir.outputs(), ["desk.db", "graph.dot"]);
}

// ------------------------------------------------------------------------------------------ item 3

per_backend!(a_date_beyond_the_range_is_refused_by_every_date_flag);
fn a_date_beyond_the_range_is_refused_by_every_date_flag(d: &Desk) {
    let (db, claim) = desk_on(d);
    for late in ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"] {
        fails(
            db,
            &["attribute", &claim, "--speaker", "Desk Checks", "--said-on", late],
            "outside the years",
        );
        fails(
            db,
            &[
                "evidence",
                &claim,
                "--source",
                "Desk Checks",
                "--stance",
                "supports",
                "--as-of",
                late,
            ],
            "outside the years",
        );
    }
    ok(db, &["check"]);
}

// ------------------------------------------------------------------------------------------ item 4

/// Damages the database behind claimtrack's back, as another program would: the history's
/// append-only guards dropped and the history rewritten (item 5), which `check` must report.
fn damage(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'history'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(!triggers.is_empty());
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{t}\"")).unwrap();
    }
    conn.execute_batch("UPDATE history SET actor = 'nobody'").unwrap();
}

#[test]
fn check_fails_even_when_its_output_pipe_is_closed() {
    let dir = Dir::new("checkpipe");
    let (db, _) = desk(&dir);
    ok(&db, &["check"]);
    damage(&db);
    // check on the damaged file fails with its output read, naming the dropped guard (item 5)…
    let out = run(&db, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("schema: trigger history_"), "{stdout}");
    // …and with its reader gone before it writes (`claimtrack check | head -0`): still a failure.
    for _ in 0..5 {
        let mut child = cmd(&db, &["check"]).spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        no_panic(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "check | head on a damaged database exited 0"
        );
    }
    // A command that succeeded stops quietly with success when its reader goes away (as `git log |
    // head` does).
    let mut child = cmd(&db, &["stats"]).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn output_that_cannot_be_written_is_a_failure() {
    let dir = Dir::new("devfull");
    let (db, _) = desk(&dir);
    for args in [
        &["stats"][..],
        &["export", "-f", "jsonl"],
        &["export", "-f", "csv"],
        &["search", "troops"],
        &["check"],
    ] {
        let full = fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = cmd(&db, args).stdout(full).output().unwrap();
        no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?} to /dev/full exited 0");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("space"), "{args:?}: {stderr}");
    }
}

// ----------------------------------------------------------------------------------------- item 11

per_backend!(claimreview_markup_is_safe_to_embed_and_urls_are_web_addresses);
fn claimreview_markup_is_safe_to_embed_and_urls_are_web_addresses(d: &Desk) {
    let (db, claim) = desk_on(d);
    let markup = ok(db, &["export", "-f", "claimreview", "--claim", &claim]);
    for raw in ['<', '>', '&'] {
        assert!(!markup.contains(raw), "raw {raw:?} in markup:\n{markup}");
    }
    assert!(markup.contains(r"\u003c/script\u003e"), "{markup}");
    // The same JSON value: the text and URL read back exactly.
    let v: serde_json::Value = serde_json::from_str(&markup).unwrap();
    assert_eq!(
        v["claimReviewed"],
        "Troops </script><script>alert(1)</script> & <!-- more"
    );
    assert_eq!(v["url"], "https://checks.example/troops?a=1&b=<2>");
    let whole = ok(db, &["export", "-f", "claimreview"]);
    assert!(!whole.contains('<') && whole.contains(r"\u003c"), "{whole}");

    for bad in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example/x",
        "https://",
        "ftp://files.example/x",
        "file:///etc/passwd",
        "https://ok.example/\u{7}",
    ] {
        fails(
            db,
            &["review", &claim, "--verdict", "false", "--url", bad],
            "http or https",
        );
    }
    ok(
        db,
        &[
            "review",
            &claim,
            "--verdict",
            "true",
            "--url",
            "HTTPS://Checks.Example/ok",
        ],
    );
}

// ---------------------------------------------------------------------------------------- items 6-9

/// `claimtrack` run as the user `nobody` (setpriv), when the tests run as root with setpriv at hand.
fn as_nobody(db: &Path, args: &[&str]) -> Option<Output> {
    let root = fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"));
    if !root || !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("not root or no setpriv: the second-user checks are skipped");
        return None;
    }
    let out = Command::new("/usr/bin/setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN, "--db"])
        .arg(db)
        .args(args)
        .env_remove("CLAIMTRACK_DB")
        .output()
        .unwrap();
    no_panic(&out);
    Some(out)
}

#[test]
fn a_second_user_reads_without_leaving_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Dir::new("seconduser");
    fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o755)).unwrap();
    // The binary must be reachable by nobody: a copy in the world-readable folder.
    let (db, claim) = desk(&dir);
    fs::set_permissions(&db, fs::Permissions::from_mode(0o644)).unwrap();
    let before = fs::read(&db).unwrap();
    let Some(out) = as_nobody(&db, &["stats"]) else {
        return;
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("claims        1"));
    for args in [
        &["show", claim.as_str()][..],
        &["search", "troops"],
        &["similar", "troops"],
        &["history", claim.as_str()],
        &["export", "-f", "jsonl"],
    ] {
        let out = as_nobody(&db, args).unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        dir.names(),
        ["desk.db"],
        "the reader left files beside the database"
    );
    assert_eq!(fs::read(&db).unwrap(), before);
    // The owner still writes.
    ok(&db, &["add-claim", "Written after a second user read"]);
    // A write by the second user is refused, and changes nothing.
    let out = as_nobody(&db, &["add-claim", "Not mine to write"]).unwrap();
    assert_eq!(out.status.code(), Some(1));

    // A read-only database in a read-only folder can be read.
    ok(&db, &["check"]);
    let names_before = dir.names();
    fs::set_permissions(&db, fs::Permissions::from_mode(0o444)).unwrap();
    fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o555)).unwrap();
    let out = as_nobody(&db, &["stats"]).unwrap();
    fs::set_permissions(&dir.0, fs::Permissions::from_mode(0o755)).unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("claims        2"));
    assert_eq!(dir.names(), names_before);
}

#[test]
fn another_applications_file_given_as_db_is_not_taken_over() {
    let dir = Dir::new("foreigncli");
    let db = dir.path("invoices.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 2.5);",
    )
    .unwrap();
    drop(conn);
    let before = fs::read(&db).unwrap();
    for args in [&["init"][..], &["stats"], &["add-claim", "x"]] {
        fails(&db, args, "not claimtrack's");
        assert_eq!(fs::read(&db).unwrap(), before);
        assert_eq!(dir.names(), ["invoices.db"]);
    }
}

#[test]
fn many_processes_creating_one_new_file_all_succeed() {
    let dir = Dir::new("manyinit");
    for round in 0..4 {
        let db = dir.path(&format!("new-{round}.db"));
        if round % 2 == 1 {
            fs::write(&db, b"").unwrap(); // a zero-byte file is a new database too
        }
        let children: Vec<_> = (0..6)
            .map(|i| {
                let args: Vec<String> = if i % 2 == 0 {
                    vec!["init".into()]
                } else {
                    vec!["--actor".into(), format!("p{i}"), "init".into()]
                };
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                cmd(&db, &args).spawn().unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            no_panic(&out);
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        ok(&db, &["check"]);
    }
}

// ----------------------------------------------------------------------------------------- item 12

#[test]
fn smaller_items_are_refused_clearly() {
    let dir = Dir::new("smaller");
    let (db, _) = desk(&dir);
    // An actor is one line.
    fails(&db, &["--actor", "eve\nadmin", "add-claim", "x"], "actor");
    // The help says what the history records by default.
    let help = ok(&db, &["--help"]);
    assert!(help.contains("default: \"unknown\""), "{help}");
    // A relay chain A -> A -> A is a slip, not three hops.
    let claim = ok(&db, &["add-claim", "Relayed to itself"]).trim().to_string();
    fails(
        &db,
        &[
            "attribute",
            &claim,
            "--speaker",
            "Desk Checks",
            "--via",
            "Desk Checks",
            "--via",
            "Desk Checks",
        ],
        "relays the claim to itself",
    );
    // A relay back to an earlier source is a real chain (A -> B -> A: B quotes A's reply), kept.
    ok(&db, &["add-source", "Wire", "--kind", "news_agency"]);
    ok(
        &db,
        &[
            "attribute",
            &claim,
            "--speaker",
            "Desk Checks",
            "--via",
            "Wire",
            "--via",
            "Desk Checks",
        ],
    );
    // Aliases that differ only in case or spacing are one alias, the first spelling kept.
    ok(
        &db,
        &[
            "add-source",
            "Bar",
            "--kind",
            "outlet",
            "--alias",
            "foo",
            "--alias",
            "FOO",
            "--alias",
            "foo ",
            "--alias",
            "bar",
        ],
    );
    let bundle: serde_json::Value = serde_json::from_str(&ok(&db, &["export", "-f", "bundle"])).unwrap();
    let bar = bundle["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Bar")
        .unwrap();
    assert_eq!(bar["aliases"], serde_json::json!(["foo"]), "{bar}");
    // A --limit above the ranking window says why fewer hits may come back.
    let found = ok(&db, &["search", "troops", "--limit", "500"]);
    assert!(found.contains("ranks at most the newest 200"), "{found}");
    // An in-memory database is not "created".
    fails(Path::new(":memory:"), &["init"], "in-memory");
    // A lowered schema version: a short message, not kilobytes of SQL.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("PRAGMA user_version = 0").unwrap();
    drop(conn);
    let stderr = fails(&db, &["add-claim", "x"], "migration");
    assert!(stderr.len() < 600, "{} bytes: {stderr}", stderr.len());
    assert!(!stderr.contains("CREATE TABLE"), "{stderr}");
}

// ----------------------------------------------------------------------------------------- item 10

per_backend!(a_claimreview_or_fact_check_import_that_lands_nothing_fails);
fn a_claimreview_or_fact_check_import_that_lands_nothing_fails(d: &Desk) {
    let dir = files("nothing", d);
    let (db, _) = desk_on(d);
    let file = dir.path("empty.json");
    for (format, body) in [
        ("claimreview", "[]"),
        ("claimreview", r#"{"@type": "WebPage", "name": "no review here"}"#),
        ("claimreview", r#"[{"@type": "ClaimReview"}]"#),
        ("factcheck-api", r#"{"claims": []}"#),
        ("factcheck-api", r#"{"claims": [{"claimant": "no text"}]}"#),
    ] {
        fs::write(&file, body).unwrap();
        let out = run(db, &["import", "-f", format, file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{format} {body}: exited 0");
        assert!(String::from_utf8_lossy(&out.stderr).contains("nothing could be imported"));
    }
    // A file that lands something still succeeds.
    fs::write(
        &file,
        r#"{"@type": "ClaimReview", "claimReviewed": "One claim", "reviewRating": {"alternateName": "False"}}"#,
    )
    .unwrap();
    ok(db, &["import", "-f", "claimreview", file.to_str().unwrap()]);
    // A directory given as the import file is named as such.
    fails(
        db,
        &["import", "-f", "jsonl", dir.0.to_str().unwrap()],
        "directory",
    );
}

per_backend!(strict_imports_refuse_the_whole_file_and_duplicate_keys_are_reported);
fn strict_imports_refuse_the_whole_file_and_duplicate_keys_are_reported(d: &Desk) {
    let dir = files("strict", d);
    let (db, _) = desk_on(d);
    // The file's bytes on SQLite; on both, everything the database holds.
    let everything = || {
        (
            d.path().map(|p| fs::read(p).unwrap()),
            ok(db, &["export", "-f", "jsonl"]),
            ok(db, &["--json", "stats"]),
        )
    };
    let file = dir.path("feed.json");
    let good = |t: &str| {
        format!(
            r#"{{"@type": "ClaimReview", "claimReviewed": "{t}", "reviewRating": {{"alternateName": "False"}}}}"#
        )
    };
    let page = |claims: &str| format!(r#"{{"claims": [{claims}]}}"#);
    let fc = |t: &str| format!(r#"{{"text": "{t}", "claimReview": [{{"textualRating": "False"}}]}}"#);
    for (format, body, bad) in [
        // A node without the claim's text.
        (
            "claimreview",
            format!(
                r#"[{}, {{"@type": "ClaimReview"}}, {}]"#,
                good("One"),
                good("Three")
            ),
            "$[1]",
        ),
        // A node that gives a key twice.
        (
            "claimreview",
            format!(
                r#"[{}, {}]"#,
                good("One"),
                good("Two").replace(
                    r#""claimReviewed""#,
                    r#""claimReviewed": "Deux", "claimReviewed""#
                )
            ),
            "$[1].claimReviewed",
        ),
        (
            "factcheck-api",
            page(&format!(r#"{}, {{"claimant": "no text"}}"#, fc("One"))),
            "$.claims[1]",
        ),
        (
            "factcheck-api",
            page(&format!(
                r#"{}, {}"#,
                fc("One"),
                fc("Two").replace(r#""text": "Two""#, r#""text": "Two", "text": "Deux""#)
            )),
            "$.claims[1].text",
        ),
    ] {
        fs::write(&file, &body).unwrap();
        let before = everything();
        let stderr = fails(
            db,
            &["import", "--strict", "-f", format, file.to_str().unwrap()],
            bad,
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(everything(), before, "{format} --strict wrote: {body}");
        // Without --strict the good records land and the bad one is listed.
        let out = ok(db, &["import", "-f", format, file.to_str().unwrap()]);
        assert!(out.contains("skipped") && out.contains(bad), "{out}");
    }
    // The same through stdin.
    let body = format!(r#"[{}, {{"@type": "ClaimReview"}}]"#, good("Piped"));
    let mut child = cmd(db, &["import", "--strict", "-f", "claimreview", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("$[1]"));
}
