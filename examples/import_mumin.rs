//! Loads MuMiN's 906 Fact Check Tools ratings (26 languages) through the Fact Check Tools importer and
//! prints what landed, how many ratings mapped to a verdict, and how often the verdict agrees with the
//! human label MuMiN gives each claim.
//!
//! ```text
//! cargo run --example import_mumin -- tests/data/mumin/verdict_annotations.csv            # in memory
//! cargo run --example import_mumin -- tests/data/mumin/verdict_annotations.csv desk.db    # into a file
//! ```

#[path = "support/mumin.rs"]
mod mumin;

use claimtrack::io::{ImportOptions, IssueKind, factcheck, labels};
use claimtrack::{Store, Verdict};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: import_mumin FILE [DATABASE]");
        std::process::exit(2);
    };
    let store = match args.next() {
        Some(db) => Store::open(db)?,
        None => Store::open_in_memory()?,
    };
    let rows = mumin::read(&std::fs::read_to_string(&path)?)?;
    let report = factcheck::import_value(&store, &mumin::to_factcheck(&rows), ImportOptions::default())?;
    println!("MuMiN: {path}");
    println!("{} rows read", rows.len());
    println!(
        "added {} records, {} unchanged",
        report.inserted, report.unchanged
    );
    println!(
        "{} ratings matched no verdict (kept verbatim, review without a verdict)",
        report.issues_of(IssueKind::Unmapped).count()
    );
    let verdicts = store.verdict_counts()?;
    let total: u64 = verdicts.iter().map(|(_, n)| n).sum();
    let mapped: u64 = verdicts.iter().filter(|(v, _)| v.is_some()).map(|(_, n)| n).sum();
    println!(
        "reviews with a verdict: {mapped} of {total} ({:.1}%)",
        100.0 * mapped as f64 / total.max(1) as f64
    );
    for (v, n) in &verdicts {
        println!("  {:<12} {n}", Verdict::words_of(*v));
    }
    // Agreement: a verdict from false to mixed reads as "misinformation", mostly true or true as
    // "factual"; rows MuMiN labels "other", and unverifiable verdicts, are not compared.
    let (mut compared, mut agree) = (0, 0);
    for r in &rows {
        let side = match labels::map_label(&r.rating).verdict.and_then(|v| v.score()) {
            Some(0..=2) => "misinformation",
            Some(_) => "factual",
            None => continue,
        };
        if r.human == "other" {
            continue;
        }
        compared += 1;
        agree += usize::from(side == r.human);
    }
    println!(
        "agreement with MuMiN's human label: {agree} of {compared} mapped ratings ({:.1}%)",
        100.0 * agree as f64 / compared.max(1) as f64
    );
    Ok(())
}
