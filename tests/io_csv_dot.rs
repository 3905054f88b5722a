//! CSV and Graphviz DOT exports.

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
use claimtrack::io::{csv, dot};
use claimtrack::{
    NewAttribution, NewClaim, NewEvidence, NewReview, NewSource, SourceKind, Stance, Store, Verdict,
};

#[path = "../examples/support/mumin.rs"]
mod mumin;

/// The CSV read back with the examples' RFC 4180 reader (`mumin::records`), to check the writer from the
/// outside; every record the writer ends, the last one included.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "the last record is not ended"
    );
    mumin::records(text).expect("well-formed CSV")
}

per_backend!(csv_has_one_row_per_claim_with_latest_verdict_and_evidence_counts);
fn csv_has_one_row_per_claim_with_latest_verdict_and_evidence_counts(store: &Store) {
    let kim = store
        .add_source(NewSource::new("Kim, \"the leader\"", SourceKind::Person))
        .unwrap();
    let other = store
        .add_source(NewSource::new("Other", SourceKind::Outlet))
        .unwrap();
    let tricky = "He said \"more than 10,000\"\nthen left, quietly";
    let c1 = store
        .add_claim(NewClaim::factual(tricky).tag("troops").tag("north-korea"))
        .unwrap();
    let c2 = store.add_claim(NewClaim::opinion("=1+1")).unwrap();
    store
        .attribute(c1, claimtrack::NewAttribution::said_by(kim))
        .unwrap();
    store
        .add_evidence(c1, NewEvidence::new(kim, Stance::Supports))
        .unwrap();
    store
        .add_evidence(c1, NewEvidence::new(other, Stance::Refutes))
        .unwrap();
    store
        .add_evidence(c1, NewEvidence::new(other, Stance::Refutes))
        .unwrap();
    store.add_review(c1, NewReview::new(Verdict::False)).unwrap();
    store
        .add_review(c1, NewReview::new(Verdict::MostlyFalse).label("barely-true"))
        .unwrap();

    let mut out = Vec::new();
    csv::export(store, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.ends_with("\r\n"));
    let rows = parse_csv(&text);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0], csv::COLUMNS);
    let col = |name: &str| csv::COLUMNS.iter().position(|c| *c == name).unwrap();
    let r = &rows[1];
    assert_eq!(r.len(), csv::COLUMNS.len());
    assert_eq!(r[col("claim_id")], c1.to_string());
    assert_eq!(r[col("text")], tricky);
    assert_eq!(r[col("tags")], "troops; north-korea");
    assert_eq!(r[col("speakers")], "Kim, \"the leader\"");
    assert_eq!(r[col("verdict")], "mostly_false");
    assert_eq!(r[col("label")], "barely-true");
    assert_eq!(r[col("reviews")], "2");
    assert_eq!(
        [
            col("evidence"),
            col("supports"),
            col("refutes"),
            col("mixed"),
            col("neutral")
        ]
        .map(|i| r[i].as_str()),
        ["3", "1", "2", "0", "0"]
    );
    let r = &rows[2];
    // A claim a spreadsheet would run as a formula is written as text (CSV injection).
    assert_eq!(
        (r[col("claim_id")].as_str(), r[col("text")].as_str()),
        (c2.to_string().as_str(), "'=1+1")
    );
    assert_eq!(
        (r[col("verdict")].as_str(), r[col("reviews")].as_str()),
        ("", "0")
    );

    // The verbatim export differs in that cell only.
    let mut raw = Vec::new();
    csv::export_verbatim(store, &mut raw).unwrap();
    let raw_rows = parse_csv(&String::from_utf8(raw).unwrap());
    assert_eq!(raw_rows[2][col("text")], "=1+1");
    assert_eq!(raw_rows[1], rows[1]);
    assert_eq!(raw_rows[2][..col("text")], rows[2][..col("text")]);
    assert_eq!(raw_rows[2][col("text") + 1..], rows[2][col("text") + 1..]);
}

per_backend!(csv_cells_a_spreadsheet_would_run_are_written_as_text);
fn csv_cells_a_spreadsheet_would_run_are_written_as_text(store: &Store) {
    let who = store
        .add_source(NewSource::new("@handle", SourceKind::Person))
        .unwrap();
    let c = store
        .add_claim(NewClaim::factual("+7 million").tag("-x").tag("ok"))
        .unwrap();
    store.attribute(c, NewAttribution::said_by(who)).unwrap();
    store
        .add_review(c, NewReview::new(Verdict::False).label("=cmd|' /C calc'!A0"))
        .unwrap();
    let mut out = Vec::new();
    csv::export(store, &mut out).unwrap();
    let rows = parse_csv(&String::from_utf8(out).unwrap());
    let col = |name: &str| csv::COLUMNS.iter().position(|c| *c == name).unwrap();
    let r = &rows[1];
    assert_eq!(r[col("text")], "'+7 million");
    assert_eq!(r[col("tags")], "'-x; ok");
    assert_eq!(r[col("speakers")], "'@handle");
    assert_eq!(r[col("label")], "'=cmd|' /C calc'!A0");
    // No cell of the row starts with a formula character any more.
    assert!(
        r.iter().all(|cell| !cell.starts_with(['=', '+', '-', '@'])),
        "{r:?}"
    );
}

per_backend!(dot_of_the_seed_troops_claim_shows_chain_sources_and_stances);
fn dot_of_the_seed_troops_claim_shows_chain_sources_and_stances(store: &Store) {
    claimtrack::seeds::load_wonsan(store).unwrap();
    let troops = store
        .claims()
        .unwrap()
        .into_iter()
        .find(|c| c.text == "North Korean troops are deployed to Russia")
        .unwrap();
    // A contradicting source, to see the colours differ.
    let denial = store
        .add_source(NewSource::new("A \"sceptical\" \\ outlet", SourceKind::Outlet))
        .unwrap();
    store
        .add_evidence(troops.id, NewEvidence::new(denial, Stance::Refutes))
        .unwrap();
    let mut out = Vec::new();
    dot::export_claim(store, troops.id, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();

    for name in [
        "Sergei Lavrov",
        "Russian media",
        "Government of Russia",
        "A \\\"sceptical\\\" \\\\ outlet",
    ] {
        assert!(text.contains(name), "{name} missing:\n{text}");
    }
    let c = format!("\"c_{}\"", troops.id);
    let supports = text
        .lines()
        .filter(|l| l.contains(&format!("-> {c}")) && l.contains("label=\"supports\""))
        .count();
    assert_eq!(supports, 2, "{text}");
    let refutes: Vec<&str> = text.lines().filter(|l| l.contains("label=\"refutes\"")).collect();
    assert_eq!(refutes.len(), 1);
    assert!(refutes[0].contains(dot::stance_colour(Stance::Refutes)));
    assert_ne!(
        dot::stance_colour(Stance::Refutes),
        dot::stance_colour(Stance::Supports)
    );
    assert!(
        text.contains("label=\"summary\""),
        "the relay's mode labels the hop to it"
    );
    assert!(text.contains("label=\"controlled by\""));

    // Graphviz itself accepts it, when installed.
    if let Ok(mut child) = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "dot refused it: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
    }
}

per_backend!(dot_of_an_unknown_claim_is_not_found);
fn dot_of_an_unknown_claim_is_not_found(store: &Store) {
    let err = dot::export_claim(store, claimtrack::ClaimId::new(), Vec::new()).unwrap_err();
    assert!(
        matches!(err, claimtrack::Error::NotFound { kind: "claim", .. }),
        "{err}"
    );
}

per_backend!(exports_for_readers_leave_out_what_no_longer_counts);
fn exports_for_readers_leave_out_what_no_longer_counts(store: &Store) {
    let s = store
        .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
        .unwrap();
    let c = store.add_claim(NewClaim::factual("Troops crossed")).unwrap();
    let e = store
        .add_evidence(c, NewEvidence::new(s, Stance::Supports))
        .unwrap();
    store
        .revise_evidence(e, NewEvidence::new(s, Stance::Refutes), "misread")
        .unwrap();
    let first = store.add_review(c, NewReview::new(Verdict::True)).unwrap();
    store
        .correct_review(
            first,
            NewReview::new(Verdict::False).url("https://example.org/c"),
            "new video",
        )
        .unwrap();
    let wrong = store.add_review(c, NewReview::new(Verdict::Mixed)).unwrap();
    store.retract_review(wrong, "wrong claim").unwrap();

    let mut out = Vec::new();
    csv::export(store, &mut out).unwrap();
    let rows = parse_csv(&String::from_utf8(out).unwrap());
    let col = |name: &str| csv::COLUMNS.iter().position(|c| *c == name).unwrap();
    let r = &rows[1];
    // The corrected verdict, one review and one evidence record that count, refuting.
    assert_eq!(
        [
            col("verdict"),
            col("reviews"),
            col("evidence"),
            col("supports"),
            col("refutes")
        ]
        .map(|i| r[i].as_str()),
        ["false", "1", "1", "0", "1"]
    );

    // ClaimReview markup publishes only the correction.
    let mut markup = Vec::new();
    claimtrack::io::claimreview::export_claim(store, c, &mut markup).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&markup).unwrap();
    assert_eq!(v["@type"], "ClaimReview", "{v}");
    assert_eq!(v["url"], "https://example.org/c");

    // The graph keeps the history, marked: the revised record dotted grey, the withdrawn reviews named.
    let mut dot_out = Vec::new();
    dot::export_claim(store, c, &mut dot_out).unwrap();
    let g = String::from_utf8(dot_out).unwrap();
    assert!(g.contains("label=\"supports (superseded)\", style=dotted"), "{g}");
    assert!(g.contains("label=\"refutes\", color="), "{g}");
    assert!(g.contains("review: true [superseded]"), "{g}");
    assert!(g.contains("review: mixed [retracted]"), "{g}");
    assert!(g.contains("review: false\""), "{g}");
}
