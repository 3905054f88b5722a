//! Replaying the history against the current state.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::batch::open_batch;
use super::digest::Digest;
use super::kinds::{self, KINDS, snapshot, value_digest};
use crate::error::Result;
use crate::model::history::{EntityKind, HistoryProblem, HistoryReport};
use crate::store::Store;
use crate::store::db::{Db, p};

/// Every record's kind, uuid and rowid, kind by kind (used by `verify`).
pub(super) fn all_ids(db: &Db<'_>) -> Result<Vec<(EntityKind, Uuid, i64)>> {
    let mut out = Vec::new();
    for k in &KINDS {
        let kind = k.kind;
        db.query_each(k.all_ids, p![], |r| {
            out.push((kind, r.get(0)?, r.get(1)?));
            Ok(())
        })?;
    }
    Ok(out)
}

/// The rowid ranges of every batch, per kind, newer batches painted over older ones, so that each
/// rowid maps to the newest batch whose range holds it (what [`batch_holding`] asks SQLite, for one
/// record; `verify` asks for every record).
#[derive(Default)]
struct BatchRanges(HashMap<EntityKind, std::collections::BTreeMap<i64, (i64, i64)>>);

impl BatchRanges {
    /// Adds rowids `first..=last` of `kind` for `batch`; call in increasing batch order.
    fn paint(&mut self, kind: EntityKind, first: i64, last: i64, batch: i64) {
        let map = self.0.entry(kind).or_default();
        // The ranges kept are disjoint and sorted, so the ones overlapping `first..=last` are the last
        // few starting at or before `last`.
        let hit: Vec<(i64, (i64, i64))> = map
            .range(..=last)
            .rev()
            .take_while(|(_, (end, _))| *end >= first)
            .map(|(k, v)| (*k, *v))
            .collect();
        for (start, (end, b)) in hit {
            map.remove(&start);
            if start < first {
                map.insert(start, (first - 1, b));
            }
            if end > last {
                map.insert(last + 1, (end, b));
            }
        }
        map.insert(first, (last, batch));
    }

    fn batch_of(&self, kind: EntityKind, rowid: i64) -> Option<i64> {
        let (_, (end, batch)) = self.0.get(&kind)?.range(..=rowid).next_back()?;
        (*end >= rowid).then_some(*batch)
    }
}

/// Replays the history and compares it with the current state.
/// The field of a record that an entry changes though no write ever changes it in place: the claim (or
/// claims) it belongs to, for evidence its source and stance, for a review its verdict and rating, and a
/// standing once set. Such an entry was appended by hand (the history's triggers refuse only UPDATE and
/// DELETE), together with the same change made to the record behind the API.
fn fixed_field_changed(kind: EntityKind, before: &str, after: &str) -> Option<&'static str> {
    let (Ok(b), Ok(a)) = (
        serde_json::from_str::<serde_json::Value>(before),
        serde_json::from_str::<serde_json::Value>(after),
    ) else {
        return None;
    };
    let own: &[&'static str] = match kind {
        EntityKind::Evidence => &["source", "stance"],
        EntityKind::Review => &["verdict", "rating"],
        // A token is only ever revoked: its name, role and making time never change.
        EntityKind::Token => &["name", "role", "created_at"],
        _ => &[],
    };
    let standing: &[&'static str] = if b.get("standing").is_some() {
        &["standing"]
    } else {
        &[]
    };
    ["claim", "from", "to"]
        .iter()
        .chain(own)
        .chain(standing)
        .copied()
        .find(|f| b.get(f) != a.get(f))
}

pub(crate) fn verify(db: &Db<'_>) -> Result<HistoryReport> {
    let mut report = HistoryReport::default();
    // Last known value (hash of its JSON text, None = deleted) of every record with history.
    // Keyed by kind and id: ids are unique per table, so a bundle may reuse one across kinds.
    let mut last: HashMap<(EntityKind, Uuid), (Option<Digest>, i64)> = HashMap::new();
    // Batch entries (number → id), and per batch and kind the records found to come from it: how many,
    // and the wrapping sum of the digests of their values as written.
    let mut batches: HashMap<i64, Uuid> = HashMap::new();
    let mut found: HashMap<(i64, EntityKind), (u64, Digest)> = HashMap::new();
    // The values as text: PostgreSQL keeps them as `json`, whose text is exactly what was written, and
    // the digests hash that text.
    db.query_each(
        "SELECT id, entity_kind, entity, CAST(before AS TEXT), CAST(after AS TEXT), batch FROM history \
         ORDER BY id",
        p![],
        |r| {
            report.changes += 1;
            let seq: i64 = r.get(0)?;
            let kind: EntityKind = r.get(1)?;
            let entity: Uuid = r.get(2)?;
            let before: Option<String> = r.get(3)?;
            let after: Option<String> = r.get(4)?;
            // The first entry of a record a batch created names the batch.
            let batch: Option<i64> = r.get(5)?;
            if kind == EntityKind::Batch {
                batches.insert(seq, entity);
                return Ok(());
            }
            let mut problem = |p: String| {
                report.problems.push(HistoryProblem {
                    kind,
                    entity,
                    problem: p,
                })
            };
            let before_hash = before.as_deref().map(Digest::of_text);
            match (last.get(&(kind, entity)), batch) {
                (Some((prev, prev_seq)), _) if *prev != before_hash => problem(format!(
                    "entry {seq}'s value before differs from entry {prev_seq}'s value after"
                )),
                (Some(_), Some(b)) => {
                    problem(format!("entry {seq} names batch {b}, yet is not its first entry"))
                }
                (None, Some(b)) => {
                    if !batches.contains_key(&b) {
                        problem(format!("entry {seq} names batch {b}, which is not a batch entry"));
                    }
                    // Its value before is the record as the batch wrote it.
                    let d = match before.as_deref().map(|t| value_digest(kind, t)).transpose() {
                        Ok(d) => d.unwrap_or_default(),
                        Err(e) => {
                            problem(format!("entry {seq}'s value before does not read back: {e}"));
                            Digest::default()
                        }
                    };
                    let f = found.entry((b, kind)).or_default();
                    f.0 += 1;
                    f.1 = f.1.plus(d);
                }
                (None, None) if before.is_some() => {
                    problem(format!("its history starts at entry {seq} with a value before"))
                }
                _ => {}
            }
            if let (Some(b), Some(a)) = (before.as_deref(), after.as_deref())
                && let Some(field) = fixed_field_changed(kind, b, a)
            {
                problem(format!(
                    "entry {seq} changes its {field} in place, which no write does (a record never moves \
                     to another claim; a new stance or verdict is a new version; a standing is never changed)"
                ));
            }
            let after_hash = after.as_deref().map(Digest::of_text);
            last.insert((kind, entity), (after_hash, seq));
            Ok(())
        },
    )?;
    // What each batch says it wrote, and where.
    let mut ranges = BatchRanges::default();
    let mut written: Vec<(i64, EntityKind, u64, Digest)> = Vec::new();
    db.query_each(
        "SELECT batch, entity_kind, first_row, last_row, records, digest FROM history_batch_rows \
         ORDER BY batch",
        p![],
        |r| {
            let (batch, kind): (i64, EntityKind) = (r.get(0)?, r.get(1)?);
            ranges.paint(kind, r.get(2)?, r.get(3)?, batch);
            // The schema's CHECK keeps the count positive.
            let records = u64::try_from(r.get::<i64>(4)?).unwrap_or(0);
            written.push((batch, kind, records, r.get(5)?));
            Ok(())
        },
    )?;
    // Read inside a batch: the rows it has written so far are its own (their count and digest sum are
    // written when it ends, so there is nothing to compare them with yet).
    for (kind, first, batch) in open_batch(db)? {
        ranges.paint(kind, first, i64::MAX, batch);
    }
    let mut seen: HashSet<(EntityKind, Uuid)> = HashSet::new();
    for (kind, id, rowid) in all_ids(db)? {
        report.records += 1;
        seen.insert((kind, id));
        let entries = last.get(&(kind, id));
        // A record with entries is compared with its last one; one without, with its batch's digests.
        let now = match entries {
            Some(_) => snapshot(db, kind, id)?.map(|v| Digest::of_text(&v.to_string())),
            None => match kinds::of(kind) {
                Some(k) => (k.stored_digest)(db, id)?,
                None => None,
            },
        };
        let mut problem = |p: String| {
            report.problems.push(HistoryProblem {
                kind,
                entity: id,
                problem: p,
            })
        };
        match entries {
            None => match ranges.batch_of(kind, rowid) {
                Some(b) => {
                    let f = found.entry((b, kind)).or_default();
                    f.0 += 1;
                    f.1 = f.1.plus(now.unwrap_or_default());
                }
                None => problem("it has no history".into()),
            },
            Some((None, seq)) => problem(format!("entry {seq} records its deletion, yet it exists")),
            Some((prev, seq)) if *prev != now => problem(format!(
                "its current value differs from entry {seq}'s value after"
            )),
            Some(_) => {}
        }
    }
    crate::store::tokens::verify(db, &last, &mut seen, &mut report)?;
    for ((kind, id), (after, seq)) in &last {
        if after.is_some() && !seen.contains(&(*kind, *id)) {
            report.problems.push(HistoryProblem {
                kind: *kind,
                entity: *id,
                problem: format!("entry {seq} records a value, yet it does not exist"),
            });
        }
    }
    for (batch, kind, records, digest) in written {
        let (n, sum) = found.get(&(batch, kind)).copied().unwrap_or_default();
        let problem = if n != records {
            format!("batch entry {batch} wrote {records} {kind} records; {n} are found")
        } else if sum != digest {
            format!(
                "a {kind} record written by batch entry {batch} differs from what it wrote \
                 (changed behind the API)"
            )
        } else {
            continue;
        };
        report.problems.push(HistoryProblem {
            kind: EntityKind::Batch,
            entity: batches.get(&batch).copied().unwrap_or_else(Uuid::nil),
            problem,
        });
    }
    report.problems.sort_by_key(|p| (p.kind, p.entity));
    Ok(report)
}

impl Store {
    /// Checks that the history agrees with the current state: each record's entries form one unbroken
    /// chain (every entry's value before equals the previous entry's value after), the last entry's value
    /// equals the record as stored now, every stored record has history, and no record that history says
    /// exists is missing. Reads one snapshot; writes nothing.
    ///
    /// # Example
    /// ```
    /// let store = claimtrack::Store::open_in_memory()?;
    /// claimtrack::seeds::load_wonsan(&store)?;
    /// let report = store.verify_history()?;
    /// assert!(report.is_consistent(), "{:?}", report.problems);
    /// assert_eq!(report.records, store.counts()?.total());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn verify_history(&self) -> Result<HistoryReport> {
        self.read(verify)
    }
}

#[cfg(test)]
mod verify_tests {
    use super::super::entry::append;
    use super::super::kinds::to_json;
    use super::super::write::track;
    use super::*;
    use crate::model::claim::NewClaim;
    use crate::model::evidence::{NewEvidence, Stance};
    use crate::model::history::Operation;
    use crate::model::ids::ClaimId;
    use crate::model::source::{NewSource, SourceKind};

    fn seeded() -> (Store, ClaimId) {
        let store = Store::open_in_memory().unwrap();
        let s = store
            .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
            .unwrap();
        let c = store.add_claim(NewClaim::factual("A claim")).unwrap();
        store
            .add_evidence(c, NewEvidence::new(s, Stance::Supports))
            .unwrap();
        assert!(store.verify_history().unwrap().is_consistent());
        (store, c)
    }

    #[test]
    fn a_change_made_behind_the_api_is_found() {
        let (store, c) = seeded();
        store
            .conn()
            .execute("UPDATE claims SET text = 'tampered'", [])
            .unwrap();
        let r = store.verify_history().unwrap();
        assert_eq!(r.problems.len(), 1, "{r:?}");
        assert_eq!(
            (r.problems[0].kind, r.problems[0].entity),
            (EntityKind::Claim, c.as_uuid())
        );
        assert!(r.problems[0].problem.contains("current value differs"));
    }

    #[test]
    fn a_stance_flipped_by_hand_with_a_forged_history_entry_is_found() {
        // The triggers refuse UPDATE and DELETE on the history, not INSERT: a hand-made `update` entry
        // flipping the stance, with the same change made to the row, kept every chain whole.
        let (store, _) = seeded();
        let forge = "INSERT INTO history (at, actor, entity_kind, entity, operation, before, after) \
             SELECT at + 1, 'mallory', entity_kind, entity, 'update', after, \
             replace(after, '\"supports\"', '\"refutes\"') FROM history WHERE entity_kind = 'evidence'; \
             UPDATE evidence SET stance = 'refutes';";
        store.conn().execute_batch(forge).unwrap();
        let r = store.verify_history().unwrap();
        assert_eq!(r.problems.len(), 1, "{r:?}");
        assert_eq!(r.problems[0].kind, EntityKind::Evidence);
        assert!(
            r.problems[0].problem.contains("changes its stance in place"),
            "{r:?}"
        );
        // An honest wording correction still verifies.
        let (store, c) = seeded();
        let mut e = store.evidence_of(c).unwrap().remove(0);
        e.excerpt = Some("corrected words".into());
        store.update_evidence(&e).unwrap();
        let id = e.id;
        store.retract_evidence(id, "withdrawn").unwrap();
        assert!(store.verify_history().unwrap().is_consistent());
    }

    #[test]
    fn a_record_without_history_and_a_vanished_record_are_found() {
        let (store, _) = seeded();
        store
            .conn()
            .execute(
                "INSERT INTO claims (uuid, text, kind, created_at) VALUES (?1, 'raw', 'factual', 0)",
                [&ClaimId::new().as_uuid().as_bytes()[..]],
            )
            .unwrap();
        store.conn().execute("DELETE FROM evidence", []).unwrap();
        let r = store.verify_history().unwrap();
        let what: Vec<_> = r.problems.iter().map(|p| (p.kind, p.problem.clone())).collect();
        assert_eq!(what.len(), 2, "{what:?}");
        assert!(what.contains(&(EntityKind::Claim, "it has no history".into())));
        assert!(
            what.iter()
                .any(|(k, p)| *k == EntityKind::Evidence && p.contains("does not exist"))
        );
    }

    #[test]
    fn a_broken_chain_is_found() {
        let (store, c) = seeded();
        // An entry whose value before is not the previous value after (history can only be appended to).
        append(
            &crate::store::db::Db::from_sqlite(store.conn()),
            EntityKind::Claim,
            c.as_uuid(),
            Operation::Update,
            Some(&serde_json::json!({"text": "something else"})),
            Some(
                &snapshot(
                    &crate::store::db::Db::from_sqlite(store.conn()),
                    EntityKind::Claim,
                    c.as_uuid(),
                )
                .unwrap()
                .unwrap(),
            ),
            None,
        )
        .unwrap();
        let r = store.verify_history().unwrap();
        assert_eq!(r.problems.len(), 1, "{r:?}");
        assert!(r.problems[0].problem.contains("value before differs"));
    }

    fn bulk_claims(store: &Store, texts: &[&str]) -> Vec<crate::model::claim::Claim> {
        let claims: Vec<_> = texts
            .iter()
            .map(|t| NewClaim::factual(*t).tag("bulk").into_claim().unwrap())
            .collect();
        store
            .batch(|b| {
                for c in &claims {
                    b.insert_claim(c)?;
                }
                Ok(())
            })
            .unwrap();
        claims
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_batch_writes_one_entry_and_each_record_reads_back_its_import() {
        let (store, _) = seeded();
        let before = count(&store, "SELECT count(*) FROM history");
        let claims = bulk_claims(&store, &["Loaded in bulk", "Also in bulk", "Third"]);
        assert_eq!(count(&store, "SELECT count(*) FROM history"), before + 1);
        assert_eq!(
            count(&store, "SELECT count(*) FROM history WHERE entity_kind = 'batch'"),
            1
        );
        let batch = count(&store, "SELECT id FROM history WHERE entity_kind = 'batch'");
        let c = &claims[1];
        let expected = to_json(c).unwrap();
        let h = store.history_of(c.id).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(
            (h[0].seq, h[0].operation, h[0].kind),
            (batch, Operation::Import, EntityKind::Claim)
        );
        assert_eq!(h[0].after.as_ref(), Some(&expected));
        assert_eq!(store.claim_history(c.id).unwrap(), h);
        // The batch entry itself, as its actor's history shows it: how many records of each kind.
        let by_actor = store.history_by_actor("unknown").unwrap();
        let entry = by_actor.iter().find(|ch| ch.kind == EntityKind::Batch).unwrap();
        assert_eq!(entry.after.as_ref().unwrap()["claim"], 3);
        assert!(store.verify_history().unwrap().is_consistent());

        // Once the record changes, its entry names the batch and holds the imported value before.
        store
            .write_sqlite(|conn| {
                track(
                    &crate::store::db::Db::from_sqlite(conn),
                    EntityKind::Claim,
                    c.id.as_uuid(),
                    None,
                    None,
                    || {
                        conn.execute(
                            "UPDATE claims SET text = 'Changed later' WHERE uuid = ?1",
                            [&c.id.as_uuid().as_bytes()[..]],
                        )?;
                        Ok(())
                    },
                )
            })
            .unwrap();
        assert_eq!(
            count(&store, "SELECT count(*) FROM history WHERE batch IS NOT NULL"),
            1
        );
        let h = store.history_of(c.id).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].after.as_ref(), Some(&expected));
        assert_eq!(h[1].before.as_ref(), Some(&expected));
        assert_eq!(h[1].after.as_ref().unwrap()["text"], "Changed later");
        assert_eq!(store.claim_history(c.id).unwrap(), h);
        let r = store.verify_history().unwrap();
        assert!(r.is_consistent(), "{r:?}");
    }

    #[test]
    fn a_deleted_batch_record_keeps_its_import_and_verifies() {
        let (store, _) = seeded();
        let claims = bulk_claims(&store, &["one", "two"]);
        store.delete_claim(claims[1].id).unwrap();
        let h = store.history_of(claims[1].id).unwrap();
        let ops: Vec<Operation> = h.iter().map(|c| c.operation).collect();
        assert_eq!(ops, [Operation::Import, Operation::Delete]);
        let r = store.verify_history().unwrap();
        assert!(r.is_consistent(), "{r:?}");
        // Its rowid is free again: a later batch takes it, and each record names its own batch.
        let again = bulk_claims(&store, &["three"]);
        let first = store.history_of(claims[0].id).unwrap()[0].seq;
        let reused = store.history_of(again[0].id).unwrap();
        assert_eq!(reused.len(), 1);
        assert!(reused[0].seq > first);
        assert_eq!(store.history_of(claims[1].id).unwrap()[0].seq, first);
        let r = store.verify_history().unwrap();
        assert!(r.is_consistent(), "{r:?}");
    }

    #[test]
    fn a_change_behind_the_api_to_a_bulk_record_is_found() {
        let (store, _) = seeded();
        let c = bulk_claims(&store, &["Loaded in bulk"]).remove(0);
        assert!(store.verify_history().unwrap().is_consistent());
        store
            .conn()
            .execute(
                "UPDATE claims SET text = 'tampered' WHERE uuid = ?1",
                [&c.id.as_uuid().as_bytes()[..]],
            )
            .unwrap();
        let r = store.verify_history().unwrap();
        assert_eq!(r.problems.len(), 1, "{r:?}");
        assert_eq!(r.problems[0].kind, EntityKind::Batch);
        assert!(r.problems[0].problem.contains("changed behind the API"), "{r:?}");
        // A row inserted behind the API, inside no batch's range, has no history.
        store
            .conn()
            .execute(
                "INSERT INTO claims (uuid, text, kind, created_at) VALUES (?1, 'raw', 'factual', 0)",
                [&Uuid::now_v7().as_bytes()[..]],
            )
            .unwrap();
        let r = store.verify_history().unwrap();
        assert!(
            r.problems.iter().any(|p| p.problem == "it has no history"),
            "{r:?}"
        );
    }

    #[test]
    fn newer_batches_paint_over_older_ranges() {
        let mut r = BatchRanges::default();
        r.paint(EntityKind::Claim, 1, 100, 1);
        r.paint(EntityKind::Claim, 40, 60, 2);
        r.paint(EntityKind::Claim, 55, 120, 3);
        r.paint(EntityKind::Evidence, 1, 5, 3);
        let got: Vec<Option<i64>> = [0, 1, 39, 40, 54, 55, 100, 120, 121]
            .iter()
            .map(|&row| r.batch_of(EntityKind::Claim, row))
            .collect();
        assert_eq!(
            got,
            [
                None,
                Some(1),
                Some(1),
                Some(2),
                Some(2),
                Some(3),
                Some(3),
                Some(3),
                None
            ]
        );
        assert_eq!(r.batch_of(EntityKind::Evidence, 3), Some(3));
        assert_eq!(r.batch_of(EntityKind::Source, 3), None);
        r.paint(EntityKind::Claim, 1, 200, 4);
        assert_eq!(r.batch_of(EntityKind::Claim, 50), Some(4));
        assert_eq!(r.0[&EntityKind::Claim].len(), 1);
    }

    #[test]
    fn status_columns_refuse_incoherent_values_from_raw_sql() {
        let (store, _) = seeded();
        let e = store
            .conn()
            .execute("UPDATE evidence SET status = 'retracted'", []);
        assert!(e.is_err(), "a retraction without reason and time must be refused");
        let e = store.conn().execute(
            "UPDATE evidence SET status = 'superseded', status_reason = 'x', status_at = 1",
            [],
        );
        assert!(e.is_err(), "superseded without a successor must be refused");
        // The same rule holds for rows inserted by hand (table CHECKs).
        let e = store.conn().execute(
            "INSERT INTO evidence (uuid, claim_id, source_id, stance, created_at, status) \
             SELECT ?1, claim_id, source_id, 'supports', 0, 'retracted' FROM evidence LIMIT 1",
            [&Uuid::now_v7().as_bytes()[..]],
        );
        assert!(
            e.is_err(),
            "a retracted row without reason and time must be refused"
        );
        let ok = store.conn().execute(
            "INSERT INTO evidence (uuid, claim_id, source_id, stance, created_at, status, status_reason, \
             status_at) SELECT ?1, claim_id, source_id, 'supports', 0, 'retracted', 'withdrawn', 1 \
             FROM evidence LIMIT 1",
            [&Uuid::now_v7().as_bytes()[..]],
        );
        assert_eq!(ok.unwrap(), 1, "a coherent retracted row is accepted");
    }
}
