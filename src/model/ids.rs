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

const POOL: usize = 4096;
const RAND_BITS: u32 = 74;

/// A thread's state for [`new_v7`].
struct V7State {
    pid: u32,
    pool: Box<[u8; POOL]>,
    used: usize,
    last: Option<(u64, u128)>,
}

thread_local! {
    static V7: std::cell::RefCell<Option<V7State>> = const { std::cell::RefCell::new(None) };
    /// Set while [`in_one_process`] runs on this thread: the process id was checked when it began.
    static PID_CHECKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with the process id checked once, at its start, instead of at every id [`new_v7`] makes:
/// `getpid` is a system call, about 1 % of a bulk load that makes four ids per claim. For a batch,
/// which holds a write transaction: a process forked inside it can use neither that transaction nor
/// its connection (SQLite forbids carrying a connection across `fork`), and must not make ids before
/// the batch's closure returns.
pub(crate) fn in_one_process<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            PID_CHECKED.set(self.0);
        }
    }
    let was = PID_CHECKED.get();
    if !was {
        let pid = std::process::id();
        V7.with_borrow_mut(|slot| {
            if slot.as_ref().is_some_and(|s| s.pid != pid) {
                *slot = None;
            }
        });
    }
    PID_CHECKED.set(true);
    let _restore = Restore(was);
    f()
}

/// A new UUID v7 (RFC 9562): Unix time in milliseconds, then 74 random bits, increasing within a thread.
///
/// The random bits are the operating system's (getrandom), fetched 4 KiB at a time per thread rather
/// than with one system call per id: `Uuid::now_v7` made one per id, about 9 % of a bulk load
/// (benches/throughput.rs). Ids made in the same millisecond on one thread count up from a random start
/// (RFC 9562 "monotonic random"), so they sort in the order they were made. The buffer and the count
/// are dropped when the process id changes, so a forked child never repeats its parent's ids (checked
/// at every id, or once for a whole batch: [`in_one_process`]).
pub(crate) fn new_v7() -> Uuid {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    let checked = PID_CHECKED.get();
    let made = V7.with_borrow_mut(|slot| {
        let stale = match slot.as_ref() {
            None => true,
            Some(_) if checked => false,
            Some(s) => s.pid != std::process::id(),
        };
        if stale {
            *slot = Some(V7State {
                pid: std::process::id(),
                pool: Box::new([0; POOL]),
                used: POOL,
                last: None,
            });
        }
        let s = slot.as_mut()?;
        let (ms, rand) = match s.last {
            // Same (or an earlier: the clock stepped back) millisecond: count up.
            Some((ms, rand)) if now <= ms && rand + 1 < (1 << RAND_BITS) => (ms, rand + 1),
            Some((ms, _)) if now <= ms => (ms + 1, 0),
            _ => {
                if s.used + 10 > POOL {
                    getrandom::fill(&mut s.pool[..]).ok()?;
                    s.used = 0;
                }
                let mut bytes = [0u8; 16];
                bytes[6..].copy_from_slice(&s.pool[s.used..s.used + 10]);
                s.used += 10;
                // A random start in the lower half, so counting up rarely overflows.
                (now, (u128::from_be_bytes(bytes) & ((1 << RAND_BITS) - 1)) >> 1)
            }
        };
        s.last = Some((ms, rand));
        Some((ms, rand))
    });
    match made {
        Some((ms, rand)) => {
            // Bytes 6..16 of the UUID: 4 version bits and 12 random bits (`rand_a`), then 2 variant
            // bits and 62 random bits (`rand_b`); the builder sets the version and variant.
            let mut random = [0u8; 10];
            random[..2].copy_from_slice(&((rand >> 62) as u16 & 0x0fff).to_be_bytes());
            random[2..].copy_from_slice(&((rand as u64) & ((1 << 62) - 1)).to_be_bytes());
            uuid::Builder::from_unix_timestamp_millis(ms, &random).into_uuid()
        }
        // No randomness from the system: the uuid crate's own generator (which reports it its way).
        None => Uuid::now_v7(),
    }
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
                Self(new_v7())
            }
            /// Wraps an existing UUID (for instance one read from an import file).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            /// The UUID inside.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
            /// The UUID's 16 bytes, borrowed (what the store binds, without a copy).
            pub(crate) const fn uuid_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
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
    fn ids_made_in_one_process_stay_increasing_and_the_check_is_restored() {
        assert!(!PID_CHECKED.get());
        let before = new_v7();
        let inside: Vec<Uuid> = in_one_process(|| {
            assert!(PID_CHECKED.get());
            // Nested: still checked inside, and still after the inner one returns.
            let mut ids = in_one_process(|| (0..500).map(|_| new_v7()).collect::<Vec<_>>());
            assert!(PID_CHECKED.get());
            ids.extend((0..500).map(|_| new_v7()));
            ids
        });
        assert!(!PID_CHECKED.get());
        let after = new_v7();
        let mut all = vec![before];
        all.extend(inside);
        all.push(after);
        assert!(
            all.windows(2).all(|w| w[0] < w[1]),
            "ids made in order sort in order"
        );
        // Restored after a panic inside too.
        let caught = std::panic::catch_unwind(|| in_one_process(|| panic!("inside")));
        assert!(caught.is_err());
        assert!(!PID_CHECKED.get());
    }

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

#[cfg(test)]
mod v7_tests {
    use super::new_v7;

    #[test]
    fn ids_are_v7_distinct_and_increasing_within_a_thread() {
        let ids: Vec<uuid::Uuid> = (0..20_000).map(|_| new_v7()).collect();
        for w in ids.windows(2) {
            assert!(w[0] < w[1], "{} then {}", w[0], w[1]);
        }
        for id in &ids {
            assert_eq!(id.get_version_num(), 7);
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122);
        }
        // The time is now, to the millisecond.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let (secs, nanos) = ids[0].get_timestamp().unwrap().to_unix();
        let ms = secs * 1000 + u64::from(nanos) / 1_000_000;
        assert!(now.abs_diff(ms) < 60_000, "{ms} vs {now}");
        // Threads draw their own random starts.
        let other = std::thread::spawn(new_v7).join().unwrap();
        assert!(!ids.contains(&other));
    }
}
