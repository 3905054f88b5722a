//! The AVeriTeC importer on a hand-made file in its format (`tests/data/averitec/handmade.json`, written
//! for these tests: the data set itself is CC BY-NC and stays outside the crate) and, when
//! `CLAIMTRACK_DATA` names the shared data folder, on the first 250 claims of its development set, with
//! every count checked against an independent count (Python over the same file).

#[path = "common/backend.rs"]
mod backend;

#[allow(unused_imports)]
use backend::{Desk, per_backend, sqlite_only};

use claimtrack::io::{DataSet, ImportOptions, IssueKind, import_file};
use std::collections::BTreeMap;
use std::path::Path;

use claimtrack::io::averitec;
use claimtrack::{AnswerType, Counts, Error, PartialDate, SourceKind, Store};

fn handmade() -> String {
    format!("{}/tests/data/averitec/handmade.json", env!("CARGO_MANIFEST_DIR"))
}

per_backend!(a_handmade_file_lands_whole);
fn a_handmade_file_lands_whole(store: &Store) {
    let report = import_file(store, DataSet::Averitec, handmade(), ImportOptions::default()).unwrap();
    assert_eq!(report.read, 3);
    assert!(report.issues_of(IssueKind::Unmapped).next().is_none());
    let c = store.counts().unwrap();
    assert_eq!(
        (
            c.claims,
            c.sources,
            c.publications,
            c.attributions,
            c.evidence,
            c.reviews
        ),
        (3, 5, 2, 3, 4, 3)
    );
    assert_eq!(report.added, c);

    let claims = store.claims().unwrap();
    assert_eq!(claims[0].made_on, Some(PartialDate::day(2021, 3, 7).unwrap()));
    assert_eq!(claims[0].tags, vec!["averitec:0".to_string()]);
    // The same text twice is two records, as in the data set.
    assert_eq!(claims[1].text, claims[2].text);

    // Speaker, relayed by the reporting source, in the archived original's publication.
    let a = &store.attributions_of(claims[0].id).unwrap()[0];
    let mayor = store.source(a.speaker.unwrap()).unwrap();
    assert_eq!(
        (mayor.name.as_str(), mayor.kind),
        ("Mayor of Exampleville", SourceKind::Unknown)
    );
    let relay = store.source(a.relays[0].source).unwrap();
    assert_eq!(
        (relay.name.as_str(), relay.kind),
        ("news.example.org", SourceKind::Website)
    );
    let p = store.publication(a.publication.unwrap()).unwrap();
    assert_eq!(p.url.as_deref(), Some("https://news.example.org/bridge"));
    assert_eq!(p.publisher, Some(relay.id));
    assert_eq!(a.said_on, claims[0].made_on);
    // No speaker: the reporting source stands as speaker; "FACEBOOK" finds "Facebook".
    let fb = store.find_source("facebook").unwrap().unwrap();
    assert_eq!(fb.kind, SourceKind::PlatformAccount);
    for c in &claims[1..] {
        assert_eq!(store.attributions_of(c.id).unwrap()[0].speaker, Some(fb.id));
    }

    // Questions and answers; the archived budget and the plain link are one publication of one site.
    let ev = store.evidence_of(claims[0].id).unwrap();
    assert_eq!(ev.len(), 3);
    assert_eq!(ev[0].question.as_deref(), Some("What did the bridge cost?"));
    assert_eq!(ev[0].answer_type, Some(AnswerType::Extractive));
    assert_eq!(ev[0].publication, ev[1].publication);
    assert_eq!(ev[0].source, ev[1].source);
    let council = store.source(ev[0].source.unwrap()).unwrap();
    assert_eq!(
        (council.name.as_str(), council.kind),
        ("council.example.org", SourceKind::Website)
    );
    let budget = store.publication(ev[0].publication.unwrap()).unwrap();
    assert_eq!(
        budget.url.as_deref(),
        Some("https://council.example.org/budget.pdf")
    );
    assert!(
        budget
            .archive_url
            .unwrap()
            .starts_with("https://web.archive.org/web/20210310000000/")
    );
    assert_eq!(
        ev[1].excerpt.as_deref(),
        Some("No — The budget gives 5 million, not 3.")
    );
    assert_eq!(
        (ev[2].source, ev[2].answer_type),
        (None, Some(AnswerType::Unanswerable))
    );
    // An answer from the claim's metadata has no source either.
    assert_eq!(store.evidence_of(claims[1].id).unwrap()[0].source, None);

    let r = &store.reviews_of(claims[0].id).unwrap()[0];
    assert_eq!(r.label.as_deref(), Some("Refuted"));
    assert_eq!(
        r.rationale.as_deref(),
        Some("The council's budget shows 5 million.")
    );
    assert_eq!(
        store.source(r.reviewer.unwrap()).unwrap().name,
        "AVeriTeC annotators"
    );
    assert!(store.check().unwrap().is_ok());

    // A second import reuses the sources and publications by name and URL.
    import_file(store, DataSet::Averitec, handmade(), ImportOptions::default()).unwrap();
    let again = store.counts().unwrap();
    assert_eq!((again.claims, again.sources, again.publications), (6, 5, 2));
}

per_backend!(malformed_files_are_refused_naming_the_claim_and_nothing_is_written);
fn malformed_files_are_refused_naming_the_claim_and_nothing_is_written(store: &Store) {
    // One desk for every case: each is refused whole, so it stays empty throughout.
    let good = std::fs::read_to_string(handmade()).unwrap();
    let cases: Vec<(String, &str, &str)> = vec![
        (
            good.replace("\"7-3-2021\"", "\"2021-03-07\""),
            "claim 0",
            "claim_date",
        ),
        (
            good.replace("\"31-02-2020\"", "x")
                .replace("\"16-12-2020\"", "\"31-02-2020\""),
            "claim 2",
            "claim_date",
        ),
        (
            good.replace("\"Abstractive\"", "\"Guess\""),
            "claim 1, question 0, answer 0",
            "answer_type",
        ),
        ("{\"claim\": \"not a list\"}".to_string(), "line 1", "-"),
        ("[{\"label\": \"Refuted\"}]".to_string(), "line 1", "-"),
        (good[..good.len() / 2].to_string(), "", "-"),
    ];
    for (text, location, field) in cases {
        let err = averitec::import(store, text.as_bytes(), ImportOptions::default()).unwrap_err();
        match &err {
            Error::Parse {
                location: l,
                field: f,
                ..
            } => {
                assert!(l.starts_with(location), "{err}");
                assert_eq!(f, field, "{err}");
            }
            other => panic!("expected a parse error, got {other}"),
        }
        assert_eq!(store.counts().unwrap(), Counts::default());
    }
    // A record the store refuses (a blank claim) is named by the batch, and nothing is written.
    let blank = good.replace("Drinking sea water cures colds.", "  ");
    let err = averitec::import(store, blank.as_bytes(), ImportOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Batch { location, .. } if location == "claim 1"),
        "{err}"
    );
    assert_eq!(store.counts().unwrap(), Counts::default());
    // An empty list is an empty import.
    let report = averitec::import(store, "[]".as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(report.read, 0);
}

per_backend!(the_first_250_development_claims_when_the_data_folder_is_given);
fn the_first_250_development_claims_when_the_data_folder_is_given(store: &Store) {
    let Some(dir) = std::env::var_os("CLAIMTRACK_DATA") else {
        eprintln!("CLAIMTRACK_DATA not set: AVeriTeC development set skipped");
        return;
    };
    let report = import_file(
        store,
        DataSet::Averitec,
        Path::new(&dir).join("averitec/dev_first250.json"),
        ImportOptions::default(),
    )
    .unwrap();
    // Counted independently (Python over the same file): 632 questions with 674 answers, 66 of them with
    // no source URL (41 "Metadata", 25 empty); 575 distinct pages once web archive copies are unwrapped,
    // on 346 sites; 196 distinct speakers and reporting sources (one of them also a site); 236 claims
    // with a speaker, a reporting source or an original URL.
    assert_eq!(report.read, 250);
    assert!(
        report.issues_of(IssueKind::Unmapped).next().is_none(),
        "{:?}",
        report.issues
    );
    let c = store.counts().unwrap();
    assert_eq!(
        (c.claims, c.reviews, c.evidence, c.attributions, c.publications),
        (250, 250, 674, 236, 575)
    );
    assert_eq!(c.sources, SOURCES);
    let claims = store.claims().unwrap();
    assert!(claims.iter().all(|c| c.made_on.is_some()));
    let mut labels: BTreeMap<String, usize> = BTreeMap::new();
    let mut types: BTreeMap<String, usize> = BTreeMap::new();
    let mut unsourced = 0;
    for claim in &claims {
        for r in store.reviews_of(claim.id).unwrap() {
            *labels.entry(r.label.unwrap_or_default()).or_default() += 1;
        }
        for e in store.evidence_of(claim.id).unwrap() {
            *types
                .entry(e.answer_type.map(|t| t.to_string()).unwrap_or_default())
                .or_default() += 1;
            unsourced += usize::from(e.source.is_none());
        }
    }
    assert_eq!(unsourced, 66);
    let expect = |pairs: &[(&str, usize)]| -> BTreeMap<String, usize> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    };
    assert_eq!(
        labels,
        expect(&[
            ("Refuted", 139),
            ("Supported", 71),
            ("Not Enough Evidence", 24),
            ("Conflicting Evidence/Cherrypicking", 16)
        ])
    );
    assert_eq!(
        types,
        expect(&[
            ("extractive", 328),
            ("abstractive", 186),
            ("boolean", 135),
            ("unanswerable", 25)
        ])
    );
    assert!(store.check().unwrap().is_ok());
}

/// 196 names + 346 sites − 1 in both + the annotators.
const SOURCES: u64 = 196 + 346 - 1 + 1;
