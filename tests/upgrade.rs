//! Schema versions: a database written by this version reopens as it was; a database from a newer
//! claimtrack is refused and left byte-for-byte as it was. (How a later migration applies on top of a file
//! written by `schema/0001_initial.sql` is tested beside the runner, in `src/store/migrations.rs`.)

use std::path::{Path, PathBuf};

use claimtrack::io::bundle;
use claimtrack::{Error, NewClaim, SCHEMA_VERSION, Store};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("claimtrack-upgrade-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A database written by this version: the seed article and one claim of its own.
fn written_db(dir: &Path) -> PathBuf {
    let path = dir.join("desk.db");
    let store = Store::open(&path).unwrap();
    claimtrack::seeds::load_wonsan(&store).unwrap();
    store
        .add_claim(NewClaim::factual("Written at the current version"))
        .unwrap();
    drop(store);
    path
}

/// `PRAGMA user_version` sits in the database header at byte offset 60, big-endian.
fn header_user_version(bytes: &[u8]) -> i64 {
    i64::from(i32::from_be_bytes(bytes[60..64].try_into().unwrap()))
}

#[test]
fn a_database_written_by_this_version_reopens_unchanged() {
    let dir = scratch("reopen");
    let path = written_db(&dir);
    assert_eq!(
        header_user_version(&std::fs::read(&path).unwrap()),
        SCHEMA_VERSION
    );
    let store = Store::open(&path).unwrap();
    let before = bundle::export(&store).unwrap();
    assert!(before.claims.len() > 1);
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(bundle::export(&store).unwrap(), before);
    let report = store.verify_history().unwrap();
    assert!(report.is_consistent(), "{:?}", report.problems);
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_newer_database_is_refused_and_left_byte_for_byte_unchanged() {
    let dir = scratch("too-new");
    let path = written_db(&dir);
    let mut bytes = std::fs::read(&path).unwrap();
    let newer = (SCHEMA_VERSION + 7) as i32;
    bytes[60..64].copy_from_slice(&newer.to_be_bytes());
    std::fs::write(&path, &bytes).unwrap();

    let err = Store::open(&path).unwrap_err();
    match err {
        Error::SchemaTooNew { found, supported } => {
            assert_eq!(found, i64::from(newer));
            assert_eq!(supported, SCHEMA_VERSION);
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(err_message_mentions_upgrade(&path));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "the file must not be modified"
    );
    // No write-ahead log holding changes was left behind either.
    let wal = dir.join("desk.db-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn err_message_mentions_upgrade(path: &Path) -> bool {
    Store::open(path)
        .unwrap_err()
        .to_string()
        .contains("upgrade claimtrack")
}
