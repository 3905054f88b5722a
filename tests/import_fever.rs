//! The FEVER importer on a committed excerpt (counts checked by hand) and, when `CLAIMTRACK_DATA` names
//! the shared data folder, on the full `paper_dev.jsonl`.

#[path = "common/backend.rs"]
mod backend;

#[allow(unused_imports)]
use backend::{Desk, per_backend, sqlite_only};

use claimtrack::io::{DataSet, ImportOptions, IssueKind, import_file};
use std::path::{Path, PathBuf};

use claimtrack::{Error, SourceKind, Stance, Store, Verdict, io::fever};

fn excerpt() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fever/paper_dev_excerpt.jsonl")
}

per_backend!(excerpt_lands_with_hand_checked_counts);
fn excerpt_lands_with_hand_checked_counts(store: &Store) {
    let report = import_file(store, DataSet::Fever, excerpt(), ImportOptions::default()).unwrap();
    assert_eq!(report.read, 10);
    assert!(
        report.issues_of(IssueKind::Unmapped).next().is_none()
            && report.issues_of(IssueKind::Repaired).next().is_none()
    );
    let c = store.counts().unwrap();
    assert_eq!(c.claims, 10);
    assert_eq!(c.reviews, 10);
    assert_eq!(c.evidence, 7);
    assert_eq!(c.sources, 7 + 2, "7 pages, Wikipedia, FEVER");
    assert_eq!((c.attributions, c.publications), (0, 0));
    assert_eq!(report.added, c);

    // "Telemundo is a English-language television network." — REFUTES, two pages.
    let claim = &store.claims_tagged("fever:111897").unwrap()[0];
    assert_eq!(claim.text, "Telemundo is a English-language television network.");
    let review = &store.reviews_of(claim.id).unwrap()[0];
    assert_eq!(review.verdict, Some(Verdict::False));
    assert_eq!(review.label.as_deref(), Some("REFUTES"));
    assert_eq!(store.source(review.reviewer.unwrap()).unwrap().name, "FEVER");
    let evidence = store.evidence_of(claim.id).unwrap();
    let mut names: Vec<String> = evidence
        .iter()
        .map(|e| store.source(e.source.unwrap()).unwrap().name)
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["Wikipedia: Hispanic and Latino Americans", "Wikipedia: Telemundo"]
    );
    assert!(evidence.iter().all(|e| e.stance == Stance::Refutes));

    // Page names are decoded, the raw name kept as an alias, every page part of Wikipedia.
    let page = store.find_source("Soul_Food_-LRB-film-RRB-").unwrap().unwrap();
    assert_eq!(page.name, "Wikipedia: Soul Food (film)");
    assert_eq!(page.kind, SourceKind::Document);
    let wikipedia = store.find_source("Wikipedia").unwrap().unwrap();
    assert_eq!(page.part_of, Some(wikipedia.id));

    // NOT ENOUGH INFO: a review, no evidence.
    let nei = &store.claims_tagged("fever:194462").unwrap()[0];
    assert_eq!(
        store.reviews_of(nei.id).unwrap()[0].verdict,
        Some(Verdict::Unverifiable)
    );
    assert!(store.evidence_of(nei.id).unwrap().is_empty());
}

per_backend!(a_second_import_reuses_the_sources);
fn a_second_import_reuses_the_sources(store: &Store) {
    import_file(store, DataSet::Fever, excerpt(), ImportOptions::default()).unwrap();
    let again = import_file(store, DataSet::Fever, excerpt(), ImportOptions::default()).unwrap();
    assert_eq!(again.added.sources, 0);
    assert_eq!(store.counts().unwrap().sources, 9);
}

per_backend!(a_broken_line_names_it_and_writes_nothing);
fn a_broken_line_names_it_and_writes_nothing(store: &Store) {
    let mut text = std::fs::read_to_string(excerpt()).unwrap();
    text.push_str("{\"id\": 1, \"label\": \"SUPPORTS\", \"claim\": \"Truncated\", \"evid\n");
    let err = fever::import(store, text.as_bytes(), ImportOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Parse { location, .. } if location == "line 11"),
        "{err}"
    );
    assert_eq!(store.counts().unwrap(), claimtrack::Counts::default());

    // A record that parses but is refused by the store is named too.
    let bad = "{\"id\": 2, \"label\": \"SUPPORTS\", \"claim\": \"  \", \"evidence\": []}\n";
    let err = fever::import(
        store,
        format!("{}{bad}", std::fs::read_to_string(excerpt()).unwrap()).as_bytes(),
        ImportOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Batch { location, kind: "claim", .. } if location == "line 11"),
        "{err}"
    );
    assert_eq!(store.counts().unwrap(), claimtrack::Counts::default());
}

per_backend!(an_unknown_label_is_reported_not_guessed);
fn an_unknown_label_is_reported_not_guessed(store: &Store) {
    let line = "{\"id\": 3, \"label\": \"MAYBE\", \"claim\": \"Something.\", \"evidence\": []}\n";
    let report = fever::import(store, line.as_bytes(), ImportOptions::default()).unwrap();
    let unmapped: Vec<_> = report
        .issues_of(IssueKind::Unmapped)
        .map(|i| (i.location.as_str(), i.message.as_str()))
        .collect();
    assert_eq!(unmapped, [("line 1", "MAYBE")]);
    assert_eq!(store.counts().unwrap().reviews, 0);
    assert_eq!(store.counts().unwrap().claims, 1);
}

per_backend!(full_paper_dev_when_the_data_folder_is_given);
fn full_paper_dev_when_the_data_folder_is_given(store: &Store) {
    let Some(dir) = std::env::var_os("CLAIMTRACK_DATA") else {
        eprintln!("CLAIMTRACK_DATA not set: full FEVER file skipped");
        return;
    };
    let report = import_file(
        store,
        DataSet::Fever,
        Path::new(&dir).join("fever/paper_dev.jsonl"),
        ImportOptions::default(),
    )
    .unwrap();
    // Counted independently (Python over the same file): 3,333 claims per label; 1,460 distinct
    // pages; 8,079 distinct (claim, page) pairs for SUPPORTS and REFUTES claims.
    assert_eq!(report.read, 9_999);
    let c = store.counts().unwrap();
    assert_eq!(c.claims, 9_999);
    assert_eq!(c.reviews, 9_999);
    assert_eq!(c.sources, 1_460 + 2);
    assert_eq!(c.evidence, 8_079);
    assert!(report.issues_of(IssueKind::Unmapped).next().is_none());
}
