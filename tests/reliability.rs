//! Reliability round 2 (issue 11), through the library: dates at the edge of the representable range,
//! the schema objects `check` verifies, markup safe to embed, and the importers' refusals.

use claimtrack::io::ImportOptions;
use claimtrack::io::{bundle, claimreview, factcheck, jsonl};
use claimtrack::{Error, NewAttribution, NewClaim, NewSource, PartialDate, SourceKind, Store};
use proptest::prelude::*;

/// A date that is valid as written but leaves the years 1..=9999 once converted to UTC.
const BEYOND: &str = "9999-12-31T23:59:59-23:59";
const BEFORE: &str = "0001-01-01T00:00:00+23:59";

#[test]
fn a_date_beyond_the_range_in_utc_is_invalid_not_a_panic() {
    for s in [BEYOND, BEFORE, "9999-12-31T23:59:59.999999999-00:01"] {
        match s.parse::<PartialDate>() {
            Err(Error::Invalid { field: "date", .. }) => {}
            other => panic!("{s}: expected Invalid date, got {other:?}"),
        }
    }
    // The last moments that are representable still work, and their periods end without overflow.
    let last: PartialDate = "9999-12-31T23:59:59.999999999Z".parse().unwrap();
    let day: PartialDate = "9999-12-31".parse().unwrap();
    let year: PartialDate = "9999".parse().unwrap();
    assert!(year.contains(&day), "9999 contains its last day");
    assert!(day.contains(&last), "the last day contains its last instant");
    assert!(year.contains(&last));
    assert!(last.start() < last.end() || last.start() == last.end());
    assert_eq!(
        "0001-01-01T00:00:00-01:00"
            .parse::<PartialDate>()
            .unwrap()
            .to_string(),
        "0001-01-01T01:00:00Z"
    );
}

proptest! {
    /// Any year, month, day, time and offset: a date or a typed error naming the field, never a panic;
    /// an accepted date lies in 1..=9999 and its period is ordered.
    #[test]
    fn extreme_offsets_and_years_never_panic(
        year in prop_oneof![0u32..=3, 9996u32..=9999, 0u32..=9999],
        month in 0u32..=13, day in 0u32..=32,
        hour in 0u32..=24, minute in 0u32..=60, second in 0u32..=60,
        sign in prop::sample::select(vec!['+', '-']),
        oh in 0u32..=25, om in 0u32..=59,
        frac in prop::option::of(0u32..=999_999_999),
    ) {
        let frac = frac.map(|f| format!(".{f:09}")).unwrap_or_default();
        let forms = [
            format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{frac}{sign}{oh:02}:{om:02}"),
            format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{frac}Z"),
            format!("{year:04}-{month:02}-{day:02}"),
            format!("{year:04}-{month:02}"),
            format!("{year:04}"),
        ];
        for s in forms {
            match s.parse::<PartialDate>() {
                Ok(d) => {
                    let y = d.start().year();
                    prop_assert!((1..=9999).contains(&y), "{s} -> {d}");
                    prop_assert!(d.start() <= d.end(), "{s}");
                    prop_assert!(d.contains(&d));
                    // It reads back as itself.
                    prop_assert_eq!(d.to_string().parse::<PartialDate>().unwrap(), d);
                }
                Err(Error::Invalid { field: "date", .. }) => {}
                Err(e) => prop_assert!(false, "{s}: {e:?}"),
            }
        }
    }
}

/// A store holding one attributed claim with a dated attribution, as JSON Lines.
fn dated_jsonl() -> String {
    let store = Store::open_in_memory().unwrap();
    let s = store
        .add_source(NewSource::new("Tass", SourceKind::NewsAgency))
        .unwrap();
    let c = store.add_claim(NewClaim::factual("A claim with a date")).unwrap();
    store
        .attribute(
            c,
            NewAttribution::said_by(s).said_on("2025-07-13T09:30:00Z".parse().unwrap()),
        )
        .unwrap();
    let mut out = Vec::new();
    jsonl::export(&store, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn every_importer_refuses_a_date_beyond_the_range_without_a_panic() {
    let lines = dated_jsonl();
    assert!(lines.contains("2025-07-13T09:30:00Z"));
    let hostile = lines.replace("2025-07-13T09:30:00Z", BEYOND);

    // JSON Lines and bundles are all or nothing: refused, nothing written.
    let store = Store::open_in_memory().unwrap();
    let err = jsonl::import(&store, hostile.as_bytes(), ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("outside the years"), "{err}");
    assert_eq!(store.counts().unwrap().claims, 0);

    let source = Store::open_in_memory().unwrap();
    jsonl::import(&source, lines.as_bytes(), ImportOptions::default()).unwrap();
    let mut b = Vec::new();
    bundle::export(&source)
        .and_then(|v| bundle::write_bundle(&v, &mut b))
        .unwrap();
    let b = String::from_utf8(b)
        .unwrap()
        .replace("2025-07-13T09:30:00Z", BEYOND);
    let err = bundle::read_bundle(b.as_bytes())
        .and_then(|v| bundle::import(&store, &v, ImportOptions::default()))
        .unwrap_err();
    assert!(err.to_string().contains("outside the years"), "{err}");
    assert_eq!(store.counts().unwrap().claims, 0);

    // ClaimReview and Fact Check Tools keep what they can and list the date they could not read.
    let markup = format!(
        r#"{{"@type": "ClaimReview", "claimReviewed": "A late claim", "datePublished": "{BEYOND}",
            "url": "https://example.org/late",
            "itemReviewed": {{"@type": "Claim", "datePublished": "{BEYOND}", "author": "Someone"}},
            "reviewRating": {{"alternateName": "False"}}}}"#
    );
    let report = claimreview::import(&store, markup.as_bytes(), ImportOptions::default()).unwrap();
    let skipped: Vec<&str> = report
        .issues
        .iter()
        .filter(|i| i.message.contains(BEYOND))
        .map(|i| i.location.as_str())
        .collect();
    assert_eq!(skipped, ["$.itemReviewed.datePublished", "$.datePublished"]);
    let page = format!(
        r#"{{"claims": [{{"text": "Another late claim", "claimant": "Someone", "claimDate": "{BEYOND}",
            "claimReview": [{{"publisher": {{"name": "Checks", "site": "checks.example"}},
              "url": "https://checks.example/1", "reviewDate": "{BEYOND}", "textualRating": "False"}}]}}]}}"#
    );
    let report = factcheck::import(&store, page.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(
        report
            .issues
            .iter()
            .filter(|i| i.message.contains(BEYOND))
            .count(),
        2,
        "{:?}",
        report.issues
    );
    assert_eq!(store.counts().unwrap().claims, 2);
}
