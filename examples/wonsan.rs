//! The seed article, claim by claim: who said it, through whom, and who backs or contradicts it; then
//! the analysis — independent origins for and against, the chain by which each claim reached the
//! article, conflicts found — and a search and a similar-claims lookup.
//!
//! ```text
//! cargo run --example wonsan            # in memory
//! cargo run --example wonsan -- desk.db # into (or from) a database file
//! ```

#[macro_use]
#[path = "support/stdout.rs"]
mod stdout;

use std::collections::HashMap;

use claimtrack::analysis::{ChainNode, Conflict, OriginGroup};
use claimtrack::{Attribution, ClaimId, Result, Source, SourceId, Stance, Store};

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
    let claims = store.claims()?;
    let texts = |id: ClaimId| {
        claims
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| id.to_string(), |c| c.text.clone())
    };

    for (n, claim) in claims.iter().enumerate() {
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
                .filter_map(|e| e.source.map(name))
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
        analyse(&store, claim.id, &name, &texts)?;
    }

    println!();
    println!("Claims whose only route to the reader is a single relay:");
    for b in store.single_relay_claims()? {
        let relays: Vec<&str> = b.relays.iter().map(|s| name(*s)).collect();
        println!("   {} — only via {}", texts(b.claim), relays.join(" and "));
    }

    println!();
    println!("Search for \"troops Russia\":");
    for hit in store.search("troops Russia", 5)? {
        println!("   {:.2}  {}", hit.score, hit.snippet);
    }
    let query = "Pyongyang sent some 12 million shells to Moscow";
    println!();
    println!("Already checked? Claims like \"{query}\":");
    for s in store.similar_claims(query, 3)? {
        println!("   {:.2}  {}", s.score, s.text);
    }
    Ok(())
}

/// The analysis lines for one claim.
fn analyse<'a>(
    store: &Store,
    claim: ClaimId,
    name: &impl Fn(SourceId) -> &'a str,
    texts: &impl Fn(ClaimId) -> String,
) -> Result<()> {
    let summary = store.evidence_summary(claim)?;
    let origins = |groups: &[OriginGroup]| -> String {
        if groups.is_empty() {
            return "none".into();
        }
        groups
            .iter()
            .map(|g| {
                let members: Vec<&str> = g.sources.iter().map(|s| name(*s)).collect();
                format!("{} ({})", g.name, members.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    println!(
        "   independent origins for: {} — {}",
        summary.independent_for(),
        origins(&summary.origins_for)
    );
    println!(
        "   independent origins against: {} — {}",
        summary.independent_against(),
        origins(&summary.origins_against)
    );
    println!("   outcome: {}", summary.outcome);
    for chain in store.attribution_chains(claim)? {
        let node = |n: ChainNode| match n {
            ChainNode::Source(s) => name(s).to_string(),
            ChainNode::Publication(_) => "the article".to_string(),
        };
        let mut route = node(chain.primary);
        for hop in &chain.hops {
            route.push_str(&format!(
                " →({}) {}",
                hop.mode.as_str().replace('_', " "),
                node(hop.to)
            ));
        }
        println!("   chain (depth {}): {route}", chain.depth());
    }
    let conflicts = store.conflicts_of(claim)?;
    if conflicts.is_empty() {
        println!("   conflicts: none found");
    }
    for conflict in conflicts {
        match conflict {
            Conflict::Linked { kind, from, to, .. } => {
                let other = if from == claim { to } else { from };
                println!("   conflict: linked as {kind} with “{}”", texts(other));
            }
            Conflict::OpposedSources {
                supporting, refuting, ..
            } => {
                let s: Vec<&str> = supporting.iter().map(|x| name(*x)).collect();
                let r: Vec<&str> = refuting.iter().map(|x| name(*x)).collect();
                println!(
                    "   conflict: {} support it, {} refute it",
                    s.join(", "),
                    r.join(", ")
                );
            }
            Conflict::Figures {
                figure,
                other,
                other_figure,
                ..
            } => println!(
                "   conflict: {} {} {} vs {} {} {} in “{}”",
                figure.bound.as_str().replace('_', " "),
                figure.value,
                figure.unit,
                other_figure.bound.as_str().replace('_', " "),
                other_figure.value,
                other_figure.unit,
                texts(other)
            ),
            _ => println!("   conflict: {conflict:?}"),
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
