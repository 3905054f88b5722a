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

    pub fn serialize<S: serde::Serializer>(t: &time::OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        time::serde::rfc3339::serialize(&t.to_offset(time::UtcOffset::UTC), s)
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
