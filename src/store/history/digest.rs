//! The one digest of the history: a 64-bit hash over a value's JSON text.
//!
//! A batch keeps, per table, the wrapping sum of the digests of the records it wrote
//! (`history_batch_rows.digest`); `verify` sums the digests of the records found and compares, and
//! compares every per-record entry's values through the digest of their JSON text. The digest is stored,
//! so neither the hash below nor the serialization of the model types may change once a release has
//! written it.
//!
//! The hash reads the text eight bytes at a time: `h = (rotl(h, 5) ^ word) * K` (each step a bijection of
//! `h` for a given word, so two texts of one length that differ in a single word never collide), the
//! last word padded with zeros, then the length mixed in and MurmurHash3's 64-bit finalizer, so that
//! sums of digests stay well spread. It replaced FNV-1a streamed from serde_json (one multiply per byte,
//! the text arriving token by token), which was about 2.5 % of a bulk load of a million claims: every
//! record's JSON is digested as it is written (docs/performance.md).

use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde_json::Value;

use crate::error::{Error, Result};

/// A 64-bit digest of a JSON text; sums of digests are digests too (wrapping addition).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Digest(u64);

const SEED: u64 = 0xcbf2_9ce4_8422_2325;
const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Digest {
    /// The digest of `text` (a history entry's value as stored).
    pub(crate) fn of_text(text: &str) -> Digest {
        Digest::of_bytes(text.as_bytes())
    }

    /// The digest of a record's serde JSON in field order, the same as [`of_text`](Self::of_text) of
    /// that JSON. The text is written into a buffer the thread keeps (this runs once per record of a
    /// bulk load: no allocation), then hashed in one pass.
    pub(super) fn of_record<T: serde::Serialize>(value: &T) -> Result<Digest> {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        SCRATCH.with(|scratch| {
            let mut fresh = Vec::new();
            // Busy only if serializing a record digested another: then a buffer of its own.
            let mut kept = scratch.try_borrow_mut();
            let buf = match kept.as_deref_mut() {
                Ok(buf) => buf,
                Err(_) => &mut fresh,
            };
            buf.clear();
            serde_json::to_writer(&mut *buf, value)
                .map_err(|e| Error::invalid("record", format!("cannot be serialized: {e}")))?;
            let digest = Digest::of_bytes(buf);
            // A huge record's text is not kept for the thread's life.
            if buf.capacity() > 1 << 16 {
                *buf = Vec::new();
            }
            Ok(digest)
        })
    }

    fn of_bytes(bytes: &[u8]) -> Digest {
        let mix = |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(K);
        let mut h = SEED;
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut le = [0u8; 8];
            le.copy_from_slice(w);
            h = mix(h, u64::from_le_bytes(le));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut le = [0u8; 8];
            le[..rest.len()].copy_from_slice(rest);
            h = mix(h, u64::from_le_bytes(le));
        }
        // MurmurHash3's fmix64 over the state and the length.
        let mut x = h ^ (bytes.len() as u64).wrapping_mul(K);
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^= x >> 33;
        Digest(x)
    }

    /// This record digest with the record's standing mixed in, when it has one: a record that no
    /// longer counts digests differently from the current one a batch wrote.
    pub(super) fn with_standing(self, standing: Option<&Value>) -> Digest {
        match standing {
            Some(s) => Digest(self.0 ^ Digest::of_text(&s.to_string()).0.rotate_left(1)),
            None => self,
        }
    }

    /// The sum of two digests (a batch's per-table sum).
    pub(super) fn plus(self, other: Digest) -> Digest {
        Digest(self.0.wrapping_add(other.0))
    }
}

/// Stored as SQLite's (signed) INTEGER, bits kept.
impl ToSql for Digest {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(i64::from_ne_bytes(self.0.to_ne_bytes())))
    }
}

impl FromSql for Digest {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        i64::column_result(v).map(|d| Digest(u64::from_ne_bytes(d.to_ne_bytes())))
    }
}

#[cfg(feature = "postgres")]
mod pg {
    use super::Digest;
    use bytes::BytesMut;
    use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

    type BoxError = Box<dyn std::error::Error + Sync + Send>;

    /// Stored as PostgreSQL's (signed) `bigint`, bits kept, as on SQLite.
    impl ToSql for Digest {
        fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
            i64::from_ne_bytes(self.0.to_ne_bytes()).to_sql(ty, out)
        }
        fn accepts(ty: &Type) -> bool {
            <i64 as ToSql>::accepts(ty)
        }
        to_sql_checked!();
    }

    impl<'a> FromSql<'a> for Digest {
        fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
            i64::from_sql(ty, raw).map(|d| Digest(u64::from_ne_bytes(d.to_ne_bytes())))
        }
        fn accepts(ty: &Type) -> bool {
            <i64 as FromSql>::accepts(ty)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_streamed_record_digests_agree_and_never_change() {
        // Pinned: the digest is stored, so these must hold once a release has written one.
        assert_eq!(Digest::of_text(""), Digest(PINNED_EMPTY));
        assert_eq!(Digest::of_text("a"), Digest(PINNED_A));
        let v = serde_json::json!({"id": "x", "n": 1});
        assert_eq!(Digest::of_record(&v).unwrap(), Digest::of_text(&v.to_string()));
        let s = serde_json::json!({"status": "retracted"});
        assert_ne!(Digest::of_text("a").with_standing(Some(&s)), Digest::of_text("a"));
        assert_eq!(Digest::of_text("a").with_standing(None), Digest::of_text("a"));
        assert_eq!(Digest(u64::MAX).plus(Digest(2)), Digest(1));
    }

    const PINNED_EMPTY: u64 = 0xefd0_1f60_ba99_2926;
    const PINNED_A: u64 = 0x4bf6_9318_1777_7885;

    #[test]
    fn any_one_byte_changed_added_or_removed_changes_the_digest() {
        let text = "{\"stance\":\"supports\",\"credibility\":6,\"claim\":\"x\"}";
        let whole = Digest::of_text(text);
        let mut seen = std::collections::HashSet::new();
        for i in 0..text.len() {
            let mut changed = text.as_bytes().to_vec();
            changed[i] ^= 0x01;
            let changed = String::from_utf8(changed).unwrap();
            assert_ne!(Digest::of_text(&changed), whole, "byte {i}");
            assert!(seen.insert(Digest::of_text(&changed)));
            assert_ne!(Digest::of_text(&text[..i]), whole, "cut to {i}");
        }
        // Trailing zero bytes are not padding: the length is part of the digest.
        assert_ne!(Digest::of_text("ab\0"), Digest::of_text("ab"));
        assert_ne!(Digest::of_text("\0"), Digest::of_text(""));
    }

    #[test]
    fn sql_round_trip_keeps_the_bits() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for d in [
            Digest(0),
            Digest(u64::MAX),
            Digest(1 << 63),
            Digest::of_text("claim"),
        ] {
            let back: Digest = conn.query_row("SELECT ?1", [d], |r| r.get(0)).unwrap();
            assert_eq!(back, d);
        }
    }
}
