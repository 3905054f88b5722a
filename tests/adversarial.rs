//! Hostile uses of the binary found by the adversarial trial of issues 10 and 11.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
use claimtrack::{Error, Role, Store};

const BIN: &str = env!("CARGO_BIN_EXE_claimtrack");

#[test]
fn a_pipe_or_folder_given_as_the_database_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.db");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.map(|s| s.success()).unwrap_or(false) {
        eprintln!("no mkfifo: skipped");
        return;
    }
    for db in [fifo.as_path(), dir.path()] {
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(db)
            .arg("stats")
            .env_remove("CLAIMTRACK_DB")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A guard against hanging the suite, not a timing assertion: opening the pipe blocked for ever.
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(50));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            panic!("claimtrack --db {} stats never returned", db.display());
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("not a regular file"), "{err}");
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["pipe.db"], "nothing is made beside a pipe");
}

// A token's name is the actor of every change made with it, and an actor is one line without control
// characters. `token add $'a\nb'` was accepted (only NUL was refused), after which every request made with
// the token failed on setting the actor, and `token list` printed the name over two lines.
per_backend!(a_token_name_is_refused_where_an_actor_would_be);
fn a_token_name_is_refused_where_an_actor_would_be(s: &Store) {
    for name in ["a\nb", "tab\there", "bell\u{7}", "nel\u{85}"] {
        let refused = s.add_token(name, Role::Read, &[1u8; 32]);
        assert!(
            matches!(&refused, Err(Error::Invalid { field: "name", .. })),
            "{name:?}: {refused:?}"
        );
        assert!(s.set_actor(name).is_err(), "{name:?} is no actor either");
    }
    assert!(s.tokens().unwrap().is_empty(), "nothing was written");
    assert!(s.token_history(None).unwrap().is_empty(), "nor any history");
    // Every name that is accepted can be the actor of the changes made with it.
    for (i, name) in (2u8..).zip(["cms-bot", "Ålesund desk", "desk:alice"]) {
        s.add_token(name, Role::Write, &[i; 32]).unwrap();
        s.set_actor(name).unwrap();
    }
}

/// Runs the binary on `desk` and returns its stdout, asserting success.
fn cli_ok(desk: &backend::Desk, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("--db")
        .arg(desk.location())
        .args(args)
        .env_remove("CLAIMTRACK_DB")
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

// `stats` printed a twelve-letter verdict glued to its count ("mostly_false1894", "unverifiable3831"),
// so a script splitting the line on whitespace read one word and no number.
per_backend!(stats_keeps_every_verdict_apart_from_its_count);
fn stats_keeps_every_verdict_apart_from_its_count(desk: &backend::Desk) {
    cli_ok(desk, &["init"]);
    for verdict in ["mostly_false", "unverifiable", "false"] {
        let claim = cli_ok(desk, &["add-claim", &format!("A claim rated {verdict}")]);
        cli_ok(desk, &["review", claim.trim(), "--verdict", verdict]);
    }
    let claim = cli_ok(desk, &["add-claim", "A claim with an unmapped label"]);
    cli_ok(desk, &["review", claim.trim(), "--label", "Zzqx house rating"]);
    let stats = cli_ok(desk, &["stats"]);
    let by_verdict: Vec<(String, u64)> = stats
        .lines()
        .skip_while(|l| !l.starts_with("reviews"))
        .skip(1)
        .map(|l| match l.trim().rsplit_once(char::is_whitespace) {
            Some((words, n)) => (words.trim().to_string(), n.parse().expect(l)),
            None => panic!("no count apart from the verdict: {l:?}\n{stats}"),
        })
        .collect();
    for verdict in ["mostly_false", "unverifiable", "false", "no verdict"] {
        assert!(
            by_verdict.contains(&(verdict.to_string(), 1)),
            "{verdict}: {by_verdict:?}\n{stats}"
        );
    }
}

// `token list` and `token history` only read, but opened the database read-write: a user with read
// access alone got "attempt to write a readonly database", and in a shared (world-writable) folder
// left `-wal`/`-shm` files of their own beside it, which the owner's next write then trips on (the
// `similar` bug of the last trial, in the token commands).
#[cfg(feature = "server")]
#[test]
fn token_list_and_history_read_as_a_second_user_without_leaving_files() {
    use std::os::unix::fs::PermissionsExt;
    let root = std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    });
    if !root || !std::path::Path::new("/usr/bin/setpriv").exists() {
        eprintln!("not root or no setpriv: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    for args in [&["init"][..], &["token", "add", "cms-bot", "--role", "write"]] {
        let out = Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(args)
            .env_remove("CLAIMTRACK_DB")
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
    }
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = std::fs::read(&db).unwrap();
    // A folder the reader cannot write, then a shared one they can.
    for mode in [0o755, 0o1777] {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        for args in [&["token", "list"][..], &["token", "history"]] {
            let out = Command::new("/usr/bin/setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN, "--db"])
                .arg(&db)
                .args(args)
                .env_remove("CLAIMTRACK_DB")
                .output()
                .unwrap();
            assert!(out.status.success(), "{mode:o} {args:?}: {out:?}");
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("cms-bot"),
                "{out:?}"
            );
            let names: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(
                names,
                ["desk.db"],
                "{mode:o} {args:?} left files beside the database"
            );
        }
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

// The schema version was looked up with `to_regclass('schema_version')`, which follows the whole search
// path: with `search_path = new, old` (PostgreSQL's default is `"$user", public`) and a desk in `old`,
// a store opened for `new` took `old`'s tables for its own, so `init` said "up to date" and every read
// and write went to the other desk (`check`, which looks at `current_schema()` alone, then reported
// this one's tables missing). Any claimtrack desk left in `public` of the test server made the
// PostgreSQL half of the suite run on it. The version is now read from the current schema only.
#[cfg(feature = "postgres")]
#[test]
fn a_desk_further_along_the_search_path_is_not_taken_for_this_one() {
    let Some(server) = backend::pg_server() else {
        return;
    };
    let Some(old) = backend::Desk::postgres("searchpath_old") else {
        return;
    };
    let new = old.another("searchpath_new");
    let old_store = old.open();
    old_store
        .add_claim(claimtrack::NewClaim::factual("Written to the desk further along"))
        .unwrap();
    let path = format!(
        "-csearch_path={},{},public",
        new.schema().unwrap(),
        old.schema().unwrap()
    );
    let url = backend::with_params(&server, &[("options", &path)]);
    assert_eq!(
        claimtrack::postgres_schema_version(&url).unwrap(),
        0,
        "the current schema holds no claimtrack tables"
    );
    let store = Store::open(&url).unwrap();
    store
        .add_claim(claimtrack::NewClaim::factual("Written to this desk"))
        .unwrap();
    assert_eq!(store.counts().unwrap().claims, 1);
    assert_eq!(
        old_store.counts().unwrap().claims,
        1,
        "the other desk is untouched"
    );
    assert_eq!(
        new.open().counts().unwrap().claims,
        1,
        "it landed in this desk's schema"
    );
}

// `add_token` with a hash another token already has failed with `Error::Database` ("UNIQUE constraint
// failed: api_tokens.secret_sha256"): the hash is the library caller's input, so it is a typed refusal.
per_backend!(a_token_hash_given_twice_is_a_duplicate_not_a_database_error);
fn a_token_hash_given_twice_is_a_duplicate_not_a_database_error(s: &Store) {
    s.add_token("first", Role::Read, &[9u8; 32]).unwrap();
    let again = s.add_token("second", Role::Admin, &[9u8; 32]);
    assert!(matches!(&again, Err(Error::Duplicate { .. })), "{again:?}");
    let names: Vec<String> = s.tokens().unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["first"]);
    assert_eq!(s.token_history(None).unwrap().len(), 1);
}
