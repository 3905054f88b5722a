//! Search ranks a claim whose own text matches above one matched only through a quote or an excerpt
//! (issue 12, item 10), and snippets are one line. Hand-made cases, then the full Climate-FEVER file
//! when `CLAIMTRACK_DATA` names the shared data folder (7,675 evidence sentences against 1,535 claims).

#[path = "common/backend.rs"]
mod backend;

use backend::{Backend, Desk, per_backend};
use claimtrack::analysis::MatchedIn;
use claimtrack::io::{DataSet, ImportOptions, import_file};
use claimtrack::{NewAttribution, NewClaim, NewEvidence, NewSource, SourceKind, Stance, Store};

per_backend!(a_claims_own_text_outranks_an_excerpt_other_things_equal);
fn a_claims_own_text_outranks_an_excerpt_other_things_equal(store: &Store) {
    let src = store
        .add_source(NewSource::new("Wire", SourceKind::NewsAgency))
        .unwrap();
    // The excerpt is short and "Wonsan" rare among excerpts: by raw BM25 it would win.
    let by_excerpt = store
        .add_claim(NewClaim::factual("Lavrov met Kim on the coast"))
        .unwrap();
    store
        .add_evidence(
            by_excerpt,
            NewEvidence::new(src, Stance::Supports).excerpt("Wonsan"),
        )
        .unwrap();
    let by_quote = store
        .add_claim(NewClaim::factual("The visit lasted two days"))
        .unwrap();
    store
        .attribute(
            by_quote,
            NewAttribution::said_by(src).quote("in Wonsan for two days"),
        )
        .unwrap();
    let mut own = Vec::new();
    for i in 0..3 {
        own.push(
            store
                .add_claim(NewClaim::factual(format!(
                    "Sergei Lavrov arrived in Wonsan on a visit that the ministry described at length, number {i}"
                )))
                .unwrap(),
        );
    }
    let hits = store.search("wonsan", 10).unwrap();
    let got: Vec<_> = hits.iter().map(|h| (h.claim, h.matched_in)).collect();
    assert_eq!(got.len(), 5);
    assert!(
        got[..3]
            .iter()
            .all(|(c, m)| own.contains(c) && *m == MatchedIn::ClaimText),
        "{got:?}"
    );
    let rest: Vec<_> = got[3..].iter().map(|(c, _)| *c).collect();
    assert!(rest.contains(&by_excerpt) && rest.contains(&by_quote), "{got:?}");
    // A claim matching both in its text and in an excerpt is shown by its text.
    store
        .add_evidence(own[0], NewEvidence::new(src, Stance::Supports).excerpt("Wonsan"))
        .unwrap();
    let hits = store.search("wonsan", 10).unwrap();
    let first = hits.iter().find(|h| h.claim == own[0]).unwrap();
    assert_eq!(first.matched_in, MatchedIn::ClaimText);
    assert_eq!(hits.len(), 5);
}

per_backend!(snippets_are_one_line);
fn snippets_are_one_line(store: &Store) {
    let src = store
        .add_source(NewSource::new("Wire", SourceKind::NewsAgency))
        .unwrap();
    let c = store
        .add_claim(NewClaim::factual(
            "Line one\r\nline two about\tshells\n\nand\u{2028}more",
        ))
        .unwrap();
    store
        .add_evidence(
            c,
            NewEvidence::new(src, Stance::Refutes).excerpt("Depots\nhold\r\nshells\u{2029}stacked\n"),
        )
        .unwrap();
    for q in ["shells", "depots", "two", "more"] {
        let hits = store.search(q, 5).unwrap();
        assert!(!hits.is_empty(), "{q}");
        for h in hits {
            assert!(
                !h.snippet
                    .chars()
                    .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')),
                "{q}: {:?}",
                h.snippet
            );
        }
    }
    let hit = &store.search("shells", 5).unwrap()[0];
    assert_eq!(hit.snippet, "…line two about [shells] and more");
}

per_backend!(climate_fever_claims_that_say_it_come_first);
fn climate_fever_claims_that_say_it_come_first(desk: &Desk) {
    let Some(dir) = std::env::var_os("CLAIMTRACK_DATA") else {
        eprintln!("CLAIMTRACK_DATA not set: full Climate-FEVER file skipped");
        return;
    };
    let path = std::path::Path::new(&dir).join("climate-fever/climate_fever.csv");
    let store = desk.open();
    import_file(&store, DataSet::ClimateFever, &path, ImportOptions::default()).unwrap();
    // (hits, of which by the claim's own text); before this ranking, "ice" showed 37 claims by their
    // own text, ranked among excerpt matches.
    for (word, own_text) in [
        ("ice", (362, 151)),
        ("volcanoes", (36, 9)),
        ("hurricanes", (40, 19)),
        ("temperature", (273, 222)),
    ] {
        let hits = store.search(word, 1_000).unwrap();
        let kinds: Vec<bool> = hits
            .iter()
            .map(|h| h.matched_in == MatchedIn::ClaimText)
            .collect();
        let n = kinds.iter().filter(|k| **k).count();
        eprintln!("{word}: {} hits, {n} by claim text", hits.len());
        assert!(
            kinds.windows(2).all(|w| w[0] || !w[1]),
            "{word}: claim-text hits after excerpt hits"
        );
        match desk.backend() {
            Backend::Sqlite => assert_eq!((hits.len(), n), own_text, "{word}"),
            // PostgreSQL's `simple` configuration does not stem ("volcanoes" is not "volcano"), so it
            // finds fewer; the order above is what is asserted there, with a floor on the counts.
            Backend::Postgres => assert!(n > 0 && hits.len() >= n, "{word}: {} hits, {n}", hits.len()),
        }
        assert!(hits.iter().all(|h| !h.snippet.contains('\n')));
    }
}
