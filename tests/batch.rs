//! The batch write path: everything lands in one transaction, a bad record anywhere leaves the database
//! exactly as it was and the error names the record.

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
use claimtrack::io::bundle;
use claimtrack::{
    Error, NewAttribution, NewClaim, NewEvidence, NewPublication, NewReview, NewSource, SourceKind, Stance,
    Store, Verdict,
};

/// An outlet and a claim already in a fresh store.
fn seeded(store: &Store) -> claimtrack::SourceId {
    let src = store
        .add_source(NewSource::new("Existing outlet", SourceKind::Outlet))
        .unwrap();
    store.add_claim(NewClaim::factual("Already there.")).unwrap();
    src
}

per_backend!(a_batch_writes_every_kind_of_record);
fn a_batch_writes_every_kind_of_record(store: &Store) {
    let outlet = seeded(store);
    let before = store.counts().unwrap();
    let claims = store
        .batch(|b| {
            let speaker = b.add_source(NewSource::new("A speaker", SourceKind::Person))?;
            let checker = b.add_source(NewSource::new("A fact-checker", SourceKind::Organisation))?;
            let venue = b.add_publication(NewPublication::new("a floor speech"))?;
            let mut ids = Vec::new();
            for i in 0..50 {
                let c = b.add_claim(NewClaim::factual(format!("Claim number {i}.")).tag("t"))?;
                b.attribute(
                    c,
                    NewAttribution::said_by(speaker).in_publication(venue).via(outlet),
                )?;
                b.add_evidence(c, NewEvidence::new(outlet, Stance::Supports))?;
                b.add_evidence(c, NewEvidence::new(checker, Stance::Refutes))?;
                b.add_review(c, NewReview::new(Verdict::Mixed).label("half-true").by(checker))?;
                ids.push(c);
            }
            assert_eq!(b.records(), 3 + 50 * 5);
            Ok(ids)
        })
        .unwrap();
    let after = store.counts().unwrap();
    assert_eq!(after.sources, before.sources + 2);
    assert_eq!(after.publications, 1);
    assert_eq!(after.claims, before.claims + 50);
    assert_eq!(after.attributions, 50);
    assert_eq!(after.evidence, 100);
    assert_eq!(after.reviews, 50);
    // What went in through the batch reads back through the ordinary API.
    let c = claims[17];
    assert_eq!(store.claim(c).unwrap().text, "Claim number 17.");
    assert_eq!(store.claim(c).unwrap().tags, vec!["t".to_string()]);
    let a = &store.attributions_of(c).unwrap()[0];
    assert_eq!(a.relays.len(), 1);
    assert_eq!(a.relays[0].source, outlet);
    let ev = store.evidence_of(c).unwrap();
    assert_eq!(
        ev.iter().map(|e| e.stance).collect::<Vec<_>>(),
        vec![Stance::Supports, Stance::Refutes]
    );
    assert_eq!(
        store.reviews_of(c).unwrap()[0].label.as_deref(),
        Some("half-true")
    );
}

fn bad_row_in_the_middle(
    store: &Store,
    bad: impl Fn(&mut claimtrack::Batch<'_>, claimtrack::ClaimId) -> claimtrack::Result<()>,
) -> Error {
    let outlet = seeded(store);
    let before = bundle::export(store).unwrap();
    let err = store
        .batch(|b| {
            for i in 1..=100 {
                b.at(format!("line {i}"));
                let c = b.add_claim(NewClaim::factual(format!("Claim {i}.")))?;
                b.add_evidence(c, NewEvidence::new(outlet, Stance::Supports))?;
                if i == 50 {
                    bad(b, c)?;
                }
            }
            Ok(())
        })
        .unwrap_err();
    assert_eq!(bundle::export(store).unwrap(), before, "the database changed");
    err
}

per_backend!(an_invalid_record_in_the_middle_changes_nothing_and_is_named);
fn an_invalid_record_in_the_middle_changes_nothing_and_is_named(store: &Store) {
    let err = bad_row_in_the_middle(store, |b, _| b.add_claim(NewClaim::factual(" \t ")).map(|_| ()));
    match &err {
        Error::Batch {
            record,
            kind,
            location,
            source,
        } => {
            assert_eq!(*record, 50 * 2 + 1);
            assert_eq!(*kind, "claim");
            assert_eq!(location, "line 50");
            assert!(
                matches!(**source, Error::Invalid { field: "text", .. }),
                "{source}"
            );
        }
        other => panic!("expected Error::Batch, got {other}"),
    }
    let shown = err.to_string();
    assert!(
        shown.contains("line 50") && shown.contains("record 101"),
        "{shown}"
    );
}

per_backend!(a_dangling_reference_in_the_middle_changes_nothing_and_is_named);
fn a_dangling_reference_in_the_middle_changes_nothing_and_is_named(store: &Store) {
    let err = bad_row_in_the_middle(store, |b, c| {
        let unknown = claimtrack::SourceId::new();
        b.add_evidence(c, NewEvidence::new(unknown, Stance::Refutes))
            .map(|_| ())
    });
    assert!(
        matches!(&err, Error::Batch { kind: "evidence", location, source, .. }
            if location == "line 50" && matches!(**source, Error::NotFound { kind: "source", .. })),
        "{err}"
    );
}

per_backend!(a_duplicate_id_in_the_middle_changes_nothing_and_is_named);
fn a_duplicate_id_in_the_middle_changes_nothing_and_is_named(store: &Store) {
    let err = bad_row_in_the_middle(store, |b, c| {
        let mut again = claimtrack::Claim::clone(&dummy_claim());
        again.id = c;
        b.insert_claim(&again)
    });
    assert!(
        matches!(&err, Error::Batch { kind: "claim", source, .. }
            if matches!(**source, Error::Duplicate { kind: "claim", .. })),
        "{err}"
    );
}

fn dummy_claim() -> claimtrack::Claim {
    let store = Store::open_in_memory().unwrap();
    let id = store.add_claim(NewClaim::factual("template")).unwrap();
    store.claim(id).unwrap()
}

per_backend!(the_callers_own_error_rolls_back_too);
fn the_callers_own_error_rolls_back_too(store: &Store) {
    seeded(store);
    let before = store.counts().unwrap();
    let err = store
        .batch(|b| {
            b.add_claim(NewClaim::factual("Would land."))?;
            Err::<(), _>(Error::Parse {
                location: "line 2".into(),
                field: "label".into(),
                reason: "unknown".into(),
            })
        })
        .unwrap_err();
    assert!(matches!(err, Error::Parse { .. }), "{err}");
    assert_eq!(store.counts().unwrap(), before);
}

per_backend!(without_a_location_the_error_names_the_record_number);
fn without_a_location_the_error_names_the_record_number(store: &Store) {
    seeded(store);
    let err = store
        .batch(|b| {
            b.add_claim(NewClaim::factual("one"))?;
            b.add_claim(NewClaim::factual("two"))?;
            b.add_claim(NewClaim::factual(""))?;
            Ok(())
        })
        .unwrap_err();
    assert!(
        matches!(&err, Error::Batch { record: 3, location, .. } if location == "record 3"),
        "{err}"
    );
}

per_backend!(progress_is_reported_every_n_records_and_at_the_end);
fn progress_is_reported_every_n_records_and_at_the_end(store: &Store) {
    seeded(store);
    let mut seen = Vec::new();
    store
        .batch_with_progress(
            10,
            |p| seen.push((p.records, p.counts.claims)),
            |b| {
                for i in 0..25 {
                    b.add_claim(NewClaim::factual(format!("c{i}")))?;
                }
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(seen, vec![(10, 10), (20, 20), (25, 25)]);
}

per_backend!(find_source_sees_sources_added_in_the_batch_and_before);
fn find_source_sees_sources_added_in_the_batch_and_before(store: &Store) {
    let outlet = seeded(store);
    store
        .batch(|b| {
            assert_eq!(b.find_source("existing OUTLET")?, Some(outlet));
            assert_eq!(b.find_source("PolitiFact")?, None);
            let pf =
                b.add_source(NewSource::new("PolitiFact", SourceKind::Organisation).alias("politifact.com"))?;
            assert_eq!(b.find_source("politifact.com")?, Some(pf));
            assert_eq!(b.find_source("  ")?, None);
            Ok(())
        })
        .unwrap();
}

per_backend!(a_batch_refuses_namesakes_of_its_own_sources_and_forgets_undone_ones);
/// The namesake rule inside one batch, whose new sources are not yet on the server on PostgreSQL's bulk
/// path: a name or alias of a source added earlier in the batch, or stored before it, is refused; the
/// oldest source is found; an undone attempt's source leaves its name free.
fn a_batch_refuses_namesakes_of_its_own_sources_and_forgets_undone_ones(store: &Store) {
    let old = store
        .add_source(NewSource::new("Old Agency", SourceKind::NewsAgency))
        .unwrap();
    let namesake = |e: &Error| matches!(e, Error::Batch { source, .. } if matches!(**source, Error::Duplicate { kind: "source", .. }));
    store
        .batch(|b| {
            let kcna = b.add_source(
                NewSource::new("Korean Central News Agency", SourceKind::NewsAgency).alias("KCNA"),
            )?;
            for (name, alias) in [
                ("korean central news agency", None),
                ("\u{ff2b}\u{ff23}\u{ff2e}\u{ff21}", None),
                ("old  AGENCY", None),
                ("Another agency", Some("Korean Central News Agency")),
                ("Yet another", Some("old agency")),
            ] {
                let mut new = NewSource::new(name, SourceKind::Outlet);
                if let Some(a) = alias {
                    new = new.alias(a);
                }
                let err = b.add_source(new).unwrap_err();
                assert!(namesake(&err), "{name}: {err}");
            }
            assert_eq!(b.find_source("kcna")?, Some(kcna));
            assert_eq!(b.find_source("OLD AGENCY")?, Some(old));
            assert_eq!(
                b.find_or_add_source("Korean Central News Agency", || {
                    NewSource::new("never made", SourceKind::Outlet)
                })?,
                kcna
            );
            let undone = b.attempt(|b| {
                b.add_source(NewSource::new("Undone", SourceKind::Outlet))?;
                b.add_claim(NewClaim::factual(" "))
            });
            assert!(undone.is_err());
            assert_eq!(b.find_source("undone")?, None);
            let again = b.add_source(NewSource::new("Undone", SourceKind::Outlet))?;
            assert_eq!(b.find_source("UNDONE")?, Some(again));
            let err = b
                .add_source(NewSource::new("undone", SourceKind::Person))
                .unwrap_err();
            assert!(namesake(&err), "{err}");
            Ok(())
        })
        .unwrap();
    let names: Vec<String> = store.sources().unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["Old Agency", "Korean Central News Agency", "Undone"]);
}

per_backend!(a_batch_links_claims_as_the_store_does);
/// A link in a batch goes through the one insert `Store::add_link` uses: the same refusal of a repeat,
/// and the link on record in the batch's history.
fn a_batch_links_claims_as_the_store_does(store: &Store) {
    use claimtrack::{ClaimLink, LinkKind};
    let (a, b_claim, link) = store
        .batch(|b| {
            let a = b.add_claim(NewClaim::factual("Troops were sent."))?;
            let c = b.add_claim(NewClaim::factual("No troops were sent."))?;
            let link = b.add_link(&ClaimLink::new(c, LinkKind::Denies, a)?.with_note("KCNA"))?;
            Ok((a, c, link))
        })
        .unwrap();
    assert_eq!(store.links_of(a).unwrap(), vec![store.link(link).unwrap()]);
    assert_eq!(store.counts().unwrap().links, 1);
    let report = store.verify_history().unwrap();
    assert!(report.is_consistent(), "{:?}", report.problems);
    assert_eq!(report.records, 3);
    // The same link again, through the store or a batch, is the same refusal, and nothing lands.
    let again = ClaimLink::new(b_claim, LinkKind::Denies, a).unwrap();
    assert!(matches!(store.add_link(&again), Err(Error::Duplicate { .. })));
    let err = store.batch(|b| b.add_link(&again)).unwrap_err();
    assert!(
        matches!(&err, Error::Batch { source, .. } if matches!(**source, Error::Duplicate { .. })),
        "{err}"
    );
    assert_eq!(store.counts().unwrap().links, 1);
}
