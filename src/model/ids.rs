//! Typed ids: one newtype per entity, so a `SourceId` can never be passed where a `ClaimId` is meant.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::error::{Error, Result};

/// Implemented by every id newtype; lets generic code (the store, importers) name the entity kind.
pub trait EntityId: Copy + Eq + Ord + std::hash::Hash + fmt::Display + fmt::Debug {
    /// The entity kind in words, as used in error messages (`"claim"`).
    const KIND: &'static str;
    /// Wraps a UUID.
    fn from_uuid(uuid: Uuid) -> Self;
    /// The UUID inside.
    fn as_uuid(&self) -> Uuid;
}

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        ///
        /// A UUID v7 (time-ordered) when made by claimtrack; any UUID is accepted on import.
        /// Displays and parses as the hyphenated UUID form.
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUID v7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// Wraps an existing UUID (for instance one read from an import file).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            /// The UUID inside.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl EntityId for $name {
            const KIND: &'static str = $kind;
            fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Uuid::parse_str(s.trim()).map(Self).map_err(|e| {
                    Error::invalid(
                        concat!($kind, " id"),
                        format!("not a UUID: {:?} ({e})", crate::model::text::shorten(s, 60)),
                    )
                })
            }
        }
    };
}

define_id!(
    /// Identifies a [`Source`](crate::Source).
    SourceId, "source"
);
define_id!(
    /// Identifies a [`Publication`](crate::Publication).
    PublicationId, "publication"
);
define_id!(
    /// Identifies a [`Claim`](crate::Claim).
    ClaimId, "claim"
);
define_id!(
    /// Identifies an [`Attribution`](crate::Attribution).
    AttributionId, "attribution"
);
define_id!(
    /// Identifies an [`Evidence`](crate::Evidence) record.
    EvidenceId, "evidence"
);
define_id!(
    /// Identifies a [`ClaimLink`](crate::ClaimLink).
    ClaimLinkId, "claim link"
);
define_id!(
    /// Identifies a [`Review`](crate::Review).
    ReviewId, "review"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_display_and_parse_back() {
        let id = ClaimId::new();
        let parsed: ClaimId = id.to_string().parse().unwrap();
        assert_eq!(id, parsed);
        assert_eq!(id.as_uuid().get_version_num(), 7);
    }

    #[test]
    fn new_ids_are_time_ordered() {
        let a = SourceId::new();
        let b = SourceId::new();
        assert!(a < b);
    }

    #[test]
    fn bad_id_text_is_a_typed_error() {
        let err = "Korea".parse::<ClaimId>().unwrap_err();
        assert!(
            matches!(
                err,
                Error::Invalid {
                    field: "claim id",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn ids_serialize_as_plain_uuid_strings() {
        let id = ReviewId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
    }
}
