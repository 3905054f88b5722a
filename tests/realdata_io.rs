//! The interchange formats carry what real data needs (issue 12, items 4, 5, 6): a claim's own date read
//! from Fact Check Tools' `claimDate` and ClaimReview and written back out (ClaimReview, CSV); claimants
//! of the kind their name shows, and source kinds mapped to schema.org types both ways; publications
//! known by URL, matched by URL across imports, web archive copies kept beside their original.

#[path = "common/backend.rs"]
mod backend;

#[allow(unused_imports)]
use backend::{Desk, per_backend, sqlite_only};

use claimtrack::io::ImportOptions;
use claimtrack::io::{IssueKind, claimant_kind, claimreview, csv, factcheck};
use claimtrack::{
    NewAttribution, NewClaim, NewPublication, NewReview, NewSource, PartialDate, SourceKind, Store, Verdict,
};
use serde_json::{Value, json};

fn export_value(store: &Store) -> Value {
    let mut out = Vec::new();
    claimreview::export(store, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

per_backend!(fact_check_tools_claim_date_is_the_claims_own_date);
fn fact_check_tools_claim_date_is_the_claims_own_date(store: &Store) {
    let page = json!({"claims": [
        {"text": "A consulate said so", "claimant": "Consulate General of Pakistan, France",
         "claimDate": "2021-05-02T00:00:00Z",
         "claimReview": [{"publisher": {"name": "Checks", "site": "checks.example"},
                          "url": "https://checks.example/1", "textualRating": "False", "languageCode": "en"}]},
        {"text": "Nobody said so", "claimDate": "2020-03-01",
         "claimReview": [{"url": "https://checks.example/2", "textualRating": "False"}]},
        {"text": "A page said so", "claimant": "Facebook page 'Daily Truths'",
         "claimReview": [{"url": "https://checks.example/3", "textualRating": "False"}]}
    ]});
    let report = factcheck::import(store, page.to_string().as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(
        report.issues_of(IssueKind::Ignored).count(),
        0,
        "{:#?}",
        report.issues
    );
    let claims = store.claims().unwrap();
    assert_eq!(claims[0].made_on, Some("2021-05-02T00:00:00Z".parse().unwrap()));
    // Without a claimant the date used to be dropped; it is the claim's own.
    assert_eq!(claims[1].made_on, Some(PartialDate::day(2020, 3, 1).unwrap()));
    assert_eq!(claims[2].made_on, None);
    let consulate = store
        .find_source("Consulate General of Pakistan, France")
        .unwrap()
        .unwrap();
    assert_eq!(consulate.kind, SourceKind::Unknown);
    let page = store
        .find_source("Facebook page 'Daily Truths'")
        .unwrap()
        .unwrap();
    assert_eq!(page.kind, SourceKind::PlatformAccount);

    // Written back out: ClaimReview's itemReviewed.datePublished, and the CSV's made_on column.
    let v = export_value(store);
    assert_eq!(
        v["@graph"][0]["itemReviewed"]["datePublished"],
        "2021-05-02T00:00:00Z"
    );
    assert_eq!(v["@graph"][1]["itemReviewed"]["datePublished"], "2020-03-01");
    // An unknown claimant is written without a type rather than as a Person.
    assert_eq!(
        v["@graph"][0]["itemReviewed"]["author"],
        json!({"name": "Consulate General of Pakistan, France"})
    );
    assert_eq!(v["@graph"][2]["itemReviewed"]["author"]["@type"], "ProfilePage");
    let mut out = Vec::new();
    csv::export(store, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "made_on").unwrap();
    let second: Vec<&str> = text.lines().nth(2).unwrap().split(',').collect();
    assert_eq!(second[col], "2020-03-01");
}

#[test]
fn claimant_kinds_come_from_the_name_only() {
    let cases = [
        ("Consulate General of Pakistan, France", SourceKind::Unknown),
        ("Kamala Harris", SourceKind::Unknown),
        ("scoopertino.com", SourceKind::Website),
        ("https://www.example.org/page", SourceKind::Website),
        ("https://www.facebook.com/someone", SourceKind::PlatformAccount),
        ("@someone", SourceKind::PlatformAccount),
        ("Post na Facebooku", SourceKind::Unknown),
        ("Facebook,Twitter", SourceKind::PlatformAccount),
        ("Twitter user", SourceKind::PlatformAccount),
        ("Social media users", SourceKind::Collective),
        ("Viral image", SourceKind::Collective),
        ("Sources multiples", SourceKind::Collective),
        ("Dr. No", SourceKind::Unknown),
        ("", SourceKind::Unknown),
        ("\u{202E}moc.elpmaxe", SourceKind::Unknown),
    ];
    for (name, kind) in cases {
        assert_eq!(claimant_kind(name), kind, "{name:?}");
    }
}

per_backend!(source_kinds_map_to_schema_org_types_and_back);
fn source_kinds_map_to_schema_org_types_and_back(d: &Desk) {
    let store = d.open();
    let desk = store
        .add_source(NewSource::new("Desk", SourceKind::Organisation))
        .unwrap();
    let expected = [
        (SourceKind::Person, Some("Person"), SourceKind::Person),
        (
            SourceKind::NewsAgency,
            Some("NewsMediaOrganization"),
            SourceKind::Outlet,
        ),
        (
            SourceKind::Outlet,
            Some("NewsMediaOrganization"),
            SourceKind::Outlet,
        ),
        (
            SourceKind::GovernmentBody,
            Some("GovernmentOrganization"),
            SourceKind::GovernmentBody,
        ),
        (
            SourceKind::IntelligenceService,
            Some("GovernmentOrganization"),
            SourceKind::GovernmentBody,
        ),
        (
            SourceKind::Organisation,
            Some("Organization"),
            SourceKind::Organisation,
        ),
        (
            SourceKind::Collective,
            Some("Organization"),
            SourceKind::Organisation,
        ),
        (SourceKind::Document, Some("CreativeWork"), SourceKind::Document),
        (SourceKind::Website, Some("WebSite"), SourceKind::Website),
        (
            SourceKind::PlatformAccount,
            Some("ProfilePage"),
            SourceKind::PlatformAccount,
        ),
        (SourceKind::Unknown, None, SourceKind::Unknown),
    ];
    assert_eq!(expected.len(), SourceKind::ALL.len());
    for (i, (kind, _, _)) in expected.iter().enumerate() {
        let s = store
            .add_source(NewSource::new(format!("Speaker {i}"), *kind))
            .unwrap();
        let c = store.add_claim(NewClaim::factual(format!("Claim {i}"))).unwrap();
        store.attribute(c, NewAttribution::said_by(s)).unwrap();
        store
            .add_review(c, NewReview::new(Verdict::False).by(desk))
            .unwrap();
    }
    let v = export_value(&store);
    let copy_desk = d.another("copy");
    let copy = copy_desk.open();
    claimreview::import(&copy, v.to_string().as_bytes(), ImportOptions::default()).unwrap();
    for (i, (kind, t, back)) in expected.iter().enumerate() {
        let author = &v["@graph"][i]["itemReviewed"]["author"];
        assert_eq!(author["@type"].as_str(), *t, "{kind}");
        let read = copy.find_source(&format!("Speaker {i}")).unwrap().unwrap();
        assert_eq!(read.kind, *back, "{kind}");
    }
}

per_backend!(publications_are_matched_by_url_and_archive_copies_kept);
fn publications_are_matched_by_url_and_archive_copies_kept(d: &Desk) {
    let store = d.open();
    let first = json!({"@type": "ClaimReview", "claimReviewed": "One", "url": "https://c.example/1",
        "itemReviewed": {"@type": "Claim", "datePublished": "2020-10-31",
            "appearance": [
                "https://web.archive.org/web/20201129141238/https://scoopertino.com/imac/",
                {"@type": "CreativeWork", "url": "https://example.org/plain"}
            ]},
        "reviewRating": {"alternateName": "False"}});
    let report = claimreview::import(&store, first.to_string().as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(
        report.issues_of(IssueKind::Skipped).count(),
        0,
        "{:#?}",
        report.issues
    );
    let pubs = store.publications().unwrap();
    assert_eq!(pubs.len(), 2);
    assert_eq!(pubs[0].title, None);
    assert_eq!(pubs[0].url.as_deref(), Some("https://scoopertino.com/imac/"));
    assert_eq!(
        pubs[0].archive_url.as_deref(),
        Some("https://web.archive.org/web/20201129141238/https://scoopertino.com/imac/")
    );
    assert_eq!(
        store.claims().unwrap()[0].made_on,
        Some(PartialDate::day(2020, 10, 31).unwrap())
    );

    // A later file naming the same pages (the original, or another archive copy) finds them.
    let second = json!({"@type": "ClaimReview", "claimReviewed": "Two", "url": "https://c.example/2",
        "itemReviewed": {"@type": "Claim", "appearance": [
            {"@type": "CreativeWork", "name": "The iMac story", "url": "https://scoopertino.com/imac/"},
            "https://web.archive.org/web/2023/https://example.org/plain"
        ]},
        "reviewRating": {"alternateName": "False"}});
    claimreview::import(&store, second.to_string().as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(store.publications().unwrap().len(), 2);
    assert_eq!(store.counts().unwrap().attributions, 4);

    // Written out with the archive copy as archivedAt, and read back the same.
    let v = export_value(&store);
    let work = &v["@graph"][0]["itemReviewed"]["appearance"][0];
    assert_eq!(work["url"], "https://scoopertino.com/imac/");
    assert_eq!(
        work["archivedAt"],
        "https://web.archive.org/web/20201129141238/https://scoopertino.com/imac/"
    );
    assert!(work.get("name").is_none());
    let copy_desk = d.another("copy");
    let copy = copy_desk.open();
    claimreview::import(&copy, v.to_string().as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(export_value(&copy), v);
    assert_eq!(copy.publications().unwrap(), {
        let mut p = store.publications().unwrap();
        for (x, y) in p.iter_mut().zip(copy.publications().unwrap()) {
            x.id = y.id;
            x.created_at = y.created_at;
        }
        p
    });
}

per_backend!(a_title_only_publication_and_an_archive_only_one_round_trip);
fn a_title_only_publication_and_an_archive_only_one_round_trip(d: &Desk) {
    let store = d.open();
    let desk = store
        .add_source(NewSource::new("Desk", SourceKind::Organisation))
        .unwrap();
    let titled = store.add_publication(NewPublication::new("A speech")).unwrap();
    let archived = store
        .add_publication(
            NewPublication::at_url("https://example.org/x").archive_url("https://archive.ph/abcde"),
        )
        .unwrap();
    let c = store
        .add_claim(NewClaim::factual("x").made_on(PartialDate::month(2024, 2).unwrap()))
        .unwrap();
    for p in [titled, archived] {
        store.attribute(c, NewAttribution::by_publication(p)).unwrap();
    }
    store
        .add_review(c, NewReview::new(Verdict::True).by(desk))
        .unwrap();
    let v = export_value(&store);
    assert_eq!(v["@graph"][0]["itemReviewed"]["datePublished"], "2024-02");
    let copy_desk = d.another("copy");
    let copy = copy_desk.open();
    claimreview::import(&copy, v.to_string().as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(export_value(&copy), v);
    let back = copy.publications().unwrap();
    assert_eq!(back[1].archive_url.as_deref(), Some("https://archive.ph/abcde"));
    assert_eq!(
        copy.claims().unwrap()[0].made_on,
        Some(PartialDate::month(2024, 2).unwrap())
    );
}
