//! Graphviz DOT export of one claim's graph: who said it, who relayed it, where it appeared, which
//! sources back or contradict it (edges coloured by stance), who reviewed it, how it links to other
//! claims, and the affiliation tree above every source (so sources under one state show as one origin).
//!
//! Render with `dot -Tsvg claim.dot -o claim.svg`.
//!
//! ```
//! use claimtrack::{Store, io::dot};
//! let store = Store::open_in_memory()?;
//! claimtrack::seeds::load_wonsan(&store)?;
//! let claim = store.claims()?[0].id;
//! let mut out = Vec::new();
//! dot::export_claim(&store, claim, &mut out)?;
//! let text = String::from_utf8(out).unwrap();
//! assert!(text.starts_with("digraph claim {"));
//! assert!(text.trim_end().ends_with('}'));
//!
//! // The same picture from a bundle already in hand; supporting evidence is drawn green.
//! let bundle = claimtrack::io::bundle::export_claim(&store, claim)?;
//! assert_eq!(dot::render(&bundle, claim), text);
//! assert_eq!(dot::stance_colour(claimtrack::Stance::Supports), "#2e7d32");
//! # Ok::<(), claimtrack::Error>(())
//! ```

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::Write;

use crate::error::Result;
use crate::model::bundle::Bundle;
use crate::model::evidence::Stance;
use crate::model::ids::{ClaimId, SourceId};
use crate::model::review::Verdict;
use crate::model::source::{AffiliationKind, Source};
use crate::store::Store;

/// The colour of an evidence edge for each stance.
pub fn stance_colour(s: Stance) -> &'static str {
    match s {
        Stance::Supports => "#2e7d32",
        Stance::Refutes => "#c62828",
        Stance::Mixed => "#ef6c00",
        Stance::Neutral => "#757575",
    }
}

/// Escapes text for a double-quoted DOT string and wraps it at about `width` characters.
fn label(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push_str("\\n");
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        for c in word.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {}
                c => out.push(c),
            }
        }
        line += n;
    }
    out
}

/// Writes the DOT graph of `claim` (see the [module docs](self)).
pub fn export_claim<W: Write>(store: &Store, claim: ClaimId, mut out: W) -> Result<()> {
    let bundle = super::bundle::export_claim(store, claim)?;
    out.write_all(render(&bundle, claim).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// The DOT text for `claim` from a bundle holding it and what it refers to (as [`bundle::export_claim`](super::bundle::export_claim)
/// makes).
pub fn render(b: &Bundle, claim: ClaimId) -> String {
    let sources: HashMap<SourceId, &Source> = b.sources.iter().map(|s| (s.id, s)).collect();
    let mut g = String::new();
    let mut edges: BTreeSet<String> = BTreeSet::new();
    let _ = writeln!(g, "digraph claim {{");
    let _ = writeln!(
        g,
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.3, ranksep=0.6];"
    );
    let _ = writeln!(
        g,
        "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded\"];"
    );
    let _ = writeln!(g, "  edge [fontname=\"Helvetica\", fontsize=9];");
    for c in &b.claims {
        let (fill, pen) = if c.id == claim {
            ("#fff3c4", "2")
        } else {
            ("#f2f2f2", "1")
        };
        let _ = writeln!(
            g,
            "  \"c_{}\" [label=\"{}\", shape=note, style=filled, fillcolor=\"{fill}\", penwidth={pen}];",
            c.id,
            label(&format!("[{}] {}", c.kind, c.text), 42)
        );
    }
    for s in &b.sources {
        let _ = writeln!(
            g,
            "  \"s_{}\" [label=\"{}\\n({}{})\"];",
            s.id,
            label(&s.name, 28),
            s.kind.as_str().replace('_', " "),
            s.country
                .as_ref()
                .map(|c| format!(", {}", c.as_str()))
                .unwrap_or_default()
        );
        if let Some(parent) = s.part_of.filter(|p| sources.contains_key(p)) {
            let how = match s.affiliation {
                AffiliationKind::PartOf => "part of",
                AffiliationKind::ControlledBy => "controlled by",
            };
            edges.insert(format!(
                "  \"s_{}\" -> \"s_{parent}\" [label=\"{how}\", style=dotted, color=\"#9e9e9e\", fontcolor=\"#9e9e9e\", arrowhead=empty];",
                s.id
            ));
        }
    }
    for p in &b.publications {
        let _ = writeln!(
            g,
            "  \"p_{}\" [label=\"{}{}\", shape=folder, style=filled, fillcolor=\"#e3f2fd\"];",
            p.id,
            label(p.display_name(), 32),
            p.published.map(|d| format!("\\n{d}")).unwrap_or_default()
        );
        if let Some(publisher) = p.publisher {
            edges.insert(format!(
                "  \"s_{publisher}\" -> \"p_{}\" [label=\"publishes\", style=dotted, color=\"#9e9e9e\", fontcolor=\"#9e9e9e\"];",
                p.id
            ));
        }
    }
    for a in &b.attributions {
        // speaker → relays → publication → claim; each edge says how the next hop got the words.
        let mut hops: Vec<(String, String)> = Vec::new();
        if let Some(s) = a.speaker {
            hops.push((format!("s_{s}"), String::new()));
        }
        for r in &a.relays {
            hops.push((format!("s_{}", r.source), r.mode.as_str().replace('_', " ")));
        }
        if let Some(p) = a.publication {
            let how = if hops.is_empty() { "" } else { "reported in" };
            hops.push((format!("p_{p}"), how.to_string()));
        }
        hops.push((format!("c_{}", a.claim), a.mode.as_str().replace('_', " ")));
        for pair in hops.windows(2) {
            let (from, (to, how)) = (&pair[0].0, &pair[1]);
            edges.insert(format!(
                "  \"{from}\" -> \"{to}\" [label=\"{how}\", color=\"#1565c0\", fontcolor=\"#1565c0\"];"
            ));
        }
    }
    // Records that no longer count are drawn grey and dotted, with their status: history, not standing.
    let withdrawn_evidence: HashMap<_, _> = b
        .evidence_standings
        .iter()
        .map(|s| (s.id, s.standing.status))
        .collect();
    let withdrawn_reviews: HashMap<_, _> = b
        .review_standings
        .iter()
        .map(|s| (s.id, s.standing.status))
        .collect();
    for e in &b.evidence {
        // An answer found in no source hangs from a node of its own.
        let from = match e.source {
            Some(s) => format!("s_{s}"),
            None => {
                let _ = writeln!(
                    g,
                    "  \"q_{}\" [label=\"{}\", shape=note, style=dashed];",
                    e.id,
                    label(e.question.as_deref().unwrap_or("no source"), 32)
                );
                format!("q_{}", e.id)
            }
        };
        match withdrawn_evidence.get(&e.id) {
            None => {
                let colour = stance_colour(e.stance);
                edges.insert(format!(
                    "  \"{from}\" -> \"c_{}\" [label=\"{}\", color=\"{colour}\", fontcolor=\"{colour}\", penwidth=2];",
                    e.claim, e.stance
                ));
            }
            Some(status) => {
                edges.insert(format!(
                    "  \"{from}\" -> \"c_{}\" [label=\"{} ({status})\", style=dotted, color=\"#9e9e9e\", fontcolor=\"#9e9e9e\"];",
                    e.claim, e.stance
                ));
            }
        }
    }
    for r in &b.reviews {
        let mut words = match &r.label {
            Some(l) => format!("review: {} ({})", Verdict::words_of(r.verdict), label(l, 30)),
            None => format!("review: {}", Verdict::words_of(r.verdict)),
        };
        if let Some(status) = withdrawn_reviews.get(&r.id) {
            words.push_str(&format!(" [{status}]"));
        }
        let from = match r.reviewer {
            Some(s) => format!("s_{s}"),
            None => {
                let n = format!("r_{}", r.id);
                let _ = writeln!(
                    g,
                    "  \"{n}\" [label=\"(reviewer not recorded)\", shape=plaintext];"
                );
                n
            }
        };
        edges.insert(format!(
            "  \"{from}\" -> \"c_{}\" [label=\"{words}\", style=dashed, color=\"#6a1b9a\", fontcolor=\"#6a1b9a\"];",
            r.claim
        ));
    }
    for l in &b.links {
        edges.insert(format!(
            "  \"c_{}\" -> \"c_{}\" [label=\"{}\", style=bold, color=\"{}\"];",
            l.from,
            l.to,
            l.kind,
            if l.kind.is_conflict() {
                "#c62828"
            } else {
                "#424242"
            }
        ));
    }
    for e in edges {
        g.push_str(&e);
        g.push('\n');
    }
    g.push_str("}\n");
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_wrapped() {
        assert_eq!(label("say \"hi\" \\ now", 80), "say \\\"hi\\\" \\\\ now");
        assert_eq!(label("aaaa bbbb cccc", 9), "aaaa bbbb\\ncccc");
        assert_eq!(label("tab\tand\nnewline", 80), "tab and newline");
    }
}
