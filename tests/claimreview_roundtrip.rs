//! ClaimReview export → import → export is stable: the second export equals the first, with the same
//! numbers of claims, attributions, publications and reviews, and nothing of our own output skipped or
//! ignored. On the seed article with every claim reviewed, on schema.org's examples and on MuMiN's real
//! Fact Check Tools records (when `CLAIMTRACK_DATA` names the shared data folder).

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
use claimtrack::io::ImportOptions;
use std::path::Path;

use claimtrack::io::{ImportReport, IssueKind, claimreview};
use claimtrack::{Counts, NewReview, NewSource, PartialDate, Rating, SourceKind, Store, Verdict};
use serde_json::{Value, json};

fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    claimreview::export(store, &mut out).unwrap();
    out
}

/// Imports `markup` into a fresh store; asserts nothing of it was skipped or ignored.
fn reimport(markup: &[u8]) -> (Store, ImportReport) {
    let copy = Store::open_in_memory().unwrap();
    let report = claimreview::import(&copy, markup, ImportOptions::default()).unwrap();
    let lost: Vec<_> = report
        .issues
        .iter()
        .filter(|i| matches!(i.kind, IssueKind::Skipped | IssueKind::Ignored))
        .collect();
    assert!(lost.is_empty(), "our own output was not read whole: {lost:#?}");
    (copy, report)
}

fn counts(s: &Store) -> (u64, u64, u64, u64, u64) {
    let c: Counts = s.counts().unwrap();
    (c.claims, c.attributions, c.publications, c.reviews, c.sources)
}

/// export → import → export: the two exports are byte for byte equal, and the store read back holds as
/// many records of each kind as the one exported (sources aside: relays have no place in ClaimReview).
fn assert_stable(store: &Store) -> Store {
    let first = export(store);
    let (copy, _) = reimport(&first);
    let second = export(&copy);
    assert_eq!(
        String::from_utf8_lossy(&first),
        String::from_utf8_lossy(&second),
        "the second export differs from the first"
    );
    // And once more, from the copy: nothing drifts on a further round.
    let (again, _) = reimport(&second);
    assert_eq!(counts(&again), counts(&copy));
    copy
}

per_backend!(the_seed_with_every_claim_reviewed_round_trips);
fn the_seed_with_every_claim_reviewed_round_trips(store: &Store) {
    claimtrack::seeds::load_wonsan(store).unwrap();
    let desk = store
        .add_source(
            NewSource::new("Desk Checks", SourceKind::Organisation)
                .alias("DC")
                .alias("Desk"),
        )
        .unwrap();
    let second = store
        .add_source(NewSource::new("Second Opinion", SourceKind::Person))
        .unwrap();
    let claims = store.claims().unwrap();
    assert_eq!(claims.len(), 15);
    for (i, c) in claims.iter().enumerate() {
        let mut r = NewReview::new(Verdict::MostlyTrue)
            .label(format!("Label {i}"))
            .by(desk)
            .on(PartialDate::day(2025, 7, 14).unwrap())
            .url(format!("https://checks.example.org/{i}"));
        if i % 3 == 0 {
            r = r
                .rating(Rating::new(2.0, 1.0, 6.0))
                .rationale("Because.\nTwo lines.");
        }
        store.add_review(c.id, r).unwrap();
        if i % 5 == 0 {
            // A second opinion on the same claim: one claim with two reviews, not two claims.
            store
                .add_review(
                    c.id,
                    NewReview::new(Verdict::False)
                        .by(second)
                        .url(format!("https://second.example.org/{i}")),
                )
                .unwrap();
        }
    }
    let before = store.counts().unwrap();
    assert_eq!(
        (before.attributions, before.publications, before.reviews),
        (15, 1, 18)
    );

    let copy = assert_stable(store);
    let after = copy.counts().unwrap();
    assert_eq!(
        (
            after.claims,
            after.attributions,
            after.publications,
            after.reviews
        ),
        (15, 15, 1, 18)
    );
    // The reviewer's aliases came back as aliases, once.
    let desk = copy.find_source("Desk Checks").unwrap().unwrap();
    assert_eq!(desk.aliases, vec!["DC".to_string(), "Desk".to_string()]);
    // Reimporting the same export into the copy adds nothing (each review has a url: see the module docs).
    let again = claimreview::import(&copy, export(&copy).as_slice(), ImportOptions::default()).unwrap();
    assert_eq!(copy.counts().unwrap(), after);
    assert_eq!(again.inserted, 0);
}

#[test]
fn an_appearance_without_url_is_one_attribution_not_two() {
    let markup = json!({
        "@context": "https://schema.org", "@type": "ClaimReview",
        "claimReviewed": "Water is dry",
        "author": {"@type": "Organization", "name": "Checks", "alternateName": ["C1", "C2"]},
        "itemReviewed": {"@type": "Claim",
            "author": {"@type": "Person", "name": "Someone"},
            "firstAppearance": {"@type": "CreativeWork", "name": "A speech"},
            "appearance": [{"@type": "CreativeWork", "name": "A speech"},
                           {"@type": "CreativeWork", "name": "A speech", "datePublished": "2024-01-02"}]},
        "reviewRating": {"@type": "Rating", "alternateName": "False"}
    });
    let (store, _) = reimport(markup.to_string().as_bytes());
    let c = store.claims().unwrap();
    // Two different works (one has a date), the first named twice: two attributions, two publications.
    assert_eq!(counts(&store), (1, 2, 2, 1, 2));
    assert_eq!(store.attributions_of(c[0].id).unwrap().len(), 2);
    assert_eq!(
        store.find_source("Checks").unwrap().unwrap().aliases,
        vec!["C1".to_string(), "C2".to_string()]
    );
    assert_stable(&store);
}

#[test]
fn hostile_alternate_names_are_reported_not_fatal() {
    let markup = json!({
        "@type": "ClaimReview", "claimReviewed": "x",
        "author": {"@type": "Organization", "name": "Checks", "alternateName": ["ok", 3, {"a": 1}, " "]},
        "reviewRating": {"alternateName": "False"}
    });
    let store = Store::open_in_memory().unwrap();
    let report =
        claimreview::import(&store, markup.to_string().as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(
        store.find_source("Checks").unwrap().unwrap().aliases,
        vec!["ok".to_string(), "3".to_string()]
    );
    let skipped: Vec<_> = report
        .issues_of(IssueKind::Skipped)
        .map(|i| i.location.as_str())
        .collect();
    assert_eq!(skipped, vec!["$.author.alternateName[2]"], "{:#?}", report.issues);
}

#[test]
fn schema_org_examples_round_trip() {
    for file in ["example1.jsonld", "example2.jsonld"] {
        let text = std::fs::read(Path::new("tests/data/schemaorg").join(file)).unwrap();
        let store = Store::open_in_memory().unwrap();
        claimreview::import(&store, text.as_slice(), ImportOptions::default()).unwrap();
        let before = counts(&store);
        let copy = assert_stable(&store);
        assert_eq!(counts(&copy), before, "{file}");
    }
}

/// MuMiN's rows as the ClaimReview markup Fact Check Tools reads them from: the claim, its claimant and
/// date, the publisher's site and its own rating, in 26 languages.
fn mumin_markup(csv: &str) -> (Value, usize) {
    let mut rows = 0;
    let mut nodes = Vec::new();
    for record in parse_csv(csv).into_iter().skip(1) {
        let [_verdict, claim, date, source, reviewer, language, raw, _raw_en] = &record[..] else {
            panic!("8 columns expected: {record:?}");
        };
        rows += 1;
        let mut item = serde_json::Map::new();
        item.insert("@type".into(), json!("Claim"));
        if !source.is_empty() {
            item.insert("author".into(), json!({"@type": "Organization", "name": source}));
        }
        if !date.is_empty() {
            item.insert("datePublished".into(), json!(date[..10]));
        }
        nodes.push(json!({
            "@type": "ClaimReview",
            "claimReviewed": claim,
            "inLanguage": language,
            "author": {"@type": "Organization", "name": reviewer, "url": format!("https://{reviewer}")},
            "itemReviewed": item,
            "reviewRating": {"@type": "Rating", "alternateName": raw},
        }));
    }
    (json!({"@context": "https://schema.org", "@graph": nodes}), rows)
}

/// RFC 4180 CSV: quoted fields with doubled quotes and embedded newlines.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[test]
fn mumin_fact_check_records_round_trip() {
    let Some(dir) = std::env::var_os("CLAIMTRACK_DATA") else {
        eprintln!("CLAIMTRACK_DATA not set: MuMiN round trip skipped");
        return;
    };
    let csv = std::fs::read_to_string(Path::new(&dir).join("mumin/verdict_annotations.csv")).unwrap();
    let (markup, rows) = mumin_markup(&csv);
    assert_eq!(rows, 906);
    let store = Store::open_in_memory().unwrap();
    let report =
        claimreview::import(&store, markup.to_string().as_bytes(), ImportOptions::default()).unwrap();
    // Counted independently (Python over the same file): 871 distinct (claim, claimant, date, language);
    // the other 35 rows repeat one of them word for word, rating and site included.
    let repeats = report
        .issues
        .iter()
        .filter(|i| i.message.starts_with("repeats an earlier ClaimReview"))
        .count();
    assert_eq!(repeats, 35);
    // Three ratings are paragraphs of over 1,000 characters: until labels of any realistic length are
    // kept (issue 12, item 1), such a review is refused, with its claim, and named; none other is.
    let refused: Vec<_> = report.issues_of(IssueKind::Skipped).collect();
    assert!(
        refused.iter().all(|i| i.message.contains("label")),
        "{refused:#?}"
    );
    let first = counts(&store);
    assert_eq!(first.0 + refused.len() as u64, 871);
    assert_eq!(first.3, first.0);
    let copy = assert_stable(&store);
    assert_eq!(counts(&copy), first);
}
