//! The seed article as data: what it holds, and that loading it twice duplicates nothing.

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
use claimtrack::{Bound, ClaimKind, DatePrecision, Mode, SourceKind, Stance, Store, seeds};

fn load(s: &Store) {
    seeds::load_wonsan(s).unwrap();
}

fn source_named(s: &Store, name: &str) -> claimtrack::Source {
    s.find_source(name)
        .unwrap()
        .unwrap_or_else(|| panic!("no source named {name}"))
}

fn claim_containing(s: &Store, words: &str) -> claimtrack::Claim {
    let mut found: Vec<_> = s
        .claims()
        .unwrap()
        .into_iter()
        .filter(|c| c.text.contains(words))
        .collect();
    assert_eq!(found.len(), 1, "expected one claim containing {words:?}");
    found.remove(0)
}

per_backend!(loading_twice_adds_nothing);
fn loading_twice_adds_nothing(s: &Store) {
    let first = seeds::load_wonsan(s).unwrap();
    let counts = s.counts().unwrap();
    let second = seeds::load_wonsan(s).unwrap();
    assert_eq!(second.inserted + second.updated, 0);
    assert_eq!(second.unchanged, first.inserted);
    assert_eq!(s.counts().unwrap(), counts);
}

#[test]
fn the_article_text_is_kept_as_given() {
    let given = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/seeds/000_95f36704ba18b9c9.txt"
    ))
    .unwrap();
    assert_eq!(seeds::WONSAN_ARTICLE, given);
    assert!(seeds::WONSAN_ARTICLE.contains("about 12 million rounds"));
}

per_backend!(every_source_the_article_names_is_there);
fn every_source_the_article_names_is_there(s: &Store) {
    load(s);
    for name in [
        "Kim Jong Un",
        "Sergei Lavrov",
        "Vladimir Putin",
        "Choe Son Hui",
        "KCNA",
        "Tass",
        "Russian media",
        "South Korean defence ministry",
        "South Korean defence ministry's intelligence arm",
        "DPRK",
        "Russia",
        "South Korea",
    ] {
        source_named(s, name);
    }
    assert_eq!(source_named(s, "Russian media").kind, SourceKind::Collective);
    // Affiliations: the intelligence arm sits under the ministry, KCNA under the DPRK state.
    let intel = source_named(s, "South Korean defence ministry's intelligence arm");
    assert_eq!(
        intel.part_of,
        Some(source_named(s, "South Korean defence ministry").id)
    );
    assert_eq!(source_named(s, "KCNA").part_of, Some(source_named(s, "DPRK").id));
    assert_eq!(
        source_named(s, "Tass").part_of,
        Some(source_named(s, "Russia").id)
    );
    assert!(s.claims().unwrap().len() >= 10);
    assert_eq!(s.publications().unwrap().len(), 1);
}

per_backend!(the_quantities_are_structured);
fn the_quantities_are_structured(s: &Store) {
    load(s);
    let troops = claim_containing(s, "more than 10,000");
    assert_eq!(
        (troops.quantities[0].value, troops.quantities[0].bound),
        (10_000.0, Bound::MoreThan)
    );
    let rounds = claim_containing(s, "12 million");
    assert_eq!(
        (rounds.quantities[0].value, rounds.quantities[0].bound),
        (12_000_000.0, Bound::About)
    );
    let engineers = claim_containing(s, "6,000");
    assert_eq!(
        (engineers.quantities[0].value, engineers.quantities[0].bound),
        (6_000.0, Bound::Exact)
    );
    // "Last month", resolved against Sunday 13 July 2025, with month precision only.
    let about = engineers.about.unwrap();
    assert_eq!(
        (about.to_string().as_str(), about.precision()),
        ("2025-06", DatePrecision::Month)
    );
}

per_backend!(who_said_what_and_through_whom);
fn who_said_what_and_through_whom(s: &Store) {
    load(s);
    let rounds = claim_containing(s, "12 million");
    let intel = source_named(s, "South Korean defence ministry's intelligence arm");
    let atts = s.attributions_of(rounds.id).unwrap();
    assert_eq!(atts[0].speaker, Some(intel.id));
    let ev = s.evidence_of(rounds.id).unwrap();
    assert_eq!((ev[0].source, ev[0].stance), (Some(intel.id), Stance::Supports));

    let pledge = claim_containing(s, "unconditionally support");
    assert_eq!(pledge.kind, ClaimKind::Pledge);
    let a = &s.attributions_of(pledge.id).unwrap()[0];
    assert_eq!(a.speaker, Some(source_named(s, "Kim Jong Un").id));
    assert_eq!(a.relays[0].source, source_named(s, "KCNA").id);
    assert_eq!(a.mode, Mode::DirectQuote);

    // Putin's message reached the article through Lavrov, then Tass.
    let putin = claim_containing(s, "direct contacts");
    let chain: Vec<_> = s.attributions_of(putin.id).unwrap()[0].chain().collect();
    let names: Vec<String> = chain.iter().map(|id| s.source(*id).unwrap().name).collect();
    assert_eq!(names, ["Vladimir Putin", "Sergei Lavrov", "Tass"]);

    // Statements the article makes in its own voice have no speaker.
    let engineers = claim_containing(s, "6,000");
    assert_eq!(s.attributions_of(engineers.id).unwrap()[0].speaker, None);
}
