//! The one digest of the history: FNV-1a (64 bits) over a value's JSON text.
//!
//! A batch keeps, per table, the wrapping sum of the digests of the records it wrote
//! (`history_batch_rows.digest`); `verify` sums the digests of the records found and compares, and
//! compares every per-record entry's values through the digest of their JSON text. The digest is stored,
//! so neither FNV-1a nor the serialization of the model types may change.

use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde_json::Value;

use crate::error::{Error, Result};

/// A 64-bit FNV-1a digest; sums of digests are digests too (wrapping addition).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Digest(u64);

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

impl Digest {
    /// The digest of `text` (a history entry's value as stored).
    pub(crate) fn of_text(text: &str) -> Digest {
        let mut d = Digest(FNV_OFFSET);
        d.feed(text.as_bytes());
        d
    }

    /// The digest of a record's serde JSON in field order, streamed: no JSON value or text is built
    /// (this runs once per record of a bulk load).
    pub(super) fn of_record<T: serde::Serialize>(value: &T) -> Result<Digest> {
        let mut d = Digest(FNV_OFFSET);
        serde_json::to_writer(&mut d, value)
            .map_err(|e| Error::invalid("record", format!("cannot be serialized: {e}")))?;
        Ok(d)
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

    fn feed(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }
}

impl std::io::Write for Digest {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.feed(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
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
        // FNV-1a test vectors: the digest is stored, so these must hold forever.
        assert_eq!(Digest::of_text(""), Digest(0xcbf2_9ce4_8422_2325));
        assert_eq!(Digest::of_text("a"), Digest(0xaf63_dc4c_8601_ec8c));
        let v = serde_json::json!({"id": "x", "n": 1});
        assert_eq!(Digest::of_record(&v).unwrap(), Digest::of_text(&v.to_string()));
        let s = serde_json::json!({"status": "retracted"});
        assert_ne!(Digest::of_text("a").with_standing(Some(&s)), Digest::of_text("a"));
        assert_eq!(Digest::of_text("a").with_standing(None), Digest::of_text("a"));
        assert_eq!(Digest(u64::MAX).plus(Digest(2)), Digest(1));
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
