//! Arbitrary text into the store's writes and lookups: no panic, typed errors, the store unchanged
//! after a refusal, exact round trips after acceptance.
#![no_main]

use claimtrack::io::bundle;
use claimtrack::{Error, NewClaim, NewEvidence, NewSource, SourceKind, Stance, Store};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let mut parts = s.splitn(3, '\u{1f}');
    let (a, b, c) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let store = Store::open_in_memory().unwrap();
    let src = store
        .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
        .unwrap();
    let snapshot = |store: &Store| serde_json::to_string(&bundle::export(store).unwrap()).unwrap();
    let typed = |e: &Error| assert!(!matches!(e, Error::Database(_)), "untyped error: {e:?}");

    let before = snapshot(&store);
    match store.add_claim(NewClaim::factual(a).tag(b)) {
        Ok(id) => {
            assert_eq!(store.claim(id).unwrap().text, a);
            let before = snapshot(&store);
            match store.add_evidence(id, NewEvidence::new(src, Stance::Refutes).excerpt(c)) {
                Ok(e) => {
                    if let Err(err) = store.revise_evidence(e, NewEvidence::new(src, Stance::Supports), b) {
                        typed(&err);
                    }
                }
                Err(err) => {
                    typed(&err);
                    assert_eq!(snapshot(&store), before);
                }
            }
        }
        Err(e) => {
            typed(&e);
            assert_eq!(snapshot(&store), before);
        }
    }
    if let Err(e) = store.set_actor(c) {
        typed(&e);
    }
    store.find_sources(a).unwrap();
    store.history_by_actor(b).unwrap();
    assert!(store.verify_history().unwrap().is_consistent());
});
