//! The library's side of the PostgreSQL bench: `Store::open(url)` into the bench's schema, then the same
//! public calls the SQLite run makes.

use std::time::{Duration, Instant};

use claimtrack::{ClaimId, SourceId, Store};

use super::super::{Rng, SINGLE_COMMITS, Words, library_claim, library_load, roles};
use super::baseline::summary_picks;
use super::{BenchSchema, concurrent, p50_p99};

/// A store loaded by [`import`], with its sources' and claims' ids in load order.
pub(crate) struct Loaded {
    store: Store,
    sources: Vec<SourceId>,
    claims: Vec<ClaimId>,
}

/// Opens a store in `schema` (empty) and loads the bench's data through `Store::batch`.
pub(crate) fn import(schema: &BenchSchema, n: usize, words: &Words) -> Result<(Duration, Loaded), String> {
    let store = Store::open(schema.url()).map_err(|e| format!("Store::open: {e}"))?;
    // A library that cannot do the bulk load on PostgreSQL yet says so, and the bench goes on with the
    // baseline alone.
    let (t, sources, claims) = library_load(&store, n, words).map_err(|e| format!("Store::batch: {e}"))?;
    Ok((
        t,
        Loaded {
            store,
            sources,
            claims,
        },
    ))
}

/// `SINGLE_COMMITS` claims, one `Store::batch` each.
pub(crate) fn single_commits(l: &Loaded, n: usize, words: &Words) -> Duration {
    super::super::library_single_commits(&l.store, &l.sources, n, words)
}

/// `Store::evidence_summary` and `Store::evidence_of` of the SQLite run's picks: p50 and p99 of each, in
/// microseconds.
pub(crate) fn evidence_summary(l: &Loaded, n: usize) -> (f64, f64, f64, f64) {
    let picks = summary_picks(n);
    let mut lat = Vec::with_capacity(picks.len());
    for &i in &picks {
        let t = Instant::now();
        let summary = l.store.evidence_summary(l.claims[i]).unwrap();
        lat.push(t.elapsed());
        assert_eq!((summary.supporting.len(), summary.conflicting.len()), (1, 1));
    }
    let (s50, s99) = p50_p99(&mut lat);
    lat.clear();
    for &i in &picks {
        let t = Instant::now();
        let ev = l.store.evidence_of(l.claims[i]).unwrap();
        lat.push(t.elapsed());
        assert_eq!(ev.len(), 2);
    }
    let (o50, o99) = p50_p99(&mut lat);
    (s50, s99, o50, o99)
}

/// `Store::search(q, 20)` of each query: p50, p99 (microseconds) and the hits returned.
pub(crate) fn search(l: &Loaded, queries: &[(String, String)]) -> (f64, f64, usize) {
    let mut lat = Vec::with_capacity(queries.len());
    let mut hits = 0;
    for (a, b) in queries {
        let q = format!("{a} {b}");
        let t = Instant::now();
        let found = l.store.search(&q, 20).unwrap();
        lat.push(t.elapsed());
        hits += found.len();
    }
    let (p50, p99) = p50_p99(&mut lat);
    (p50, p99, hits)
}

/// `Store::similar_claims(text, 10)` of each text: p50, p99 (microseconds) and how often the claim itself
/// (or one with the same text) came first.
pub(crate) fn similar(l: &Loaded, texts: &[String]) -> (f64, f64, usize) {
    let mut lat = Vec::with_capacity(texts.len());
    let mut first = 0;
    for text in texts {
        let t = Instant::now();
        let found = l.store.similar_claims(text, 10).unwrap();
        lat.push(t.elapsed());
        first += usize::from(found.first().is_some_and(|f| f.text == *text));
    }
    let (p50, p99) = p50_p99(&mut lat);
    (p50, p99, first)
}

/// `threads` writers, each with its own `Store` on `schema`, committing single claims.
pub(crate) fn concurrent_writers(
    schema: &BenchSchema,
    l: &Loaded,
    threads: usize,
    n: usize,
    words: &Words,
) -> (f64, usize) {
    let sources = &l.sources;
    concurrent(
        threads,
        || Store::open(schema.url()).unwrap(),
        |store, k| {
            let text = words.sentence(&mut Rng(0x9e37_79b9_7f4a_7c15 ^ (k as u64 + 1)));
            let (sp, ba, dou) = roles(n + SINGLE_COMMITS + k);
            store
                .batch(|b| library_claim(b, text, sources[sp], sources[ba], sources[dou]))
                .is_ok()
        },
    )
}
