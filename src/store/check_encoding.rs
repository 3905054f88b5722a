//! `check`'s `encoding` part (SQLite only): text that is not UTF-8. SQLite stores whatever bytes a hand
//! edit casts to TEXT (`CAST(x'ff' AS TEXT)`) and reading them back as text fails, so without this
//! check every other part (and `show`, `export`, `copy`) stops at the first such value with a bare
//! database error. PostgreSQL refuses such text on input: nothing to look for there.

use crate::error::Result;

/// Every TEXT column of the schema, with the statement that finds its values that are not UTF-8 (read
/// as bytes) and the row that holds each: its `id`, or in a table without one, its parent's.
macro_rules! columns {
    ($(($table:literal, $key:literal, [$($col:literal),+])),+ $(,)?) => {
        &[$($(($table, $col, concat!("SELECT ", $key, ", CAST(", $col, " AS BLOB) FROM ", $table,
                                       " WHERE typeof(", $col, ") = 'text'"))),+),+]
    };
}

const COLUMNS: &[(&str, &str, &str)] = columns![
    (
        "sources",
        "id",
        [
            "name",
            "name_key",
            "kind",
            "country",
            "affiliation",
            "reliability",
            "notes"
        ]
    ),
    ("source_aliases", "source_id", ["alias", "alias_key"]),
    (
        "publications",
        "id",
        [
            "title",
            "url",
            "archive_url",
            "published",
            "retrieved",
            "language"
        ]
    ),
    ("claims", "id", ["text", "language", "kind", "about", "made_on"]),
    ("claim_quantities", "claim_id", ["unit", "bound", "subject"]),
    ("claim_tags", "claim_id", ["tag"]),
    ("attributions", "id", ["mode", "quote", "said_on"]),
    ("attribution_relays", "attribution_id", ["mode"]),
    (
        "evidence",
        "id",
        [
            "stance",
            "excerpt",
            "as_of",
            "status",
            "status_reason",
            "question",
            "answer_type"
        ]
    ),
    ("claim_links", "id", ["kind", "note"]),
    (
        "reviews",
        "id",
        [
            "verdict",
            "label",
            "rating_name",
            "rationale",
            "reviewed_on",
            "url",
            "status",
            "status_reason",
            "site"
        ]
    ),
    (
        "history",
        "id",
        ["actor", "entity_kind", "operation", "before", "after", "reason"]
    ),
    ("history_batch_rows", "batch", ["entity_kind"]),
    ("api_tokens", "id", ["name", "role"]),
];

/// The most values reported per column.
const MAX_PER_COLUMN: usize = 10;

/// One message per value that is not UTF-8: `claims row 1 (text): …`, tables in schema order.
pub(super) fn encoding_problems(c: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for (table, column, sql) in COLUMNS {
        let mut stmt = c.prepare(sql)?;
        let mut rows = stmt.query([])?;
        let mut found = 0;
        while let Some(r) = rows.next()? {
            let bytes: Vec<u8> = r.get(1)?;
            if let Err(e) = std::str::from_utf8(&bytes) {
                let key: i64 = r.get(0)?;
                found += 1;
                if found <= MAX_PER_COLUMN {
                    problems.push(format!(
                        "{table} row {key} ({column}): not UTF-8 ({e}): {:?}; written outside \
                         claimtrack, it cannot be read until corrected",
                        crate::model::text::shorten(&String::from_utf8_lossy(&bytes), 60)
                    ));
                }
            }
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    /// The list names every TEXT column of the schema, no more.
    #[test]
    fn every_text_column_of_the_schema_is_listed() {
        let store = Store::open_in_memory().unwrap();
        let c = store.sqlite().unwrap();
        let mut stmt = c
            .prepare(
                "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND p.type = 'TEXT' ORDER BY 1, 2",
            )
            .unwrap();
        let mut schema: Vec<(String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut listed: Vec<(String, String)> = COLUMNS
            .iter()
            .map(|(t, c, _)| (t.to_string(), c.to_string()))
            .collect();
        schema.sort();
        listed.sort();
        assert_eq!(listed, schema);
        assert!(encoding_problems(c).unwrap().is_empty());
    }
}
