//! The store through the public API: create, read, update, list, delete, and refusals.

#[path = "common/backend.rs"]
mod backend;

use backend::{Backend, Desk, per_backend};
use claimtrack::ClaimLink;
use claimtrack::io::bundle;
use claimtrack::{
    Bundle, ClaimId, ClaimKind, Credibility, Error, LinkKind, Mode, NewAttribution, NewClaim, NewEvidence,
    NewPublication, NewReview, NewSource, PartialDate, Quantity, Rating, Reliability, SourceId, SourceKind,
    SourceRole, Stance, Store, Verdict,
};

/// Everything in the store, for "the database is unchanged" checks.
fn snapshot(s: &Store) -> Bundle {
    bundle::export(s).unwrap()
}

per_backend!(every_entity_round_trips_through_the_store);
fn every_entity_round_trips_through_the_store(s: &Store) {
    let dprk = s
        .add_source(NewSource::new("DPRK state", SourceKind::GovernmentBody).country("kp"))
        .unwrap();
    let kcna = s
        .add_source(
            NewSource::new("Korean Central News Agency", SourceKind::NewsAgency)
                .alias("KCNA")
                .country("KP")
                .controlled_by(dprk)
                .reliability(Reliability::D)
                .notes("state media"),
        )
        .unwrap();
    let kim = s
        .add_source(NewSource::new("Kim Jong Un", SourceKind::Person).part_of(dprk))
        .unwrap();
    let article = s
        .add_publication(
            NewPublication::new("Lavrov in Wonsan")
                .url("https://example.org/wonsan")
                .published("2025-07-13".parse().unwrap())
                .language("en"),
        )
        .unwrap();
    let claim = s
        .add_claim(
            NewClaim::pledge("The DPRK will unconditionally support Russia")
                .language("en")
                .quantity(Quantity::more_than(10_000.0, "troops").subject("troops in Russia"))
                .about(PartialDate::month(2025, 6).unwrap())
                .tag("north-korea")
                .tag("russia"),
        )
        .unwrap();
    let attribution = s
        .attribute(
            claim,
            NewAttribution::said_by(kim)
                .via(kcna)
                .quote("unconditional support")
                .in_publication(article)
                .said_on("2025-07-12".parse().unwrap()),
        )
        .unwrap();
    let evidence = s
        .add_evidence(
            claim,
            NewEvidence::new(kcna, Stance::Supports)
                .credibility(Credibility::PossiblyTrue)
                .excerpt("ready to unconditionally support")
                .in_publication(article)
                .as_of("2025-07-13".parse().unwrap()),
        )
        .unwrap();
    let other = s
        .add_claim(NewClaim::factual("North Korea stays neutral"))
        .unwrap();
    let link = ClaimLink::new(other, LinkKind::Contradicts, claim)
        .and_then(|l| s.add_link(&l))
        .unwrap();
    let mut rating = Rating::new(1.0, 1.0, 6.0);
    rating.alternate_name = Some("Pants on Fire".into());
    let review = s
        .add_review(
            claim,
            NewReview::new(Verdict::Unverifiable)
                .label("Unproven")
                .rating(rating)
                .rationale("A pledge cannot be checked yet")
                .by(kcna)
                .on("2025-07".parse().unwrap())
                .url("https://example.org/review"),
        )
        .unwrap();

    let src = s.source(kcna).unwrap();
    assert_eq!(src.aliases, vec!["KCNA"]);
    assert_eq!(src.country.unwrap().as_str(), "KP");
    assert_eq!(src.part_of, Some(dprk));
    assert_eq!(src.reliability, Reliability::D);

    let c = s.claim(claim).unwrap();
    assert_eq!(c.kind, ClaimKind::Pledge);
    assert_eq!(c.quantities[0].subject.as_deref(), Some("troops in Russia"));
    assert_eq!(c.tags, vec!["north-korea", "russia"]);
    assert_eq!(c.about.unwrap().to_string(), "2025-06");

    let a = s.attribution(attribution).unwrap();
    assert_eq!(a.chain().collect::<Vec<_>>(), vec![kim, kcna]);
    assert_eq!(a.mode, Mode::DirectQuote);
    assert_eq!(a.relays[0].mode, Mode::Summary);
    assert_eq!(s.attributions_of(claim).unwrap(), vec![a]);

    assert_eq!(s.evidence_of(claim).unwrap(), vec![s.evidence(evidence).unwrap()]);
    assert_eq!(s.evidence_by_source(kcna).unwrap().len(), 1);
    assert_eq!(s.links_of(claim).unwrap()[0].id, link);
    assert_eq!(s.links_of(other).unwrap()[0].kind, LinkKind::Contradicts);
    let r = s.review(review).unwrap();
    assert_eq!(
        r.rating.as_ref().unwrap().alternate_name.as_deref(),
        Some("Pants on Fire")
    );
    assert_eq!(s.reviews_of(claim).unwrap(), vec![r]);
    assert_eq!(s.publication(article).unwrap().language.as_deref(), Some("en"));

    let roles = s.claims_of_source(kcna).unwrap();
    assert_eq!(roles.len(), 1);
    assert_eq!(roles[0].claim.id, claim);
    assert_eq!(roles[0].roles, vec![SourceRole::Relay, SourceRole::Evidence]);
    assert_eq!(
        s.claims_of_source(kim).unwrap()[0].roles,
        vec![SourceRole::Speaker]
    );
    assert_eq!(s.source_children(dprk).unwrap().len(), 2);

    let counts = s.counts().unwrap();
    assert_eq!(
        (
            counts.sources,
            counts.publications,
            counts.claims,
            counts.attributions
        ),
        (3, 1, 2, 1)
    );
    assert_eq!((counts.evidence, counts.links, counts.reviews), (1, 1, 1));
}

per_backend!(updates_replace_fields_and_children);
fn updates_replace_fields_and_children(s: &Store) {
    let a = s
        .add_source(NewSource::new("Tass", SourceKind::NewsAgency).alias("TASS"))
        .unwrap();
    let mut src = s.source(a).unwrap();
    src.name = "TASS Russian News Agency".into();
    src.aliases = vec!["Tass".into(), "ИТАР-ТАСС".into()];
    src.reliability = Reliability::C;
    s.update_source(&src).unwrap();
    assert_eq!(s.source(a).unwrap(), src);
    assert_eq!(s.find_source("итар-тасс").unwrap().map(|x| x.id), Some(a));

    let c = s
        .add_claim(NewClaim::factual("About 3,000 troops").tag("a"))
        .unwrap();
    let mut claim = s.claim(c).unwrap();
    claim.text = "About 11,000 troops".into();
    claim.quantities = vec![Quantity::about(11_000.0, "troops")];
    claim.tags = vec!["b".into(), "c".into()];
    s.update_claim(&claim).unwrap();
    assert_eq!(s.claim(c).unwrap(), claim);

    // Evidence keeps its stance: an excerpt can be mended in place, a changed stance is a new version.
    let e = s.add_evidence(c, NewEvidence::new(a, Stance::Supports)).unwrap();
    let mut ev = s.evidence(e).unwrap();
    ev.excerpt = Some("about 11,000".into());
    s.update_evidence(&ev).unwrap();
    assert_eq!(s.evidence(e).unwrap().excerpt.as_deref(), Some("about 11,000"));
    ev.stance = Stance::Refutes;
    assert!(matches!(s.update_evidence(&ev), Err(Error::Invalid { .. })));
    let newer = s
        .revise_evidence(e, NewEvidence::new(a, Stance::Refutes), "source corrected itself")
        .unwrap();
    assert_eq!(s.evidence(newer).unwrap().stance, Stance::Refutes);
    assert_eq!(s.evidence(e).unwrap().stance, Stance::Supports);
    assert_eq!(s.evidence_of(c).unwrap().len(), 2);
}

per_backend!(sources_are_found_by_name_or_alias_in_any_case_and_script);
fn sources_are_found_by_name_or_alias_in_any_case_and_script(s: &Store) {
    let kcna = s
        .add_source(NewSource::new("Korean Central News Agency", SourceKind::NewsAgency).alias("KCNA"))
        .unwrap();
    let lavrov = s
        .add_source(NewSource::new("Sergei Lavrov", SourceKind::Person).alias("Сергей Лавров"))
        .unwrap();
    let kim = s
        .add_source(NewSource::new("김정은", SourceKind::Person).alias("Kim Jong Un"))
        .unwrap();
    assert_eq!(s.find_source("kcna").unwrap().map(|x| x.id), Some(kcna));
    assert_eq!(
        s.find_source("  korean   central NEWS agency ")
            .unwrap()
            .map(|x| x.id),
        Some(kcna)
    );
    assert_eq!(
        s.find_source("СЕРГЕЙ ЛАВРОВ").unwrap().map(|x| x.id),
        Some(lavrov)
    );
    assert_eq!(s.find_source("김정은").unwrap().map(|x| x.id), Some(kim));
    assert_eq!(s.find_source("KIM JONG UN").unwrap().map(|x| x.id), Some(kim));
    assert!(s.find_source("Tass").unwrap().is_none());
    assert!(s.find_source("").unwrap().is_none());
    assert!(s.find_source("' OR 1=1 --").unwrap().is_none());
}

per_backend!(awkward_text_is_stored_and_read_back_exactly);
fn awkward_text_is_stored_and_read_back_exactly(s: &Store) {
    let texts = [
        "O'Brien said \"it's done\"; -- not a comment",
        "'); DROP TABLE claims; --",
        "Robert'); DELETE FROM sources WHERE ('1'='1",
        "북한은 러시아에 포탄 약 1200만 발을 보냈다",
        "Лавров поблагодарил Ким Чен Ына за войска",
        "قالت وكالة الأنباء المركزية الكورية إن",
        "mixed ‏RTL‎ marks and emoji 🇰🇵 and \u{202E}override",
        "\"12 million AND NEAR( * col:",
        "line one\nline two\ttabbed",
    ];
    for t in texts {
        let c = s.add_claim(NewClaim::factual(t)).unwrap();
        assert_eq!(s.claim(c).unwrap().text, t);
        let src = s
            .add_source(NewSource::new(t, SourceKind::Collective).alias(format!("aka {t}")))
            .unwrap();
        let back = s.source(src).unwrap();
        assert_eq!(
            (back.name.as_str(), back.aliases[0].as_str()),
            (t, format!("aka {t}").as_str())
        );
        let a = s.attribute(c, NewAttribution::said_by(src).quote(t)).unwrap();
        assert_eq!(s.attribution(a).unwrap().quote.as_deref(), Some(t));
        let e = s
            .add_evidence(c, NewEvidence::new(src, Stance::Neutral).excerpt(t))
            .unwrap();
        assert_eq!(s.evidence(e).unwrap().excerpt.as_deref(), Some(t));
    }
    assert_eq!(s.counts().unwrap().claims, texts.len() as u64);
}

/// Runs `bad` and checks it fails with an error `check` accepts and leaves the store exactly as it was.
fn refused(s: &Store, bad: impl FnOnce(&Store) -> claimtrack::Result<()>, check: impl Fn(&Error) -> bool) {
    let before = snapshot(s);
    let err = bad(s).expect_err("should have been refused");
    assert!(check(&err), "unexpected error: {err:?}");
    assert_eq!(
        snapshot(s),
        before,
        "the store changed after a refused write ({err})"
    );
}

per_backend!(bad_input_is_refused_with_a_typed_error_and_no_change);
fn bad_input_is_refused_with_a_typed_error_and_no_change(s: &Store) {
    claimtrack::seeds::load_wonsan(s).unwrap();
    let claim = s.claims().unwrap()[0].id;
    let source = s.sources().unwrap()[0].id;

    refused(
        s,
        |s| s.add_claim(NewClaim::factual("")).map(drop),
        |e| matches!(e, Error::Invalid { field: "text", .. }),
    );
    refused(
        s,
        |s| s.add_claim(NewClaim::factual(" \n\t ")).map(drop),
        |e| matches!(e, Error::Invalid { field: "text", .. }),
    );
    refused(
        s,
        |s| s.add_claim(NewClaim::factual("nul \0 inside")).map(drop),
        |e| matches!(e, Error::Invalid { field: "text", reason } if reason.contains("NUL")),
    );
    refused(
        s,
        |s| {
            s.add_source(NewSource::new("Seoul", SourceKind::GovernmentBody).country("Korea"))
                .map(drop)
        },
        |e| matches!(e, Error::Invalid { field: "country", reason } if reason.contains("Korea")),
    );
    refused(
        s,
        |s| {
            s.attribute(
                claim,
                NewAttribution::said_by(source).quote("x".repeat(claimtrack::MAX_QUOTE_CHARS + 1)),
            )
            .map(drop)
        },
        |e| matches!(e, Error::Invalid { field: "quote", .. }),
    );
    refused(
        s,
        |s| {
            s.add_claim(NewClaim::factual("x").quantity(Quantity::about(f64::NAN, "troops")))
                .map(drop)
        },
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: "quantity",
                    ..
                }
            )
        },
    );
    refused(
        s,
        |s| s.add_claim(NewClaim::factual("x").language("English")).map(drop),
        |e| {
            matches!(
                e,
                Error::Invalid {
                    field: "language",
                    ..
                }
            )
        },
    );

    let ghost_claim = ClaimId::new();
    let ghost_source = SourceId::new();
    refused(
        s,
        |s| {
            s.attribute(ghost_claim, NewAttribution::said_by(source))
                .map(drop)
        },
        |e| matches!(e, Error::NotFound { kind: "claim", id } if *id == ghost_claim.to_string()),
    );
    refused(
        s,
        |s| {
            s.add_evidence(claim, NewEvidence::new(ghost_source, Stance::Supports))
                .map(drop)
        },
        |e| matches!(e, Error::NotFound { kind: "source", .. }),
    );
    refused(
        s,
        |s| {
            s.attribute(claim, NewAttribution::said_by(source).via(ghost_source))
                .map(drop)
        },
        |e| matches!(e, Error::NotFound { kind: "source", .. }),
    );
    refused(
        s,
        |s| s.claim(ghost_claim).map(drop),
        |e| matches!(e, Error::NotFound { kind: "claim", .. }),
    );
    // An id of the wrong kind is simply not found among claims.
    refused(
        s,
        |s| s.claim(ClaimId::from_uuid(source.as_uuid())).map(drop),
        |e| matches!(e, Error::NotFound { kind: "claim", .. }),
    );
    refused(
        s,
        |s| {
            ClaimLink::new(claim, LinkKind::Duplicates, claim)
                .and_then(|l| s.add_link(&l))
                .map(drop)
        },
        |e| matches!(e, Error::Invalid { field: "link", .. }),
    );
    refused(
        s,
        |s| {
            s.add_review(
                claim,
                NewReview::new(Verdict::True).rating(Rating::new(7.0, 1.0, 5.0)),
            )
            .map(drop)
        },
        |e| matches!(e, Error::Invalid { field: "rating", .. }),
    );
}

per_backend!(affiliation_cycles_are_refused);
fn affiliation_cycles_are_refused(s: &Store) {
    let a = s
        .add_source(NewSource::new("A", SourceKind::Organisation))
        .unwrap();
    let b = s
        .add_source(NewSource::new("B", SourceKind::Organisation).part_of(a))
        .unwrap();
    let c = s
        .add_source(NewSource::new("C", SourceKind::Organisation).part_of(b))
        .unwrap();
    for (child, parent) in [(a, b), (a, c), (a, a)] {
        let mut src = s.source(child).unwrap();
        src.part_of = Some(parent);
        refused(
            s,
            |s| s.update_source(&src),
            |e| matches!(e, Error::AffiliationCycle { .. }),
        );
    }
    // Moving C under A is fine: no loop.
    let mut src = s.source(c).unwrap();
    src.part_of = Some(a);
    s.update_source(&src).unwrap();
}

per_backend!(deleting_what_is_still_referenced_is_refused);
fn deleting_what_is_still_referenced_is_refused(s: &Store) {
    let state = s
        .add_source(NewSource::new("State", SourceKind::GovernmentBody))
        .unwrap();
    let agency = s
        .add_source(NewSource::new("Agency", SourceKind::NewsAgency).part_of(state))
        .unwrap();
    let pub_ = s
        .add_publication(NewPublication::new("Report").publisher(agency))
        .unwrap();
    let claim = s.add_claim(NewClaim::factual("Something happened")).unwrap();
    let att = s
        .attribute(claim, NewAttribution::said_by(agency).in_publication(pub_))
        .unwrap();

    refused(
        s,
        |s| s.delete_source(state),
        |e| {
            matches!(
                e,
                Error::StillReferenced {
                    kind: "source",
                    count: 1,
                    ..
                }
            )
        },
    );
    refused(
        s,
        |s| s.delete_source(agency),
        |e| matches!(e, Error::StillReferenced { .. }),
    );
    refused(
        s,
        |s| s.delete_claim(claim),
        |e| {
            matches!(
                e,
                Error::StillReferenced {
                    kind: "claim",
                    by: "attributions",
                    ..
                }
            )
        },
    );
    refused(
        s,
        |s| s.delete_publication(pub_),
        |e| matches!(e, Error::StillReferenced { .. }),
    );

    // Unreferenced things go, in the right order.
    s.delete_attribution(att).unwrap();
    s.delete_claim(claim).unwrap();
    s.delete_publication(pub_).unwrap();
    s.delete_source(agency).unwrap();
    s.delete_source(state).unwrap();
    assert_eq!(s.counts().unwrap(), claimtrack::Counts::default());
    assert!(matches!(
        s.delete_source(state),
        Err(Error::NotFound { kind: "source", .. })
    ));
}

per_backend!(duplicate_links_and_ids_are_refused);
fn duplicate_links_and_ids_are_refused(s: &Store) {
    let a = s.add_claim(NewClaim::factual("A")).unwrap();
    let b = s.add_claim(NewClaim::factual("B")).unwrap();
    ClaimLink::new(a, LinkKind::Denies, b)
        .and_then(|l| s.add_link(&l))
        .unwrap();
    refused(
        s,
        |s| {
            ClaimLink::new(a, LinkKind::Denies, b)
                .and_then(|l| s.add_link(&l))
                .map(drop)
        },
        |e| {
            matches!(
                e,
                Error::Duplicate {
                    kind: "claim link",
                    ..
                }
            )
        },
    );
    // The same pair with another kind is a different link.
    ClaimLink::new(a, LinkKind::Contradicts, b)
        .and_then(|l| s.add_link(&l))
        .unwrap();
}

per_backend!(claims_page_walks_all_claims_in_order);
fn claims_page_walks_all_claims_in_order(s: &Store) {
    let ids: Vec<ClaimId> = (0..25)
        .map(|i| s.add_claim(NewClaim::factual(format!("claim {i}"))).unwrap())
        .collect();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = s.claims_page(after, 10).unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|c| c.id);
        seen.extend(page.into_iter().map(|c| c.id));
    }
    assert_eq!(seen, ids);
    assert_eq!(s.claims_tagged("none").unwrap().len(), 0);
}

per_backend!(a_database_survives_reopening_and_is_shared_by_connections);
fn a_database_survives_reopening_and_is_shared_by_connections(desk: &Desk) {
    let id = {
        let s = desk.open();
        let version = s.schema_version().unwrap();
        match desk.backend() {
            Backend::Sqlite => assert_eq!(version, claimtrack::SCHEMA_VERSION),
            #[cfg(feature = "postgres")]
            Backend::Postgres => assert_eq!(version, claimtrack::POSTGRES_SCHEMA_VERSION),
            #[cfg(not(feature = "postgres"))]
            Backend::Postgres => unreachable!("no PostgreSQL desk without the feature"),
        }
        s.add_claim(NewClaim::factual("persisted")).unwrap()
    };
    let s = desk.open();
    assert_eq!(s.claim(id).unwrap().text, "persisted");
    // A second connection on the same database sees the same data.
    let t = desk.open();
    assert_eq!(t.counts().unwrap().claims, 1);
}
