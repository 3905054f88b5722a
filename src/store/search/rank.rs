//! Ranking and snippets done here rather than by FTS5 (see the module above): words, BM25, snippets.

/// Lower-cased words, with a plural "s" dropped: close enough to the index's Porter stems to count
/// how often a matched word occurs.
pub(super) fn words(text: &str) -> Vec<String> {
    let mut buf = String::new();
    split_words(text)
        .map(|w| normalized(w, &mut buf).to_string())
        .collect()
}

/// The runs of letters and digits of `text`.
fn split_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// `word` lower-cased, a plural "s" dropped, written into `buf` (a buffer the caller keeps, so the
/// passages a search scores cost no allocation per word).
fn normalized<'b>(word: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    if word.is_ascii() {
        buf.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        // `str::to_lowercase`, not per character: it knows a final sigma.
        buf.push_str(&word.to_lowercase());
    }
    let w = buf.as_str();
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        &w[..w.len() - 1]
    } else {
        w
    }
}

/// Counts how the scored passages hold a query's keys (the first word of each term, as [`words`]
/// gives them): each passage's length in words and how often it holds each key, without a `String` per
/// word.
pub(super) struct Counter {
    keys: Vec<Option<String>>,
    buf: String,
}

impl Counter {
    pub(super) fn new(keys: &[Vec<String>]) -> Counter {
        Counter {
            keys: keys.iter().map(|k| k.first().cloned()).collect(),
            buf: String::new(),
        }
    }

    /// How many keys each passage's counts hold.
    pub(super) fn keys(&self) -> usize {
        self.keys.len()
    }

    /// Adds `text`'s count of each key to `tf` (one slot per key) and returns its length in words.
    pub(super) fn count(&mut self, text: &str, tf: &mut [u32]) -> usize {
        let mut len = 0;
        for word in split_words(text) {
            len += 1;
            let w = normalized(word, &mut self.buf);
            for (key, n) in self.keys.iter().zip(tf.iter_mut()) {
                if key.as_deref() == Some(w) {
                    *n = n.saturating_add(1);
                }
            }
        }
        len
    }
}

/// Passages counted by a [`Counter`]: their lengths, and their key counts one row per passage.
pub(super) struct Counted {
    pub lens: Vec<usize>,
    tf: Vec<u32>,
    keys: usize,
}

impl Counted {
    /// Counts every passage of `texts` (a missing one as empty).
    pub(super) fn of<'t>(keys: &[Vec<String>], texts: impl Iterator<Item = Option<&'t str>>) -> Counted {
        let mut counter = Counter::new(keys);
        let k = counter.keys();
        let (mut lens, mut tf) = (Vec::new(), Vec::new());
        for text in texts {
            let start = tf.len();
            tf.resize(start + k, 0);
            lens.push(counter.count(text.unwrap_or(""), &mut tf[start..]));
        }
        Counted { lens, tf, keys: k }
    }

    /// Passage `i`'s length and key counts.
    pub(super) fn get(&self, i: usize) -> (usize, &[u32]) {
        let start = i.saturating_mul(self.keys);
        let len = self.lens.get(i).copied().unwrap_or(0);
        (len, self.tf.get(start..start + self.keys).unwrap_or(&[]))
    }

    /// The average length in words of the passages (at least 1).
    pub(super) fn average_len(&self) -> f64 {
        (self.lens.iter().sum::<usize>() as f64 / self.lens.len().max(1) as f64).max(1.0)
    }
}

/// Okapi BM25 as FTS5 computes it (k1 = 1.2, b = 0.75), for one document of `len` words holding each key
/// `tf` times.
pub(super) fn bm25(len: usize, tf: &[u32], idf: &[f64], avg_len: f64) -> f64 {
    // FTS5 said the document matches; a stemming difference must not make it count as absent.
    score(len, tf, idf, avg_len, 1.0)
}

/// Okapi BM25 of a document that matched ANY of the keys (an OR query): a key the document does not
/// hold adds nothing, where [`bm25`] (every key matched) counts it at least once.
pub(super) fn bm25_any(len: usize, tf: &[u32], idf: &[f64], avg_len: f64) -> f64 {
    score(len, tf, idf, avg_len, 0.0)
}

fn score(len: usize, tf: &[u32], idf: &[f64], avg_len: f64, least: f64) -> f64 {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let len = len as f64;
    tf.iter()
        .zip(idf)
        .map(|(tf, idf)| {
            let tf = f64::from(*tf).max(least);
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
    let mut buf = String::new();
    let matched: Vec<bool> = spans
        .iter()
        .map(|(a, b)| {
            let w = normalized(&text[*a..*b], &mut buf);
            wanted
                .iter()
                .any(|k| w == k.as_str() || (k.chars().count() >= 4 && w.starts_with(k.as_str())))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_bracket_matches_and_mark_cuts() {
        let keys = vec![words("troops"), words("Russia")];
        assert_eq!(
            snippet("North Korean troops are deployed to Russia.", &keys),
            "North Korean [troops] are deployed to [Russia]."
        );
        let long = format!(
            "{} the troop went home {}",
            "word ".repeat(30),
            "again ".repeat(30)
        );
        let s = snippet(&long, &keys);
        // Spacing is collapsed: a snippet is one line of single spaces.
        assert!(s.starts_with("…word word the [troop] went"), "{s}");
        assert!(s.ends_with('…'));
        assert_eq!(snippet("", &keys), "");
        assert_eq!(snippet("북한 군대", &[words("군대")]), "북한 [군대]");
    }

    #[test]
    fn an_or_query_scores_only_the_words_a_passage_holds() {
        let keys = vec![words("troops"), words("Kursk")];
        let passages = [
            "North Korean troops are deployed to Russia",
            "Troops crossed into Kursk near Sudzha this week",
        ];
        let docs = Counted::of(&keys, passages.iter().map(|p| Some(*p)));
        let (len, tf) = docs.get(0);
        assert_eq!((len, tf), (7, &[1, 0][..]));
        let idf = [1.0, 5.0];
        // Every key matched (an AND query): a key the passage lacks still counts once.
        let all = bm25(len, tf, &idf, 7.0);
        let any = bm25_any(len, tf, &idf, 7.0);
        assert!(any > 0.0 && any < all, "{any} {all}");
        let only_kursk = Counted::of(&[words("Kursk")], passages.iter().map(|p| Some(*p)));
        let (len, tf) = only_kursk.get(0);
        assert_eq!(bm25_any(len, tf, &[5.0], 7.0), 0.0);
        // A passage holding the rarer word outscores one holding the common word.
        let (len, tf) = docs.get(1);
        assert_eq!((len, tf), (8, &[1, 1][..]));
        assert!(bm25_any(len, tf, &idf, 7.0) > any);
        assert_eq!(docs.average_len(), 7.5);
    }

    /// Counting the keys of a passage without a `String` per word gives what comparing the passage's
    /// [`words`] with them gives, in any script and with any case, plural and punctuation.
    #[test]
    fn counting_keys_agrees_with_the_words_of_the_passage() {
        let passages = [
            "Troops, TROOPS and troop's: the troops' kit",
            "ΟΔΟΣ οδός ΟΔΟΣ Σ σ",
            "İstanbul ISTANBUL istanbul straße STRASSE",
            "北朝鮮の兵士 north korea's 10,000 troops",
            "",
            "class classes glass glasses bus buses",
        ];
        let queries = [
            vec!["troops", "kit"],
            vec!["ΟΔΟΣ", "σ"],
            vec!["İstanbul", "STRASSE", "straße"],
            vec!["10,000", "korea"],
            vec!["classes", "buses", "glass"],
        ];
        for q in &queries {
            let keys: Vec<Vec<String>> = q.iter().map(|t| words(t)).collect();
            let docs = Counted::of(&keys, passages.iter().map(|p| Some(*p)));
            for (i, p) in passages.iter().enumerate() {
                let ws = words(p);
                let expected: Vec<u32> = keys
                    .iter()
                    .map(|k| ws.iter().filter(|w| Some(*w) == k.first()).count() as u32)
                    .collect();
                assert_eq!(docs.get(i), (ws.len(), &expected[..]), "{q:?} in {p:?}");
            }
        }
    }

    #[test]
    fn one_line_collapses_breaks_and_controls() {
        assert_eq!(one_line("a\r\nb\t\tc\u{2028}d\u{85}e  f\n"), "a b c d e f");
        assert_eq!(one_line("\n\n"), "");
        assert_eq!(one_line("plain"), "plain");
    }
}
