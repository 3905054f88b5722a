//! Hostile input through the public API: arbitrary text (NUL, control and bidi characters, huge strings,
//! SQL and FTS5 syntax), arbitrary bytes and JSON as bundles, ids of the wrong kind. No panic; a refused
//! write returns a typed error (never `Error::Database`) and leaves the database exactly as it was,
//! history included; an accepted value reads back exactly.

use claimtrack::io::{ImportOptions, bundle};
use proptest::prelude::*;

use claimtrack::{
    Bundle, ClaimId, CountryCode, Error, EvidenceId, NewAttribution, NewClaim, NewEvidence, NewReview,
    NewSource, PartialDate, Result, SourceId, SourceKind, Stance, Store, Verdict, seeds,
};

mod common;
use common::{hostile_strings, nasty};

#[path = "common/backend.rs"]
mod backend;
use backend::per_backend;

/// Everything observable about a store: its records and the length of its history.
fn fingerprint(store: &Store) -> (String, u64) {
    let bundle = bundle::export(store).unwrap();
    (
        serde_json::to_string(&bundle).unwrap(),
        store.verify_history().unwrap().changes,
    )
}

/// A refusal must be a typed error about the input, never a database error leaking through.
fn assert_typed<T: std::fmt::Debug>(r: &Result<T>) {
    if let Err(e) = r {
        assert!(
            matches!(
                e,
                Error::Invalid { .. }
                    | Error::NotFound { .. }
                    | Error::Duplicate { .. }
                    | Error::Conflict { .. }
                    | Error::StillReferenced { .. }
                    | Error::AffiliationCycle { .. }
                    | Error::Parse { .. }
            ),
            "untyped error: {e:?}"
        );
    }
}

/// A small store with a little of everything (the seed bundle is loaded by the bundle tests).
fn desk() -> (Store, SourceId, ClaimId) {
    let store = Store::open_in_memory().unwrap();
    let src = store
        .add_source(NewSource::new("KCNA", SourceKind::NewsAgency).alias("Korean Central News Agency"))
        .unwrap();
    let claim = store
        .add_claim(NewClaim::factual("Troops are deployed").tag("troops"))
        .unwrap();
    store.attribute(claim, NewAttribution::said_by(src)).unwrap();
    store
        .add_evidence(claim, NewEvidence::new(src, Stance::Supports))
        .unwrap();
    store.add_review(claim, NewReview::new(Verdict::Mixed)).unwrap();
    (store, src, claim)
}

// Every fixed hostile string in every text field, on each backend (PostgreSQL's text cannot hold NUL,
// folds case with its own tables, and has its own full-text syntax): stored and read back exactly, or
// refused with a typed error and nothing written; lookups and search take any of them.
per_backend!(every_hostile_string_is_stored_exactly_or_refused_cleanly);
fn every_hostile_string_is_stored_exactly_or_refused_cleanly(store: &Store) {
    let src = store
        .add_source(NewSource::new("KCNA", SourceKind::NewsAgency))
        .unwrap();
    let claim = store.add_claim(NewClaim::factual("Troops are deployed")).unwrap();
    let mut stored = 0;
    for s in hostile_strings() {
        let before = fingerprint(store);
        let r = store.add_claim(
            NewClaim::factual(s.clone())
                .tag(s.clone())
                .quantity(claimtrack::Quantity::about(1.0, s.clone())),
        );
        assert_typed(&r);
        match r {
            Ok(id) => {
                stored += 1;
                let c = store.claim(id).unwrap();
                assert_eq!(c.text, s);
                assert_eq!(c.tags, vec![s.clone()]);
                assert_eq!(c.quantities[0].unit, s);
            }
            Err(_) => assert_eq!(fingerprint(store), before, "{s:?}"),
        }

        let before = fingerprint(store);
        let r = store.add_source(NewSource::new(s.clone(), SourceKind::Outlet).alias(format!("{s} alias")));
        assert_typed(&r);
        match r {
            Ok(id) => {
                assert_eq!(store.source(id).unwrap().name, s);
                let found = store.find_sources(&s).unwrap();
                assert!(found.iter().any(|x| x.id == id), "{s:?} not found by its name");
            }
            Err(_) => assert_eq!(fingerprint(store), before, "{s:?}"),
        }

        let before = fingerprint(store);
        let e = store.add_evidence(claim, NewEvidence::new(src, Stance::Refutes).excerpt(s.clone()));
        assert_typed(&e);
        match e {
            Ok(e) => assert_eq!(store.evidence(e).unwrap().excerpt, Some(s.clone())),
            Err(_) => assert_eq!(fingerprint(store), before, "{s:?}"),
        }
        let before = fingerprint(store);
        let r = store.add_review(
            claim,
            NewReview::new(Verdict::False)
                .label(s.clone())
                .rationale(s.clone()),
        );
        assert_typed(&r);
        match r {
            Ok(r) => {
                let r = store.review(r).unwrap();
                assert_eq!((r.label, r.rationale), (Some(s.clone()), Some(s.clone())));
            }
            Err(_) => assert_eq!(fingerprint(store), before, "{s:?}"),
        }

        let r = store.set_actor(&s);
        assert_typed(&r);
        if r.is_ok() {
            assert_eq!(store.actor().unwrap(), s);
        }
        store.set_actor("desk").unwrap();

        // Reading takes any text and writes nothing. (Lookups by a text holding NUL: see the next test.)
        let before = fingerprint(store);
        if !s.contains('\0') {
            assert!(store.history_by_actor(&s).is_ok(), "{s:?}");
            assert!(store.find_sources(&s).is_ok(), "{s:?}");
            assert!(store.find_source(&s).is_ok(), "{s:?}");
            assert!(store.claims_tagged(&s).is_ok(), "{s:?}");
        }
        let hits = store.search(&s, 10);
        assert_typed(&hits);
        assert_eq!(fingerprint(store), before, "{s:?}");
    }
    assert!(stored > 10, "only {stored} hostile claims were accepted");
    let report = store.verify_history().unwrap();
    assert!(report.is_consistent(), "{:?}", report.problems);
}

// No stored text holds NUL (every write refuses it), so a lookup by a text holding one finds nothing
// (PostgreSQL cannot even be given such a parameter: the store answers without asking it).
per_backend!(lookups_by_a_text_holding_nul_find_nothing);
fn lookups_by_a_text_holding_nul_find_nothing(store: &Store) {
    seeds::load_wonsan(store).unwrap();
    let before = fingerprint(store);
    for s in ["\0", "KCNA\0hidden", "Lavrov\0"] {
        assert_eq!(store.history_by_actor(s).unwrap(), vec![], "{s:?}");
        assert_eq!(store.find_sources(s).unwrap(), vec![], "{s:?}");
        assert_eq!(store.find_source(s).unwrap(), None, "{s:?}");
        assert_eq!(store.claims_tagged(s).unwrap(), vec![], "{s:?}");
        assert_typed(&store.search(s, 10));
    }
    assert_eq!(fingerprint(store), before);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn claims_with_hostile_text_are_stored_exactly_or_refused_cleanly(
        text in nasty(), tag in nasty(), unit in nasty(), lang in nasty()
    ) {
        let (store, _, _) = desk();
        let before = fingerprint(&store);
        let r = store.add_claim(
            NewClaim::factual(text.clone())
                .tag(tag.clone())
                .language(lang)
                .quantity(claimtrack::Quantity::about(1.0, unit)),
        );
        assert_typed(&r);
        match r {
            Ok(id) => {
                let c = store.claim(id).unwrap();
                prop_assert_eq!(&c.text, &text);
                prop_assert_eq!(&c.tags, &vec![tag]);
                prop_assert_eq!(store.history_of(id).unwrap().len(), 1);
                prop_assert!(store.verify_history().unwrap().is_consistent());
            }
            Err(_) => prop_assert_eq!(fingerprint(&store), before),
        }
    }

    #[test]
    fn sources_with_hostile_names_are_found_only_by_their_names(
        name in nasty(), alias in nasty(), country in nasty(), query in nasty()
    ) {
        let (store, _, _) = desk();
        let before = fingerprint(&store);
        let r = store.add_source(
            NewSource::new(name.clone(), SourceKind::Outlet).alias(alias).country(country),
        );
        assert_typed(&r);
        match r {
            Ok(id) => {
                prop_assert_eq!(&store.source(id).unwrap().name, &name);
                let found = store.find_sources(&name).unwrap();
                prop_assert!(found.iter().any(|s| s.id == id));
            }
            Err(_) => prop_assert_eq!(fingerprint(&store), before.clone()),
        }
        // Lookups take any text and never fail or write.
        let after = fingerprint(&store);
        let found = store.find_sources(&query);
        prop_assert!(found.is_ok(), "{:?}", found);
        prop_assert_eq!(fingerprint(&store), after);
    }

    #[test]
    fn evidence_reviews_and_their_versions_refuse_hostile_text_cleanly(
        excerpt in nasty(), label in nasty(), rationale in nasty(), reason in nasty(), url in nasty()
    ) {
        let (store, src, claim) = desk();
        let before = fingerprint(&store);
        let e = store.add_evidence(claim, NewEvidence::new(src, Stance::Refutes).excerpt(excerpt.clone()));
        assert_typed(&e);
        if e.is_err() {
            prop_assert_eq!(fingerprint(&store), before.clone());
        }
        let r = store.add_review(
            claim,
            NewReview::new(Verdict::False).label(label).rationale(rationale).url(url),
        );
        assert_typed(&r);
        if let Ok(e) = e {
            prop_assert_eq!(store.evidence(e).unwrap().excerpt, Some(excerpt));
            let mid = fingerprint(&store);
            let v = store.revise_evidence(e, NewEvidence::new(src, Stance::Supports), &reason);
            assert_typed(&v);
            match v {
                Ok(_) => prop_assert_eq!(store.evidence_standing(e).unwrap().reason, Some(reason.clone())),
                Err(_) => prop_assert_eq!(fingerprint(&store), mid),
            }
        }
        if let Ok(r) = r {
            let mid = fingerprint(&store);
            let x = store.retract_review(r, &reason);
            assert_typed(&x);
            if x.is_err() {
                prop_assert_eq!(fingerprint(&store), mid);
            }
        }
        prop_assert!(store.verify_history().unwrap().is_consistent());
    }

    #[test]
    fn actor_names_are_recorded_exactly_or_refused(actor in nasty()) {
        let (store, _, _) = desk();
        let r = store.set_actor(&actor);
        assert_typed(&r);
        let id = store.add_claim(NewClaim::factual("x")).unwrap();
        let recorded = store.history_of(id).unwrap()[0].actor.clone();
        match r {
            Ok(()) => prop_assert_eq!(&recorded, &actor),
            Err(_) => prop_assert_eq!(recorded.as_str(), claimtrack::DEFAULT_ACTOR),
        }
        prop_assert_eq!(store.history_by_actor(&actor).is_ok(), true);
    }

    #[test]
    fn model_parsers_take_any_text(s in nasty()) {
        assert_typed(&s.parse::<ClaimId>());
        assert_typed(&s.parse::<PartialDate>());
        assert_typed(&s.parse::<CountryCode>());
        assert_typed(&s.parse::<Verdict>());
        assert_typed(&s.parse::<Stance>());
        assert_typed(&s.parse::<claimtrack::Reliability>());
        assert_typed(&s.parse::<claimtrack::Credibility>());
        assert_typed(&s.parse::<claimtrack::EntityKind>());
        if let Ok(d) = s.parse::<PartialDate>() {
            // Whatever parses, round-trips.
            prop_assert_eq!(d.to_string().parse::<PartialDate>().unwrap(), d);
        }
    }

    #[test]
    fn arbitrary_bytes_as_a_bundle_never_panic_nor_write(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let (store, _, _) = desk();
        let before = fingerprint(&store);
        if let Ok(b) = serde_json::from_slice::<Bundle>(&bytes) {
            let r = bundle::import(&store, &b, ImportOptions::default());
            assert_typed(&r);
            if r.is_err() {
                prop_assert_eq!(fingerprint(&store), before);
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn damaged_seed_bundles_import_whole_or_not_at_all(
        cut in 0usize..20_000, splice in nasty(), at in 0usize..20_000
    ) {
        // Take the real seed bundle's JSON and damage it: splice text in, or cut it short.
        let json = seeds::WONSAN_BUNDLE_JSON;
        let at = json.char_indices().map(|(i, _)| i).nth(at % json.chars().count()).unwrap_or(0);
        let spliced = format!("{}{}{}", &json[..at], splice, &json[at..]);
        let cut = json.char_indices().map(|(i, _)| i).nth(cut % json.chars().count()).unwrap_or(0);
        for text in [spliced.as_str(), &json[..cut]] {
            let store = Store::open_in_memory().unwrap();
            let other = store.add_claim(NewClaim::factual("already here")).unwrap();
            let before = fingerprint(&store);
            if let Ok(b) = serde_json::from_str::<Bundle>(text) {
                let r = bundle::import(&store, &b, ImportOptions::default());
                assert_typed(&r);
                match r {
                    Ok(_) => prop_assert!(store.verify_history().unwrap().is_consistent()),
                    Err(_) => prop_assert_eq!(fingerprint(&store), before),
                }
            }
            prop_assert!(store.claim(other).is_ok());
        }
    }
}

#[test]
fn ids_of_the_wrong_kind_are_not_found_and_change_nothing() {
    let (store, src, claim) = desk();
    let before = fingerprint(&store);
    let as_claim = ClaimId::from_uuid(src.as_uuid());
    let as_source = SourceId::from_uuid(claim.as_uuid());
    assert!(matches!(
        store.claim(as_claim),
        Err(Error::NotFound { kind: "claim", .. })
    ));
    assert!(matches!(
        store.source(as_source),
        Err(Error::NotFound { kind: "source", .. })
    ));
    let r = store.attribute(claim, NewAttribution::said_by(as_source));
    assert!(matches!(r, Err(Error::NotFound { kind: "source", .. })), "{r:?}");
    let r = store.add_evidence(as_claim, NewEvidence::new(src, Stance::Supports));
    assert!(matches!(r, Err(Error::NotFound { kind: "claim", .. })), "{r:?}");
    let r = store.retract_evidence(EvidenceId::from_uuid(claim.as_uuid()), "wrong kind");
    assert!(
        matches!(r, Err(Error::NotFound { kind: "evidence", .. })),
        "{r:?}"
    );
    assert!(matches!(
        store.delete_claim(as_claim),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.claim_history(as_claim),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(fingerprint(&store), before);
}

#[test]
fn deeply_nested_and_huge_json_is_refused_without_a_crash() {
    let deep = format!(
        "{{\"format\":\"claimtrack-bundle\",\"version\":1,\"claims\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(serde_json::from_str::<Bundle>(&deep).is_err());
    // A claim text far over the limit: refused by validation, quickly, with the limit in the message.
    let store = Store::open_in_memory().unwrap();
    let huge = "z".repeat(5_000_000);
    let err = store.add_claim(NewClaim::factual(huge)).unwrap_err();
    assert!(matches!(err, Error::Invalid { field: "text", .. }), "{err}");
    assert!(bundle::export(&store).unwrap().is_empty());
}

#[test]
fn invalid_utf8_in_a_bundle_is_a_parse_error() {
    let mut bytes = seeds::WONSAN_BUNDLE_JSON.as_bytes().to_vec();
    let at = bytes.iter().position(|b| *b == b'K').unwrap();
    bytes[at] = 0xFF;
    assert!(serde_json::from_slice::<Bundle>(&bytes).is_err());
}
