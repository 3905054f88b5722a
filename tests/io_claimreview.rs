//! ClaimReview JSON-LD: the schema.org examples import, unreadable parts are listed, export round-trips.

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
use claimtrack::io::ImportOptions;
use claimtrack::io::{IssueKind, claimreview};
use claimtrack::{
    NewAttribution, NewClaim, NewPublication, NewReview, NewSource, PartialDate, Rating, SourceKind, Store,
    Verdict,
};

const EXAMPLE1: &str = include_str!("data/schemaorg/example1.jsonld");
const EXAMPLE2: &str = include_str!("data/schemaorg/example2.jsonld");

per_backend!(schema_org_example_1_imports_with_its_contradiction_reported);
fn schema_org_example_1_imports_with_its_contradiction_reported(store: &Store) {
    let report = claimreview::import(store, EXAMPLE1.as_bytes(), ImportOptions::default()).unwrap();
    let claims = store.claims().unwrap();
    assert_eq!(claims.len(), 1);
    assert_eq!(
        claims[0].text,
        "More than 3,000 homicides were committed by \"illegal aliens\" over the past six years."
    );
    let att = &store.attributions_of(claims[0].id).unwrap()[0];
    let speaker = store.source(att.speaker.unwrap()).unwrap();
    assert_eq!(speaker.name, "Rich Perry"); // misspelt in the source: kept as given
    assert_eq!(speaker.kind, SourceKind::Person);
    assert!(
        speaker
            .notes
            .as_deref()
            .unwrap()
            .contains("Former Governor of Texas")
    );
    assert_eq!(att.said_on, Some("2014-07-17".parse().unwrap()));
    let publication = store.publication(att.publication.unwrap()).unwrap();
    assert_eq!(
        publication.title.as_deref(),
        Some("The St. Petersburg Times interview [...]")
    );

    let review = &store.reviews_of(claims[0].id).unwrap()[0];
    // ratingValue 1 of 1..6 says false; the words say "True": the number wins, both are kept.
    assert_eq!(review.verdict, Some(Verdict::False));
    assert_eq!(review.label.as_deref(), Some("True"));
    let rating = review.rating.as_ref().unwrap();
    assert_eq!((rating.value, rating.worst, rating.best), (1.0, 1.0, 6.0));
    assert_eq!(review.reviewed_on, Some("2014-07-23".parse().unwrap()));
    assert!(
        review
            .url
            .as_deref()
            .unwrap()
            .starts_with("http://www.politifact.com/texas/")
    );
    // The review's author has no name, only a URL.
    let reviewer = store.source(review.reviewer.unwrap()).unwrap();
    assert_eq!(reviewer.name, "http://www.politifact.com/");

    let at = |loc: &str| report.issues.iter().find(|i| i.location == loc);
    assert_eq!(at("$.reviewRating").unwrap().kind, IssueKind::Note);
    assert_eq!(at("$.reviewRating.image").unwrap().kind, IssueKind::Ignored);
    assert_eq!(at("$.author").unwrap().kind, IssueKind::Note);
    assert_eq!(
        at("$.itemReviewed.author.image").unwrap().kind,
        IssueKind::Ignored
    );
    assert_eq!(
        report.issues_of(IssueKind::Skipped).count(),
        0,
        "{:#?}",
        report.issues
    );
    assert!(store.check().unwrap().is_ok());
}

per_backend!(schema_org_example_2_imports_without_a_rating_and_with_a_video_clip);
fn schema_org_example_2_imports_without_a_rating_and_with_a_video_clip(store: &Store) {
    let report = claimreview::import(store, EXAMPLE2.as_bytes(), ImportOptions::default()).unwrap();
    let claim = &store.claims().unwrap()[0];
    assert!(claim.text.starts_with("In the middle of the Cold War"));
    let att = &store.attributions_of(claim.id).unwrap()[0];
    assert_eq!(store.source(att.speaker.unwrap()).unwrap().name, "Barack Obama");
    let publication = store.publication(att.publication.unwrap()).unwrap();
    assert_eq!(
        publication.title.as_deref(),
        Some("President Obama Speech to Muslim World in Cairo")
    );
    assert_eq!(
        publication.url.as_deref(),
        Some("https://www.youtube.com/watch?v=B_889oBKkNU")
    );
    let review = &store.reviews_of(claim.id).unwrap()[0];
    assert_eq!(review.verdict, None);
    assert_eq!(review.label, None);
    assert_eq!(
        review.rationale.as_deref(),
        Some("This claim is true. The UK also played a role.")
    );

    let locations: Vec<&str> = report.issues.iter().map(|i| i.location.as_str()).collect();
    for expected in [
        "$.reviewRating",             // missing: recorded as unverifiable
        "$.itemReviewed",             // a Clip, not a Claim
        "$.itemReviewed.startOffset", // not kept
        "$.itemReviewed.endOffset",
        "$.itemReviewed.isPartOf.transcript",
    ] {
        assert!(
            locations.contains(&expected),
            "{expected} missing from {locations:#?}"
        );
    }
}

#[test]
fn arrays_graphs_and_id_references_are_read_and_bad_nodes_listed() {
    let doc = format!(
        r##"[{EXAMPLE1}, {{"@context": "https://schema.org", "@graph": [
            {{"@type": "Organization", "@id": "#desk", "name": "Desk Checks"}},
            {{"@type": "ClaimReview", "claimReviewed": "Water is dry", "author": {{"@id": "#desk"}},
              "reviewRating": {{"@type": "Rating", "alternateName": "Pants on Fire!"}}}},
            {{"@type": "ClaimReview", "author": {{"@id": "#desk"}}}},
            {{"@type": "ClaimReview", "claimReviewed": "Cats bark",
              "reviewRating": {{"alternateName": "Full Flop"}}}},
            42
        ]}}]"##
    );
    let store = Store::open_in_memory().unwrap();
    let report = claimreview::import(&store, doc.as_bytes(), ImportOptions::default()).unwrap();
    let texts: Vec<String> = store.claims().unwrap().into_iter().map(|c| c.text).collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    let water = store
        .claims()
        .unwrap()
        .into_iter()
        .find(|c| c.text == "Water is dry")
        .unwrap();
    let review = &store.reviews_of(water.id).unwrap()[0];
    assert_eq!(review.verdict, Some(Verdict::False));
    assert_eq!(
        store.source(review.reviewer.unwrap()).unwrap().name,
        "Desk Checks"
    );
    let skipped: Vec<&str> = report
        .issues_of(IssueKind::Skipped)
        .map(|i| i.location.as_str())
        .collect();
    // In document order: the file is read record by record.
    assert_eq!(skipped, ["$[1].@graph[2]", "$[1].@graph[4]"]);
    let unmapped: Vec<&str> = report
        .issues_of(IssueKind::Unmapped)
        .map(|i| i.message.as_str())
        .collect();
    assert!(unmapped[0].contains("Full Flop"), "{unmapped:?}");
    assert!(
        report
            .issues
            .iter()
            .any(|i| i.location == "$[1].@graph[0]" && i.kind == IssueKind::Ignored)
    );
}

per_backend!(malformed_markup_is_an_error_and_writes_nothing);
fn malformed_markup_is_an_error_and_writes_nothing(store: &Store) {
    for bad in [
        &b"{\"@type\": \"ClaimReview\", \"claimReviewed\": \"x\""[..],
        b"\x00\xff\xfe garbage",
        b"",
    ] {
        let err = claimreview::import(store, bad, ImportOptions::default()).unwrap_err();
        assert!(matches!(err, claimtrack::Error::Parse { .. }), "{err}");
    }
    assert_eq!(store.counts().unwrap(), claimtrack::Counts::default());
}

per_backend!(export_then_import_keeps_text_claimant_rating_and_review_author);
fn export_then_import_keeps_text_claimant_rating_and_review_author(store: &Store) {
    let speaker = store
        .add_source(NewSource::new("Сергей Лавров", SourceKind::Person))
        .unwrap();
    let desk = store
        .add_source(NewSource::new("Desk Checks", SourceKind::Organisation))
        .unwrap();
    let outlet = store
        .add_source(NewSource::new("Tass", SourceKind::NewsAgency))
        .unwrap();
    let article = store
        .add_publication(
            NewPublication::new("Lavrov in Wonsan")
                .url("https://example.org/wonsan")
                .publisher(outlet)
                .published(PartialDate::day(2025, 7, 12).unwrap()),
        )
        .unwrap();
    let claim = store
        .add_claim(NewClaim::factual("North Korean troops are deployed to Russia").language("en"))
        .unwrap();
    store
        .attribute(
            claim,
            NewAttribution::said_by(speaker)
                .in_publication(article)
                .said_on(PartialDate::day(2025, 7, 12).unwrap()),
        )
        .unwrap();
    store
        .add_review(
            claim,
            NewReview::new(Verdict::MostlyTrue)
                .label("Mostly true")
                .rating(Rating::new(4.0, 1.0, 5.0))
                .by(desk)
                .on(PartialDate::day(2025, 7, 14).unwrap())
                .url("https://example.org/check/1")
                .rationale("Confirmed by both governments."),
        )
        .unwrap();

    let mut markup = Vec::new();
    claimreview::export_claim(store, claim, &mut markup).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&markup).unwrap();
    assert_eq!(v["@type"], "ClaimReview");
    assert_eq!(v["itemReviewed"]["@type"], "Claim");
    assert_eq!(
        v["itemReviewed"]["firstAppearance"]["url"],
        "https://example.org/wonsan"
    );
    assert_eq!(v["reviewRating"]["ratingValue"], 4);

    let copy = Store::open_in_memory().unwrap();
    let report = claimreview::import(&copy, markup.as_slice(), ImportOptions::default()).unwrap();
    assert_eq!(
        report.issues_of(IssueKind::Skipped).count(),
        0,
        "{:#?}",
        report.issues
    );
    let c = &copy.claims().unwrap()[0];
    assert_eq!(c.text, "North Korean troops are deployed to Russia");
    assert_eq!(c.language.as_deref(), Some("en"));
    let a = &copy.attributions_of(c.id).unwrap()[0];
    assert_eq!(copy.source(a.speaker.unwrap()).unwrap().name, "Сергей Лавров");
    assert_eq!(a.said_on, Some(PartialDate::day(2025, 7, 12).unwrap()));
    let p = copy.publication(a.publication.unwrap()).unwrap();
    assert_eq!(
        (p.title.as_deref(), p.url.as_deref()),
        (Some("Lavrov in Wonsan"), Some("https://example.org/wonsan"))
    );
    assert_eq!(copy.source(p.publisher.unwrap()).unwrap().name, "Tass");
    let r = &copy.reviews_of(c.id).unwrap()[0];
    assert_eq!(r.verdict, Some(Verdict::MostlyTrue));
    assert_eq!(r.label.as_deref(), Some("Mostly true"));
    let rt = r.rating.as_ref().unwrap();
    assert_eq!((rt.value, rt.worst, rt.best), (4.0, 1.0, 5.0));
    assert_eq!(copy.source(r.reviewer.unwrap()).unwrap().name, "Desk Checks");
    assert_eq!(r.url.as_deref(), Some("https://example.org/check/1"));
    assert_eq!(r.rationale.as_deref(), Some("Confirmed by both governments."));

    // Importing again reuses the sources by name instead of duplicating them.
    claimreview::import(&copy, markup.as_slice(), ImportOptions::default()).unwrap();
    assert_eq!(copy.counts().unwrap().sources, 3);
}

per_backend!(a_claim_without_a_review_has_nothing_to_export);
fn a_claim_without_a_review_has_nothing_to_export(store: &Store) {
    let claim = store.add_claim(NewClaim::factual("Unreviewed")).unwrap();
    let err = claimreview::export_claim(store, claim, Vec::new()).unwrap_err();
    assert!(
        matches!(err, claimtrack::Error::Invalid { field: "claim", .. }),
        "{err}"
    );
}

per_backend!(importing_the_same_markup_twice_adds_nothing);
fn importing_the_same_markup_twice_adds_nothing(store: &Store) {
    claimreview::import(store, EXAMPLE1.as_bytes(), ImportOptions::default()).unwrap();
    let before = store.counts().unwrap();
    let again = claimreview::import(store, EXAMPLE1.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(store.counts().unwrap(), before);
    assert_eq!((again.inserted, again.unchanged), (0, 1));
    assert!(
        again
            .issues
            .iter()
            .any(|i| i.message.starts_with("already imported"))
    );
}
