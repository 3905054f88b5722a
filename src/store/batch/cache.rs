//! UUID -> rowid maps a batch keeps of the records it references, bounded so memory stays flat.

use std::collections::HashMap;

use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::history::EntityKind;
use crate::model::ids::{ClaimId, PublicationId, SourceId};
use crate::store::convert::{StoredId, rowid_opt};
use crate::store::db::Db;
use crate::store::record::Refs;

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

    pub(super) fn get<I: StoredId>(&mut self, db: &Db<'_>, id: I) -> Result<i64> {
        if let Some(r) = self.0.get(&id.as_uuid()) {
            return Ok(*r);
        }
        let r = rowid_opt(db, id)?.ok_or_else(|| Error::not_found(I::KIND, id))?;
        self.put(id.as_uuid(), r);
        Ok(r)
    }
}

/// The [`Refs`] of a batch: the rowids of the sources, publications and claims it wrote or looked up,
/// each map bounded; a miss falls back to the uuid index.
#[derive(Default)]
pub(super) struct BatchRefs {
    pub(super) sources: RowidCache,
    pub(super) publications: RowidCache,
    pub(super) claims: RowidCache,
}

impl BatchRefs {
    /// Forgets every rowid (the rows written by an attempt that was rolled back are gone).
    pub(super) fn clear(&mut self) {
        self.sources.0.clear();
        self.publications.0.clear();
        self.claims.0.clear();
    }
}

impl Refs for BatchRefs {
    fn claim(&mut self, db: &Db<'_>, id: ClaimId) -> Result<i64> {
        self.claims.get(db, id)
    }
    fn source(&mut self, db: &Db<'_>, id: SourceId) -> Result<i64> {
        self.sources.get(db, id)
    }
    fn publication(&mut self, db: &Db<'_>, id: PublicationId) -> Result<i64> {
        self.publications.get(db, id)
    }
    fn batched(&self) -> bool {
        true
    }
    fn inserted(&mut self, kind: EntityKind, id: Uuid, rowid: i64) {
        match kind {
            EntityKind::Claim => self.claims.put(id, rowid),
            EntityKind::Source => self.sources.put(id, rowid),
            EntityKind::Publication => self.publications.put(id, rowid),
            _ => {}
        }
    }
}
