//! Ranking and snippets done here rather than by FTS5 (see the module above): words, BM25, snippets.

/// Lower-cased words, with a plural "s" dropped: close enough to the index's Porter stems to count
/// how often a matched word occurs.
pub(super) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(normalize)
        .collect()
}

fn normalize(word: &str) -> String {
    let w = word.to_lowercase();
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w[..w.len() - 1].to_string()
    } else {
        w
    }
}

/// Okapi BM25 as FTS5 computes it (k1 = 1.2, b = 0.75), for one document of `doc` words.
pub(super) fn bm25(doc: &[String], keys: &[Vec<String>], idf: &[f64], avg_len: f64) -> f64 {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let len = doc.len() as f64;
    keys.iter()
        .zip(idf)
        .map(|(key, idf)| {
            let first = key.first();
            // FTS5 said the document matches; a stemming difference must not make it count as absent.
            let tf = (doc.iter().filter(|w| Some(*w) == first).count() as f64).max(1.0);
            idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg_len))
        })
        .sum()
}

/// Okapi BM25 of a document that matched ANY of the keys (an OR query): a key the document does not
/// hold adds nothing, where [`bm25`] (every key matched) counts it at least once.
pub(super) fn bm25_any(doc: &[String], keys: &[Vec<String>], idf: &[f64], avg_len: f64) -> f64 {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let len = doc.len() as f64;
    keys.iter()
        .zip(idf)
        .map(|(key, idf)| {
            let first = key.first();
            let tf = doc.iter().filter(|w| Some(*w) == first).count() as f64;
            idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg_len))
        })
        .sum()
}

/// The passage of `text` around the first matched word, at most `SNIPPET_WORDS` words, matched words in
/// `[` `]`, cuts marked `…`, on one line (see [`one_line`]: a snippet never breaks a line of output). Built here rather than with FTS5's `snippet()`, which re-reads the doclists of
/// every query word for each row (costly for common words).
pub(super) fn snippet(text: &str, keys: &[Vec<String>]) -> String {
    const SNIPPET_WORDS: usize = 16;
    let spans: Vec<(usize, usize)> = word_spans(text);
    let wanted: Vec<&String> = keys.iter().flatten().collect();
    let matched: Vec<bool> = spans
        .iter()
        .map(|(a, b)| {
            let w = normalize(&text[*a..*b]);
            wanted
                .iter()
                .any(|k| w == **k || (k.chars().count() >= 4 && w.starts_with(k.as_str())))
        })
        .collect();
    let first = matched.iter().position(|m| *m).unwrap_or(0);
    let start = first.saturating_sub(3);
    let end = (start + SNIPPET_WORDS).min(spans.len());
    if spans.is_empty() {
        return one_line(&text.chars().take(200).collect::<String>());
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut pos = if start == 0 { 0 } else { spans[start].0 };
    for i in start..end {
        let (a, b) = spans[i];
        out.push_str(&text[pos..a]);
        if matched[i] {
            out.push('[');
            out.push_str(&text[a..b]);
            out.push(']');
        } else {
            out.push_str(&text[a..b]);
        }
        pos = b;
    }
    if end < spans.len() {
        out.push('…');
    } else {
        out.push_str(&text[pos..]);
    }
    one_line(&out)
}

/// `text` on one line: every run of whitespace or control characters (line breaks, tabs, U+2028) is one
/// space, and none is left at either end.
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    out
}

/// Byte spans of the words (runs of letters and digits) of `text`.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}
