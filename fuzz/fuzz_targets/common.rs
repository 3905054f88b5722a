//! What every importer target checks (not a target itself: each target includes it with `mod common;`).
#![allow(dead_code)]

use claimtrack::io::{ImportReport, bundle};
use claimtrack::{Counts, Error, NewClaim, Result, Store, seeds};

/// A store with records already in it (the seed article and one more claim), so an import can
/// collide with them.
pub fn desk() -> Store {
    let store = Store::open_in_memory().unwrap();
    seeds::load_wonsan(&store).unwrap();
    store.add_claim(NewClaim::factual("already here")).unwrap();
    store.set_actor("fuzz").unwrap();
    store
}

/// Everything observable about a store: its records, their counts and the length of its history.
pub type Snapshot = (String, Counts, u64);

/// The [`Snapshot`] of `store`; panics if its history disagrees with its state.
pub fn snapshot(store: &Store) -> Snapshot {
    let history = store.verify_history().unwrap();
    assert!(history.is_consistent(), "{:?}", history.problems);
    (
        serde_json::to_string(&bundle::export(store).unwrap()).unwrap(),
        store.counts().unwrap(),
        history.changes,
    )
}

/// An error about the input, never about the database (`Database`, `Busy`, `Io` are the wrong variant
/// for in-memory input).
pub fn is_typed(e: &Error) -> bool {
    match e {
        Error::Batch { source, .. } => is_typed(source),
        Error::Invalid { .. }
        | Error::NotFound { .. }
        | Error::Duplicate { .. }
        | Error::StillReferenced { .. }
        | Error::AffiliationCycle { .. }
        | Error::Parse { .. } => true,
        _ => false,
    }
}

/// A lenient importer's report: a record it skipped must not hide a database error.
pub fn no_hidden_database_error(report: &ImportReport) {
    for issue in &report.issues {
        assert!(
            !issue.message.contains("database error") && !issue.message.contains("database is busy"),
            "a database error reported as a skipped record: {issue:?}"
        );
    }
}

/// Runs `import` on a desk: no panic; after `Ok` the store passes every check; after an error the error
/// is typed and the store exactly as it was.
///
/// Building a desk (schema and seed) costs far more than most inputs, and most inputs are refused: a
/// desk an input left unchanged is kept for the next one (it is then, record for record and in its
/// history, the same as a fresh one); a desk an import wrote to is dropped.
pub fn check_import<T>(import: impl FnOnce(&Store) -> Result<T>) -> Option<T> {
    thread_local! {
        static KEPT: std::cell::RefCell<Option<(Store, Snapshot)>> = const { std::cell::RefCell::new(None) };
    }
    let (store, before) = KEPT.with(|k| k.borrow_mut().take()).unwrap_or_else(|| {
        let store = desk();
        let snap = snapshot(&store);
        (store, snap)
    });
    match import(&store) {
        Ok(v) => {
            let report = store.check().unwrap();
            assert!(report.is_ok(), "accepted, but: {:?}", report.problems);
            Some(v)
        }
        Err(e) => {
            assert!(is_typed(&e), "untyped error: {e:?}");
            assert_eq!(snapshot(&store), before, "refused ({e}) but the store changed");
            KEPT.with(|k| *k.borrow_mut() = Some((store, before)));
            None
        }
    }
}
