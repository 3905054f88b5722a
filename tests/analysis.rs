//! Analysis through the public API: the seed article and small hand-built graphs, expected results
//! worked out by hand.

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
use claimtrack::ClaimLink;
use claimtrack::analysis::{ChainNode, Conflict, EventKind, MatchedIn, Outcome};
use claimtrack::io::bundle;
use claimtrack::{
    Claim, ClaimId, ClaimKind, Credibility, Error, LinkKind, Mode, NewAttribution, NewClaim, NewEvidence,
    NewPublication, NewReview, NewSource, PartialDate, Quantity, Reliability, SourceId, SourceKind, Stance,
    Store, Verdict,
};

fn date(s: &str) -> PartialDate {
    s.parse().unwrap()
}

/// Loads the seed article into a fresh store.
fn seed(store: &Store) {
    claimtrack::seeds::load_wonsan(store).unwrap();
}

fn claim(store: &Store, starts: &str) -> Claim {
    store
        .claims()
        .unwrap()
        .into_iter()
        .find(|c| c.text.starts_with(starts))
        .unwrap_or_else(|| panic!("no claim starting {starts:?}"))
}

fn source(store: &Store, name: &str) -> SourceId {
    store.find_source(name).unwrap().unwrap().id
}

fn person(store: &Store, name: &str) -> SourceId {
    store
        .add_source(NewSource::new(name, SourceKind::Person))
        .unwrap()
}

// ---------------------------------------------------------------- the seed article

per_backend!(seed_pledge_is_backed_by_one_dprk_origin);
fn seed_pledge_is_backed_by_one_dprk_origin(store: &Store) {
    seed(store);
    let pledge = claim(store, "North Korea is ready to unconditionally support");
    let s = store.evidence_summary(pledge.id).unwrap();
    let kim = source(store, "Kim Jong Un");
    let kcna = source(store, "KCNA");
    let dprk = source(store, "DPRK");
    assert!(!s.checkable, "a pledge is not checkable");
    let backers: Vec<SourceId> = s.supporting.iter().map(|x| x.source).collect();
    assert_eq!(backers, vec![kim, kcna]);
    assert!(s.conflicting.is_empty() && s.mixed.is_empty() && s.neutral.is_empty());
    assert_eq!(s.independent_for(), 1);
    assert_eq!(s.origins_for[0].origin, dprk);
    assert_eq!(s.origins_for[0].name, "Government of North Korea");
    assert_eq!(s.origins_for[0].sources, vec![kim, kcna]);
    assert_eq!(s.independent_against(), 0);
    assert_eq!(s.outcome, Outcome::Supported);
    // KCNA relayed Kim's words: it is credited to Kim, whose origin is the DPRK state.
    assert_eq!(s.supporting[1].relayed_from, Some(kim));
    assert_eq!(s.supporting[0].relayed_from, None);
    // Grades, excerpt and date are carried.
    assert_eq!(s.supporting[0].reliability, Reliability::F);
    assert_eq!(s.supporting[0].credibility(), Credibility::CannotBeJudged);
    assert_eq!(s.supporting[1].history.current.as_of, Some(date("2025-07-13")));
    assert!(
        s.supporting[1]
            .history
            .current
            .excerpt
            .as_deref()
            .unwrap()
            .contains("ready to unconditionally support")
    );
}

per_backend!(seed_troops_lavrov_and_russian_media_are_one_origin);
fn seed_troops_lavrov_and_russian_media_are_one_origin(store: &Store) {
    seed(store);
    let troops = claim(store, "North Korean troops are deployed to Russia");
    let s = store.evidence_summary(troops.id).unwrap();
    assert!(s.checkable);
    assert_eq!(s.supporting.len(), 2);
    assert_eq!(s.independent_for(), 1);
    assert_eq!(s.origins_for[0].origin, source(store, "Russia"));
    assert_eq!(s.outcome, Outcome::Supported);
}

per_backend!(seed_putin_message_through_tass_counts_for_the_russian_state);
fn seed_putin_message_through_tass_counts_for_the_russian_state(store: &Store) {
    seed(store);
    let c = claim(store, "Vladimir Putin hopes");
    let s = store.evidence_summary(c.id).unwrap();
    let tass = &s.supporting[0];
    assert_eq!(tass.source, source(store, "Tass"));
    assert_eq!(tass.relayed_from, Some(source(store, "Putin")));
    assert_eq!(tass.origin, source(store, "Russia"));
}

per_backend!(seed_rounds_come_from_south_korea_and_opinions_lack_evidence);
fn seed_rounds_come_from_south_korea_and_opinions_lack_evidence(store: &Store) {
    seed(store);
    let rounds = claim(store, "North Korea has so far shipped about 12 million");
    let s = store.evidence_summary(rounds.id).unwrap();
    assert_eq!(s.origins_for.len(), 1);
    assert_eq!(s.origins_for[0].origin, source(store, "South Korea"));
    assert_eq!(
        s.origins_for[0].sources,
        vec![source(store, "South Korean defence intelligence")]
    );
    let opinion = claim(store, "Relations between Russia and North Korea");
    let s = store.evidence_summary(opinion.id).unwrap();
    assert_eq!(s.outcome, Outcome::NotEnoughEvidence);
    assert_eq!(s.all().count(), 0);
}

per_backend!(seed_chains_have_hand_checked_depths);
fn seed_chains_have_hand_checked_depths(store: &Store) {
    seed(store);
    let article = bundle::export(store).unwrap().publications[0].id;
    let pledge = claim(store, "North Korea is ready to unconditionally support");
    let chains = store.attribution_chains(pledge.id).unwrap();
    assert_eq!(chains.len(), 1);
    let c = &chains[0];
    let kim = source(store, "Kim Jong Un");
    let kcna = source(store, "KCNA");
    assert_eq!(c.primary, ChainNode::Source(kim));
    assert_eq!(c.depth(), 2);
    assert_eq!(c.relays(), vec![kcna]);
    assert_eq!(c.hops[0].from, ChainNode::Source(kim));
    assert_eq!(c.hops[0].to, ChainNode::Source(kcna));
    assert_eq!(c.hops[0].mode, Mode::Summary);
    assert_eq!(c.hops[1].to, ChainNode::Publication(article));
    assert_eq!(c.hops[1].mode, Mode::DirectQuote);

    let putin = claim(store, "Vladimir Putin hopes");
    let c = &store.attribution_chains(putin.id).unwrap()[0];
    assert_eq!(c.depth(), 3);
    assert_eq!(
        c.relays(),
        vec![source(store, "Sergei Lavrov"), source(store, "Tass")]
    );

    let troops10k = claim(store, "North Korea has deployed more than 10,000");
    let c = &store.attribution_chains(troops10k.id).unwrap()[0];
    assert_eq!(c.primary, ChainNode::Publication(article));
    assert_eq!(c.depth(), 0);

    let rounds = claim(store, "North Korea has so far shipped");
    let c = &store.attribution_chains(rounds.id).unwrap()[0];
    assert_eq!(c.depth(), 1);
    assert!(c.relays().is_empty());
}

per_backend!(seed_single_relay_claims);
fn seed_single_relay_claims(store: &Store) {
    seed(store);
    let found: Vec<(String, Vec<SourceId>)> = store
        .single_relay_claims()
        .unwrap()
        .into_iter()
        .map(|b| (store.claim(b.claim).unwrap().text, b.relays))
        .collect();
    let kcna = source(store, "KCNA");
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found[0].0.starts_with("North Korea is ready"));
    assert_eq!(found[0].1, vec![kcna]);
    assert_eq!(found[1].1, vec![source(store, "Russian media")]);
    assert_eq!(
        found[2].1,
        vec![source(store, "Sergei Lavrov"), source(store, "Tass")]
    );
    assert!(found[3].0.starts_with("The allies' steps"));
    assert_eq!(found[3].1, vec![kcna]);
}

per_backend!(seed_has_no_conflicts_and_first_appearance_is_the_day_said);
fn seed_has_no_conflicts_and_first_appearance_is_the_day_said(store: &Store) {
    seed(store);
    assert!(store.conflicts().unwrap().is_empty());
    let troops = claim(store, "North Korean troops are deployed");
    let first = store.first_appearance(troops.id).unwrap().unwrap();
    assert_eq!(first.date, Some(date("2025-07-12")));
    assert!(first.possibly_earlier.is_empty());
    // Said by the article itself: dated by the article's publication date.
    let engineers = claim(store, "North Korea agreed in June 2025");
    let first = store.first_appearance(engineers.id).unwrap().unwrap();
    assert_eq!(first.date, Some(date("2025-07-13")));
}

per_backend!(origin_of_walks_to_the_root);
fn origin_of_walks_to_the_root(store: &Store) {
    seed(store);
    let dprk = source(store, "DPRK");
    assert_eq!(store.origin_of(source(store, "KCNA")).unwrap(), dprk);
    assert_eq!(store.origin_of(dprk).unwrap(), dprk);
    assert_eq!(
        store
            .origin_of(source(store, "South Korean defence intelligence"))
            .unwrap(),
        source(store, "South Korea")
    );
    let stranger = NewSource::new("x", SourceKind::Person).into_source().unwrap().id;
    assert!(matches!(
        store.origin_of(stranger),
        Err(Error::NotFound { kind: "source", .. })
    ));
}

per_backend!(unknown_claim_is_not_found_everywhere);
fn unknown_claim_is_not_found_everywhere(store: &Store) {
    seed(store);
    let ghost = NewClaim::factual("ghost").into_claim().unwrap().id;
    for r in [
        store.evidence_summary(ghost).map(|_| ()),
        store.attribution_chains(ghost).map(|_| ()),
        store.conflicts_of(ghost).map(|_| ()),
        store.timeline(ghost).map(|_| ()),
        store.first_appearance(ghost).map(|_| ()),
    ] {
        assert!(matches!(r, Err(Error::NotFound { kind: "claim", .. })), "{r:?}");
    }
}

// ---------------------------------------------------------------- a source that flips its stance

per_backend!(flip_flopping_source_latest_stance_counts_and_history_stays);
fn flip_flopping_source_latest_stance_counts_and_history_stays(store: &Store) {
    let ministry = store
        .add_source(NewSource::new(
            "DPRK foreign ministry",
            SourceKind::GovernmentBody,
        ))
        .unwrap();
    let c = store
        .add_claim(NewClaim::factual("North Korean troops are in Kursk"))
        .unwrap();
    // Recorded out of order: the later confirmation is entered first, the earlier denial second.
    store
        .add_evidence(
            c,
            NewEvidence::new(ministry, Stance::Supports)
                .as_of(date("2025-04-28"))
                .excerpt("confirmed the deployment"),
        )
        .unwrap();
    store
        .add_evidence(
            c,
            NewEvidence::new(ministry, Stance::Refutes)
                .as_of(date("2024-10"))
                .excerpt("groundless rumours"),
        )
        .unwrap();
    let s = store.evidence_summary(c).unwrap();
    assert_eq!(s.supporting.len(), 1);
    assert!(s.conflicting.is_empty());
    let h = &s.supporting[0].history;
    assert_eq!(h.current.excerpt.as_deref(), Some("confirmed the deployment"));
    assert_eq!(h.earlier.len(), 1);
    assert_eq!(h.earlier[0].stance, Stance::Refutes);
    assert!(h.changed());
    assert_eq!(s.outcome, Outcome::Supported);
    // A source disagreeing with its own past is not a conflict between sources.
    assert!(store.conflicts_of(c).unwrap().is_empty());
    assert!(store.conflicts().unwrap().is_empty());
    // The timeline keeps both, in the order said: October 2024 before 28 April 2025.
    let t = store.timeline(c).unwrap();
    let stances: Vec<Stance> = t
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Stance { stance, .. } => Some(stance),
            _ => None,
        })
        .collect();
    assert_eq!(stances, vec![Stance::Refutes, Stance::Supports]);

    // It flips back, undated: an undated record counts as older than any dated one, so no change.
    store
        .add_evidence(c, NewEvidence::new(ministry, Stance::Refutes))
        .unwrap();
    let s = store.evidence_summary(c).unwrap();
    assert_eq!(s.supporting.len(), 1);
    assert_eq!(s.supporting[0].history.earlier.len(), 2);
    // A day inside the month of the latest record is later than the month itself.
    store
        .add_evidence(
            c,
            NewEvidence::new(ministry, Stance::Refutes).as_of(date("2025-04")),
        )
        .unwrap();
    assert_eq!(store.evidence_summary(c).unwrap().supporting.len(), 1);
    store
        .add_evidence(
            c,
            NewEvidence::new(ministry, Stance::Mixed).as_of(date("2025-04-29")),
        )
        .unwrap();
    let s = store.evidence_summary(c).unwrap();
    assert_eq!(s.mixed.len(), 1);
    assert!(s.supporting.is_empty());
    assert_eq!(s.outcome, Outcome::ConflictingEvidence);
}

per_backend!(same_date_records_are_ordered_by_recording_time);
fn same_date_records_are_ordered_by_recording_time(store: &Store) {
    let s1 = person(store, "Spokesperson");
    let c = store.add_claim(NewClaim::factual("Talks resumed")).unwrap();
    store
        .add_evidence(c, NewEvidence::new(s1, Stance::Refutes).as_of(date("2025-05-01")))
        .unwrap();
    store
        .add_evidence(c, NewEvidence::new(s1, Stance::Neutral).as_of(date("2025-05-01")))
        .unwrap();
    let s = store.evidence_summary(c).unwrap();
    assert_eq!(s.neutral.len(), 1);
    assert_eq!(s.outcome, Outcome::NotEnoughEvidence);
}

// ---------------------------------------------------------------- three relays of one origin

per_backend!(three_relays_of_one_origin_count_as_one);
fn three_relays_of_one_origin_count_as_one(store: &Store) {
    let state = store
        .add_source(NewSource::new("State X", SourceKind::GovernmentBody))
        .unwrap();
    let ministry = store
        .add_source(NewSource::new("Ministry of X", SourceKind::GovernmentBody).part_of(state))
        .unwrap();
    let outlets: Vec<SourceId> = ["Outlet A", "Outlet B", "Outlet C"]
        .iter()
        .map(|n| store.add_source(NewSource::new(*n, SourceKind::Outlet)).unwrap())
        .collect();
    let c = store
        .add_claim(NewClaim::factual("The dam was finished in May"))
        .unwrap();
    for o in &outlets {
        store
            .attribute(c, NewAttribution::said_by(ministry).via(*o))
            .unwrap();
        store
            .add_evidence(c, NewEvidence::new(*o, Stance::Supports))
            .unwrap();
    }
    let s = store.evidence_summary(c).unwrap();
    assert_eq!(s.supporting.len(), 3);
    assert_eq!(s.independent_for(), 1);
    assert_eq!(s.origins_for[0].origin, state);
    assert_eq!(s.origins_for[0].sources, outlets);
    assert!(s.supporting.iter().all(|x| x.relayed_from == Some(ministry)));

    // An outlet with its own reporting (not a relay) is a second origin.
    let own = store
        .add_source(NewSource::new("Outlet D", SourceKind::Outlet))
        .unwrap();
    store.attribute(c, NewAttribution::said_by(own)).unwrap();
    store
        .add_evidence(c, NewEvidence::new(own, Stance::Supports))
        .unwrap();
    let s = store.evidence_summary(c).unwrap();
    assert_eq!(s.independent_for(), 2);
    // A refutation from a third origin makes the evidence conflict.
    let watchdog = person(store, "Watchdog");
    store
        .add_evidence(c, NewEvidence::new(watchdog, Stance::Refutes))
        .unwrap();
    let s = store.evidence_summary(c).unwrap();
    assert_eq!(s.independent_against(), 1);
    assert_eq!(s.outcome, Outcome::ConflictingEvidence);
    let conflicts = store.conflicts_of(c).unwrap();
    assert_eq!(conflicts.len(), 1);
    match &conflicts[0] {
        Conflict::OpposedSources {
            supporting, refuting, ..
        } => {
            assert_eq!(supporting.len(), 4);
            assert_eq!(refuting, &vec![watchdog]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store.conflicts().unwrap(), conflicts);
}

per_backend!(relay_through_a_publication_publisher_adds_no_origin);
fn relay_through_a_publication_publisher_adds_no_origin(store: &Store) {
    let agency = store
        .add_source(NewSource::new("Wire agency", SourceKind::NewsAgency))
        .unwrap();
    let paper = store
        .add_source(NewSource::new("Daily Paper", SourceKind::Outlet))
        .unwrap();
    let edition = store
        .add_publication(NewPublication::new("Daily Paper, 3 May").publisher(paper))
        .unwrap();
    let c = store
        .add_claim(NewClaim::factual("The bridge collapsed"))
        .unwrap();
    store
        .attribute(c, NewAttribution::said_by(agency).in_publication(edition))
        .unwrap();
    for s in [agency, paper] {
        store
            .add_evidence(c, NewEvidence::new(s, Stance::Supports))
            .unwrap();
    }
    let s = store.evidence_summary(c).unwrap();
    assert_eq!(s.independent_for(), 1);
    assert_eq!(s.supporting[1].relayed_from, Some(agency));
}

per_backend!(outcomes_follow_the_documented_rule);
fn outcomes_follow_the_documented_rule(store: &Store) {
    let a = person(store, "A");
    let b = person(store, "B");
    let liar = store
        .add_source(NewSource::new("Known fabricator", SourceKind::Outlet).reliability(Reliability::E))
        .unwrap();
    let refuted = store.add_claim(NewClaim::factual("refuted claim")).unwrap();
    store
        .add_evidence(refuted, NewEvidence::new(a, Stance::Refutes))
        .unwrap();
    store
        .add_evidence(refuted, NewEvidence::new(b, Stance::Neutral))
        .unwrap();
    assert_eq!(store.evidence_summary(refuted).unwrap().outcome, Outcome::Refuted);

    // Only an unreliable (E) source, or only improbable (5) information: not enough evidence, though
    // the stances are still listed.
    let weak = store.add_claim(NewClaim::factual("weakly backed claim")).unwrap();
    store
        .add_evidence(weak, NewEvidence::new(liar, Stance::Supports))
        .unwrap();
    store
        .add_evidence(
            weak,
            NewEvidence::new(a, Stance::Refutes).credibility(Credibility::Improbable),
        )
        .unwrap();
    let s = store.evidence_summary(weak).unwrap();
    assert_eq!(s.outcome, Outcome::NotEnoughEvidence);
    assert_eq!((s.supporting.len(), s.conflicting.len()), (1, 1));
    assert!(!s.supporting[0].weighed && !s.conflicting[0].weighed);
    assert_eq!(s.independent_for(), 0);

    let none = store.add_claim(NewClaim::factual("unexamined claim")).unwrap();
    assert_eq!(
        store.evidence_summary(none).unwrap().outcome,
        Outcome::NotEnoughEvidence
    );
}

// ---------------------------------------------------------------- a deep chain

per_backend!(deep_chain_has_one_hop_per_relay_and_credits_the_first_speaker);
fn deep_chain_has_one_hop_per_relay_and_credits_the_first_speaker(store: &Store) {
    let origin_state = store
        .add_source(NewSource::new("State Y", SourceKind::GovernmentBody))
        .unwrap();
    let speaker = store
        .add_source(NewSource::new("Minister", SourceKind::Person).part_of(origin_state))
        .unwrap();
    let relays: Vec<SourceId> = (0..12).map(|i| person(store, &format!("relay {i}"))).collect();
    let paper = store.add_publication(NewPublication::new("Final paper")).unwrap();
    let c = store
        .add_claim(NewClaim::factual("A rumour that travelled far"))
        .unwrap();
    let modes = [
        Mode::Translation,
        Mode::Summary,
        Mode::Paraphrase,
        Mode::DirectQuote,
    ];
    let mut new = NewAttribution::said_by(speaker)
        .in_publication(paper)
        .paraphrase();
    for (i, r) in relays.iter().enumerate() {
        new = new.via_as(*r, modes[i % 4]);
    }
    store.attribute(c, new).unwrap();
    let chain = &store.attribution_chains(c).unwrap()[0];
    assert_eq!(chain.depth(), 13);
    assert_eq!(chain.relays(), relays);
    for (i, hop) in chain.hops.iter().enumerate().take(12) {
        assert_eq!(hop.mode, modes[i % 4]);
        assert_eq!(hop.to, ChainNode::Source(relays[i]));
    }
    assert_eq!(chain.hops[12].to, ChainNode::Publication(paper));
    assert_eq!(chain.hops[12].mode, Mode::Paraphrase);

    // The last relay's support is credited to the first speaker's origin.
    store
        .add_evidence(c, NewEvidence::new(relays[11], Stance::Supports))
        .unwrap();
    let s = store.evidence_summary(c).unwrap();
    assert_eq!(s.supporting[0].relayed_from, Some(speaker));
    assert_eq!(s.origins_for[0].origin, origin_state);

    // A relay chain recorded in two attributions (speaker → r0, then r0 → r1 as r0's own words are
    // relayed) still leads back: r1 only relays r0, who only relays the minister.
    let c2 = store.add_claim(NewClaim::factual("A second rumour")).unwrap();
    store
        .attribute(c2, NewAttribution::said_by(speaker).via(relays[0]))
        .unwrap();
    store
        .attribute(
            c2,
            NewAttribution::by_publication(paper)
                .via(relays[0])
                .via(relays[1]),
        )
        .unwrap();
    store
        .add_evidence(c2, NewEvidence::new(relays[1], Stance::Supports))
        .unwrap();
    let s = store.evidence_summary(c2).unwrap();
    assert_eq!(s.origins_for[0].origin, origin_state);

    // Both routes of c2 pass through relay 0.
    let b = store.single_relay_claims().unwrap();
    let c2_b = b.iter().find(|x| x.claim == c2).unwrap();
    assert_eq!(c2_b.relays, vec![relays[0]]);
    assert_eq!(b.iter().find(|x| x.claim == c).unwrap().relays, relays);
}

per_backend!(a_direct_route_removes_a_claim_from_the_single_relay_list);
fn a_direct_route_removes_a_claim_from_the_single_relay_list(store: &Store) {
    let kim = person(store, "Kim");
    let agency = person(store, "Agency");
    let c = store.add_claim(NewClaim::factual("c")).unwrap();
    store
        .attribute(c, NewAttribution::said_by(kim).via(agency))
        .unwrap();
    store
        .attribute(c, NewAttribution::said_by(kim).via(agency))
        .unwrap();
    assert_eq!(store.single_relay_claims().unwrap()[0].relays, vec![agency]);
    store.attribute(c, NewAttribution::said_by(kim)).unwrap();
    assert!(store.single_relay_claims().unwrap().is_empty());
}

// ---------------------------------------------------------------- quantities

fn figure_claim(store: &Store, text: &str, q: Quantity) -> ClaimId {
    store.add_claim(NewClaim::factual(text).quantity(q)).unwrap()
}

fn figure_conflicts(store: &Store, c: ClaimId) -> Vec<ClaimId> {
    store
        .conflicts_of(c)
        .unwrap()
        .into_iter()
        .filter_map(|x| match x {
            Conflict::Figures { other, .. } => Some(other),
            _ => None,
        })
        .collect()
}

per_backend!(quantity_bounds_that_do_and_do_not_conflict);
fn quantity_bounds_that_do_and_do_not_conflict(store: &Store) {
    let subject = "North Korean troops in Russia";
    let more_10k = figure_claim(
        store,
        "more than 10,000 troops",
        Quantity::more_than(10_000.0, "troops").subject(subject),
    );
    let about_3k = figure_claim(store, "about 3,000 troops", Quantity::about(3_000.0, "troops"));
    let exact_11k = figure_claim(
        store,
        "11,000 troops",
        Quantity::exact(11_000.0, "Troops").subject(subject),
    );
    let about_9500 = figure_claim(store, "about 9,500 troops", Quantity::about(9_500.0, "troop"));
    let other_subject = figure_claim(
        store,
        "2,000 troops in Belarus",
        Quantity::exact(2_000.0, "troops").subject("Russian troops in Belarus"),
    );
    let other_unit = figure_claim(store, "3,000 engineers", Quantity::exact(3_000.0, "engineers"));
    let last_year = store
        .add_claim(
            NewClaim::factual("about 3,000 troops in 2023")
                .quantity(Quantity::about(3_000.0, "troops"))
                .about(date("2023")),
        )
        .unwrap();
    store
        .update_claim(&{
            let mut c = store.claim(more_10k).unwrap();
            c.about = Some(date("2024-11"));
            c
        })
        .unwrap();

    // > 10,000 vs ≈ 3,000 (2,700–3,300): no number satisfies both.
    let mut found = figure_conflicts(store, more_10k);
    found.sort();
    let mut expected = vec![about_3k];
    // ≈ 9,500 reaches up to 10,450, which is more than 10,000: compatible. 2023 vs Nov 2024: not compared.
    expected.sort();
    assert_eq!(found, expected);
    // 11,000 exactly is more than 10,000, and within ≈ 9,500 ± 950 (8,550–10,450)? No: it conflicts
    // with ≈ 9,500 and with ≈ 3,000.
    let mut found = figure_conflicts(store, exact_11k);
    found.sort();
    let mut expected = vec![about_3k, about_9500, last_year];
    expected.sort();
    assert_eq!(found, expected);
    // The relation is symmetric through the store too. ≈ 3,000 names no subject, so it is compared with
    // every troop figure: more_10k, exact_11k, about_9500, and 2,000 in Belarus.
    let mut found = figure_conflicts(store, about_3k);
    found.sort();
    let mut expected = vec![more_10k, exact_11k, about_9500, other_subject];
    expected.sort();
    assert_eq!(found, expected);
    // 2,000 in Belarus is not compared with the figures about troops in Russia (subjects differ), only
    // with those that name no subject: ≈ 3,000 (twice) and ≈ 9,500.
    let mut found = figure_conflicts(store, other_subject);
    found.sort();
    let mut expected = vec![about_3k, about_9500, last_year];
    expected.sort();
    assert_eq!(found, expected);
    assert!(figure_conflicts(store, other_unit).is_empty());

    // The whole-store scan reports each pair once.
    let all: Vec<(ClaimId, ClaimId)> = store
        .conflicts()
        .unwrap()
        .into_iter()
        .filter_map(|x| match x {
            Conflict::Figures { claim, other, .. } => Some((claim, other)),
            _ => None,
        })
        .collect();
    let count_pair = |a: ClaimId, b: ClaimId| {
        all.iter()
            .filter(|(x, y)| (*x == a && *y == b) || (*x == b && *y == a))
            .count()
    };
    assert_eq!(count_pair(more_10k, about_3k), 1);
    assert_eq!(count_pair(exact_11k, about_9500), 1);
    assert_eq!(count_pair(exact_11k, last_year), 1);
    assert_eq!(count_pair(more_10k, exact_11k), 0);
    assert_eq!(count_pair(more_10k, last_year), 0);
    // more_10k↔about_3k, exact_11k↔about_3k, exact_11k↔about_9500, exact_11k↔last_year,
    // about_9500↔about_3k, about_9500↔last_year, and 2,000 in Belarus with about_3k, about_9500, last_year.
    assert_eq!(all.len(), 9, "{all:?}");
}

per_backend!(engineers_six_thousand_versus_one_thousand);
fn engineers_six_thousand_versus_one_thousand(store: &Store) {
    seed(store);
    let engineers = claim(store, "North Korea agreed in June 2025");
    let rival = figure_claim(
        store,
        "North Korea sent 1,000 engineers to Kursk",
        Quantity::exact(1_000.0, "military engineers and builders"),
    );
    assert_eq!(figure_conflicts(store, engineers.id), vec![rival]);
    assert_eq!(figure_conflicts(store, rival), vec![engineers.id]);
}

per_backend!(explicit_links_are_conflicts_both_ways);
fn explicit_links_are_conflicts_both_ways(store: &Store) {
    seed(store);
    let troops = claim(store, "North Korean troops are deployed");
    let denial = store
        .add_claim(NewClaim::factual("No North Korean soldier is in Russia"))
        .unwrap();
    let link = ClaimLink::new(denial, LinkKind::Denies, troops.id)
        .and_then(|l| store.add_link(&l))
        .unwrap();
    for c in [troops.id, denial] {
        let conflicts = store.conflicts_of(c).unwrap();
        assert_eq!(
            conflicts,
            vec![Conflict::Linked {
                link,
                from: denial,
                kind: LinkKind::Denies,
                to: troops.id
            }]
        );
    }
    // Corroborating links (the seed has two) are not conflicts.
    assert_eq!(store.conflicts().unwrap().len(), 1);
}

// ---------------------------------------------------------------- timeline

per_backend!(timeline_respects_date_precision);
fn timeline_respects_date_precision(store: &Store) {
    let a = person(store, "A");
    let b = person(store, "B");
    let reviewer = person(store, "Desk");
    let c = store.add_claim(NewClaim::factual("The plant closed")).unwrap();
    let day = store
        .attribute(c, NewAttribution::said_by(a).said_on(date("2025-06-20")))
        .unwrap();
    let month = store
        .attribute(c, NewAttribution::said_by(b).said_on(date("2025-06")))
        .unwrap();
    let later = store
        .attribute(c, NewAttribution::said_by(b).said_on(date("2025-07-01")))
        .unwrap();
    let undated = store.attribute(c, NewAttribution::said_by(a)).unwrap();
    store
        .add_evidence(c, NewEvidence::new(a, Stance::Supports).as_of(date("2025-06-01")))
        .unwrap();
    store
        .add_review(c, NewReview::new(Verdict::True).by(reviewer).on(date("2025-08")))
        .unwrap();
    let t = store.timeline(c).unwrap();
    let kinds: Vec<String> = t
        .events
        .iter()
        .map(|e| match &e.kind {
            EventKind::Said { attribution, .. } if *attribution == day => "said 06-20".into(),
            EventKind::Said { attribution, .. } if *attribution == month => "said 06".into(),
            EventKind::Said { attribution, .. } if *attribution == later => "said 07-01".into(),
            EventKind::Said { attribution, .. } if *attribution == undated => "said ?".into(),
            EventKind::Stance { .. } => "stance 06-01".into(),
            EventKind::Reviewed { .. } => "review 08".into(),
            other => format!("{other:?}"),
        })
        .collect();
    // June (the month) heads the days of June; it is not treated as 1 June.
    assert_eq!(
        kinds,
        vec![
            "said 06",
            "stance 06-01",
            "said 06-20",
            "said 07-01",
            "review 08",
            "said ?"
        ]
    );
    let first = store.first_appearance(c).unwrap().unwrap();
    assert_eq!(first.attribution, month);
    assert_eq!(first.date, Some(date("2025-06")));
    // 20 June lies inside June: the records cannot say which came first. 1 July can be ordered.
    assert_eq!(first.possibly_earlier, vec![day]);
}

per_backend!(first_appearance_of_unattributed_claim_is_none);
fn first_appearance_of_unattributed_claim_is_none(store: &Store) {
    let c = store.add_claim(NewClaim::factual("nobody said this")).unwrap();
    assert_eq!(store.first_appearance(c).unwrap(), None);
    assert!(store.timeline(c).unwrap().events.is_empty());
}

per_backend!(search_hits_say_where_they_matched);
fn search_hits_say_where_they_matched(store: &Store) {
    seed(store);
    // "message" appears only in Tass's evidence excerpt.
    let hits = store.search("message", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(matches!(hits[0].matched_in, MatchedIn::Excerpt(_)));
    assert!(hits[0].claim_text.starts_with("Vladimir Putin hopes"));
}

per_backend!(withdrawn_evidence_never_counts_whatever_its_date);
fn withdrawn_evidence_never_counts_whatever_its_date(store: &Store) {
    let agency = person(store, "Wire agency");
    let other = person(store, "Second outlet");
    let c = store
        .add_claim(NewClaim::factual("The bridge was destroyed"))
        .unwrap();
    let first = store
        .add_evidence(
            c,
            NewEvidence::new(agency, Stance::Supports).as_of(date("2025-05-02")),
        )
        .unwrap();
    // The desk corrects the record: the agency actually refuted it. The revision carries no date, which
    // on its own would sort it before the dated original; the original is withdrawn, so it cannot count.
    let revised = store
        .revise_evidence(
            first,
            NewEvidence::new(agency, Stance::Refutes),
            "misread the wire",
        )
        .unwrap();
    let s = store.evidence_summary(c).unwrap();
    assert!(s.supporting.is_empty());
    assert_eq!(s.conflicting.len(), 1);
    assert_eq!(s.conflicting[0].history.current.id, revised);
    assert_eq!(s.conflicting[0].history.earlier[0].id, first);
    assert_eq!(s.outcome, Outcome::Refuted);

    // A retracted record drops out; a source with nothing left that counts is not in the summary.
    let e = store
        .add_evidence(c, NewEvidence::new(other, Stance::Refutes))
        .unwrap();
    assert_eq!(store.evidence_summary(c).unwrap().conflicting.len(), 2);
    store.retract_evidence(e, "entered on the wrong claim").unwrap();
    let s = store.evidence_summary(c).unwrap();
    assert_eq!(s.conflicting.len(), 1);
    assert_eq!(s.conflicting[0].source, agency);
}

per_backend!(the_summary_knows_each_kind_and_follows_a_changed_one);
fn the_summary_knows_each_kind_and_follows_a_changed_one(store: &Store) {
    let src = store
        .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
        .unwrap();
    let mut ids = Vec::new();
    for new in [
        NewClaim::factual("Troops crossed the river"),
        NewClaim::opinion("The crossing was a mistake"),
        NewClaim::prediction("More troops will cross"),
        NewClaim::pledge("We will send troops"),
    ] {
        let c = store.add_claim(new).unwrap();
        store
            .add_evidence(c, NewEvidence::new(src, Stance::Supports))
            .unwrap();
        ids.push(c);
    }
    let checkable: Vec<bool> = ids
        .iter()
        .map(|c| store.evidence_summary(*c).unwrap().checkable)
        .collect();
    assert_eq!(checkable, [true, false, false, false]);
    // A kind changed by an update is the kind the summary sees, both ways.
    let mut factual = store.claim(ids[0]).unwrap();
    factual.kind = ClaimKind::Opinion;
    store.update_claim(&factual).unwrap();
    assert!(!store.evidence_summary(ids[0]).unwrap().checkable);
    let mut opinion = store.claim(ids[1]).unwrap();
    opinion.kind = ClaimKind::Factual;
    store.update_claim(&opinion).unwrap();
    assert!(store.evidence_summary(ids[1]).unwrap().checkable);
    assert!(store.check().unwrap().is_ok());
}
