//! The store's write path on PostgreSQL: every kind added, read back, changed and deleted; evidence and
//! reviews versioned; refusals typed and leaving the database as it was; history entries with the
//! actor; batches. Each scenario runs on SQLite too, through the same body, and both engines must
//! give the same results.
//!
//! Run with a throwaway server:
//!
//! ```sh
//! eval "$(scripts/pg-test-server start)"
//! cargo test --features postgres --test postgres_store
//! scripts/pg-test-server stop
//! ```
//!
//! Without `CLAIMTRACK_TEST_PG` the PostgreSQL half of each test says so on stderr and only the SQLite
//! half runs; under `CI=true` a missing server fails them instead. Each test works in a database of its
//! own, created and dropped by the test.
#![cfg(feature = "postgres")]

use std::str::FromStr;

use claimtrack::{
    ClaimLink, Error, LinkKind, Mode, NewAttribution, NewClaim, NewEvidence, NewPublication, NewReview,
    NewSource, Quantity, SourceKind, SourceRole, Stance, Store, Verdict,
};
use postgres::{Client, Config, NoTls};

#[path = "common/backend.rs"]
mod backend;

fn connect(url: &str) -> Client {
    Config::from_str(url).unwrap().connect(NoTls).unwrap()
}

/// Runs `body` on a fresh SQLite store and, when there is a server, on a fresh PostgreSQL database;
/// both must give the same result. The PostgreSQL database is handed to `body` for raw checks.
fn on_both<T: PartialEq + std::fmt::Debug>(body: impl Fn(&Store, Option<&str>) -> T) {
    let sqlite = Store::open_in_memory().unwrap();
    let on_sqlite = body(&sqlite, None);
    let Some(desk) = backend::Desk::postgres("postgres_store") else {
        return;
    };
    let store = desk.open();
    let on_pg = body(&store, Some(desk.location()));
    assert_eq!(on_sqlite, on_pg, "SQLite and PostgreSQL disagree");
}

/// Rows of `sql`, every column cast to text by the query, asked of PostgreSQL directly.
fn pg_rows(url: &str, sql: &str) -> Vec<Vec<Option<String>>> {
    connect(url)
        .query(sql, &[])
        .unwrap()
        .iter()
        .map(|r| (0..r.len()).map(|i| r.get::<_, Option<String>>(i)).collect())
        .collect()
}

/// Every kind added, read back, changed, listed and deleted; what a delete must refuse, refused.
#[test]
fn every_kind_is_written_read_changed_and_deleted_alike() {
    on_both(|store, _| {
        let mut seen = Vec::new();
        let dprk = store
            .add_source(NewSource::new("Government of North Korea", SourceKind::GovernmentBody).country("KP"))
            .unwrap();
        let kcna = store
            .add_source(
                NewSource::new("Korean Central News Agency", SourceKind::NewsAgency)
                    .alias("KCNA")
                    .alias("조선중앙통신")
                    .controlled_by(dprk),
            )
            .unwrap();
        let kim = store
            .add_source(NewSource::new("Kim Jong Un", SourceKind::Person))
            .unwrap();
        let article = store
            .add_publication(
                NewPublication::new("Lavrov visits Wonsan")
                    .language("en")
                    .publisher(kcna),
            )
            .unwrap();
        let claim = store
            .add_claim(
                NewClaim::factual("North Korea has shipped about 12 million artillery rounds to Russia")
                    .quantity(Quantity::about(12_000_000.0, "artillery rounds"))
                    .tag("munitions")
                    .tag("russia"),
            )
            .unwrap();
        let other = store
            .add_claim(NewClaim::pledge("The DPRK will support Russia"))
            .unwrap();
        let said = store
            .attribute(
                claim,
                NewAttribution::said_by(kim)
                    .via(kcna)
                    .quote("twelve million")
                    .in_publication(article),
            )
            .unwrap();
        let backs = store
            .add_evidence(
                claim,
                NewEvidence::new(kcna, Stance::Supports).excerpt("so it said"),
            )
            .unwrap();
        let review = store
            .add_review(
                claim,
                NewReview::new(Verdict::MostlyTrue).label("Mostly true").by(kcna),
            )
            .unwrap();
        let link = store
            .add_link(
                &ClaimLink::new(other, LinkKind::Corroborates, claim)
                    .unwrap()
                    .with_note("same week"),
            )
            .unwrap();

        // Read back exactly as written.
        let c = store.claim(claim).unwrap();
        seen.push(format!("{:?} {:?} {:?}", c.text, c.quantities, c.tags));
        let s = store.source(kcna).unwrap();
        seen.push(format!(
            "{:?} {:?} {:?} {:?}",
            s.name,
            s.aliases,
            s.part_of == Some(dprk),
            s.affiliation
        ));
        assert_eq!(store.find_source("kcna").unwrap().map(|s| s.id), Some(kcna));
        assert_eq!(
            store.find_source("조선중앙통신").unwrap().map(|s| s.id),
            Some(kcna)
        );
        assert_eq!(store.source_children(dprk).unwrap(), vec![s.clone()]);
        let a = store.attribution(said).unwrap();
        assert_eq!(a.chain().collect::<Vec<_>>(), vec![kim, kcna]);
        assert_eq!(store.attributions_of(claim).unwrap(), vec![a.clone()]);
        assert_eq!(
            store.evidence_of(claim).unwrap(),
            vec![store.evidence(backs).unwrap()]
        );
        assert_eq!(
            store.reviews_of(claim).unwrap(),
            vec![store.review(review).unwrap()]
        );
        assert_eq!(store.links_of(claim).unwrap(), vec![store.link(link).unwrap()]);
        assert_eq!(
            store.publications().unwrap(),
            vec![store.publication(article).unwrap()]
        );
        let roles = store.claims_of_source(kcna).unwrap();
        seen.push(format!(
            "{:?}",
            roles.iter().map(|r| r.roles.clone()).collect::<Vec<_>>()
        ));
        assert_eq!(roles[0].roles, vec![SourceRole::Relay, SourceRole::Evidence]);
        assert_eq!(store.claims_tagged("russia").unwrap(), vec![c.clone()]);
        assert_eq!(store.claims_page(None, 1).unwrap(), vec![c.clone()]);
        assert_eq!(store.claims_page(Some(claim), 5).unwrap()[0].id, other);
        assert_eq!(
            store.verdict_counts().unwrap(),
            vec![(Some(Verdict::MostlyTrue), 1)]
        );

        // Changed in place.
        let mut c2 = c.clone();
        c2.text = "North Korea has shipped about 13 million rounds".into();
        c2.tags = vec!["shells".into()];
        c2.quantities.clear();
        store.update_claim(&c2).unwrap();
        assert_eq!(store.claim(claim).unwrap(), c2);
        let mut s2 = s.clone();
        s2.aliases = vec!["KCNA".into(), "kcna".into()];
        store.update_source(&s2).unwrap();
        assert_eq!(store.source(kcna).unwrap().aliases, vec!["KCNA".to_string()]);
        let mut a2 = a.clone();
        a2.mode = Mode::DirectQuote;
        a2.relays.clear();
        store.update_attribution(&a2).unwrap();
        assert_eq!(store.attribution(said).unwrap(), a2);
        let mut l2 = store.link(link).unwrap();
        l2.kind = LinkKind::Contradicts;
        store.update_link(&l2).unwrap();
        assert_eq!(store.link(link).unwrap().kind, LinkKind::Contradicts);
        let mut p2 = store.publication(article).unwrap();
        p2.title = Some("Lavrov visits Wonsan, North Korea".into());
        store.update_publication(&p2).unwrap();
        assert_eq!(store.publication(article).unwrap(), p2);

        // Deletes: refused while referenced (typed, nothing changed), done when free.
        match store.delete_source(dprk) {
            Err(Error::StillReferenced { by, count, .. }) => seen.push(format!("{by} {count}")),
            other => panic!("{other:?}"),
        }
        match store.delete_claim(claim) {
            Err(Error::StillReferenced { by, count, .. }) => seen.push(format!("{by} {count}")),
            other => panic!("{other:?}"),
        }
        assert_eq!(store.sources().unwrap().len(), 3);
        store.delete_link(link).unwrap();
        store.delete_attribution(said).unwrap();
        store.delete_evidence(backs).unwrap();
        store.delete_review(review).unwrap();
        store.delete_claim(claim).unwrap();
        store.delete_publication(article).unwrap();
        assert!(matches!(store.claim(claim), Err(Error::NotFound { .. })));
        assert!(matches!(store.link(link), Err(Error::NotFound { .. })));
        seen.push(format!(
            "{} claims, {} sources",
            store.claims().unwrap().len(),
            store.sources().unwrap().len()
        ));
        seen
    });
}

/// Evidence and reviews are versioned on both engines: revised, corrected and retracted records stay,
/// marked, and only current ones count; what breaks the rules is refused with the store unchanged.
#[test]
fn evidence_and_reviews_keep_their_versions() {
    on_both(|store, _| {
        let gov = store
            .add_source(NewSource::new("Ministry", SourceKind::GovernmentBody))
            .unwrap();
        let paper = store
            .add_source(NewSource::new("Paper", SourceKind::Outlet))
            .unwrap();
        let claim = store
            .add_claim(NewClaim::factual("Troops were deployed"))
            .unwrap();
        let denial = store
            .add_evidence(claim, NewEvidence::new(gov, Stance::Refutes))
            .unwrap();
        let admission = store
            .revise_evidence(
                denial,
                NewEvidence::new(gov, Stance::Supports),
                "ministry confirmed",
            )
            .unwrap();
        let standing = store.evidence_standing(denial).unwrap();
        assert!(!standing.is_current());
        assert_eq!(standing.replaced_by, Some(admission));
        assert_eq!(standing.reason.as_deref(), Some("ministry confirmed"));
        assert!(standing.at.is_some());
        assert_eq!(
            store
                .current_evidence_of(claim)
                .unwrap()
                .iter()
                .map(|e| e.id)
                .collect::<Vec<_>>(),
            vec![admission]
        );
        let before = store.evidence_of(claim).unwrap();
        // Refusals: another source's revision, a superseded record changed, a new stance by update.
        let other_source = store.revise_evidence(admission, NewEvidence::new(paper, Stance::Refutes), "x");
        assert!(
            matches!(other_source, Err(Error::Invalid { field: "source", .. })),
            "{other_source:?}"
        );
        let stale = store.revise_evidence(denial, NewEvidence::new(gov, Stance::Mixed), "again");
        assert!(matches!(stale, Err(Error::Invalid { .. })), "{stale:?}");
        let mut e = store.evidence(admission).unwrap();
        e.stance = Stance::Refutes;
        assert!(matches!(
            store.update_evidence(&e),
            Err(Error::Invalid { field: "stance", .. })
        ));
        assert_eq!(store.evidence_of(claim).unwrap(), before);
        // A correction of its words is fine.
        e.stance = Stance::Supports;
        e.excerpt = Some("citing the intelligence service".into());
        store.update_evidence(&e).unwrap();
        assert_eq!(store.evidence(admission).unwrap(), e);
        // The superseded record cannot be deleted while its successor points at it... the other way:
        // the successor is what the old one names, so deleting the successor is refused.
        assert!(matches!(
            store.delete_evidence(admission),
            Err(Error::StillReferenced { .. })
        ));
        store.retract_evidence(admission, "report withdrawn").unwrap();
        assert!(store.current_evidence_of(claim).unwrap().is_empty());
        assert!(matches!(
            store.retract_evidence(admission, "twice"),
            Err(Error::Invalid { .. })
        ));

        let first = store
            .add_review(claim, NewReview::new(Verdict::Unverifiable))
            .unwrap();
        let fixed = store
            .correct_review(first, NewReview::new(Verdict::True), "satellite images published")
            .unwrap();
        assert_eq!(store.review_standing(first).unwrap().replaced_by, Some(fixed));
        assert_eq!(
            store.current_reviews_of(claim).unwrap()[0].verdict,
            Some(Verdict::True)
        );
        let mut r = store.review(fixed).unwrap();
        r.verdict = Some(Verdict::False);
        assert!(matches!(
            store.update_review(&r),
            Err(Error::Invalid { field: "verdict", .. })
        ));
        store.retract_review(fixed, "wrong claim").unwrap();
        assert!(store.current_reviews_of(claim).unwrap().is_empty());
        assert_eq!(store.verdict_counts().unwrap(), vec![]);
        let statuses = |s: &Store| {
            let mut out: Vec<String> = s
                .evidence_of(claim)
                .unwrap()
                .iter()
                .map(|e| s.evidence_standing(e.id).unwrap().status.to_string())
                .collect();
            out.extend(
                s.reviews_of(claim)
                    .unwrap()
                    .iter()
                    .map(|r| s.review_standing(r.id).unwrap().status.to_string()),
            );
            out
        };
        statuses(store)
    });
}

/// Bad input gets the same typed error on both engines, and the store is left exactly as it was.
#[test]
fn refusals_are_typed_and_change_nothing() {
    on_both(|store, url| {
        let a = store
            .add_source(NewSource::new("Facebook", SourceKind::Outlet))
            .unwrap();
        let b = store
            .add_source(NewSource::new("Reuters", SourceKind::NewsAgency).part_of(a))
            .unwrap();
        let c1 = store.add_claim(NewClaim::factual("One")).unwrap();
        let c2 = store.add_claim(NewClaim::factual("Two")).unwrap();
        let c3 = store.add_claim(NewClaim::factual("Three")).unwrap();
        store
            .add_link(&ClaimLink::new(c1, LinkKind::Denies, c2).unwrap())
            .unwrap();
        let snapshot = |s: &Store| {
            (
                s.sources().unwrap(),
                s.claims().unwrap(),
                s.links_of(c1).unwrap(),
                s.evidence_of(c1).unwrap(),
            )
        };
        let before = snapshot(store);
        let history_rows = |url: Option<&str>| url.map(|u| pg_rows(u, "SELECT count(*)::text FROM history"));
        let history_before = history_rows(url);
        let mut errors = Vec::new();
        let mut note = |e: Error| {
            errors.push(
                format!("{e:?}")
                    .split(['{', '('])
                    .next()
                    .unwrap_or("")
                    .to_string(),
            )
        };

        note(
            store
                .add_source(NewSource::new("facebook", SourceKind::Outlet))
                .unwrap_err(),
        );
        note(
            store
                .add_link(&ClaimLink::new(c1, LinkKind::Denies, c2).unwrap())
                .unwrap_err(),
        );
        note(store.add_claim(NewClaim::factual("   ")).unwrap_err());
        let mut looped = store.source(a).unwrap();
        looped.part_of = Some(b);
        note(store.update_source(&looped).unwrap_err());
        let ghost = claimtrack::ClaimId::from_str("01900000-0000-7000-8000-000000000000").unwrap();
        note(
            store
                .add_evidence(ghost, NewEvidence::new(a, Stance::Supports))
                .unwrap_err(),
        );
        note(
            store
                .add_review(ghost, NewReview::new(Verdict::True))
                .unwrap_err(),
        );
        note(store.attribute(ghost, NewAttribution::said_by(a)).unwrap_err());
        let mut moved = store.links_of(c1).unwrap()[0].clone();
        moved.to = c3;
        note(store.update_link(&moved).unwrap_err());
        // An id stored already, inserted again in a batch: the UNIQUE index answers, typed.
        let dup = store.claim(c1).unwrap();
        let err = store.batch(|bt| bt.insert_claim(&dup)).unwrap_err();
        match err {
            Error::Batch { source, .. } => note(*source),
            other => panic!("{other:?}"),
        }

        assert_eq!(snapshot(store), before);
        assert_eq!(history_rows(url), history_before);
        errors
    });
}

/// Every change is one history entry with the store's actor, its values the records' JSON kept byte for
/// byte; on PostgreSQL the entries are read with plain SQL (the history's readers are another module).
#[test]
fn history_entries_name_the_actor_and_keep_the_values() {
    on_both(|store, url| {
        store.set_actor("desk:alice").unwrap();
        let src = store
            .add_source(NewSource::new("Yonhap", SourceKind::NewsAgency))
            .unwrap();
        let claim = store
            .add_claim(
                NewClaim::factual("Troops were deployed").quantity(Quantity::about(10_000.5, "troops")),
            )
            .unwrap();
        store.set_actor("bot:importer").unwrap();
        let mut c = store.claim(claim).unwrap();
        c.text = "Troops were deployed to Kursk".into();
        store.update_claim(&c).unwrap();
        store.update_claim(&c).unwrap(); // unchanged: no entry
        let e = store
            .add_evidence(claim, NewEvidence::new(src, Stance::Supports))
            .unwrap();
        store.retract_evidence(e, "withdrawn").unwrap();
        if let Some(url) = url {
            let rows = pg_rows(
                url,
                "SELECT actor, entity_kind, operation, before::text, after::text, reason, entity::text \
                 FROM history ORDER BY id",
            );
            let shape: Vec<(String, String, String)> = rows
                .iter()
                .map(|r| {
                    (
                        r[0].clone().unwrap(),
                        r[1].clone().unwrap(),
                        r[2].clone().unwrap(),
                    )
                })
                .collect();
            assert_eq!(
                shape,
                [
                    ("desk:alice", "source", "insert"),
                    ("desk:alice", "claim", "insert"),
                    ("bot:importer", "claim", "update"),
                    ("bot:importer", "evidence", "insert"),
                    ("bot:importer", "evidence", "retract"),
                ]
                .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            );
            // The value after an update is the record's JSON text exactly as the store wrote it
            // (`json` keeps it; `jsonb` would reorder and respace it).
            let written = serde_json::to_value(&c).unwrap().to_string();
            assert_eq!(rows[2][4].as_deref(), Some(written.as_str()));
            assert_eq!(rows[2][6].as_deref(), Some(claim.to_string().as_str()));
            assert!(rows[4][4].as_deref().unwrap().contains("\"standing\""));
            assert_eq!(rows[4][5].as_deref(), Some("withdrawn"));
            // The per-claim index names the claim for its own entries and its evidence's.
            let indexed = pg_rows(
                url,
                &format!("SELECT count(*)::text FROM history_claims WHERE claim = '{claim}'"),
            );
            assert_eq!(indexed[0][0].as_deref(), Some("4"));
        }
        // Both engines: what the store says it did.
        let mut c_now = store.claim(claim).unwrap();
        c_now.id = claim;
        (
            c_now.text,
            store.evidence_standing(e).unwrap().status.to_string(),
            store.actor().unwrap(),
        )
    });
}

/// A batch writes every record in one transaction with one history entry and its row ranges; a failed
/// record rolls the whole batch back; `attempt` undoes only its own part.
#[test]
fn batches_write_all_or_nothing_with_one_history_entry() {
    on_both(|store, url| {
        store.set_actor("bot:loader").unwrap();
        let pre = store
            .add_source(NewSource::new("Outside", SourceKind::Outlet))
            .unwrap();
        let loaded = store
            .batch(|b| {
                let wiki = b.add_source(NewSource::new("Wikipedia", SourceKind::Document))?;
                let again =
                    b.find_or_add_source("WIKIPEDIA", || NewSource::new("x", SourceKind::Document))?;
                assert_eq!(again, wiki);
                let page = b.add_publication(NewPublication::at_url("https://example.org/a"))?;
                assert_eq!(b.find_publication_by_url("https://example.org/a")?, Some(page));
                for (i, text) in ["Telemundo is a network.", "Telemundo is owned by NBCUniversal."]
                    .into_iter()
                    .enumerate()
                {
                    let claim = b.add_claim(NewClaim::factual(text).tag(format!("t{i}")))?;
                    b.add_evidence(
                        claim,
                        NewEvidence::new(wiki, Stance::Supports).in_publication(page),
                    )?;
                    b.add_evidence(claim, NewEvidence::new(pre, Stance::Refutes))?;
                    b.attribute(claim, NewAttribution::said_by(pre).via(wiki))?;
                    b.add_review(claim, NewReview::new(Verdict::True))?;
                    assert_eq!(b.evidence_of(claim)?.len(), 2);
                }
                let skipped = b.attempt(|b| {
                    b.add_claim(NewClaim::factual("undone"))?;
                    b.add_source(NewSource::new("", SourceKind::Person))
                });
                assert!(skipped.is_err());
                b.attempt(|b| b.add_claim(NewClaim::factual("kept after an attempt")))?;
                Ok(b.counts())
            })
            .unwrap();
        assert_eq!((loaded.claims, loaded.evidence, loaded.sources), (3, 4, 1));
        let texts: Vec<String> = store.claims().unwrap().into_iter().map(|c| c.text).collect();

        // A refused record: nothing of its batch lands, and the error names it.
        let err = store
            .batch(|b| {
                b.add_claim(NewClaim::factual("A fine claim."))?;
                b.at("line 2");
                b.add_claim(NewClaim::factual("   "))?;
                Ok(())
            })
            .unwrap_err();
        let named = matches!(&err, Error::Batch { record: 2, location, .. } if location == "line 2");
        assert!(named, "{err}");
        assert_eq!(store.claims().unwrap().len(), 3);

        if let Some(url) = url {
            let entries = pg_rows(
                url,
                "SELECT actor, operation, id::text FROM history WHERE entity_kind = 'batch' ORDER BY id",
            );
            assert_eq!(entries.len(), 1, "{entries:?}");
            assert_eq!(entries[0][0].as_deref(), Some("bot:loader"));
            // Each range holds exactly the batch's rows of its table (a sequence value drawn by the
            // undone attempt leaves a gap inside the claims' range, which holds no row).
            let ranges = pg_rows(
                url,
                "SELECT r.entity_kind, r.records::text, \
                   (SELECT count(*) FROM claims c WHERE c.id BETWEEN r.first_row AND r.last_row)::text, \
                   (SELECT count(*) FROM evidence e WHERE e.id BETWEEN r.first_row AND r.last_row)::text \
                 FROM history_batch_rows r ORDER BY r.entity_kind",
            );
            let ranges: Vec<Vec<String>> = ranges
                .into_iter()
                .map(|r| r.into_iter().map(Option::unwrap).collect())
                .collect();
            let of = |kind: &str| ranges.iter().find(|r| r[0] == kind).cloned().unwrap_or_default();
            assert_eq!(
                of("claim")[1..3],
                ["3".to_string(), "3".to_string()],
                "{ranges:?}"
            );
            assert_eq!(of("evidence")[1], "4", "{ranges:?}");
            assert_eq!(of("evidence")[3], "4", "{ranges:?}");
            // Only the record outside the batch has an entry of its own.
            let own = pg_rows(
                url,
                "SELECT count(*)::text FROM history WHERE entity_kind <> 'batch'",
            );
            assert_eq!(own[0][0].as_deref(), Some("1"));
        }
        texts
    });
}
