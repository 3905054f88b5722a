//! The crate's one error type.

use std::fmt;

/// Every fallible call in claimtrack returns this `Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong. Each variant names the thing that was wrong and, where there is one, the value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value was refused by validation before anything was written.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field or parameter that was wrong (`"text"`, `"country"`, …).
        field: &'static str,
        /// Why, quoting the offending value where that helps.
        reason: String,
    },
    /// An id named something that does not exist (or exists as another kind of thing).
    #[error("{kind} not found: {id}")]
    NotFound {
        /// The kind of thing looked for (`"claim"`, `"source"`, …).
        kind: &'static str,
        /// The id that was looked up.
        id: String,
    },
    /// A record with this id or key already exists.
    #[error("{kind} already exists: {key}")]
    Duplicate {
        /// The kind of thing (`"claim"`, `"claim link"`, …).
        kind: &'static str,
        /// The id or key that clashed.
        key: String,
    },
    /// A write would change a stored record in a way the store never allows: an evidence record or a
    /// review overwritten (they are versioned: see `Store::revise_evidence` and `Store::correct_review`),
    /// a record moved to another claim, or a standing changed once set. Nothing was written.
    #[error("{kind} {id} is stored with other content: {reason}")]
    Conflict {
        /// The kind of record (`"evidence"`, `"review"`, `"attribution"`, …).
        kind: &'static str,
        /// The stored record's id.
        id: String,
        /// What differs and what to do instead.
        reason: String,
    },
    /// Deleting was refused because other records still point at this one.
    #[error("cannot delete {kind} {id}: still referenced by {count} {by}")]
    StillReferenced {
        /// The kind of thing that was to be deleted.
        kind: &'static str,
        /// Its id.
        id: String,
        /// What refers to it (`"evidence"`, `"attributions"`, …).
        by: &'static str,
        /// How many such references there are.
        count: u64,
    },
    /// Setting an affiliation would make a source (indirectly) part of itself.
    #[error("affiliation cycle: making source {source_id} part of {parent} would close a loop")]
    AffiliationCycle {
        /// The source whose affiliation was being set.
        source_id: String,
        /// The parent it was to be attached to.
        parent: String,
    },
    /// The database was written by a newer claimtrack; it is left untouched.
    #[error(
        "database schema version {found} is newer than this library supports ({supported}); \
         upgrade claimtrack to open it (the database was not modified)"
    )]
    SchemaTooNew {
        /// The version found in the database (SQLite: `PRAGMA user_version`; PostgreSQL: its
        /// `schema_version` table).
        found: i64,
        /// The newest version this library knows.
        supported: i64,
    },
    /// A schema migration failed; the database stays at its previous version.
    #[error("migration {version} failed: {message}")]
    Migration {
        /// The migration that failed.
        version: i64,
        /// The database's message.
        message: String,
    },
    /// The file is not a claimtrack/SQLite database or is damaged.
    #[error("not a usable database{}: {message}", path_part(.path))]
    Corrupt {
        /// The file that was opened (empty where the damage was found reading a record, not opening
        /// the file: the message names the record).
        path: String,
        /// What SQLite said about it.
        message: String,
    },
    /// The database stayed locked by another connection for longer than the busy timeout; nothing was
    /// written and the call may be retried.
    #[error("database is busy: another connection held the lock for longer than the busy timeout")]
    Busy,
    /// Input could not be parsed (an import file, a query).
    #[error("parse error at {location}: {}{reason}", field_part(.field))]
    Parse {
        /// Where: `"line 12"`, `"$.claims[3]"`, a file name…
        location: String,
        /// The field that was wrong, or `"-"` when the record as a whole was.
        field: String,
        /// What was wrong.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A record of a bulk write ([`Store::batch`](crate::Store::batch)) was refused; nothing of the
    /// batch was written.
    #[error("{location} ({kind}, record {record} of the batch): {source}")]
    Batch {
        /// The record's number in the batch, from 1, counting records of every kind.
        record: u64,
        /// The kind of record (`"claim"`, `"evidence"`, …).
        kind: &'static str,
        /// Where it came from, as the caller set it (`"line 17"`), or `"record N"`.
        location: String,
        /// Why it was refused.
        source: Box<Error>,
    },
    /// Any other database failure, with the database's message.
    #[error("database error: {0}")]
    Database(DatabaseError),
}

/// An SQLite failure that is not one of the specific [`Error`] variants.
///
/// Opaque on purpose: no `rusqlite` type crosses the public API, so a later backend can produce it too.
#[derive(Debug)]
pub struct DatabaseError {
    pub(crate) message: String,
    pub(crate) source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl DatabaseError {
    /// SQLite's (or the backend's) message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl Error {
    /// Shorthand for [`Error::Invalid`].
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field,
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::Conflict`].
    pub(crate) fn conflict(kind: &'static str, id: impl fmt::Display, reason: impl Into<String>) -> Self {
        Error::Conflict {
            kind,
            id: id.to_string(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::NotFound`].
    pub(crate) fn not_found(kind: &'static str, id: impl fmt::Display) -> Self {
        Error::NotFound {
            kind,
            id: id.to_string(),
        }
    }
}

/// How [`Error::Parse`] shows its field: `"name: "`, or nothing for `"-"` (the record as a whole).
/// ` file (desk.db)`, or nothing when the damage was found in a record rather than in the file.
fn path_part(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" file ({path})")
    }
}

fn field_part(field: &str) -> String {
    if field == "-" || field.is_empty() {
        String::new()
    } else {
        format!("{field}: ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parse_error_names_its_field_only_when_it_has_one() {
        let whole = Error::Parse {
            location: "line 1 column 8".into(),
            field: "-".into(),
            reason: "expected the header".into(),
        };
        assert_eq!(
            whole.to_string(),
            "parse error at line 1 column 8: expected the header"
        );
        let one = Error::Parse {
            location: "line 3".into(),
            field: "kind".into(),
            reason: "unknown variant".into(),
        };
        assert_eq!(one.to_string(), "parse error at line 3: kind: unknown variant");
    }

    #[test]
    fn a_damaged_database_names_its_file_only_when_it_has_one() {
        let file = Error::Corrupt {
            path: "desk.db".into(),
            message: "file is not a database".into(),
        };
        assert_eq!(
            file.to_string(),
            "not a usable database file (desk.db): file is not a database"
        );
        let record = Error::Corrupt {
            path: String::new(),
            message: "claims row 7: text is not UTF-8".into(),
        };
        assert_eq!(
            record.to_string(),
            "not a usable database: claims row 7: text is not UTF-8"
        );
    }
}
