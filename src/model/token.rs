//! API tokens for `claimtrack serve`: a name (the actor recorded in the history) and a role.
//!
//! Only a hash of each secret is stored; the secret itself is shown once, when the token is made.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::text::{self, MAX_NAME_CHARS};
use super::text_enum;
use crate::error::Result;

text_enum! {
    /// What a token may do. Each role may do everything the roles before it may.
    Role, "role" {
        /// Read claims, search, export.
        Read => "read",
        /// Also create and change records (sources, claims, evidence, reviews, links; revise, retract).
        Write => "write",
        /// Also import files and manage tokens.
        Admin => "admin",
    }
}

impl Role {
    /// Whether this role may do what `needed` may.
    pub fn allows(&self, needed: Role) -> bool {
        *self >= needed
    }
}

/// A stored token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// Its name, unique in the store; the actor of every change made with it.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was revoked; a revoked token is refused.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// Checks a token name: it becomes the history's actor, so the same rules apply (not blank, bounded, no
/// control characters).
pub(crate) fn validate_name(name: &str) -> Result<()> {
    text::required("name", name, MAX_NAME_CHARS)?;
    // `required` lets line breaks and tabs through (they belong in prose); an actor holds none, and a
    // token whose name could not be set as the actor would fail every request made with it.
    if name.chars().any(char::is_control) {
        return Err(crate::error::Error::invalid(
            "name",
            format!(
                "contains a control character: {:?} (a token's name is the actor in the history, one line)",
                text::shorten(name, 40)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin.allows(Role::Write));
        assert!(Role::Write.allows(Role::Read));
        assert!(!Role::Read.allows(Role::Write));
        assert!(!Role::Write.allows(Role::Admin));
        assert_eq!("ADMIN".parse::<Role>().ok(), Some(Role::Admin));
        assert!("root".parse::<Role>().is_err());
    }
}
