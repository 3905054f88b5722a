//! ClaimReview and Fact Check Tools imports read record by record (issue 11, item 10): strict imports
//! are all or nothing, duplicate keys are reported, one record's size is capped, hostile input is a
//! typed error, and the report of a huge file stays bounded.

#[path = "common/backend.rs"]
mod backend;

#[allow(unused_imports)]
use backend::{Desk, per_backend, sqlite_only};

use claimtrack::io::{
    ImportOptions, ImportReport, IssueKind, MAX_LISTED_ISSUES, MAX_RECORD_BYTES, Strictness, claimreview,
    factcheck,
};
use claimtrack::{Error, Store};

fn review(text: &str) -> String {
    format!(
        r#"{{"@type": "ClaimReview", "claimReviewed": "{text}", "url": "https://checks.example/{n}",
            "author": {{"@type": "Organization", "name": "Desk"}},
            "reviewRating": {{"@type": "Rating", "alternateName": "False"}}}}"#,
        n = text.len()
    )
}

fn claim(text: &str) -> String {
    format!(
        r#"{{"text": "{text}", "claimant": "Someone",
            "claimReview": [{{"publisher": {{"name": "Desk"}}, "url": "https://checks.example/{n}", "textualRating": "False"}}]}}"#,
        n = text.len()
    )
}

/// The whole store as a bundle, to compare before and after.
fn snapshot(store: &Store) -> claimtrack::Bundle {
    claimtrack::io::bundle::export(store).unwrap()
}

type Import = fn(&Store, &[u8], Strictness) -> claimtrack::Result<ImportReport>;

fn cr(store: &Store, input: &[u8], s: Strictness) -> claimtrack::Result<ImportReport> {
    claimreview::import(store, input, options(s))
}

fn fc(store: &Store, input: &[u8], s: Strictness) -> claimtrack::Result<ImportReport> {
    factcheck::import(store, input, options(s))
}

fn options(s: Strictness) -> ImportOptions<'static> {
    match s {
        Strictness::Strict => ImportOptions::default().strict(),
        _ => ImportOptions::default(),
    }
}

/// Puts one claim in `store`, so "nothing written" is checked against real content.
fn prepare(store: &Store) {
    claimreview::import(store, review("Already here").as_bytes(), ImportOptions::default()).unwrap();
}

/// `input` is refused with a parse error at `location` when strict, nothing written; lenient, the
/// good records land and `location` is listed as skipped.
fn strict_refuses(desk: &Desk, import: Import, input: &str, location: &str, landed: usize) {
    // A desk of its own: the lenient half writes.
    let fresh = desk.another("strict_refuses");
    let store = fresh.open();
    prepare(&store);
    let before = snapshot(&store);
    let err = import(&store, input.as_bytes(), Strictness::Strict).unwrap_err();
    let named = match &err {
        Error::Parse { location: l, .. } => l.starts_with(location),
        Error::Batch { location: l, .. } => l == location,
        _ => false,
    };
    assert!(named, "{location}: {err:?}");
    assert_eq!(
        snapshot(&store),
        before,
        "a refused strict import wrote something"
    );

    let report = import(&store, input.as_bytes(), Strictness::Lenient).unwrap();
    assert_eq!(store.claims().unwrap().len(), 1 + landed, "{report:#?}");
    assert!(
        report
            .issues_of(IssueKind::Skipped)
            .any(|i| i.location.starts_with(location)),
        "{location} not listed: {report:#?}"
    );
}

per_backend!(strict_imports_are_all_or_nothing_and_lenient_ones_skip_and_list);
fn strict_imports_are_all_or_nothing_and_lenient_ones_skip_and_list(desk: &Desk) {
    // A ClaimReview without the claim's text, between two good ones.
    let doc = format!(
        r#"[{}, {{"@type": "ClaimReview", "reviewRating": {{"alternateName": "False"}}}}, {}]"#,
        review("First"),
        review("Third")
    );
    strict_refuses(desk, cr, &doc, "$[1]", 2);
    // A value that cannot be read inside a good record (a URL that is no web address).
    let doc = format!(
        r#"[{}, {}]"#,
        review("First"),
        review("Second").replace("https://checks.example/6", "javascript:alert(1)")
    );
    strict_refuses(desk, cr, &doc, "$[1]", 2);
    // A scalar where a node belongs.
    strict_refuses(desk, cr, &format!("[{}, 42]", review("First")), "$[1]", 1);
    // Fact Check Tools: a claim without text, and a claim that is not an object.
    let page = format!(
        r#"{{"claims": [{}, {{"claimant": "x"}}, {}]}}"#,
        claim("One"),
        claim("Three")
    );
    strict_refuses(desk, fc, &page, "$.claims[1]", 2);
    let page = format!(r#"{{"claims": [{}, "two"]}}"#, claim("One"));
    strict_refuses(desk, fc, &page, "$.claims[1]", 1);
}

per_backend!(a_changed_review_is_a_conflict_when_strict);
fn a_changed_review_is_a_conflict_when_strict(store: &Store) {
    prepare(store);
    let changed = review("Already here").replace("\"False\"", "\"True\"");
    let before = snapshot(store);
    let err = claimreview::import(store, changed.as_bytes(), ImportOptions::default().strict()).unwrap_err();
    assert!(matches!(err, Error::Conflict { kind: "review", .. }), "{err:?}");
    assert_eq!(snapshot(store), before);
    // Lenient: listed, not written.
    let report = claimreview::import(store, changed.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(report.issues_of(IssueKind::Skipped).count(), 1, "{report:#?}");
    assert_eq!(snapshot(store), before);
}

per_backend!(duplicate_keys_skip_the_record_or_refuse_the_import);
fn duplicate_keys_skip_the_record_or_refuse_the_import(desk: &Desk) {
    let fresh = || desk.another("duplicate_keys");
    // At the top of a record, and deep inside one: the path names the repeated key.
    let dup_top = format!(
        r#"[{}, {{"@type": "ClaimReview", "claimReviewed": "A", "claimReviewed": "B"}}]"#,
        review("First")
    );
    strict_refuses(desk, cr, &dup_top, "$[1]", 1);
    let dup_deep = format!(
        r#"[{}, {}]"#,
        review("First"),
        review("Second").replace(
            r#""alternateName": "False""#,
            r#""alternateName": "False", "alternateName": "True""#
        )
    );
    strict_refuses(desk, cr, &dup_deep, "$[1]", 1);
    let d = fresh();
    let store = d.open();
    let report = claimreview::import(&store, dup_deep.as_bytes(), ImportOptions::default()).unwrap();
    let skipped: Vec<_> = report.issues_of(IssueKind::Skipped).collect();
    assert_eq!(
        skipped[0].location, "$[1].reviewRating.alternateName",
        "{skipped:#?}"
    );
    assert!(skipped[0].message.contains("given twice"), "{skipped:#?}");
    // Fact Check Tools, inside a review of a claim.
    let page = format!(
        r#"{{"claims": [{}, {}]}}"#,
        claim("One"),
        claim("Two").replace(
            r#""textualRating": "False""#,
            r#""textualRating": "True", "textualRating": "False""#
        )
    );
    strict_refuses(desk, fc, &page, "$.claims[1]", 1);
    // A page that gives `claims` twice: both lists are read (none is dropped as a parsed JSON object
    // would drop the first), and the repeat is listed, or refused when strict.
    let page = format!(
        r#"{{"claims": [{}], "claims": [{}]}}"#,
        claim("One"),
        claim("Two")
    );
    let d = fresh();
    let store = d.open();
    let report = factcheck::import(&store, page.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(store.claims().unwrap().len(), 2);
    // Nothing was skipped: the repeat is a note, not a skip.
    assert!(
        report
            .issues_of(IssueKind::Note)
            .any(|i| i.location == "$.claims" && i.message.contains("given twice")),
        "{report:#?}"
    );
    assert_eq!(report.issues_of(IssueKind::Skipped).count(), 0, "{report:#?}");
    let d = fresh();
    let store = d.open();
    assert!(factcheck::import(&store, page.as_bytes(), ImportOptions::default().strict()).is_err());
    assert!(store.claims().unwrap().is_empty());
    // The same for a @graph given twice.
    let doc = format!(
        r#"{{"@graph": [{}], "@graph": [{}]}}"#,
        review("One"),
        review("Two!")
    );
    let d = fresh();
    let store = d.open();
    let report = claimreview::import(&store, doc.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(store.claims().unwrap().len(), 2);
    assert!(
        report
            .issues_of(IssueKind::Note)
            .any(|i| i.location == "$.@graph" && i.message.contains("given twice")),
        "{report:#?}"
    );
    assert_eq!(report.issues_of(IssueKind::Skipped).count(), 0, "{report:#?}");
    let d = fresh();
    let store = d.open();
    assert!(claimreview::import(&store, doc.as_bytes(), ImportOptions::default().strict()).is_err());
    assert!(store.claims().unwrap().is_empty());
}

per_backend!(a_record_beyond_the_cap_is_refused_naming_it_and_nothing_is_written);
fn a_record_beyond_the_cap_is_refused_naming_it_and_nothing_is_written(store: &Store) {
    // One desk for every case: each is refused whole, so the desk stays as prepared throughout.
    prepare(store);
    let before = snapshot(store);
    let big = "x".repeat(MAX_RECORD_BYTES as usize + 1);
    let huge_string = format!(
        r#"[{}, {{"@type": "ClaimReview", "claimReviewed": "{big}"}}, {}]"#,
        review("First"),
        review("Third")
    );
    // Many small values: little text, but far more memory once read than the text's size.
    let many_values = format!(
        r#"{{"claims": [{}, {{"text": "t", "x": [{}0]}}]}}"#,
        claim("One"),
        "0,".repeat(MAX_RECORD_BYTES as usize / 40)
    );
    // Many tiny objects: 800 KB of text, but each object's map is allocated whole (some 600 bytes), so
    // held in memory this would take about 70 MB.
    let many_objects = format!(
        r#"[{}, {{"@type": "ClaimReview", "claimReviewed": "x", "x": [{}{{}}]}}]"#,
        review("First"),
        r#"{"a":1},"#.repeat(100_000)
    );
    for (import, input, record) in [
        (cr as Import, huge_string.as_str(), "$[1]"),
        (fc as Import, many_values.as_str(), "$.claims[1]"),
        (cr as Import, many_objects.as_str(), "$[1]"),
    ] {
        for strictness in [Strictness::Lenient, Strictness::Strict] {
            let err = import(store, input.as_bytes(), strictness).unwrap_err();
            match &err {
                Error::Parse { field, reason, .. } => {
                    assert_eq!(field, record, "{err}");
                    assert!(reason.contains("16 MiB"), "{err}");
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(snapshot(store), before);
        }
    }
}

per_backend!(forward_id_references_are_followed);
fn forward_id_references_are_followed(store: &Store) {
    // The organisation a review refers to comes after it, as page markup often has it.
    let doc = r##"{"@context": "https://schema.org", "@graph": [
        {"@type": "ClaimReview", "claimReviewed": "Water is dry", "author": {"@id": "#desk"},
         "reviewRating": {"alternateName": "False"}},
        {"@type": "Organization", "@id": "#desk", "name": "Desk Checks"}
    ]}"##;
    claimreview::import(store, doc.as_bytes(), ImportOptions::default()).unwrap();
    let claim = &store.claims().unwrap()[0];
    let review = &store.reviews_of(claim.id).unwrap()[0];
    assert_eq!(
        store.source(review.reviewer.unwrap()).unwrap().name,
        "Desk Checks"
    );
}

per_backend!(hostile_documents_are_typed_errors_that_write_nothing);
fn hostile_documents_are_typed_errors_that_write_nothing(store: &Store) {
    // One desk for every case: each is refused whole, so the desk stays as prepared throughout.
    prepare(store);
    let before = snapshot(store);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_in_record = format!(
        r#"[{{"@type": "ClaimReview", "text": "x", "a": {}1{}}}]"#,
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    type Record = fn(&str) -> String;
    for (import, rec) in [(cr as Import, review as Record), (fc as Import, claim as Record)] {
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            (
                "truncated list",
                format!("[{}, {}", rec("One"), rec("Two")).into_bytes(),
                "truncated",
            ),
            (
                "truncated record",
                format!("[{}, {{\"text\": \"Claim", rec("One")).into_bytes(),
                "truncated",
            ),
            ("deep nesting", deep.clone().into_bytes(), "recursion limit"),
            (
                "deep nesting inside a record",
                deep_in_record.clone().into_bytes(),
                "recursion limit",
            ),
            (
                "a raw NUL in a string",
                b"[{\"text\": \"a\0b\"}]".to_vec(),
                "control character",
            ),
            ("a NUL between values", b"[{}\0]".to_vec(), "expected"),
            ("not UTF-8", b"[{\"text\": \"\xff\xfe\"}]".to_vec(), "unicode"),
            (
                "data after the document",
                format!("{} {}", rec("One"), rec("Two")).into_bytes(),
                "after",
            ),
            (
                "a number out of range",
                b"[1e999]".to_vec(),
                "number out of range",
            ),
        ];
        for (what, input, says) in cases {
            let err = import(store, &input, Strictness::Lenient).unwrap_err();
            assert!(matches!(err, Error::Parse { .. }), "{what}: {err:?}");
            assert!(err.to_string().to_lowercase().contains(says), "{what}: {err}");
            assert!(err.to_string().contains("line "), "{what}: {err}");
            assert_eq!(snapshot(store), before, "{what}");
        }
    }
}

per_backend!(a_byte_order_mark_and_an_escaped_nul_are_read);
fn a_byte_order_mark_and_an_escaped_nul_are_read(store: &Store) {
    let mut input = b"\xEF\xBB\xBF".to_vec();
    input.extend_from_slice(review("With a BOM").as_bytes());
    claimreview::import(store, input.as_slice(), ImportOptions::default()).unwrap();
    assert_eq!(store.claims().unwrap()[0].text, "With a BOM");
    // An escaped NUL is a character like any other: stored or refused by the model, never a panic.
    let report = factcheck::import(
        store,
        claim(r"Nul \u0000 inside").as_bytes(),
        ImportOptions::default(),
    )
    .unwrap();
    let texts: Vec<String> = store.claims().unwrap().into_iter().map(|c| c.text).collect();
    assert!(
        texts.iter().any(|t| t.contains('\0')) || report.issues_of(IssueKind::Skipped).count() == 1,
        "{texts:?} {report:#?}"
    );
}

per_backend!(the_report_of_a_huge_file_lists_the_first_issues_and_counts_the_rest);
fn the_report_of_a_huge_file_lists_the_first_issues_and_counts_the_rest(store: &Store) {
    let extra = 2_500;
    let mut doc = format!("[{}", review("The only review"));
    for i in 0..MAX_LISTED_ISSUES + extra {
        doc.push_str(&format!(r#",{{"@type": "WebPage", "name": "p{i}"}}"#));
    }
    doc.push(']');
    let report = claimreview::import(store, doc.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(store.claims().unwrap().len(), 1);
    // The review's own notes and the first web pages are listed one by one, the rest counted by place.
    assert_eq!(
        report.issues.len(),
        MAX_LISTED_ISSUES + 1,
        "{:#?}",
        &report.issues[MAX_LISTED_ISSUES..]
    );
    let last = report.issues.last().unwrap();
    assert_eq!(last.location, "$[*]");
    assert_eq!(last.kind, IssueKind::Ignored);
    let listed_pages = report
        .issues
        .iter()
        .filter(|i| i.message.contains("WebPage"))
        .count();
    let counted: usize = last.message.split(' ').next().unwrap().parse().unwrap();
    assert_eq!(listed_pages + counted, MAX_LISTED_ISSUES + extra, "{last:?}");
}

per_backend!(huge_keys_and_values_are_cut_short_in_the_report);
fn huge_keys_and_values_are_cut_short_in_the_report(store: &Store) {
    // Keys claimtrack has no place for are reported; a megabyte-long one must not be kept whole, or
    // 10,000 of them would fill memory with the report alone.
    let key = "k".repeat(1 << 20);
    let doc = format!(
        r#"[{}, {{"@type": "WebPage", "{key}": 1}}, {{"@type": "ClaimReview", "claimReviewed": "Keyed", "{key}": 2,
            "reviewRating": {{"alternateName": "False"}}}}]"#,
        review("First")
    );
    let report = claimreview::import(store, doc.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(store.claims().unwrap().len(), 2);
    let ignored: Vec<_> = report.issues_of(IssueKind::Ignored).collect();
    assert!(
        ignored.iter().any(|i| i.location.starts_with("$[2].kkk")),
        "{ignored:?}"
    );
    for i in &report.issues {
        assert!(
            i.location.len() <= 1_024 && i.message.len() <= 1_024,
            "{} bytes",
            i.location.len()
        );
    }
    // The same in a strict refusal.
    let doc = format!(r#"{{"claims": [{{"text": "t", "{key}": 1, "{key}": 2}}]}}"#);
    let err = factcheck::import(store, doc.as_bytes(), ImportOptions::default().strict()).unwrap_err();
    assert!(err.to_string().len() < 4_096, "{} bytes", err.to_string().len());
}
