//! The seed article, claim by claim: who said it, through whom, and who backs or contradicts it.
//!
//! ```text
//! cargo run --example wonsan            # in memory
//! cargo run --example wonsan -- desk.db # into (or from) a database file
//! ```

use std::collections::HashMap;

use claimtrack::{Attribution, Result, Source, SourceId, Stance, Store};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let store = match std::env::args_os().nth(1) {
        Some(path) => Store::open(path)?,
        None => Store::open_in_memory()?,
    };
    let loaded = claimtrack::seeds::load_wonsan(&store)?;
    let counts = store.counts()?;
    println!(
        "Seed article loaded ({} new records): {} sources, {} claims, {} attributions, {} evidence records.",
        loaded.inserted, counts.sources, counts.claims, counts.attributions, counts.evidence
    );

    let sources: HashMap<SourceId, Source> = store.sources()?.into_iter().map(|s| (s.id, s)).collect();
    let name = |id: SourceId| sources.get(&id).map_or("(unknown source)", |s| s.name.as_str());

    for (n, claim) in store.claims()?.iter().enumerate() {
        println!();
        println!("{}. [{}] {}", n + 1, claim.kind, claim.text);
        for q in &claim.quantities {
            println!(
                "   figure: {} {} {}",
                q.bound.as_str().replace('_', " "),
                grouped(q.value),
                q.unit
            );
        }
        for a in store.attributions_of(claim.id)? {
            println!("   said by: {}", said_by(&a, &name));
        }
        let evidence = store.evidence_of(claim.id)?;
        for stance in [Stance::Supports, Stance::Refutes, Stance::Mixed, Stance::Neutral] {
            let who: Vec<&str> = evidence
                .iter()
                .filter(|e| e.stance == stance)
                .map(|e| name(e.source))
                .collect();
            if !who.is_empty() {
                let label = match stance {
                    Stance::Supports => "supported by",
                    Stance::Refutes => "conflicts with",
                    Stance::Mixed => "mixed",
                    Stance::Neutral => "neutral",
                };
                println!("   {label}: {}", who.join(", "));
            }
        }
    }
    Ok(())
}

fn said_by<'a>(a: &Attribution, name: &impl Fn(SourceId) -> &'a str) -> String {
    let mut out = match a.speaker {
        Some(s) => name(s).to_string(),
        None => "the article itself".to_string(),
    };
    for relay in &a.relays {
        out.push_str(&format!(
            " → via {} ({})",
            name(relay.source),
            relay.mode.as_str().replace('_', " ")
        ));
    }
    if a.speaker.is_some() {
        out.push_str(&format!(
            " → in the article ({})",
            a.mode.as_str().replace('_', " ")
        ));
    }
    if let Some(q) = &a.quote {
        out.push_str(&format!(" — “{q}”"));
    }
    out
}

/// 12000000 → "12,000,000"; fractions are printed as they are.
fn grouped(v: f64) -> String {
    if v.fract() != 0.0 || v.abs() >= 1e15 {
        return v.to_string();
    }
    let digits = format!("{}", v.abs() as u64);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if v < 0.0 { format!("-{out}") } else { out }
}
