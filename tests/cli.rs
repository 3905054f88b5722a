//! The `claimtrack` binary, run as a user would: every command, successes and failures.
#![cfg(feature = "cli")]

use std::ffi::OsStr;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_claimtrack");

#[path = "common/backend.rs"]
mod backend;
#[path = "common/dir.rs"]
mod dir;
use backend::{Desk, per_backend};
use dir::Dir;

/// What `--db` takes: a file's path or a PostgreSQL URL.
type Db = OsStr;

/// A temporary folder for the files a test writes, of its own per backend (both halves of a test run
/// at once in one process).
fn files(tag: &str, desk: &Desk) -> Dir {
    Dir::new(&format!("{tag}-{:?}", desk.backend()))
}

fn run_in(db: &(impl AsRef<Db> + ?Sized), args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db.as_ref())
        .args(args)
        .env_remove("CLAIMTRACK_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "panic message on stderr: {stderr}");
    out
}

fn ok(db: &(impl AsRef<Db> + ?Sized), args: &[&str]) -> String {
    let out = run_in(db, args, None);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Quiet when piped: no progress bar, no chatter on stderr.
    assert!(
        out.stderr.is_empty(),
        "{args:?} wrote to stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(db: &(impl AsRef<Db> + ?Sized), args: &[&str], stderr_has: &str) -> Output {
    let out = run_in(db, args, None);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?} should fail with exit code 1"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(stderr_has),
        "{args:?}: stderr {stderr:?} lacks {stderr_has:?}"
    );
    assert!(out.stdout.is_empty(), "{args:?} wrote to stdout on failure");
    out
}

/// What a command other than `init` says on a PostgreSQL schema claimtrack has not set up: what to run,
/// as SQLite's "no database at" does.
const NOT_INITIALISED_PG: &str = "no claimtrack schema here yet (opened read-only, nothing is created); \
                                  create it once with claimtrack init";

/// How many tables the desk's PostgreSQL schema holds.
#[cfg(feature = "postgres")]
fn postgres_tables(desk: &Desk) -> i64 {
    backend::pg::connect(desk.location())
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
            &[],
        )
        .unwrap()
        .get(0)
}

#[cfg(not(feature = "postgres"))]
fn postgres_tables(_desk: &Desk) -> i64 {
    unreachable!("no PostgreSQL desk without the postgres feature")
}

fn id(stdout: &str) -> String {
    let id = stdout.trim().to_string();
    assert_eq!(id.len(), 36, "not an id: {stdout:?}");
    id
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

per_backend!(a_desk_session_from_init_to_check);
fn a_desk_session_from_init_to_check(desk: &Desk) {
    let db = desk.location();
    match desk.path() {
        Some(path) => {
            fails(db, &["stats"], "no database at");
            assert!(
                !path.exists(),
                "a command other than init must not create the database"
            );
        }
        None => {
            fails(db, &["stats"], NOT_INITIALISED_PG);
            assert_eq!(
                postgres_tables(desk),
                0,
                "a command other than init must not create the schema"
            );
        }
    }
    assert!(ok(db, &["init"]).contains("created"));
    assert!(ok(db, &["init"]).contains("up to date"));
    assert_eq!(
        json(&ok(db, &["--json", "init"]))["schema_version"],
        claimtrack::SCHEMA_VERSION
    );

    let russia = id(&ok(
        db,
        &[
            "add-source",
            "Government of Russia",
            "--kind",
            "government_body",
            "--country",
            "RU",
            "--alias",
            "Russia",
        ],
    ));
    let lavrov = id(&ok(
        db,
        &[
            "add-source",
            "Sergei Lavrov",
            "--kind",
            "person",
            "--part-of",
            "russia",
        ],
    ));
    let media = id(&ok(
        db,
        &[
            "add-source",
            "Russian media",
            "--kind",
            "collective",
            "--controlled-by",
            &russia,
            "--reliability",
            "C",
        ],
    ));
    let desk = json(&ok(
        db,
        &["--json", "add-source", "Desk Checks", "--kind", "organisation"],
    ))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let claim = id(&ok(
        db,
        &[
            "add-claim",
            "North Korean troops are deployed to Russia",
            "--language",
            "en",
            "--tag",
            "troops",
        ],
    ));
    let opinion = id(&ok(
        db,
        &[
            "add-claim",
            "An invincible fighting brotherhood",
            "--kind",
            "opinion",
        ],
    ));
    id(&ok(
        db,
        &[
            "attribute",
            &claim,
            "--speaker",
            "Sergei Lavrov",
            "--via",
            &media,
            "--said-on",
            "2025-07-12",
        ],
    ));
    id(&ok(
        db,
        &[
            "attribute",
            &opinion,
            "--speaker",
            &lavrov,
            "--quote",
            "an invincible fighting brotherhood",
        ],
    ));
    id(&ok(
        db,
        &[
            "evidence",
            &claim,
            "--source",
            &lavrov,
            "--stance",
            "supports",
            "--excerpt",
            "thanked Kim for the troops",
            "--credibility",
            "2",
        ],
    ));
    id(&ok(
        db,
        &[
            "evidence",
            &claim,
            "--source",
            "Russian media",
            "--stance",
            "supports",
        ],
    ));
    id(&ok(
        db,
        &[
            "review",
            &claim,
            "--verdict",
            "mostly_true",
            "--reviewer",
            "Desk Checks",
            "--rationale",
            "Both governments confirmed it.",
        ],
    ));
    id(&ok(
        db,
        &[
            "review",
            &opinion,
            "--verdict",
            "Pants on Fire!",
            "--reviewer",
            &desk,
        ],
    ));

    let shown = ok(db, &["show", &claim]);
    for needle in [
        "North Korean troops are deployed to Russia",
        "Sergei Lavrov → Russian media (summary)",
        "supports (2)",
        "thanked Kim for the troops",
        "mostly_true by Desk Checks",
        "on 2025-07-12",
    ] {
        assert!(shown.contains(needle), "show lacks {needle:?}:\n{shown}");
    }
    let shown = json(&ok(db, &["--json", "show", &opinion]));
    assert_eq!(shown["claim"]["kind"], "opinion");
    assert_eq!(shown["reviews"][0]["verdict"], "false");
    assert_eq!(shown["reviews"][0]["label"], "Pants on Fire!");
    assert_eq!(
        shown["attributions"][0]["quote"],
        "an invincible fighting brotherhood"
    );
    assert_eq!(shown["source_names"][&lavrov], "Sergei Lavrov");

    let stats = json(&ok(db, &["--json", "stats"]));
    assert_eq!(
        (
            stats["sources"].as_u64(),
            stats["claims"].as_u64(),
            stats["evidence"].as_u64(),
            stats["reviews"].as_u64()
        ),
        (Some(4), Some(2), Some(2), Some(2))
    );
    assert!(ok(db, &["stats"]).contains("claims        2"));
    assert!(ok(db, &["check"]).starts_with("ok:"));
    assert_eq!(json(&ok(db, &["--json", "check"]))["ok"], true);

    // Failures: clear message, exit code 1, nothing written.
    fails(db, &["show", "not-an-id"], "not a UUID");
    fails(
        db,
        &["show", "019803a8-0614-7292-8c78-37352ffd866f"],
        "claim not found",
    );
    fails(
        db,
        &["evidence", &claim, "--source", &lavrov, "--stance", "agrees"],
        "supports, refutes, mixed, neutral",
    );
    fails(
        db,
        &["attribute", &claim, "--speaker", "Nobody Known"],
        "no source with the id or name",
    );
    fails(
        db,
        &["add-source", "X", "--kind", "person", "--country", "Korea"],
        "country",
    );
    fails(db, &["add-claim", "   "], "text");
    fails(db, &["review", &claim, "--verdict", "Full Flop"], "verdict");
    fails(
        db,
        &[
            "evidence",
            &claim,
            "--source",
            &lavrov,
            "--stance",
            "supports",
            "--credibility",
            "9",
        ],
        "1 to 6",
    );
    let err = fails(
        db,
        &["--json", "show", "019803a8-0614-7292-8c78-37352ffd866f"],
        "not_found",
    );
    let err = json(&String::from_utf8(err.stderr).unwrap());
    assert_eq!(err["error"]["kind"], "not_found");
    assert_eq!(json(&ok(db, &["--json", "stats"])), stats);

    // A usage error is clap's: exit code 2.
    let out = run_in(db, &["frobnicate"], None);
    assert_eq!(out.status.code(), Some(2));
}

per_backend!(export_and_import_in_every_format);
fn export_and_import_in_every_format(desk: &Desk) {
    let dir = files("formats", desk);
    let db = desk.location();
    ok(db, &["init"]);
    // Load the seed article through the bundle format, from stdin.
    let out = run_in(
        db,
        &["import", "--format", "bundle", "-"],
        Some(claimtrack::seeds::WONSAN_BUNDLE_JSON.as_bytes()),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("inserted"));
    let troops = "019803a8-0614-7292-8c78-37352ffd866f";
    id(&ok(
        db,
        &["review", troops, "--verdict", "true", "--reviewer", "KCNA"],
    ));

    let bundle = ok(db, &["export", "--format", "bundle"]);
    let lines = ok(db, &["export", "--format", "jsonl"]);
    let bundle_file = dir.path("all.json");
    ok(
        db,
        &[
            "export",
            "--format",
            "bundle",
            "-o",
            bundle_file.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read_to_string(&bundle_file).unwrap(), bundle);

    for (format, text) in [("bundle", &bundle), ("jsonl", &lines)] {
        let copy = desk.another(&format!("copy-{format}"));
        let copy = copy.location();
        ok(copy, &["init"]);
        let file = dir.path(&format!("in.{format}"));
        std::fs::write(&file, text).unwrap();
        let report = json(&ok(
            copy,
            &["--json", "import", "--format", format, file.to_str().unwrap()],
        ));
        assert!(report["inserted"].as_u64().unwrap() > 20);
        assert_eq!(&ok(copy, &["export", "--format", format]), text);
        let again = json(&ok(
            copy,
            &["--json", "import", "--format", format, file.to_str().unwrap()],
        ));
        assert_eq!(again["inserted"], 0);
        assert_eq!(again["updated"], 0);
    }

    let one = json(&ok(db, &["export", "--format", "bundle", "--claim", troops]));
    assert_eq!(one["claims"][0]["id"], troops);
    let markup = json(&ok(db, &["export", "--format", "claimreview", "--claim", troops]));
    assert_eq!(markup["@type"], "ClaimReview");
    assert_eq!(markup["author"]["name"], "Korean Central News Agency");
    let all = json(&ok(db, &["export", "--format", "claimreview"]));
    assert_eq!(all["@graph"].as_array().unwrap().len(), 1);
    let csv = ok(db, &["export", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 16);
    // The seed holds no cell a spreadsheet would run, so both CSV forms agree.
    assert_eq!(ok(db, &["export", "--format", "csv-verbatim"]), csv);
    let dot = ok(db, &["export", "--format", "dot", "--claim", troops]);
    assert!(dot.starts_with("digraph claim {") && dot.contains("Sergei Lavrov"));
    fails(db, &["export", "--format", "dot"], "--claim");
    fails(db, &["export", "--format", "csv", "--claim", troops], "--claim");

    // ClaimReview and Fact Check Tools imports print what they could not take in.
    let example = dir.path("example1.jsonld");
    std::fs::write(&example, include_str!("data/schemaorg/example1.jsonld")).unwrap();
    let text = ok(
        db,
        &["import", "--format", "claimreview", example.to_str().unwrap()],
    );
    assert!(text.contains("$.reviewRating.image"), "{text}");
    let report = json(&ok(
        db,
        &["--json", "import", "-f", "claimreview", example.to_str().unwrap()],
    ));
    // The second time the same markup is recognised and skipped.
    assert_eq!(report["inserted"], 0);
    assert_eq!(report["unchanged"], 1);
    assert!(
        report["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "note" && i["message"].as_str().unwrap().starts_with("already imported"))
    );
    let page = r#"{"claims":[{"text":"A claim","claimant":"Someone","claimReview":[{"publisher":{"name":"Desk"},"textualRating":"Mostly False"}]}]}"#;
    let out = run_in(
        db,
        &["import", "--format", "factcheck-api", "-"],
        Some(page.as_bytes()),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

per_backend!(data_sets_import_with_the_same_report_as_the_library);
/// The research data sets import from the command line too, and every format prints the one report the
/// library returns (`io::ImportReport`), human or `--json`.
fn data_sets_import_with_the_same_report_as_the_library(desk: &Desk) {
    use claimtrack::io::{DataSet, ImportOptions, import_file};
    for (format, file, data_set) in [
        ("liar", "tests/data/liar/handmade.tsv", DataSet::Liar),
        (
            "fever",
            "tests/data/fever/paper_dev_excerpt.jsonl",
            DataSet::Fever,
        ),
        (
            "climate-fever",
            "tests/data/climate-fever/handmade.csv",
            DataSet::ClimateFever,
        ),
        ("averitec", "tests/data/averitec/handmade.json", DataSet::Averitec),
    ] {
        let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
        let expected = import_file(
            &claimtrack::Store::open_in_memory().unwrap(),
            data_set,
            &path,
            ImportOptions::default(),
        )
        .unwrap();
        assert!(expected.added.claims > 0, "{file}");
        let human = desk.another(format);
        let db = human.location();
        ok(db, &["init"]);
        let text = ok(db, &["import", "--format", format, &path]);
        assert_eq!(text.trim_end(), format!("imported {path}: {expected}"));
        let as_json = desk.another(&format!("{format}-json"));
        let db = as_json.location();
        ok(db, &["init"]);
        let report = json(&ok(db, &["--json", "import", "--format", format, &path]));
        assert_eq!(report, serde_json::to_value(&expected).unwrap());
        let store = claimtrack::Store::open(db).unwrap();
        assert_eq!(store.counts().unwrap(), expected.added);
    }
    // A file that is not what the format says is refused and nothing lands.
    let db = desk.location();
    ok(db, &["init"]);
    let bundle = format!("{}/seeds/wonsan.json", env!("CARGO_MANIFEST_DIR"));
    fails(db, &["import", "--format", "liar", &bundle], "line 1");
    let store = claimtrack::Store::open(db).unwrap();
    assert_eq!(store.counts().unwrap().total(), 0);
}

per_backend!(malformed_imports_fail_naming_where_and_change_nothing);
fn malformed_imports_fail_naming_where_and_change_nothing(desk: &Desk) {
    let dir = files("malformed", desk);
    let db = desk.location();
    ok(db, &["init"]);
    let claim = id(&ok(db, &["add-claim", "Already here"]));
    // The database file's bytes on SQLite; on both, everything it holds (history included).
    let file = || desk.path().map(|p| std::fs::read(p).unwrap());
    let everything = || {
        (
            ok(db, &["export", "--format", "jsonl"]),
            ok(db, &["--json", "stats"]),
            ok(db, &["--json", "history", &claim]),
        )
    };
    let before = (file(), everything());
    let lines = "{\"format\":\"claimtrack-jsonl\",\"version\":1}\n{\"claim\":{\"id\":\"bad\"}}\n";
    let out = run_in(db, &["import", "--format", "jsonl", "-"], Some(lines.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2") && stderr.contains("claim.id"),
        "{stderr}"
    );
    for (format, bytes) in [
        (
            "bundle",
            &b"{\"format\": \"claimtrack-bundle\", \"version\": 1, \"claims\": [{"[..],
        ),
        ("claimreview", b"\x89PNG\r\n\x1a\n\x00\x00"),
        ("factcheck-api", b"[1, 2"),
    ] {
        let out = run_in(db, &["import", "--format", format, "-"], Some(bytes));
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("line 1"),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    fails(
        db,
        &[
            "import",
            "--format",
            "bundle",
            dir.path("missing.json").to_str().unwrap(),
        ],
        "missing.json",
    );
    assert_eq!((file(), everything()), before);
    assert!(ok(db, &["stats"]).contains("claims        1"));
}

#[test]
fn check_fails_on_a_damaged_database_and_refuses_a_non_database() {
    let dir = Dir::new("check");
    let db = dir.db();
    ok(&db, &["init"]);
    ok(&db, &["add-source", "Tass", "--kind", "news_agency"]);
    // Damage an invariant behind the library's back (a stale lookup key), as a hand edit might.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute("UPDATE sources SET name_key = 'stale'", []).unwrap();
    }
    let out = run_in(&db, &["check"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("name_keys"));
    let out = run_in(&db, &["--json", "check"], None);
    assert_eq!(json(&String::from_utf8_lossy(&out.stdout))["ok"], false);

    // A claim written by hand is missing from the search index: check names it, reindex mends it.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute("UPDATE sources SET name_key = 'tass'", []).unwrap();
        conn.execute(
            "INSERT INTO claims (uuid, text, kind, created_at) VALUES (randomblob(16), 'Zanzibar cloves', 'factual', 0)",
            [],
        )
        .unwrap();
    }
    let out = run_in(&db, &["check"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("search_index") && stdout.contains("claimtrack reindex"),
        "{stdout}"
    );
    assert!(!ok(&db, &["search", "zanzibar"]).contains("Zanzibar"));
    ok(&db, &["reindex"]);
    assert!(ok(&db, &["search", "zanzibar"]).contains("Zanzibar cloves"));
    let out = run_in(&db, &["check"], None);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("search_index"));

    let garbage = dir.path("garbage.db");
    std::fs::write(&garbage, b"this is not a database, just text that is long enough").unwrap();
    fails(&garbage, &["check"], "not a usable database file");
    fails(&garbage, &["init"], "not a usable database file");
    assert_eq!(
        std::fs::read(&garbage).unwrap(),
        b"this is not a database, just text that is long enough"
    );
}

per_backend!(search_show_summary_history_and_durable_on_the_seed_article);
fn search_show_summary_history_and_durable_on_the_seed_article(desk: &Desk) {
    let db = desk.location();
    ok(db, &["--durable", "init"]);
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/wonsan.json");
    ok(
        db,
        &["--actor", "seed-loader", "import", "--format", "bundle", seeds],
    );

    // Search: plain words, hostile syntax taken literally, JSON hits with snippets.
    let hits = json(&ok(db, &["--json", "search", "artillery rounds"]));
    let hits = hits["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    assert!(
        hits[0]["claim_text"].as_str().unwrap().contains("12 million"),
        "{hits:?}"
    );
    let rounds = hits[0]["claim"].as_str().unwrap().to_string();
    ok(db, &["search", "\"12 million AND NEAR( *"]);
    assert!(ok(db, &["search", "zzzz-no-such-word"]).contains("no matches"));

    // Show carries the evidence summary: the troops claim is backed by one Russian-state origin.
    let troops = json(&ok(db, &["--json", "search", "troops deployed Russia"]))["hits"][0]["claim"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = ok(db, &["show", &troops]);
    assert!(
        shown.contains("Summary: supported — 1 independent origin(s) for, 0 against"),
        "{shown}"
    );
    assert!(shown.contains("Government of Russia (2 sources)"), "{shown}");
    let shown = json(&ok(db, &["--json", "show", &rounds]));
    assert_eq!(shown["summary"]["outcome"], "supported");

    // History: the import is on record under the actor that made it; a new review joins it.
    ok(
        db,
        &[
            "--actor",
            "desk-editor",
            "review",
            &rounds,
            "--verdict",
            "mostly_true",
        ],
    );
    let changes = json(&ok(db, &["--json", "history", &rounds]));
    let changes = changes["changes"].as_array().unwrap();
    let actors: Vec<&str> = changes.iter().map(|c| c["actor"].as_str().unwrap()).collect();
    assert!(
        actors.contains(&"seed-loader") && actors.contains(&"desk-editor"),
        "{actors:?}"
    );
    assert!(ok(db, &["history", &rounds]).contains("desk-editor"));
    fails(db, &["history", "not-an-id"], "claim id");
    assert!(ok(db, &["check"]).contains("checks passed"));
}
