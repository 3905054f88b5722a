//! The throughput bench on PostgreSQL (`CLAIMTRACK_BENCH_PG=postgres://…`, feature `postgres`).
//!
//! The same measurements as the SQLite run, on one server: the library (`Store::open(url)`) against a
//! hand-written `postgres`-crate baseline with **the same layout** (`schema/postgres/0001_initial.sql`,
//! applied as written), each in a schema of its own that the bench creates and drops
//! (`claimtrack_bench_{base,lib}_<pid>`, selected through the URL's `options=-csearch_path=…`).
//!
//! - import: the baseline loads with `COPY … FROM STDIN BINARY` (ids reserved from the identity sequences,
//!   one `batch` history entry and its row ranges, as the library writes them), in one transaction.
//! - single_commit: one claim, its attribution and two evidence per transaction (prepared INSERTs).
//! - evidence_summary: the evidence ⋈ sources and attributions ⋈ sources joins by row id, as on SQLite.
//! - search / similar: the library's bounded ranking (src/store/search/), written by hand over the
//!   `tsvector` column and its GIN index (`simple` configuration): capped match counts, then the matches
//!   read with their text and scored with BM25 in Rust (`ts_rank` has no IDF), each step in one round trip.
//! - concurrent_writers_{1,4,16}: that many threads, each with its own connection (baseline) or `Store`
//!   (library), committing single claims; commits per second over all threads.
//!
//! `CLAIMTRACK_BENCH_PG_KEEP=1` keeps the two schemas afterwards (to look at plans); otherwise they are
//! dropped, also when a measurement fails.
//!
//! Knobs for profiling and for timing two binaries alternately: `CLAIMTRACK_BENCH_PG_ONLY` (a
//! comma-separated list of `single_commit`, `evidence_summary`, `search`, `similar`, `concurrent`: only
//! those run after the import, which always runs), `CLAIMTRACK_BENCH_IMPORT_ONLY=library|base` (the
//! import of that side alone, nothing after it), and `CLAIMTRACK_BENCH_SUMMARIES` (how many summaries
//! each side reads; default 100,000).

mod baseline;
mod library;

use std::time::Duration;

use postgres::{Client, Config, NoTls};

pub(crate) use super::concurrent;
use super::{CONCURRENT_COMMITS, SINGLE_COMMITS, SUMMARY_QUERIES, Timing, WRITERS, Words, percentile, secs};

/// A schema of the bench's own, dropped when the value is dropped (also when a measurement panics).
pub(crate) struct BenchSchema {
    /// The server's URL as given.
    url: String,
    /// The schema's name.
    pub(crate) name: String,
}

impl BenchSchema {
    /// Creates (or empties) schema `name` on the server at `url`.
    fn create(url: &str, name: String) -> BenchSchema {
        let schema = BenchSchema {
            url: url.to_string(),
            name,
        };
        schema.reset();
        schema
    }

    /// Drops the schema with everything in it and creates it empty.
    fn reset(&self) {
        let mut admin = connect(&self.url);
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0};",
                self.name
            ))
            .unwrap();
    }

    /// The URL that connects into this schema.
    pub(crate) fn url(&self) -> String {
        with_search_path(&self.url, &self.name)
    }

    /// A connection whose search path is this schema.
    pub(crate) fn connect(&self) -> Client {
        connect(&self.url())
    }

    /// Tables, indexes and TOAST of the schema, in MB.
    fn size_mb(&self) -> f64 {
        let bytes: i64 = connect(&self.url)
            .query_one(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'",
                &[&self.name],
            )
            .unwrap()
            .get(0);
        bytes as f64 / 1e6
    }

    /// `VACUUM ANALYZE` of every table: after a bulk load, both sides get the planner statistics and
    /// visibility map autovacuum would give them a little later.
    fn vacuum_analyze(&self) {
        let mut c = self.connect();
        let tables: Vec<String> = c
            .query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = $1",
                &[&self.name],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        for t in tables {
            c.batch_execute(&format!("VACUUM ANALYZE {}.{t}", self.name))
                .unwrap();
        }
    }
}

impl Drop for BenchSchema {
    fn drop(&mut self) {
        if std::env::var_os("CLAIMTRACK_BENCH_PG_KEEP").is_some() {
            eprintln!("schema {} kept (CLAIMTRACK_BENCH_PG_KEEP)", self.name);
            return;
        }
        if let Ok(mut admin) = Client::connect(&self.url, NoTls) {
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

/// `url` with the search path set to `schema` (a URL gets `options=-csearch_path=…` as a query
/// parameter; a libpq `key=value` string an `options` pair).
fn with_search_path(url: &str, schema: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-csearch_path%3D{schema}")
    } else {
        format!("{url} options='-csearch_path={schema}'")
    }
}

pub(crate) fn connect(url: &str) -> Client {
    url.parse::<Config>()
        .unwrap_or_else(|e| panic!("CLAIMTRACK_BENCH_PG is not a PostgreSQL connection string: {e}"))
        .connect(NoTls)
        .unwrap_or_else(|e| panic!("connecting to CLAIMTRACK_BENCH_PG: {e}"))
}

/// Whether measurement `name` runs (`CLAIMTRACK_BENCH_PG_ONLY`, see the module doc).
fn wanted(name: &str) -> bool {
    match std::env::var("CLAIMTRACK_BENCH_PG_ONLY") {
        Ok(only) => only.split(',').any(|o| o.trim() == name),
        Err(_) => true,
    }
}

/// Which import sides run (`CLAIMTRACK_BENCH_IMPORT_ONLY=library|base`; both otherwise).
fn import_sides() -> (bool, bool) {
    match std::env::var("CLAIMTRACK_BENCH_IMPORT_ONLY").as_deref() {
        Ok("library") => (false, true),
        Ok("base") | Ok("baseline") => (true, false),
        _ => (true, true),
    }
}

/// How many summaries each side reads (`CLAIMTRACK_BENCH_SUMMARIES`, default `SUMMARY_QUERIES`).
pub(crate) fn summaries() -> usize {
    std::env::var("CLAIMTRACK_BENCH_SUMMARIES")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(SUMMARY_QUERIES)
        .max(1)
}

/// Runs the PostgreSQL bench against the server at `url` and returns its measurements and notes.
pub(crate) fn run(url: &str, n: usize, words: &Words) -> (Vec<Timing>, String) {
    let mut admin = connect(url);
    let server: String = admin
        .query_one(
            "SELECT 'PostgreSQL ' || current_setting('server_version') || ', fsync=' || \
             current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || \
             ', shared_buffers=' || current_setting('shared_buffers')",
            &[],
        )
        .unwrap()
        .get(0);
    drop(admin);
    eprintln!("claimtrack throughput on {server}: N = {n} claims, 1 attribution and 2 evidence each");
    let pid = std::process::id();
    let base = BenchSchema::create(url, format!("claimtrack_bench_base_{pid}"));
    let lib = BenchSchema::create(url, format!("claimtrack_bench_lib_{pid}"));
    let mut results = Vec::new();
    let mut notes = vec![server];

    let repeat: usize = std::env::var("CLAIMTRACK_BENCH_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if n <= 200_000 { 3 } else { 1 })
        .max(1);
    let mut base_runs = Vec::new();
    let mut lib_runs = Vec::new();
    let mut loaded = None;
    let mut lib_loaded = None;
    let (base_side, lib_side) = import_sides();
    if !(base_side && lib_side) {
        // One side's import alone (for `perf record`, or two binaries timed alternately).
        for round in 0..repeat {
            let t = if base_side {
                base.reset();
                let mut client = base.connect();
                baseline::create_schema(&mut client);
                baseline::import(&mut client, n, words).0
            } else {
                lib.reset();
                match library::import(&lib, n, words) {
                    Ok((t, _)) => t,
                    Err(why) => panic!("library import: {why}"),
                }
            };
            eprintln!("import {}/{repeat}: {:.2} s", round + 1, t.as_secs_f64());
            results.push(Timing {
                name: "import",
                n,
                library: lib_side.then(|| n as f64 / t.as_secs_f64()),
                baseline: base_side.then(|| n as f64 / t.as_secs_f64()),
                unit: "claims/s",
                higher_is_better: true,
                note: format!("CLAIMTRACK_BENCH_IMPORT_ONLY: round {} of {repeat}", round + 1),
            });
        }
        return (results, notes.join("\n"));
    }
    for round in 0..repeat {
        eprintln!("import {}/{repeat}: baseline (COPY BINARY)…", round + 1);
        base.reset();
        let mut client = base.connect();
        baseline::create_schema(&mut client);
        let (t, ids) = baseline::import(&mut client, n, words);
        base_runs.push(t);
        loaded = Some((client, ids));
        eprintln!("import {}/{repeat}: library…", round + 1);
        drop(lib_loaded.take());
        lib.reset();
        match library::import(&lib, n, words) {
            Ok((t, loaded)) => {
                lib_runs.push(t);
                lib_loaded = Some(loaded);
            }
            Err(why) => {
                notes.push(format!("library side not measured: {why}"));
                break;
            }
        }
    }
    let Some((mut client, ids)) = loaded else {
        unreachable!("repeat >= 1")
    };
    base_runs.sort();
    lib_runs.sort();
    let base_t = base_runs[base_runs.len() / 2];
    let lib_t = lib_runs.get(lib_runs.len() / 2).copied();
    results.push(Timing {
        name: "import",
        n,
        library: lib_t.map(|t| n as f64 / t.as_secs_f64()),
        baseline: Some(n as f64 / base_t.as_secs_f64()),
        unit: "claims/s",
        higher_is_better: true,
        note: format!(
            "median of {repeat}: library runs {:?} s, baseline runs {:?} s; baseline: COPY BINARY of the same \
             layout (UUIDs, name keys, one batch history entry and its row ranges), 4 rows per claim",
            secs(&lib_runs),
            secs(&base_runs)
        ),
    });
    eprintln!("VACUUM ANALYZE of both schemas…");
    base.vacuum_analyze();
    if lib_loaded.is_some() {
        lib.vacuum_analyze();
    }
    results.push(Timing {
        name: "db_size",
        n,
        library: lib_loaded.as_ref().map(|_| lib.size_mb()),
        baseline: Some(base.size_mb()),
        unit: "MB",
        higher_is_better: false,
        note: "tables, indexes and TOAST of the schema after import and VACUUM ANALYZE (same layout on both \
               sides: the library's figure is the baseline's plus the batch digests' rows)"
            .into(),
    });

    if wanted("single_commit") {
        eprintln!("single_commit: baseline…");
        let base_t = baseline::single_commits(&mut client, &ids, n, words);
        let lib_t = lib_loaded.as_ref().map(|l| library::single_commits(l, n, words));
        results.push(Timing {
            name: "single_commit",
            n: SINGLE_COMMITS,
            library: lib_t.map(|t| SINGLE_COMMITS as f64 / t.as_secs_f64()),
            baseline: Some(SINGLE_COMMITS as f64 / base_t.as_secs_f64()),
            unit: "commits/s",
            higher_is_better: true,
            note:
                "one claim + attribution + 2 evidence per transaction; baseline: prepared INSERTs between BEGIN \
                   and COMMIT, no writer lock"
                    .into(),
        });
    }

    if wanted("evidence_summary") {
        eprintln!("evidence_summary…");
        let (b50, b99) = baseline::evidence_summary(&mut client, &ids, n);
        let lib_lat = lib_loaded.as_ref().map(|l| library::evidence_summary(l, n));
        for (name, b, l) in [
            ("evidence_summary_p50", b50, lib_lat.map(|l| l.0)),
            ("evidence_summary_p99", b99, lib_lat.map(|l| l.1)),
        ] {
            results.push(Timing {
                name,
                n: summaries(),
                library: l,
                baseline: Some(b),
                unit: "us",
                higher_is_better: false,
                note: format!(
                    "library: Store::evidence_summary (by UUID); baseline: evidence+source join and speaker join \
                     by row id, two prepared statements{}",
                    lib_lat
                        .map(|l| format!(
                            " (Store::evidence_of alone: p50 {:.1} us, p99 {:.1} us)",
                            l.2, l.3
                        ))
                        .unwrap_or_default()
                ),
            });
        }
    }

    if wanted("search") {
        eprintln!("search…");
        let queries = super::search_queries(words);
        let (b50, b99, common) = baseline::search(&mut client, &queries);
        let lib_search = lib_loaded.as_ref().map(|l| library::search(l, &queries));
        for (name, b, l) in [
            ("search_p50", b50, lib_search.map(|l| l.0)),
            ("search_p99", b99, lib_search.map(|l| l.1)),
        ] {
            results.push(Timing {
                name,
                n: queries.len(),
                library: l,
                baseline: Some(b),
                unit: "us",
                higher_is_better: false,
                note: format!(
                    "Store::search(q, 20) vs the same bounded ranking by hand over claims.text_search (each word's \
                     matches counted up to a cap in one round trip; all uncommon: every match read, a common word: \
                     the newest matches; scored with BM25 in Rust as the library does on PostgreSQL); {common} of {} queries hold a common word{}",
                    queries.len(),
                    lib_search
                        .map(|l| format!("; library returned {} hits", l.2))
                        .unwrap_or_default()
                ),
            });
        }
    }

    if wanted("similar") {
        eprintln!("similar…");
        let texts = baseline::similar_texts(&mut client, &ids, n);
        let (b50, b99) = baseline::similar(&mut client, &texts);
        let lib_similar = lib_loaded.as_ref().map(|l| library::similar(l, &texts));
        for (name, b, l) in [
            ("similar_p50", b50, lib_similar.map(|l| l.0)),
            ("similar_p99", b99, lib_similar.map(|l| l.1)),
        ] {
            results.push(Timing {
                name,
                n: texts.len(),
                library: l,
                baseline: Some(b),
                unit: "us",
                higher_is_better: false,
                note: format!(
                    "Store::similar_claims(text, 10) vs the same bounded candidate query by hand (the uncommon words \
                     OR-ed within a budget, their matches scored with BM25 in Rust, best 60 with their text; or the \
                     newest 60 holding every word; no re-scoring){}",
                    lib_similar
                        .map(|l| format!(
                            "; the claim itself came first in {} of {}",
                            l.2,
                            texts.len()
                        ))
                        .unwrap_or_default()
                ),
            });
        }
    }

    drop(client);

    if wanted("concurrent") {
        for threads in WRITERS {
            eprintln!("concurrent_writers, {threads} threads…");
            let (b, b_failed) = baseline::concurrent_writers(&base, &ids, threads, n, words);
            let l = lib_loaded
                .as_ref()
                .map(|l| library::concurrent_writers(&lib, l, threads, n, words));
            results.push(Timing {
                name: ["concurrent_writers_1", "concurrent_writers_4", "concurrent_writers_16"]
                    [WRITERS.iter().position(|w| *w == threads).unwrap_or(0)],
                n: CONCURRENT_COMMITS,
                library: l.map(|l| l.0),
                baseline: Some(b),
                unit: "commits/s",
                higher_is_better: true,
                note: format!(
                    "{threads} threads, each with its own connection (baseline) or Store (library), {} single-claim \
                     commits each; baseline: no writer lock (PostgreSQL's row locks only), failed commits {b_failed}{}",
                    CONCURRENT_COMMITS / threads,
                    l.map(|l| format!(", library failed commits {}", l.1))
                        .unwrap_or_default()
                ),
            });
        }
    }

    drop(lib_loaded);
    (results, notes.join("\n"))
}

/// Median and 99th percentile of `lat` in microseconds (sorts it).
pub(crate) fn p50_p99(lat: &mut [Duration]) -> (f64, f64) {
    lat.sort();
    (percentile(lat, 0.50), percentile(lat, 0.99))
}
