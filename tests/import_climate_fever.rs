//! The Climate-FEVER importer on hand-written rows in its format (counts checked by hand) and, when
//! `CLAIMTRACK_DATA` names the shared data folder, on the full `climate_fever.csv`.

#[path = "common/backend.rs"]
mod backend;

#[allow(unused_imports)]
use backend::{Desk, per_backend, sqlite_only};

use claimtrack::io::{DataSet, ImportOptions, IssueKind, import_file};
use std::path::{Path, PathBuf};

use claimtrack::{Error, Stance, Store, Verdict, io::climate_fever};

fn handmade() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/climate-fever/handmade.csv")
}

fn stances(store: &Store) -> (usize, usize, usize) {
    let mut n = (0, 0, 0);
    for c in store.claims().unwrap() {
        for e in store.evidence_of(c.id).unwrap() {
            match e.stance {
                Stance::Supports => n.0 += 1,
                Stance::Refutes => n.1 += 1,
                Stance::Neutral => n.2 += 1,
                Stance::Mixed => panic!("no mixed stance in Climate-FEVER"),
            }
        }
    }
    n
}

per_backend!(handmade_rows_land_with_hand_checked_counts);
fn handmade_rows_land_with_hand_checked_counts(store: &Store) {
    let report = import_file(store, DataSet::ClimateFever, handmade(), ImportOptions::default()).unwrap();
    assert_eq!(report.read, 4);
    assert!(report.issues_of(IssueKind::Unmapped).next().is_none());
    assert_eq!(
        report
            .issues_of(IssueKind::Repaired)
            .map(|i| i.location.as_str())
            .collect::<Vec<_>>(),
        ["line 5"],
        "row 4 (line 5) holds mojibake"
    );
    let c = store.counts().unwrap();
    assert_eq!((c.claims, c.reviews, c.evidence), (4, 4, 8));
    assert_eq!(c.sources, 7 + 2, "7 articles, Wikipedia, Climate-FEVER");
    assert_eq!(stances(store), (2, 3, 3));

    // DISPUTED: evidence on both sides, verdict mixed, label verbatim.
    let disputed = &store.claims_tagged("climate-fever:3").unwrap()[0];
    let r = &store.reviews_of(disputed.id).unwrap()[0];
    assert_eq!(
        (r.verdict, r.label.as_deref()),
        (Some(Verdict::Mixed), Some("DISPUTED"))
    );
    let ev = store.evidence_of(disputed.id).unwrap();
    assert_eq!(
        ev.iter().map(|e| e.stance).collect::<Vec<_>>(),
        [Stance::Supports, Stance::Refutes, Stance::Neutral]
    );
    assert_eq!(ev[0].source, ev[1].source, "one article, one source");

    // The Python literal's quoting and escapes are read as Python reads them.
    let volcano = &store.claims_tagged("climate-fever:2").unwrap()[0];
    let ev = store.evidence_of(volcano.id).unwrap();
    assert_eq!(
        ev[0].excerpt.as_deref(),
        Some("Human emissions exceed volcanic ones \"by a factor of about 100\".")
    );
    assert_eq!(
        ev[1].excerpt.as_deref(),
        Some("Values\u{a0}given in gigatonnes; see {\\displaystyle CO_{2}}.")
    );
    let sea = &store.claims_tagged("climate-fever:1").unwrap()[0];
    assert_eq!(
        store.evidence_of(sea.id).unwrap()[0].excerpt.as_deref(),
        Some("Satellite records show the ice's extent falling each decade.")
    );

    // Mojibake repaired.
    let sun = &store.claims_tagged("climate-fever:4").unwrap()[0];
    assert_eq!(
        sun.text,
        "Scientists say the sun — not CO2 — drives today's warming."
    );
}

per_backend!(a_broken_literal_names_its_line_and_writes_nothing);
fn a_broken_literal_names_its_line_and_writes_nothing(store: &Store) {
    let mut text = std::fs::read_to_string(handmade()).unwrap();
    text.push_str("9,A claim.,SUPPORTS,\"[{'article': 'X', 'evidence': 'unclosed}]\"\n");
    let err = climate_fever::import(store, text.as_bytes(), ImportOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Parse { location, field, .. } if location == "line 6" && field == "evidences"),
        "{err}"
    );
    assert_eq!(store.counts().unwrap(), claimtrack::Counts::default());
}

per_backend!(full_file_when_the_data_folder_is_given);
fn full_file_when_the_data_folder_is_given(store: &Store) {
    let Some(dir) = std::env::var_os("CLAIMTRACK_DATA") else {
        eprintln!("CLAIMTRACK_DATA not set: full Climate-FEVER file skipped");
        return;
    };
    let report = import_file(
        store,
        DataSet::ClimateFever,
        Path::new(&dir).join("climate-fever/climate_fever.csv"),
        ImportOptions::default(),
    )
    .unwrap();
    // Counted independently (Python csv + ast.literal_eval): 1,535 claims (654 SUPPORTS, 474
    // NOT_ENOUGH_INFO, 253 REFUTES, 154 DISPUTED), 7,675 evidence sentences (1,943 supports, 802
    // refutes, 4,930 not enough info) from 1,344 distinct articles.
    assert_eq!(report.read, 1_535);
    let c = store.counts().unwrap();
    assert_eq!((c.claims, c.reviews, c.evidence), (1_535, 1_535, 7_675));
    assert_eq!(c.sources, 1_344 + 2);
    assert_eq!(stances(store), (1_943, 802, 4_930));
    assert!(report.issues_of(IssueKind::Unmapped).next().is_none());
    let disputed = store
        .claims()
        .unwrap()
        .iter()
        .filter(|c| store.reviews_of(c.id).unwrap()[0].verdict == Some(Verdict::Mixed))
        .count();
    assert_eq!(disputed, 154);
}
