//! SQL for API tokens (`claimtrack serve`; table `api_tokens` in `schema/0001_initial.sql`): name,
//! role, SHA-256 of the secret, made / revoked times. Making and revoking a token are history entries of
//! kind `token` (the value is the [`Token`]: never the secret or its hash), written in the same
//! transaction as the change.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use super::Store;
use super::convert::ts_to_sql;
use super::db::{Db, Row, p};
use super::history::{Digest, append, changes};
use crate::error::{Error, Result};
use crate::model::history::{Change, EntityKind, HistoryProblem, HistoryReport, Operation};
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

/// The token `name` and its history id.
fn by_name(db: &Db<'_>, name: &str) -> Result<Option<(Token, Uuid)>> {
    db.query_opt(
        "SELECT name, role, created_at, revoked_at, uuid FROM api_tokens WHERE name = ?1",
        p![name],
        |r| Ok((from_row(r)?, r.get(4)?)),
    )
}

/// A token as its history entries hold it: its name, role and times (never the secret or its hash).
fn history_value(token: &Token) -> Result<Value> {
    serde_json::to_value(token).map_err(|e| Error::invalid("token", format!("cannot be serialized: {e}")))
}

/// `verify_history`'s part for tokens: every stored token is compared with its last history entry
/// (`last`: each record's last value after, as a digest, and that entry's number), and marked `seen`.
pub(crate) fn verify(
    db: &Db<'_>,
    last: &HashMap<(EntityKind, Uuid), (Option<Digest>, i64)>,
    seen: &mut HashSet<(EntityKind, Uuid)>,
    report: &mut HistoryReport,
) -> Result<()> {
    let rows: Vec<(Uuid, Token)> = db.query_vec(
        "SELECT name, role, created_at, revoked_at, uuid FROM api_tokens",
        p![],
        |r| Ok((r.get(4)?, from_row(r)?)),
    )?;
    for (id, token) in rows {
        report.records += 1;
        seen.insert((EntityKind::Token, id));
        let now = Digest::of_text(&history_value(&token)?.to_string());
        let problem = match last.get(&(EntityKind::Token, id)) {
            None => "it has no history".to_string(),
            Some((None, seq)) => format!("entry {seq} records its deletion, yet it exists"),
            Some((after, seq)) if *after != Some(now) => {
                format!("its current value differs from entry {seq}'s value after")
            }
            Some(_) => continue,
        };
        report.problems.push(HistoryProblem {
            kind: EntityKind::Token,
            entity: id,
            problem,
        });
    }
    Ok(())
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
        let token = Token {
            name: name.to_string(),
            role,
            created_at,
            revoked_at: None,
        };
        let value = history_value(&token)?;
        let id = Uuid::now_v7();
        self.write(|db| {
            if by_name(db, name)?.is_some() {
                return Err(Error::Duplicate {
                    kind: "token",
                    key: name.to_string(),
                });
            }
            // The hash is the caller's: one already stored is a typed refusal, not a UNIQUE violation.
            let hash_taken = db
                .query_opt(
                    "SELECT uuid FROM api_tokens WHERE secret_sha256 = ?1",
                    p![secret],
                    |r| r.get::<Uuid>(0),
                )?
                .is_some();
            if hash_taken {
                return Err(Error::Duplicate {
                    kind: "token secret",
                    key: format!("the secret of {name:?} is another token's"),
                });
            }
            db.execute(
                "INSERT INTO api_tokens (uuid, name, role, secret_sha256, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                p![id, name, role.as_str(), secret, at],
            )?;
            append(
                db,
                EntityKind::Token,
                id,
                Operation::Insert,
                None,
                Some(&value),
                None,
            )
        })?;
        Ok(token)
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
            let (mut token, id) = by_name(db, name)?.ok_or_else(|| Error::not_found("token", name))?;
            if token.revoked_at.is_none() {
                let before = history_value(&token)?;
                db.execute(
                    "UPDATE api_tokens SET revoked_at = ?2 WHERE name = ?1",
                    p![name, stored_at],
                )?;
                token.revoked_at = Some(at);
                let after = history_value(&token)?;
                append(
                    db,
                    EntityKind::Token,
                    id,
                    Operation::Retract,
                    Some(&before),
                    Some(&after),
                    None,
                )?;
            }
            Ok(token)
        })
    }

    /// Who made and revoked the API tokens, and when: every history entry of a token (of the token
    /// `name` only, when given), oldest first. An entry's value is the [`Token`] as it was (name, role,
    /// made and revoked times), never its secret or hash; its actor is whoever made the change (the
    /// store's [`actor`](Self::actor)). Making a token is an `insert`, revoking it a `retract`.
    ///
    /// # Example
    /// ```
    /// use claimtrack::{EntityKind, Operation, Role, Store};
    /// let store = Store::open_in_memory()?;
    /// store.set_actor("desk:alice")?;
    /// store.add_token("cms-bot", Role::Write, &[7u8; 32])?;
    /// store.set_actor("desk:bob")?;
    /// store.revoke_token("cms-bot")?;
    ///
    /// let changes = store.token_history(Some("cms-bot"))?;
    /// let who: Vec<(&str, Operation)> = changes.iter().map(|c| (c.actor.as_str(), c.operation)).collect();
    /// assert_eq!(who, [("desk:alice", Operation::Insert), ("desk:bob", Operation::Retract)]);
    /// assert_eq!(changes[1].kind, EntityKind::Token);
    /// assert_eq!(changes[1].after.as_ref().unwrap()["name"], "cms-bot");
    /// assert!(store.token_history(Some("nobody"))?.is_empty());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn token_history(&self, name: Option<&str>) -> Result<Vec<Change>> {
        self.read(|db| match name {
            Some(n) if crate::store::db::unmatchable(n) => Ok(Vec::new()),
            Some(n) => changes(
                db,
                "SELECT h.id, h.at, h.actor, h.entity_kind, h.entity, h.operation, \
                 CAST(h.before AS TEXT), CAST(h.after AS TEXT), h.reason FROM history h \
                 WHERE h.entity = (SELECT uuid FROM api_tokens WHERE name = ?1) \
                 AND h.entity_kind = 'token' ORDER BY h.id",
                p![n],
            ),
            // Through the history's index on `entity`, not a scan of the whole history.
            None => changes(
                db,
                "SELECT h.id, h.at, h.actor, h.entity_kind, h.entity, h.operation, \
                 CAST(h.before AS TEXT), CAST(h.after AS TEXT), h.reason FROM history h \
                 WHERE h.entity IN (SELECT uuid FROM api_tokens) AND h.entity_kind = 'token' \
                 ORDER BY h.id",
                p![],
            ),
        })
    }

    /// The token not revoked whose secret's SHA-256 is `hash`, if any: one statement through the
    /// unique index on the hash. For the server's check, on each request, that a token it verified on
    /// an earlier request (comparing with every active hash in constant time) is still active with
    /// the same name and role; the hash looked up here already matched one the server holds in memory,
    /// so how long the lookup takes tells nothing new.
    #[cfg(feature = "server")]
    pub(crate) fn active_token_by_hash(&self, hash: &[u8; 32]) -> Result<Option<Token>> {
        self.read_statement(|db| {
            db.query_opt(
                "SELECT name, role, created_at, revoked_at FROM api_tokens \
                 WHERE secret_sha256 = ?1 AND revoked_at IS NULL",
                p![&hash[..]],
                from_row,
            )
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
    #[cfg(feature = "server")]
    fn a_token_is_found_by_its_hash_while_active() {
        let store = Store::open_in_memory().unwrap();
        store.add_token("cms-bot", Role::Write, &[7; 32]).unwrap();
        store.add_token("alice", Role::Admin, &[9; 32]).unwrap();
        let found = store.active_token_by_hash(&[7; 32]).unwrap().unwrap();
        assert_eq!((found.name.as_str(), found.role), ("cms-bot", Role::Write));
        assert_eq!(store.active_token_by_hash(&[8; 32]).unwrap(), None);
        store.revoke_token("cms-bot").unwrap();
        assert_eq!(store.active_token_by_hash(&[7; 32]).unwrap(), None);
        assert_eq!(
            store.active_token_by_hash(&[9; 32]).unwrap().map(|t| t.name),
            Some("alice".to_string())
        );
        // Inside an open read (as the server's read routes make it) the lookup joins it.
        let inside = store.snapshot(|| store.active_token_by_hash(&[9; 32])).unwrap();
        assert_eq!(inside.map(|t| t.role), Some(Role::Admin));
    }

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

    #[test]
    fn token_changes_are_history_that_verify_checks() {
        let store = Store::open_in_memory().unwrap();
        store.set_actor("desk:alice").unwrap();
        store.add_token("cms-bot", Role::Write, &[7; 32]).unwrap();
        store.add_token("slack-bot", Role::Read, &[9; 32]).unwrap();
        store.set_actor("desk:bob").unwrap();
        store.revoke_token("cms-bot").unwrap();
        // Revoking again changes nothing, so records nothing; a refused write records nothing either.
        store.revoke_token("cms-bot").unwrap();
        assert!(store.add_token("cms-bot", Role::Read, &[1; 32]).is_err());
        let all = store.token_history(None).unwrap();
        let got: Vec<(&str, Operation, &str)> = all
            .iter()
            .map(|c| {
                let v = c.after.as_ref().unwrap();
                (c.actor.as_str(), c.operation, v["name"].as_str().unwrap())
            })
            .collect();
        assert_eq!(
            got,
            [
                ("desk:alice", Operation::Insert, "cms-bot"),
                ("desk:alice", Operation::Insert, "slack-bot"),
                ("desk:bob", Operation::Retract, "cms-bot"),
            ]
        );
        assert!(all[0].before.is_none() && all[0].after.as_ref().unwrap()["revoked_at"].is_null());
        assert_eq!(all[2].before, all[0].after);
        assert!(all[2].after.as_ref().unwrap()["revoked_at"].is_string());
        assert_eq!(all[0].entity, all[2].entity);
        assert_eq!(store.history_by_actor("desk:bob").unwrap(), all[2..]);
        let r = store.verify_history().unwrap();
        assert!(r.is_consistent(), "{r:?}");
        assert_eq!(r.records, 2);

        // Un-revoked behind the API: found.
        store
            .conn()
            .execute("UPDATE api_tokens SET revoked_at = NULL", [])
            .unwrap();
        let r = store.verify_history().unwrap();
        assert_eq!(r.problems.len(), 1, "{r:?}");
        assert_eq!(
            (r.problems[0].kind, r.problems[0].entity),
            (EntityKind::Token, all[0].entity)
        );
        assert!(r.problems[0].problem.contains("current value differs"), "{r:?}");

        // A token written behind the API has no history.
        let store = Store::open_in_memory().unwrap();
        store
            .conn()
            .execute(
                "INSERT INTO api_tokens (uuid, name, role, secret_sha256, created_at) \
                 VALUES (?1, 'mallory', 'admin', ?2, 0)",
                rusqlite::params![&Uuid::now_v7().as_bytes()[..], &[3u8; 32][..]],
            )
            .unwrap();
        let r = store.verify_history().unwrap();
        assert_eq!(r.problems.len(), 1, "{r:?}");
        assert_eq!(r.problems[0].problem, "it has no history");
        assert!(
            store
                .check()
                .unwrap()
                .problems
                .iter()
                .any(|p| p.check == "history")
        );
    }
}
