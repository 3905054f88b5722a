//! User text as search terms, and terms as each engine's quoted literals (see the module above): no
//! query word ever reaches FTS5 or `to_tsquery` as syntax.

use crate::store::db::Dialect;

/// Most terms of a query that are used; the rest are ignored.
pub(crate) const MAX_TERMS: usize = 32;

/// Cuts user text into at most [`MAX_TERMS`] distinct terms (whitespace-separated chunks holding at least
/// one letter or digit), in the order given.
pub(crate) fn query_terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for chunk in text.split_whitespace() {
        if out.len() == MAX_TERMS {
            break;
        }
        if chunk.chars().any(char::is_alphanumeric) && !out.iter().any(|t| t == chunk) {
            out.push(chunk.to_string());
        }
    }
    out
}

/// One term as an FTS5 string literal.
pub(super) fn literal(term: &str) -> String {
    let mut s = String::with_capacity(term.len() + 2);
    s.push('"');
    for c in term.chars() {
        if c == '"' {
            s.push('"');
        }
        // NUL would end the C string FTS5 parses; it is no word character anyway.
        if c != '\0' {
            s.push(c);
        }
    }
    s.push('"');
    s
}

/// One term as a quoted operand of PostgreSQL's `to_tsquery`: inside quotes nothing is an operator, and
/// the words of the term become a phrase (`'10,000'` is `'10' <-> '000'`), as in an FTS5 string.
pub(super) fn ts_literal(term: &str) -> String {
    let mut s = String::with_capacity(term.len() + 2);
    s.push('\'');
    for c in term.chars() {
        match c {
            '\'' => s.push_str("''"),
            '\\' => s.push_str("\\\\"),
            // PostgreSQL text cannot hold NUL; it is no word character anyway.
            '\0' => {}
            c => s.push(c),
        }
    }
    s.push('\'');
    s
}

/// One term as the engine's quoted literal.
pub(super) fn term_literal(dialect: Dialect, term: &str) -> String {
    match dialect {
        Dialect::Sqlite => literal(term),
        Dialect::Postgres => ts_literal(term),
    }
}

/// Every term must match.
pub(super) fn match_all(dialect: Dialect, terms: &[String]) -> String {
    let sep = match dialect {
        Dialect::Sqlite => " ",
        Dialect::Postgres => " & ",
    };
    terms
        .iter()
        .map(|t| term_literal(dialect, t))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Any term may match.
pub(super) fn match_any(dialect: Dialect, terms: &[String]) -> String {
    let sep = match dialect {
        Dialect::Sqlite => " OR ",
        Dialect::Postgres => " | ",
    };
    terms
        .iter()
        .map(|t| term_literal(dialect, t))
        .collect::<Vec<_>>()
        .join(sep)
}
