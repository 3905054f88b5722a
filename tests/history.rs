//! The history of changes: every write through the API is on record, readable per record, per actor and
//! per claim; evidence and reviews are versioned, never overwritten; the history agrees with the state.

#[path = "common/backend.rs"]
mod backend;

use backend::{Desk, per_backend};
use claimtrack::ClaimLink;
use claimtrack::io::{ImportOptions, bundle};
use claimtrack::{
    Credibility, EntityKind, Error, LinkKind, NewAttribution, NewClaim, NewEvidence, NewReview, NewSource,
    Operation, SourceKind, Stance, Status, Store, Verdict, seeds,
};

/// A source and a claim in a fresh store, written by desk:alice.
fn desk(store: &Store) -> (claimtrack::SourceId, claimtrack::ClaimId) {
    store.set_actor("desk:alice").unwrap();
    let src = store
        .add_source(NewSource::new("Ministry of Defence", SourceKind::GovernmentBody))
        .unwrap();
    let claim = store
        .add_claim(NewClaim::factual("North Korean troops are deployed to Russia"))
        .unwrap();
    (src, claim)
}

fn total_changes(store: &Store) -> u64 {
    store.verify_history().unwrap().changes
}

per_backend!(every_write_records_actor_operation_and_values);
fn every_write_records_actor_operation_and_values(store: &Store) {
    let (src, claim) = desk(store);
    let h = store.history_of(claim).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].operation, Operation::Insert);
    assert_eq!(h[0].kind, EntityKind::Claim);
    assert_eq!(h[0].actor, "desk:alice");
    assert_eq!(h[0].entity, claim.as_uuid());
    assert!(h[0].before.is_none());
    let after = h[0].after.as_ref().unwrap();
    assert_eq!(after["text"], "North Korean troops are deployed to Russia");

    store.set_actor("desk:bob").unwrap();
    let mut c = store.claim(claim).unwrap();
    c.text = "More than 10,000 North Korean troops are deployed to Russia".into();
    store.update_claim(&c).unwrap();
    // An update that changes nothing records nothing.
    store.update_claim(&c).unwrap();
    let h = store.history_of(claim).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1].operation, Operation::Update);
    assert_eq!(h[1].actor, "desk:bob");
    assert_eq!(h[1].before, h[0].after);
    assert_eq!(h[1].after.as_ref().unwrap()["text"], c.text.as_str());
    assert!(h[0].seq < h[1].seq && h[0].at <= h[1].at);

    store.delete_claim(claim).unwrap();
    let h = store.history_of(claim).unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[2].operation, Operation::Delete);
    assert_eq!(h[2].before, h[1].after);
    assert!(h[2].after.is_none());

    // Per actor: alice added the source and the claim, bob edited and deleted it.
    let alice: Vec<_> = store.history_by_actor("desk:alice").unwrap();
    assert_eq!(
        alice.iter().map(|c| (c.kind, c.operation)).collect::<Vec<_>>(),
        vec![
            (EntityKind::Source, Operation::Insert),
            (EntityKind::Claim, Operation::Insert)
        ]
    );
    assert_eq!(alice[0].entity, src.as_uuid());
    assert_eq!(store.history_by_actor("desk:bob").unwrap().len(), 2);
    assert!(store.history_by_actor("nobody").unwrap().is_empty());
    assert!(store.verify_history().unwrap().is_consistent());
}

per_backend!(failed_writes_record_nothing);
fn failed_writes_record_nothing(store: &Store) {
    let (src, claim) = desk(store);
    let before = total_changes(store);
    assert!(store.add_claim(NewClaim::factual("")).is_err());
    assert!(matches!(store.delete_source(src), Ok(())));
    // The source is gone, so evidence naming it is refused; neither the refusal nor the rollback
    // leaves an entry.
    let after_delete = total_changes(store);
    assert_eq!(after_delete, before + 1);
    let err = store
        .add_evidence(claim, NewEvidence::new(src, Stance::Supports))
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { kind: "source", .. }), "{err}");
    assert_eq!(total_changes(store), after_delete);
    assert!(store.verify_history().unwrap().is_consistent());
}

per_backend!(actor_is_validated_and_defaults_to_unknown);
fn actor_is_validated_and_defaults_to_unknown(store: &Store) {
    assert_eq!(store.actor().unwrap(), claimtrack::DEFAULT_ACTOR);
    for bad in ["", "   ", "eve\0", "eve\u{7}"] {
        assert!(
            matches!(store.set_actor(bad), Err(Error::Invalid { field: "actor", .. })),
            "{bad:?}"
        );
    }
    assert!(store.set_actor(&"x".repeat(1001)).is_err());
    assert_eq!(store.actor().unwrap(), claimtrack::DEFAULT_ACTOR);
    let id = store.add_claim(NewClaim::factual("A claim")).unwrap();
    assert_eq!(store.history_of(id).unwrap()[0].actor, "unknown");
}

per_backend!(actor_can_be_set_when_opening);
fn actor_can_be_set_when_opening(desk: &Desk) {
    let open = |actor: &str| Store::open_with(desk.location(), &claimtrack::OpenOptions::new().actor(actor));
    let store = open("import-bot").unwrap();
    let id = store.add_claim(NewClaim::factual("A claim")).unwrap();
    assert_eq!(store.history_of(id).unwrap()[0].actor, "import-bot");
    drop(store);
    let bad = open("\0");
    assert!(matches!(bad, Err(Error::Invalid { field: "actor", .. })));
}

per_backend!(bundle_import_is_recorded_once_and_reimport_writes_nothing);
fn bundle_import_is_recorded_once_and_reimport_writes_nothing(store: &Store) {
    store.set_actor("loader").unwrap();
    let first = seeds::load_wonsan(store).unwrap();
    // One entry for the whole load (a batch), counting what it wrote...
    let n = total_changes(store);
    assert_eq!(n, 1);
    let imports = store.history_by_actor("loader").unwrap();
    assert_eq!(imports.len(), 1);
    assert_eq!(
        (imports[0].kind, imports[0].operation),
        (EntityKind::Batch, Operation::Import)
    );
    let counts = imports[0].after.as_ref().unwrap();
    let written: u64 = counts
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(written, first.inserted);
    assert_eq!(counts["claim"], 15);
    // ...and every record's own history starts with that import, holding the record as written.
    let bundle = seeds::wonsan().unwrap();
    for c in &bundle.claims {
        let h = store.history_of(c.id).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(
            (h[0].seq, h[0].operation, h[0].actor.as_str()),
            (imports[0].seq, Operation::Import, "loader")
        );
        assert_eq!(h[0].after.as_ref().unwrap()["text"], c.text.as_str());
    }
    let again = seeds::load_wonsan(store).unwrap();
    assert_eq!((again.inserted, again.updated), (0, 0));
    assert_eq!(total_changes(store), n, "identical records must write no history");

    // A changed record in a bundle is replaced, and the replacement is on record.
    let mut bundle = seeds::wonsan().unwrap();
    bundle.claims[0].text.push_str(" (corrected)");
    let s = bundle::import(store, &bundle, ImportOptions::default()).unwrap();
    assert_eq!(s.updated, 1);
    let h = store.history_of(bundle.claims[0].id).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1].operation, Operation::Import);
    assert!(h[1].before.is_some());
    assert_eq!(
        h[1].after.as_ref().unwrap()["text"],
        bundle.claims[0].text.as_str()
    );
    assert!(store.verify_history().unwrap().is_consistent());
}

per_backend!(changed_stance_is_a_new_version_and_the_old_one_is_kept);
fn changed_stance_is_a_new_version_and_the_old_one_is_kept(store: &Store) {
    let (src, claim) = desk(store);
    let denial = store
        .add_evidence(
            claim,
            NewEvidence::new(src, Stance::Refutes).excerpt("no troops were sent"),
        )
        .unwrap();

    // Overwriting the stance is refused; a correction of the excerpt is allowed and recorded.
    let mut e = store.evidence(denial).unwrap();
    e.stance = Stance::Supports;
    let err = store.update_evidence(&e).unwrap_err();
    assert!(matches!(err, Error::Invalid { field: "stance", .. }), "{err}");
    let mut e = store.evidence(denial).unwrap();
    e.excerpt = Some("no troops have been sent".into());
    e.credibility = Credibility::ProbablyTrue;
    store.update_evidence(&e).unwrap();
    assert_eq!(store.history_of(denial).unwrap().len(), 2);

    let admission = store
        .revise_evidence(
            denial,
            NewEvidence::new(src, Stance::Supports).excerpt("troops were sent"),
            "the ministry confirmed the deployment",
        )
        .unwrap();
    let old = store.evidence_standing(denial).unwrap();
    assert_eq!(old.status, Status::Superseded);
    assert_eq!(old.replaced_by, Some(admission));
    assert_eq!(
        old.reason.as_deref(),
        Some("the ministry confirmed the deployment")
    );
    assert!(old.at.is_some());
    assert!(store.evidence_standing(admission).unwrap().is_current());
    // The old record is still there, unchanged, beside the new one.
    assert_eq!(store.evidence(denial).unwrap(), e);
    assert_eq!(store.evidence_of(claim).unwrap().len(), 2);
    let current = store.current_evidence_of(claim).unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!((current[0].id, current[0].stance), (admission, Stance::Supports));

    let h = store.history_of(denial).unwrap();
    let last = h.last().unwrap();
    assert_eq!(last.operation, Operation::Supersede);
    assert_eq!(
        last.reason.as_deref(),
        Some("the ministry confirmed the deployment")
    );
    assert_eq!(last.after.as_ref().unwrap()["standing"]["status"], "superseded");

    // A superseded record is frozen, cannot be revised twice, and its successor cannot be deleted.
    assert!(matches!(
        store.update_evidence(&e),
        Err(Error::Invalid {
            field: "evidence",
            ..
        })
    ));
    assert!(matches!(
        store.revise_evidence(denial, NewEvidence::new(src, Stance::Mixed), "again"),
        Err(Error::Invalid {
            field: "evidence",
            ..
        })
    ));
    assert!(matches!(
        store.delete_evidence(admission),
        Err(Error::StillReferenced { .. })
    ));

    // A revision must come from the same source, and needs a reason.
    let other = store
        .add_source(NewSource::new("Other", SourceKind::Outlet))
        .unwrap();
    assert!(matches!(
        store.revise_evidence(admission, NewEvidence::new(other, Stance::Refutes), "x"),
        Err(Error::Invalid { field: "source", .. })
    ));
    assert!(matches!(
        store.revise_evidence(admission, NewEvidence::new(src, Stance::Refutes), " "),
        Err(Error::Invalid { field: "reason", .. })
    ));

    store
        .retract_evidence(admission, "the statement was a forgery")
        .unwrap();
    assert_eq!(
        store.evidence_standing(admission).unwrap().status,
        Status::Retracted
    );
    assert!(store.current_evidence_of(claim).unwrap().is_empty());
    assert!(store.verify_history().unwrap().is_consistent());
}

per_backend!(reviews_are_corrected_and_retracted_never_overwritten);
fn reviews_are_corrected_and_retracted_never_overwritten(store: &Store) {
    let (src, claim) = desk(store);
    let first = store
        .add_review(
            claim,
            NewReview::new(Verdict::Unverifiable)
                .by(src)
                .rationale("no evidence yet"),
        )
        .unwrap();
    let mut r = store.review(first).unwrap();
    r.verdict = Some(Verdict::True);
    assert!(matches!(
        store.update_review(&r),
        Err(Error::Invalid { field: "verdict", .. })
    ));
    let mut r = store.review(first).unwrap();
    r.label = Some("Unproven".into());
    store.update_review(&r).unwrap();

    let fixed = store
        .correct_review(first, NewReview::new(Verdict::True).by(src), "satellite images")
        .unwrap();
    assert_eq!(store.review_standing(first).unwrap().replaced_by, Some(fixed));
    assert_eq!(store.review(first).unwrap(), r);
    let current = store.current_reviews_of(claim).unwrap();
    assert_eq!(
        current.iter().map(|r| r.verdict).collect::<Vec<_>>(),
        vec![Some(Verdict::True)]
    );
    assert_eq!(store.reviews_of(claim).unwrap().len(), 2);

    store.retract_review(fixed, "the images were misdated").unwrap();
    assert!(store.current_reviews_of(claim).unwrap().is_empty());
    assert!(matches!(
        store.retract_review(fixed, "twice"),
        Err(Error::Invalid { field: "review", .. })
    ));
    assert!(matches!(
        store.correct_review(first, NewReview::new(Verdict::False), "x"),
        Err(Error::Invalid { field: "review", .. })
    ));
    let ops: Vec<_> = store
        .history_of(fixed)
        .unwrap()
        .iter()
        .map(|c| c.operation)
        .collect();
    assert_eq!(ops, vec![Operation::Insert, Operation::Retract]);
    assert!(store.verify_history().unwrap().is_consistent());
}

per_backend!(claim_history_gathers_attributions_evidence_reviews_and_links);
fn claim_history_gathers_attributions_evidence_reviews_and_links(store: &Store) {
    let (src, claim) = desk(store);
    let other = store.add_claim(NewClaim::factual("No troops were sent")).unwrap();
    let unrelated = store.add_claim(NewClaim::factual("Unrelated")).unwrap();
    let a = store
        .attribute(claim, NewAttribution::said_by(src).paraphrase())
        .unwrap();
    let e = store
        .add_evidence(claim, NewEvidence::new(src, Stance::Supports))
        .unwrap();
    let r = store
        .add_review(claim, NewReview::new(Verdict::MostlyTrue))
        .unwrap();
    let l = ClaimLink::new(other, LinkKind::Contradicts, claim)
        .and_then(|l| store.add_link(&l))
        .unwrap();
    store
        .add_evidence(unrelated, NewEvidence::new(src, Stance::Refutes))
        .unwrap();
    store.delete_attribution(a).unwrap();

    let h = store.claim_history(claim).unwrap();
    let seen: Vec<(EntityKind, uuid::Uuid, Operation)> =
        h.iter().map(|c| (c.kind, c.entity, c.operation)).collect();
    assert_eq!(
        seen,
        vec![
            (EntityKind::Claim, claim.as_uuid(), Operation::Insert),
            (EntityKind::Attribution, a.as_uuid(), Operation::Insert),
            (EntityKind::Evidence, e.as_uuid(), Operation::Insert),
            (EntityKind::Review, r.as_uuid(), Operation::Insert),
            (EntityKind::ClaimLink, l.as_uuid(), Operation::Insert),
            (EntityKind::Attribution, a.as_uuid(), Operation::Delete),
        ]
    );
    // The link belongs to both claims' records.
    assert!(
        store
            .claim_history(other)
            .unwrap()
            .iter()
            .any(|c| c.entity == l.as_uuid())
    );
    assert_eq!(store.claim_history(unrelated).unwrap().len(), 2);
    // A deleted claim's record stays readable; an id never seen is NotFound.
    store.delete_claim(unrelated).unwrap_err();
    let never = claimtrack::ClaimId::new();
    assert!(matches!(
        store.claim_history(never),
        Err(Error::NotFound { kind: "claim", .. })
    ));
}

per_backend!(deleted_claims_keep_their_record);
fn deleted_claims_keep_their_record(store: &Store) {
    let (_src, claim) = desk(store);
    store.delete_claim(claim).unwrap();
    let h = store.claim_history(claim).unwrap();
    assert_eq!(
        h.iter().map(|c| c.operation).collect::<Vec<_>>(),
        vec![Operation::Insert, Operation::Delete]
    );
    assert!(store.verify_history().unwrap().is_consistent());
}

per_backend!(history_survives_export_of_values_as_json);
fn history_survives_export_of_values_as_json(store: &Store) {
    // History values are the records as serde writes them, so a record can be rebuilt from its entry.
    let (_src, claim) = desk(store);
    let h = store.history_of(claim).unwrap();
    let rebuilt: claimtrack::Claim = serde_json::from_value(h[0].after.clone().unwrap()).unwrap();
    assert_eq!(rebuilt, store.claim(claim).unwrap());
    let json = serde_json::to_string(&h[0]).unwrap();
    let back: claimtrack::Change = serde_json::from_str(&json).unwrap();
    assert_eq!(back, h[0]);
}

per_backend!(export_and_import_keep_superseded_and_retracted_versions);
fn export_and_import_keep_superseded_and_retracted_versions(store: &Store) {
    let (src, claim) = desk(store);
    let old = store
        .add_evidence(claim, NewEvidence::new(src, Stance::Refutes))
        .unwrap();
    let new = store
        .revise_evidence(old, NewEvidence::new(src, Stance::Supports), "confirmed")
        .unwrap();
    let review = store.add_review(claim, NewReview::new(Verdict::True)).unwrap();
    store.retract_review(review, "wrong claim").unwrap();
    let bundle = bundle::export(store).unwrap();
    assert_eq!(bundle.evidence_standings.len(), 1);
    assert_eq!(bundle.review_standings.len(), 1);

    // Re-importing into the same store changes nothing and records nothing.
    let n = total_changes(store);
    let again = bundle::import(store, &bundle, ImportOptions::default()).unwrap();
    assert_eq!((again.inserted, again.updated), (0, 0));
    assert_eq!(total_changes(store), n);

    // Through JSON into a fresh store: the same records, standing as they stood.
    let json = serde_json::to_string(&bundle).unwrap();
    let copy = Store::open_in_memory().unwrap();
    bundle::import(
        &copy,
        &serde_json::from_str(&json).unwrap(),
        ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(bundle::export(&copy).unwrap(), bundle);
    assert_eq!(
        copy.evidence_standing(old).unwrap(),
        store.evidence_standing(old).unwrap()
    );
    assert_eq!(copy.current_evidence_of(claim).unwrap()[0].id, new);
    assert!(copy.current_reviews_of(claim).unwrap().is_empty());
    assert!(copy.verify_history().unwrap().is_consistent());
}

per_backend!(bad_standing_entries_in_a_bundle_are_refused_whole);
fn bad_standing_entries_in_a_bundle_are_refused_whole(store: &Store) {
    let (src, claim) = desk(store);
    let old = store
        .add_evidence(claim, NewEvidence::new(src, Stance::Refutes))
        .unwrap();
    store
        .revise_evidence(old, NewEvidence::new(src, Stance::Supports), "confirmed")
        .unwrap();
    let good = bundle::export(store).unwrap();
    let before = (good.clone(), total_changes(store));
    let mut cases = Vec::new();
    let mut b = good.clone();
    b.evidence_standings[0].standing.replaced_by = Some(old);
    cases.push(("supersedes itself", b));
    let mut b = good.clone();
    b.evidence_standings[0].standing.reason = None;
    cases.push(("no reason", b));
    let mut b = good.clone();
    b.evidence_standings[0].standing.status = Status::Current;
    cases.push(("listed as current", b));
    let mut b = good.clone();
    b.evidence_standings[0].standing.replaced_by = Some(claimtrack::EvidenceId::new());
    cases.push(("unknown successor", b));
    for (what, mut b) in cases {
        b.claims
            .push(NewClaim::factual("would be new").into_claim().unwrap());
        let err = bundle::import(store, &b, ImportOptions::default()).unwrap_err();
        assert!(
            matches!(err, Error::Invalid { .. } | Error::NotFound { .. }),
            "{what}: {err}"
        );
        assert_eq!(
            (bundle::export(store).unwrap(), total_changes(store)),
            before,
            "{what}"
        );
    }
}

per_backend!(records_of_different_kinds_sharing_an_id_keep_separate_histories);
fn records_of_different_kinds_sharing_an_id_keep_separate_histories(store: &Store) {
    // Ids are unique per kind only; a bundle may (unwisely) reuse one across kinds.
    let mut bundle = claimtrack::Bundle::default();
    let mut source = NewSource::new("Agency", SourceKind::NewsAgency)
        .into_source()
        .unwrap();
    let claim = NewClaim::factual("Shared id").into_claim().unwrap();
    source.id = claimtrack::SourceId::from_uuid(claim.id.as_uuid());
    bundle.sources.push(source.clone());
    bundle.claims.push(claim.clone());
    bundle::import(store, &bundle, ImportOptions::default()).unwrap();
    let h = store.history_of(claim.id).unwrap();
    assert_eq!(
        h.iter().map(|c| c.kind).collect::<Vec<_>>(),
        vec![EntityKind::Claim]
    );
    let h = store.history_of(source.id).unwrap();
    assert_eq!(
        h.iter().map(|c| c.kind).collect::<Vec<_>>(),
        vec![EntityKind::Source]
    );
    let report = store.verify_history().unwrap();
    assert!(report.is_consistent(), "{:?}", report.problems);
    assert_eq!(report.records, 2);
}
