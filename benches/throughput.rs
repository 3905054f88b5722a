//! Throughput and latency of claimtrack against hand-written rusqlite doing the same work, in one run.
//!
//! ```text
//! cargo bench --bench throughput                                   # N = 1,000,000 claims
//! CLAIMTRACK_BENCH_CLAIMS=100000 cargo bench --bench throughput    # quick run (CI)
//! CLAIMTRACK_BENCH_ONLY=library cargo bench --bench throughput     # one part alone (see `main`)
//! ```
//!
//! Every measurement runs the library and the baseline on the same data, on the same machine, with the
//! same durability (WAL, `synchronous=NORMAL`, foreign keys on). The baseline is the plain relational
//! layout a careful developer would write by hand: INTEGER primary keys and no public UUIDs, the same
//! columns otherwise, an index on every foreign-key column, statements prepared once, one transaction.
//!
//! Output: a readable table, then one `RESULT name=… n=… library=… baseline=… unit=… ratio=…` line per
//! measurement, last. `ratio` is library speed / baseline speed (for latencies baseline / library), so
//! above 1.0 means the library is faster. For `search` and `similar` the baseline does, by hand over raw
//! FTS5, the same bounded ranking the library does (see "baseline full-text work" below); the naive
//! queries (every match ranked) are printed in the notes for reference.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use claimtrack::{
    ClaimId, NewAttribution, NewClaim, NewEvidence, NewSource, SourceId, SourceKind, Stance, Store,
};
use rusqlite::{Connection, params};

#[cfg(feature = "postgres")]
mod throughput_pg;

const SOURCES: usize = 10_000;
const SINGLE_COMMITS: usize = 10_000;
const SUMMARY_QUERIES: usize = 100_000;
const SEARCH_QUERIES: usize = 2_000;
const SIMILAR_QUERIES: usize = 500;
/// How many commits each concurrent-writers measurement makes in total (split between the threads).
const CONCURRENT_COMMITS: usize = 2_000;
/// The writer threads of the concurrent-writers measurements.
const WRITERS: [usize; 3] = [1, 4, 16];

/// A deterministic xorshift generator, so both sides see the same "random" data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Realistic text: words drawn from the FEVER claims (with their natural frequencies).
struct Words(Vec<String>);

impl Words {
    fn load(data: &Path) -> Words {
        let mut words = Vec::new();
        if let Ok(text) = std::fs::read_to_string(data.join("fever/paper_dev.jsonl")) {
            for line in text.lines() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                    && let Some(claim) = v.get("claim").and_then(|c| c.as_str())
                {
                    words.extend(
                        claim
                            .split(|c: char| !c.is_alphanumeric())
                            .filter(|w| !w.is_empty())
                            .map(str::to_lowercase),
                    );
                }
            }
        }
        if words.is_empty() {
            eprintln!(
                "note: FEVER claims not found under {}; using a small word list",
                data.display()
            );
            words = "the of and a in is was film by an american for to born on played series with \
                     band album television he she it first world war united states city river"
                .split(' ')
                .map(String::from)
                .collect();
        }
        Words(words)
    }

    fn sentence(&self, rng: &mut Rng) -> String {
        let n = 6 + rng.below(10);
        let mut s = String::with_capacity(n * 8);
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(&self.0[rng.below(self.0.len())]);
        }
        s.push('.');
        s
    }
}

struct Timing {
    name: &'static str,
    n: usize,
    library: Option<f64>,
    baseline: Option<f64>,
    unit: &'static str,
    /// Higher is better (rates) or lower is better (latencies, sizes).
    higher_is_better: bool,
    note: String,
}

impl Timing {
    fn ratio(&self) -> Option<f64> {
        let (l, b) = (self.library?, self.baseline?);
        Some(if self.higher_is_better { l / b } else { b / l })
    }
}

fn fmt(v: Option<f64>) -> String {
    match v {
        None => "none".into(),
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.2}"),
    }
}

/// Each run's time in seconds to two decimals, for a result's note.
fn secs(runs: &[Duration]) -> Vec<f64> {
    runs.iter()
        .map(|d| (d.as_secs_f64() * 100.0).round() / 100.0)
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len() - 1);
    sorted[i].as_secs_f64() * 1e6
}

fn remove_db(path: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
}

/// Runs one hand-written layout's import into `path`, then reports its time and checkpointed size (MB)
/// and removes the file.
fn layout(path: &Path, import: impl FnOnce(&Path) -> Duration) -> (Duration, f64) {
    let t = import(path);
    let mb = {
        let c = Connection::open(path).unwrap();
        checkpoint(&c);
        file_mb(path)
    };
    remove_db(path);
    (t, mb)
}

fn file_mb(path: &Path) -> f64 {
    std::fs::metadata(path)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0)
}

// ---------------------------------------------------------------- baseline (hand-written rusqlite)

const BASELINE_SCHEMA: &str = "
CREATE TABLE sources (id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
                      created_at INTEGER NOT NULL) STRICT;
CREATE TABLE claims (id INTEGER PRIMARY KEY, text TEXT NOT NULL, language TEXT, kind TEXT NOT NULL,
                     created_at INTEGER NOT NULL) STRICT;
CREATE TABLE attributions (id INTEGER PRIMARY KEY, claim_id INTEGER NOT NULL REFERENCES claims (id),
                           speaker INTEGER REFERENCES sources (id), mode TEXT NOT NULL,
                           created_at INTEGER NOT NULL) STRICT;
CREATE INDEX attributions_claim ON attributions (claim_id);
CREATE INDEX attributions_speaker ON attributions (speaker);
CREATE TABLE evidence (id INTEGER PRIMARY KEY, claim_id INTEGER NOT NULL REFERENCES claims (id),
                       source_id INTEGER NOT NULL REFERENCES sources (id), stance TEXT NOT NULL,
                       credibility INTEGER NOT NULL, created_at INTEGER NOT NULL) STRICT;
CREATE INDEX evidence_claim ON evidence (claim_id);
CREATE INDEX evidence_source ON evidence (source_id);
";

/// The library's key layout (INTEGER rowid + UUID in a UNIQUE column), written by hand: isolates what
/// the layout costs from what the library's own code costs.
const UUID_COLUMN_SCHEMA: &str = "
CREATE TABLE sources (id INTEGER PRIMARY KEY, uuid BLOB NOT NULL UNIQUE, name TEXT NOT NULL,
                      kind TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
CREATE TABLE claims (id INTEGER PRIMARY KEY, uuid BLOB NOT NULL UNIQUE, text TEXT NOT NULL, language TEXT,
                     kind TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
CREATE TABLE attributions (id INTEGER PRIMARY KEY, uuid BLOB NOT NULL UNIQUE,
                           claim_id INTEGER NOT NULL REFERENCES claims (id),
                           speaker INTEGER REFERENCES sources (id), mode TEXT NOT NULL,
                           created_at INTEGER NOT NULL) STRICT;
CREATE INDEX attributions_claim ON attributions (claim_id);
CREATE INDEX attributions_speaker ON attributions (speaker);
CREATE TABLE evidence (id INTEGER PRIMARY KEY, uuid BLOB NOT NULL UNIQUE,
                       claim_id INTEGER NOT NULL REFERENCES claims (id),
                       source_id INTEGER NOT NULL REFERENCES sources (id), stance TEXT NOT NULL,
                       credibility INTEGER NOT NULL, created_at INTEGER NOT NULL) STRICT;
CREATE INDEX evidence_claim ON evidence (claim_id);
CREATE INDEX evidence_source ON evidence (source_id);
";

/// The other candidate layout: the UUID itself as primary key (WITHOUT ROWID tables, BLOB foreign keys).
const UUID_KEY_SCHEMA: &str = "
CREATE TABLE sources (id BLOB PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
                      created_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
CREATE TABLE claims (id BLOB PRIMARY KEY, text TEXT NOT NULL, language TEXT, kind TEXT NOT NULL,
                     created_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
CREATE TABLE attributions (id BLOB PRIMARY KEY, claim_id BLOB NOT NULL REFERENCES claims (id),
                           speaker BLOB REFERENCES sources (id), mode TEXT NOT NULL,
                           created_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
CREATE INDEX attributions_claim ON attributions (claim_id);
CREATE INDEX attributions_speaker ON attributions (speaker);
CREATE TABLE evidence (id BLOB PRIMARY KEY, claim_id BLOB NOT NULL REFERENCES claims (id),
                       source_id BLOB NOT NULL REFERENCES sources (id), stance TEXT NOT NULL,
                       credibility INTEGER NOT NULL, created_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
CREATE INDEX evidence_claim ON evidence (claim_id);
CREATE INDEX evidence_source ON evidence (source_id);
";

fn uuid() -> Vec<u8> {
    uuid::Uuid::now_v7().as_bytes().to_vec()
}

/// A bulk load in a hand-written UUID layout; returns the time taken.
fn uuid_layout_import(path: &Path, n: usize, words: &Words, uuid_key: bool) -> Duration {
    remove_db(path);
    let mut conn = baseline_open(path);
    conn.execute_batch(if uuid_key {
        UUID_KEY_SCHEMA
    } else {
        UUID_COLUMN_SCHEMA
    })
    .unwrap();
    let mut rng = Rng(42);
    let started = Instant::now();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    let (src_sql, claim_sql, attr_sql, ev_sql) = if uuid_key {
        (
            "INSERT INTO sources (id, name, kind, created_at) VALUES (?1, ?2, 'outlet', ?3)",
            "INSERT INTO claims (id, text, language, kind, created_at) VALUES (?1, ?2, 'en', 'factual', ?3)",
            "INSERT INTO attributions (id, claim_id, speaker, mode, created_at) VALUES (?1, ?2, ?3, 'paraphrase', ?4)",
            "INSERT INTO evidence (id, claim_id, source_id, stance, credibility, created_at) VALUES (?1, ?2, ?3, ?4, 6, ?5)",
        )
    } else {
        (
            "INSERT INTO sources (uuid, name, kind, created_at) VALUES (?1, ?2, 'outlet', ?3)",
            "INSERT INTO claims (uuid, text, language, kind, created_at) VALUES (?1, ?2, 'en', 'factual', ?3)",
            "INSERT INTO attributions (uuid, claim_id, speaker, mode, created_at) VALUES (?1, ?2, ?3, 'paraphrase', ?4)",
            "INSERT INTO evidence (uuid, claim_id, source_id, stance, credibility, created_at) VALUES (?1, ?2, ?3, ?4, 6, ?5)",
        )
    };
    {
        // Keys of sources: the UUID itself, or the rowid.
        let mut keys: Vec<rusqlite::types::Value> = Vec::with_capacity(SOURCES);
        let mut src = tx.prepare(src_sql).unwrap();
        for s in 0..SOURCES {
            let id = uuid();
            src.execute(params![id, format!("Source {s}"), now_ns()]).unwrap();
            keys.push(if uuid_key {
                rusqlite::types::Value::Blob(id)
            } else {
                rusqlite::types::Value::Integer(tx.last_insert_rowid())
            });
        }
        let mut claim = tx.prepare(claim_sql).unwrap();
        let mut attr = tx.prepare(attr_sql).unwrap();
        let mut ev = tx.prepare(ev_sql).unwrap();
        for i in 0..n {
            let text = words.sentence(&mut rng);
            let (sp, ba, dou) = roles(i);
            let t = now_ns();
            let id = uuid();
            claim.execute(params![id, text, t]).unwrap();
            let key = if uuid_key {
                rusqlite::types::Value::Blob(id)
            } else {
                rusqlite::types::Value::Integer(tx.last_insert_rowid())
            };
            attr.execute(params![uuid(), key, keys[sp], t]).unwrap();
            ev.execute(params![uuid(), key, keys[ba], "supports", t]).unwrap();
            ev.execute(params![uuid(), key, keys[dou], "refutes", t]).unwrap();
        }
    }
    tx.commit().unwrap();
    started.elapsed()
}

/// A third layout, not used by the library: the rowid *is* the UUID's high 64 bits (a v7 UUID's
/// timestamp and counter, so inserts still append) and a column keeps the low 64 bits; a lookup by
/// UUID is a rowid seek plus one comparison, with no separate UUID index.
const DERIVED_ROWID_SCHEMA: &str = "
CREATE TABLE sources (id INTEGER PRIMARY KEY, uuid_lo INTEGER NOT NULL, name TEXT NOT NULL,
                      kind TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
CREATE TABLE claims (id INTEGER PRIMARY KEY, uuid_lo INTEGER NOT NULL, text TEXT NOT NULL, language TEXT,
                     kind TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
CREATE TABLE attributions (id INTEGER PRIMARY KEY, uuid_lo INTEGER NOT NULL,
                           claim_id INTEGER NOT NULL REFERENCES claims (id),
                           speaker INTEGER REFERENCES sources (id), mode TEXT NOT NULL,
                           created_at INTEGER NOT NULL) STRICT;
CREATE INDEX attributions_claim ON attributions (claim_id);
CREATE INDEX attributions_speaker ON attributions (speaker);
CREATE TABLE evidence (id INTEGER PRIMARY KEY, uuid_lo INTEGER NOT NULL,
                       claim_id INTEGER NOT NULL REFERENCES claims (id),
                       source_id INTEGER NOT NULL REFERENCES sources (id), stance TEXT NOT NULL,
                       credibility INTEGER NOT NULL, created_at INTEGER NOT NULL) STRICT;
CREATE INDEX evidence_claim ON evidence (claim_id);
CREATE INDEX evidence_source ON evidence (source_id);
";

/// A v7-style id whose high 64 bits are unique on their own: milliseconds, version, and a 12-bit
/// counter (the uuid crate's v7 keeps its counter lower down, so its high halves collide within a
/// millisecond — a library using this layout would need its own generator, and a plan for imported
/// UUIDs whose high halves clash).
fn split_uuid() -> (i64, i64) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let c = COUNTER.fetch_add(1, Ordering::Relaxed) & 0xfff;
    let low = uuid::Uuid::now_v7().as_u128() as u64;
    (((ms << 16) | 0x7000 | c) as i64, low as i64)
}

fn derived_rowid_import(path: &Path, n: usize, words: &Words) -> Duration {
    remove_db(path);
    let mut conn = baseline_open(path);
    conn.execute_batch(DERIVED_ROWID_SCHEMA).unwrap();
    let mut rng = Rng(42);
    let started = Instant::now();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    {
        let mut keys = Vec::with_capacity(SOURCES);
        let mut src = tx
            .prepare(
                "INSERT INTO sources (id, uuid_lo, name, kind, created_at) VALUES (?1, ?2, ?3, 'outlet', ?4)",
            )
            .unwrap();
        for s in 0..SOURCES {
            let (hi, lo) = split_uuid();
            src.execute(params![hi, lo, format!("Source {s}"), now_ns()])
                .unwrap();
            keys.push(hi);
        }
        let mut claim = tx
            .prepare("INSERT INTO claims (id, uuid_lo, text, language, kind, created_at) VALUES (?1, ?2, ?3, 'en', 'factual', ?4)")
            .unwrap();
        let mut attr = tx
            .prepare("INSERT INTO attributions (id, uuid_lo, claim_id, speaker, mode, created_at) VALUES (?1, ?2, ?3, ?4, 'paraphrase', ?5)")
            .unwrap();
        let mut ev = tx
            .prepare("INSERT INTO evidence (id, uuid_lo, claim_id, source_id, stance, credibility, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 6, ?6)")
            .unwrap();
        for i in 0..n {
            let text = words.sentence(&mut rng);
            let (sp, ba, dou) = roles(i);
            let t = now_ns();
            let (c, lo) = split_uuid();
            claim.execute(params![c, lo, text, t]).unwrap();
            let (a, lo) = split_uuid();
            attr.execute(params![a, lo, c, keys[sp], t]).unwrap();
            let (e, lo) = split_uuid();
            ev.execute(params![e, lo, c, keys[ba], "supports", t]).unwrap();
            let (e, lo) = split_uuid();
            ev.execute(params![e, lo, c, keys[dou], "refutes", t]).unwrap();
        }
    }
    tx.commit().unwrap();
    started.elapsed()
}

/// The library's own bulk load written by hand: the same schema (`schema/0001_initial.sql`, created by
/// opening a `Store` and closing it) and the same rows — a UUID per record in its indexed column, each
/// claim's name key and its FTS5 row written by the loader, one `batch` history row with its per-table
/// rowid ranges — with plain prepared statements in one transaction. What the library does beyond this
/// (model values built and validated, the rowid map, each record's JSON digest summed into the batch
/// rows, which the hand-written load leaves 0) is what `import_same_layout`'s ratio measures.
///
/// The exact-repeat lookup's pairs (`claim_text_keys`) are written as `Store::batch` writes them: gathered
/// and inserted in hash order every 131,072 claims (`store/text_keys.rs`).
///
/// `deferred`: the load also builds the two indexes whose keys arrive in random order (evidence source,
/// attribution speaker) once at its end, dropping them first. `import_same_layout_deferred`
/// measures what maintaining those indexes row by row costs the layout (most of it at 1M, where they
/// outgrow the page cache). `Store::batch` does not do this: under the store's `temp_store = MEMORY`
/// SQLite's sorter never spills, so the build holds every key in memory and the load's resident memory
/// would grow with it (docs/performance.md, issue 10).
fn same_layout_import(path: &Path, n: usize, words: &Words, deferred: bool) -> Duration {
    remove_db(path);
    drop(Store::open(path).unwrap());
    let mut conn = baseline_open(path);
    // As the library's bulk loads run: `Store::batch` turns the memory map off for the load.
    conn.pragma_update(None, "mmap_size", 0).unwrap();
    let mut rng = Rng(42);
    let started = Instant::now();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    let mut rebuild = Vec::new();
    if deferred {
        for index in ["evidence_source", "attributions_speaker"] {
            let sql: String = tx
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
                    [index],
                    |r| r.get(0),
                )
                .unwrap();
            tx.execute_batch(&format!("DROP INDEX {index}")).unwrap();
            rebuild.push(sql);
        }
    }
    {
        tx.execute(
            "INSERT INTO history (at, actor, entity_kind, entity, operation, after) \
             VALUES (?1, 'bench', 'batch', ?2, 'import', '{}')",
            params![now_ns(), uuid()],
        )
        .unwrap();
        let batch = tx.last_insert_rowid();
        let mut src = tx
            .prepare(
                "INSERT INTO sources (uuid, name, name_key, kind, country, part_of, affiliation, \
                 reliability, notes, created_at) VALUES (?1, ?2, ?3, 'outlet', NULL, NULL, 'part_of', 'F', \
                 NULL, ?4)",
            )
            .unwrap();
        let mut keys = Vec::with_capacity(SOURCES);
        for s in 0..SOURCES {
            let name = format!("Source {s}");
            src.execute(params![uuid(), name, claimtrack::name_key(&name), now_ns()])
                .unwrap();
            keys.push(tx.last_insert_rowid());
        }
        let mut claim = tx
            .prepare(
                "INSERT INTO claims (uuid, text, language, kind, about, made_on, created_at, text_key_hash) \
                 VALUES (?1, ?2, 'en', 'factual', NULL, NULL, ?3, ?4)",
            )
            .unwrap();
        let mut fts = tx
            .prepare("INSERT INTO claims_fts (rowid, text) VALUES (?1, ?2)")
            .unwrap();
        let mut text_key = tx
            .prepare("INSERT INTO claim_text_keys (hash, claim) VALUES (?1, ?2)")
            .unwrap();
        let mut pending: Vec<(i64, i64)> = Vec::with_capacity(1 << 17);
        let mut flush = |pending: &mut Vec<(i64, i64)>| {
            pending.sort_unstable();
            for (hash, claim) in pending.drain(..) {
                text_key.execute(params![hash, claim]).unwrap();
            }
        };
        let mut attr = tx
            .prepare(
                "INSERT INTO attributions (uuid, claim_id, speaker, publication, mode, quote, said_on, \
                 created_at) VALUES (?1, ?2, ?3, NULL, 'paraphrase', NULL, NULL, ?4)",
            )
            .unwrap();
        let mut ev = tx
            .prepare(
                "INSERT INTO evidence (uuid, claim_id, source_id, stance, credibility, excerpt, publication, \
                 as_of, created_at, question, answer_type) VALUES (?1, ?2, ?3, ?4, 6, NULL, NULL, NULL, ?5, \
                 NULL, NULL)",
            )
            .unwrap();
        let (mut first_attr, mut first_ev) = (None, None);
        for i in 0..n {
            let text = words.sentence(&mut rng);
            let (sp, ba, dou) = roles(i);
            let t = now_ns();
            let hash = claimtrack::name_key_hash(&claimtrack::name_key(&text));
            claim.execute(params![uuid(), text, t, hash]).unwrap();
            let c = tx.last_insert_rowid();
            fts.execute(params![c, text]).unwrap();
            pending.push((hash, c));
            if pending.len() == 1 << 17 {
                flush(&mut pending);
            }
            attr.execute(params![uuid(), c, keys[sp], t]).unwrap();
            first_attr.get_or_insert(tx.last_insert_rowid());
            ev.execute(params![uuid(), c, keys[ba], "supports", t]).unwrap();
            first_ev.get_or_insert(tx.last_insert_rowid());
            ev.execute(params![uuid(), c, keys[dou], "refutes", t]).unwrap();
        }
        flush(&mut pending);
        let mut rows = tx
            .prepare(
                "INSERT INTO history_batch_rows (entity_kind, first_row, last_row, batch, records, digest) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            )
            .unwrap();
        let last = |table: &str| -> i64 {
            tx.query_row(&format!("SELECT max(id) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        };
        let claims_last = last("claims");
        let n = n as i64;
        for (kind, first, last, records) in [
            ("source", keys[0], *keys.last().unwrap(), SOURCES as i64),
            ("claim", claims_last - n + 1, claims_last, n),
            ("attribution", first_attr.unwrap_or(1), last("attributions"), n),
            ("evidence", first_ev.unwrap_or(1), last("evidence"), 2 * n),
        ] {
            rows.execute(params![kind, first, last, batch, records]).unwrap();
        }
    }
    for sql in rebuild {
        tx.execute_batch(&sql).unwrap();
    }
    tx.commit().unwrap();
    started.elapsed()
}

fn baseline_open(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    // The library's own cache and temp settings (src/store/open.rs), so both sides run alike.
    conn.pragma_update(None, "temp_store", "MEMORY").unwrap();
    conn.pragma_update(None, "cache_size", -32_768).unwrap();
    conn.pragma_update(None, "mmap_size", 1_i64 << 30).unwrap();
    conn
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// One claim with its attribution and two pieces of evidence, the baseline way.
fn baseline_claim(conn: &Connection, text: &str, speaker: i64, backer: i64, doubter: i64) -> i64 {
    baseline_claim_with(conn, text, speaker, backer, doubter, false)
}

/// [`baseline_claim`], also writing the claim's FTS5 row when `fts_row` (the loader keeps the index, as
/// the library does, instead of a trigger).
fn baseline_claim_with(
    conn: &Connection,
    text: &str,
    speaker: i64,
    backer: i64,
    doubter: i64,
    fts_row: bool,
) -> i64 {
    let t = now_ns();
    conn.prepare_cached(
        "INSERT INTO claims (text, language, kind, created_at) VALUES (?1, 'en', 'factual', ?2)",
    )
    .unwrap()
    .execute(params![text, t])
    .unwrap();
    let claim = conn.last_insert_rowid();
    if fts_row {
        conn.prepare_cached("INSERT INTO claims_fts (rowid, text) VALUES (?1, ?2)")
            .unwrap()
            .execute(params![claim, text])
            .unwrap();
    }
    conn.prepare_cached(
        "INSERT INTO attributions (claim_id, speaker, mode, created_at) VALUES (?1, ?2, 'paraphrase', ?3)",
    )
    .unwrap()
    .execute(params![claim, speaker, t])
    .unwrap();
    let mut ev = conn
        .prepare_cached(
            "INSERT INTO evidence (claim_id, source_id, stance, credibility, created_at) VALUES (?1, ?2, ?3, 6, ?4)",
        )
        .unwrap();
    ev.execute(params![claim, backer, "supports", t]).unwrap();
    ev.execute(params![claim, doubter, "refutes", t]).unwrap();
    claim
}

/// The sources of claim `i`: speaker, a backer and a doubter.
fn roles(i: usize) -> (usize, usize, usize) {
    (i % SOURCES, (i * 7 + 1) % SOURCES, (i * 13 + 2) % SOURCES)
}

/// An FTS5 index of claim text, as the library's (schema/0001_initial.sql).
const BASELINE_FTS: &str = "
CREATE VIRTUAL TABLE claims_fts USING fts5(text, content='claims', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2');
";

/// The baseline's search index over the claims it loaded: [`BASELINE_FTS`] built in one pass.
fn build_baseline_search_index(conn: &Connection) {
    conn.execute_batch(BASELINE_FTS).unwrap();
    conn.execute_batch("INSERT INTO claims_fts (claims_fts) VALUES ('rebuild');")
        .unwrap();
}

/// [`BASELINE_FTS`] kept by a trigger: any INSERT trigger makes SQLite keep a statement journal for every
/// INSERT inside a transaction, which is why the library writes its index rows itself.
const BASELINE_FTS_TRIGGER: &str = "
CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN
    INSERT INTO claims_fts (rowid, text) VALUES (new.id, new.text);
END;
";

fn baseline_import(path: &Path, n: usize, words: &Words) -> Duration {
    baseline_import_with(path, n, words, "", false)
}

/// The baseline's bulk load with `extra_schema` run first; `fts_rows`: the loader writes each claim's
/// FTS5 row.
fn baseline_import_with(
    path: &Path,
    n: usize,
    words: &Words,
    extra_schema: &str,
    fts_rows: bool,
) -> Duration {
    remove_db(path);
    let mut conn = baseline_open(path);
    conn.execute_batch(BASELINE_SCHEMA).unwrap();
    conn.execute_batch(extra_schema).unwrap();
    let mut rng = Rng(42);
    let started = Instant::now();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    {
        let mut src = tx
            .prepare_cached("INSERT INTO sources (name, kind, created_at) VALUES (?1, ?2, ?3)")
            .unwrap();
        for s in 0..SOURCES {
            src.execute(params![format!("Source {s}"), "outlet", now_ns()])
                .unwrap();
        }
    }
    for i in 0..n {
        let text = words.sentence(&mut rng);
        let (sp, ba, dou) = roles(i);
        baseline_claim_with(&tx, &text, sp as i64 + 1, ba as i64 + 1, dou as i64 + 1, fts_rows);
    }
    tx.commit().unwrap();
    started.elapsed()
}

// ---------------------------------------------------------------- baseline full-text work (raw FTS5)
//
// The library never ranks every match (see `src/store/search/mod.rs`): each word's row count is measured up to
// a cap; when every word is uncommon all matches are few and ranked by FTS5's bm25; when one is common,
// the newest `SEARCH_RANK_WINDOW` matches are read with their text and scored with the same BM25 formula.
// The baseline below is that same bounded work written by hand over the baseline's own FTS5 index (same
// tokenizer), on claim text only (the baseline has no quotes or excerpts; the library also probes those
// two indexes, empty here), returning each hit's rowid, text and score (no snippet).

const DF_CAP: i64 = claimtrack::analysis::SEARCH_COMMON_ROWS as i64;
const RANK_WINDOW: i64 = claimtrack::analysis::SEARCH_RANK_WINDOW as i64;
/// `similar_claims` asks the index for this many candidates, OR-ing uncommon words while their matches
/// stay within `OR_BUDGET` (the library's private constants, `src/analysis/similar.rs` and
/// `src/store/search/mod.rs`).
const SIMILAR_CANDIDATES: i64 = 60;
const OR_BUDGET: i64 = 3_000;
/// How many of the `similar` claims also run the naive query (all words OR-ed, every match ranked), for
/// reference: it takes up to a second each at N = 1,000,000.
const NAIVE_SIMILAR_QUERIES: usize = 50;

fn capped_df(conn: &Connection, term: &str) -> i64 {
    conn.prepare_cached("SELECT count(*) FROM (SELECT 1 FROM claims_fts WHERE claims_fts MATCH ?1 LIMIT ?2)")
        .unwrap()
        .query_row(params![format!("\"{term}\""), DF_CAP + 1], |r| r.get(0))
        .unwrap()
}

fn bm25_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
                w[..w.len() - 1].to_string()
            } else {
                w
            }
        })
        .collect()
}

/// The `top` best of `rows` (row id, text) by the library's BM25 formula for `terms` with match counts
/// `dfs` among `size` documents; `stem`: words are stemmed as the porter tokenizer would (SQLite), or only
/// lower-cased (PostgreSQL's `simple` configuration).
fn bm25_rank(
    rows: &[(i64, String)],
    dfs: &[i64],
    terms: &[&str],
    size: f64,
    stem: bool,
    top: usize,
) -> Vec<(i64, f64)> {
    let words = |t: &str| -> Vec<String> {
        if stem {
            bm25_words(t)
        } else {
            t.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect()
        }
    };
    let idf: Vec<f64> = dfs
        .iter()
        .map(|d| (((size - *d as f64 + 0.5) / (*d as f64 + 0.5)).ln()).max(1e-6))
        .collect();
    let keys: Vec<String> = terms.iter().map(|t| words(t).remove(0)).collect();
    let docs: Vec<Vec<String>> = rows.iter().map(|r| words(&r.1)).collect();
    let avg = (docs.iter().map(Vec::len).sum::<usize>() as f64 / docs.len().max(1) as f64).max(1.0);
    let mut scored: Vec<(i64, f64)> = rows
        .iter()
        .zip(&docs)
        .map(|((id, _), doc)| {
            let len = doc.len() as f64;
            let s = keys
                .iter()
                .zip(&idf)
                .map(|(k, idf)| {
                    let tf = (doc.iter().filter(|w| *w == k).count() as f64).max(1.0);
                    idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len / avg))
                })
                .sum();
            (*id, s)
        })
        .collect();
    scored.sort_by(|x, y| y.1.total_cmp(&x.1).then(y.0.cmp(&x.0)));
    scored.truncate(top);
    scored
}

/// Two-word search ranked like the library; returns the hits and whether a common word was in the query.
fn baseline_search(conn: &Connection, a: &str, b: &str) -> (Vec<(i64, String, f64)>, bool) {
    let terms: Vec<&str> = if a == b { vec![a] } else { vec![a, b] };
    let mut dfs = Vec::with_capacity(2);
    for t in &terms {
        let df = capped_df(conn, t);
        if df == 0 {
            return (Vec::new(), false);
        }
        dfs.push(df);
    }
    let query = terms
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(" ");
    let common = dfs.iter().any(|d| *d > DF_CAP);
    let mut ranked: Vec<(i64, f64)> = if !common {
        // At most DF_CAP matches: rank them all with bm25.
        conn.prepare_cached(
            "SELECT rowid, -bm25(claims_fts) FROM claims_fts WHERE claims_fts MATCH ?1 ORDER BY rank LIMIT 20",
        )
        .unwrap()
        .query_map(params![query], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    } else {
        let rows: Vec<(i64, String)> = conn
            .prepare_cached(
                "SELECT rowid, text FROM claims_fts WHERE claims_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
            )
            .unwrap()
            .query_map(params![query, RANK_WINDOW], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let size: f64 = conn
            .prepare_cached("SELECT id FROM claims ORDER BY id DESC LIMIT 1")
            .unwrap()
            .query_row([], |r| r.get::<_, i64>(0))
            .unwrap() as f64;
        bm25_rank(&rows, &dfs, &terms, size, true, 20)
    };
    let mut text = conn
        .prepare_cached("SELECT text FROM claims WHERE id = ?1")
        .unwrap();
    let hits = ranked
        .drain(..)
        .map(|(id, s)| (id, text.query_row([id], |r| r.get(0)).unwrap(), s))
        .collect();
    (hits, common)
}

/// The words of `text` the similar-claims candidate query looks for: lower-cased, without stop words,
/// each once, in order.
fn similar_terms(text: &str) -> Vec<String> {
    const STOPWORDS: &[&str] = &[
        "a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "from", "by", "with",
        "as", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "it", "its", "this",
        "that", "these", "those", "which", "who", "whom", "there", "their", "they", "he", "she", "his",
        "her", "than", "then", "so", "also", "into", "about", "over", "only", "do", "does", "did", "will",
        "would", "can", "could", "i", "we", "you", "our", "my", "your", "s",
    ];
    let mut terms: Vec<String> = Vec::new();
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let w = w.to_lowercase();
        if !STOPWORDS.contains(&w.as_str()) && !terms.contains(&w) {
            terms.push(w);
        }
    }
    terms
}

/// The candidate claims `similar_claims` re-scores, chosen the way the library chooses them, with their
/// text: the uncommon words OR-ed within a budget and ranked, or else the newest claims holding all the
/// common words.
fn baseline_similar_candidates(conn: &Connection, text: &str) -> Vec<(i64, String)> {
    let terms = similar_terms(text);
    let mut dfs: Vec<(i64, String)> = terms
        .into_iter()
        .map(|t| (capped_df(conn, &t), t))
        .filter(|(df, _)| *df > 0)
        .collect();
    dfs.sort();
    let mut chosen = Vec::new();
    let mut total = 0;
    for (df, t) in &dfs {
        if *df > DF_CAP || total + df > OR_BUDGET {
            break;
        }
        total += df;
        chosen.push(format!("\"{t}\""));
    }
    let rows: Vec<i64> = if !chosen.is_empty() {
        conn.prepare_cached("SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?1 ORDER BY rank LIMIT ?2")
            .unwrap()
            .query_map(params![chosen.join(" OR "), SIMILAR_CANDIDATES], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    } else if !dfs.is_empty() {
        let all: Vec<String> = dfs.iter().map(|(_, t)| format!("\"{t}\"")).collect();
        conn.prepare_cached(
            "SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
        )
        .unwrap()
        .query_map(params![all.join(" "), SIMILAR_CANDIDATES], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    } else {
        Vec::new()
    };
    let mut stmt = conn
        .prepare_cached("SELECT text FROM claims WHERE id = ?1")
        .unwrap();
    rows.into_iter()
        .map(|id| (id, stmt.query_row([id], |r| r.get(0)).unwrap()))
        .collect()
}

// ---------------------------------------------------------------- library

fn library_claim(
    b: &mut claimtrack::Batch<'_>,
    text: String,
    speaker: SourceId,
    backer: SourceId,
    doubter: SourceId,
) -> claimtrack::Result<ClaimId> {
    let c = b.add_claim(NewClaim::factual(text).language("en"))?;
    b.attribute(c, NewAttribution::said_by(speaker))?;
    b.add_evidence(c, NewEvidence::new(backer, Stance::Supports))?;
    b.add_evidence(c, NewEvidence::new(doubter, Stance::Refutes))?;
    Ok(c)
}

/// The search measurement's two-word queries: words drawn from the FEVER claims with their frequencies.
fn search_queries(words: &Words) -> Vec<(String, String)> {
    let mut rng = Rng(1234);
    (0..SEARCH_QUERIES)
        .map(|_| {
            let a = words.0[rng.below(words.0.len())].clone();
            let b = words.0[rng.below(words.0.len())].clone();
            (a, b)
        })
        .collect()
}

/// Writes the bench's data set (the same sources, sentences and roles as `import`) as a JSON Lines file,
/// for measuring `claimtrack import --format jsonl` (memory, in docs/performance.md): the sources, then
/// per claim the claim, its attribution and its two evidence records.
fn write_jsonl(path: &Path, n: usize, words: &Words) -> Duration {
    use claimtrack::io::jsonl::{JSONL_FORMAT, JSONL_VERSION, Record};
    use std::io::Write;
    let started = Instant::now();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "{{\"format\":\"{JSONL_FORMAT}\",\"version\":{JSONL_VERSION}}}"
    )
    .unwrap();
    let mut line = |r: Record| {
        serde_json::to_writer(&mut out, &r).unwrap();
        out.write_all(b"\n").unwrap();
    };
    let sources: Vec<claimtrack::Source> = (0..SOURCES)
        .map(|s| {
            NewSource::new(format!("Source {s}"), SourceKind::Outlet)
                .into_source()
                .unwrap()
        })
        .collect();
    for s in &sources {
        line(Record::Source(s.clone()));
    }
    let mut rng = Rng(42);
    for i in 0..n {
        let (sp, ba, dou) = roles(i);
        let c = NewClaim::factual(words.sentence(&mut rng))
            .language("en")
            .into_claim()
            .unwrap();
        let a = NewAttribution::said_by(sources[sp].id)
            .into_attribution(c.id)
            .unwrap();
        let backs = NewEvidence::new(sources[ba].id, Stance::Supports)
            .into_evidence(c.id)
            .unwrap();
        let doubts = NewEvidence::new(sources[dou].id, Stance::Refutes)
            .into_evidence(c.id)
            .unwrap();
        line(Record::Claim(c));
        line(Record::Attribution(a));
        line(Record::Evidence(backs));
        line(Record::Evidence(doubts));
    }
    out.flush().unwrap();
    started.elapsed()
}

/// `SINGLE_COMMITS` claims (with their attribution and evidence) through the library, one batch each,
/// after a store of `n` claims.
fn library_single_commits(store: &Store, sources: &[SourceId], n: usize, words: &Words) -> Duration {
    let mut rng = Rng(7);
    let started = Instant::now();
    for i in 0..SINGLE_COMMITS {
        let text = words.sentence(&mut rng);
        let (sp, ba, dou) = roles(i + n);
        store
            .batch(|b| library_claim(b, text, sources[sp], sources[ba], sources[dou]))
            .unwrap();
    }
    started.elapsed()
}

fn library_import(path: &Path, n: usize, words: &Words) -> (Duration, Store, Vec<SourceId>, Vec<ClaimId>) {
    remove_db(path);
    let store = Store::open(path).unwrap();
    let (t, sources, claims) = library_load(&store, n, words).unwrap();
    (t, store, sources, claims)
}

/// The bench's data set loaded into `store` through one `Store::batch`: its time, and the ids of the
/// sources and claims in load order.
fn library_load(
    store: &Store,
    n: usize,
    words: &Words,
) -> claimtrack::Result<(Duration, Vec<SourceId>, Vec<ClaimId>)> {
    let mut rng = Rng(42);
    let started = Instant::now();
    let (sources, claims) = store.batch(|b| {
        let mut sources = Vec::with_capacity(SOURCES);
        for s in 0..SOURCES {
            sources.push(b.add_source(NewSource::new(format!("Source {s}"), SourceKind::Outlet))?);
        }
        let mut claims = Vec::with_capacity(n);
        for i in 0..n {
            let (sp, ba, dou) = roles(i);
            claims.push(library_claim(
                b,
                words.sentence(&mut rng),
                sources[sp],
                sources[ba],
                sources[dou],
            )?);
        }
        Ok((sources, claims))
    })?;
    Ok((started.elapsed(), sources, claims))
}

// ---------------------------------------------------------------- runs

fn checkpoint(conn: &Connection) {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
}

fn main() {
    let n: usize = std::env::var("CLAIMTRACK_BENCH_CLAIMS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data: PathBuf = std::env::var_os("CLAIMTRACK_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../shared/data"));
    let dir = std::env::temp_dir().join(format!("claimtrack-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let words = Words::load(&data);
    if let Ok(url) = std::env::var("CLAIMTRACK_BENCH_PG") {
        let _ = std::fs::remove_dir_all(&dir);
        run_postgres(&url, n, &words);
        return;
    }
    if let Ok(only) = std::env::var("CLAIMTRACK_BENCH_ONLY") {
        let t = match only.as_str() {
            "library" => library_import(&dir.join("l.db"), n, &words).0,
            "evidence_of" => {
                let (_, store, _, claims) = library_import(&dir.join("l.db"), n, &words);
                let mut rng = Rng(99);
                let t = Instant::now();
                for _ in 0..SUMMARY_QUERIES {
                    std::hint::black_box(store.evidence_of(claims[rng.below(n)]).unwrap());
                }
                t.elapsed()
            }
            "evidence_summary" => {
                let (_, store, _, claims) = library_import(&dir.join("l.db"), n, &words);
                let mut rng = Rng(99);
                let t = Instant::now();
                for _ in 0..SUMMARY_QUERIES {
                    std::hint::black_box(store.evidence_summary(claims[rng.below(n)]).unwrap());
                }
                t.elapsed()
            }
            // Search alone, quicker than the full run: both loads, then three rounds of the search
            // queries, library and baseline alternating query by query, with each index's segments.
            "search" => {
                let bp = dir.join("b.db");
                baseline_import(&bp, n, &words);
                let base = baseline_open(&bp);
                build_baseline_search_index(&base);
                checkpoint(&base);
                let (_, store, _, _) = library_import(&dir.join("l.db"), n, &words);
                let segments = |c: &Connection| -> i64 {
                    c.query_row("SELECT count(DISTINCT segid) FROM claims_fts_idx", [], |r| {
                        r.get(0)
                    })
                    .unwrap()
                };
                let raw = Connection::open(dir.join("l.db")).unwrap();
                println!(
                    "claim index segments: library {}, baseline {}",
                    segments(&raw),
                    segments(&base)
                );
                let queries = search_queries(&words);
                let t = Instant::now();
                for round in 1..=3 {
                    let (mut lib, mut bas) = (Vec::new(), Vec::new());
                    for (a, b) in &queries {
                        let t = Instant::now();
                        std::hint::black_box(baseline_search(&base, a, b));
                        bas.push(t.elapsed());
                        let t = Instant::now();
                        std::hint::black_box(store.search(&format!("{a} {b}"), 20).unwrap());
                        lib.push(t.elapsed());
                    }
                    lib.sort();
                    bas.sort();
                    let (l50, l99) = (percentile(&lib, 0.5), percentile(&lib, 0.99));
                    let (b50, b99) = (percentile(&bas, 0.5), percentile(&bas, 0.99));
                    println!(
                        "search round {round}: library p50 {l50:.0} us, p99 {l99:.0} us; baseline p50 {b50:.0} \
                         us, p99 {b99:.0} us; ratio p50 {:.2}, p99 {:.2}",
                        b50 / l50,
                        b99 / l99
                    );
                }
                t.elapsed()
            }
            "fts" => baseline_import_with(&dir.join("f.db"), n, &words, BASELINE_FTS, true),
            "jsonl" => {
                let Some(out) = std::env::var_os("CLAIMTRACK_BENCH_JSONL") else {
                    eprintln!("CLAIMTRACK_BENCH_ONLY=jsonl needs CLAIMTRACK_BENCH_JSONL=<file to write>");
                    std::process::exit(2);
                };
                write_jsonl(Path::new(&out), n, &words)
            }
            "single_commit" => {
                let (_, store, sources, _) = library_import(&dir.join("l.db"), n, &words);
                library_single_commits(&store, &sources, n, &words)
            }
            "column" => uuid_layout_import(&dir.join("c.db"), n, &words, false),
            "same_layout" => same_layout_import(&dir.join("s.db"), n, &words, false),
            "same_layout_deferred" => same_layout_import(&dir.join("s.db"), n, &words, true),
            _ => baseline_import(&dir.join("b.db"), n, &words),
        };
        println!("{only}: {:.2} s", t.as_secs_f64());
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    eprintln!(
        "claimtrack throughput: N = {n} claims (1 attribution, 2 evidence each), {SOURCES} sources; files in {}",
        dir.display()
    );
    let mut results: Vec<Timing> = Vec::new();

    // import
    let base_path = dir.join("baseline.db");
    let lib_path = dir.join("library.db");
    // Library and baseline alternate `repeat` times; the medians are reported (the machine is shared,
    // so single runs swing).
    let repeat: usize = std::env::var("CLAIMTRACK_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if n <= 200_000 { 3 } else { 1 })
        .max(1);
    let mut base_runs = Vec::new();
    let mut lib_runs = Vec::new();
    let mut same_runs = Vec::new();
    let mut deferred_runs = Vec::new();
    let mut same_counts = None;
    let mut kept = None;
    for round in 0..repeat {
        eprintln!("import {}/{repeat}: baseline…", round + 1);
        base_runs.push(baseline_import(&base_path, n, &words));
        eprintln!("import {}/{repeat}: the library's layout by hand…", round + 1);
        let same_path = dir.join("same_layout.db");
        same_runs.push(same_layout_import(&same_path, n, &words, false));
        same_counts = Some(Store::open(&same_path).unwrap().counts().unwrap());
        remove_db(&same_path);
        eprintln!(
            "import {}/{repeat}: the same, its random indexes built at the end…",
            round + 1
        );
        deferred_runs.push(same_layout_import(&same_path, n, &words, true));
        assert_eq!(
            same_counts,
            Some(Store::open(&same_path).unwrap().counts().unwrap())
        );
        remove_db(&same_path);
        eprintln!("import {}/{repeat}: library…", round + 1);
        drop(kept.take()); // close the previous store before its file is removed
        let (t, store, sources, claims) = library_import(&lib_path, n, &words);
        lib_runs.push(t);
        kept = Some((store, sources, claims));
    }
    base_runs.sort();
    lib_runs.sort();
    same_runs.sort();
    deferred_runs.sort();
    let (base_t, lib_t, same_t) = (base_runs[repeat / 2], lib_runs[repeat / 2], same_runs[repeat / 2]);
    let deferred_t = deferred_runs[repeat / 2];
    let Some((store, sources, claims)) = kept else {
        unreachable!("repeat >= 1")
    };
    // Both loads wrote the same records.
    assert_eq!(same_counts, Some(store.counts().unwrap()));
    results.push(Timing {
        name: "import",
        n,
        library: Some(n as f64 / lib_t.as_secs_f64()),
        baseline: Some(n as f64 / base_t.as_secs_f64()),
        unit: "claims/s",
        higher_is_better: true,
        note: format!(
            "median of {repeat}: {:.2} s vs {:.2} s (library runs {:?}, baseline runs {:?}); 4 rows per claim",
            lib_t.as_secs_f64(),
            base_t.as_secs_f64(),
            secs(&lib_runs),
            secs(&base_runs),
        ),
    });

    results.push(Timing {
        name: "import_same_layout",
        n,
        library: Some(n as f64 / lib_t.as_secs_f64()),
        baseline: Some(n as f64 / same_t.as_secs_f64()),
        unit: "claims/s",
        higher_is_better: true,
        note: format!(
            "the library's schema and rows written by hand (UUID column and index, claim FTS5 row by the \
             loader, one batch history row); median of {repeat}: {:.2} s vs {:.2} s (hand-written runs {:?})",
            lib_t.as_secs_f64(),
            same_t.as_secs_f64(),
            secs(&same_runs),
        ),
    });
    results.push(Timing {
        name: "import_same_layout_deferred",
        n,
        library: Some(n as f64 / lib_t.as_secs_f64()),
        baseline: Some(n as f64 / deferred_t.as_secs_f64()),
        unit: "claims/s",
        higher_is_better: true,
        note: format!(
            "for reference: the same hand-written load, building its three randomly ordered indexes once at \
             the end (the library does not); median of {repeat}: {:.2} s vs {:.2} s (hand-written runs {:?})",
            lib_t.as_secs_f64(),
            deferred_t.as_secs_f64(),
            secs(&deferred_runs),
        ),
    });

    // The two UUID layouts, by hand: what the key design costs SQLite itself.
    eprintln!("import: hand-written UUID layouts…");
    let (col_t, col_mb) = layout(&dir.join("uuid_column.db"), |p| {
        uuid_layout_import(p, n, &words, false)
    });
    let (key_t, key_mb) = layout(&dir.join("uuid_key.db"), |p| {
        uuid_layout_import(p, n, &words, true)
    });
    let (der_t, der_mb) = layout(&dir.join("derived.db"), |p| derived_rowid_import(p, n, &words));
    let (fts_t, fts_mb) = layout(&dir.join("fts.db"), |p| {
        baseline_import_with(p, n, &words, BASELINE_FTS, true)
    });
    let (trig_t, trig_mb) = layout(&dir.join("fts_trigger.db"), |p| {
        baseline_import_with(
            p,
            n,
            &words,
            &format!("{BASELINE_FTS}{BASELINE_FTS_TRIGGER}"),
            false,
        )
    });
    let base_mb = {
        let c = Connection::open(&base_path).unwrap();
        checkpoint(&c);
        file_mb(&base_path)
    };
    let layouts = format!(
        "hand-written layouts: INTEGER keys {:.0}/s ({base_mb:.1} MB); rowid + UUID column {:.0}/s ({col_mb:.1} MB); \
         UUID BLOB key {:.0}/s ({key_mb:.1} MB); rowid = UUID high bits {:.0}/s ({der_mb:.1} MB); \
         INTEGER keys + FTS5 rows written by the loader {:.0}/s ({fts_mb:.1} MB); \
         the same kept by an INSERT trigger {:.0}/s ({trig_mb:.1} MB)",
        n as f64 / base_t.as_secs_f64(),
        n as f64 / col_t.as_secs_f64(),
        n as f64 / key_t.as_secs_f64(),
        n as f64 / der_t.as_secs_f64(),
        n as f64 / fts_t.as_secs_f64(),
        n as f64 / trig_t.as_secs_f64()
    );
    eprintln!("{layouts}");
    if std::env::var_os("CLAIMTRACK_BENCH_IMPORT_ONLY").is_some() {
        // For profiling the bulk path alone.
        println!(
            "import: library {:.2} s, baseline {:.2} s, library's layout by hand {:.2} s",
            lib_t.as_secs_f64(),
            base_t.as_secs_f64(),
            same_t.as_secs_f64()
        );
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let base = baseline_open(&base_path);
    checkpoint(&base);
    {
        let raw = Connection::open(&lib_path).unwrap();
        checkpoint(&raw);
    }
    results.push(Timing {
        name: "db_size",
        n,
        library: Some(file_mb(&lib_path)),
        baseline: Some(file_mb(&base_path)),
        unit: "MB",
        higher_is_better: false,
        note: "file size after import and checkpoint; the library also stores a 16-byte UUID per row".into(),
    });

    // single_commit
    eprintln!("single_commit…");
    let mut rng = Rng(7);
    let started = Instant::now();
    for i in 0..SINGLE_COMMITS {
        let text = words.sentence(&mut rng);
        let (sp, ba, dou) = roles(i + n);
        base.execute_batch("BEGIN IMMEDIATE").unwrap();
        baseline_claim(&base, &text, sp as i64 + 1, ba as i64 + 1, dou as i64 + 1);
        base.execute_batch("COMMIT").unwrap();
    }
    let base_t = started.elapsed();
    let lib_t = library_single_commits(&store, &sources, n, &words);
    results.push(Timing {
        name: "single_commit",
        n: SINGLE_COMMITS,
        library: Some(SINGLE_COMMITS as f64 / lib_t.as_secs_f64()),
        baseline: Some(SINGLE_COMMITS as f64 / base_t.as_secs_f64()),
        unit: "commits/s",
        higher_is_better: true,
        note: "one claim + attribution + 2 evidence per transaction".into(),
    });

    // concurrent writers: threads with a connection (baseline) or Store (library) each, on the same file.
    for (name, threads) in [
        "concurrent_writers_1",
        "concurrent_writers_4",
        "concurrent_writers_16",
    ]
    .into_iter()
    .zip(WRITERS)
    {
        eprintln!("{name}…");
        let text = |k: usize| words.sentence(&mut Rng(0x9e37_79b9_7f4a_7c15 ^ (k as u64 + 1)));
        let role = |k: usize| roles(n + SINGLE_COMMITS + k);
        let (b, b_failed) = concurrent(
            threads,
            || {
                let c = baseline_open(&base_path);
                c.busy_timeout(Duration::from_secs(30)).unwrap();
                c
            },
            |c, k| {
                let (sp, ba, dou) = role(k);
                c.execute_batch("BEGIN IMMEDIATE").is_ok() && {
                    baseline_claim(c, &text(k), sp as i64 + 1, ba as i64 + 1, dou as i64 + 1);
                    c.execute_batch("COMMIT").is_ok()
                }
            },
        );
        let (l, l_failed) = concurrent(
            threads,
            || Store::open(&lib_path).unwrap(),
            |store, k| {
                let (sp, ba, dou) = role(k);
                store
                    .batch(|b| library_claim(b, text(k), sources[sp], sources[ba], sources[dou]))
                    .is_ok()
            },
        );
        results.push(Timing {
            name,
            n: CONCURRENT_COMMITS,
            library: Some(l),
            baseline: Some(b),
            unit: "commits/s",
            higher_is_better: true,
            note: format!(
                "{threads} threads, each with its own connection (baseline, BEGIN IMMEDIATE, 30 s busy timeout) \
                 or Store (library) on the file, {} single-claim commits each; failed commits: library \
                 {l_failed}, baseline {b_failed}",
                CONCURRENT_COMMITS / threads
            ),
        });
    }

    // evidence_summary
    eprintln!("evidence_summary…");
    let mut rng = Rng(99);
    let picks: Vec<usize> = (0..SUMMARY_QUERIES).map(|_| rng.below(n)).collect();
    let mut lat = Vec::with_capacity(SUMMARY_QUERIES);
    {
        // What a summary shows, by hand: each piece of evidence with its source's name, stance and
        // grade, and who said the claim (the attribution's speaker) — two indexed joins by rowid.
        let mut ev_stmt = base
            .prepare_cached(
                "SELECT e.id, e.source_id, s.name, e.stance, e.credibility, e.created_at FROM evidence e \
                 JOIN sources s ON s.id = e.source_id WHERE e.claim_id = ?1 ORDER BY e.id",
            )
            .unwrap();
        let mut who_stmt = base
            .prepare_cached(
                "SELECT a.speaker, s.name FROM attributions a LEFT JOIN sources s ON s.id = a.speaker \
                 WHERE a.claim_id = ?1 ORDER BY a.id",
            )
            .unwrap();
        for &i in &picks {
            let t = Instant::now();
            let rows: Vec<(i64, i64, String, String, i64, i64)> = ev_stmt
                .query_map([i as i64 + 1], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let who: Vec<(Option<i64>, Option<String>)> = who_stmt
                .query_map([i as i64 + 1], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            lat.push(t.elapsed());
            assert_eq!((rows.len(), who.len()), (2, 1));
        }
    }
    lat.sort();
    let (b50, b99) = (percentile(&lat, 0.50), percentile(&lat, 0.99));
    lat.clear();
    for &i in &picks {
        let t = Instant::now();
        let summary = store.evidence_summary(claims[i]).unwrap();
        lat.push(t.elapsed());
        assert_eq!((summary.supporting.len(), summary.conflicting.len()), (1, 1));
    }
    lat.sort();
    let (l50, l99) = (percentile(&lat, 0.50), percentile(&lat, 0.99));
    // For reference: the plain record read the summary starts from.
    lat.clear();
    for &i in &picks {
        let t = Instant::now();
        let ev = store.evidence_of(claims[i]).unwrap();
        lat.push(t.elapsed());
        assert_eq!(ev.len(), 2);
    }
    lat.sort();
    let (o50, o99) = (percentile(&lat, 0.50), percentile(&lat, 0.99));
    for (name, l, b) in [
        ("evidence_summary_p50", l50, b50),
        ("evidence_summary_p99", l99, b99),
    ] {
        results.push(Timing {
            name,
            n: SUMMARY_QUERIES,
            library: Some(l),
            baseline: Some(b),
            unit: "us",
            higher_is_better: false,
            note: format!(
                "library: Store::evidence_summary (by UUID); baseline: evidence+source join and speaker join by rowid \
                 (Store::evidence_of alone: p50 {o50:.1} us, p99 {o99:.1} us)"
            ),
        });
    }

    // search: the library's ranking, and the same bounded ranking written by hand over raw FTS5
    eprintln!("search: building the baseline FTS5 index…");
    let t = Instant::now();
    build_baseline_search_index(&base);
    let fts_build = t.elapsed();
    let queries = search_queries(&words);
    eprintln!("search: baseline…");
    let mut lat = Vec::with_capacity(SEARCH_QUERIES);
    let mut common = 0;
    for (a, b) in &queries {
        let t = Instant::now();
        let (hits, had_common) = baseline_search(&base, a, b);
        lat.push(t.elapsed());
        common += usize::from(had_common);
        std::hint::black_box(hits);
    }
    lat.sort();
    let (b50, b99) = (percentile(&lat, 0.50), percentile(&lat, 0.99));
    eprintln!("search: library…");
    lat.clear();
    let mut lib_hits = 0;
    for (a, b) in &queries {
        let q = format!("{a} {b}");
        let t = Instant::now();
        let hits = store.search(&q, 20).unwrap();
        lat.push(t.elapsed());
        lib_hits += hits.len();
    }
    lat.sort();
    let (l50, l99) = (percentile(&lat, 0.50), percentile(&lat, 0.99));
    // For reference: ranking every match (the trap), and not ranking at all.
    eprintln!("search: raw FTS5 ORDER BY rank / unranked…");
    let naive = |sql: &str| -> (f64, f64) {
        let mut stmt = base.prepare_cached(sql).unwrap();
        let mut lat = Vec::with_capacity(queries.len());
        for (a, b) in &queries {
            let q = format!("\"{a}\" \"{b}\"");
            let t = Instant::now();
            let hits: Vec<i64> = stmt
                .query_map([q], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            lat.push(t.elapsed());
            std::hint::black_box(hits);
        }
        lat.sort();
        (percentile(&lat, 0.50), percentile(&lat, 0.99))
    };
    let (r50, r99) = naive("SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?1 ORDER BY rank LIMIT 20");
    let (u50, u99) = naive("SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?1 LIMIT 20");
    for (name, l, b) in [("search_p50", l50, b50), ("search_p99", l99, b99)] {
        results.push(Timing {
            name,
            n: SEARCH_QUERIES,
            library: Some(l),
            baseline: Some(b),
            unit: "us",
            higher_is_better: false,
            note: format!(
                "Store::search(q, 20) vs the same bounded BM25 ranking by hand on raw FTS5 (claim text only); \
                 {common} of {SEARCH_QUERIES} queries hold a common word; library returned {lib_hits} hits; \
                 raw ORDER BY rank: p50 {r50:.0} us, p99 {r99:.0} us; unranked: p50 {u50:.0} us, p99 {u99:.0} us; \
                 baseline index built in {:.1} s",
                fts_build.as_secs_f64()
            ),
        });
    }

    eprintln!("similar…");
    let mut rng = Rng(4321);
    let mut text_of = base
        .prepare_cached("SELECT text FROM claims WHERE id = ?1")
        .unwrap();
    // The same random claims' texts on both sides (claim i has the same text in both databases).
    let similar_texts: Vec<String> = (0..SIMILAR_QUERIES)
        .map(|_| {
            text_of
                .query_row([rng.below(n) as i64 + 1], |r| r.get(0))
                .unwrap()
        })
        .collect();
    drop(text_of);
    let mut lat = Vec::with_capacity(SIMILAR_QUERIES);
    for text in &similar_texts {
        let t = Instant::now();
        let found = baseline_similar_candidates(&base, text);
        lat.push(t.elapsed());
        std::hint::black_box(found);
    }
    lat.sort();
    let (b50, b99) = (percentile(&lat, 0.50), percentile(&lat, 0.99));
    lat.clear();
    let mut found_self = 0;
    for text in &similar_texts {
        let t = Instant::now();
        let found = store.similar_claims(text, 10).unwrap();
        lat.push(t.elapsed());
        found_self += usize::from(found.first().is_some_and(|f| f.text == *text));
    }
    lat.sort();
    let (l50, l99) = (percentile(&lat, 0.50), percentile(&lat, 0.99));
    // For reference: every word of the claim OR-ed and every match ranked (the naive query), on a few.
    let mut naive_lat = Vec::with_capacity(NAIVE_SIMILAR_QUERIES);
    {
        let mut stmt = base
            .prepare_cached("SELECT rowid FROM claims_fts WHERE claims_fts MATCH ?1 ORDER BY rank LIMIT 10")
            .unwrap();
        for text in similar_texts.iter().take(NAIVE_SIMILAR_QUERIES) {
            let mut terms: Vec<String> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| format!("\"{}\"", w.to_lowercase()))
                .collect();
            terms.sort();
            terms.dedup();
            let t = Instant::now();
            let hits: Vec<i64> = stmt
                .query_map([terms.join(" OR ")], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            naive_lat.push(t.elapsed());
            std::hint::black_box(hits);
        }
    }
    naive_lat.sort();
    for (name, l, b, p) in [("similar_p50", l50, b50, 0.5), ("similar_p99", l99, b99, 0.99)] {
        results.push(Timing {
            name,
            n: SIMILAR_QUERIES,
            library: Some(l),
            baseline: Some(b),
            unit: "us",
            higher_is_better: false,
            note: format!(
                "Store::similar_claims(text, 10) vs the same bounded candidate query by hand (60 candidates with \
                 their text, no re-scoring); the claim itself came first in {found_self} of {SIMILAR_QUERIES}; \
                 naive OR of all words ORDER BY rank: {:.0} us on {NAIVE_SIMILAR_QUERIES}",
                percentile(&naive_lat, p)
            ),
        });
    }
    // Exact repeats, as a desk would paste them: the same text shouted and re-spaced must still find
    // the stored claim first (issue 12: 375 of 500 at 1M before the text-key index).
    let mut repeat_first = 0;
    for text in &similar_texts {
        let pasted = format!(
            "  {} ",
            text.to_uppercase().split(' ').collect::<Vec<_>>().join("  ")
        );
        let found = store.similar_claims(&pasted, 10).unwrap();
        repeat_first += usize::from(found.first().is_some_and(|f| f.text == *text));
    }
    results.push(Timing {
        name: "similar_exact_repeat",
        n: SIMILAR_QUERIES,
        library: Some(found_self as f64),
        baseline: None,
        unit: "found",
        higher_is_better: true,
        note: format!(
            "a stored claim's own text given to similar_claims: that claim (or one with the same text) first \
             in {found_self} of {SIMILAR_QUERIES}; the same text upper-cased and re-spaced: {repeat_first} of \
             {SIMILAR_QUERIES}"
        ),
    });
    // Recall on FEVER-derived paraphrases (tests/data/similar/fever_pairs.tsv: hand-written rewordings of
    // FEVER claims), with the FEVER claims added among the store's claims as the ones to find.
    let pairs: Vec<(String, String)> = include_str!("../tests/data/similar/fever_pairs.tsv")
        .lines()
        .filter(|l| l.starts_with("same\t"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() == 4).then(|| (f[1].to_string(), f[3].to_string()))
        })
        .collect();
    let mut targets: Vec<&String> = pairs.iter().map(|(_, t)| t).collect();
    targets.sort();
    targets.dedup();
    for t in &targets {
        store.add_claim(NewClaim::factual((*t).clone())).unwrap();
    }
    let mut queries: Vec<(&String, Vec<&String>)> = Vec::new();
    for (q, t) in &pairs {
        match queries.iter_mut().find(|(x, _)| *x == q) {
            Some((_, ts)) => ts.push(t),
            None => queries.push((q, vec![t])),
        }
    }
    let (mut at1, mut at10) = (0, 0);
    for (q, ts) in &queries {
        let found = store.similar_claims(q, 10).unwrap();
        at1 += usize::from(found.first().is_some_and(|f| ts.contains(&&f.text)));
        at10 += usize::from(found.iter().any(|f| ts.contains(&&f.text)));
    }
    results.push(Timing {
        name: "similar_fever_recall",
        n: queries.len(),
        library: Some(at10 as f64),
        baseline: None,
        unit: "found",
        higher_is_better: true,
        note: format!(
            "hand-written rewordings of {} FEVER claims, the FEVER claims among {n} others: the reworded \
             claim in the top 10 for {at10} of {} queries (recall@10), first for {at1}",
            targets.len(),
            queries.len()
        ),
    });
    drop(base);
    drop(store);

    // fever_import
    eprintln!("fever_import…");
    let fever_file = data.join("fever/paper_dev.jsonl");
    if fever_file.exists() {
        let fever_db = dir.join("fever.db");
        remove_db(&fever_db);
        let store = Store::open(&fever_db).unwrap();
        let t = Instant::now();
        let report = claimtrack::io::import_file(
            &store,
            claimtrack::io::DataSet::Fever,
            &fever_file,
            claimtrack::io::ImportOptions::default(),
        )
        .unwrap();
        let took = t.elapsed();
        results.push(Timing {
            name: "fever_import",
            n: report.read as usize,
            library: Some(report.added.claims as f64 / took.as_secs_f64()),
            baseline: None,
            unit: "claims/s",
            higher_is_better: true,
            note: format!(
                "paper_dev.jsonl through io::fever, {} records in {:.2} s",
                report.added.claims + report.added.evidence + report.added.reviews + report.added.sources,
                took.as_secs_f64()
            ),
        });
    } else {
        eprintln!("note: {} not found; fever_import skipped", fever_file.display());
    }

    let _ = std::fs::remove_dir_all(&dir);

    report(&results, &layouts, "");
}

/// Prints the readable table, `notes`, the machine, then one `RESULT` line per measurement (`suffix`
/// appended to each, e.g. ` backend=postgres`).
fn report(results: &[Timing], notes: &str, suffix: &str) {
    println!();
    println!(
        "{:<22} {:>10} {:>12} {:>12} {:>10} {:>7}  note",
        "measurement", "n", "library", "baseline", "unit", "ratio"
    );
    for r in results {
        println!(
            "{:<22} {:>10} {:>12} {:>12} {:>10} {:>7}  {}",
            r.name,
            r.n,
            fmt(r.library),
            fmt(r.baseline),
            r.unit,
            r.ratio()
                .map(|x| format!("{x:.2}"))
                .unwrap_or_else(|| "none".into()),
            r.note
        );
    }
    println!();
    println!("{notes}");
    println!(
        "machine: {} cores, load average at the end {}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!();
    for r in results {
        println!(
            "RESULT name={} n={} library={} baseline={} unit={} ratio={}{suffix}",
            r.name,
            r.n,
            fmt(r.library),
            fmt(r.baseline),
            r.unit,
            r.ratio()
                .map(|x| format!("{x:.2}"))
                .unwrap_or_else(|| "none".into())
        );
    }
}

/// The bench on the PostgreSQL server at `url` (`CLAIMTRACK_BENCH_PG`), with the `postgres` feature.
#[cfg(feature = "postgres")]
fn run_postgres(url: &str, n: usize, words: &Words) {
    let (results, notes) = throughput_pg::run(url, n, words);
    report(&results, &notes, " backend=postgres");
}

#[cfg(not(feature = "postgres"))]
fn run_postgres(_: &str, _: usize, _: &Words) {
    eprintln!(
        "CLAIMTRACK_BENCH_PG is set, but this bench was built without PostgreSQL: \
         cargo bench --features postgres --bench throughput"
    );
    std::process::exit(2);
}

/// Runs `commit` `CONCURRENT_COMMITS` times over `threads` threads, each with a connection `open` made
/// before the clock starts; returns commits per second and how many commits failed.
fn concurrent<C>(
    threads: usize,
    open: impl Fn() -> C + Sync,
    commit: impl Fn(&mut C, usize) -> bool + Sync,
) -> (f64, usize) {
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let per = CONCURRENT_COMMITS / threads;
    let barrier = Barrier::new(threads + 1);
    let failed = AtomicUsize::new(0);
    let started = std::thread::scope(|s| {
        for t in 0..threads {
            let (open, commit, barrier, failed) = (&open, &commit, &barrier, &failed);
            s.spawn(move || {
                let mut conn = open();
                barrier.wait();
                for i in 0..per {
                    if !commit(&mut conn, t * per + i) {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
        barrier.wait();
        Instant::now()
    });
    let took = started.elapsed();
    let failed = failed.into_inner();
    ((per * threads - failed) as f64 / took.as_secs_f64(), failed)
}
