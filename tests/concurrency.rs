//! Concurrency: 4 processes and 4 threads, each with its own `Store` on one file, write claims, evidence
//! and reviews at once while 2 readers read, for over 10,000 commits. Every write lands or returns an
//! error to its caller, no `Error::Busy` reaches a caller within the busy timeout, and the final counts
//! (and the history) equal the successful writes.
//!
//! The processes are this test binary itself, re-run with `CLAIMTRACK_CONCURRENCY_CHILD` set.

use claimtrack::io::{ImportOptions, bundle};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use claimtrack::{
    Bundle, ClaimId, Error, NewClaim, NewEvidence, NewReview, NewSource, OpenOptions, SourceId, SourceKind,
    Stance, Store, Verdict,
};

const CHILD: &str = "CLAIMTRACK_CONCURRENCY_CHILD";
const DB: &str = "CLAIMTRACK_CONCURRENCY_DB";
const PROCESSES: u64 = 4;
const THREADS: u64 = 4;
/// Writes per writer: 8 writers × 1,275, less the 1 in 97 that are refused on purpose, > 10,000 commits.
const COMMITS: u64 = 1_275;
/// Generous, so a loaded machine does not turn waiting into failure; the point is that no Busy
/// reaches a caller while the lock frees up within it.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

fn source_id() -> SourceId {
    SourceId::from_uuid(uuid::Uuid::from_u128(0xC0C0_0000_0000_0000_0000_0000_0000_0001))
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    claims: u64,
    evidence: u64,
    reviews: u64,
    /// Writes refused with the expected typed error (deliberately bad ones).
    refused: u64,
    busy: u64,
    /// Any other error.
    unexpected: u64,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.claims += o.claims;
        self.evidence += o.evidence;
        self.reviews += o.reviews;
        self.refused += o.refused;
        self.busy += o.busy;
        self.unexpected += o.unexpected;
    }
    fn line(&self) -> String {
        format!(
            "TALLY {} {} {} {} {} {}",
            self.claims, self.evidence, self.reviews, self.refused, self.busy, self.unexpected
        )
    }
    fn parse(line: &str) -> Tally {
        let n: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .map(|x| x.parse().unwrap())
            .collect();
        Tally {
            claims: n[0],
            evidence: n[1],
            reviews: n[2],
            refused: n[3],
            busy: n[4],
            unexpected: n[5],
        }
    }
}

fn open(db: &Path, actor: &str) -> Store {
    Store::open_with(db, &OpenOptions::new().busy_timeout(BUSY_TIMEOUT).actor(actor)).unwrap()
}

/// One writer: claim, evidence on it, review of it, in turn; every 97th write is a deliberately bad one
/// (evidence on a claim that does not exist), which must be refused and leave nothing behind.
fn work(db: &Path, worker: u64) -> Tally {
    let store = open(db, &format!("worker-{worker}"));
    let mut t = Tally::default();
    let mut claim: Option<ClaimId> = None;
    let note = |t: &mut Tally, e: Error| match e {
        Error::Busy => t.busy += 1,
        e => {
            eprintln!("worker {worker}: unexpected error: {e}");
            t.unexpected += 1
        }
    };
    for n in 0..COMMITS {
        if n % 97 == 96 {
            match store.add_evidence(ClaimId::new(), NewEvidence::new(source_id(), Stance::Mixed)) {
                Err(Error::NotFound { kind: "claim", .. }) => t.refused += 1,
                Err(e) => note(&mut t, e),
                Ok(_) => panic!("evidence on a missing claim was accepted"),
            }
            continue;
        }
        match (n % 3, claim) {
            (0, _) | (_, None) => {
                match store.add_claim(NewClaim::factual(format!("worker {worker} claim {n}"))) {
                    Ok(id) => {
                        claim = Some(id);
                        t.claims += 1
                    }
                    Err(e) => note(&mut t, e),
                }
            }
            (1, Some(c)) => match store.add_evidence(c, NewEvidence::new(source_id(), Stance::Supports)) {
                Ok(_) => t.evidence += 1,
                Err(e) => note(&mut t, e),
            },
            (_, Some(c)) => match store.add_review(c, NewReview::new(Verdict::Mixed)) {
                Ok(_) => t.reviews += 1,
                Err(e) => note(&mut t, e),
            },
        }
    }
    t
}

/// The child process's entry point; not a test of its own.
#[test]
#[ignore = "child process of the concurrency test, started by it"]
fn concurrency_child() {
    let Ok(worker) = std::env::var(CHILD) else {
        return;
    };
    let db = PathBuf::from(std::env::var(DB).unwrap());
    let t = work(&db, worker.parse().unwrap());
    println!("{}", t.line());
}

#[test]
fn many_writers_in_processes_and_threads_lose_nothing() {
    let dir = std::env::temp_dir().join(format!("claimtrack-concurrency-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("desk.db");
    {
        let store = open(&db, "setup");
        let mut s = NewSource::new("Shared agency", SourceKind::NewsAgency)
            .into_source()
            .unwrap();
        s.id = source_id();
        let mut b = Bundle::default();
        b.sources.push(s);
        bundle::import(&store, &b, ImportOptions::default()).unwrap();
    }

    let children: Vec<_> = (0..PROCESSES)
        .map(|p| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "concurrency_child",
                    "--exact",
                    "--ignored",
                    "--nocapture",
                    "--test-threads",
                    "1",
                ])
                .env(CHILD, p.to_string())
                .env(DB, &db)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap()
        })
        .collect();
    let writers: Vec<_> = (0..THREADS)
        .map(|i| {
            let db = db.clone();
            std::thread::spawn(move || work(&db, PROCESSES + i))
        })
        .collect();
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let db = db.clone();
            let done = done.clone();
            std::thread::spawn(move || {
                let store = open(&db, "reader");
                let (mut reads, mut last) = (0u64, 0u64);
                while !done.load(Ordering::Relaxed) {
                    let c = store.counts().expect("a reader must never see an error");
                    assert!(c.claims >= last, "counts went backwards");
                    last = c.claims;
                    store
                        .claims_page(None, 20)
                        .expect("a reader must never see an error");
                    reads += 1;
                }
                reads
            })
        })
        .collect();

    let mut total = Tally::default();
    for w in writers {
        total.add(w.join().unwrap());
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "a child process failed");
        let text = String::from_utf8(out.stdout).unwrap();
        // libtest may print "test concurrency_child ... " on the same line, before the tally.
        let at = text.find("TALLY ").expect("child printed no tally");
        total.add(Tally::parse(text[at..].lines().next().unwrap()));
    }
    done.store(true, Ordering::Relaxed);
    let reads: u64 = readers.into_iter().map(|r| r.join().unwrap()).sum();

    let commits = total.claims + total.evidence + total.reviews;
    eprintln!(
        "{commits} commits, {} refused as intended, {reads} reads: {total:?}",
        total.refused
    );
    assert_eq!(total.busy, 0, "Busy reached a caller within the busy timeout");
    assert_eq!(total.unexpected, 0);
    assert!(commits >= 10_000, "only {commits} commits");
    assert_eq!(total.refused, (PROCESSES + THREADS) * (COMMITS / 97));

    let store = open(&db, "checker");
    let counts = store.counts().unwrap();
    assert_eq!(
        (counts.claims, counts.evidence, counts.reviews, counts.sources),
        (total.claims, total.evidence, total.reviews, 1)
    );
    assert!(store.integrity_problems().unwrap().is_empty());
    let report = store.verify_history().unwrap();
    assert!(report.is_consistent(), "{:?}", report.problems);
    assert_eq!(
        report.changes,
        commits + 1,
        "one history entry per successful write (and the source)"
    );
    for w in 0..PROCESSES + THREADS {
        let by = store.history_by_actor(&format!("worker-{w}")).unwrap();
        assert!(
            by.len() as u64 >= COMMITS * 9 / 10,
            "worker {w} wrote {}",
            by.len()
        );
    }
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}
