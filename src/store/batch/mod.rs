//! Bulk writes: many records in one transaction, with statements prepared once.
//!
//! [`Store::batch`] hands a [`Batch`] to a closure; everything the closure adds lands in one write
//! transaction (SQLite's `BEGIN IMMEDIATE`, PostgreSQL's transaction under the writer lock), or — on the
//! first error — none of it does. On PostgreSQL a batch is not tried again after a serialization
//! failure (the closure may not be safe to run twice): the caller gets [`Error::Busy`]. Each record
//! gets a number (1, 2, … in the order added) and, optionally, a location the caller sets
//! (`"line 17"`); a refused record comes back as [`Error::Batch`] naming both, with the underlying
//! typed error inside.
//!
//! Why it is faster than calling the `Store` methods in a loop:
//! - one transaction: one WAL commit (and, under `synchronous=FULL`, one fsync) for the whole load;
//! - every record goes through the one write path (`store/writes.rs`) as a single write does, with the
//!   same INSERT (from the statement cache) and the same rules; only its history differs: one entry
//!   for the whole batch instead of one per record;
//! - references made in the batch (the claim just added, the sources it cites) are resolved from a small
//!   in-memory map of UUID → rowid instead of an index lookup each time. The map is bounded, so memory
//!   stays flat however large the load; a miss falls back to the `uuid` index.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::model::attribution::Attribution;
use crate::model::bundle::Bundle;
use crate::model::claim::Claim;
use crate::model::evidence::Evidence;
use crate::model::history::{Change, HistoryReport};
use crate::model::ids::EntityId;
use crate::model::ids::{ClaimId, SourceId};
use crate::model::review::Review;
use crate::model::source::{NewSource, Source};
use crate::store::bundle::import;
use crate::store::db::Db;
use crate::store::history::{self, BatchLog};
use crate::store::record::{attributions, claims, evidence, reviews, sources};
use crate::store::{Counts, ImportSummary, Store, lookup};

mod cache;
mod names;
mod records;

use cache::BatchRefs;
use names::BatchNames;

/// How far a batch has come, passed to the progress callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchProgress {
    /// Records added so far, of every kind.
    pub records: u64,
    /// Records added so far, by kind.
    pub counts: Counts,
    /// Time since the batch began.
    pub elapsed: Duration,
}

type ProgressFn<'a> = &'a mut (dyn FnMut(&BatchProgress) + 'a);

/// A bulk write in progress; see [`Store::batch`].
///
/// Its methods mirror the [`Store`] methods of the same names (`add_claim`, `attribute`,
/// `add_evidence`, …), plus `insert_*` methods that store a record with the id it already has (for
/// importers of files that carry ids), and reads that see the batch's own writes. When a method fails,
/// return its error from the closure: the whole transaction is then rolled back — or run the record's
/// writes inside [`attempt`](Self::attempt), which undoes just them and lets the batch go on (importers
/// that skip an unreadable record and report it).
///
/// Every record written is entered in the history in the same transaction: one `batch` entry stands for
/// the creation of all of them (`schema/0001_initial.sql`, `history_batch_rows`), each record's creation
/// read back from it (see [`Store::history_of`]). History read inside the closure, through the batch
/// ([`history_of`](Self::history_of), [`verify_history`](Self::verify_history)) or, on SQLite, through
/// the `Store` itself (its reads run in the batch's transaction; a PostgreSQL store cannot be used inside
/// its own transaction), shows the creation of the batch's records written so far.
pub struct Batch<'a> {
    db: Db<'a>,
    refs: BatchRefs,
    /// The names of the sources this batch added (used on PostgreSQL's bulk path only).
    names: BatchNames,
    records: u64,
    counts: Counts,
    location: Option<String>,
    started: Instant,
    progress_every: u64,
    progress: Option<ProgressFn<'a>>,
    log: BatchLog,
}

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("records", &self.records)
            .field("counts", &self.counts)
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl<'a> Batch<'a> {
    fn new(db: Db<'a>) -> Result<Self> {
        crate::store::text_keys::begin_batch(&db)?;
        crate::store::search::begin_bulk_load(&db)?;
        Ok(Batch {
            db,
            refs: BatchRefs::default(),
            names: BatchNames::default(),
            records: 0,
            counts: Counts::default(),
            location: None,
            started: Instant::now(),
            progress_every: 0,
            progress: None,
            log: BatchLog::begin(&db)?,
        })
    }

    /// Sets where the records added next come from (`"line 17"`, `"row 3 of train.tsv"`), for error
    /// messages; it stays until set again. Without it, errors name only the record number.
    pub fn at(&mut self, location: impl Into<String>) {
        self.location = Some(location.into());
    }

    /// What every batch does before its commit: the claims' pending text keys go into their table
    /// (`text_keys::finish_batch`), the full-text indexes of a table the batch at least doubled are
    /// merged (`search::merge_after_bulk_load`) and the history's batch entry is completed.
    fn finish(&mut self, db: &Db<'_>) -> Result<()> {
        crate::store::text_keys::finish_batch(db)?;
        let c = self.counts;
        crate::store::search::merge_after_bulk_load(db, [c.claims, c.attributions, c.evidence])?;
        self.log.finish(db)
    }

    /// Records added so far, of every kind.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Records added so far, by kind.
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// Runs one record's write, numbering it and naming it in any error.
    fn record<T>(&mut self, kind: &'static str, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.records += 1;
        match f(self) {
            Ok(v) => {
                if self.progress_every > 0 && self.records % self.progress_every == 0 {
                    self.report();
                }
                Ok(v)
            }
            Err(e) => Err(Error::Batch {
                record: self.records,
                kind,
                location: self
                    .location
                    .clone()
                    .unwrap_or_else(|| format!("record {}", self.records)),
                source: Box::new(e),
            }),
        }
    }

    fn report(&mut self) {
        let p = BatchProgress {
            records: self.records,
            counts: self.counts,
            elapsed: self.started.elapsed(),
        };
        if let Some(f) = self.progress.as_mut() {
            f(&p);
        }
    }

    // ---- savepoints, bundles, reads ----

    /// Runs `f` inside a savepoint: if it fails, everything it wrote is undone and its error returned,
    /// while the rest of the batch goes on. Importers use it to skip one unreadable record and report it.
    pub fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.db.batch("SAVEPOINT claimtrack_attempt")?;
        let (records, counts, log) = (self.records, self.counts, self.log);
        // On PostgreSQL's bulk path the attempt's rows are sent at RELEASE: a row refused then is the
        // attempt's failure too, undone like any other.
        match f(self).and_then(|v| self.db.batch("RELEASE claimtrack_attempt").map(|()| v)) {
            Ok(v) => Ok(v),
            Err(e) => {
                self.db.batch(
                    "ROLLBACK TO SAVEPOINT claimtrack_attempt; RELEASE SAVEPOINT claimtrack_attempt",
                )?;
                // The rows written inside are gone: forget their rowids and their counts.
                self.refs.clear();
                self.names.0.clear();
                self.records = records;
                self.counts = counts;
                self.log = log;
                Err(e)
            }
        }
    }

    /// Writes every record of `bundle`, matched by id, as `io::bundle::import` does.
    pub(crate) fn import_bundle(&mut self, bundle: &Bundle) -> Result<ImportSummary> {
        let summary = import(&self.db, bundle, &mut self.log)?;
        let before = self.records;
        self.records += summary.added.total() + summary.updated;
        self.counts.add(summary.added);
        // Progress as for records added one by one: a report each time a multiple of `every` is passed.
        if self.progress_every > 0 && self.records / self.progress_every > before / self.progress_every {
            self.report();
        }
        Ok(summary)
    }

    /// The source answering to `name` (see [`find_source`](Self::find_source)), or a new one made by
    /// `new` when there is none: a publisher or speaker named in many records becomes one source.
    pub fn find_or_add_source(&mut self, name: &str, new: impl FnOnce() -> NewSource) -> Result<SourceId> {
        match self.find_source(name)? {
            Some(id) => Ok(id),
            None => self.add_source(new()),
        }
    }

    /// Reads a source, including one added in this batch.
    pub fn source(&self, id: SourceId) -> Result<Source> {
        sources::read(&self.db, id)
    }

    /// Reads a claim, including one added in this batch.
    pub fn claim(&self, id: ClaimId) -> Result<Claim> {
        claims::read(&self.db, id)
    }

    /// The claims carrying a tag that starts with `prefix` (ending in `:`, as `liar:`), by tag: how a
    /// data-set importer recognises the rows an earlier run imported (`io/rows.rs`).
    pub(crate) fn claims_tagged_from(
        &self,
        prefix: &str,
    ) -> Result<std::collections::HashMap<String, ClaimId>> {
        Ok(claims::tagged_with_prefix(&self.db, prefix)?
            .into_iter()
            .collect())
    }

    /// A claim's attributions, oldest first.
    pub fn attributions_of(&self, claim: ClaimId) -> Result<Vec<Attribution>> {
        attributions::of_claim(&self.db, claim)
    }

    /// A claim's evidence, oldest record first.
    pub fn evidence_of(&self, claim: ClaimId) -> Result<Vec<Evidence>> {
        evidence::of_claim(&self.db, claim)
    }

    /// A claim's reviews, oldest first.
    pub fn reviews_of(&self, claim: ClaimId) -> Result<Vec<Review>> {
        reviews::of_claim(&self.db, claim)
    }

    /// Reviews at exactly this URL (see [`Store::reviews_at_url`]), this batch's included.
    pub fn reviews_at_url(&self, url: &str) -> Result<Vec<Review>> {
        lookup::reviews_at_url(&self.db, url)
    }

    /// Every change to one record, oldest first, as [`Store::history_of`] reads it; the records this
    /// batch has written so far show as created by its entry.
    ///
    /// # Example
    /// ```
    /// use claimtrack::{NewClaim, Operation, Store};
    /// let store = Store::open_in_memory()?;
    /// store.batch(|b| {
    ///     let claim = b.add_claim(NewClaim::factual("Troops were deployed."))?;
    ///     let h = b.history_of(claim)?;
    ///     assert_eq!(h[0].operation, Operation::Import);
    ///     assert!(b.verify_history()?.is_consistent());
    ///     Ok(())
    /// })?;
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn history_of<I: EntityId>(&self, id: I) -> Result<Vec<Change>> {
        history::history_of(&self.db, id)
    }

    /// [`Store::verify_history`] inside the batch: its records written so far count as its own (their
    /// number and digest sum are written when it ends, and checked from then on).
    ///
    /// Shown in the example of [`history_of`](Self::history_of).
    pub fn verify_history(&self) -> Result<HistoryReport> {
        history::verify(&self.db)
    }

    /// The claim with exactly this text that has a review at `url`, if any: how importers recognise a
    /// fact-check they wrote before.
    pub fn claim_reviewed_at(&self, url: &str, text: &str) -> Result<Option<ClaimId>> {
        for r in self.reviews_at_url(url)? {
            if self.claim(r.claim)?.text == text {
                return Ok(Some(r.claim));
            }
        }
        Ok(None)
    }
}

impl Store {
    /// Runs a bulk write: everything `f` adds through the [`Batch`] is written in one transaction, with
    /// its statements prepared once; if `f` returns an error (its own, or a refused record's) nothing is
    /// written at all.
    ///
    /// A refused record comes back as [`Error::Batch`], naming its number in the batch, its kind, the
    /// location set with [`Batch::at`], and the underlying error.
    ///
    /// ```
    /// use claimtrack::{Error, NewClaim, NewEvidence, NewSource, SourceKind, Stance, Store};
    /// let store = Store::open_in_memory()?;
    /// let loaded = store.batch(|b| {
    ///     let wiki = b.add_source(NewSource::new("Wikipedia: Telemundo", SourceKind::Document))?;
    ///     for text in ["Telemundo is a Spanish-language network.", "Telemundo is owned by NBCUniversal."] {
    ///         let claim = b.add_claim(NewClaim::factual(text))?;
    ///         b.add_evidence(claim, NewEvidence::new(wiki, Stance::Supports))?;
    ///     }
    ///     Ok(b.counts())
    /// })?;
    /// assert_eq!((loaded.claims, loaded.evidence), (2, 2));
    ///
    /// // One bad record and nothing of its batch lands.
    /// let err = store.batch(|b| {
    ///     b.add_claim(NewClaim::factual("A fine claim."))?;
    ///     b.at("line 2");
    ///     b.add_claim(NewClaim::factual("   "))?;
    ///     Ok(())
    /// }).unwrap_err();
    /// assert!(matches!(&err, Error::Batch { record: 2, location, .. } if location == "line 2"), "{err}");
    /// assert_eq!(store.counts()?.claims, 2);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn batch<T>(&self, f: impl FnOnce(&mut Batch<'_>) -> Result<T>) -> Result<T> {
        // The same batch, with a report at the end that nobody reads.
        self.batch_with_progress(0, |_| {}, f)
    }

    /// [`batch`](Self::batch) with a progress report: `progress` is called after every `every` records
    /// (of any kind) and once more at the end, before the commit. `every = 0` means only at the end.
    ///
    /// ```
    /// use claimtrack::{NewClaim, Store};
    /// let store = Store::open_in_memory()?;
    /// let mut reports = Vec::new();
    /// store.batch_with_progress(2, |p| reports.push(p.counts.claims), |b| {
    ///     for text in ["one", "two", "three"] {
    ///         b.add_claim(NewClaim::factual(text))?;
    ///     }
    ///     Ok(())
    /// })?;
    /// assert_eq!(reports, vec![2, 3]);
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn batch_with_progress<T>(
        &self,
        every: u64,
        mut progress: impl FnMut(&BatchProgress),
        f: impl FnOnce(&mut Batch<'_>) -> Result<T>,
    ) -> Result<T> {
        self.unmapped(|| {
            self.write_once(|db| {
                // PostgreSQL: the batch's rows travel as binary COPY rows (store/postgres/copy/).
                db.bulk(true);
                db.with_held(|db| {
                    let mut b = Batch::new(*db)?;
                    b.progress_every = every;
                    b.progress = Some(&mut progress);
                    // One process id check for the whole batch (`ids::in_one_process`).
                    let out = crate::model::ids::in_one_process(|| f(&mut b))?;
                    if every == 0 || b.records % every != 0 {
                        b.report();
                    }
                    b.finish(db)?;
                    Ok(out)
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::cache::CACHE_LIMIT;
    use super::*;
    use crate::model::claim::NewClaim;
    use crate::model::evidence::NewEvidence;
    use crate::model::evidence::Stance;
    use crate::model::source::SourceKind;
    use uuid::Uuid;

    #[test]
    fn cache_is_bounded_and_falls_back_to_the_index() {
        let store = Store::open_in_memory().unwrap();
        let src = store
            .add_source(NewSource::new("Outside the batch", SourceKind::Outlet))
            .unwrap();
        store
            .batch(|b| {
                assert!(b.refs.sources.0.is_empty());
                let c = b.add_claim(NewClaim::factual("x"))?;
                // The source was not added by this batch: found through the index, then remembered.
                b.add_evidence(c, NewEvidence::new(src, Stance::Neutral))?;
                assert_eq!(b.refs.sources.0.len(), 1);
                for i in 0..CACHE_LIMIT + 1 {
                    b.refs.sources.put(Uuid::from_u128(i as u128 + 1), 1);
                }
                assert!(b.refs.sources.0.len() <= CACHE_LIMIT);
                b.refs.sources.0.clear();
                b.add_evidence(c, NewEvidence::new(src, Stance::Supports))?;
                Ok(())
            })
            .unwrap();
        assert_eq!(store.counts().unwrap().evidence, 2);
    }

    #[test]
    fn a_failed_attempt_is_undone_and_the_batch_goes_on() {
        let store = Store::open_in_memory().unwrap();
        let kept = store
            .batch(|b| {
                let kept = b.add_claim(NewClaim::factual("kept"))?;
                let failed = b.attempt(|b| {
                    b.add_claim(NewClaim::factual("undone"))?;
                    b.add_source(NewSource::new("", SourceKind::Person))
                });
                assert!(failed.is_err());
                assert_eq!(b.counts().claims, 1);
                b.attempt(|b| b.add_claim(NewClaim::factual("also kept")))?;
                Ok(kept)
            })
            .unwrap();
        let texts: Vec<String> = store.claims().unwrap().into_iter().map(|c| c.text).collect();
        assert_eq!(texts, ["kept", "also kept"]);
        assert_eq!(store.claims().unwrap()[0].id, kept);
        // The undone claim left no history either.
        assert!(store.verify_history().unwrap().is_consistent());
    }

    #[test]
    fn a_batch_runs_unmapped_and_restores_the_map() {
        let dir = std::env::temp_dir().join(format!("claimtrack-mmap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(dir.join("m.db")).unwrap();
        let mapped = |s: &Store| -> i64 {
            s.conn()
                .pragma_query_value(None, "mmap_size", |r| r.get(0))
                .unwrap()
        };
        assert_eq!(mapped(&store), super::super::MMAP_SIZE);
        let inside = store.batch(|b| {
            b.add_claim(NewClaim::factual("x"))?;
            Ok(mapped(&store))
        });
        assert_eq!(inside.unwrap(), 0);
        assert_eq!(mapped(&store), super::super::MMAP_SIZE);
        // Also after a batch that fails.
        let failed = store.batch(|b| b.add_claim(NewClaim::factual(" ")));
        assert!(failed.is_err());
        assert_eq!(mapped(&store), super::super::MMAP_SIZE);
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn find_or_add_source_does_not_duplicate() {
        let store = Store::open_in_memory().unwrap();
        store
            .batch(|b| {
                let a = b.find_or_add_source("PolitiFact", || {
                    NewSource::new("PolitiFact", SourceKind::Organisation).alias("politifact.com")
                })?;
                let again = b.find_or_add_source("POLITIFACT.COM", || {
                    NewSource::new("POLITIFACT.COM", SourceKind::Organisation)
                })?;
                assert_eq!(a, again);
                Ok(())
            })
            .unwrap();
        assert_eq!(store.counts().unwrap().sources, 1);
    }

    #[test]
    fn every_batch_record_is_on_record_in_the_history() {
        let store = Store::open_in_memory().unwrap();
        store
            .batch(|b| {
                let s = b.add_source(NewSource::new("Agency", SourceKind::NewsAgency))?;
                let c = b.add_claim(NewClaim::factual("x"))?;
                b.add_evidence(c, NewEvidence::new(s, Stance::Supports))?;
                Ok(())
            })
            .unwrap();
        let report = store.verify_history().unwrap();
        assert!(report.is_consistent(), "{:?}", report.problems);
        assert_eq!(report.records, 3);
    }
}
