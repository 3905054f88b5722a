//! `claimtrack serve` under load, beside the same work done through the library in-process, in one run.
//!
//! ```text
//! cargo bench --features server --bench serve_load                                  # 1,000,000 claims
//! CLAIMTRACK_LOAD_CLAIMS=100000 CLAIMTRACK_LOAD_SECONDS=5 cargo bench --features server --bench serve_load
//! ```
//!
//! Builds (once; kept in `target/serve-load/` and reused while the claim count is the same) a store of N
//! claims, each with an attribution, two evidence records and a review. Then, for Fact Check Tools
//! search, claim reads and claim writes:
//! - **library**: the same calls the server makes for that request (for search: `search` and, per hit, the
//!   claim, its attributions, current reviews and reviewer; for a read: [`claim_json_bytes`]; for a write:
//!   `add_claim`), on as many threads as the machine has cores, each with its own `Store`, for
//!   `CLAIMTRACK_LOAD_SECONDS` each, as long as the server side;
//! - **server**: the release `claimtrack serve` on loopback driven by Debian's `wrk` (64 connections for
//!   reads and searches, 16 for writes, `CLAIMTRACK_LOAD_SECONDS` each, default 15), with a read or
//!   write token.
//!
//! Prints requests/s, p50 and p99 of both and the ratio server/library, then `RESULT` lines. Needs `wrk`
//! on the PATH (`apt-get install wrk`); without it only the library side runs.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use claimtrack::server::claim_json_bytes;
use claimtrack::{
    ClaimId, NewAttribution, NewClaim, NewEvidence, NewReview, NewSource, SourceId, SourceKind, Stance,
    Store, Verdict,
};

const SOURCES: usize = 2_000;
const WORDS: &[&str] = &[
    "troops",
    "artillery",
    "shells",
    "engineers",
    "minister",
    "treaty",
    "border",
    "missile",
    "grain",
    "election",
    "vaccine",
    "flood",
    "budget",
    "pension",
    "tariff",
    "refugees",
    "drought",
    "wildfire",
    "strike",
    "inflation",
    "oil",
    "pipeline",
    "satellite",
    "drone",
    "sanctions",
    "summit",
    "ceasefire",
    "harvest",
    "hospital",
    "school",
    "bridge",
    "railway",
    "port",
    "factory",
    "mine",
    "reactor",
];

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
    fn sentence(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| WORDS[self.below(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The store, built once per claim count and schema: the marker holds both, so a store written with
/// another `schema/0001_initial.sql` (changed in place before the first release) is built again
/// rather than read by a library that expects other tables.
fn build(dir: &Path, n: usize) -> PathBuf {
    let db = dir.join("desk.db");
    let marker = dir.join("claims");
    let schema = claimtrack::name_key_hash(include_str!("../schema/0001_initial.sql"));
    let wanted = format!("{n} {schema:x}");
    if std::fs::read_to_string(&marker).is_ok_and(|s| s.trim() == wanted) && db.exists() {
        eprintln!("reusing {} ({n} claims)", db.display());
        return db;
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let started = Instant::now();
    let store = Store::open(&db).unwrap();
    let mut rng = Rng(0x5eed);
    store
        .batch(|b| {
            let sources: Vec<SourceId> = (0..SOURCES)
                .map(|i| b.add_source(NewSource::new(format!("Source {i}"), SourceKind::Outlet)))
                .collect::<claimtrack::Result<_>>()?;
            for i in 0..n {
                let text = format!("{} {i}", rng.sentence(8));
                let claim = b.add_claim(NewClaim::factual(text).language("en"))?;
                b.attribute(claim, NewAttribution::said_by(sources[rng.below(SOURCES)]))?;
                for _ in 0..2 {
                    let stance = if rng.below(3) == 0 {
                        Stance::Refutes
                    } else {
                        Stance::Supports
                    };
                    b.add_evidence(claim, NewEvidence::new(sources[rng.below(SOURCES)], stance))?;
                }
                let v = Verdict::ALL[rng.below(Verdict::ALL.len())];
                b.add_review(
                    claim,
                    NewReview::new(v)
                        .by(sources[rng.below(SOURCES)])
                        .url(format!("https://desk{}.example/checks/{i}", rng.below(20))),
                )?;
            }
            Ok(())
        })
        .unwrap();
    drop(store);
    std::fs::write(&marker, wanted).unwrap();
    eprintln!("built {n} claims in {:.0} s", started.elapsed().as_secs_f64());
    db
}

fn sample_ids(db: &Path, k: usize) -> Vec<ClaimId> {
    let store = Store::open(db).unwrap();
    let mut out = Vec::new();
    let mut after = None;
    // Keyset pages through the whole store, keeping every step-th claim.
    let total = store.counts().unwrap().claims as usize;
    let step = (total / k).max(1);
    while out.len() < k {
        let page = store.claims_page(after, 10_000).unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|c| c.id);
        out.extend(page.iter().step_by(step.min(10_000)).map(|c| c.id));
    }
    out.truncate(k);
    out
}

struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Calls `work` for `seconds` (as long as the server side's `wrk` runs), spread over `threads`
/// threads (each with its own store), the `i`-th call given `i`. A fixed count of calls made this side
/// a fraction of a second for claim reads (10,000 reads at ~20,000/s), against the server's seconds:
/// its figure moved with whatever else ran in that instant.
fn library(db: &Path, threads: usize, seconds: usize, work: impl Fn(&Store, usize) + Sync) -> Figures {
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds as u64);
    let mut all: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let work = &work;
                s.spawn(move || {
                    let store = Store::open(db).unwrap();
                    let mut lat = Vec::new();
                    let mut i = t;
                    while Instant::now() < until {
                        let t0 = Instant::now();
                        work(&store, i);
                        lat.push(t0.elapsed());
                        i += threads;
                    }
                    lat
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
    Figures {
        rps: all.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}

fn search_work(store: &Store, q: &str) {
    for h in store.search(q, 10).unwrap() {
        store.claim(h.claim).unwrap();
        store.attributions_of(h.claim).unwrap();
        for r in store.current_reviews_of(h.claim).unwrap() {
            if let Some(s) = r.reviewer {
                store.source(s).unwrap();
            }
        }
    }
}

struct Server(Child, String);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn wrk(base: &str, script: &Path, connections: usize, seconds: usize) -> Option<Figures> {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(base)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let ms = |v: &str| -> Option<f64> {
        let v = v.trim();
        let (num, mult) = if let Some(x) = v.strip_suffix("us") {
            (x, 0.001)
        } else if let Some(x) = v.strip_suffix("ms") {
            (x, 1.0)
        } else if let Some(x) = v.strip_suffix('s') {
            (x, 1000.0)
        } else {
            (v, 1.0)
        };
        num.parse::<f64>().ok().map(|n| n * mult)
    };
    let line = |key: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(key))
            .map(str::to_string)
    };
    let rps = line("Requests/sec:")?.split(':').nth(1)?.trim().parse().ok()?;
    let p50 = ms(line("50%")?.trim_start().strip_prefix("50%")?)?;
    let p99 = ms(line("99%")?.trim_start().strip_prefix("99%")?)?;
    if text.contains("Non-2xx") {
        eprintln!("wrk: some answers were not 2xx:\n{text}");
    }
    Some(Figures {
        rps,
        p50_ms: p50,
        p99_ms: p99,
    })
}

fn lua_list(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("\"{s}\""))
        .collect::<Vec<_>>()
        .join(",")
}

fn main() {
    let n = env_usize("CLAIMTRACK_LOAD_CLAIMS", 1_000_000);
    let seconds = env_usize("CLAIMTRACK_LOAD_SECONDS", 15);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/serve-load");
    let db = build(&dir, n);
    let ids = sample_ids(&db, 10_000);
    let mut rng = Rng(42);
    let queries: Vec<String> = (0..500).map(|_| rng.sentence(2)).collect();

    let mut rows: Vec<(&str, usize, Figures, Option<Figures>)> = Vec::new();
    let lib_search = library(&db, threads, seconds, |s, i| {
        search_work(s, &queries[i % queries.len()])
    });
    let lib_read = library(&db, threads, seconds, |s, i| {
        claim_json_bytes(s, ids[i % ids.len()]).unwrap();
    });
    let lib_write = library(&db, threads, seconds, |s, i| {
        s.add_claim(NewClaim::factual(format!("library write {i} troops")))
            .unwrap();
    });

    let mut server_figures: [Option<Figures>; 3] = [None, None, None];
    if Command::new("wrk").arg("--version").output().is_ok() {
        let bin = env!("CARGO_BIN_EXE_claimtrack");
        let token = |name: &str, role: &str| -> String {
            let out = Command::new(bin)
                .arg("--db")
                .arg(&db)
                .args(["token", "add", name, "--role", role])
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        };
        let stamp = std::process::id();
        let reader = token(&format!("load-read-{stamp}"), "read");
        let writer = token(&format!("load-write-{stamp}"), "write");
        let mut child = Command::new(bin)
            .arg("--db")
            .arg(&db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .trim_start_matches("claimtrack: listening on ")
            .to_string();
        let server = Server(child, base.clone());
        let scripts = dir.join("lua");
        std::fs::create_dir_all(&scripts).unwrap();
        let head = |t: &str| format!("wrk.headers[\"Authorization\"] = \"Bearer {t}\"\n");
        let search_lua = scripts.join("search.lua");
        std::fs::write(
            &search_lua,
            format!(
                "{}local q = {{{}}}\nrequest = function()\n  return wrk.format(\"GET\", \"/v1alpha1/claims:search?pageSize=10&query=\" .. q[math.random(#q)]:gsub(\" \", \"%%20\"))\nend\n",
                head(&reader),
                lua_list(&queries)
            ),
        )
        .unwrap();
        let read_lua = scripts.join("read.lua");
        let id_strings: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        std::fs::write(
            &read_lua,
            format!(
                "{}local ids = {{{}}}\nrequest = function()\n  return wrk.format(\"GET\", \"/v1/claims/\" .. ids[math.random(#ids)])\nend\n",
                head(&reader),
                lua_list(&id_strings)
            ),
        )
        .unwrap();
        let write_lua = scripts.join("write.lua");
        std::fs::write(
            &write_lua,
            format!(
                "{}wrk.headers[\"Content-Type\"] = \"application/json\"\nlocal n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format(\"POST\", \"/v1/claims\", nil, '{{\"text\": \"server write ' .. n .. ' troops\"}}')\nend\n",
                head(&writer)
            ),
        )
        .unwrap();
        server_figures = [
            wrk(&server.1, &search_lua, 64, seconds),
            wrk(&server.1, &read_lua, 64, seconds),
            wrk(&server.1, &write_lua, 16, seconds),
        ];
        drop(server);
    } else {
        eprintln!("note: wrk not found (apt-get install wrk); server side skipped");
    }
    let [s_search, s_read, s_write] = server_figures;
    rows.push(("claims:search", 64, lib_search, s_search));
    rows.push(("claim read", 64, lib_read, s_read));
    rows.push(("claim write", 16, lib_write, s_write));

    println!("\n{n} claims; library on {threads} threads; server through wrk for {seconds} s per line\n");
    println!(
        "{:<14} {:>5} | {:>10} {:>9} {:>9} | {:>10} {:>9} {:>9} | {:>6}",
        "work", "conns", "lib req/s", "p50 ms", "p99 ms", "srv req/s", "p50 ms", "p99 ms", "ratio"
    );
    for (name, conns, lib, srv) in &rows {
        let (r, p50, p99, ratio) = match srv {
            Some(s) => (
                format!("{:.0}", s.rps),
                format!("{:.2}", s.p50_ms),
                format!("{:.2}", s.p99_ms),
                format!("{:.2}", s.rps / lib.rps),
            ),
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        println!(
            "{name:<14} {conns:>5} | {:>10.0} {:>9.2} {:>9.2} | {r:>10} {p50:>9} {p99:>9} | {ratio:>6}",
            lib.rps, lib.p50_ms, lib.p99_ms
        );
    }
    for (name, _, lib, srv) in &rows {
        if let Some(s) = srv {
            println!(
                "RESULT name={} n={n} library_rps={:.0} server_rps={:.0} server_p50_ms={:.2} server_p99_ms={:.2} ratio={:.2}",
                name.replace(' ', "_"),
                lib.rps,
                s.rps,
                s.p50_ms,
                s.p99_ms,
                s.rps / lib.rps
            );
        }
    }
}
