//! Arbitrary text through the full-text query path: `Store::search` and `Store::similar_claims`, on a
//! store holding the seed article plus a claim, a quote and an excerpt made of the fuzzed text itself.
//! No panic; every call answers `Ok` (query syntax is text, never a command) or a typed error; at most
//! `limit` hits, each naming a stored claim, with a finite score; reading writes nothing.
#![no_main]

mod common;

use claimtrack::{NewAttribution, NewClaim, NewEvidence, Stance};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First byte: the limit (0..=255, so 0 and limits above the caps are reached); the rest: the text.
    let Some((&limit, rest)) = data.split_first() else {
        return;
    };
    let limit = usize::from(limit);
    let text = String::from_utf8_lossy(rest);
    let store = common::desk();
    // The fuzzed text also goes into the index, where validation lets it (a refusal is checked by the
    // store_text target).
    if let Ok(claim) = store.add_claim(NewClaim::factual(text.as_ref())) {
        let source = store.sources().unwrap()[0].id;
        let _ = store.attribute(claim, NewAttribution::said_by(source).quote(text.as_ref()));
        let _ = store.add_evidence(
            claim,
            NewEvidence::new(source, Stance::Supports).excerpt(text.as_ref()),
        );
    }
    let before = common::snapshot(&store);
    for query in [text.as_ref(), text.trim(), &text.to_uppercase()] {
        match store.search(query, limit) {
            Ok(hits) => {
                assert!(hits.len() <= limit, "{} hits for limit {limit}", hits.len());
                for h in &hits {
                    assert!(h.score.is_finite(), "{h:?}");
                    assert_eq!(store.claim(h.claim).unwrap().text, h.claim_text);
                }
            }
            Err(e) => assert!(common::is_typed(&e), "search: untyped error: {e:?}"),
        }
        match store.similar_claims(query, limit) {
            Ok(found) => {
                assert!(found.len() <= limit, "{} similar for limit {limit}", found.len());
                for s in &found {
                    assert!(s.score.is_finite(), "{s:?}");
                    assert_eq!(store.claim(s.claim).unwrap().text, s.text);
                }
            }
            Err(e) => assert!(common::is_typed(&e), "similar_claims: untyped error: {e:?}"),
        }
    }
    assert_eq!(common::snapshot(&store), before, "a search changed the store");
});
