//! One name key for every lookup and deduplication of sources (issue 12, item 7): case folded in any
//! script (final sigma included), NFKC (fullwidth letters, NFD = NFC), invisible format characters
//! dropped, spacing collapsed. Hand-made hostile cases, then MuMiN's real claimants and publishers.

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
#[path = "../examples/support/mumin.rs"]
mod mumin;

use claimtrack::io::ImportOptions;
use claimtrack::io::factcheck;
use claimtrack::{Error, NewSource, SourceKind, Store, name_key};

fn outlet(name: &str) -> NewSource {
    NewSource::new(name, SourceKind::Outlet)
}

per_backend!(spellings_a_reader_cannot_tell_apart_find_one_source);
fn spellings_a_reader_cannot_tell_apart_find_one_source(store: &Store) {
    let kcna = store
        .add_source(NewSource::new("Korean Central News Agency", SourceKind::NewsAgency).alias("KCNA"))
        .unwrap();
    let greek = store
        .add_source(NewSource::new("ΠΑΠΑΔΟΠΟΥΛΟΣ", SourceKind::Person))
        .unwrap();
    let nfc = store
        .add_source(NewSource::new("José Muñoz", SourceKind::Person))
        .unwrap();
    for (query, want) in [
        ("ＫＣＮＡ", kcna),             // fullwidth
        ("K\u{200B}CNA", kcna),         // zero-width space
        ("\u{202B}KCNA\u{202C}", kcna), // bidi embedding
        ("kcna\u{FEFF}", kcna),         // byte-order mark
        ("  korean  central\tnews agency ", kcna),
        ("Παπαδοπουλος", greek), // final sigma
        ("παπαδοπουλοσ", greek),
        ("Jose\u{301} Mun\u{303}oz", nfc), // NFD
        ("JOSÉ MUÑOZ", nfc),
    ] {
        let found: Vec<_> = store
            .find_sources(query)
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(found, vec![want], "{query:?}");
        assert_eq!(
            store.find_or_add_source(query, || outlet(query)).unwrap(),
            want,
            "{query:?}"
        );
    }
    // Nothing was added by find_or_add_source: every query found its source.
    assert_eq!(store.sources().unwrap().len(), 3);
    // Accents are part of a name.
    assert!(store.find_source("Jose Munoz").unwrap().is_none());
}

per_backend!(add_source_refuses_a_look_alike_and_leaves_the_database_as_it_was);
fn add_source_refuses_a_look_alike_and_leaves_the_database_as_it_was(store: &Store) {
    let facebook = store.add_source(outlet("Facebook").alias("FB")).unwrap();
    let before = (
        store.sources().unwrap(),
        store.history_of(facebook).unwrap().len(),
    );
    for clash in [
        outlet("facebook"),
        outlet("ＦＡＣＥＢＯＯＫ"),
        outlet("Face\u{200B}book"),
        outlet("Meta Platforms").alias("fb"),
        outlet("Meta Platforms").alias("Facebook"),
    ] {
        match store.add_source(clash) {
            Err(Error::Duplicate { kind: "source", key }) => {
                assert!(key.contains(&facebook.to_string()), "{key}");
            }
            other => panic!("expected a duplicate error, got {other:?}"),
        }
    }
    assert_eq!(
        (
            store.sources().unwrap(),
            store.history_of(facebook).unwrap().len()
        ),
        before
    );
    // A distinguishing name is a different source.
    store.add_source(outlet("Facebook (Ohio weekly)")).unwrap();
    assert_eq!(store.sources().unwrap().len(), 2);
}

per_backend!(duplicate_aliases_on_one_source_collapse);
fn duplicate_aliases_on_one_source_collapse(store: &Store) {
    let id = store
        .add_source(
            NewSource::new("Korean Central News Agency", SourceKind::NewsAgency)
                .alias("KCNA")
                .alias("kcna")
                .alias("ＫＣＮＡ")
                .alias("korean central news agency")
                .alias("조선중앙통신")
                .alias("K\u{200B}CNA"),
        )
        .unwrap();
    assert_eq!(store.source(id).unwrap().aliases, ["KCNA", "조선중앙통신"]);
    // An update through the API collapses them too.
    let mut s = store.source(id).unwrap();
    s.aliases.push("Kcna".into());
    s.aliases.push("KCNA Watch".into());
    store.update_source(&s).unwrap();
    assert_eq!(
        store.source(id).unwrap().aliases,
        ["KCNA", "조선중앙통신", "KCNA Watch"]
    );
    assert!(store.check().unwrap().is_ok());
}

per_backend!(names_of_invisible_characters_only_are_refused);
fn names_of_invisible_characters_only_are_refused(store: &Store) {
    for name in ["\u{200B}", "\u{200E}\u{200F}", "\u{FEFF}\u{2060}"] {
        assert!(
            matches!(
                store.add_source(outlet(name)),
                Err(Error::Invalid { field: "name", .. })
            ),
            "{name:?}"
        );
        assert!(matches!(
            store.add_source(outlet("Real name").alias(name)),
            Err(Error::Invalid { field: "alias", .. })
        ));
        assert!(store.find_sources(name).unwrap().is_empty());
    }
    assert!(store.sources().unwrap().is_empty());
}

#[test]
fn mumins_claimants_and_publishers_become_one_source_each() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/mumin/verdict_annotations.csv"
    ))
    .unwrap();
    let rows = mumin::read(&text).unwrap();
    let spellings: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r.source.as_str())
        .filter(|s| !s.trim().is_empty())
        .collect();
    let keys: std::collections::BTreeSet<String> = spellings.iter().map(|s| name_key(s)).collect();
    // 416 spellings of 401 claimants ("Social Media users", "Social media users", "Social Media Users").
    assert_eq!((spellings.len(), keys.len()), (416, 401));
    let store = Store::open_in_memory().unwrap();
    factcheck::import_value(&store, &mumin::to_factcheck(&rows), ImportOptions::default()).unwrap();
    // 401 claimants and 88 fact-checkers' sites, none of them the same name.
    assert_eq!(store.sources().unwrap().len(), 401 + 88);
    assert_eq!(store.find_sources("SOCIAL MEDIA USERS").unwrap().len(), 1);
    assert_eq!(store.find_sources("Sources multiples").unwrap().len(), 1);
}
