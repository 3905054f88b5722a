//! Bearer tokens and roles.
//!
//! A token's secret is `ct_` and 64 hex digits (256 bits from the operating system's random source);
//! only its SHA-256 is stored. A presented secret is hashed and compared with every active token's hash
//! in constant time (no early exit on the first differing byte, no stop at the first match), so timing
//! tells nothing about how close a guess came.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use sha2::{Digest, Sha256};

use super::error::ApiError;
use crate::{Error, Result, Role, Store, Token};

/// Who made a request, as the log and the history name them.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The token's name, or `anonymous`.
    pub(crate) name: String,
    /// The token's role; `None` for a request without a token.
    pub(crate) role: Option<Role>,
    /// Whether the server lets anonymous callers search and read published reviews.
    pub(crate) public_read: bool,
    /// For a token the server had verified on an earlier request (name and role taken from its cache of
    /// verified tokens): the check still owed against the store. The first store call of the request
    /// makes it, on the same connection and before its work; a request that makes no store call has it
    /// made before its answer is sent. `None` for anonymous callers and tokens verified by this request.
    pub(crate) proof: Option<Arc<Proof>>,
}

/// The check a token answered from the cache still owes (see [`Caller::proof`]).
#[derive(Debug)]
pub(crate) struct Proof {
    /// The SHA-256 of the presented secret.
    pub(crate) hash: [u8; 32],
    state: AtomicU8,
}

const UNCHECKED: u8 = 0;
const CONFIRMED: u8 = 1;
const REFUSED: u8 = 2;

/// Where a [`Proof`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProofState {
    /// Not yet checked against the store.
    Unchecked,
    /// The store still holds the token, active, with the same name and role.
    Confirmed,
    /// The token is gone or revoked: the request is refused.
    Refused,
}

impl Proof {
    pub(crate) fn new(hash: [u8; 32]) -> Self {
        Self {
            hash,
            state: AtomicU8::new(UNCHECKED),
        }
    }

    pub(crate) fn state(&self) -> ProofState {
        match self.state.load(Ordering::Acquire) {
            CONFIRMED => ProofState::Confirmed,
            REFUSED => ProofState::Refused,
            _ => ProofState::Unchecked,
        }
    }

    fn set(&self, state: ProofState) {
        let v = match state {
            ProofState::Unchecked => UNCHECKED,
            ProofState::Confirmed => CONFIRMED,
            ProofState::Refused => REFUSED,
        };
        self.state.store(v, Ordering::Release);
    }
}

/// The actor name of requests made without a token.
pub(crate) const ANONYMOUS: &str = "anonymous";

impl Caller {
    /// Refuses a caller without a token (401) or with a weaker role (403).
    pub(crate) fn require(&self, needed: Role) -> std::result::Result<(), ApiError> {
        match self.role {
            None => Err(ApiError::unauthorized(
                "this request needs a bearer token (Authorization: Bearer …)",
            )),
            Some(r) if !r.allows(needed) => Err(ApiError::forbidden(format!(
                "token {:?} has role {r}; this request needs {needed}",
                self.name
            ))),
            Some(_) => Ok(()),
        }
    }

    /// Like `require(Role::Read)`, but lets anonymous callers through when the server was started with
    /// `--public-read` (searches and published reviews only: the handler decides what that covers).
    pub(crate) fn require_public_read(&self) -> std::result::Result<(), ApiError> {
        if self.role.is_none() && self.public_read {
            return Ok(());
        }
        self.require(Role::Read)
    }

    /// True for an anonymous caller let in by `--public-read`.
    pub(crate) fn is_public(&self) -> bool {
        self.role.is_none()
    }

    /// Makes the check the caller still owes (if any) on `store`: the token must still be active with
    /// the name and role the request was let in with. Refused (401) otherwise; the proof remembers the
    /// outcome, so a request checks once.
    pub(crate) fn confirm(&self, store: &Store) -> std::result::Result<(), ApiError> {
        let Some(proof) = &self.proof else {
            return Ok(());
        };
        match proof.state() {
            ProofState::Confirmed => return Ok(()),
            ProofState::Refused => return Err(revoked()),
            ProofState::Unchecked => {}
        }
        let token = store.active_token_by_hash(&proof.hash)?;
        if token.is_some_and(|t| t.name == self.name && Some(t.role) == self.role) {
            proof.set(ProofState::Confirmed);
            Ok(())
        } else {
            proof.set(ProofState::Refused);
            Err(revoked())
        }
    }
}

/// The refusal of a token the store does not hold, or holds revoked.
pub(crate) fn revoked() -> ApiError {
    ApiError::unauthorized("unknown or revoked token")
}

/// A new random secret: `ct_` followed by 64 lowercase hex digits (256 bits).
pub fn new_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Io(std::io::Error::other(format!("no random source: {e}"))))?;
    Ok(format!("ct_{}", hex(&bytes)))
}

/// The SHA-256 of a secret, as stored.
pub fn hash_secret(secret: &str) -> [u8; 32] {
    let digest = Sha256::digest(secret.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_slice());
    out
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Equality of two hashes in time independent of where they differ.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b.iter()) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

/// Makes a token `name` with `role`; returns it with its secret, which is shown this once and never
/// stored.
///
/// ```
/// use claimtrack::{Role, Store, server::{add_token, authenticate}};
/// let store = Store::open_in_memory()?;
/// let (token, secret) = add_token(&store, "cms-bot", Role::Write)?;
/// assert_eq!(authenticate(&store, &secret)?.map(|t| t.name), Some("cms-bot".to_string()));
/// store.revoke_token(&token.name)?;
/// assert_eq!(authenticate(&store, &secret)?, None);
/// # Ok::<(), claimtrack::Error>(())
/// ```
pub fn add_token(store: &Store, name: &str, role: Role) -> Result<(Token, String)> {
    let secret = new_secret()?;
    let token = store.add_token(name, role, &hash_secret(&secret))?;
    Ok((token, secret))
}

/// The active token whose secret is `secret`, if any (revoked tokens never match).
pub fn authenticate(store: &Store, secret: &str) -> Result<Option<Token>> {
    authenticate_hash(store, &hash_secret(secret))
}

/// The active token whose secret's SHA-256 is `presented`, if any.
pub(crate) fn authenticate_hash(store: &Store, presented: &[u8; 32]) -> Result<Option<Token>> {
    let mut found = None;
    // Every hash is compared, whatever matched, so the time taken does not depend on which one did.
    for (token, hash) in store.active_token_hashes()? {
        if constant_time_eq(presented, &hash) {
            found = Some(token);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 64);
        assert!(a.starts_with("ct_") && a[3..].bytes().all(|c| c.is_ascii_hexdigit()));
        // SHA-256 of "abc" (FIPS 180-2 test vector).
        assert_eq!(
            hex(&hash_secret("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(constant_time_eq(&hash_secret(&a), &hash_secret(&a)));
        assert!(!constant_time_eq(&hash_secret(&a), &hash_secret(&b)));
    }

    #[test]
    fn only_active_tokens_authenticate() {
        let store = Store::open_in_memory().unwrap();
        let (_, admin) = add_token(&store, "alice", Role::Admin).unwrap();
        let (_, bot) = add_token(&store, "bot", Role::Read).unwrap();
        assert_eq!(
            authenticate(&store, &admin).unwrap().map(|t| t.role),
            Some(Role::Admin)
        );
        assert_eq!(
            authenticate(&store, &bot).unwrap().map(|t| t.name),
            Some("bot".into())
        );
        assert_eq!(authenticate(&store, "ct_guess").unwrap(), None);
        store.revoke_token("bot").unwrap();
        assert_eq!(authenticate(&store, &bot).unwrap(), None);
        assert!(authenticate(&store, &admin).unwrap().is_some());
    }
}
