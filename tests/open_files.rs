//! Opening files (issue 11, items 6-9): another application's SQLite file is refused untouched, with or
//! without a WAL beside it; so is a newer claimtrack's file left with its WAL; read-only opens write
//! nothing and leave no file behind.

use std::fs;
use std::path::{Path, PathBuf};

use claimtrack::{Error, NewClaim, OpenOptions, Store};

#[path = "common/dir.rs"]
mod dir;
use dir::Dir;

fn with(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    s.into()
}

/// The bytes of a file and of its `-wal`, if any.
fn bytes(path: &Path) -> (Vec<u8>, Option<Vec<u8>>) {
    (fs::read(path).unwrap(), fs::read(with(path, "-wal")).ok())
}

/// Copies `from` (and its `-wal`) to `to` while `from` is held open by `conn`: the copy is a file left
/// with a WAL that was never checkpointed, as after a crash.
fn copy_with_wal(conn: &rusqlite::Connection, from: &Path, to: &Path) {
    let _ = conn;
    fs::copy(from, to).unwrap();
    fs::copy(with(from, "-wal"), with(to, "-wal")).unwrap();
}

#[test]
fn another_applications_file_is_refused_byte_for_byte_untouched() {
    let dir = Dir::new("foreign");
    for (name, sql) in [
        (
            "invoices.db",
            "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);",
        ),
        (
            "claims.db",
            "CREATE TABLE claims (id INTEGER PRIMARY KEY, what TEXT); INSERT INTO claims VALUES (1, 'x');",
        ),
        ("other-app.db", "PRAGMA application_id = 42; CREATE TABLE t (x);"),
    ] {
        let path = dir.path(name);
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(sql).unwrap();
        drop(conn);
        let before = bytes(&path);
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(&err, Error::Corrupt { message, .. } if message.contains("not claimtrack's")),
            "{name}: {err}"
        );
        assert_eq!(bytes(&path), before, "{name} changed");
        assert!(
            !with(&path, "-wal").exists() && !with(&path, "-shm").exists(),
            "{name}"
        );
        // Read-only too.
        assert!(Store::open_with(&path, &OpenOptions::new().read_only()).is_err());
        assert_eq!(bytes(&path), before, "{name} changed");
    }

    // With a WAL beside it, never checkpointed: the WAL is not folded into the file either.
    let live = dir.path("live.db");
    let conn = rusqlite::Connection::open(&live).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; \
         CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);",
    )
    .unwrap();
    let left = dir.path("left.db");
    copy_with_wal(&conn, &live, &left);
    drop(conn);
    let before = bytes(&left);
    assert!(before.1.as_ref().is_some_and(|w| !w.is_empty()));
    let err = Store::open(&left).unwrap_err();
    assert!(err.to_string().contains("not claimtrack's"), "{err}");
    assert_eq!(bytes(&left), before, "the file or its WAL changed");
}

#[test]
fn a_newer_file_left_with_its_wal_is_refused_untouched() {
    let dir = Dir::new("newer");
    let path = dir.path("desk.db");
    let store = Store::open(&path).unwrap();
    store
        .add_claim(NewClaim::factual("Written by this version"))
        .unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA wal_autocheckpoint = 0; PRAGMA user_version = 99;")
        .unwrap();
    let left = dir.path("left.db");
    copy_with_wal(&conn, &path, &left);
    drop(conn);
    let before = bytes(&left);
    assert!(before.1.is_some(), "the copy has a WAL");
    let err = Store::open(&left).unwrap_err();
    assert!(matches!(err, Error::SchemaTooNew { found: 99, .. }), "{err}");
    assert_eq!(bytes(&left), before, "the file or its WAL changed");
    let err = Store::open_with(&left, &OpenOptions::new().read_only()).unwrap_err();
    assert!(matches!(err, Error::SchemaTooNew { found: 99, .. }), "{err}");
    assert_eq!(bytes(&left), before, "the file or its WAL changed");
}

#[test]
fn claimtracks_own_files_carry_its_application_id_and_an_empty_sqlite_file_is_accepted() {
    let dir = Dir::new("own");
    let path = dir.path("desk.db");
    drop(Store::open(&path).unwrap());
    let head = fs::read(&path).unwrap();
    assert_eq!(&head[68..72], b"ClTk", "application_id in the header");
    // A zero-length file and an SQLite file with no schema at all become claimtrack's.
    let empty = dir.path("empty.db");
    fs::write(&empty, b"").unwrap();
    drop(Store::open(&empty).unwrap());
    let blank = dir.path("blank.db");
    rusqlite::Connection::open(&blank)
        .unwrap()
        .execute_batch("VACUUM")
        .unwrap();
    drop(Store::open(&blank).unwrap());
    assert_eq!(&fs::read(&blank).unwrap()[68..72], b"ClTk");
}

#[test]
fn a_read_only_open_writes_nothing_and_leaves_no_file() {
    let dir = Dir::new("ro");
    let path = dir.path("desk.db");
    let store = Store::open(&path).unwrap();
    let id = store.add_claim(NewClaim::factual("Read me")).unwrap();
    drop(store);
    assert_eq!(dir.names(), ["desk.db"]);
    let before = fs::read(&path).unwrap();
    let ro = Store::open_with(&path, &OpenOptions::new().read_only()).unwrap();
    assert_eq!(ro.claim(id).unwrap().text, "Read me");
    assert!(
        ro.add_claim(NewClaim::factual("No")).is_err(),
        "a read-only store refuses writes"
    );
    drop(ro);
    assert_eq!(fs::read(&path).unwrap(), before);
    // A reader who may write the file uses SQLite's ordinary locking (a writer may start while it
    // reads), which can leave an empty -wal and -shm; they belong to the database's owner (SQLite
    // hands them over when run as root), so no writer trips on them. Readers who cannot write the
    // file leave nothing: tests/cli_reliability.rs::a_second_user_reads_without_leaving_files.
    for side in ["desk.db-wal", "desk.db-shm"] {
        if let Ok(m) = fs::metadata(dir.path(side)) {
            use std::os::unix::fs::MetadataExt;
            assert_eq!(m.uid(), fs::metadata(&path).unwrap().uid(), "{side}");
        }
    }
    // With a writer holding the file open, a reader sees its commits through the WAL.
    let writer = Store::open(&path).unwrap();
    let second = writer.add_claim(NewClaim::factual("Written while open")).unwrap();
    let ro = Store::open_with(&path, &OpenOptions::new().read_only()).unwrap();
    assert_eq!(ro.claim(second).unwrap().text, "Written while open");
    drop(ro);
    writer.add_claim(NewClaim::factual("And after")).unwrap();
    drop(writer);
    // A missing file is not created by a read-only open.
    let missing = dir.path("missing.db");
    assert!(Store::open_with(&missing, &OpenOptions::new().read_only()).is_err());
    assert!(!missing.exists());
}
