//! Full-text search over claim text, quotes and excerpts.

use serde::Serialize;

use crate::error::Result;
use crate::model::ids::{AttributionId, ClaimId, EvidenceId};
use crate::store::Store;
use crate::store::search::RawField;

/// Where a search matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MatchedIn {
    /// The claim's own text.
    ClaimText,
    /// The quoted words of one of its attributions.
    Quote(AttributionId),
    /// The excerpt of one of its evidence records.
    Excerpt(EvidenceId),
}

/// One claim found by [`Store::search`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// The claim.
    pub claim: ClaimId,
    /// Its text.
    pub claim_text: String,
    /// Where the match shown was: the claim's own text whenever that matches, else its best quote or
    /// excerpt.
    pub matched_in: MatchedIn,
    /// The matching passage, matched words in `[` `]`, cuts marked `…`, on one line (line breaks and
    /// tabs in the text are spaces here).
    pub snippet: String,
    /// Relevance (BM25, higher is better) within the hit's field; comparable only within one search and
    /// one kind of [`matched_in`](Self::matched_in).
    pub score: f64,
}

/// Most terms of a search that are used (the rest of a very long query is ignored).
pub const MAX_SEARCH_TERMS: usize = crate::store::search::MAX_TERMS;

/// How many matches per searched field are ranked at most when a query holds a common word (see
/// [`Store::search`]).
pub const SEARCH_RANK_WINDOW: usize = crate::store::search::RANK_WINDOW as usize;

/// Above how many rows of a field a word counts as common (see [`Store::search`]).
pub const SEARCH_COMMON_ROWS: usize = crate::store::search::DF_CAP as usize;

impl Store {
    /// Finds claims whose text, quotes or evidence excerpts contain every word of `query`, most relevant
    /// first, one hit per claim (its best match), at most `limit`.
    ///
    /// **How the query is read:** as plain words. Quotes, `*`, `AND`, `OR`, `NEAR(`, `column:` and other
    /// search-engine syntax are treated as text, never as commands; words match regardless of case,
    /// accents and English word endings ("troops" finds "troop"). The first [`MAX_SEARCH_TERMS`] distinct
    /// words are used. A query without any letter or digit finds nothing. On PostgreSQL words match
    /// regardless of case only: accents and endings count there ("troop" does not find "troops"); see
    /// docs/postgres.md.
    ///
    /// **How results are ranked:** claims whose own text holds every word come first, then claims found
    /// only through a quote or an excerpt; within each group by BM25 relevance (rarer words and shorter
    /// passages weigh more). Scores of different fields are not comparable, and a desk searching for
    /// claims wants those that say it themselves before those a source's excerpt mentions.
    /// When every word of the query is uncommon, every match is ranked exactly. When the query holds a
    /// common word (in more than [`SEARCH_COMMON_ROWS`] rows of a field), only the newest
    /// [`SEARCH_RANK_WINDOW`] matches of that field are ranked, with common words weighted by estimate,
    /// so that "the war" answers as fast on millions of claims as on thousands. Add an uncommon word to
    /// reach older matches.
    ///
    /// ```
    /// let store = claimtrack::Store::open_in_memory()?;
    /// claimtrack::seeds::load_wonsan(&store)?;
    /// let hits = store.search("\"12 million", 5)?;
    /// assert_eq!(hits.len(), 1);
    /// assert!(hits[0].snippet.contains("[12] [million]"));
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        Ok(self
            .search_raw(query, limit)?
            .into_iter()
            .map(|h| SearchHit {
                claim: h.claim,
                claim_text: h.claim_text,
                matched_in: match h.field {
                    RawField::ClaimText => MatchedIn::ClaimText,
                    RawField::Quote(a) => MatchedIn::Quote(a),
                    RawField::Excerpt(e) => MatchedIn::Excerpt(e),
                },
                snippet: h.snippet,
                score: h.score,
            })
            .collect())
    }
}
