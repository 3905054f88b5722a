//! The bulk path against a real server (`CLAIMTRACK_TEST_PG`, see scripts/pg-test-server): skipped
//! without one, a failure under `CI=true`. Each test works in a schema of its own.

#![cfg(test)]

use crate::error::{Error, Result};
use crate::model::ids::{ClaimId, SourceId, new_v7};
use crate::store::Store;
use crate::store::db::{Db, p};

/// A store in a fresh schema of the test server; the schema is dropped with the value.
pub(crate) struct Fresh {
    store: Option<Store>,
    url: String,
    schema: String,
}

impl Fresh {
    pub(crate) fn new(name: &str) -> Option<Fresh> {
        let url = crate::store::postgres::test_server(name)?;
        let schema = format!("bulk_{name}_{}", std::process::id());
        let mut admin = crate::store::postgres::connect(&url).unwrap();
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .unwrap();
        let sep = if url.contains('?') { '&' } else { '?' };
        let store = Store::open(format!("{url}{sep}options=-csearch_path%3D{schema}")).unwrap();
        Some(Fresh {
            store: Some(store),
            url,
            schema,
        })
    }

    pub(crate) fn store(&self) -> &Store {
        self.store.as_ref().unwrap()
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        drop(self.store.take());
        if let Ok(mut admin) = crate::store::postgres::connect(&self.url) {
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

const SOURCE: &str = "INSERT INTO sources (uuid, name, name_key, kind, created_at) \
                      VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";
const CLAIM: &str = "INSERT INTO claims (uuid, text, language, kind, created_at, text_key_hash) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
const ATTRIBUTION: &str = "INSERT INTO attributions (uuid, claim_id, speaker, mode, created_at) \
                           VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id";
const TAG: &str = "INSERT INTO claim_tags (claim_id, position, tag) VALUES (?1, ?2, ?3)";

fn source(db: &Db<'_>, name: &str) -> Result<i64> {
    let id = SourceId::from_uuid(new_v7());
    db.query_one(SOURCE, p![id, name, name.to_lowercase(), "outlet", 1_i64], |r| {
        r.get(0)
    })
}

fn claim(db: &Db<'_>, id: ClaimId, text: &str) -> Result<i64> {
    let hash = crate::model::text::name_key_hash(&crate::model::text::name_key(text));
    db.query_one(CLAIM, p![id, text, "en", "factual", 2_i64, hash], |r| r.get(0))
}

fn count(db: &Db<'_>, sql: &'static str) -> Result<i64> {
    db.query_one(sql, p![], |r| r.get(0))
}

/// Writes the claims a transaction sends at once (`DIRECT_ROWS`), so the next ones travel by COPY.
fn past_direct_rows(db: &Db<'_>) -> Result<()> {
    for i in 0..super::DIRECT_ROWS {
        claim(db, ClaimId::from_uuid(new_v7()), &format!("direct {i}"))?;
    }
    Ok(())
}

#[test]
fn the_first_rows_are_sent_at_once_and_the_rest_wait_for_the_copy() {
    let Some(fresh) = Fresh::new("direct") else { return };
    let on_server = |db: &Db<'_>| {
        db.query_opt_sent("SELECT count(*) FROM claims", p![], |r| r.get::<i64>(0))
            .map(|n| n.unwrap_or(-1))
    };
    let seen = fresh
        .store()
        .write_once(|db| {
            db.bulk(true);
            let mut seen = Vec::new();
            for i in 0..super::DIRECT_ROWS + 2 {
                claim(db, ClaimId::from_uuid(new_v7()), &format!("claim {i}"))?;
                seen.push(on_server(db)?);
            }
            // A read that names the table sends the waiting rows first.
            seen.push(count(db, "SELECT count(*) FROM claims")?);
            seen.push(on_server(db)?);
            Ok(seen)
        })
        .unwrap();
    let direct = i64::from(super::DIRECT_ROWS);
    let mut expected: Vec<i64> = (1..=direct).collect();
    expected.extend([direct, direct, direct + 2, direct + 2]);
    assert_eq!(seen, expected);
}

#[test]
fn bulk_rows_get_one_id_range_and_every_read_sees_them() {
    let Some(fresh) = Fresh::new("ranges") else { return };
    let (speakers, claims, seen) = fresh
        .store()
        .write_once(|db| {
            db.bulk(true);
            let speakers = [source(db, "Agency")?, source(db, "Ministry")?];
            let mut claims = Vec::new();
            // More than two blocks of reserved ids.
            for i in 0..300 {
                let c = claim(db, ClaimId::from_uuid(new_v7()), &format!("Claim {i}"))?;
                db.execute(TAG, p![c, 0_i64, "tag"])?;
                db.query_one(
                    ATTRIBUTION,
                    p![
                        crate::model::ids::AttributionId::from_uuid(new_v7()),
                        c,
                        speakers[i % 2],
                        "paraphrase",
                        3_i64
                    ],
                    |r| r.get::<i64>(0),
                )?;
                claims.push(c);
            }
            // A read names its tables: the pending rows are sent first.
            let seen = (
                count(db, "SELECT count(*) FROM claims")?,
                count(
                    db,
                    "SELECT count(*) FROM attributions a JOIN claim_tags t ON t.claim_id = a.claim_id",
                )?,
            );
            Ok((speakers, claims, seen))
        })
        .unwrap();
    assert_eq!(seen, (300, 300));
    assert_eq!(speakers[1], speakers[0] + 1);
    assert!(claims.windows(2).all(|w| w[1] == w[0] + 1), "{claims:?}");
    let stored: Vec<i64> = fresh
        .store()
        .read(|db| db.query_vec("SELECT id FROM claims ORDER BY id", p![], |r| r.get(0)))
        .unwrap();
    assert_eq!(stored, claims);
    // The sequence moved past the reserved ids: a single write afterwards gets a new one.
    let next = fresh.store().write(|db| source(db, "Later")).unwrap();
    assert!(next > speakers[1]);
}

#[test]
fn a_rolled_back_savepoint_drops_its_pending_rows_and_keeps_the_others() {
    let Some(fresh) = Fresh::new("savepoint") else {
        return;
    };
    fresh
        .store()
        .write_once(|db| {
            db.bulk(true);
            past_direct_rows(db)?;
            claim(db, ClaimId::from_uuid(new_v7()), "kept before")?;
            db.batch("SAVEPOINT s")?;
            claim(db, ClaimId::from_uuid(new_v7()), "kept inside")?;
            db.batch("RELEASE s")?;
            db.batch("SAVEPOINT s")?;
            claim(db, ClaimId::from_uuid(new_v7()), "undone")?;
            db.batch("ROLLBACK TO s; RELEASE s")?;
            claim(db, ClaimId::from_uuid(new_v7()), "kept after")?;
            Ok(())
        })
        .unwrap();
    let texts: Vec<String> = fresh
        .store()
        .read(|db| {
            db.query_vec(
                "SELECT text FROM claims WHERE text NOT LIKE 'direct %' ORDER BY id",
                p![],
                |r| r.get(0),
            )
        })
        .unwrap();
    assert_eq!(texts, ["kept before", "kept inside", "kept after"]);
}

#[test]
fn a_duplicate_id_is_a_typed_error_and_nothing_lands() {
    let Some(fresh) = Fresh::new("duplicate") else {
        return;
    };
    let id = ClaimId::from_uuid(new_v7());
    let e = fresh
        .store()
        .write_once(|db| {
            db.bulk(true);
            past_direct_rows(db)?;
            claim(db, id, "first")?;
            claim(db, ClaimId::from_uuid(new_v7()), "second")?;
            claim(db, id, "first again")?;
            Ok(())
        })
        .unwrap_err();
    match &e {
        Error::Duplicate { kind: "claim", key } => assert_eq!(key, &id.to_string()),
        other => panic!("{other:?}"),
    }
    let n = fresh
        .store()
        .read(|db| count(db, "SELECT count(*) FROM claims"))
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn without_bulk_an_insert_runs_at_once() {
    let Some(fresh) = Fresh::new("plain") else { return };
    let e = fresh
        .store()
        .write_once(|db| {
            let id = ClaimId::from_uuid(new_v7());
            claim(db, id, "first")?;
            // Refused by the statement itself, not later.
            claim(db, id, "again").map(|_| ())
        })
        .unwrap_err();
    assert!(matches!(e, Error::Database(_)), "{e:?}");
}

/// `Store::batch` through the public API: the rows travel by COPY, the history is one batch entry with
/// one range per table holding exactly its records, and the history verifies; a refused record leaves
/// nothing, a failed attempt only its own rows.
#[test]
fn a_batch_loads_by_copy_with_its_history_and_stays_all_or_nothing() {
    use crate::model::attribution::NewAttribution;
    use crate::model::claim::NewClaim;
    use crate::model::evidence::{NewEvidence, Stance};
    use crate::model::source::{NewSource, SourceKind};

    let Some(fresh) = Fresh::new("batch") else { return };
    let store = fresh.store();
    let claims = store
        .batch(|b| {
            let s = b.add_source(NewSource::new("Agency", SourceKind::NewsAgency).alias("AG"))?;
            let mut claims = Vec::new();
            for i in 0..500 {
                let c = b.add_claim(NewClaim::factual(format!("Claim number {i}")).tag("bulk"))?;
                b.attribute(c, NewAttribution::said_by(s))?;
                b.add_evidence(c, NewEvidence::new(s, Stance::Supports))?;
                claims.push(c);
            }
            // A read inside the batch sees its own rows.
            assert_eq!(b.find_source("ag")?, Some(s));
            assert_eq!(b.evidence_of(claims[7])?.len(), 1);
            Ok(claims)
        })
        .unwrap();
    let counts = store.counts().unwrap();
    assert_eq!(
        (
            counts.sources,
            counts.claims,
            counts.attributions,
            counts.evidence
        ),
        (1, 500, 500, 500)
    );
    assert_eq!(store.claim(claims[499]).unwrap().tags, ["bulk"]);
    let ranges: Vec<(String, i64, i64, i64)> = store
        .read(|db| {
            db.query_vec(
                "SELECT entity_kind, first_row, last_row, records FROM history_batch_rows \
                 ORDER BY entity_kind",
                p![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
        })
        .unwrap();
    for (kind, first, last, records) in &ranges {
        assert!(
            last - first + 1 >= *records,
            "{kind}: {first}..={last} for {records}"
        );
    }
    assert_eq!(ranges.len(), 4, "{ranges:?}");
    let report = store.verify_history().unwrap();
    assert!(report.is_consistent(), "{:?}", report.problems);

    // One refused record: nothing of its batch lands.
    let e = store.batch(|b| {
        for i in 0..50 {
            b.add_claim(NewClaim::factual(format!("Lost {i}")))?;
        }
        b.add_claim(NewClaim::factual("   "))
    });
    assert!(matches!(e, Err(Error::Batch { record: 51, .. })), "{e:?}");
    assert_eq!(store.counts().unwrap().claims, 500);

    // A failed attempt undoes its own rows only, before and after it the batch goes on.
    store
        .batch(|b| {
            b.add_claim(NewClaim::factual("Kept before"))?;
            let failed = b.attempt(|b| {
                b.add_claim(NewClaim::factual("Undone"))?;
                b.add_source(NewSource::new(" ", SourceKind::Person))
            });
            assert!(failed.is_err());
            b.add_claim(NewClaim::factual("Kept after"))?;
            Ok(())
        })
        .unwrap();
    let texts: Vec<String> = store
        .claims()
        .unwrap()
        .into_iter()
        .skip(500)
        .map(|c| c.text)
        .collect();
    assert_eq!(texts, ["Kept before", "Kept after"]);
    assert!(store.verify_history().unwrap().is_consistent());
}
