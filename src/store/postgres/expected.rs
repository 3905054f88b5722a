//! What `schema/postgres/*.sql` creates, read from the migrations' own text: the reference that
//! `Store::check` compares a PostgreSQL database with (`check.rs`). Reading the text rather than a
//! catalog dump keeps the comparison independent of how a PostgreSQL version prints definitions.

use std::collections::{BTreeMap, BTreeSet};

use super::migrations::MIGRATIONS;

/// A table as the migrations create it.
#[derive(Debug, Default)]
pub(crate) struct ExpectedTable {
    /// Column -> (type as `information_schema` names it, NOT NULL).
    pub columns: BTreeMap<String, (String, bool)>,
    /// How many CHECK constraints (column and table ones).
    pub checks: usize,
    /// (column, referenced table) of every foreign key.
    pub references: BTreeSet<(String, String)>,
}

/// The schema objects the migrations create, read from their text (one column per line, as the files
/// are written; `in_step` and this module's tests hold them to it).
#[derive(Debug, Default)]
pub(crate) struct Expected {
    pub tables: BTreeMap<String, ExpectedTable>,
    pub indexes: BTreeSet<String>,
    /// (table, trigger).
    pub triggers: BTreeSet<(String, String)>,
    /// (table, trigger) made ENABLE ALWAYS.
    pub always: BTreeSet<(String, String)>,
    /// Function name -> body (the text between `$$`).
    pub functions: BTreeMap<String, String>,
}

/// The type `information_schema.columns.data_type` reports for a type written in the schema file.
fn data_type(written: &str) -> String {
    match written {
        "timestamptz" => "timestamp with time zone".into(),
        "double" => "double precision".into(),
        other => other.into(),
    }
}

/// The code of a line without its `--` comment.
fn code(line: &str) -> &str {
    line.split("--").next().unwrap_or("")
}

/// Reads the objects of `sql` (the migrations, in order) into an [`Expected`].
pub(crate) fn expected_from(sql: &[&str]) -> Expected {
    let mut out = Expected::default();
    for text in sql {
        let mut table: Option<String> = None;
        let mut statement = String::new();
        let mut in_body: Option<(String, String)> = None;
        for line in text.lines() {
            if let Some((name, body)) = &mut in_body {
                if let Some(end) = line.find("$$") {
                    body.push_str(&line[..end]);
                    out.functions.insert(name.clone(), std::mem::take(body));
                    in_body = None;
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
                continue;
            }
            let trimmed = line.trim();
            if let Some(rest) = trimmed.strip_prefix("CREATE FUNCTION ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                // The body starts after the first `$$` (on this line or a later one).
                statement = format!("FUNCTION {name}");
                continue;
            }
            if let Some(name) = statement.strip_prefix("FUNCTION ") {
                if let Some(start) = line.find("$$") {
                    let after = &line[start + 2..];
                    let name = name.to_string();
                    statement.clear();
                    if let Some(end) = after.find("$$") {
                        out.functions.insert(name, after[..end].to_string());
                    } else {
                        let mut body = after.to_string();
                        body.push('\n');
                        in_body = Some((name, body));
                    }
                }
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix("CREATE TABLE ") {
                let name = rest.split_whitespace().next().unwrap_or("").to_string();
                out.tables.entry(name.clone()).or_default();
                table = Some(name);
                continue;
            }
            if let Some(t) = &table {
                if trimmed.starts_with(");") {
                    table = None;
                    continue;
                }
                let code = code(trimmed);
                let entry = out.tables.entry(t.clone()).or_default();
                entry.checks += code.matches("CHECK (").count();
                let mut words = code.split_whitespace();
                let word = words.next().unwrap_or("");
                let keyword = ["CHECK", "CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN"]
                    .iter()
                    .any(|k| word.starts_with(k));
                let column = !keyword
                    && !word.is_empty()
                    && word
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if column {
                    let ty = data_type(words.next().unwrap_or("").trim_end_matches(','));
                    let not_null = code.contains("NOT NULL") || code.contains("PRIMARY KEY");
                    entry.columns.insert(word.to_string(), (ty, not_null));
                    if let Some(rest) = code.split("REFERENCES ").nth(1) {
                        let parent = rest.split_whitespace().next().unwrap_or("").to_string();
                        entry.references.insert((word.to_string(), parent));
                    }
                }
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix("CREATE INDEX ") {
                if let Some(name) = rest.split_whitespace().next() {
                    out.indexes.insert(name.to_string());
                }
                continue;
            }
            if trimmed.starts_with("CREATE TRIGGER ") || !statement.is_empty() {
                statement.push(' ');
                statement.push_str(code(trimmed));
                if statement.contains(';') {
                    let words: Vec<&str> = statement.split_whitespace().collect();
                    let name = words.get(2).copied().unwrap_or("");
                    let on = words
                        .iter()
                        .position(|w| *w == "ON")
                        .and_then(|i| words.get(i + 1))
                        .copied()
                        .unwrap_or("");
                    out.triggers.insert((on.to_string(), name.to_string()));
                    statement.clear();
                }
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix("ALTER TABLE ") {
                let words: Vec<&str> = rest.split_whitespace().collect();
                if let [t, "ENABLE", "ALWAYS", "TRIGGER", name] = words.as_slice() {
                    out.always
                        .insert((t.to_string(), name.trim_end_matches(';').to_string()));
                }
            }
        }
    }
    out
}

/// What this library's migrations create.
pub(crate) fn expected() -> Expected {
    let sql: Vec<&str> = MIGRATIONS.iter().map(|(_, sql)| *sql).collect();
    expected_from(&sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_file_is_read_whole() {
        let e = expected();
        assert_eq!(e.tables.len(), 16, "{:?}", e.tables.keys());
        let evidence = &e.tables["evidence"];
        assert_eq!(evidence.columns["credibility"], ("bigint".to_string(), true));
        assert_eq!(evidence.columns["status_at"], ("bigint".to_string(), false));
        assert_eq!(evidence.columns["excerpt_search"].0, "tsvector");
        // stance, credibility, status, answer_type + four table CHECKs.
        assert_eq!(evidence.checks, 8);
        assert!(
            evidence
                .references
                .contains(&("replaced_by".into(), "evidence".into()))
        );
        assert_eq!(e.tables["history"].columns["before"].0, "json");
        // Native twins, generated by the server from the store's own columns.
        assert_eq!(e.tables["history"].columns["after_jsonb"].0, "jsonb");
        assert_eq!(
            e.tables["evidence"].columns["status_at_tz"],
            ("timestamp with time zone".to_string(), false)
        );
        assert!(e.functions["claimtrack_time"].contains("to_timestamp"));
        assert_eq!(
            e.tables["schema_version"].columns["applied_at"].0,
            "timestamp with time zone"
        );
        assert_eq!(
            e.tables["sources"].columns["kind"],
            ("text".to_string(), true),
            "a CHECK spread over several lines is one column"
        );
        assert!(e.indexes.contains("claims_text_search"));
        assert!(
            e.triggers
                .contains(&("history".into(), "history_append_only".into()))
        );
        assert_eq!(e.triggers.len(), 6);
        assert_eq!(e.always, e.triggers);
        let body = &e.functions["history_append_only"];
        assert!(body.contains("RAISE EXCEPTION 'history is append-only"), "{body}");
        assert!(body.starts_with('\n') && body.ends_with("END;\n"), "{body:?}");
    }
}
