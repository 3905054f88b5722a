//! The LIAR importer on hand-written rows in LIAR's format (counts checked by hand) and, when
//! `CLAIMTRACK_DATA` names the shared data folder, on the full `train.tsv`.

#[path = "common/backend.rs"]
mod backend;

#[allow(unused_imports)]
use backend::{Desk, per_backend, sqlite_only};

use claimtrack::io::{DataSet, ImportOptions, IssueKind, import_file};
use std::path::{Path, PathBuf};

use claimtrack::{CountryCode, Error, SourceKind, Store, Verdict, io::liar};

fn handmade() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/liar/handmade.tsv")
}

per_backend!(handmade_rows_land_with_hand_checked_counts);
fn handmade_rows_land_with_hand_checked_counts(store: &Store) {
    let report = import_file(store, DataSet::Liar, handmade(), ImportOptions::default()).unwrap();
    assert_eq!(report.read, 8, "a stray quote must not merge rows");
    assert!(report.issues_of(IssueKind::Unmapped).next().is_none());
    let c = store.counts().unwrap();
    assert_eq!(c.claims, 8);
    assert_eq!(c.attributions, 8);
    assert_eq!(c.reviews, 8);
    assert_eq!(c.sources, 5 + 1, "five speakers and PolitiFact");
    assert_eq!(c.publications, 6);
    assert_eq!(c.evidence, 0);

    // The stray quote stays in the text.
    let claim = &store.claims_tagged("liar:101").unwrap()[0];
    assert_eq!(
        claim.text,
        "Says the moon landing was filmed in a \"studio in Nevada."
    );
    assert_eq!(claim.tags, vec!["space", "conspiracy", "liar:101"]);
    let review = &store.reviews_of(claim.id).unwrap()[0];
    assert_eq!(
        (review.verdict, review.label.as_deref()),
        (Some(Verdict::False), Some("pants-fire"))
    );
    assert_eq!(store.source(review.reviewer.unwrap()).unwrap().name, "PolitiFact");

    // Speaker: a person with party and job in the notes, the slug as alias, reused across rows.
    let a = &store.attributions_of(claim.id).unwrap()[0];
    let speaker = store.source(a.speaker.unwrap()).unwrap();
    assert_eq!(speaker.name, "Jane Q Public");
    assert_eq!(speaker.aliases, vec!["jane-q-public"]);
    assert_eq!(speaker.kind, SourceKind::Person);
    assert_eq!(speaker.country, Some(CountryCode::new("US").unwrap()));
    let notes = speaker.notes.unwrap();
    assert!(
        notes.contains("party: republican") && notes.contains("job: State senator"),
        "{notes}"
    );
    assert_eq!(
        store
            .publication(a.publication.unwrap())
            .unwrap()
            .title
            .as_deref(),
        Some("a radio interview")
    );
    let second = &store.claims_tagged("liar:102").unwrap()[0];
    assert_eq!(store.attributions_of(second.id).unwrap()[0].speaker, a.speaker);

    // Kinds from the party column; no state, no country.
    let kind = |slug: &str| store.find_source(slug).unwrap().unwrap().kind;
    assert_eq!(kind("city-parks-board"), SourceKind::GovernmentBody);
    assert_eq!(kind("friends-of-schools"), SourceKind::Organisation);
    assert_eq!(kind("chain-email"), SourceKind::Collective);
    assert_eq!(store.find_source("chain-email").unwrap().unwrap().country, None);

    // No context, no publication.
    let bridge = &store.claims_tagged("liar:106").unwrap()[0];
    assert_eq!(store.attributions_of(bridge.id).unwrap()[0].publication, None);

    // Every label maps, each kept verbatim.
    let mut labels: Vec<(String, Option<Verdict>)> = store
        .claims()
        .unwrap()
        .iter()
        .map(|c| {
            let r = &store.reviews_of(c.id).unwrap()[0];
            (r.label.clone().unwrap(), r.verdict)
        })
        .collect();
    labels.sort_by(|a, b| a.0.cmp(&b.0));
    labels.dedup();
    assert_eq!(labels.len(), 6);
}

per_backend!(a_row_with_missing_columns_names_its_line_and_writes_nothing);
fn a_row_with_missing_columns_names_its_line_and_writes_nothing(store: &Store) {
    let mut text = std::fs::read_to_string(handmade()).unwrap();
    text.push_str("109.json\ttrue\tA short row.\thealth\n");
    let err = liar::import(store, text.as_bytes(), ImportOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Parse { location, .. } if location == "line 9"),
        "{err}"
    );
    assert_eq!(store.counts().unwrap(), claimtrack::Counts::default());
}

per_backend!(damaged_text_is_repaired_and_reported);
fn damaged_text_is_repaired_and_reported(store: &Store) {
    let row = "1.json\ttrue\tThe road is 40 miles long \u{90}\troads\tsomeone\t\t\tnone\t0\t0\t0\t0\t0\t\n";
    let report = liar::import(store, row.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(
        report
            .issues_of(IssueKind::Repaired)
            .map(|i| i.location.as_str())
            .collect::<Vec<_>>(),
        ["line 1"]
    );
    assert_eq!(
        store.claims().unwrap()[0].text,
        "The road is 40 miles long \u{fffd}"
    );
}

per_backend!(full_train_tsv_when_the_data_folder_is_given);
fn full_train_tsv_when_the_data_folder_is_given(store: &Store) {
    let Some(dir) = std::env::var_os("CLAIMTRACK_DATA") else {
        eprintln!("CLAIMTRACK_DATA not set: full LIAR file skipped");
        return;
    };
    let report = import_file(
        store,
        DataSet::Liar,
        Path::new(&dir).join("liar/train.tsv"),
        ImportOptions::default(),
    )
    .unwrap();
    // Counted independently (awk/Python, tabs only, no quoting): 10,269 rows, 2,916 distinct speakers,
    // 4,294 distinct non-empty contexts, 842 pants-fire labels; two rows (2811, 3326) hold a stray U+0090.
    assert_eq!(report.read, 10_269);
    let c = store.counts().unwrap();
    assert_eq!(c.claims, 10_269);
    assert_eq!(c.attributions, 10_269);
    assert_eq!(c.reviews, 10_269);
    assert_eq!(c.sources, 2_916 + 1);
    assert_eq!(c.publications, 4_294);
    assert!(report.issues_of(IssueKind::Unmapped).next().is_none());
    assert_eq!(
        report
            .issues_of(IssueKind::Repaired)
            .map(|i| i.location.as_str())
            .collect::<Vec<_>>(),
        ["line 2811", "line 3326"]
    );
    let pants = store
        .claims()
        .unwrap()
        .iter()
        .filter(|c| store.reviews_of(c.id).unwrap()[0].label.as_deref() == Some("pants-fire"))
        .count();
    assert_eq!(pants, 842);
}
