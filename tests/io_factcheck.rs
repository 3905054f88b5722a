//! Google Fact Check Tools `claims:search` results.

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
use claimtrack::io::ImportOptions;
use claimtrack::io::{IssueKind, factcheck};
use claimtrack::{NewSource, SourceKind, Store, Verdict};

const PAGE: &str = include_str!("data/factcheck/page.json");

per_backend!(a_page_imports_with_sources_matched_not_duplicated);
fn a_page_imports_with_sources_matched_not_duplicated(store: &Store) {
    // A source the desk already has, known under the publisher's site as an alias.
    let known = store
        .add_source(NewSource::new("PolitiFact", SourceKind::Organisation).alias("politifact.com"))
        .unwrap();
    let report = factcheck::import(store, PAGE.as_bytes(), ImportOptions::default()).unwrap();
    // Every record the import wrote is on record in the history.
    let history = store.verify_history().unwrap();
    assert!(history.is_consistent(), "{:?}", history.problems);
    assert!(history.records > 3);

    let claims = store.claims().unwrap();
    assert_eq!(claims.len(), 3);
    assert_eq!(claims[0].language.as_deref(), Some("en"));
    assert_eq!(claims[1].text, "Путин заявил, что Россия выиграла войну");
    assert_eq!(claims[1].language.as_deref(), Some("ru"));

    let first = store.reviews_of(claims[0].id).unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].verdict, Some(Verdict::False));
    assert_eq!(first[0].label.as_deref(), Some("Pants on Fire!"));
    assert_eq!(first[0].reviewer, Some(known));
    assert_eq!(
        first[0].rationale.as_deref(),
        Some("No, 5G does not spread the coronavirus")
    );
    assert_eq!(first[0].reviewed_on.unwrap().to_string(), "2020-04-03T16:00:00Z");
    // "This is not true." is a sentence rating in the label table: mapped, kept verbatim.
    assert_eq!(first[1].verdict, Some(Verdict::False));
    assert_eq!(first[1].label.as_deref(), Some("This is not true."));
    let fullfact = store.source(first[1].reviewer.unwrap()).unwrap();
    assert_eq!(fullfact.name, "fullfact.org");

    let att = &store.attributions_of(claims[0].id).unwrap()[0];
    assert_eq!(store.source(att.speaker.unwrap()).unwrap().name, "Facebook posts");
    assert_eq!(att.said_on.unwrap().to_string(), "2020-04-02T00:00:00Z");
    assert!(store.attributions_of(claims[1].id).unwrap().is_empty());

    // PolitiFact, matched by site, by name in capitals, and as a claimant: still one source.
    let third = &store.reviews_of(claims[2].id).unwrap()[0];
    assert_eq!(
        (third.verdict, third.reviewer),
        (Some(Verdict::MostlyFalse), Some(known))
    );
    assert_eq!(
        store.attributions_of(claims[2].id).unwrap()[0].speaker,
        Some(known)
    );
    assert_eq!(store.find_sources("politifact").unwrap().len(), 1);
    // Sources: PolitiFact, Facebook posts, fullfact.org, Provereno.
    assert_eq!(store.counts().unwrap().sources, 4);

    let unmapped: Vec<&str> = report
        .issues_of(IssueKind::Unmapped)
        .map(|i| i.location.as_str())
        .collect();
    // "This is not true." and Russian "Неправда" are both in the label table now.
    assert!(unmapped.is_empty(), "{unmapped:?}");
    let skipped: Vec<&str> = report
        .issues_of(IssueKind::Skipped)
        .map(|i| i.location.as_str())
        .collect();
    // In document order: the file is read claim by claim.
    assert_eq!(skipped, ["$.claims[3]", "$.claims[4]"]);
    assert!(store.check().unwrap().is_ok());
}

per_backend!(wrong_shapes_are_errors_and_write_nothing);
fn wrong_shapes_are_errors_and_write_nothing(store: &Store) {
    for bad in [r#"{"claims": "many"}"#, r#"42"#, r#"{"claims": [{"text": "x"}"#] {
        let err = factcheck::import(store, bad.as_bytes(), ImportOptions::default()).unwrap_err();
        assert!(matches!(err, claimtrack::Error::Parse { .. }), "{bad}: {err}");
    }
    // An empty result page is fine.
    let report = factcheck::import(store, "{}".as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(report.inserted, 0);
    assert_eq!(store.counts().unwrap(), claimtrack::Counts::default());
}

per_backend!(importing_a_page_again_adds_only_what_it_cannot_recognise_and_new_reviews_join_the_known_claim);
fn importing_a_page_again_adds_only_what_it_cannot_recognise_and_new_reviews_join_the_known_claim(
    store: &Store,
) {
    factcheck::import(store, PAGE.as_bytes(), ImportOptions::default()).unwrap();
    let before = store.counts().unwrap();
    let again = factcheck::import(store, PAGE.as_bytes(), ImportOptions::default()).unwrap();
    // Only the claim whose review has no url cannot be recognised; the report says so.
    let twice = store.counts().unwrap();
    assert_eq!(
        (twice.claims, twice.attributions, twice.reviews, twice.sources),
        (
            before.claims + 1,
            before.attributions + 1,
            before.reviews + 1,
            before.sources
        )
    );
    assert!(
        again
            .issues
            .iter()
            .any(|i| i.location == "$.claims[2]" && i.message.starts_with("no review has a url"))
    );
    assert_eq!(again.inserted, 3);
    // Two claims and their three reviews recognised.
    assert_eq!(again.unchanged, 5);
    let before = twice;

    let later = r#"{"claims": [{"text": "5G towers spread the coronavirus", "claimReview": [
        {"publisher": {"name": "PolitiFact"}, "url": "https://www.politifact.com/factchecks/2020/apr/03/5g/", "textualRating": "Pants on Fire!"},
        {"publisher": {"name": "AFP Fact Check"}, "url": "https://factcheck.afp.com/5g", "textualRating": "False"}]}]}"#;
    factcheck::import(store, later.as_bytes(), ImportOptions::default()).unwrap();
    let after = store.counts().unwrap();
    assert_eq!(
        (after.claims, after.reviews, after.sources),
        (before.claims, before.reviews + 1, before.sources + 1)
    );
    let claim = store
        .claims()
        .unwrap()
        .into_iter()
        .find(|c| c.text.starts_with("5G"))
        .unwrap();
    assert_eq!(store.reviews_of(claim.id).unwrap().len(), 3);
}
