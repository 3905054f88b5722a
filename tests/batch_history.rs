//! Adversarial tests of the one-entry-per-batch history: a batch writes one `batch` entry
//! and per table the rowid range it inserted (`history_batch_rows`); readers present each record's
//! creation as an import of that entry, and `verify_history` checks counts and digest sums per batch.
//! Every test goes through the public API; raw SQL (a second connection on the same file) stands for
//! changes made behind it.

#[path = "common/backend.rs"]
mod backend;

use backend::{Backend, Desk, per_backend};
use claimtrack::io::{DataSet, ImportOptions, bundle, import_file};
use std::path::{Path, PathBuf};

use claimtrack::{
    BATCH_CHECK_LIMIT, Bundle, Claim, ClaimId, EntityKind, Error, NewAttribution, NewClaim, NewEvidence,
    NewSource, Operation, SourceKind, Stance, Store, Unverified,
};
use rusqlite::Connection;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("claimtrack-batchhist-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A store on a file, and a raw connection to the same file for changes behind the API.
fn file_store(name: &str) -> (Store, Connection, PathBuf) {
    let dir = scratch(name);
    let path = dir.join("desk.db");
    let store = Store::open(&path).unwrap();
    let raw = Connection::open(&path).unwrap();
    (store, raw, dir)
}

fn count(raw: &Connection, sql: &str) -> i64 {
    raw.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn assert_consistent(store: &Store) {
    let r = store.verify_history().unwrap();
    assert!(r.is_consistent(), "{:?}", r.problems);
    let c = store.check().unwrap();
    assert!(c.is_ok(), "{:?}", c.problems);
}

/// FTS5's full integrity check, comparing each external-content index with its table (rank 1).
/// `PRAGMA integrity_check`, which `Store::check` runs, does not compare them with the content.
fn fts_problems(raw: &Connection) -> Vec<String> {
    ["claims_fts", "attributions_fts", "evidence_fts"]
        .iter()
        .filter_map(|t| {
            let sql = format!("INSERT INTO {t} ({t}, rank) VALUES ('integrity-check', 1)");
            raw.execute(&sql, []).err().map(|e| format!("{t}: {e}"))
        })
        .collect()
}

fn is_creation(op: Operation) -> bool {
    matches!(op, Operation::Insert | Operation::Import)
}

/// Every record in the store: its history starts with exactly one creation (a restored record: one more
/// after each deletion), and its changes form one chain.
fn assert_each_record_has_one_creation(store: &Store) {
    let b = bundle::export(store).unwrap();
    let mut checked = 0;
    macro_rules! each {
        ($list:expr) => {
            for x in &$list {
                let h = store.history_of(x.id).unwrap();
                assert!(!h.is_empty(), "{:?} has no history", x.id);
                assert!(is_creation(h[0].operation), "{:?}: {h:?}", x.id);
                assert!(h[0].before.is_none(), "{:?}: {h:?}", x.id);
                // Exactly one creation, unless the record was deleted and written again (restored):
                // each later creation follows a deletion.
                for w in h.windows(2) {
                    if w[1].before.is_none() {
                        assert!(
                            w[0].after.is_none() && is_creation(w[1].operation),
                            "{:?}: {h:?}",
                            x.id
                        );
                    }
                }
                assert!(h.last().unwrap().after.is_some(), "{:?}: {h:?}", x.id);
                assert!(h.windows(2).all(|w| w[0].seq < w[1].seq), "{h:?}");
                // The chain holds: each change starts from the previous value.
                for w in h.windows(2) {
                    assert_eq!(w[0].after, w[1].before, "{:?}: {h:?}", x.id);
                }
                checked += 1;
            }
        };
    }
    each!(b.sources);
    each!(b.publications);
    each!(b.claims);
    each!(b.attributions);
    each!(b.evidence);
    each!(b.links);
    each!(b.reviews);
    assert_eq!(checked, b.len());
}

fn claims(texts: &[&str]) -> Vec<Claim> {
    texts
        .iter()
        .map(|t| NewClaim::factual(*t).into_claim().unwrap())
        .collect()
}

fn batch_insert(store: &Store, list: &[Claim]) {
    store
        .batch(|b| {
            for c in list {
                b.insert_claim(c)?;
            }
            Ok(())
        })
        .unwrap();
}

/// The seq of the batch entries `actor` wrote, oldest first.
fn batch_entries(store: &Store, actor: &str) -> Vec<i64> {
    store
        .history_by_actor(actor)
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == EntityKind::Batch)
        .map(|c| c.seq)
        .collect()
}

// ---- attempts, empty batches ----

#[test]
fn a_batch_entry_made_inside_a_failed_first_attempt_is_rolled_back_with_it() {
    let (store, raw, dir) = file_store("first-attempt");
    store.set_actor("loader").unwrap();
    let kept = store
        .batch(|b| {
            // The very first record is written (and the batch entry with it) inside an attempt that fails.
            let failed = b.attempt(|b| {
                b.add_claim(NewClaim::factual("undone"))?;
                b.add_source(NewSource::new("", SourceKind::Person))
            });
            assert!(failed.is_err());
            let kept = b.add_claim(NewClaim::factual("kept"))?;
            // A second failed attempt after the entry exists leaves the entry alone.
            let again = b.attempt(|b| {
                b.add_claim(NewClaim::factual("undone too"))?;
                b.add_claim(NewClaim::factual(" "))
            });
            assert!(again.is_err());
            Ok(kept)
        })
        .unwrap();
    assert_eq!(count(&raw, "SELECT count(*) FROM history"), 1);
    assert_eq!(count(&raw, "SELECT count(*) FROM history_batch_rows"), 1);
    assert_eq!(
        count(
            &raw,
            "SELECT records FROM history_batch_rows WHERE entity_kind = 'claim'"
        ),
        1
    );
    let entries = batch_entries(&store, "loader");
    assert_eq!(entries.len(), 1);
    let h = store.history_of(kept).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].seq, h[0].operation), (entries[0], Operation::Import));
    assert_eq!(h[0].after.as_ref().unwrap()["text"], "kept");
    let by_actor = store.history_by_actor("loader").unwrap();
    assert_eq!(
        by_actor[0].after.as_ref().unwrap(),
        &serde_json::json!({"claim": 1})
    );
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_batch_that_writes_nothing_leaves_no_history() {
    let (store, raw, dir) = file_store("empty");
    store.batch(|_| Ok(())).unwrap();
    // Every record attempted, every attempt failed.
    store
        .batch(|b| {
            for _ in 0..3 {
                let r = b.attempt(|b| {
                    b.add_claim(NewClaim::factual("gone"))?;
                    b.add_claim(NewClaim::factual(""))
                });
                assert!(r.is_err());
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(count(&raw, "SELECT count(*) FROM history"), 0);
    assert_eq!(count(&raw, "SELECT count(*) FROM history_batch_rows"), 0);
    assert_eq!(store.counts().unwrap().claims, 0);
    // A re-import of what is already there writes nothing either.
    let c = store.add_claim(NewClaim::factual("There")).unwrap();
    let bundle = bundle::export(&store).unwrap();
    let n = count(&raw, "SELECT count(*) FROM history");
    let s = bundle::import(&store, &bundle, ImportOptions::default()).unwrap();
    assert_eq!((s.inserted, s.updated), (0, 0));
    assert_eq!(count(&raw, "SELECT count(*) FROM history"), n);
    assert_eq!(store.history_of(c).unwrap().len(), 1);
    // A refused batch leaves nothing behind.
    let err = store
        .batch(|b| {
            b.add_claim(NewClaim::factual("fine"))?;
            b.add_claim(NewClaim::factual("  "))
        })
        .unwrap_err();
    assert!(matches!(err, Error::Batch { record: 2, .. }), "{err}");
    assert_eq!(count(&raw, "SELECT count(*) FROM history"), n);
    assert_eq!(count(&raw, "SELECT count(*) FROM history_batch_rows"), 0);
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- re-imports inside one batch ----

/// JSON Lines text of several bundles in one file: one header, then every bundle's records in turn.
fn jsonl_of(bundles: &[Bundle]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, b) in bundles.iter().enumerate() {
        let mut one = Vec::new();
        claimtrack::io::jsonl::write_bundle(b, &mut one).unwrap();
        let text = String::from_utf8(one).unwrap();
        let skip = usize::from(i > 0);
        for line in text.lines().skip(skip) {
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
    }
    out
}

#[test]
fn a_json_lines_file_that_inserts_then_changes_a_record_keeps_both_versions() {
    let (store, raw, dir) = file_store("jsonl-twice");
    store.set_actor("jsonl").unwrap();
    let src = NewSource::new("Agency", SourceKind::NewsAgency)
        .into_source()
        .unwrap();
    let v1 = NewClaim::factual("Version one of the claim")
        .into_claim()
        .unwrap();
    let mut v2 = v1.clone();
    v2.text = "Version two of the claim".into();
    let mut v3 = v2.clone();
    v3.tags = vec!["third".into()];
    let ev = NewEvidence::new(src.id, Stance::Supports)
        .excerpt("an excerpt about Wonsan")
        .into_evidence(v1.id)
        .unwrap();
    let first = Bundle {
        sources: vec![src.clone()],
        claims: vec![v1.clone()],
        evidence: vec![ev.clone()],
        ..Bundle::default()
    };
    // Evidence is never changed by an import (tests/import_rules.rs): only the claim changes.
    let second = Bundle {
        claims: vec![v2.clone()],
        evidence: vec![ev.clone()],
        ..Bundle::default()
    };
    let third = Bundle {
        claims: vec![v3.clone()],
        ..Bundle::default()
    };
    let text = jsonl_of(&[first, second, third]);
    let s = claimtrack::io::jsonl::import(&store, &text[..], ImportOptions::default()).unwrap();
    assert_eq!((s.inserted, s.updated, s.unchanged), (3, 2, 1));
    assert_eq!(store.claim(v1.id).unwrap(), v3);
    let batch = batch_entries(&store, "jsonl");
    assert_eq!(batch.len(), 1);

    let h = store.history_of(v1.id).unwrap();
    let ops: Vec<_> = h.iter().map(|c| (c.seq == batch[0], c.operation)).collect();
    assert_eq!(
        ops,
        [
            (true, Operation::Import),
            (false, Operation::Import),
            (false, Operation::Import)
        ]
    );
    assert_eq!(h[0].after.as_ref().unwrap()["text"], v1.text.as_str());
    assert_eq!(h[1].before, h[0].after);
    assert_eq!(h[1].after.as_ref().unwrap()["text"], v2.text.as_str());
    assert_eq!(h[2].after.as_ref().unwrap()["tags"][0], "third");
    assert_eq!(store.claim_history(v1.id).unwrap().len(), 4);
    let he = store.history_of(ev.id).unwrap();
    assert_eq!(he.len(), 1);
    assert_eq!(
        he[0].after.as_ref().unwrap()["excerpt"],
        "an excerpt about Wonsan"
    );
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());
    assert_each_record_has_one_creation(&store);

    // The index holds the last versions only (the evidence, never changed by an import, keeps its own).
    let found = |q: &str| store.search(q, 10).unwrap().len();
    assert_eq!(found("Wonsan"), 1);
    assert_eq!(found("two"), 1);
    assert_eq!(found("one"), 0);
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bundle_with_standings_for_evidence_it_inserts_verifies() {
    // A desk with revised evidence and a retracted piece, exported...
    let desk = Store::open_in_memory().unwrap();
    let gov = desk
        .add_source(NewSource::new("Ministry", SourceKind::GovernmentBody))
        .unwrap();
    let claim = desk.add_claim(NewClaim::factual("Troops were deployed")).unwrap();
    let denial = desk
        .add_evidence(
            claim,
            NewEvidence::new(gov, Stance::Refutes).excerpt("we deny it"),
        )
        .unwrap();
    let admission = desk
        .revise_evidence(
            denial,
            NewEvidence::new(gov, Stance::Supports).excerpt("we admit it"),
            "ministry confirmed",
        )
        .unwrap();
    let stray = desk
        .add_evidence(claim, NewEvidence::new(gov, Stance::Neutral))
        .unwrap();
    desk.retract_evidence(stray, "wrong claim").unwrap();
    let bundle = bundle::export(&desk).unwrap();
    assert_eq!(bundle.evidence_standings.len(), 2);

    // ...and loaded into a fresh store in one bundle: the evidence and its standing in one batch.
    let (store, raw, dir) = file_store("standings");
    store.set_actor("restore").unwrap();
    let s = bundle::import(&store, &bundle, ImportOptions::default()).unwrap();
    assert_eq!(s.inserted, bundle.len() as u64);
    assert_eq!(
        store.evidence_standing(denial).unwrap(),
        desk.evidence_standing(denial).unwrap()
    );
    assert!(!store.evidence_standing(stray).unwrap().is_current());
    assert_eq!(
        store
            .current_evidence_of(claim)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect::<Vec<_>>(),
        [admission]
    );
    let batch = batch_entries(&store, "restore");
    assert_eq!(batch.len(), 1);
    // The superseded record: created by the batch, then its standing set by the same batch.
    let h = store.history_of(denial).unwrap();
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!((h[0].seq, h[0].operation), (batch[0], Operation::Import));
    assert!(h[0].after.as_ref().unwrap().get("standing").is_none());
    assert!(h[1].after.as_ref().unwrap().get("standing").is_some());
    assert_eq!(
        count(&raw, "SELECT count(*) FROM history WHERE batch IS NOT NULL"),
        2
    );
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());
    assert_each_record_has_one_creation(&store);
    // Importing the same bundle again changes nothing.
    let again = bundle::import(&store, &bundle, ImportOptions::default()).unwrap();
    assert_eq!((again.inserted, again.updated), (0, 0));
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- rowid reuse, interleaving ----

#[test]
fn a_new_batch_reusing_the_rowids_of_deleted_batch_records_names_itself() {
    let (store, raw, dir) = file_store("reuse");
    store.set_actor("b1").unwrap();
    let first = claims(&["alpha one", "alpha two", "alpha three"]);
    batch_insert(&store, &first);
    // The two highest rowids go; a new batch takes them again.
    store.set_actor("api").unwrap();
    store.delete_claim(first[2].id).unwrap();
    store.delete_claim(first[1].id).unwrap();
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());
    store.set_actor("b2").unwrap();
    let second = claims(&["beta one", "beta two", "beta three"]);
    batch_insert(&store, &second);
    let (b1, b2) = (batch_entries(&store, "b1")[0], batch_entries(&store, "b2")[0]);
    assert_eq!(
        count(
            &raw,
            "SELECT count(*) FROM history_batch_rows WHERE first_row = 2"
        ),
        1,
        "the second batch starts at the freed rowid 2"
    );
    for c in &first {
        assert_eq!(store.history_of(c.id).unwrap()[0].seq, b1);
    }
    for c in &second {
        let h = store.history_of(c.id).unwrap();
        assert_eq!((h.len(), h[0].seq), (1, b2), "{h:?}");
        assert_eq!(h[0].after.as_ref().unwrap()["text"], c.text.as_str());
    }
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());
    // The reused rowids change through the API: the new records name the newer batch.
    store.set_actor("api").unwrap();
    for c in &second {
        let mut changed = c.clone();
        changed.text.push_str(" (edited)");
        store.update_claim(&changed).unwrap();
    }
    assert_eq!(
        count(
            &raw,
            "SELECT count(*) FROM history WHERE batch IS NOT NULL AND entity_kind = 'claim'"
        ),
        5
    );
    for c in &second {
        let h = store.history_of(c.id).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].seq, b2);
        assert_eq!(h[0].after.as_ref().unwrap()["text"], c.text.as_str());
    }
    // Everything goes, and single inserts take the rowids.
    for c in first.iter().take(1).chain(&second) {
        store.delete_claim(c.id).unwrap();
    }
    let single = store.add_claim(NewClaim::factual("gamma single")).unwrap();
    let h = store.history_of(single).unwrap();
    assert_eq!(
        h.iter().map(|c| c.operation).collect::<Vec<_>>(),
        [Operation::Insert]
    );
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());
    for c in first.iter().chain(&second) {
        let h = store.history_of(c.id).unwrap();
        assert_eq!(h[0].operation, Operation::Import);
        assert_eq!(h.last().unwrap().operation, Operation::Delete);
    }
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

per_backend!(single_writes_interleaved_with_batches_keep_one_creation_each);
fn single_writes_interleaved_with_batches_keep_one_creation_each(store: &Store) {
    let src = store
        .add_source(NewSource::new("Wire", SourceKind::NewsAgency))
        .unwrap();
    let mut ids = Vec::new();
    for round in 0..4 {
        ids.push(
            store
                .add_claim(NewClaim::factual(format!("single {round}")))
                .unwrap(),
        );
        let made = store
            .batch(|b| {
                let s = b.add_source(NewSource::new(format!("Outlet {round}"), SourceKind::Outlet))?;
                let mut out = Vec::new();
                for i in 0..3 {
                    let c = b.add_claim(NewClaim::factual(format!("bulk {round}.{i}")))?;
                    b.attribute(c, NewAttribution::said_by(s).quote(format!("quoted {round} {i}")))?;
                    b.add_evidence(c, NewEvidence::new(src, Stance::Mixed))?;
                    out.push(c);
                }
                Ok(out)
            })
            .unwrap();
        ids.extend(made);
        let e = store
            .add_evidence(ids[0], NewEvidence::new(src, Stance::Refutes))
            .unwrap();
        if round % 2 == 1 {
            store.delete_evidence(e).unwrap();
        }
        // Change one record of each earlier batch.
        let mut c = store.claim(ids[ids.len() - 2]).unwrap();
        c.text.push('!');
        store.update_claim(&c).unwrap();
    }
    assert_consistent(store);
    assert_each_record_has_one_creation(store);
}

per_backend!(restoring_a_deleted_record_from_a_bundle_verifies);
/// A record deleted and then restored from a backup bundle (same id) must verify, and its history show
/// the restoration.
fn restoring_a_deleted_record_from_a_bundle_verifies(store: &Store) {
    // Once made by a single insert, once by a batch.
    let single = store.add_claim(NewClaim::factual("made one by one")).unwrap();
    let bulk = claims(&["made in bulk"]);
    batch_insert(store, &bulk);
    let backup = bundle::export(store).unwrap();
    store.delete_claim(single).unwrap();
    store.delete_claim(bulk[0].id).unwrap();
    assert_consistent(store);
    let s = bundle::import(store, &backup, ImportOptions::default()).unwrap();
    assert_eq!(s.inserted, 2);
    assert_consistent(store);
    for id in [single, bulk[0].id] {
        let ops: Vec<_> = store
            .history_of(id)
            .unwrap()
            .iter()
            .map(|c| c.operation)
            .collect();
        assert_eq!(ops.len(), 3, "{ops:?}");
        assert_eq!(ops[1], Operation::Delete);
        assert_eq!(ops[2], Operation::Import);
    }
    // The restored records change and go again, and history keeps up.
    let mut c = store.claim(single).unwrap();
    c.text = "restored and changed".into();
    store.update_claim(&c).unwrap();
    store.delete_claim(bulk[0].id).unwrap();
    assert_consistent(store);
    // The same in a batch (insert_claim with the id of a deleted record), beside a new record: only
    // the new one is the batch's.
    store.set_actor("mixed").unwrap();
    let fresh = claims(&["new in the mixed batch"]);
    batch_insert(store, &[bulk[0].clone(), fresh[0].clone()]);
    assert_consistent(store);
    let entries = store.history_by_actor("mixed").unwrap();
    assert_eq!(entries.len(), 2, "{entries:?}");
    let batch = entries.iter().find(|c| c.kind == EntityKind::Batch).unwrap();
    assert_eq!(batch.after.as_ref().unwrap(), &serde_json::json!({"claim": 1}));
    let own = entries.iter().find(|c| c.kind == EntityKind::Claim).unwrap();
    assert_eq!(
        (own.entity, own.operation),
        (bulk[0].id.as_uuid(), Operation::Import)
    );
    assert_eq!(store.history_of(fresh[0].id).unwrap()[0].seq, batch.seq);
    assert_each_record_has_one_creation(store);
}

per_backend!(history_read_inside_a_batch_sees_its_records);
fn history_read_inside_a_batch_sees_its_records(desk: &Desk) {
    let store = &desk.open();
    // On SQLite the store's own reads run in the batch's transaction; a PostgreSQL store cannot be
    // used inside its own transaction, so there only the batch's reads are asked.
    let on_sqlite = desk.backend() == Backend::Sqlite;
    store.set_actor("desk:bulk").unwrap();
    let before = store.add_claim(NewClaim::factual("Written before")).unwrap();
    let (c, batch_seq) = store
        .batch(|b| {
            // Nothing of the batch yet: history reads as before it began.
            assert!(b.verify_history()?.is_consistent());
            let c = b.add_claim(NewClaim::factual("Seen from inside"))?;
            let s = b.add_source(NewSource::new("Inside agency", SourceKind::NewsAgency))?;
            b.add_evidence(c, NewEvidence::new(s, Stance::Supports))?;
            let e = b.evidence_of(c)?[0].id;
            let h = b.history_of(c)?;
            assert_eq!(h.len(), 1, "{h:?}");
            assert_eq!(
                (h[0].operation, h[0].actor.as_str()),
                (Operation::Import, "desk:bulk")
            );
            assert_eq!(h[0].after.as_ref().unwrap()["text"], "Seen from inside");
            let batch_seq = h[0].seq;
            assert_eq!(b.history_of(e)?[0].seq, batch_seq);
            assert_eq!(b.history_of(s)?[0].seq, batch_seq);
            // The record written before the batch keeps its own entry.
            assert_eq!(b.history_of(before)?[0].operation, Operation::Insert);
            let r = b.verify_history()?;
            assert!(r.is_consistent(), "{:?}", r.problems);
            assert_eq!(r.records, 4);
            if on_sqlite {
                assert_eq!(store.claim(c)?.text, "Seen from inside");
                assert_eq!(store.history_of(c)?, h);
                let ch = store.claim_history(c)?;
                assert_eq!(ch.len(), 2, "the claim's and its evidence's creation: {ch:?}");
                let r = store.verify_history()?;
                assert!(r.is_consistent(), "{:?}", r.problems);
                assert_eq!(r.records, 4);
            }
            Ok((c, batch_seq))
        })
        .unwrap();
    // The same creation once the batch has ended; a change then names the batch as its creator.
    let h = store.history_of(c).unwrap();
    assert_eq!((h.len(), h[0].seq), (1, batch_seq), "{h:?}");
    assert_eq!(h[0].after.as_ref().unwrap()["text"], "Seen from inside");
    let mut claim = store.claim(c).unwrap();
    claim.text = "Changed after the batch".into();
    store.update_claim(&claim).unwrap();
    let h = store.history_of(c).unwrap();
    assert_eq!((h.len(), h[0].seq), (2, batch_seq), "{h:?}");
    assert_eq!(h[1].before, h[0].after);
    assert_consistent(store);
    // A batch that fails leaves no open batch behind: later records have their own entries.
    let failed = store.batch(|b| {
        b.add_claim(NewClaim::factual("Rolled back"))?;
        b.add_claim(NewClaim::factual(" "))
    });
    assert!(failed.is_err());
    let later = store
        .add_claim(NewClaim::factual("After the failed batch"))
        .unwrap();
    assert_eq!(store.history_of(later).unwrap().len(), 1);
    assert_eq!(store.history_of(later).unwrap()[0].operation, Operation::Insert);
    assert_consistent(store);
    // And a batch that succeeds leaves none either.
    store
        .batch(|b| b.add_claim(NewClaim::factual("A second batch")))
        .unwrap();
    let last = store
        .add_claim(NewClaim::factual("After the second batch"))
        .unwrap();
    assert_eq!(store.history_of(last).unwrap()[0].operation, Operation::Insert);
    assert_consistent(store);
}

// ---- changes behind the API ----

fn tamper_setup(name: &str) -> (Store, Connection, PathBuf, Vec<Claim>) {
    let (store, raw, dir) = file_store(name);
    let list = claims(&["one", "two", "three", "four"]);
    batch_insert(&store, &list);
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());
    (store, raw, dir, list)
}

fn batch_problems(store: &Store) -> Vec<String> {
    store
        .verify_history()
        .unwrap()
        .problems
        .into_iter()
        .map(|p| format!("{:?}: {}", p.kind, p.problem))
        .collect()
}

#[test]
fn an_imported_row_changed_behind_the_api_is_found() {
    let (store, raw, dir, list) = tamper_setup("tamper-row");
    raw.execute(
        "UPDATE claims SET text = 'tampered' WHERE uuid = ?1",
        [&list[2].id.as_uuid().as_bytes()[..]],
    )
    .unwrap();
    let p = batch_problems(&store);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("changed behind the API"), "{p:?}");
    // It stays found after the record's first change through the API (whose value before is the tampered one).
    let mut c = store.claim(list[2].id).unwrap();
    c.text = "edited through the api".into();
    store.update_claim(&c).unwrap();
    let p = batch_problems(&store);
    assert_eq!(p.len(), 1, "{p:?}");
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Sets claim `id`'s text behind the API, through a connection of the desk's own engine (a plain
/// UPDATE of the record table: the history's triggers refuse changes to the history itself).
fn set_text_behind_the_api(desk: &Desk, id: ClaimId, text: &str) {
    match desk.backend() {
        Backend::Sqlite => {
            let raw = Connection::open(desk.path().unwrap()).unwrap();
            let n = raw
                .execute(
                    "UPDATE claims SET text = ?1 WHERE uuid = ?2",
                    rusqlite::params![text, &id.as_uuid().as_bytes()[..]],
                )
                .unwrap();
            assert_eq!(n, 1);
        }
        #[cfg(feature = "postgres")]
        Backend::Postgres => {
            let mut raw = backend::pg::connect(desk.location());
            let n = raw
                .execute(
                    "UPDATE claims SET text = $1 WHERE uuid = $2",
                    &[&text, &id.as_uuid()],
                )
                .unwrap();
            assert_eq!(n, 1);
        }
        #[cfg(not(feature = "postgres"))]
        Backend::Postgres => unreachable!("PostgreSQL tests run with the postgres feature"),
    }
}

fn import_value(store: &Store, id: ClaimId) -> (Option<String>, Option<Unverified>) {
    let h = store.history_of(id).unwrap();
    assert_eq!(h[0].operation, Operation::Import, "{h:?}");
    let text = h[0]
        .after
        .as_ref()
        .map(|v| v["text"].as_str().unwrap().to_owned());
    (text, h[0].unverified)
}

per_backend!(history_of_does_not_present_a_tampered_value_as_imported);
fn history_of_does_not_present_a_tampered_value_as_imported(desk: &Desk) {
    let store = &desk.open();
    let list = claims(&["one", "two", "three", "four"]);
    batch_insert(store, &list);
    let other = claims(&["of another batch"]);
    batch_insert(store, &other);
    for c in list.iter().chain(&other) {
        assert_eq!(import_value(store, c.id), (Some(c.text.clone()), None));
    }
    let changed = Some(Unverified::Changed);
    set_text_behind_the_api(desk, list[0].id, "tampered");
    // The batch keeps only a sum of its records' digests, which no longer adds up: none of its claims
    // is shown with a value as imported, the changed one or the others (the sum cannot tell which).
    for c in &list {
        assert_eq!(import_value(store, c.id), (None, changed), "{:?}", c.text);
    }
    let h = store.history_of(list[0].id).unwrap();
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(store.claim_history(list[0].id).unwrap(), h);
    // Another batch's records, and the batch's records of other kinds, are not concerned.
    assert_eq!(
        import_value(store, other[0].id),
        (Some(other[0].text.clone()), None)
    );
    let p = batch_problems(store);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("changed behind the API"), "{p:?}");
    // Put back as it was written, the sum adds up again and the values show.
    set_text_behind_the_api(desk, list[0].id, "one");
    assert_eq!(import_value(store, list[0].id), (Some("one".into()), None));
    assert!(batch_problems(store).is_empty());
    // Changed behind the API, then through it: the change's value before is what it found (the
    // tampered text), still never shown as what the batch imported.
    set_text_behind_the_api(desk, list[1].id, "tampered again");
    let mut c = store.claim(list[1].id).unwrap();
    c.text = "edited through the api".into();
    store.update_claim(&c).unwrap();
    let h = store.history_of(list[1].id).unwrap();
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!((h[0].after.clone(), h[0].unverified), (None, changed), "{h:?}");
    assert_eq!(h[1].before.as_ref().unwrap()["text"], "tampered again");
    assert_eq!(import_value(store, list[2].id), (None, changed));
    // The JSON form says why, and leaves the value out.
    let json = serde_json::to_value(&h[0]).unwrap();
    assert_eq!(json["unverified"], "changed");
    assert!(json.get("after").is_none(), "{json}");
}

per_backend!(a_batch_too_large_to_check_on_a_read_is_flagged_not_checked);
fn a_batch_too_large_to_check_on_a_read_is_flagged_not_checked(store: &Store) {
    let limit = usize::try_from(BATCH_CHECK_LIMIT).unwrap();
    let texts = |prefix: &str, n: usize| -> Vec<Claim> {
        let texts: Vec<String> = (0..n).map(|i| format!("{prefix} {i}")).collect();
        claims(&texts.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let at_limit = texts("at the limit", limit);
    let over = texts("over the limit", limit + 1);
    batch_insert(store, &at_limit);
    batch_insert(store, &over);
    assert_eq!(
        import_value(store, at_limit[7].id),
        (Some("at the limit 7".into()), None)
    );
    assert_eq!(
        import_value(store, over[7].id),
        (Some("over the limit 7".into()), Some(Unverified::TooLarge))
    );
    // verify_history checks them all.
    assert!(batch_problems(store).is_empty());
}

#[test]
fn rows_removed_or_added_behind_the_api_are_found() {
    let (store, raw, dir, list) = tamper_setup("tamper-rows");
    // A batch row deleted behind the API.
    raw.execute(
        "DELETE FROM claims WHERE uuid = ?1",
        [&list[3].id.as_uuid().as_bytes()[..]],
    )
    .unwrap();
    let p = batch_problems(&store);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("wrote 4 claim records; 3 are found"), "{p:?}");
    // ...and another put in its place (same rowid, inside the batch's range).
    let fake = NewClaim::factual("planted").into_claim().unwrap();
    raw.execute(
        "INSERT INTO claims (id, uuid, text, kind, created_at) VALUES (4, ?1, 'planted', 'factual', 0)",
        [&fake.id.as_uuid().as_bytes()[..]],
    )
    .unwrap();
    let p = batch_problems(&store);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("changed behind the API"), "{p:?}");
    // A row planted inside the range, where a deleted record (deleted through the API) was.
    let (store2, raw2, dir2, list2) = tamper_setup("tamper-gap");
    store2.delete_claim(list2[1].id).unwrap();
    assert!(batch_problems(&store2).is_empty());
    raw2.execute(
        "INSERT INTO claims (id, uuid, text, kind, created_at) VALUES (2, ?1, 'planted', 'factual', 0)",
        [&fake.id.as_uuid().as_bytes()[..]],
    )
    .unwrap();
    let p = batch_problems(&store2);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("wrote 4 claim records; 5 are found"), "{p:?}");
    // A row moved out of the range.
    raw2.execute("DELETE FROM claims WHERE id = 2", []).unwrap();
    raw2.execute("UPDATE claims SET id = 100 WHERE id = 1", [])
        .unwrap();
    let p = batch_problems(&store2);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(p.iter().any(|x| x.contains("it has no history")), "{p:?}");
    drop((store, store2));
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&dir2).unwrap();
}

#[test]
fn range_rows_and_batch_entries_resist_tampering() {
    let (store, raw, dir, _list) = tamper_setup("tamper-ranges");
    let batch = count(&raw, "SELECT id FROM history WHERE entity_kind = 'batch'");
    for sql in [
        "UPDATE history_batch_rows SET records = 3",
        "UPDATE history_batch_rows SET last_row = 3",
        "DELETE FROM history_batch_rows",
        "DELETE FROM history WHERE entity_kind = 'batch'",
        "UPDATE history SET actor = 'mallory' WHERE entity_kind = 'batch'",
    ] {
        let e = raw.execute(sql, []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    // A forged range claiming the last rows for a newer, fake batch entry: the real batch now misses them.
    raw.execute(
        "INSERT INTO history (at, actor, entity_kind, entity, operation, after) \
         VALUES (0, 'mallory', 'batch', randomblob(16), 'import', '{}')",
        [],
    )
    .unwrap();
    let fake = raw.last_insert_rowid();
    raw.execute(
        "INSERT INTO history_batch_rows (entity_kind, first_row, last_row, batch, records, digest) \
         VALUES ('claim', 3, 4, ?1, 2, 0)",
        [fake],
    )
    .unwrap();
    let p = batch_problems(&store);
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        p.iter()
            .any(|x| x.contains(&format!("batch entry {batch} wrote 4"))),
        "{p:?}"
    );
    // A second range row for the real batch.
    let (store2, raw2, dir2, _) = tamper_setup("tamper-ranges2");
    let batch2 = count(&raw2, "SELECT id FROM history WHERE entity_kind = 'batch'");
    raw2.execute(
        "INSERT INTO history_batch_rows (entity_kind, first_row, last_row, batch, records, digest) \
         VALUES ('claim', 50, 60, ?1, 1, 0)",
        [batch2],
    )
    .unwrap();
    assert!(!batch_problems(&store2).is_empty());
    drop((store, store2));
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&dir2).unwrap();
}

// ---- full-text search ----

#[test]
fn search_finds_batch_written_text_and_follows_updates_and_deletes() {
    let (store, raw, dir) = file_store("search");
    let (claim, quoted, bare_attr, excerpted, bare_ev) = store
        .batch(|b| {
            let s = b.add_source(NewSource::new("Minister", SourceKind::Person))?;
            let c = b.add_claim(NewClaim::factual("Shipments crossed the Tumen bridge"))?;
            let q = b.attribute(c, NewAttribution::said_by(s).quote("we saw zeppelins overhead"))?;
            let a = b.attribute(c, NewAttribution::said_by(s).paraphrase())?;
            let e = b.add_evidence(
                c,
                NewEvidence::new(s, Stance::Supports).excerpt("satellite imagery of barges"),
            )?;
            let n = b.add_evidence(c, NewEvidence::new(s, Stance::Neutral))?;
            Ok((c, q, a, e, n))
        })
        .unwrap();
    let hits = |q: &str| -> Vec<claimtrack::analysis::MatchedIn> {
        store
            .search(q, 10)
            .unwrap()
            .into_iter()
            .map(|h| h.matched_in)
            .collect()
    };
    assert_eq!(hits("Tumen"), [claimtrack::analysis::MatchedIn::ClaimText]);
    assert_eq!(
        hits("zeppelins"),
        [claimtrack::analysis::MatchedIn::Quote(quoted)]
    );
    assert_eq!(
        hits("barges"),
        [claimtrack::analysis::MatchedIn::Excerpt(excerpted)]
    );
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());

    // Updates: quote from none to words, words to none; excerpt changed; claim text changed.
    let mut a = store.attribution(bare_attr).unwrap();
    a.quote = Some("a freshly quoted albatross".into());
    a.mode = claimtrack::Mode::DirectQuote;
    store.update_attribution(&a).unwrap();
    let mut q = store.attribution(quoted).unwrap();
    q.quote = None;
    q.mode = claimtrack::Mode::Paraphrase;
    store.update_attribution(&q).unwrap();
    let mut e = store.evidence(bare_ev).unwrap();
    e.excerpt = Some("drone footage of a convoy".into());
    store.update_evidence(&e).unwrap();
    let mut c = store.claim(claim).unwrap();
    c.text = "Shipments crossed the Yalu bridge".into();
    store.update_claim(&c).unwrap();
    assert!(hits("Tumen").is_empty());
    assert_eq!(hits("Yalu"), [claimtrack::analysis::MatchedIn::ClaimText]);
    assert!(hits("zeppelins").is_empty());
    assert_eq!(
        hits("albatross"),
        [claimtrack::analysis::MatchedIn::Quote(bare_attr)]
    );
    assert_eq!(
        hits("convoy"),
        [claimtrack::analysis::MatchedIn::Excerpt(bare_ev)]
    );
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());

    // Deletes, of indexed and unindexed rows.
    store.delete_attribution(bare_attr).unwrap();
    store.delete_attribution(quoted).unwrap();
    store.delete_evidence(excerpted).unwrap();
    assert!(hits("albatross").is_empty());
    assert!(hits("barges").is_empty());
    assert_eq!(hits("convoy").len(), 1);
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());
    store.delete_evidence(bare_ev).unwrap();
    store.delete_claim(claim).unwrap();
    assert!(hits("Yalu").is_empty() && hits("convoy").is_empty());
    assert_consistent(&store);
    assert_eq!(fts_problems(&raw), Vec::<String>::new());
    assert_each_record_has_one_creation(&store);
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

per_backend!(search_follows_a_bundle_reimport_that_replaces_text);
fn search_follows_a_bundle_reimport_that_replaces_text(store: &Store) {
    let src = NewSource::new("Wire", SourceKind::NewsAgency)
        .into_source()
        .unwrap();
    let c = NewClaim::factual("Flooding in Sinuiju").into_claim().unwrap();
    let a = NewAttribution::said_by(src.id)
        .paraphrase()
        .into_attribution(c.id)
        .unwrap();
    let e = NewEvidence::new(src.id, Stance::Supports)
        .excerpt("river gauges peaked")
        .into_evidence(c.id)
        .unwrap();
    let mut b = Bundle {
        sources: vec![src],
        claims: vec![c],
        attributions: vec![a],
        evidence: vec![e],
        ..Bundle::default()
    };
    bundle::import(store, &b, ImportOptions::default()).unwrap();
    b.claims[0].text = "Flooding in Hyesan".into();
    b.attributions[0].quote = Some("the levee broke".into());
    b.attributions[0].mode = claimtrack::Mode::DirectQuote;
    let s = bundle::import(store, &b, ImportOptions::default()).unwrap();
    assert_eq!(s.updated, 2);
    // Evidence is corrected through the API, never by an import (tests/import_rules.rs).
    let mut e = b.evidence[0].clone();
    e.excerpt = None;
    store.update_evidence(&e).unwrap();
    let n = |q: &str| store.search(q, 10).unwrap().len();
    assert_eq!((n("Sinuiju"), n("Hyesan"), n("levee"), n("gauges")), (0, 1, 1, 0));
    assert_consistent(store);
    assert_each_record_has_one_creation(store);
}

// ---- values that read back differently from how they were written ----

per_backend!(a_batch_claim_with_a_negative_zero_figure_verifies);
fn a_batch_claim_with_a_negative_zero_figure_verifies(store: &Store) {
    let c = NewClaim::factual("Output fell by zero percent")
        .quantity(claimtrack::Quantity::exact(-0.0, "percent"))
        .into_claim()
        .unwrap();
    batch_insert(store, std::slice::from_ref(&c));
    // The same through the single-record path, and a rating of negative zero.
    let single = store
        .add_claim(NewClaim::factual("Growth was nil").quantity(claimtrack::Quantity::about(-0.0, "percent")))
        .unwrap();
    store
        .batch(|b| {
            b.add_review(
                single,
                claimtrack::NewReview::new(claimtrack::Verdict::False)
                    .rating(claimtrack::Rating::new(-0.0, -0.0, 5.0)),
            )
        })
        .unwrap();
    let r = store.verify_history().unwrap();
    assert!(r.is_consistent(), "{:?}", r.problems);
    reads_back_unchanged(store, c);
}

/// The claim reads back equal to what was written, and re-importing it finds nothing to change.
fn reads_back_unchanged(store: &Store, c: claimtrack::Claim) {
    assert_eq!(store.claim(c.id).unwrap(), c);
    let again = bundle::import(
        store,
        &Bundle {
            claims: vec![c],
            ..Bundle::default()
        },
        ImportOptions::default(),
    )
    .unwrap();
    assert_eq!((again.inserted, again.updated), (0, 0));
}

per_backend!(a_batch_claim_created_at_another_offset_verifies);
fn a_batch_claim_created_at_another_offset_verifies(store: &Store) {
    let mut c = NewClaim::factual("Recorded in Seoul").into_claim().unwrap();
    c.created_at = c
        .created_at
        .to_offset(time::UtcOffset::from_hms(9, 0, 0).unwrap())
        .replace_nanosecond(123_456_789)
        .unwrap();
    batch_insert(store, std::slice::from_ref(&c));
    let r = store.verify_history().unwrap();
    assert!(r.is_consistent(), "{:?}", r.problems);
    reads_back_unchanged(store, c);
}

// ---- importers, standings, sources ----

per_backend!(every_importer_writes_history_that_verifies_and_search_finds);
fn every_importer_writes_history_that_verifies_and_search_finds(store: &Store) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    store.set_actor("fever").unwrap();
    import_file(
        store,
        DataSet::Fever,
        data.join("fever/paper_dev_excerpt.jsonl"),
        ImportOptions::default(),
    )
    .unwrap();
    store.set_actor("liar").unwrap();
    import_file(
        store,
        DataSet::Liar,
        data.join("liar/handmade.tsv"),
        ImportOptions::default(),
    )
    .unwrap();
    store.set_actor("climate").unwrap();
    import_file(
        store,
        DataSet::ClimateFever,
        data.join("climate-fever/handmade.csv"),
        ImportOptions::default(),
    )
    .unwrap();
    store.set_actor("claimreview").unwrap();
    for f in ["schemaorg/example1.jsonld", "schemaorg/example2.jsonld"] {
        claimtrack::io::claimreview::import(
            store,
            std::fs::File::open(data.join(f)).unwrap(),
            ImportOptions::default(),
        )
        .unwrap();
    }
    store.set_actor("factcheck").unwrap();
    claimtrack::io::factcheck::import(
        store,
        std::fs::File::open(data.join("factcheck/page.json")).unwrap(),
        ImportOptions::default(),
    )
    .unwrap();
    store.set_actor("seed").unwrap();
    claimtrack::seeds::load_wonsan(store).unwrap();
    assert_consistent(store);
    assert_each_record_has_one_creation(store);
    // Each load is one batch entry (or none when it wrote nothing new), whose counts add up to the store.
    let mut written = 0;
    for actor in ["fever", "liar", "climate", "claimreview", "factcheck", "seed"] {
        let entries = store.history_by_actor(actor).unwrap();
        assert!(!entries.is_empty(), "{actor}");
        for e in entries.iter().filter(|e| e.kind == EntityKind::Batch) {
            written += e
                .after
                .as_ref()
                .unwrap()
                .as_object()
                .unwrap()
                .values()
                .map(|v| v.as_u64().unwrap())
                .sum::<u64>();
        }
    }
    let total = bundle::export(store).unwrap().len() as u64;
    let singles = store.verify_history().unwrap().changes;
    assert!(
        written <= total && written > 0,
        "{written} of {total} ({singles} entries)"
    );
    // A word of every claim finds it.
    for c in store.claims().unwrap().iter().take(40) {
        let Some(word) = c
            .text
            .split(|ch: char| !ch.is_alphanumeric())
            .filter(|w| w.len() > 6)
            .max_by_key(|w| w.len())
        else {
            continue;
        };
        let hits = store.search(word, 500).unwrap();
        assert!(hits.iter().any(|h| h.claim == c.id), "{word}: {}", c.text);
    }
}

per_backend!(sources_with_aliases_and_parents_from_a_batch_verify);
fn sources_with_aliases_and_parents_from_a_batch_verify(store: &Store) {
    store
        .batch(|b| {
            let parent = b.add_source(
                NewSource::new("Zeta Media Group", SourceKind::Organisation)
                    .alias("zmg")
                    .alias("Alpha Holdings")
                    .alias("  beta   corp "),
            )?;
            b.add_source(
                NewSource::new("Zeta Daily", SourceKind::Outlet)
                    .part_of(parent)
                    .alias("ZD")
                    .alias("a daily"),
            )?;
            Ok(())
        })
        .unwrap();
    assert_consistent(store);
    assert_each_record_has_one_creation(store);
}

per_backend!(a_standing_imported_for_evidence_of_an_older_batch_names_that_batch);
fn a_standing_imported_for_evidence_of_an_older_batch_names_that_batch(store: &Store) {
    store.set_actor("first").unwrap();
    let src = NewSource::new("Agency", SourceKind::NewsAgency)
        .into_source()
        .unwrap();
    let claim = NewClaim::factual("A bridge collapsed").into_claim().unwrap();
    let ev = NewEvidence::new(src.id, Stance::Supports)
        .excerpt("photos of the collapse")
        .into_evidence(claim.id)
        .unwrap();
    let bundle = Bundle {
        sources: vec![src],
        claims: vec![claim],
        evidence: vec![ev.clone()],
        ..Bundle::default()
    };
    bundle::import(store, &bundle, ImportOptions::default()).unwrap();
    // Another desk loads the same records and retracts the evidence; its export carries the standing.
    let other = Store::open_in_memory().unwrap();
    bundle::import(&other, &bundle, ImportOptions::default()).unwrap();
    other.retract_evidence(ev.id, "photos were from 2019").unwrap();
    let later = bundle::export(&other).unwrap();
    assert_eq!(later.evidence_standings.len(), 1);
    store.set_actor("second").unwrap();
    let s = bundle::import(store, &later, ImportOptions::default()).unwrap();
    assert_eq!((s.inserted, s.updated), (0, 1));
    assert!(
        batch_entries(store, "second").is_empty(),
        "nothing new was written"
    );
    let first = batch_entries(store, "first");
    let h = store.history_of(ev.id).unwrap();
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!((h[0].seq, h[0].actor.as_str()), (first[0], "first"));
    assert_eq!(
        (h[1].operation, h[1].actor.as_str()),
        (Operation::Import, "second")
    );
    assert!(h[1].after.as_ref().unwrap().get("standing").is_some());
    assert_eq!(store.claim_history(ev.claim).unwrap().len(), 3);
    assert_consistent(store);
    // The retracted excerpt is still found (retraction keeps the record).
    assert_eq!(store.search("collapse", 10).unwrap().len(), 1);
}

#[test]
fn rows_written_behind_the_api_are_reported_by_check() {
    let (store, raw, dir) = file_store("raw-status");
    let s = store
        .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
        .unwrap();
    let c = store.add_claim(NewClaim::factual("Checked")).unwrap();
    store
        .add_evidence(c, NewEvidence::new(s, Stance::Supports))
        .unwrap();
    assert!(store.check().unwrap().is_ok());
    // An incoherent status is refused by the table's CHECKs, by INSERT as by UPDATE.
    let bad = NewEvidence::new(s, Stance::Refutes).into_evidence(c).unwrap();
    let refused = raw.execute(
        "INSERT INTO evidence (uuid, claim_id, source_id, stance, credibility, created_at, status) \
         VALUES (?1, 1, 1, 'refutes', 6, 0, 'superseded')",
        [&bad.id.as_uuid().as_bytes()[..]],
    );
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("CHECK constraint failed")
    );
    assert!(store.check().unwrap().is_ok());
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();

    // A claim inserted behind the API is not in the full-text index (no insert trigger writes it):
    // check reports it rather than search silently missing it.
    let (store, raw, dir) = file_store("raw-fts");
    store.add_claim(NewClaim::factual("Indexed claim")).unwrap();
    raw.execute(
        "INSERT INTO claims (uuid, text, kind, created_at) VALUES (randomblob(16), 'unindexed words', 'factual', 0)",
        [],
    )
    .unwrap();
    // History sees it, and so does check's comparison of each index with its table.
    let r = store.check().unwrap();
    let mut checks: Vec<&str> = r.problems.iter().map(|p| p.check.as_str()).collect();
    checks.sort();
    // search_index twice: the row is missing from claims_fts, and its text key is missing.
    checks.dedup();
    assert_eq!(checks, ["history", "search_index"], "{r:?}");
    assert_eq!(fts_problems(&raw).len(), 1, "{:?}", fts_problems(&raw));
    assert!(store.search("unindexed", 10).unwrap().is_empty());
    // Rebuilding the index mends it (the history problem stays: the row has no history).
    store.rebuild_search_index().unwrap();
    assert_eq!(store.search("unindexed", 10).unwrap().len(), 1);
    assert!(fts_problems(&raw).is_empty());
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---- random sequences ----

mod random {
    use super::*;
    use claimtrack::{AttributionId, ClaimId, EvidenceId, SourceId};
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        /// A batch of claims, each with a quoted or bare attribution and maybe evidence; `fail_first`
        /// runs the first record in an attempt that fails.
        Batch {
            claims: u8,
            quoted: bool,
            evidence: bool,
            fail_first: bool,
        },
        Single {
            quoted: bool,
        },
        UpdateClaim(usize),
        UpdateQuote(usize, bool),
        DeleteEvidence(usize),
        DeleteClaim(usize),
        ReimportChanged(usize),
        Restore(usize),
        Revise(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (1u8..4, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
                |(claims, quoted, evidence, fail_first)| Op::Batch { claims, quoted, evidence, fail_first }
            ),
            2 => any::<bool>().prop_map(|quoted| Op::Single { quoted }),
            2 => any::<usize>().prop_map(Op::UpdateClaim),
            1 => (any::<usize>(), any::<bool>()).prop_map(|(i, q)| Op::UpdateQuote(i, q)),
            1 => any::<usize>().prop_map(Op::DeleteEvidence),
            2 => any::<usize>().prop_map(Op::DeleteClaim),
            1 => any::<usize>().prop_map(Op::ReimportChanged),
            1 => any::<usize>().prop_map(Op::Restore),
            1 => any::<usize>().prop_map(Op::Revise),
        ]
    }

    struct World {
        store: Store,
        src: SourceId,
        claims: Vec<ClaimId>,
        deleted: Vec<Bundle>,
        n: u32,
    }

    impl World {
        fn text(&mut self) -> String {
            self.n += 1;
            format!("claim number w{} about harbour{}", self.n, self.n)
        }

        fn pick<T: Copy>(list: &[T], i: usize) -> Option<T> {
            (!list.is_empty()).then(|| list[i % list.len()])
        }

        fn attribution(&self, quoted: bool, n: u32) -> NewAttribution {
            let a = NewAttribution::said_by(self.src);
            if quoted {
                a.quote(format!("quoted words q{n}"))
            } else {
                a.paraphrase()
            }
        }

        fn apply(&mut self, op: &Op) {
            match *op {
                Op::Batch {
                    claims,
                    quoted,
                    evidence,
                    fail_first,
                } => {
                    let texts: Vec<String> = (0..claims).map(|_| self.text()).collect();
                    let n = self.n;
                    let attr = self.attribution(quoted, n);
                    let src = self.src;
                    let made = self
                        .store
                        .batch(|b| {
                            if fail_first {
                                let r = b.attempt(|b| {
                                    let c = b.add_claim(NewClaim::factual("never stored"))?;
                                    b.attribute(c, NewAttribution::said_by(src).quote("never"))?;
                                    b.add_claim(NewClaim::factual(""))
                                });
                                assert!(r.is_err());
                            }
                            let mut out = Vec::new();
                            for t in &texts {
                                let c = b.add_claim(NewClaim::factual(t.clone()))?;
                                b.attribute(c, attr.clone())?;
                                if evidence {
                                    b.add_evidence(
                                        c,
                                        NewEvidence::new(src, Stance::Supports)
                                            .excerpt(format!("excerpt x{n}")),
                                    )?;
                                }
                                out.push(c);
                            }
                            Ok(out)
                        })
                        .unwrap();
                    self.claims.extend(made);
                }
                Op::Single { quoted } => {
                    let t = self.text();
                    let c = self.store.add_claim(NewClaim::factual(t)).unwrap();
                    self.store.attribute(c, self.attribution(quoted, self.n)).unwrap();
                    self.claims.push(c);
                }
                Op::UpdateClaim(i) => {
                    let store = &self.store;
                    if let Some(id) = Self::pick(&self.claims, i) {
                        let mut c = store.claim(id).unwrap();
                        c.text.push_str(" edited");
                        store.update_claim(&c).unwrap();
                    }
                }
                Op::UpdateQuote(i, q) => {
                    let store = &self.store;
                    if let Some(id) = Self::pick(&self.claims, i) {
                        let a: Vec<AttributionId> =
                            store.attributions_of(id).unwrap().iter().map(|a| a.id).collect();
                        if let Some(aid) = a.first() {
                            let mut a = store.attribution(*aid).unwrap();
                            if q {
                                a.quote = Some(format!("new words for {id}"));
                                a.mode = claimtrack::Mode::DirectQuote;
                            } else {
                                a.quote = None;
                                a.mode = claimtrack::Mode::Paraphrase;
                            }
                            store.update_attribution(&a).unwrap();
                        }
                    }
                }
                Op::DeleteEvidence(i) => {
                    let store = &self.store;
                    if let Some(id) = Self::pick(&self.claims, i) {
                        let e: Vec<EvidenceId> =
                            store.evidence_of(id).unwrap().iter().map(|e| e.id).collect();
                        if let Some(e) = e.last() {
                            match store.delete_evidence(*e) {
                                Ok(()) | Err(Error::StillReferenced { .. }) => {}
                                Err(e) => panic!("{e}"),
                            }
                        }
                    }
                }
                Op::DeleteClaim(i) => {
                    let store = &self.store;
                    if let Some(id) = Self::pick(&self.claims, i) {
                        self.deleted.push(bundle::export_claim(store, id).unwrap());
                        // Oldest evidence first: a superseded record refers to its successor.
                        for e in store.evidence_of(id).unwrap() {
                            store.delete_evidence(e.id).unwrap();
                        }
                        for a in store.attributions_of(id).unwrap() {
                            store.delete_attribution(a.id).unwrap();
                        }
                        store.delete_claim(id).unwrap();
                        self.claims.retain(|c| *c != id);
                    }
                }
                Op::ReimportChanged(i) => {
                    let store = &self.store;
                    if let Some(id) = Self::pick(&self.claims, i) {
                        let mut b = bundle::export_claim(store, id).unwrap();
                        b.claims[0].text.push_str(" reimported");
                        for a in &mut b.attributions {
                            a.quote = Some("reimported words".into());
                            a.mode = claimtrack::Mode::DirectQuote;
                        }
                        let s = bundle::import(store, &b, ImportOptions::default()).unwrap();
                        assert!(s.updated >= 1);
                    }
                }
                Op::Restore(i) => {
                    let store = &self.store;
                    if let Some(b) = Self::pick(&(0..self.deleted.len()).collect::<Vec<_>>(), i) {
                        let b = self.deleted.remove(b);
                        bundle::import(store, &b, ImportOptions::default()).unwrap();
                        self.claims.push(b.claims[0].id);
                    }
                }
                Op::Revise(i) => {
                    let store = &self.store;
                    if let Some(id) = Self::pick(&self.claims, i) {
                        let cur = store.current_evidence_of(id).unwrap();
                        if let Some(e) = cur.first() {
                            store
                                .revise_evidence(e.id, NewEvidence::new(self.src, Stance::Refutes), "revised")
                                .unwrap();
                        }
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn random_batches_and_single_writes_keep_history_consistent(ops in prop::collection::vec(op(), 1..14)) {
            let (store, raw, dir) = file_store("random");
            let src = store.add_source(NewSource::new("Wire", SourceKind::NewsAgency)).unwrap();
            let mut w = World { store, src, claims: Vec::new(), deleted: Vec::new(), n: 0 };
            for op in &ops {
                w.apply(op);
                let r = w.store.verify_history().unwrap();
                prop_assert!(r.is_consistent(), "after {:?}: {:?}", op, r.problems);
            }
            assert_each_record_has_one_creation(&w.store);
            let c = w.store.check().unwrap();
            prop_assert!(c.is_ok(), "{:?}", c.problems);
            prop_assert_eq!(fts_problems(&raw), Vec::<String>::new());
            // Every live claim is found by its own words.
            for id in &w.claims {
                let text = w.store.claim(*id).unwrap().text;
                let word = text.split_whitespace().find(|t| t.starts_with('w')).unwrap();
                let hits = w.store.search(word, 10).unwrap();
                prop_assert!(hits.iter().any(|h| h.claim == *id), "{} {:?}", word, hits);
            }
            drop((w, raw));
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
}
