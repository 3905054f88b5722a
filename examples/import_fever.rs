//! Loads the FEVER data set into claimtrack through the public importer and prints what landed.
//!
//! ```text
//! cargo run --release --example import_fever -- ../shared/data/fever/paper_dev.jsonl            # in memory
//! cargo run --release --example import_fever -- ../shared/data/fever/paper_dev.jsonl desk.db    # into a database file
//! ```

use std::io::Write;
use std::time::Instant;

use claimtrack::{Result, Store, io::fever};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args_os().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: import_fever FILE [DATABASE]");
        std::process::exit(2);
    };
    let store = match args.next() {
        Some(db) => Store::open(db)?,
        None => Store::open_in_memory()?,
    };
    let started = Instant::now();
    let report = fever::import_file(&store, &path, |p| {
        eprint!("\r{} records, {} claims…", p.records, p.counts.claims);
        let _ = std::io::stderr().flush();
    })?;
    let took = started.elapsed();
    eprintln!();
    let a = report.added;
    println!(
        "FEVER: {} rows read from {}",
        report.rows,
        std::path::Path::new(&path).display()
    );
    println!(
        "added {} claims, {} sources, {} publications, {} attributions, {} evidence, {} reviews",
        a.claims, a.sources, a.publications, a.attributions, a.evidence, a.reviews
    );
    for (line, label) in &report.unmapped {
        println!("unmapped label on line {line}: {label:?} (kept out of the verdicts, not guessed)");
    }
    if !report.repaired.is_empty() {
        println!(
            "repaired encoding damage (control characters) on lines {:?}",
            report.repaired
        );
    }
    println!(
        "took {:.2} s ({:.0} claims/s)",
        took.as_secs_f64(),
        a.claims as f64 / took.as_secs_f64().max(1e-9)
    );
    let total = store.counts()?;
    println!(
        "store now holds {} claims, {} sources, {} evidence, {} reviews",
        total.claims, total.sources, total.evidence, total.reviews
    );
    Ok(())
}
