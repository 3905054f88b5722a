//! The shared desk (issue 13, item 6): 8 processes × 4 threads, each thread with its own `Store`, write
//! claims, evidence and reviews at once while readers query and a bulk import (`Store::batch`) runs
//! alongside, on each backend (over 20,000 commits on PostgreSQL; fewer on SQLite, whose one file takes
//! one writer at a time just the same).
//!
//! What must hold: every write that returned `Ok` landed, with the id it returned and its own text; none
//! that failed did (deliberately bad writes, and batches that fail part-way, leave nothing); no `Busy`
//! reaches a caller; readers never see an error, never see counts go backwards, and see the bulk import
//! all or nothing, and keep reading while the import holds the writer's turn; the writers' work before,
//! during and after the import is all there; and the history equals the state (`verify_history`), one
//! entry per write, each with its writer as actor.
//!
//! The processes are this test binary itself, re-run with `CLAIMTRACK_CONCURRENCY_CHILD` set.

#[path = "common/backend.rs"]
mod backend;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use backend::{Backend, Desk, per_backend};
use claimtrack::io::{ImportOptions, bundle};
use claimtrack::{
    Bundle, ClaimId, Error, NewClaim, NewEvidence, NewReview, NewSource, OpenOptions, SourceId, SourceKind,
    Stance, Store, Verdict,
};

const CHILD: &str = "CLAIMTRACK_CONCURRENCY_CHILD";
const DB: &str = "CLAIMTRACK_CONCURRENCY_DB";
const OPS: &str = "CLAIMTRACK_CONCURRENCY_OPS";
const PROCESSES: u64 = 8;
const THREADS: u64 = 4;
const WRITERS: u64 = PROCESSES * THREADS;
const READERS: usize = 3;
/// Claims (each with one evidence record) in the bulk import.
const BULK: u64 = 2_000;
/// In every 25 writes of a writer, one is evidence on a claim that does not exist (refused) and one a
/// batch that fails after adding a claim (rolled back).
const CYCLE: u64 = 25;
const REFUSED_AT: u64 = 12;
const ROLLED_BACK_AT: u64 = 24;
/// Generous, so a loaded machine does not turn waiting into failure; the point is that no Busy reaches a
/// caller while the writer's turn frees up within it.
const BUSY_TIMEOUT: Duration = Duration::from_secs(120);
/// A bound on waiting for the others (not a performance figure): a hung test fails instead of hanging CI.
const PATIENCE: Duration = Duration::from_secs(300);

/// Writes per writer thread: on PostgreSQL 32 × 680, less 2 in 25 failing on purpose, = 20,032 commits;
/// on SQLite 32 × 360, less the same share, = 10,624.
fn ops(backend: Backend) -> u64 {
    match backend {
        Backend::Postgres => 680,
        Backend::Sqlite => 360,
    }
}

/// The fewest commits the test accepts on `backend` (issue 13 asks for 20,000 on PostgreSQL).
fn least_commits(backend: Backend) -> u64 {
    match backend {
        Backend::Postgres => 20_000,
        Backend::Sqlite => 10_000,
    }
}

/// The commits `ops` writes per writer make in all (the failures on purpose left out).
fn expected_commits(ops: u64) -> u64 {
    let failing =
        (ops / CYCLE) * 2 + u64::from(ops % CYCLE > REFUSED_AT) + u64::from(ops % CYCLE > ROLLED_BACK_AT);
    (ops - failing) * WRITERS
}

fn source_id() -> SourceId {
    SourceId::from_uuid(uuid::Uuid::from_u128(0xC0C0_0000_0000_0000_0000_0000_0000_0001))
}

fn open(location: &str, actor: &str) -> Store {
    Store::open_with(
        location,
        &OpenOptions::new().busy_timeout(BUSY_TIMEOUT).actor(actor),
    )
    .unwrap_or_else(|e| panic!("{actor} could not open the desk: {e}"))
}

/// What one write came to, as a child process prints it (one line each).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// `OK <C|E|R> <worker> <n> <id>`: landed, with this id.
    Ok(char, u64, u64, String),
    /// `REFUSED <worker> <n>`: the deliberately bad write, refused with the expected error.
    Refused(u64, u64),
    /// `ROLLEDBACK <worker> <n>`: the failing batch, refused.
    RolledBack(u64, u64),
    /// `BUSY <worker> <n>` or `UNEXPECTED <worker> <n> <error>`: what must not happen.
    Busy(u64, u64),
    Unexpected(u64, u64, String),
}

impl Outcome {
    fn line(&self) -> String {
        match self {
            Outcome::Ok(k, w, n, id) => format!("OK {k} {w} {n} {id}"),
            Outcome::Refused(w, n) => format!("REFUSED {w} {n}"),
            Outcome::RolledBack(w, n) => format!("ROLLEDBACK {w} {n}"),
            Outcome::Busy(w, n) => format!("BUSY {w} {n}"),
            Outcome::Unexpected(w, n, e) => format!("UNEXPECTED {w} {n} {}", e.replace('\n', " ")),
        }
    }

    fn parse(line: &str) -> Option<Outcome> {
        let mut f = line.splitn(5, ' ');
        let tag = f.next()?;
        let mut num = || f.next()?.parse::<u64>().ok();
        Some(match tag {
            "OK" => {
                let mut f = line.split(' ').skip(1);
                let k = f.next()?.chars().next()?;
                let w = f.next()?.parse().ok()?;
                let n = f.next()?.parse().ok()?;
                Outcome::Ok(k, w, n, f.next()?.to_string())
            }
            "REFUSED" => Outcome::Refused(num()?, num()?),
            "ROLLEDBACK" => Outcome::RolledBack(num()?, num()?),
            "BUSY" => Outcome::Busy(num()?, num()?),
            "UNEXPECTED" => {
                let w = num()?;
                let n = num()?;
                Outcome::Unexpected(w, n, line.splitn(4, ' ').nth(3).unwrap_or("").to_string())
            }
            _ => return None,
        })
    }
}

/// The text a writer gives its write `n`: claim text, evidence excerpt or review rationale.
fn text(worker: u64, n: u64) -> String {
    format!("worker {worker} write {n}")
}

/// One writer: claim, evidence on it, review of it, in turn, with a refused write and a rolled-back
/// batch in every [`CYCLE`].
fn work(location: &str, worker: u64, ops: u64) -> Vec<Outcome> {
    let store = open(location, &format!("worker-{worker}"));
    let mut out = Vec::with_capacity(ops as usize);
    let mut claim: Option<ClaimId> = None;
    let failed = |n: u64, e: Error| match e {
        Error::Busy => Outcome::Busy(worker, n),
        e => Outcome::Unexpected(worker, n, e.to_string()),
    };
    for n in 0..ops {
        let t = text(worker, n);
        let outcome = match n % CYCLE {
            REFUSED_AT => {
                match store.add_evidence(
                    ClaimId::new(),
                    NewEvidence::new(source_id(), Stance::Mixed).excerpt(t),
                ) {
                    Err(Error::NotFound { kind: "claim", .. }) => Outcome::Refused(worker, n),
                    Err(e) => failed(n, e),
                    Ok(id) => {
                        Outcome::Unexpected(worker, n, format!("evidence {id} on a missing claim landed"))
                    }
                }
            }
            ROLLED_BACK_AT => {
                let result = store.batch(|b| {
                    b.add_claim(NewClaim::factual(t.clone()))?;
                    b.add_claim(NewClaim::factual("   "))?;
                    Ok(())
                });
                match result {
                    Err(Error::Batch { record: 2, .. }) => Outcome::RolledBack(worker, n),
                    Err(e) => failed(n, e),
                    Ok(()) => Outcome::Unexpected(worker, n, "a batch with a blank claim landed".into()),
                }
            }
            _ => match (n % 3, claim) {
                (0, _) | (_, None) => match store.add_claim(NewClaim::factual(t)) {
                    Ok(id) => {
                        claim = Some(id);
                        Outcome::Ok('C', worker, n, id.to_string())
                    }
                    Err(e) => failed(n, e),
                },
                (1, Some(c)) => {
                    match store.add_evidence(c, NewEvidence::new(source_id(), Stance::Supports).excerpt(t)) {
                        Ok(id) => Outcome::Ok('E', worker, n, id.to_string()),
                        Err(e) => failed(n, e),
                    }
                }
                (_, Some(c)) => match store.add_review(c, NewReview::new(Verdict::Mixed).rationale(t)) {
                    Ok(id) => Outcome::Ok('R', worker, n, id.to_string()),
                    Err(e) => failed(n, e),
                },
            },
        };
        out.push(outcome);
    }
    out
}

/// The child process's entry point; not a test of its own. Runs [`THREADS`] writers and prints every
/// outcome between `BEGIN` and `END` lines.
#[test]
#[ignore = "child process of the concurrency test, started by it"]
fn concurrency_child() {
    let Ok(process) = std::env::var(CHILD) else {
        return;
    };
    let process: u64 = process.parse().unwrap();
    let location = std::env::var(DB).unwrap();
    let ops: u64 = std::env::var(OPS).unwrap().parse().unwrap();
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let location = location.clone();
            std::thread::spawn(move || work(&location, process * THREADS + t, ops))
        })
        .collect();
    let mut text = String::from("\nBEGIN\n");
    for t in threads {
        for o in t.join().unwrap() {
            text.push_str(&o.line());
            text.push('\n');
        }
    }
    text.push_str("END\n");
    print!("{text}");
}

/// The outcomes a child printed.
fn outcomes(stdout: &str) -> Vec<Outcome> {
    let begin = stdout.find("\nBEGIN\n").expect("the child printed no BEGIN");
    let body = &stdout[begin + "\nBEGIN\n".len()..];
    let end = body.find("END\n").expect("the child did not finish (no END)");
    body[..end]
        .lines()
        .map(|l| Outcome::parse(l).unwrap_or_else(|| panic!("unreadable line from a child: {l:?}")))
        .collect()
}

/// Waits until `ready()` or [`PATIENCE`] runs out; `false` then.
fn wait_for(mut ready: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while !ready() {
        if start.elapsed() > PATIENCE {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

per_backend!(many_writers_in_processes_and_threads_lose_nothing);
fn many_writers_in_processes_and_threads_lose_nothing(desk: &Desk) {
    let location = desk.location().to_string();
    let ops = ops(desk.backend());
    {
        let store = open(&location, "setup");
        let mut s = NewSource::new("Shared agency", SourceKind::NewsAgency)
            .into_source()
            .unwrap();
        s.id = source_id();
        let mut b = Bundle::default();
        b.sources.push(s);
        bundle::import(&store, &b, ImportOptions::default()).unwrap();
    }
    let setup_changes = open(&location, "setup").verify_history().unwrap().changes;

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
                .env(DB, &location)
                .env(OPS, ops.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap()
        })
        .collect();

    let done = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicU64::new(0));
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let (location, done, reads) = (location.clone(), done.clone(), reads.clone());
            std::thread::spawn(move || {
                let store = open(&location, "reader");
                let mut last = (0, 0, 0);
                let mut bulk_seen = false;
                while !done.load(Ordering::Relaxed) {
                    let c = store.counts().expect("a reader must never see an error");
                    let now = (c.claims, c.evidence, c.reviews);
                    assert!(
                        now.0 >= last.0 && now.1 >= last.1 && now.2 >= last.2,
                        "counts went backwards: {last:?} then {now:?}"
                    );
                    last = now;
                    store
                        .claims_page(None, 20)
                        .expect("a reader must never see an error");
                    let bulk = store
                        .claims_tagged("bulk")
                        .expect("a reader must never see an error")
                        .len() as u64;
                    assert!(
                        bulk == 0 || bulk == BULK,
                        "a reader saw {bulk} of the bulk import's claims"
                    );
                    assert!(!(bulk_seen && bulk == 0), "the bulk import's claims disappeared");
                    bulk_seen |= bulk == BULK;
                    reads.fetch_add(1, Ordering::Relaxed);
                    // A desk's readers look, then think: not a busy loop taking the writers' cores.
                    std::thread::sleep(Duration::from_millis(10));
                }
            })
        })
        .collect();

    // The bulk import, once the writers are well under way; inside its transaction it waits for every
    // reader to read again: readers must not wait for a bulk import.
    let bulk = {
        let (location, reads) = (location.clone(), reads.clone());
        std::thread::spawn(move || {
            let store = open(&location, "bulk");
            let under_way = wait_for(|| store.counts().is_ok_and(|c| c.claims >= 1_000));
            assert!(under_way, "the writers never got under way");
            let before = store.counts().unwrap();
            let mut reads_during = 0;
            store
                .batch(|b| {
                    for i in 0..BULK {
                        let claim = b.add_claim(NewClaim::factual(format!("bulk claim {i}")).tag("bulk"))?;
                        b.add_evidence(claim, NewEvidence::new(source_id(), Stance::Neutral))?;
                    }
                    let start = reads.load(Ordering::Relaxed);
                    let read_on = wait_for(|| reads.load(Ordering::Relaxed) >= start + 3 * READERS as u64);
                    reads_during = reads.load(Ordering::Relaxed) - start;
                    assert!(read_on, "readers stopped while the bulk import was open");
                    Ok(())
                })
                .unwrap();
            let after = store.counts().unwrap();
            (before, after, reads_during)
        })
    };

    let mut all = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "a child process failed");
        all.extend(outcomes(&String::from_utf8(out.stdout).unwrap()));
    }
    let (before_bulk, after_bulk, reads_during_bulk) = bulk.join().unwrap();
    done.store(true, Ordering::Relaxed);
    for r in readers {
        r.join().unwrap();
    }

    // What the writers were told.
    let mut landed: HashMap<String, (char, String)> = HashMap::new();
    let mut by_worker: BTreeMap<u64, u64> = BTreeMap::new();
    let (mut refused, mut rolled_back) = (0, 0);
    let mut failures = Vec::new();
    for o in &all {
        match o {
            Outcome::Ok(k, w, n, id) => {
                assert!(
                    landed.insert(id.clone(), (*k, text(*w, *n))).is_none(),
                    "id {id} twice"
                );
                *by_worker.entry(*w).or_default() += 1;
            }
            Outcome::Refused(..) => refused += 1,
            Outcome::RolledBack(..) => rolled_back += 1,
            other => failures.push(other.clone()),
        }
    }
    assert!(
        failures.is_empty(),
        "{} writes failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    assert_eq!(all.len() as u64, ops * WRITERS, "every write reported");
    let commits = landed.len() as u64;
    assert_eq!(commits, expected_commits(ops));
    assert_eq!(refused + rolled_back + commits, ops * WRITERS);
    assert!(commits >= least_commits(desk.backend()), "only {commits} commits");
    eprintln!(
        "{:?}: {commits} commits by {WRITERS} writers in {PROCESSES} processes, {refused} refused and \
         {rolled_back} rolled back as intended, {} reads ({reads_during_bulk} while the bulk import was \
         open); claims {} before the bulk import, {} after",
        desk.backend(),
        reads.load(Ordering::Relaxed),
        before_bulk.claims,
        after_bulk.claims
    );
    // The bulk import ran amid the writers, who went on after it.
    assert!(before_bulk.claims >= 1_000);
    let claims = landed.values().filter(|(k, _)| *k == 'C').count() as u64;
    assert!(
        after_bulk.claims < claims + BULK,
        "the writers were done before the bulk import committed"
    );

    // What the desk holds: exactly the writes that returned Ok, each under the id it returned.
    let store = open(&location, "checker");
    let everything = bundle::export(&store).unwrap();
    let mut seen = HashSet::new();
    let mut check = |kind: char, id: String, stored: Option<&str>| {
        match landed.get(&id) {
            Some((k, t)) => {
                assert_eq!(*k, kind, "{id}");
                assert_eq!(stored, Some(t.as_str()), "{kind} {id}");
            }
            None => panic!("{kind} {id} ({stored:?}) landed but no writer was told so"),
        }
        assert!(seen.insert(id));
    };
    let mut bulk_claims = HashSet::new();
    for c in &everything.claims {
        if c.tags == ["bulk"] {
            bulk_claims.insert(c.id);
        } else {
            check('C', c.id.to_string(), Some(&c.text));
        }
    }
    assert_eq!(bulk_claims.len() as u64, BULK);
    for e in &everything.evidence {
        if bulk_claims.contains(&e.claim) {
            assert_eq!(e.excerpt, None);
        } else {
            check('E', e.id.to_string(), e.excerpt.as_deref());
        }
    }
    assert_eq!(
        everything.evidence.len() as u64,
        landed.values().filter(|(k, _)| *k == 'E').count() as u64 + BULK
    );
    for r in &everything.reviews {
        check('R', r.id.to_string(), r.rationale.as_deref());
    }
    assert_eq!(seen.len(), landed.len(), "every write that returned Ok landed");
    assert_eq!(everything.sources.len(), 1);

    // The history equals the state: one entry per write, and one for the bulk import's batch.
    assert!(store.integrity_problems().unwrap().is_empty());
    let report = store.verify_history().unwrap();
    assert!(
        report.is_consistent(),
        "{:?}",
        &report.problems[..report.problems.len().min(10)]
    );
    assert_eq!(report.changes, setup_changes + commits + 1);
    for (w, n) in by_worker {
        assert_eq!(
            store.history_by_actor(&format!("worker-{w}")).unwrap().len() as u64,
            n,
            "worker {w}"
        );
    }
}
