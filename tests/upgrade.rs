//! Upgrades: a database written by an older schema opens, is migrated to `SCHEMA_VERSION` and keeps its
//! data; a database from a newer claimtrack is refused and left byte-for-byte as it was.

use std::path::{Path, PathBuf};

use claimtrack::{Bundle, EntityKind, Error, NewClaim, Operation, SCHEMA_VERSION, Store};

const V1_DB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/v1.db");
const V1_EXPORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/v1.json");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("claimtrack-upgrade-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_fixture(dir: &Path) -> PathBuf {
    let path = dir.join("desk.db");
    std::fs::copy(V1_DB, &path).unwrap();
    path
}

/// `PRAGMA user_version` sits in the database header at byte offset 60, big-endian.
fn header_user_version(bytes: &[u8]) -> i64 {
    i64::from(i32::from_be_bytes(bytes[60..64].try_into().unwrap()))
}

#[test]
fn the_fixture_is_a_version_1_database() {
    let bytes = std::fs::read(V1_DB).unwrap();
    assert_eq!(&bytes[..16], b"SQLite format 3\0");
    assert_eq!(header_user_version(&bytes), 1);
}

#[test]
fn a_version_1_database_is_migrated_with_its_data_intact() {
    let dir = scratch("migrate");
    let path = copy_fixture(&dir);
    let expected: Bundle = serde_json::from_str(&std::fs::read_to_string(V1_EXPORT).unwrap()).unwrap();
    assert!(!expected.is_empty());

    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.export_bundle().unwrap(), expected);
    assert!(store.integrity_problems().unwrap().is_empty());

    // Every record that predates history got one baseline entry, and history agrees with the state.
    let report = store.verify_history().unwrap();
    assert!(report.is_consistent(), "{:?}", report.problems);
    assert_eq!(report.changes, expected.len() as u64);
    assert_eq!(report.records, expected.len() as u64);
    let first = &expected.claims[0];
    let h = store.history_of(first.id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].operation, Operation::Baseline);
    assert_eq!(h[0].actor, "claimtrack upgrade");
    let rebuilt: claimtrack::Claim = serde_json::from_value(h[0].after.clone().unwrap()).unwrap();
    assert_eq!(&rebuilt, first);
    // Existing evidence and reviews count after the upgrade.
    for e in &expected.evidence {
        assert!(store.evidence_standing(e.id).unwrap().is_current());
    }
    assert_eq!(
        store.current_reviews_of(expected.reviews[0].claim).unwrap(),
        expected.reviews[..1]
    );

    // The store works as usual afterwards, and reopening does not migrate or baseline again.
    let id = store
        .add_claim(NewClaim::factual("Written after the upgrade"))
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.claim(id).unwrap().text, "Written after the upgrade");
    let report = store.verify_history().unwrap();
    assert!(report.is_consistent());
    assert_eq!(report.changes, expected.len() as u64 + 1);
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_newer_database_is_refused_and_left_byte_for_byte_unchanged() {
    let dir = scratch("too-new");
    let path = copy_fixture(&dir);
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

/// Version 3, the first schema with history (tests/fixtures/v3.db: the seed article plus
/// a revised evidence record, a corrected review and a retracted one, each with its history). Every later
/// schema change must open and migrate it with nothing lost.
#[test]
fn a_version_3_database_migrates_with_versions_and_history_intact() {
    let (dir, store, expected) = open_fixture(3);
    // The versions survive: one superseded evidence record, one corrected and one retracted review.
    assert_eq!(expected.evidence_standings.len(), 1);
    assert_eq!(expected.review_standings.len(), 2);
    let actors: std::collections::BTreeSet<String> = store
        .history_by_actor("fixture writer")
        .unwrap()
        .into_iter()
        .map(|c| c.actor)
        .collect();
    assert_eq!(actors.len(), 1);
    // Every history entry survived the rebuild of the history table (schema 4), and the chain holds.
    let before_bulk = store.verify_history().unwrap();
    assert!(before_bulk.is_consistent(), "{:?}", before_bulk.problems);
    assert!(before_bulk.changes >= expected.len() as u64);
    // A bulk load into the migrated file gets compact import entries that read back the record.
    let id = store
        .batch(|b| b.add_claim(NewClaim::factual("Loaded after the upgrade")))
        .unwrap();
    let h = store.history_of(id).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].operation, Operation::Import);
    let read_back: claimtrack::Claim = serde_json::from_value(h[0].after.clone().unwrap()).unwrap();
    assert_eq!(read_back, store.claim(id).unwrap());
    let after_bulk = store.verify_history().unwrap();
    assert!(after_bulk.is_consistent(), "{:?}", after_bulk.problems);
    assert_eq!(after_bulk.changes, before_bulk.changes + 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Opens a copy of fixture `tests/fixtures/v{version}.db` and checks it against its export: the same
/// records, `check` clean, every history entry kept and the chain intact.
fn open_fixture(version: i64) -> (PathBuf, Store, Bundle) {
    let db = format!("{}/tests/fixtures/v{version}.db", env!("CARGO_MANIFEST_DIR"));
    let export = format!("{}/tests/fixtures/v{version}.json", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(db).unwrap();
    assert_eq!(header_user_version(&bytes), version);
    let dir = scratch(&format!("v{version}"));
    let path = dir.join("desk.db");
    std::fs::write(&path, &bytes).unwrap();
    let expected: Bundle = serde_json::from_str(&std::fs::read_to_string(export).unwrap()).unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.export_bundle().unwrap(), expected);
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    (dir, store, expected)
}

/// The history of the fixture's bulk-loaded claim that was corrected later (tests/fixtures/make_fixture.rs).
fn corrected_claim_history(store: &Store, expected: &Bundle) -> Vec<claimtrack::Change> {
    let corrected = expected
        .claims
        .iter()
        .find(|c| c.text.ends_with("(corrected)"))
        .unwrap();
    store.history_of(corrected.id).unwrap()
}

/// Version 5 (before one history entry per batch): its bulk-loaded records carry one compact entry each,
/// the seed article full import entries; both still read back after the upgrade, next to batch entries.
#[test]
fn a_version_5_database_keeps_per_record_history_next_to_batch_entries() {
    let (dir, store, expected) = open_fixture(5);
    let before = store.verify_history().unwrap();
    assert!(before.is_consistent(), "{:?}", before.problems);
    // Each bulk-loaded claim kept its own compact import entry, which reads back the record.
    let h = corrected_claim_history(&store, &expected);
    let ops: Vec<Operation> = h.iter().map(|c| c.operation).collect();
    assert_eq!(ops, [Operation::Import, Operation::Update]);
    assert_eq!(h[0].after, h[1].before);
    assert!(h[0].after.is_some());
    // Search finds claims, quotes and excerpts after the FTS tables were rebuilt.
    assert_eq!(store.search("Rason", 50).unwrap().len(), 12);
    assert!(!store.search("satellite image", 5).unwrap().is_empty());
    assert!(!store.search("port", 5).unwrap().is_empty());
    // The evidence and review tables were rebuilt with their versions intact.
    assert_eq!(expected.evidence_standings.len(), 2);
    // A bulk load now writes one entry.
    store
        .batch(|b| {
            b.add_claim(NewClaim::factual("Loaded after the upgrade"))?;
            b.add_claim(NewClaim::factual("And another"))
        })
        .unwrap();
    let after = store.verify_history().unwrap();
    assert!(after.is_consistent(), "{:?}", after.problems);
    assert_eq!(after.changes, before.changes + 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The database written by the schema this version writes (tests/fixtures/v6.db, made by
/// tests/fixtures/make_fixture.rs: the seed article, a bulk load, then a corrected claim, a revised and a
/// retracted evidence record and a deleted claim). Every later schema change must open and migrate it.
#[test]
fn the_newest_fixture_opens_with_batch_history_intact() {
    let (dir, store, expected) = open_fixture(6);
    let report = store.verify_history().unwrap();
    assert!(report.is_consistent(), "{:?}", report.problems);
    // Two batches by the fixture writer (the seed article and the bulk load), plus the single changes.
    let entries = store.history_by_actor("fixture writer").unwrap();
    let batches: Vec<_> = entries.iter().filter(|c| c.kind == EntityKind::Batch).collect();
    assert_eq!(
        batches.len(),
        3,
        "seed article, bulk load, the claim added by mistake"
    );
    assert_eq!(batches[1].after.as_ref().unwrap()["claim"], 12);
    let h = corrected_claim_history(&store, &expected);
    assert_eq!((h[0].operation, h[0].seq), (Operation::Import, batches[1].seq));
    assert_eq!(h[0].after, h[1].before);
    std::fs::remove_dir_all(&dir).unwrap();
}
