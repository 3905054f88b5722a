//! What the three data-set import examples share: arguments, the store, progress, the report.

#[macro_use]
#[path = "stdout.rs"]
mod stdout;

use std::io::Write;
use std::time::Instant;

use claimtrack::io::{DataSet, ImportOptions, import_file};
use claimtrack::{BatchProgress, Result, Store};

/// Runs an import example: `NAME FILE [DATABASE]`, in memory when no database is given.
pub fn main(data_set: DataSet) {
    if let Err(e) = run(data_set) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(data_set: DataSet) -> Result<()> {
    let name = data_set.name();
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!(
            "usage: import_{} FILE [DATABASE]",
            name.to_lowercase().replace('-', "_")
        );
        std::process::exit(2);
    };
    let store = match args.next() {
        Some(db) => Store::open(db)?,
        None => Store::open_in_memory()?,
    };
    let started = Instant::now();
    let mut progress = |p: &BatchProgress| {
        eprint!("\r{} records, {} claims…", p.records, p.counts.claims);
        let _ = std::io::stderr().flush();
    };
    let options = ImportOptions::default().progress(1_000, &mut progress);
    let report = import_file(&store, data_set, &path, options)?;
    let took = started.elapsed();
    eprintln!();
    println!("{name}: {path}");
    println!("{report}");
    println!(
        "took {:.2} s ({:.0} claims/s)",
        took.as_secs_f64(),
        report.added.claims as f64 / took.as_secs_f64().max(1e-9)
    );
    // The share of reviews that map to a verdict (the rest keep their label, without a verdict).
    let verdicts = store.verdict_counts()?;
    let reviews: u64 = verdicts.iter().map(|(_, n)| n).sum();
    let mapped: u64 = verdicts.iter().filter(|(v, _)| v.is_some()).map(|(_, n)| n).sum();
    println!(
        "reviews with a verdict: {mapped} of {reviews} ({:.1}%)",
        100.0 * mapped as f64 / reviews.max(1) as f64
    );
    let total = store.counts()?;
    println!(
        "store now holds {} claims, {} sources, {} evidence, {} reviews",
        total.claims, total.sources, total.evidence, total.reviews
    );
    Ok(())
}
