//! Properties: model values survive serde JSON and the store unchanged; writes then reads agree.

#[path = "common/backend.rs"]
mod backend;

use backend::{Desk, per_backend_property};
use claimtrack::io::{ImportOptions, bundle};
use std::collections::HashMap;

use claimtrack::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use time::OffsetDateTime;

fn text() -> impl Strategy<Value = String> {
    // Printable text in any script, quotes and SQL included; never blank.
    prop_oneof![
        "\\PC{1,40}",
        "[a-zA-Z' \"();-]{1,30}",
        Just("'); DROP TABLE claims; --".to_string()),
        "[가-힣 ]{1,12}",
        "[а-яА-Я ]{1,12}",
        "[\u{0600}-\u{06FF} ]{1,12}",
    ]
    .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn timestamp() -> impl Strategy<Value = OffsetDateTime> {
    (0i64..4_000_000_000_000_000_000)
        .prop_map(|n| OffsetDateTime::from_unix_timestamp_nanos(n as i128).unwrap())
}

fn date() -> impl Strategy<Value = PartialDate> {
    prop_oneof![
        (1i32..=9999).prop_map(|y| PartialDate::year(y).unwrap()),
        (1i32..=9999, 1u8..=12).prop_map(|(y, m)| PartialDate::month(y, m).unwrap()),
        (1i32..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| PartialDate::day(y, m, d).unwrap()),
        timestamp().prop_map(|t| PartialDate::instant(t).unwrap()),
    ]
}

fn quantity() -> impl Strategy<Value = Quantity> {
    (
        prop_oneof![
            any::<f64>().prop_filter("finite", |v| v.is_finite()),
            -1e9f64..1e9
        ],
        text(),
        proptest::sample::select(Bound::ALL.to_vec()),
        proptest::option::of(text()),
    )
        .prop_map(|(value, unit, bound, subject)| Quantity {
            value,
            unit,
            bound,
            subject,
        })
}

fn claim() -> impl Strategy<Value = Claim> {
    (
        text(),
        proptest::option::of(proptest::sample::select(vec!["en", "ko", "ru", "ar", "en-GB"])),
        proptest::sample::select(ClaimKind::ALL.to_vec()),
        proptest::collection::vec(quantity(), 0..4),
        proptest::option::of(date()),
        proptest::collection::btree_set("[a-z-]{1,10}", 0..4),
        (timestamp(), proptest::option::of(date())),
    )
        .prop_map(
            |(text, language, kind, quantities, about, tags, (created_at, made_on))| Claim {
                id: ClaimId::new(),
                text,
                language: language.map(str::to_string),
                kind,
                quantities,
                about,
                made_on,
                tags: tags.into_iter().collect(),
                created_at,
            },
        )
}

/// A whole consistent bundle: sources (each optionally under an earlier one), publications, claims and
/// records pointing at them.
fn bundle() -> impl Strategy<Value = Bundle> {
    let sources = proptest::collection::vec(
        (
            text(),
            proptest::collection::vec(text(), 0..3),
            proptest::sample::select(SourceKind::ALL.to_vec()),
            proptest::option::of(proptest::sample::select(vec!["KP", "RU", "KR", "US", "UA"])),
            any::<prop::sample::Index>(),
            any::<bool>(),
            proptest::sample::select(Reliability::ALL.to_vec()),
            proptest::option::of(text()),
            timestamp(),
        ),
        1..6,
    );
    let claims = proptest::collection::vec(claim(), 1..6);
    let refs = proptest::collection::vec(
        (
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            any::<u8>(),
            proptest::option::of(text()),
            proptest::option::of(date()),
        ),
        0..10,
    );
    (sources, claims, refs, timestamp()).prop_map(|(raw_sources, claims, refs, t)| {
        let mut b = Bundle::default();
        for (i, (name, aliases, kind, country, parent, has_parent, reliability, notes, created_at)) in
            raw_sources.into_iter().enumerate()
        {
            let part_of = (has_parent && i > 0).then(|| b.sources[parent.index(i)].id);
            b.sources.push(Source {
                id: SourceId::new(),
                name,
                aliases,
                kind,
                country: country.map(|c| CountryCode::new(c).unwrap()),
                part_of,
                affiliation: if i % 2 == 0 {
                    AffiliationKind::PartOf
                } else {
                    AffiliationKind::ControlledBy
                },
                reliability,
                notes,
                created_at,
            });
        }
        b.publications.push(Publication {
            id: PublicationId::new(),
            title: Some("Wire report".into()),
            url: Some("https://example.org/a?b=c&d='e'".into()),
            archive_url: Some("https://web.archive.org/web/2025/https://example.org/a".into()),
            publisher: Some(b.sources[0].id),
            published: Some(PartialDate::month(2025, 7).unwrap()),
            retrieved: None,
            language: Some("en".into()),
            created_at: t,
        });
        b.claims = claims;
        for (k, (ci, si, sj, n, words, when)) in refs.into_iter().enumerate() {
            let claim = b.claims[ci.index(b.claims.len())].id;
            let source = b.sources[si.index(b.sources.len())].id;
            let relay = b.sources[sj.index(b.sources.len())].id;
            match n % 4 {
                0 => b.attributions.push(Attribution {
                    id: AttributionId::new(),
                    claim,
                    speaker: (n % 8 != 4).then_some(source),
                    // A relay equal to the speaker (A -> A) is refused as Invalid: not generated.
                    relays: if n % 3 == 0 && (n % 8 == 4 || relay != source) {
                        vec![Relay {
                            source: relay,
                            mode: Mode::Translation,
                        }]
                    } else {
                        vec![]
                    },
                    publication: Some(b.publications[0].id),
                    mode: Mode::ALL[usize::from(n) % Mode::ALL.len()],
                    quote: words,
                    said_on: when,
                    created_at: t,
                }),
                1 => b.evidence.push(Evidence {
                    id: EvidenceId::new(),
                    claim,
                    source: Some(source),
                    stance: Stance::ALL[usize::from(n) % 4],
                    question: (n % 5 == 1).then(|| "Who said it first?".to_string()),
                    answer_type: (n % 5 == 1).then_some(AnswerType::ALL[usize::from(n) % 4]),
                    credibility: Credibility::ALL[usize::from(n) % 6],
                    excerpt: words,
                    publication: None,
                    as_of: when,
                    created_at: t,
                }),
                2 => b.reviews.push(Review {
                    id: ReviewId::new(),
                    claim,
                    verdict: Verdict::ALL
                        .get(usize::from(n) % (Verdict::ALL.len() + 1))
                        .copied(),
                    label: words,
                    rating: (n % 5 == 0).then(|| Rating {
                        value: 2.0,
                        best: 5.0,
                        worst: 1.0,
                        alternate_name: Some("Half".into()),
                    }),
                    rationale: None,
                    reviewer: Some(source),
                    reviewed_on: when,
                    url: None,
                    created_at: t,
                }),
                _ => {
                    let other = b.claims[(ci.index(b.claims.len()) + 1) % b.claims.len()].id;
                    let kind = LinkKind::ALL[k % LinkKind::ALL.len()];
                    let dup = b
                        .links
                        .iter()
                        .any(|l| l.from == claim && l.to == other && l.kind == kind);
                    if other != claim && !dup {
                        b.links.push(ClaimLink {
                            id: ClaimLinkId::new(),
                            from: claim,
                            kind,
                            to: other,
                            note: words,
                            created_at: t,
                        });
                    }
                }
            }
        }
        b
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn model_values_round_trip_through_json(b in bundle()) {
        let json = serde_json::to_string(&b).unwrap();
        let back: Bundle = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, b);
    }

    #[test]
    fn dates_round_trip_as_text(d in date()) {
        let back: PartialDate = d.to_string().parse().unwrap();
        prop_assert_eq!(back, d);
    }
}

// Each case on a fresh desk of its own; on PostgreSQL 16 cases (a schema each).
per_backend_property!(model_values_round_trip_through_the_store, 48, bundle());
fn model_values_round_trip_through_the_store(desk: &Desk, b: Bundle) -> Result<(), TestCaseError> {
    // A name or alias of invisible characters only is refused (it would match nothing).
    prop_assume!(b.sources.iter().all(|x| {
        std::iter::once(&x.name)
            .chain(&x.aliases)
            .all(|n| !claimtrack::name_key(n).is_empty())
    }));
    let s = desk.open();
    let summary = bundle::import(&s, &b, ImportOptions::default()).unwrap();
    prop_assert_eq!(summary.inserted as usize, b.len());
    let mut out = bundle::export(&s).unwrap();
    // Export lists sources in insertion order (parents first); the generated order already is.
    out.sources.sort_by_key(|x| x.id);
    let mut want = b.clone();
    want.sources.sort_by_key(|x| x.id);
    prop_assert_eq!(out, want);
    // A second import changes nothing.
    let again = bundle::import(&s, &b, ImportOptions::default()).unwrap();
    prop_assert_eq!(
        (again.inserted, again.updated, again.unchanged as usize),
        (0, 0, b.len())
    );
    Ok(())
}

/// One write the sequence test can make.
#[derive(Debug, Clone)]
enum Op {
    AddSource(String),
    AddClaim(String),
    Retext(usize, String),
    Evidence(usize, usize, Stance),
    Attribute(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        text().prop_map(Op::AddSource),
        text().prop_map(Op::AddClaim),
        (any::<usize>(), text()).prop_map(|(i, t)| Op::Retext(i, t)),
        (
            any::<usize>(),
            any::<usize>(),
            proptest::sample::select(Stance::ALL.to_vec())
        )
            .prop_map(|(c, s, st)| Op::Evidence(c, s, st)),
        (any::<usize>(), any::<usize>()).prop_map(|(c, s)| Op::Attribute(c, s)),
    ]
}

// Any sequence of valid writes, then reads, returns what was written (checked against a plain model).
per_backend_property!(
    writes_then_reads_agree,
    48,
    proptest::collection::vec(op(), 1..40)
);
fn writes_then_reads_agree(desk: &Desk, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let s = desk.open();
    let mut sources: Vec<(SourceId, String)> = Vec::new();
    let mut claims: Vec<(ClaimId, String)> = Vec::new();
    let mut evidence: HashMap<ClaimId, Vec<(SourceId, Stance)>> = HashMap::new();
    let mut speakers: HashMap<ClaimId, Vec<SourceId>> = HashMap::new();
    for op in ops {
        match op {
            Op::AddSource(name) => {
                // One source per name key: a look-alike of a stored name is refused.
                let added = s.add_source(NewSource::new(name.clone(), SourceKind::Person));
                if claimtrack::name_key(&name).is_empty() {
                    prop_assert!(added.is_err(), "a name of invisible characters was accepted");
                } else if sources
                    .iter()
                    .any(|(_, n)| claimtrack::name_key(n) == claimtrack::name_key(&name))
                {
                    let refused = matches!(added, Err(claimtrack::Error::Duplicate { kind: "source", .. }));
                    prop_assert!(refused, "a look-alike source was not refused");
                } else {
                    sources.push((added.unwrap(), name));
                }
            }
            Op::AddClaim(text) => {
                let id = s.add_claim(NewClaim::factual(text.clone())).unwrap();
                claims.push((id, text));
            }
            Op::Retext(i, text) if !claims.is_empty() => {
                let k = i % claims.len();
                let mut c = s.claim(claims[k].0).unwrap();
                c.text = text.clone();
                s.update_claim(&c).unwrap();
                claims[k].1 = text;
            }
            Op::Evidence(c, src, stance) if !claims.is_empty() && !sources.is_empty() => {
                let (claim, source) = (claims[c % claims.len()].0, sources[src % sources.len()].0);
                s.add_evidence(claim, NewEvidence::new(source, stance)).unwrap();
                evidence.entry(claim).or_default().push((source, stance));
            }
            Op::Attribute(c, src) if !claims.is_empty() && !sources.is_empty() => {
                let (claim, source) = (claims[c % claims.len()].0, sources[src % sources.len()].0);
                s.attribute(claim, NewAttribution::said_by(source)).unwrap();
                speakers.entry(claim).or_default().push(source);
            }
            _ => {}
        }
    }
    let stored: Vec<(ClaimId, String)> = s.claims().unwrap().into_iter().map(|c| (c.id, c.text)).collect();
    prop_assert_eq!(&stored, &claims);
    let stored_sources: Vec<(SourceId, String)> =
        s.sources().unwrap().into_iter().map(|x| (x.id, x.name)).collect();
    prop_assert_eq!(&stored_sources, &sources);
    for (claim, _) in &claims {
        let ev: Vec<(SourceId, Stance)> = s
            .evidence_of(*claim)
            .unwrap()
            .into_iter()
            .map(|e| (e.source.unwrap(), e.stance))
            .collect();
        prop_assert_eq!(ev, evidence.get(claim).cloned().unwrap_or_default());
        let sp: Vec<SourceId> = s
            .attributions_of(*claim)
            .unwrap()
            .into_iter()
            .filter_map(|a| a.speaker)
            .collect();
        prop_assert_eq!(sp, speakers.get(claim).cloned().unwrap_or_default());
    }
    Ok(())
}
