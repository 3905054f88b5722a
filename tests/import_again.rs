//! A data set imported again (the same file twice, or a row another file already brought in) adds
//! nothing: each row is recognised by its data set's tag (`liar:…`, `fever:…`, `climate-fever:…`) and
//! counted unchanged, as `ImportReport::unchanged` promises ("an import run twice changes nothing the
//! second time"). A known row whose text or label changed is refused with `Error::Conflict` naming the
//! stored claim, and the import writes nothing.

#[path = "common/backend.rs"]
mod backend;

#[allow(unused_imports)]
use backend::{Desk, per_backend, sqlite_only};

use std::path::{Path, PathBuf};

use claimtrack::io::{DataSet, ImportOptions, bundle, import_file, jsonl};
use claimtrack::{Error, Store};

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

const SETS: [(DataSet, &str); 3] = [
    (DataSet::Liar, "liar/handmade.tsv"),
    (DataSet::Fever, "fever/paper_dev_excerpt.jsonl"),
    (DataSet::ClimateFever, "climate-fever/handmade.csv"),
];

/// Everything the store holds, as its two full exports.
fn everything(store: &Store) -> (Vec<u8>, Vec<u8>) {
    let mut b = Vec::new();
    bundle::write_bundle(&bundle::export(store).unwrap(), &mut b).unwrap();
    let mut j = Vec::new();
    jsonl::export(store, &mut j).unwrap();
    (b, j)
}

per_backend!(each_data_set_imported_twice_adds_nothing_the_second_time);
fn each_data_set_imported_twice_adds_nothing_the_second_time(store: &Store) {
    for (set, path) in SETS {
        let first = import_file(store, set, data(path), ImportOptions::default()).unwrap();
        assert!(
            first.read > 0 && first.added.claims == first.read,
            "{set:?}: {first:?}"
        );
        assert_eq!(first.unchanged, 0, "{set:?}");
        let before = everything(store);
        let history = store.verify_history().unwrap();
        let again = import_file(store, set, data(path), ImportOptions::default()).unwrap();
        assert_eq!(again.read, first.read, "{set:?}");
        assert_eq!(again.inserted, 0, "{set:?}: {again:?}");
        assert_eq!(again.unchanged, first.read, "{set:?}: every row recognised");
        assert!(
            everything(store) == before,
            "{set:?}: the second import changed the store"
        );
        assert_eq!(
            store.verify_history().unwrap(),
            history,
            "{set:?}: not even an empty batch entry"
        );
    }
}

per_backend!(a_row_imported_before_with_another_label_or_text_is_refused_naming_the_claim);
fn a_row_imported_before_with_another_label_or_text_is_refused_naming_the_claim(store: &Store) {
    let original = std::fs::read_to_string(data("liar/handmade.tsv")).unwrap();
    import_file(
        store,
        DataSet::Liar,
        data("liar/handmade.tsv"),
        ImportOptions::default(),
    )
    .unwrap();
    let before = everything(store);
    let stored = store.claims_tagged("liar:101").unwrap();
    let stored = &stored[0];

    let dir = tempfile::tempdir().unwrap();
    let relabelled = dir.path().join("relabelled.tsv");
    let retexted = dir.path().join("retexted.tsv");
    let row = |f: &dyn Fn(&mut Vec<String>)| -> String {
        original
            .lines()
            .map(|l| {
                let mut cols: Vec<String> = l.split('\t').map(str::to_string).collect();
                if cols[0] == "101.json" {
                    f(&mut cols);
                }
                cols.join("\t") + "\n"
            })
            .collect()
    };
    std::fs::write(&relabelled, row(&|c| c[1] = "true".into())).unwrap();
    std::fs::write(&retexted, row(&|c| c[2].push_str(" (corrected)"))).unwrap();
    for (file, what) in [
        (&relabelled, "without a review labelled \"true\""),
        (&retexted, "with the text"),
    ] {
        let err = import_file(store, DataSet::Liar, file, ImportOptions::default()).unwrap_err();
        match &err {
            Error::Conflict { kind, id, reason } => {
                assert_eq!(*kind, "claim");
                assert_eq!(id, &stored.id.to_string());
                assert!(reason.contains("liar:101") && reason.contains(what), "{reason}");
                assert!(reason.contains("line "), "the row is named: {reason}");
            }
            other => panic!("{file:?}: expected a conflict, got {other:?}"),
        }
        assert!(
            everything(store) == before,
            "{file:?}: a refused import wrote something"
        );
    }
}

per_backend!(a_file_repeating_a_row_imports_it_once);
fn a_file_repeating_a_row_imports_it_once(store: &Store) {
    let original = std::fs::read_to_string(data("liar/handmade.tsv")).unwrap();
    let first_line = original.lines().next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let twice = dir.path().join("twice.tsv");
    std::fs::write(&twice, format!("{original}{first_line}\n")).unwrap();
    let report = import_file(store, DataSet::Liar, &twice, ImportOptions::default()).unwrap();
    let rows = original.lines().filter(|l| !l.trim().is_empty()).count() as u64;
    assert_eq!(report.read, rows + 1);
    assert_eq!(report.added.claims, rows);
    assert_eq!(report.unchanged, 1);
    assert_eq!(store.counts().unwrap().claims, rows);
}
