//! SQL for API tokens (`claimtrack serve`; table `api_tokens` in `schema/0001_initial.sql`): name,
//! role, SHA-256 of the secret, made / revoked times.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Store;
use super::convert::{ts_from_sql, ts_to_sql};
use crate::error::{Error, Result};
use crate::model::now;
use crate::model::token::{Role, Token, validate_name};

fn role_from(row: &Row<'_>, idx: usize) -> rusqlite::Result<Role> {
    let s: String = row.get(idx)?;
    s.parse().map_err(|e: Error| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Token> {
    let revoked: Option<i64> = row.get(3)?;
    Ok(Token {
        name: row.get(0)?,
        role: role_from(row, 1)?,
        created_at: ts_from_sql(row, 2)?,
        revoked_at: match revoked {
            Some(_) => Some(ts_from_sql(row, 3)?),
            None => None,
        },
    })
}

fn by_name(conn: &Connection, name: &str) -> Result<Option<Token>> {
    Ok(conn
        .prepare_cached("SELECT name, role, created_at, revoked_at FROM api_tokens WHERE name = ?1")?
        .query_row([name], from_row)
        .optional()?)
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
        self.write_sqlite(|c| {
            if by_name(c, name)?.is_some() {
                return Err(Error::Duplicate {
                    kind: "token",
                    key: name.to_string(),
                });
            }
            c.prepare_cached(
                "INSERT INTO api_tokens (name, role, secret_sha256, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![name, role.as_str(), &hash[..], ts_to_sql(created_at)?])?;
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
        self.read_sqlite(|c| {
            let mut stmt =
                c.prepare_cached("SELECT name, role, created_at, revoked_at FROM api_tokens ORDER BY name")?;
            let rows = stmt.query_map([], from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Revokes the token `name`: from now on it is refused. Revoking a revoked token changes nothing;
    /// an unknown name is [`Error::NotFound`].
    ///
    /// Shown in the example of [`add_token`](Self::add_token).
    pub fn revoke_token(&self, name: &str) -> Result<Token> {
        let at = now();
        self.write_sqlite(|c| {
            let mut token = by_name(c, name)?.ok_or_else(|| Error::not_found("token", name))?;
            if token.revoked_at.is_none() {
                c.prepare_cached("UPDATE api_tokens SET revoked_at = ?2 WHERE name = ?1")?
                    .execute(params![name, ts_to_sql(at)?])?;
                token.revoked_at = Some(at);
            }
            Ok(token)
        })
    }

    /// The tokens not revoked, each with the SHA-256 of its secret, for the server to compare against.
    ///
    /// Shown in the example of [`add_token`](Self::add_token).
    pub fn active_token_hashes(&self) -> Result<Vec<(Token, [u8; 32])>> {
        self.read_sqlite(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT name, role, created_at, revoked_at, secret_sha256 FROM api_tokens \
                 WHERE revoked_at IS NULL ORDER BY name",
            )?;
            let rows = stmt.query_map([], |r| {
                let hash: Vec<u8> = r.get(4)?;
                Ok((from_row(r)?, hash))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (token, hash) = row?;
                // The schema's CHECK keeps every hash 32 bytes; anything else cannot match a secret.
                if let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) {
                    out.push((token, hash));
                }
            }
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
