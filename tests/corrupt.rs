//! Corrupt files: a truncated, padded or garbage file gives a clear `Error::Corrupt` (or, for damage
//! inside data pages that opening does not touch, a clean open whose checks report it), never a panic,
//! and the file is left byte-for-byte as it was.

use claimtrack::io::bundle;
use std::path::PathBuf;

use claimtrack::{Error, NewClaim, Store};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("claimtrack-corrupt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A database at the current schema version with some records (the seed article and a claim), as bytes.
fn current_db(dir: &std::path::Path) -> Vec<u8> {
    let path = dir.join("current.db");
    let store = Store::open(&path).unwrap();
    claimtrack::seeds::load_wonsan(&store).unwrap();
    store
        .add_claim(NewClaim::factual("Written at the current version"))
        .unwrap();
    drop(store); // the last connection checkpoints the log into the file and removes it
    assert!(!dir.join("current.db-wal").exists());
    std::fs::read(&path).unwrap()
}

/// Opens `bytes` written to a fresh file and returns what happened; asserts the file was not changed.
fn attempt(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    let path = dir.join(format!("{name}.db"));
    std::fs::write(&path, bytes).unwrap();
    let outcome = match Store::open(&path) {
        Err(e) => Err(e),
        // Opened: damage inside data pages shows up in the checks or in reads, as typed errors.
        Ok(store) => {
            let checked = store.integrity_problems();
            let read = bundle::export(&store);
            drop(store);
            match (checked, read) {
                (Ok(p), Ok(_)) if p.is_empty() => Ok(()),
                (Ok(p), _) if !p.is_empty() => Err(Error::Corrupt {
                    path: name.into(),
                    message: p.join("; "),
                }),
                (Err(e), _) | (_, Err(e)) => Err(e),
                _ => unreachable!(),
            }
        }
    };
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "{name}: the file was modified"
    );
    outcome
}

fn assert_corrupt(name: &str, r: Result<(), Error>) {
    match r {
        Err(Error::Corrupt { message, .. }) => assert!(!message.is_empty(), "{name}"),
        other => panic!("{name}: expected Error::Corrupt, got {other:?}"),
    }
}

#[test]
fn truncated_files_are_refused_and_left_alone() {
    let dir = scratch("truncated");
    let cur = current_db(&dir);
    for (label, base) in [("current", &cur)] {
        let n = base.len();
        for len in [
            1,
            15,
            16,
            50,
            99,
            100,
            512,
            4095,
            4096,
            4097,
            8192,
            n / 2,
            n - 4096,
            n - 100,
            n - 1,
        ] {
            let name = format!("{label}-{len}");
            assert_corrupt(&name, attempt(&dir, &name, &base[..len]));
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn garbage_files_are_refused_and_left_alone() {
    let dir = scratch("garbage");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    };
    assert_corrupt("random", attempt(&dir, "random", &noise(8192)));
    assert_corrupt("text", attempt(&dir, "text", b"claims,sources\n1,2\n"));
    // A valid header followed by noise.
    let mut fake = b"SQLite format 3\0".to_vec();
    fake.extend(noise(4096 - 16));
    assert_corrupt("header+noise", attempt(&dir, "header-noise", &fake));
    // A real database with its schema page overwritten by noise.
    let mut db = current_db(&dir);
    let junk = noise(4096 - 100);
    db[100..4096].copy_from_slice(&junk);
    assert_corrupt("schema page", attempt(&dir, "schema-page", &db));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn damaged_data_pages_are_reported_never_a_panic() {
    let dir = scratch("pages");
    let cur = current_db(&dir);
    let pages = cur.len() / 4096;
    let mut found = 0;
    for page in 1..pages {
        let mut bytes = cur.clone();
        for b in &mut bytes[page * 4096 + 8..page * 4096 + 200] {
            *b ^= 0xA5;
        }
        // Either refused at open, or opened and reported by the checks or by a read. Never a panic,
        // never a generic database error, and the file stays as it was (checked in `attempt`).
        match attempt(&dir, &format!("page-{page}"), &bytes) {
            Err(Error::Corrupt { .. }) => found += 1,
            Ok(()) => {}
            Err(other) => panic!("page {page}: expected Error::Corrupt, got {other:?}"),
        }
    }
    assert!(
        found > pages / 2,
        "only {found} of {pages} damaged pages were noticed"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_zero_length_file_opens_as_a_new_empty_database() {
    // SQLite treats an empty file as an empty database: that is how a new file starts (and what a
    // crash before the first commit leaves), so it is opened, not refused.
    let dir = scratch("empty");
    let path = dir.join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), claimtrack::SCHEMA_VERSION);
    assert!(bundle::export(&store).unwrap().is_empty());
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}
