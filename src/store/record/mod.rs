//! One description per record kind: its id, its kind in the history, how it is read, inserted and
//! updated, which claims it belongs to, and whether it is versioned. Writers that handle records of any
//! kind (bundle and JSON Lines import, the rules of [`super::rules`]) work through it instead of a
//! `match` on the kind.

use rusqlite::Connection;
use serde::Serialize;

pub(crate) mod attributions;
pub(crate) mod claims;
pub(crate) mod evidence;
pub(crate) mod links;
pub(crate) mod publications;
pub(crate) mod reviews;
pub(crate) mod sources;

use crate::error::Result;
use crate::model::attribution::Attribution;
use crate::model::claim::Claim;
use crate::model::evidence::Evidence;
use crate::model::history::EntityKind;
use crate::model::ids::{AttributionId, ClaimId, ClaimLinkId, EvidenceId, PublicationId, ReviewId, SourceId};
use crate::model::link::ClaimLink;
use crate::model::publication::Publication;
use crate::model::review::Review;
use crate::model::source::Source;
use crate::store::convert::StoredId;

/// A kind of record the store keeps.
pub(crate) trait Record: Serialize + PartialEq + Sized {
    /// Its id type (which names its table).
    type Id: StoredId;
    /// Its kind in the history.
    const KIND: EntityKind;
    /// Whether a stored record is never changed in place by an import: evidence and reviews are
    /// versioned (a new stance or verdict is a new record that supersedes the old one).
    const VERSIONED: bool = false;
    /// The record's id.
    fn id(&self) -> Self::Id;
    /// The claims the record belongs to (none for sources and publications). A stored record never
    /// moves to other claims.
    fn claims(&self) -> [Option<ClaimId>; 2] {
        [None, None]
    }
    /// Reads the stored record with this id.
    fn read(conn: &Connection, id: Self::Id) -> Result<Self>;
    /// Inserts the record (validated) with its own id.
    fn insert(conn: &Connection, record: &Self) -> Result<()>;
    /// Replaces the stored record of the same id.
    fn update(conn: &Connection, record: &Self) -> Result<()>;
}

macro_rules! record {
    ($ty:ty, $id:ty, $kind:ident, $module:ident $(, versioned = $v:expr)? $(, claims = |$r:ident| $claims:expr)?) => {
        impl Record for $ty {
            type Id = $id;
            const KIND: EntityKind = EntityKind::$kind;
            $(const VERSIONED: bool = $v;)?
            fn id(&self) -> $id {
                self.id
            }
            $(fn claims(&self) -> [Option<ClaimId>; 2] {
                let $r = self;
                $claims
            })?
            fn read(conn: &Connection, id: $id) -> Result<Self> {
                $module::read(conn, id)
            }
            fn insert(conn: &Connection, record: &Self) -> Result<()> {
                $module::insert(conn, record)
            }
            fn update(conn: &Connection, record: &Self) -> Result<()> {
                $module::update(conn, record)
            }
        }
    };
}

record!(Source, SourceId, Source, sources);
record!(Publication, PublicationId, Publication, publications);
record!(Claim, ClaimId, Claim, claims, claims = |c| [Some(c.id), None]);
record!(
    Attribution,
    AttributionId,
    Attribution,
    attributions,
    claims = |a| [Some(a.claim), None]
);
record!(
    Evidence,
    EvidenceId,
    Evidence,
    evidence,
    versioned = true,
    claims = |e| [Some(e.claim), None]
);
record!(
    ClaimLink,
    ClaimLinkId,
    ClaimLink,
    links,
    claims = |l| [Some(l.from), Some(l.to)]
);
record!(
    Review,
    ReviewId,
    Review,
    reviews,
    versioned = true,
    claims = |r| [Some(r.claim), None]
);
