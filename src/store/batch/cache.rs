//! UUID -> rowid maps a batch keeps of the records it references, bounded so memory stays flat.

use std::collections::HashMap;

use rusqlite::Connection;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::store::convert::{StoredId, rowid_opt};

/// Most UUID → rowid entries remembered per entity kind before the map is emptied and refilled.
pub(super) const CACHE_LIMIT: usize = 1 << 16;

/// Hashes a UUID by folding its bytes: ids are either random (v4) or time-ordered with random low bits
/// (v7), so SipHash's protection against chosen keys buys nothing here and costs a few percent of a
/// bulk load.
#[derive(Default, Clone, Copy)]
pub(super) struct UuidHasher(u64);

impl std::hash::Hasher for UuidHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 =
                (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
}

pub(super) type UuidMap = HashMap<Uuid, i64, std::hash::BuildHasherDefault<UuidHasher>>;

/// UUID → rowid for one entity kind, bounded by [`CACHE_LIMIT`].
#[derive(Default)]
pub(super) struct RowidCache(pub(super) UuidMap);

impl RowidCache {
    pub(super) fn put(&mut self, id: Uuid, rowid: i64) {
        if self.0.len() >= CACHE_LIMIT {
            self.0.clear();
        }
        self.0.insert(id, rowid);
    }

    pub(super) fn get<I: StoredId>(&mut self, conn: &Connection, id: I) -> Result<i64> {
        if let Some(r) = self.0.get(&id.as_uuid()) {
            return Ok(*r);
        }
        let r = rowid_opt(conn, id)?.ok_or_else(|| Error::not_found(I::KIND, id))?;
        self.put(id.as_uuid(), r);
        Ok(r)
    }

    pub(super) fn get_opt<I: StoredId>(&mut self, conn: &Connection, id: Option<I>) -> Result<Option<i64>> {
        id.map(|i| self.get(conn, i)).transpose()
    }
}
