//! Similar claims, measured on hand-labelled pairs (see `tests/data/similar/README.md`).
//!
//! Prints precision@1 (the query's own claim comes first among ~10,000 FEVER claims, or ~10,000 LIAR
//! statements) and the precision of the score threshold on the labelled pairs, and asserts floors the
//! method reaches.

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
use claimtrack::io::{ImportOptions, bundle};
use std::path::PathBuf;

use claimtrack::analysis::similarity;
use claimtrack::{Bundle, NewClaim, Store};

const FEVER_PAIRS: &str = include_str!("data/similar/fever_pairs.tsv");
const LIAR_PAIRS: &str = include_str!("data/similar/liar_pairs.tsv");

struct Pair {
    same: bool,
    query: String,
    target_id: String,
    target_text: String,
}

fn fever_pairs() -> Vec<Pair> {
    FEVER_PAIRS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "{l}");
            Pair {
                same: f[0] == "same",
                query: f[1].to_string(),
                target_id: f[2].to_string(),
                target_text: f[3].to_string(),
            }
        })
        .collect()
}

fn data_dir() -> PathBuf {
    match std::env::var_os("CLAIMTRACK_DATA") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"),
    }
}

/// Loads texts as claims in one transaction.
fn store_with(store: &Store, texts: &[String]) {
    let mut bundle = Bundle::default();
    let mut refused = 0;
    for t in texts {
        // Real data is messy (LIAR has stray control characters); such rows are left out, as an
        // importer would report them.
        match NewClaim::factual(t.clone()).into_claim() {
            Ok(c) => bundle.claims.push(c),
            Err(_) => refused += 1,
        }
    }
    assert!(
        refused * 100 < texts.len(),
        "{refused} of {} refused",
        texts.len()
    );
    bundle::import(store, &bundle, ImportOptions::default()).unwrap();
}

/// How many queries get one of their own claims (any text labelled `same` for them) first.
fn precision_at_1(store: &Store, labelled: &[(String, String)]) -> (usize, usize) {
    let mut queries: Vec<(&String, Vec<&String>)> = Vec::new();
    for (q, t) in labelled {
        match queries.iter_mut().find(|(x, _)| *x == q) {
            Some((_, ts)) => ts.push(t),
            None => queries.push((q, vec![t])),
        }
    }
    let mut hits = 0;
    for (q, targets) in &queries {
        let found = store.similar_claims(q, 1).unwrap();
        match found.first() {
            Some(f) if targets.contains(&&f.text) => hits += 1,
            other => println!("  miss: {q:?} → {:?}", other.map(|f| &f.text)),
        }
    }
    (hits, queries.len())
}

#[test]
fn labelled_pairs_score_same_above_different() {
    let pairs = fever_pairs();
    assert!(pairs.iter().filter(|p| p.same).count() >= 30);
    assert!(pairs.iter().filter(|p| !p.same).count() >= 20);
    // For every query with a hard negative, its own claim must score higher than the negative.
    let mut ordered = 0;
    let mut total = 0;
    for neg in pairs.iter().filter(|p| !p.same) {
        let pos = pairs.iter().find(|p| p.same && p.query == neg.query).unwrap();
        total += 1;
        if similarity(&pos.query, &pos.target_text) > similarity(&neg.query, &neg.target_text) {
            ordered += 1;
        } else {
            println!(
                "  not ordered: {:?}: {:?} vs {:?}",
                pos.query, pos.target_text, neg.target_text
            );
        }
    }
    println!("same-above-different on hard negatives: {ordered}/{total}");
    assert!(ordered * 100 >= total * 80, "{ordered}/{total}");

    // Precision of a threshold: of the pairs scoring at least THRESHOLD, how many are really the same.
    // (0.4 was picked on this very set, so this is a description of it, not a held-out estimate.)
    const THRESHOLD: f64 = 0.4;
    let predicted: Vec<&Pair> = pairs
        .iter()
        .filter(|p| similarity(&p.query, &p.target_text) >= THRESHOLD)
        .collect();
    let correct = predicted.iter().filter(|p| p.same).count();
    let recall = correct as f64 / pairs.iter().filter(|p| p.same).count() as f64;
    println!(
        "threshold {THRESHOLD}: precision {correct}/{} = {:.2}, recall {recall:.2}",
        predicted.len(),
        correct as f64 / predicted.len().max(1) as f64
    );
    assert!(correct * 100 >= predicted.len() * 80);
    assert!(recall >= 0.9);
}

per_backend!(fever_precision_at_1);
fn fever_precision_at_1(store: &Store) {
    let path = data_dir().join("fever/paper_dev.jsonl");
    let Ok(raw) = std::fs::read_to_string(&path) else {
        println!("skipped: {} not found (set CLAIMTRACK_DATA)", path.display());
        return;
    };
    let mut texts: Vec<String> = Vec::new();
    for line in raw.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        texts.push(v["claim"].as_str().unwrap().to_string());
    }
    let pairs = fever_pairs();
    // The targets really are in the file, verbatim.
    for p in &pairs {
        assert!(
            texts.contains(&p.target_text),
            "{} {}",
            p.target_id,
            p.target_text
        );
    }
    store_with(store, &texts);
    let queries: Vec<(String, String)> = pairs
        .iter()
        .filter(|p| p.same)
        .map(|p| (p.query.clone(), p.target_text.clone()))
        .collect();
    let (hits, n) = precision_at_1(store, &queries);
    println!(
        "FEVER precision@1: {hits}/{n} = {:.2} over {} claims",
        hits as f64 / n as f64,
        texts.len()
    );
    // Measured: 28/34 (0.82). The misses are rewordings with no shared content word ("came out" for
    // "was released") or FEVER near-twins that say a little less ("in 2014" for "in May 2014").
    assert!(hits * 100 >= n * 75, "{hits}/{n}");
}

per_backend!(liar_precision_at_1);
fn liar_precision_at_1(store: &Store) {
    let dir = data_dir().join("liar");
    let mut statements: std::collections::HashMap<(String, String), String> = Default::default();
    let mut texts = Vec::new();
    for file in ["train.tsv"] {
        let Ok(raw) = std::fs::read_to_string(dir.join(file)) else {
            println!(
                "skipped: {} not found (set CLAIMTRACK_DATA)",
                dir.join(file).display()
            );
            return;
        };
        // No CSV quoting: LIAR statements contain stray quotes (see the data README).
        for line in raw.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() >= 3 && !f[2].trim().is_empty() {
                statements.insert((file.to_string(), f[0].to_string()), f[2].to_string());
                texts.push(f[2].to_string());
            }
        }
    }
    store_with(store, &texts);
    let queries: Vec<(String, String)> = LIAR_PAIRS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let target = statements
                .get(&(f[2].to_string(), f[3].to_string()))
                .unwrap_or_else(|| panic!("no LIAR statement {} in {}", f[3], f[2]));
            (f[1].to_string(), target.clone())
        })
        .collect();
    assert!(queries.len() >= 10);
    let (hits, n) = precision_at_1(store, &queries);
    println!(
        "LIAR precision@1: {hits}/{n} = {:.2} over {} statements",
        hits as f64 / n as f64,
        texts.len()
    );
    // Measured: 12/12.
    assert!(hits * 100 >= n * 80, "{hits}/{n}");
}
