//! SQL for API tokens (`claimtrack serve`; table `api_tokens` in `schema/0001_initial.sql`): name,
//! role, SHA-256 of the secret, made / revoked times.

use time::OffsetDateTime;

use super::Store;
use super::convert::ts_to_sql;
use super::db::{Db, Row, p};
use crate::error::{Error, Result};
use crate::model::now;
use crate::model::token::{Role, Token, validate_name};

/// A stored time (unix nanoseconds) read back; anything out of range is damage.
fn time_at(n: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(n)).map_err(|e| Error::Corrupt {
        path: String::new(),
        message: format!("an API token's time {n} is out of range: {e}"),
    })
}

/// A token from the columns `name, role, created_at, revoked_at`.
fn from_row(row: &Row<'_>) -> Result<Token> {
    let role: String = row.get(1)?;
    let revoked: Option<i64> = row.get(3)?;
    Ok(Token {
        name: row.get(0)?,
        role: role.parse()?,
        created_at: time_at(row.get(2)?)?,
        revoked_at: revoked.map(time_at).transpose()?,
    })
}

fn by_name(db: &Db<'_>, name: &str) -> Result<Option<Token>> {
    db.query_opt(
        "SELECT name, role, created_at, revoked_at FROM api_tokens WHERE name = ?1",
        p![name],
        from_row,
    )
}

impl Store {
    /// Stores a token `name` with `role` and the SHA-256 `hash` of its secret (the secret itself is
    /// never stored). A name already used, even by a revoked token, is refused with
    /// [`Error::Duplicate`], so the history's actors stay unambiguous.
    ///
    /// # Example
    /// The tokens of `claimtrack serve` (the CLI's `token add` makes the secret and hashes it):
    /// ```
    /// use claimtrack::{Error, Role, Store};
    /// let store = Store::open_in_memory()?;
    /// let hash = [7u8; 32]; // the SHA-256 of a secret the caller keeps
    /// store.add_token("cms-bot", Role::Write, &hash)?;
    /// assert!(matches!(store.add_token("cms-bot", Role::Read, &[8u8; 32]), Err(Error::Duplicate { .. })));
    /// let active = store.active_token_hashes()?;
    /// assert_eq!((active[0].0.name.as_str(), active[0].1), ("cms-bot", hash));
    ///
    /// let revoked = store.revoke_token("cms-bot")?;
    /// assert!(revoked.revoked_at.is_some());
    /// assert!(store.active_token_hashes()?.is_empty());
    /// assert_eq!(store.tokens()?, vec![revoked]); // kept, so the history's actor stays known
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn add_token(&self, name: &str, role: Role, hash: &[u8; 32]) -> Result<Token> {
        validate_name(name)?;
        let created_at = now();
        let at = ts_to_sql(created_at)?;
        let secret: &[u8] = &hash[..];
        self.write(|db| {
            if by_name(db, name)?.is_some() {
                return Err(Error::Duplicate {
                    kind: "token",
                    key: name.to_string(),
                });
            }
            db.execute(
                "INSERT INTO api_tokens (name, role, secret_sha256, created_at) VALUES (?1, ?2, ?3, ?4)",
                p![name, role.as_str(), secret, at],
            )?;
            Ok(())
        })?;
        Ok(Token {
            name: name.to_string(),
            role,
            created_at,
            revoked_at: None,
        })
    }

    /// Every token, revoked ones included, by name.
    ///
    /// Shown in the example of [`add_token`](Self::add_token).
    pub fn tokens(&self) -> Result<Vec<Token>> {
        let mut all = self.read(|db| {
            db.query_vec(
                "SELECT name, role, created_at, revoked_at FROM api_tokens",
                p![],
                from_row,
            )
        })?;
        // By name in byte order, as SQLite's BINARY collation sorts, whatever PostgreSQL's collation.
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    /// Revokes the token `name`: from now on it is refused. Revoking a revoked token changes nothing;
    /// an unknown name is [`Error::NotFound`].
    ///
    /// Shown in the example of [`add_token`](Self::add_token).
    pub fn revoke_token(&self, name: &str) -> Result<Token> {
        let at = now();
        let stored_at = ts_to_sql(at)?;
        self.write(|db| {
            let mut token = by_name(db, name)?.ok_or_else(|| Error::not_found("token", name))?;
            if token.revoked_at.is_none() {
                db.execute(
                    "UPDATE api_tokens SET revoked_at = ?2 WHERE name = ?1",
                    p![name, stored_at],
                )?;
                token.revoked_at = Some(at);
            }
            Ok(token)
        })
    }

    /// The tokens not revoked, each with the SHA-256 of its secret, for the server to compare against.
    ///
    /// Shown in the example of [`add_token`](Self::add_token).
    pub fn active_token_hashes(&self) -> Result<Vec<(Token, [u8; 32])>> {
        self.read(|db| {
            let mut out = Vec::new();
            db.query_each(
                "SELECT name, role, created_at, revoked_at, secret_sha256 FROM api_tokens \
                 WHERE revoked_at IS NULL",
                p![],
                |r| {
                    let hash: Vec<u8> = r.get(4)?;
                    // The schema's CHECK keeps every hash 32 bytes; anything else cannot match a secret.
                    if let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) {
                        out.push((from_row(r)?, hash));
                    }
                    Ok(())
                },
            )?;
            // By name in byte order (see `tokens`).
            out.sort_by(|a: &(Token, [u8; 32]), b| a.0.name.cmp(&b.0.name));
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_add_list_revoke() {
        let store = Store::open_in_memory().unwrap();
        store.add_token("cms-bot", Role::Write, &[7; 32]).unwrap();
        store.add_token("alice", Role::Admin, &[9; 32]).unwrap();
        let dup = store.add_token("alice", Role::Read, &[1; 32]).unwrap_err();
        assert!(matches!(dup, Error::Duplicate { kind: "token", .. }), "{dup}");
        assert!(matches!(
            store.add_token(" ", Role::Read, &[1; 32]),
            Err(Error::Invalid { field: "name", .. })
        ));
        let names: Vec<_> = store.tokens().unwrap().into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["alice", "cms-bot"]);
        assert_eq!(store.active_token_hashes().unwrap().len(), 2);
        let revoked = store.revoke_token("alice").unwrap();
        assert!(revoked.revoked_at.is_some());
        let active = store.active_token_hashes().unwrap();
        assert_eq!(active.len(), 1);
        assert_eq!(
            (active[0].0.name.as_str(), active[0].0.role, active[0].1),
            ("cms-bot", Role::Write, [7; 32])
        );
        assert!(matches!(
            store.revoke_token("nobody"),
            Err(Error::NotFound { kind: "token", .. })
        ));
        // A revoked name stays taken.
        assert!(store.add_token("alice", Role::Read, &[2; 32]).is_err());
    }
}
