//! Properties of the analysis: quantity conflicts and independent-origin counting.

use std::collections::HashSet;

#[path = "common/backend.rs"]
mod backend;

use backend::{Desk, per_backend_property};

use claimtrack::analysis::{QuantityRange, comparable, quantities_conflict};
use claimtrack::{
    Bound, NewAttribution, NewClaim, NewEvidence, NewSource, Quantity, SourceId, SourceKind, Stance,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

fn bound() -> impl Strategy<Value = Bound> {
    prop::sample::select(Bound::ALL.to_vec())
}

/// Values on a coarse grid (so equal ends happen often) or anywhere in a wide range.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![(-20i32..20).prop_map(|v| f64::from(v) * 500.0), -1e9f64..1e9f64,]
}

fn quantity() -> impl Strategy<Value = Quantity> {
    (
        value(),
        bound(),
        prop::sample::select(vec!["troops", "Troop", "rounds", "engineers"]),
        prop::option::of(prop::sample::select(vec!["in Russia", "in Belarus"])),
    )
        .prop_map(|(v, b, u, s)| {
            let q = Quantity::new(v, u, b);
            match s {
                Some(s) => q.subject(s),
                None => q,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn conflict_is_symmetric(a in quantity(), b in quantity()) {
        prop_assert_eq!(quantities_conflict(&a, &b), quantities_conflict(&b, &a));
        prop_assert_eq!(comparable(&a, &b), comparable(&b, &a));
    }

    #[test]
    fn no_figure_conflicts_with_itself(a in quantity()) {
        prop_assert!(!quantities_conflict(&a, &a));
    }

    #[test]
    fn overlap_is_witnessed_and_disjointness_is_real(a in quantity(), b in quantity(), probes in prop::collection::vec(value(), 16)) {
        let (ra, rb) = (QuantityRange::of(&a), QuantityRange::of(&b));
        match ra.common_value(&rb) {
            Some(x) => prop_assert!(ra.contains(x) && rb.contains(x), "{x} not in both"),
            None => {
                // No number is in both: not the ends, not the values, not random probes.
                let mut points = probes;
                points.extend([a.value, b.value, ra.low, ra.high, rb.low, rb.high]);
                for x in points.into_iter().filter(|x| x.is_finite()) {
                    prop_assert!(!(ra.contains(x) && rb.contains(x)), "{x} is in both");
                }
            }
        }
        prop_assert_eq!(ra.overlaps(&rb), rb.overlaps(&ra));
    }

    #[test]
    fn a_figure_contains_its_own_value_unless_strict(a in quantity()) {
        let r = QuantityRange::of(&a);
        let strict = matches!(a.bound, Bound::MoreThan | Bound::LessThan);
        prop_assert_eq!(r.contains(a.value), !strict);
    }
}

/// A random affiliation forest: source `i` hangs from an earlier source or from nothing.
fn forest() -> impl Strategy<Value = (Vec<Option<usize>>, Vec<Option<Stance>>)> {
    (1usize..8).prop_flat_map(|n| {
        let parents = (0..n)
            .map(|i| {
                if i == 0 {
                    Just(None).boxed()
                } else {
                    prop::option::of(0..i).boxed()
                }
            })
            .collect::<Vec<_>>();
        let stances = prop::collection::vec(
            prop::option::of(prop::sample::select(vec![
                Stance::Supports,
                Stance::Refutes,
                Stance::Mixed,
                Stance::Neutral,
            ])),
            n,
        );
        (parents, stances)
    })
}

fn root(parents: &[Option<usize>], mut i: usize) -> usize {
    while let Some(p) = parents[i] {
        i = p;
    }
    i
}

// Each case on a fresh desk of its own; on PostgreSQL 16 cases (a schema each).
per_backend_property!(
    origin_counts_are_bounded_and_ignore_relays_of_existing_origins,
    48,
    (forest(), any::<prop::sample::Index>(), any::<bool>())
);
#[allow(clippy::type_complexity)]
fn origin_counts_are_bounded_and_ignore_relays_of_existing_origins(
    desk: &Desk,
    ((parents, stances), pick, as_child): (
        (Vec<Option<usize>>, Vec<Option<Stance>>),
        prop::sample::Index,
        bool,
    ),
) -> Result<(), TestCaseError> {
    let store = desk.open();
    let mut ids: Vec<SourceId> = Vec::new();
    for (i, p) in parents.iter().enumerate() {
        let mut s = NewSource::new(format!("source {i}"), SourceKind::Organisation);
        if let Some(p) = p {
            s = s.part_of(ids[*p]);
        }
        ids.push(store.add_source(s).unwrap());
    }
    let claim = store.add_claim(NewClaim::factual("a claim")).unwrap();
    for (i, st) in stances.iter().enumerate() {
        if let Some(st) = st {
            store.add_evidence(claim, NewEvidence::new(ids[i], *st)).unwrap();
        }
    }
    let before = store.evidence_summary(claim).unwrap();
    // Never more origins than distinct sources, on either side.
    let supporters: Vec<usize> = (0..ids.len())
        .filter(|i| stances[*i] == Some(Stance::Supports))
        .collect();
    prop_assert!(before.independent_for() <= supporters.len());
    prop_assert!(before.independent_against() <= before.conflicting.len());
    // And exactly the number of distinct roots, computed here independently.
    let roots: HashSet<usize> = supporters.iter().map(|i| root(&parents, *i)).collect();
    prop_assert_eq!(before.independent_for(), roots.len());

    // Add a relay of an existing supporting origin: either a new outlet that relays one supporter's
    // words, or a new source inside a supporter's tree. It supports too. The count must not move.
    if !supporters.is_empty() {
        let s = supporters[pick.index(supporters.len())];
        let relay = if as_child {
            store
                .add_source(NewSource::new("new member", SourceKind::Person).part_of(ids[s]))
                .unwrap()
        } else {
            let r = store
                .add_source(NewSource::new("new relay", SourceKind::Outlet))
                .unwrap();
            store
                .attribute(claim, NewAttribution::said_by(ids[s]).via(r))
                .unwrap();
            r
        };
        store
            .add_evidence(claim, NewEvidence::new(relay, Stance::Supports))
            .unwrap();
        let after = store.evidence_summary(claim).unwrap();
        prop_assert_eq!(after.independent_for(), before.independent_for());
        prop_assert_eq!(after.independent_against(), before.independent_against());
        prop_assert_eq!(after.supporting.len(), before.supporting.len() + 1);
        prop_assert_eq!(after.outcome, before.outcome);
    }
    Ok(())
}
