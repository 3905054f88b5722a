//! The rules of the write path, tried against every caller: the API, a bundle, JSON Lines, ClaimReview
//! markup and Fact Check Tools results. Evidence and reviews are never overwritten (an import that holds a
//! stored one with other content is refused with `Error::Conflict` naming it, and the database is left
//! exactly as it was); no record moves to another claim; standings stay consistent (no successor of
//! another claim or source, no cycle, a standing once set is kept), and `check` reports a breach written
//! by hand.

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
use claimtrack::ClaimLink;
use claimtrack::io::ImportOptions;
use claimtrack::io::{bundle, claimreview, factcheck, jsonl};
use claimtrack::{
    Bundle, Error, NewAttribution, NewClaim, NewEvidence, NewReview, NewSource, SourceKind, Stance, Standing,
    StandingEntry, Status, Store, Verdict,
};

/// A store with one source, two claims, an attribution, an evidence record and a review, and the
/// bundle that wrote it.
/// A small desk imported into a fresh store; returns the bundle it came from.
fn seeded(store: &Store) -> Bundle {
    let src = NewSource::new("Agency", SourceKind::NewsAgency)
        .into_source()
        .unwrap();
    let other = NewSource::new("Ministry", SourceKind::GovernmentBody)
        .into_source()
        .unwrap();
    let c1 = NewClaim::factual("Troops were deployed").into_claim().unwrap();
    let c2 = NewClaim::factual("Shells were shipped").into_claim().unwrap();
    let a = NewAttribution::said_by(src.id).into_attribution(c1.id).unwrap();
    let e = NewEvidence::new(src.id, Stance::Supports)
        .excerpt("troops seen")
        .into_evidence(c1.id)
        .unwrap();
    let r = NewReview::new(Verdict::MostlyTrue)
        .label("Mostly true")
        .into_review(c1.id)
        .unwrap();
    let b = Bundle {
        sources: vec![src, other],
        claims: vec![c1, c2],
        attributions: vec![a],
        evidence: vec![e],
        reviews: vec![r],
        ..Bundle::default()
    };
    bundle::import(store, &b, ImportOptions::default()).unwrap();
    b
}

/// Everything a store holds, history included, to show a refused import changed nothing.
fn state(store: &Store) -> (Bundle, usize) {
    let changes = store.history_by_actor(&store.actor().unwrap()).unwrap().len();
    (bundle::export(store).unwrap(), changes)
}

fn bundle_json(b: &Bundle) -> Vec<u8> {
    let mut out = Vec::new();
    bundle::write_bundle(b, &mut out).unwrap();
    out
}

fn jsonl_text(b: &Bundle) -> Vec<u8> {
    let mut out = Vec::new();
    jsonl::write_bundle(b, &mut out).unwrap();
    out
}

#[track_caller]
fn assert_conflict(r: claimtrack::Result<impl std::fmt::Debug>, kind: &str, id: impl ToString) {
    match r {
        Err(Error::Conflict {
            kind: k,
            id: i,
            reason,
        }) => {
            assert_eq!((k, i), (kind, id.to_string()), "{reason}");
            assert!(!reason.is_empty());
        }
        other => panic!("expected Error::Conflict for {kind}, got {other:?}"),
    }
}

/// Each way in of a whole bundle: the Store method, a bundle file, a JSON Lines file.
fn each_bundle_import(
    store: &Store,
    b: &Bundle,
) -> Vec<(&'static str, claimtrack::Result<claimtrack::io::ImportReport>)> {
    vec![
        (
            "io::bundle::import",
            bundle::import(store, b, ImportOptions::default()),
        ),
        (
            "bundle file",
            bundle::read_bundle(&bundle_json(b)[..])
                .and_then(|v| bundle::import(store, &v, ImportOptions::default())),
        ),
        (
            "JSON Lines",
            jsonl::import(store, &jsonl_text(b)[..], ImportOptions::default()),
        ),
    ]
}

per_backend!(a_changed_evidence_record_is_refused_by_every_bundle_format);
fn a_changed_evidence_record_is_refused_by_every_bundle_format(store: &Store) {
    let mut b = seeded(store);
    let before = state(store);
    let id = b.evidence[0].id;
    b.evidence[0].stance = Stance::Refutes;
    for (how, r) in each_bundle_import(store, &b) {
        eprintln!("{how}");
        assert_conflict(r, "evidence", id);
        assert_eq!(state(store), before, "{how}: the store changed");
    }
    // Only the wording changed: still refused (corrections go through Store::update_evidence).
    b.evidence[0].stance = Stance::Supports;
    b.evidence[0].excerpt = Some("troops seen at the border".into());
    for (how, r) in each_bundle_import(store, &b) {
        eprintln!("{how}");
        assert_conflict(r, "evidence", id);
        assert_eq!(state(store), before, "{how}: the store changed");
    }
    assert_eq!(store.evidence(id).unwrap().stance, Stance::Supports);
}

per_backend!(a_changed_review_is_refused_by_every_bundle_format);
fn a_changed_review_is_refused_by_every_bundle_format(store: &Store) {
    let mut b = seeded(store);
    let before = state(store);
    let id = b.reviews[0].id;
    b.reviews[0].verdict = Some(Verdict::False);
    b.reviews[0].label = Some("False".into());
    for (how, r) in each_bundle_import(store, &b) {
        eprintln!("{how}");
        assert_conflict(r, "review", id);
        assert_eq!(state(store), before, "{how}: the store changed");
    }
    assert_eq!(store.review(id).unwrap().verdict, Some(Verdict::MostlyTrue));
    // The same bundle unchanged still imports as unchanged.
    let (_, b) = (0, {
        let mut b = b;
        b.reviews[0] = store.review(id).unwrap();
        b
    });
    let s = bundle::import(store, &b, ImportOptions::default()).unwrap();
    assert_eq!((s.inserted, s.updated), (0, 0));
}

per_backend!(no_import_moves_a_record_to_another_claim);
fn no_import_moves_a_record_to_another_claim(store: &Store) {
    let b = seeded(store);
    let before = state(store);
    let to = b.claims[1].id;
    let mut moved = b.clone();
    moved.attributions[0].claim = to;
    for (how, r) in each_bundle_import(store, &moved) {
        eprintln!("{how}");
        assert_conflict(r, "attribution", b.attributions[0].id);
        assert_eq!(state(store), before, "{how}: the store changed");
    }
    let mut moved = b.clone();
    moved.evidence[0].claim = to;
    for (how, r) in each_bundle_import(store, &moved) {
        eprintln!("{how}");
        assert_conflict(r, "evidence", b.evidence[0].id);
    }
    assert_eq!(state(store), before);
}

per_backend!(the_api_refuses_to_move_a_record_to_another_claim);
fn the_api_refuses_to_move_a_record_to_another_claim(store: &Store) {
    let b = seeded(store);
    let mut a = b.attributions[0].clone();
    a.claim = b.claims[1].id;
    assert_conflict(store.update_attribution(&a), "attribution", a.id);
    let link = store
        .add_link(
            &ClaimLink::new(b.claims[0].id, claimtrack::LinkKind::Corroborates, b.claims[1].id).unwrap(),
        )
        .unwrap();
    let third = store.add_claim(NewClaim::factual("A third claim")).unwrap();
    let mut l = store.link(link).unwrap();
    l.to = third;
    assert_conflict(store.update_link(&l), "claim link", link);
    // Changing what the link says, between the same claims, is a correction.
    let mut l = store.link(link).unwrap();
    l.note = Some("same troops".into());
    store.update_link(&l).unwrap();
    // Evidence and reviews: a new stance or verdict is a new version, never an edit.
    let mut e = b.evidence[0].clone();
    e.stance = Stance::Refutes;
    assert!(matches!(store.update_evidence(&e), Err(Error::Invalid { .. })));
    let mut r = b.reviews[0].clone();
    r.verdict = Some(Verdict::False);
    assert!(matches!(store.update_review(&r), Err(Error::Invalid { .. })));
    assert_eq!(store.evidence(e.id).unwrap().stance, Stance::Supports);
    assert_eq!(store.review(r.id).unwrap().verdict, Some(Verdict::MostlyTrue));
}

/// A standing entry as a bundle states it.
fn superseded<I: Copy>(id: I, by: I) -> StandingEntry<I> {
    StandingEntry {
        id,
        standing: Standing {
            status: Status::Superseded,
            replaced_by: Some(by),
            reason: Some("a newer version".into()),
            at: Some(time::OffsetDateTime::UNIX_EPOCH),
        },
    }
}

per_backend!(cyclic_and_cross_claim_standings_are_refused_on_import);
fn cyclic_and_cross_claim_standings_are_refused_on_import(store: &Store) {
    let b = seeded(store);
    let src = b.sources[0].id;
    let other_src = b.sources[1].id;
    let (c1, c2) = (b.claims[0].id, b.claims[1].id);
    let e = |claim, source| {
        NewEvidence::new(source, Stance::Refutes)
            .into_evidence(claim)
            .unwrap()
    };
    let (e2, e3) = (e(c1, src), e(c1, src));
    let foreign_claim = e(c2, src);
    let foreign_source = e(c1, other_src);
    let r2 = NewReview::new(Verdict::False).into_review(c1).unwrap();
    let r3 = NewReview::new(Verdict::True).into_review(c1).unwrap();
    let foreign_review = NewReview::new(Verdict::True).into_review(c2).unwrap();
    let base = Bundle {
        evidence: vec![
            e2.clone(),
            e3.clone(),
            foreign_claim.clone(),
            foreign_source.clone(),
        ],
        reviews: vec![r2.clone(), r3.clone(), foreign_review.clone()],
        ..Bundle::default()
    };
    let before = state(store);
    let cases: Vec<(&str, Bundle)> = vec![
        (
            "evidence cycle",
            Bundle {
                evidence_standings: vec![superseded(e2.id, e3.id), superseded(e3.id, e2.id)],
                ..base.clone()
            },
        ),
        (
            "longer evidence cycle",
            Bundle {
                evidence_standings: vec![
                    superseded(b.evidence[0].id, e2.id),
                    superseded(e2.id, e3.id),
                    superseded(e3.id, b.evidence[0].id),
                ],
                ..base.clone()
            },
        ),
        (
            "evidence of another claim",
            Bundle {
                evidence_standings: vec![superseded(e2.id, foreign_claim.id)],
                ..base.clone()
            },
        ),
        (
            "evidence of another source",
            Bundle {
                evidence_standings: vec![superseded(e2.id, foreign_source.id)],
                ..base.clone()
            },
        ),
        (
            "review cycle",
            Bundle {
                review_standings: vec![superseded(r2.id, r3.id), superseded(r3.id, r2.id)],
                ..base.clone()
            },
        ),
        (
            "review of another claim",
            Bundle {
                review_standings: vec![superseded(r2.id, foreign_review.id)],
                ..base.clone()
            },
        ),
    ];
    for (what, bad) in cases {
        for (how, r) in each_bundle_import(store, &bad) {
            let err = r.expect_err(&format!("{what} via {how} was accepted"));
            assert!(
                matches!(
                    &err,
                    Error::Invalid {
                        field: "replaced_by",
                        ..
                    }
                ) || matches!(&err, Error::Parse { field, .. } if field == "replaced_by"),
                "{what} via {how}: {err:?}"
            );
            assert_eq!(state(store), before, "{what} via {how}: the store changed");
        }
    }
    // The same records with a consistent standing import, and importing again changes nothing.
    let good = Bundle {
        evidence_standings: vec![superseded(e2.id, e3.id)],
        review_standings: vec![superseded(r2.id, r3.id)],
        ..base
    };
    bundle::import(store, &good, ImportOptions::default()).unwrap();
    let s = jsonl::import(store, &jsonl_text(&good)[..], ImportOptions::default()).unwrap();
    assert_eq!((s.inserted, s.updated), (0, 0));
    assert!(store.check().unwrap().is_ok());
}

per_backend!(a_standing_once_set_is_never_changed_by_an_import);
fn a_standing_once_set_is_never_changed_by_an_import(store: &Store) {
    let b = seeded(store);
    let old = b.evidence[0].id;
    store.retract_evidence(old, "source withdrew it").unwrap();
    let next = store
        .add_evidence(b.claims[0].id, NewEvidence::new(b.sources[0].id, Stance::Mixed))
        .unwrap();
    let before = state(store);
    // A retracted record never counts again: an import cannot turn it into a superseded one.
    let bad = Bundle {
        evidence_standings: vec![superseded(old, next)],
        ..Bundle::default()
    };
    for (how, r) in each_bundle_import(store, &bad) {
        assert_conflict(r, "evidence", old);
        assert_eq!(state(store), before, "{how}: the store changed");
    }
    assert_eq!(store.evidence_standing(old).unwrap().status, Status::Retracted);
}

#[test]
fn check_reports_standings_written_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let store = Store::open(&path).unwrap();
    let src = store
        .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
        .unwrap();
    let c1 = store
        .add_claim(NewClaim::factual("Troops were deployed"))
        .unwrap();
    let c2 = store.add_claim(NewClaim::factual("Shells were shipped")).unwrap();
    let e1 = store
        .add_evidence(c1, NewEvidence::new(src, Stance::Supports))
        .unwrap();
    let e2 = store
        .add_evidence(c1, NewEvidence::new(src, Stance::Refutes))
        .unwrap();
    let e3 = store
        .add_evidence(c2, NewEvidence::new(src, Stance::Refutes))
        .unwrap();
    let r1 = store.add_review(c1, NewReview::new(Verdict::True)).unwrap();
    let r2 = store.add_review(c2, NewReview::new(Verdict::False)).unwrap();
    assert!(store.check().unwrap().is_ok());
    drop(store);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let set = "SET status = 'superseded', status_reason = 'by hand', status_at = 0, \
               replaced_by = (SELECT id FROM {t} WHERE uuid = ?2) WHERE uuid = ?1";
    let ev = set.replace("{t}", "evidence");
    let rv = set.replace("{t}", "reviews");
    // e1 and e2 supersede each other; e3 (of claim 2) is superseded by e1 (of claim 1).
    raw.execute(&format!("UPDATE evidence {ev}"), rusqlite::params![e1, e2])
        .unwrap();
    raw.execute(&format!("UPDATE evidence {ev}"), rusqlite::params![e2, e1])
        .unwrap();
    raw.execute(&format!("UPDATE evidence {ev}"), rusqlite::params![e3, e1])
        .unwrap();
    // r2 (of claim 2) is superseded by r1 (of claim 1).
    raw.execute(&format!("UPDATE reviews {rv}"), rusqlite::params![r2, r1])
        .unwrap();
    drop(raw);

    let store = Store::open(&path).unwrap();
    let report = store.check().unwrap();
    assert!(report.checks.iter().any(|c| c == "standings"));
    let standings: Vec<&str> = report
        .problems
        .iter()
        .filter(|p| p.check == "standings")
        .map(|p| p.message.as_str())
        .collect();
    let mentions = |id: &dyn ToString, what: &str| {
        standings
            .iter()
            .any(|m| m.contains(&id.to_string()) && m.contains(what))
    };
    assert!(mentions(&e1, "cycle") && mentions(&e2, "cycle"), "{standings:#?}");
    assert!(mentions(&e3, "another claim"), "{standings:#?}");
    assert!(mentions(&r2, "another claim"), "{standings:#?}");
    assert_eq!(standings.len(), 4, "{standings:#?}");
}

/// A standing edited by hand to name a successor of the same claim but another source, and a retracted
/// record turned back to current by hand without clearing its reason: `check` names the first; the
/// schema refuses the second outright (the status rule is a CHECK), so a retracted record never counts.
#[test]
fn check_reports_a_cross_source_standing_and_the_schema_refuses_an_incoherent_status() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let store = Store::open(&path).unwrap();
    let a = store
        .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
        .unwrap();
    let b = store
        .add_source(NewSource::new("Ministry", SourceKind::GovernmentBody))
        .unwrap();
    let claim = store
        .add_claim(NewClaim::factual("Troops were deployed"))
        .unwrap();
    let by_a = store
        .add_evidence(claim, NewEvidence::new(a, Stance::Supports))
        .unwrap();
    let by_b = store
        .add_evidence(claim, NewEvidence::new(b, Stance::Refutes))
        .unwrap();
    let gone = store
        .add_evidence(claim, NewEvidence::new(a, Stance::Mixed))
        .unwrap();
    store.retract_evidence(gone, "duplicate entry").unwrap();
    assert!(store.check().unwrap().is_ok());
    drop(store);

    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "UPDATE evidence SET status = 'superseded', status_reason = 'by hand', status_at = 0, \
         replaced_by = (SELECT id FROM evidence WHERE uuid = ?2) WHERE uuid = ?1",
        rusqlite::params![by_a, by_b],
    )
    .unwrap();
    let revived = raw.execute(
        "UPDATE evidence SET status = 'current' WHERE uuid = ?1",
        rusqlite::params![gone],
    );
    assert!(
        revived.is_err(),
        "a retracted record made current with its reason kept"
    );
    drop(raw);

    let store = Store::open(&path).unwrap();
    let report = store.check().unwrap();
    let standings: Vec<&str> = report
        .problems
        .iter()
        .filter(|p| p.check == "standings")
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(standings.len(), 1, "{standings:#?}");
    assert!(
        standings[0].contains(&by_a.to_string()) && standings[0].contains("another source"),
        "{standings:#?}"
    );
    assert!(!store.evidence_standing(gone).unwrap().is_current());
}

// ---- importers that recognise a review by its URL ----
//
// These read markup found in the wild: a part they cannot take is skipped and listed in the report while
// the rest imports (their documented contract). A changed review is such a part: not written, listed with
// the conflict naming the stored review.

#[track_caller]
fn assert_refused_and_listed(report: &claimtrack::io::ImportReport, stored: claimtrack::ReviewId) {
    assert_eq!(report.inserted + report.updated, 0, "{report:?}");
    let skipped: Vec<_> = report.issues_of(claimtrack::io::IssueKind::Skipped).collect();
    assert_eq!(skipped.len(), 1, "{report:?}");
    assert!(
        skipped[0]
            .message
            .contains(&format!("review {stored} is stored with other content"))
            && skipped[0].message.contains("never overwritten"),
        "{}",
        skipped[0].message
    );
}

const CLAIMREVIEW: &str = r#"{
  "@context": "https://schema.org", "@type": "ClaimReview",
  "url": "https://checks.example/moon",
  "claimReviewed": "The moon is made of cheese",
  "author": {"@type": "Organization", "name": "Example Checks"},
  "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A. Nonymous"}},
  "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1,
                   "alternateName": "False"}
}"#;

per_backend!(claimreview_refuses_a_changed_review_and_keeps_an_unchanged_one);
fn claimreview_refuses_a_changed_review_and_keeps_an_unchanged_one(store: &Store) {
    claimreview::import(store, CLAIMREVIEW.as_bytes(), ImportOptions::default()).unwrap();
    let claim = store.claims().unwrap()[0].id;
    let review = store.reviews_of(claim).unwrap()[0].clone();
    let before = state(store);
    // Imported again unchanged: nothing written.
    let again = claimreview::import(store, CLAIMREVIEW.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(again.inserted, 0);
    assert_eq!(state(store), before);
    // The publisher changed its rating: refused, naming the stored review.
    let changed = CLAIMREVIEW
        .replace("\"ratingValue\": 1", "\"ratingValue\": 5")
        .replace("\"False\"", "\"True\"");
    let report = claimreview::import(store, changed.as_bytes(), ImportOptions::default()).unwrap();
    assert_refused_and_listed(&report, review.id);
    assert_eq!(state(store), before);
    assert_eq!(store.review(review.id).unwrap(), review);
}

const FACTCHECK: &str = r#"{"claims": [{
  "text": "5G towers spread the coronavirus",
  "claimReview": [{
    "publisher": {"name": "PolitiFact", "site": "politifact.com"},
    "url": "https://www.politifact.com/factchecks/2020/apr/03/5g/",
    "textualRating": "Pants on Fire!",
    "languageCode": "en"
  }]
}]}"#;

per_backend!(fact_check_tools_refuses_a_changed_review_and_keeps_an_unchanged_one);
fn fact_check_tools_refuses_a_changed_review_and_keeps_an_unchanged_one(store: &Store) {
    factcheck::import(store, FACTCHECK.as_bytes(), ImportOptions::default()).unwrap();
    let claim = store.claims().unwrap()[0].id;
    let review = store.reviews_of(claim).unwrap()[0].clone();
    assert_eq!(review.verdict, Some(Verdict::False));
    let before = state(store);
    let again = factcheck::import(store, FACTCHECK.as_bytes(), ImportOptions::default()).unwrap();
    assert_eq!(again.inserted, 0);
    assert_eq!(state(store), before);
    let changed = FACTCHECK.replace("Pants on Fire!", "Half True");
    let report = factcheck::import(store, changed.as_bytes(), ImportOptions::default()).unwrap();
    assert_refused_and_listed(&report, review.id);
    assert_eq!(state(store), before);
    assert_eq!(store.review(review.id).unwrap(), review);
}

// ---- data-set importers ----

#[test]
fn a_data_set_row_imported_again_with_another_label_never_changes_the_first_review() {
    // LIAR, FEVER and Climate-FEVER rows carry their data set's own ids, which are kept as tags
    // ("liar:101"), not as record ids: an import never updates a stored record, and a row imported
    // before with another label is refused (tests/import_again.rs has the rest), never a second claim.
    let store = Store::open_in_memory().unwrap();
    let row = "101.json\tpants-fire\tThe moon landing was filmed in a studio.\tspace\tjane-q-public\t\
               State senator\tNevada\trepublican\t1\t2\t0\t0\t1\ta radio interview\n";
    claimtrack::io::liar::import(&store, row.as_bytes(), ImportOptions::default()).unwrap();
    let first = store.claims_tagged("liar:101").unwrap()[0].clone();
    let review = store.reviews_of(first.id).unwrap()[0].clone();
    let changed = row.replace("pants-fire", "half-true");
    let err = claimtrack::io::liar::import(&store, changed.as_bytes(), ImportOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Error::Conflict { kind: "claim", id, .. } if *id == first.id.to_string()),
        "{err:?}"
    );
    assert_eq!(store.review(review.id).unwrap(), review);
    assert_eq!(
        store.claims_tagged("liar:101").unwrap(),
        [store.claim(first.id).unwrap()]
    );
    assert_eq!(store.claim(first.id).unwrap(), first);
    assert_eq!(store.reviews_of(first.id).unwrap(), [review]);
}
