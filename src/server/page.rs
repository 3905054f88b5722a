//! Claim pages: `GET /claims/{id}` with `Accept: text/html`. Plain, accessible HTML without scripts: the
//! claim, who said it through whom, the verdict, the evidence table grouped by independent origin, the
//! graph (the DOT export drawn as SVG when Graphviz's `dot` is installed, a list otherwise) and the
//! review's ClaimReview JSON-LD, escaped so that no text can close its `<script>` element.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::io::claimreview;
use crate::{ClaimId, Result, SourceId, Store};

/// Text made safe for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON for a `<script type="application/ld+json">` element: `<`, `>` and `&` written as `\u003c`,
/// `\u003e`, `\u0026` (still the same JSON string), so no text can end the element or open a comment.
pub(crate) fn script_json(v: &Value) -> String {
    let text = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            // Line and paragraph separators are valid in JSON but end a line in older script parsers.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The ClaimReview markup of a claim's published reviews: one object, a `@graph` for several, `None`
/// for none.
fn json_ld(store: &Store, id: ClaimId) -> Result<Option<Value>> {
    let mut reviews = claimreview::claim_reviews(store, id)?;
    Ok(match reviews.len() {
        0 => None,
        1 => Some(reviews.remove(0)),
        _ => {
            for r in &mut reviews {
                if let Value::Object(m) = r {
                    m.remove("@context");
                }
            }
            Some(serde_json::json!({ "@context": "https://schema.org", "@graph": reviews }))
        }
    })
}

/// Draws DOT as SVG with Graphviz when it is installed (`None` otherwise, or when it fails).
fn svg(dot: &str) -> Option<String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = dot.to_string();
    // Written from a thread so a large picture cannot deadlock on full pipes.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    // Keep the <svg> element only (no XML declaration or doctype inside HTML).
    let start = text.find("<svg")?;
    Some(text[start..].to_string())
}

/// The whole page of one claim.
pub(crate) fn claim_page(store: &Store, id: ClaimId) -> Result<String> {
    let b = crate::io::bundle::export_claim(store, id)?;
    let summary = store.evidence_summary(id)?;
    let current = store.current_reviews_of(id)?;
    let claim = b
        .claims
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| crate::Error::NotFound {
            kind: "claim",
            id: id.to_string(),
        })?;
    let mut names: HashMap<SourceId, String> = b.sources.iter().map(|s| (s.id, s.name.clone())).collect();
    let mut name = |s: SourceId| -> String {
        if let Some(n) = names.get(&s) {
            return n.clone();
        }
        let n = store.source(s).map(|x| x.name).unwrap_or_else(|_| s.to_string());
        names.insert(s, n.clone());
        n
    };
    let mut h = String::new();
    let title = esc(&claim.text);
    let lang = claim.language.as_deref().map(esc).unwrap_or_else(|| "en".into());
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n\
         <style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;line-height:1.5}}\
         table{{border-collapse:collapse}}th,td{{border:1px solid #888;padding:.3rem .5rem;text-align:left;vertical-align:top}}\
         caption{{text-align:left;font-weight:bold}}</style>"
    );
    if let Some(ld) = json_ld(store, id)? {
        let _ = writeln!(
            h,
            "<script type=\"application/ld+json\">\n{}\n</script>",
            script_json(&ld)
        );
    }
    let _ = write!(
        h,
        "</head>\n<body>\n<main>\n<h1>{title}</h1>\n<p>Claim <code>{id}</code>, {}",
        esc(claim.kind.as_str())
    );
    if let Some(l) = &claim.language {
        let _ = write!(h, ", language {}", esc(l));
    }
    if let Some(a) = &claim.about {
        let _ = write!(h, ", about {}", esc(&a.to_string()));
    }
    h.push_str(".</p>\n");

    h.push_str("<section aria-labelledby=\"verdict\">\n<h2 id=\"verdict\">Verdict</h2>\n");
    if current.is_empty() {
        h.push_str("<p>Not reviewed yet.</p>\n");
    }
    for r in &current {
        let _ = write!(
            h,
            "<p><strong>{}</strong>",
            esc(r.verdict.map_or("No verdict", claimreview::verdict_words))
        );
        if let Some(l) = &r.label {
            let _ = write!(h, " (“{}”)", esc(l));
        }
        if let Some(s) = r.reviewer {
            let _ = write!(h, " by {}", esc(&name(s)));
        }
        if let Some(d) = &r.reviewed_on {
            let _ = write!(h, " on <time>{}</time>", esc(&d.to_string()));
        }
        h.push_str("</p>\n");
        if let Some(x) = &r.rationale {
            let _ = writeln!(h, "<p>{}</p>", esc(x));
        }
        if let Some(u) = &r.url {
            if u.starts_with("https://") || u.starts_with("http://") {
                let _ = writeln!(h, "<p><a href=\"{}\">Read the review</a></p>", esc(u));
            }
        }
    }
    h.push_str("</section>\n");

    h.push_str("<section aria-labelledby=\"said\">\n<h2 id=\"said\">Who said it, through whom</h2>\n");
    if b.attributions.is_empty() {
        h.push_str("<p>No attribution recorded.</p>\n");
    } else {
        h.push_str("<ul>\n");
        for a in &b.attributions {
            let mut chain: Vec<String> = a.speaker.map(&mut name).into_iter().map(|n| esc(&n)).collect();
            for r in &a.relays {
                chain.push(format!(
                    "{} ({})",
                    esc(&name(r.source)),
                    esc(&r.mode.as_str().replace('_', " "))
                ));
            }
            if let Some(p) = a.publication {
                let t = b
                    .publications
                    .iter()
                    .find(|x| x.id == p)
                    .map_or_else(|| p.to_string(), |x| x.display_name().to_string());
                chain.push(format!("<cite>{}</cite>", esc(&t)));
            }
            let _ = write!(h, "<li>{}", chain.join(" → "));
            if let Some(d) = &a.said_on {
                let _ = write!(h, ", <time>{}</time>", esc(&d.to_string()));
            }
            if let Some(q) = &a.quote {
                let _ = write!(h, ": <q>{}</q>", esc(q));
            }
            h.push_str("</li>\n");
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");

    let _ = writeln!(
        h,
        "<section aria-labelledby=\"evidence\">\n<h2 id=\"evidence\">Evidence</h2>\n<p>Outcome: <strong>{}</strong> — \
         {} independent origin(s) for, {} against.</p>",
        esc(summary.outcome.describe()),
        summary.independent_for(),
        summary.independent_against()
    );
    // Group the current stances by independent origin, in the summary's order.
    let mut groups: Vec<(SourceId, Vec<&crate::analysis::SourceStance>)> = Vec::new();
    for s in summary.all() {
        match groups.iter_mut().find(|(o, _)| *o == s.origin) {
            Some((_, v)) => v.push(s),
            None => groups.push((s.origin, vec![s])),
        }
    }
    h.push_str(
        "<table id=\"evidence-table\">\n<caption>Sources' current stances, grouped by independent origin</caption>\n\
         <thead><tr><th scope=\"col\">Origin</th><th scope=\"col\">Source</th><th scope=\"col\">Stance</th>\
         <th scope=\"col\">Grades</th><th scope=\"col\">As of</th><th scope=\"col\">Excerpt</th></tr></thead>\n<tbody>\n",
    );
    if groups.is_empty() {
        h.push_str("<tr><td colspan=\"6\">No evidence recorded.</td></tr>\n");
    }
    for (origin, stances) in &groups {
        let origin_name = esc(&name(*origin));
        for (i, s) in stances.iter().enumerate() {
            h.push_str("<tr>");
            if i == 0 {
                let _ = write!(
                    h,
                    "<th scope=\"rowgroup\" rowspan=\"{}\">{origin_name}</th>",
                    stances.len()
                );
            }
            let cur = &s.history.current;
            let _ = writeln!(
                h,
                "<td>{}</td><td>{}</td><td>{}{}{}</td><td>{}</td><td>{}</td></tr>",
                esc(&s.name),
                esc(cur.stance.as_str()),
                esc(s.reliability.as_str()),
                cur.credibility.number(),
                if s.weighed { "" } else { " (not weighed)" },
                cur.as_of.map(|d| esc(&d.to_string())).unwrap_or_default(),
                cur.excerpt.as_deref().map(esc).unwrap_or_default(),
            );
        }
    }
    h.push_str("</tbody>\n</table>\n</section>\n");

    h.push_str("<section aria-labelledby=\"graph\">\n<h2 id=\"graph\">Graph</h2>\n");
    let dot = crate::io::dot::render(&b, id);
    match svg(&dot) {
        Some(s) => {
            let _ = writeln!(
                h,
                "<figure role=\"img\" aria-label=\"Attribution and evidence graph\">\n{s}\n</figure>"
            );
        }
        None => {
            h.push_str("<ul id=\"graph-list\">\n");
            for a in &b.attributions {
                let mut chain: Vec<String> = a.chain().map(|s| esc(&name(s))).collect();
                if let Some(p) = a.publication {
                    let t = b
                        .publications
                        .iter()
                        .find(|x| x.id == p)
                        .map_or_else(|| p.to_string(), |x| x.display_name().to_string());
                    chain.push(esc(&t));
                }
                let _ = writeln!(h, "<li>{} → the claim (said)</li>", chain.join(" → "));
            }
            // As the DOT export draws them: a record that no longer counts (superseded, retracted) is
            // history, listed with its status, never as a standing stance.
            for e in &b.evidence {
                let status = b
                    .evidence_standings
                    .iter()
                    .find(|s| s.id == e.id)
                    .map(|s| format!(", {}: no longer counts", s.standing.status))
                    .unwrap_or_default();
                let _ = writeln!(
                    h,
                    "<li>{} → the claim ({}{})</li>",
                    esc(&match e.source {
                        Some(s) => name(s),
                        None => "(no source)".to_string(),
                    }),
                    esc(e.stance.as_str()),
                    esc(&status)
                );
            }
            for l in &b.links {
                let _ = writeln!(
                    h,
                    "<li><code>{}</code> {} <code>{}</code></li>",
                    l.from,
                    esc(l.kind.as_str()),
                    l.to
                );
            }
            h.push_str("</ul>\n");
        }
    }
    h.push_str("</section>\n</main>\n</body>\n</html>\n");
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script() {
        let v = serde_json::json!({ "claimReviewed": "</script><script>alert(1)</script> & <!--" });
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'), "{s}");
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(esc("<b a=\"x\">&'"), "&lt;b a=&quot;x&quot;&gt;&amp;&#39;");
    }
}
