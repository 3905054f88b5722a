//! Plain data types: what claimtrack knows about claims, sources and evidence. No SQL here.
//!
//! Every entity comes in two shapes: `NewX`, a builder for something not yet stored (no id, no creation
//! time), and `X`, a stored record. Both are checked by `validate` before anything is written, so a value
//! that breaks a rule never becomes a row.

pub(crate) mod attribution;
pub(crate) mod bundle;
pub(crate) mod claim;
pub(crate) mod country;
pub(crate) mod date;
pub(crate) mod evidence;
pub(crate) mod grade;
pub(crate) mod history;
pub(crate) mod ids;
pub(crate) mod link;
pub(crate) mod publication;
pub(crate) mod review;
pub(crate) mod source;
pub(crate) mod text;
pub(crate) mod token;

/// Defines a closed enum stored as TEXT (with a CHECK constraint in the schema) and written in snake_case.
macro_rules! text_enum {
    (
        $(#[$doc:meta])* $name:ident, $what:literal {
            $( $(#[$vdoc:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $( $(#[$vdoc])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and serialized name.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::error::Error;
            /// Accepts the stored name, case-insensitively, with `-` or space for `_`.
            fn from_str(s: &str) -> crate::error::Result<Self> {
                let norm: String = s.trim().chars()
                    .map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_lowercase() })
                    .collect();
                Self::ALL.iter().copied().find(|v| v.as_str() == norm).ok_or_else(|| {
                    crate::error::Error::invalid(
                        $what,
                        format!(
                            "{:?} is not one of: {}",
                            crate::model::text::shorten(s, 40),
                            Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })
            }
        }
    };
}
pub(crate) use text_enum;

/// `created_at` fields are RFC 3339 in JSON, written in UTC: the store keeps the instant (unix
/// nanoseconds), not the offset, so a value written at another offset reads back in UTC, and history
/// compares values by their JSON (a batch's digest of the value written must equal the digest of the
/// value read back).
pub(crate) mod rfc3339 {
    pub use time::serde::rfc3339::deserialize;

    /// Writes the time in UTC as RFC 3339, byte for byte as `time`'s `Rfc3339` format does
    /// (`2026-11-29T14:00:00.123456Z`: the fraction only when there is one, without trailing zeros),
    /// formatted on the stack: `time` builds a `String` for each, about 1 % of a bulk load, which
    /// serializes every record (and its timestamps) for its history digest. Years outside 0–9999 go
    /// through `time`, which refuses them.
    pub fn serialize<S: serde::Serializer>(t: &time::OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        let t = t.to_offset(time::UtcOffset::UTC);
        match format_utc(&t) {
            Some((buf, len)) => match std::str::from_utf8(buf.get(..len).unwrap_or_default()) {
                Ok(text) => s.serialize_str(text),
                Err(_) => time::serde::rfc3339::serialize(&t, s),
            },
            None => time::serde::rfc3339::serialize(&t, s),
        }
    }

    /// `t` (in UTC) as RFC 3339 in a buffer and its length; `None` for a year outside 0–9999.
    pub(crate) fn format_utc(t: &time::OffsetDateTime) -> Option<([u8; 32], usize)> {
        let year = u32::try_from(t.year()).ok().filter(|y| *y < 10_000)?;
        let mut out = Writer { buf: [0; 32], len: 0 };
        out.digits(4, year);
        out.byte(b'-');
        out.digits(2, u32::from(u8::from(t.month())));
        out.byte(b'-');
        out.digits(2, u32::from(t.day()));
        out.byte(b'T');
        out.digits(2, u32::from(t.hour()));
        out.byte(b':');
        out.digits(2, u32::from(t.minute()));
        out.byte(b':');
        out.digits(2, u32::from(t.second()));
        let mut nanos = t.nanosecond();
        if nanos != 0 {
            out.byte(b'.');
            let mut width = 9;
            while nanos % 10 == 0 {
                nanos /= 10;
                width -= 1;
            }
            out.digits(width, nanos);
        }
        out.byte(b'Z');
        Some((out.buf, out.len))
    }

    /// At most 30 bytes are written into the 32 (`YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`).
    struct Writer {
        buf: [u8; 32],
        len: usize,
    }

    impl Writer {
        fn byte(&mut self, b: u8) {
            if let Some(slot) = self.buf.get_mut(self.len) {
                *slot = b;
            }
            self.len += 1;
        }

        /// `v` in `width` decimal digits, zero-padded.
        fn digits(&mut self, width: usize, mut v: u32) {
            for i in (0..width).rev() {
                if let Some(slot) = self.buf.get_mut(self.len + i) {
                    *slot = b'0' + (v % 10) as u8;
                }
                v /= 10;
            }
            self.len += width;
        }
    }

    #[cfg(test)]
    mod tests {
        use proptest::prelude::*;
        use time::format_description::well_known::Rfc3339;

        fn same_as_time(t: time::OffsetDateTime) {
            let ours = super::format_utc(&t).map(|(b, n)| String::from_utf8(b[..n].to_vec()).unwrap());
            assert_eq!(ours, t.format(&Rfc3339).ok(), "{t:?}");
        }

        #[test]
        fn edges_format_as_time_does() {
            for (unix, nanos) in [
                (0, 0),
                (0, 1),
                (0, 100_000_000),
                (0, 123_456_000),
                (0, 999_999_999),
                (1_796_000_000, 10),
                (-62_167_219_200, 0), // 0000-01-01
                (253_402_300_799, 5), // 9999-12-31T23:59:59
            ] {
                let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
                same_as_time(t.replace_nanosecond(nanos).unwrap());
            }
            // Outside 0-9999: refused by both.
            let early = time::OffsetDateTime::from_unix_timestamp(-62_167_219_201).unwrap();
            assert_eq!(super::format_utc(&early), None);
            assert!(early.format(&Rfc3339).is_err());
        }

        proptest! {
            #[test]
            fn any_time_formats_as_time_does(unix in -62_167_219_200i64..253_402_300_800, nanos in 0u32..1_000_000_000) {
                let t = time::OffsetDateTime::from_unix_timestamp(unix).unwrap();
                same_as_time(t.replace_nanosecond(nanos).unwrap());
            }
        }
    }
}

/// Writes a float with negative zero as zero: SQLite stores -0.0 in a REAL column as 0, so it reads
/// back as 0.0, and history compares values by their JSON.
pub(crate) fn float_without_negative_zero<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(if *v == 0.0 { 0.0 } else { *v })
}

/// The current time in UTC, truncated to whole microseconds so that it survives every storage round trip.
pub(crate) fn now() -> time::OffsetDateTime {
    let t = time::OffsetDateTime::now_utc();
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.replace_nanosecond(micros).unwrap_or(t)
}
