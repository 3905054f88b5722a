//! The label table measured on real ratings: MuMiN's 906 Google Fact Check Tools records in 26 languages
//! (`tests/data/mumin/`, MIT), each with a human label saying whether the publisher judged the claim
//! misinformation or factual. The figures asserted here are the ones the README states.
//!
//! The table was extended with the help of these ratings (see the header of `src/io/labels.tsv`), so
//! the agreement is not a held-out figure; the test keeps it from going backwards.

#[path = "common/backend.rs"]
mod backend;

#[allow(unused_imports)]
use backend::{Desk, per_backend, sqlite_only};

#[path = "../examples/support/mumin.rs"]
mod mumin;

use claimtrack::io::ImportOptions;
use std::collections::BTreeMap;

use claimtrack::io::labels::map_label;
use claimtrack::io::{IssueKind, factcheck};
use claimtrack::{Store, Verdict};

fn rows() -> Vec<mumin::Row> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/mumin/verdict_annotations.csv"
    ))
    .unwrap();
    mumin::read(&text).unwrap()
}

/// Which side of MuMiN's label a verdict falls on: false … mixed is misinformation, mostly true and
/// true factual; unverifiable is neither.
fn side(v: Verdict) -> Option<&'static str> {
    match v.score()? {
        0..=2 => Some("misinformation"),
        _ => Some("factual"),
    }
}

#[test]
fn share_mapped_and_agreement_with_the_human_label() {
    let rows = rows();
    assert_eq!(rows.len(), 906);
    let languages: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.language.as_str()).collect();
    assert_eq!(languages.len(), 26);

    let mut by_verdict: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut compared, mut agree) = (0, 0);
    let mut disagreements = Vec::new();
    for r in &rows {
        let v = map_label(&r.rating).verdict;
        *by_verdict.entry(Verdict::text_of(v)).or_default() += 1;
        let Some(side) = v.and_then(side) else { continue };
        if r.human == "other" {
            continue;
        }
        compared += 1;
        if side == r.human {
            agree += 1;
        } else {
            disagreements.push((r.rating.clone(), r.human.clone()));
        }
    }
    let mapped = rows.len() - by_verdict.get("none").copied().unwrap_or(0);
    // 797 of 906 ratings (88.0%) map to a verdict. The 109 left are prose that does not open with a
    // rating ("Die Hunde werden nicht eingeschläfert, die Behauptung ist falsch."), ratings that are
    // not verdicts ("Attention", "Satir", "Ikke sikkert") and hedges ("ТАК, НО...").
    assert_eq!(mapped, 797, "share mapped");
    assert_eq!(
        by_verdict,
        BTreeMap::from([
            ("false", 571),
            ("mostly_false", 132),
            ("mixed", 31),
            ("mostly_true", 16),
            ("true", 33),
            ("unverifiable", 14),
            ("none", 109),
        ])
    );
    // Every mapped rating of a claim MuMiN labels misinformation or factual lands on that side.
    assert_eq!((agree, compared), (778, 778), "agreement: {disagreements:#?}");
}

per_backend!(imported_as_a_fact_check_tools_feed_every_record_lands);
fn imported_as_a_fact_check_tools_feed_every_record_lands(store: &Store) {
    let rows = rows();
    let report =
        factcheck::import_value(store, &mumin::to_factcheck(&rows), ImportOptions::default()).unwrap();
    assert_eq!(
        report.issues_of(IssueKind::Skipped).count(),
        0,
        "{:#?}",
        report.issues
    );
    let counts = store.counts().unwrap();
    assert_eq!((counts.claims, counts.reviews), (906, 906));
    // Unmapped ratings leave the verdict unset (not "unverifiable"), are kept verbatim and reported.
    assert_eq!(report.issues_of(IssueKind::Unmapped).count(), 109);
    assert_eq!(
        store.verdict_counts().unwrap(),
        vec![
            (Some(Verdict::False), 571),
            (Some(Verdict::MostlyFalse), 132),
            (Some(Verdict::Mixed), 31),
            (Some(Verdict::MostlyTrue), 16),
            (Some(Verdict::True), 33),
            (Some(Verdict::Unverifiable), 14),
            (None, 109),
        ]
    );
    let mut labels: Vec<String> = Vec::new();
    for c in store.claims().unwrap() {
        labels.extend(
            store
                .reviews_of(c.id)
                .unwrap()
                .into_iter()
                .filter_map(|r| r.label),
        );
    }
    let mut want: Vec<String> = rows.iter().map(|r| r.rating.clone()).collect();
    labels.sort();
    want.sort();
    assert_eq!(labels, want, "every rating kept verbatim");
    assert!(store.check().unwrap().is_ok());
}
