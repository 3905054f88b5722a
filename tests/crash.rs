//! Crash tests: a child process writing to a database is killed with SIGKILL at seeded-random moments;
//! after each kill the database must open, pass `Store::check` (SQLite's integrity and foreign-key
//! checks, every record valid, the history consistent with the state), hold every transaction the child
//! saw committed, whole, and no part of any other. One child imports a large JSON Lines file
//! (`io::jsonl::import`, one transaction); the other makes many small commits (`io::bundle::import`).
//!
//! The child is this test binary itself, re-run with `CLAIMTRACK_CRASH_CHILD` naming its job. The kill
//! moments come from a seed printed at the start; `CLAIMTRACK_CRASH_SEED=N cargo test --test crash`
//! replays a run.

use claimtrack::io::{ImportOptions, bundle};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use claimtrack::{
    Attribution, Bundle, Claim, ClaimId, Durability, Evidence, EvidenceId, Mode, NewSource, OpenOptions,
    Review, SourceId, SourceKind, Stance, Store, Verdict,
};
use uuid::Uuid;

const CHILD: &str = "CLAIMTRACK_CRASH_CHILD";
const DB: &str = "CLAIMTRACK_CRASH_DB";
const LOG: &str = "CLAIMTRACK_CRASH_LOG";
const ROUND: &str = "CLAIMTRACK_CRASH_ROUND";
const FILE: &str = "CLAIMTRACK_CRASH_FILE";
const KILLS: u64 = 20;
/// Claims per large import; each comes with an attribution, two evidence records and a review: a JSON
/// Lines file of 5 records (lines) per claim.
const IMPORT_CLAIMS: u64 = 600;

/// splitmix64: small, seedable, good enough to pick kill moments.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn seed() -> u64 {
    let seed = match std::env::var("CLAIMTRACK_CRASH_SEED") {
        Ok(s) => s
            .trim()
            .parse()
            .expect("CLAIMTRACK_CRASH_SEED must be an integer"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    };
    eprintln!("crash seed: {seed} (replay with CLAIMTRACK_CRASH_SEED={seed})");
    seed
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("claimtrack-crash-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A deterministic id: `tag` says what it is for, `round` and `i` which one.
fn uid(tag: u128, round: u64, i: u64) -> Uuid {
    Uuid::from_u128((tag << 112) | (u128::from(round) << 48) | u128::from(i))
}

fn when() -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(1_752_000_000).unwrap()
}

fn claim(id: Uuid, text: String) -> Claim {
    serde_json::from_value(serde_json::json!({
        "id": id, "text": text, "kind": "factual", "created_at": "2025-07-13T00:00:00Z"
    }))
    .unwrap()
}

/// One round's records: `n` claims, each with an attribution, evidence from the source and a review.
fn records(source: SourceId, tag: u128, round: u64, n: u64, evidence_per_claim: u64) -> Bundle {
    let mut b = Bundle::default();
    for i in 0..n {
        push_claim(&mut b, source, tag, round, i, evidence_per_claim);
    }
    b
}

/// Adds claim `i` with its attribution, evidence and (for imports) review.
fn push_claim(b: &mut Bundle, source: SourceId, tag: u128, round: u64, i: u64, evidence_per_claim: u64) {
    let c = claim(
        uid(tag, round, i),
        format!("claim {i} of round {round}: {}", "x".repeat(200)),
    );
    b.attributions.push(Attribution {
        id: claimtrack::AttributionId::from_uuid(uid(tag + 1, round, i)),
        claim: c.id,
        speaker: Some(source),
        relays: Vec::new(),
        publication: None,
        mode: Mode::Paraphrase,
        quote: None,
        said_on: None,
        created_at: when(),
    });
    for k in 0..evidence_per_claim {
        b.evidence.push(Evidence {
            id: EvidenceId::from_uuid(uid(tag + 2, round, i * 8 + k)),
            claim: c.id,
            source: Some(source),
            question: None,
            answer_type: None,
            stance: if k % 2 == 0 {
                Stance::Supports
            } else {
                Stance::Refutes
            },
            credibility: Default::default(),
            excerpt: Some(format!("excerpt {k}")),
            publication: None,
            as_of: None,
            created_at: when(),
        });
    }
    if tag == IMPORT_TAG {
        b.reviews.push(Review {
            id: claimtrack::ReviewId::from_uuid(uid(tag + 3, round, i)),
            claim: c.id,
            verdict: Some(Verdict::Mixed),
            label: None,
            rating: None,
            rationale: Some("r".into()),
            reviewer: None,
            reviewed_on: None,
            url: None,
            created_at: when(),
        });
    }
    b.claims.push(c);
}

const IMPORT_TAG: u128 = 0x10;
const SMALL_TAG: u128 = 0x20;
const SOURCE_ID: u128 = 0xFFFF_0000_0000_0000_0000_0000_0000_0001;

fn source_id() -> SourceId {
    SourceId::from_uuid(Uuid::from_u128(SOURCE_ID))
}

/// Creates the database with the one source every child round refers to.
fn prepare(path: &Path) {
    let store = Store::open(path).unwrap();
    let mut b = Bundle::default();
    let mut s = NewSource::new("Crash-test agency", SourceKind::NewsAgency)
        .into_source()
        .unwrap();
    s.id = source_id();
    b.sources.push(s);
    bundle::import(&store, &b, ImportOptions::default()).unwrap();
}

/// The child's entry point. Not a test of its own: the crash tests start it in a separate process.
#[test]
#[ignore = "child process of the crash tests, started by them"]
fn crash_child() {
    let Ok(job) = std::env::var(CHILD) else {
        return;
    };
    let db = std::env::var(DB).unwrap();
    let log = std::env::var(LOG).unwrap();
    let round: u64 = std::env::var(ROUND).unwrap().parse().unwrap();
    let store = Store::open(&db).unwrap();
    store.set_actor(&format!("crash-child-{round}")).unwrap();
    let mut log = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(log)
        .unwrap();
    match job.as_str() {
        "jsonl" => {
            // The JSON Lines file the parent wrote for this round, streamed in one transaction.
            let file = std::fs::File::open(std::env::var(FILE).unwrap()).unwrap();
            // Marks that the transaction is about to start, so the parent can tell a kill inside the
            // import from one during process start-up.
            std::fs::write(format!("{db}.begun-{round}"), b"").unwrap();
            claimtrack::io::jsonl::import(&store, file, ImportOptions::default()).unwrap();
            // Logged only after the commit returned.
            log.write_all(format!("{round}\n").as_bytes()).unwrap();
        }
        "small" => {
            // Rounds continue numbering where the database left off; each commit is one claim with its
            // attribution and evidence, in one transaction.
            let mut i = store.counts().unwrap().claims;
            loop {
                let mut one = Bundle::default();
                push_claim(&mut one, source_id(), SMALL_TAG, 0, i, 1);
                bundle::import(&store, &one, ImportOptions::default()).unwrap();
                log.write_all(format!("{i}\n").as_bytes()).unwrap();
                i += 1;
            }
        }
        other => panic!("unknown child job {other}"),
    }
}

fn spawn(job: &str, db: &Path, log: &Path, round: u64) -> Child {
    let file = db.with_file_name(format!("round-{round}.jsonl"));
    Command::new(std::env::current_exe().unwrap())
        .args([
            "crash_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD, job)
        .env(DB, db)
        .env(LOG, log)
        .env(ROUND, round.to_string())
        .env(FILE, file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Whole lines of the side log (a line cut short by the kill is not a logged commit).
fn logged(log: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let whole = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    whole.lines().map(|l| l.parse().unwrap()).collect()
}

/// SQLite's integrity check only: cheap enough for every round of the many-small-commits test.
fn check_sound(store: &Store, context: &str) {
    let problems = store.integrity_problems().unwrap();
    assert!(problems.is_empty(), "{context}: integrity: {problems:?}");
}

/// Everything `Store::check` verifies: integrity, foreign keys, records, name keys, affiliations and
/// the history against the state.
fn check_all(store: &Store, context: &str) {
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{context}: check: {:?}", report.problems);
}

/// Writes round `round`'s records as the JSON Lines file its child imports.
fn write_round(db: &Path, round: u64) -> Bundle {
    let b = records(source_id(), IMPORT_TAG, round, IMPORT_CLAIMS, 2);
    let file = std::fs::File::create(db.with_file_name(format!("round-{round}.jsonl"))).unwrap();
    claimtrack::io::jsonl::write_bundle(&b, file).unwrap();
    b
}

#[test]
fn killing_a_large_json_lines_import_leaves_all_of_it_or_none() {
    let mut rng = Rng(seed());
    let dir = scratch("import");
    let db = dir.join("desk.db");
    let log = dir.join("committed.log");
    prepare(&db);
    let per_round = write_round(&db, 0);

    // Round 0 runs to the end: it must commit, and it times the job for choosing kill moments.
    let start = Instant::now();
    let status = spawn("jsonl", &db, &log, 0).wait().unwrap();
    let full = start.elapsed();
    assert!(status.success());
    assert_eq!(logged(&log), vec![0]);

    let mut interrupted = 0;
    for round in 1..=KILLS {
        let delay = Duration::from_micros(rng.below(full.as_micros() as u64));
        write_round(&db, round);
        let mut child = spawn("jsonl", &db, &log, round);
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        std::fs::remove_file(db.with_file_name(format!("round-{round}.jsonl"))).unwrap();

        let context = format!("round {round}, killed after {delay:?} (a full import takes {full:?})");
        let store = Store::open(&db).unwrap();
        check_all(&store, &context);
        let committed = logged(&log);
        let counts = store.counts().unwrap();
        // Rounds already in the database: those logged, plus this one if it committed but was killed
        // before logging it. Never a part of a round.
        let rounds = counts.claims / IMPORT_CLAIMS;
        assert_eq!(
            counts.claims % IMPORT_CLAIMS,
            0,
            "{context}: a partial import is visible: {counts:?}"
        );
        assert_eq!(
            counts.attributions,
            rounds * per_round.attributions.len() as u64,
            "{context}"
        );
        assert_eq!(
            counts.evidence,
            rounds * per_round.evidence.len() as u64,
            "{context}"
        );
        assert_eq!(
            counts.reviews,
            rounds * per_round.reviews.len() as u64,
            "{context}"
        );
        let present = store.claim(ClaimId::from_uuid(uid(IMPORT_TAG, round, 0))).is_ok();
        if committed.last() == Some(&round) {
            assert!(present, "{context}: a logged import is missing");
        }
        let begun = Path::new(&format!("{}.begun-{round}", db.display())).exists();
        if begun && !present {
            interrupted += 1;
        }
        // The round's history entry (one per batch) committed with its records, or neither did; it
        // counts every record of the round.
        let entries = store.history_by_actor(&format!("crash-child-{round}")).unwrap();
        assert_eq!(entries.len(), usize::from(present), "{context}");
        if let Some(entry) = entries.first() {
            let written: u64 = entry
                .after
                .as_ref()
                .and_then(|v| v.as_object())
                .map(|m| m.values().filter_map(|n| n.as_u64()).sum())
                .unwrap_or_default();
            assert_eq!(written, per_round.len() as u64, "{context}");
        }
        let unlogged = present && committed.last() != Some(&round);
        let expected_rounds = committed.len() as u64 + u64::from(unlogged);
        assert_eq!(rounds, expected_rounds, "{context}: {committed:?}");
        if unlogged {
            // Killed after its commit, before the child logged it: log it here, so the next rounds
            // count it.
            std::fs::OpenOptions::new()
                .append(true)
                .open(&log)
                .unwrap()
                .write_all(format!("{round}\n").as_bytes())
                .unwrap();
        }
        // Every committed round is there whole: spot-check its last records.
        for r in &committed {
            let last = IMPORT_CLAIMS - 1;
            assert!(
                store.claim(ClaimId::from_uuid(uid(IMPORT_TAG, *r, last))).is_ok(),
                "{context}"
            );
            assert!(
                store
                    .evidence(EvidenceId::from_uuid(uid(IMPORT_TAG + 2, *r, last * 8 + 1)))
                    .is_ok()
            );
        }
    }
    eprintln!(
        "large JSON Lines import ({} lines): {interrupted} of {KILLS} kills landed inside the import transaction",
        per_round.len() + 1
    );
    assert!(
        interrupted > 0,
        "no kill interrupted an import; the test proved nothing"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn killing_many_small_commits_loses_no_logged_commit() {
    let mut rng = Rng(seed());
    let dir = scratch("small");
    let db = dir.join("desk.db");
    let log = dir.join("committed.log");
    prepare(&db);
    let mut total_logged = 0;
    let mut previous = 0;
    for round in 1..=KILLS {
        let delay = Duration::from_millis(30 + rng.below(300));
        let mut child = spawn("small", &db, &log, round);
        std::thread::sleep(delay);
        child.kill().unwrap();
        child.wait().unwrap();

        let context = format!("round {round}, killed after {delay:?}");
        let store = Store::open(&db).unwrap();
        check_sound(&store, &context);
        let committed = logged(&log);
        let counts = store.counts().unwrap();
        // Each commit is a claim with its attribution and its evidence: never one without the others.
        assert_eq!(counts.attributions, counts.claims, "{context}: {counts:?}");
        assert_eq!(counts.evidence, counts.claims, "{context}: {counts:?}");
        // Every logged commit is there; at most one more (committed, killed before logging).
        let n = committed.len() as u64;
        assert!(
            counts.claims == n || counts.claims == n + 1,
            "{context}: {n} logged, {counts:?}"
        );
        for i in committed.iter().rev().take(50) {
            let c = store.claim(ClaimId::from_uuid(uid(SMALL_TAG, 0, *i))).unwrap();
            assert!(c.text.starts_with(&format!("claim {i} of round 0")), "{context}");
            store
                .evidence(EvidenceId::from_uuid(uid(SMALL_TAG + 2, 0, i * 8)))
                .unwrap();
        }
        if counts.claims == n + 1 {
            // The unlogged commit must be the next one in sequence, and whole (checked above by counts);
            // rewrite the log so the next round starts in step.
            std::fs::OpenOptions::new()
                .append(true)
                .open(&log)
                .unwrap()
                .write_all(format!("{n}\n").as_bytes())
                .unwrap();
        }
        // This round's history entries: one per commit it made (each commit is one bundle import, whose
        // batch entry counts its claim, attribution and evidence).
        let entries = store.history_by_actor(&format!("crash-child-{round}")).unwrap();
        assert_eq!(entries.len() as u64, counts.claims - previous, "{context}");
        assert!(
            entries.iter().all(|e| e
                .after
                .as_ref()
                .is_some_and(|v| v["claim"] == 1 && v["attribution"] == 1 && v["evidence"] == 1)),
            "{context}"
        );
        previous = counts.claims;
        // Everything `check` verifies, the history replayed against the state included (every 4th round
        // and at the end, to stay fast).
        if round % 4 == 0 || round == KILLS {
            check_all(&store, &context);
        }
        total_logged = counts.claims;
    }
    eprintln!("small commits: {total_logged} commits across {KILLS} kills");
    assert!(total_logged > KILLS, "the child hardly committed anything");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn full_durability_sets_synchronous_full() {
    let dir = scratch("durability");
    let path = dir.join("desk.db");
    let store = Store::open_with(&path, &OpenOptions::new().durability(Durability::Full)).unwrap();
    assert_eq!(store.durability().unwrap(), Durability::Full);
    drop(store);
    // The setting belongs to the connection, not the file: a default open is Normal again.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.durability().unwrap(), Durability::Normal);
    assert_eq!(OpenOptions::default().durability, Durability::Normal);
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}
