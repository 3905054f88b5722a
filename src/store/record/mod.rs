//! One description per record kind: its id, its kind in the history, how it is read, inserted and
//! updated, which claims it belongs to, and whether it is versioned. Writers that handle records of any
//! kind (bundle and JSON Lines import, the rules of [`super::rules`]) work through it instead of a
//! `match` on the kind.

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
use crate::store::convert::{StoredId, rowid};
use crate::store::db::Db;

/// How a write finds the rowids of the records a new record references (its claim, source,
/// publication): the uuid index (the default methods: [`Lookup`], [`BatchLookup`]), or a batch's
/// bounded cache of the records it wrote.
pub(crate) trait Refs {
    /// The claim's rowid, or [`crate::Error::NotFound`].
    fn claim(&mut self, db: &Db<'_>, id: ClaimId) -> Result<i64> {
        rowid(db, id)
    }
    /// The source's rowid, or [`crate::Error::NotFound`].
    fn source(&mut self, db: &Db<'_>, id: SourceId) -> Result<i64> {
        rowid(db, id)
    }
    /// The publication's rowid, or [`crate::Error::NotFound`].
    fn publication(&mut self, db: &Db<'_>, id: PublicationId) -> Result<i64> {
        rowid(db, id)
    }
    /// Notes the rowid of a claim, source or publication just inserted.
    fn inserted(&mut self, _kind: EntityKind, _id: uuid::Uuid, _rowid: i64) {}
    /// Whether the write belongs to a [`crate::Batch`], which moves its claims' text keys into their
    /// table in hash order before it commits (`store::text_keys::flush`); a single write inserts its
    /// claim's key at once.
    fn batched(&self) -> bool {
        false
    }
}

/// [`Refs`] through the uuid index: a single write's.
pub(crate) struct Lookup;

impl Refs for Lookup {}

/// [`Refs`] through the uuid index, for a batch's bundle import: [`batched`](Refs::batched).
pub(crate) struct BatchLookup;

impl Refs for BatchLookup {
    fn batched(&self) -> bool {
        true
    }
}

/// A kind of record the store keeps.
pub(crate) trait Record: Serialize + serde::de::DeserializeOwned + PartialEq + Sized {
    /// Its id type (which names its table).
    type Id: StoredId;
    /// Its kind in the history.
    const KIND: EntityKind;
    /// The largest rowid of its table (0 when empty): where a batch's rows start.
    const MAX_ROWID: &'static str;
    /// Writes a batch's range of its table's rows (`history_batch_rows`): kind `?1`, first row `?2`,
    /// the table's last row, batch `?3`, records `?4`, digest `?5`.
    const BATCH_ROWS: &'static str;
    /// The uuid and rowid of every record of its table, oldest first.
    const ALL_IDS: &'static str;
    /// The uuid and rowid of the records with rowids `?1 ..= ?2` that have no history entry of their
    /// own (`?3` is its kind): a batch's records still as it wrote them, unless changed behind the API.
    const BATCH_RECORDS: &'static str;
    /// The members of its serde JSON that name the claims it belongs to (see [`Record::claims`]); the
    /// history indexes an entry under them.
    const CLAIM_FIELDS: &'static [&'static str];
    /// Whether a stored record is never changed in place by an import: evidence and reviews are
    /// versioned (a new stance or verdict is a new record that supersedes the old one).
    const VERSIONED: bool = false;
    /// The record's id.
    fn id(&self) -> Self::Id;
    /// Checks the record's own fields (what its `New*` constructor checks); [`Record::insert`] and
    /// [`Record::update`] refuse a record that fails it, and `Store::check` reports a stored one.
    fn validate(&self) -> Result<()>;
    /// The claims the record belongs to (none for sources and publications). A stored record never
    /// moves to other claims.
    fn claims(&self) -> [Option<ClaimId>; 2] {
        [None, None]
    }
    /// Reads the stored record with this id.
    fn read(db: &Db<'_>, id: Self::Id) -> Result<Self>;
    /// The standing of a stored versioned record that no longer counts (superseded or retracted), as
    /// JSON; `None` for a current one and for kinds that are not versioned.
    fn withdrawn(_db: &Db<'_>, _id: Self::Id) -> Result<Option<serde_json::Value>> {
        Ok(None)
    }
    /// Inserts the record (validated) with its own id, the rowids of the records it references found
    /// through `refs`. The one INSERT of its kind, for single writes, batches and imports alike.
    fn insert(db: &Db<'_>, record: &Self, refs: &mut dyn Refs) -> Result<()>;
    /// Replaces the stored record of the same id.
    fn update(db: &Db<'_>, record: &Self) -> Result<()>;
}

macro_rules! record {
    (
        $ty:ty, $id:ty, $kind:ident, $module:ident, table = $table:literal, claim_fields = $fields:expr
        $(, versioned = $v:tt)? $(, claims = |$r:ident| $claims:expr)?
    ) => {
        impl Record for $ty {
            type Id = $id;
            const KIND: EntityKind = EntityKind::$kind;
            const MAX_ROWID: &'static str = concat!("SELECT coalesce(max(id), 0) FROM ", $table);
            const BATCH_ROWS: &'static str = concat!(
                "INSERT INTO history_batch_rows (entity_kind, first_row, last_row, batch, records, digest) \
                 SELECT CAST(?1 AS TEXT), CAST(?2 AS BIGINT), coalesce(max(id), 0), CAST(?3 AS BIGINT), \
                 CAST(?4 AS BIGINT), CAST(?5 AS BIGINT) FROM ",
                $table
            );
            const ALL_IDS: &'static str = concat!("SELECT uuid, id FROM ", $table, " ORDER BY id");
            const BATCH_RECORDS: &'static str = concat!(
                "SELECT t.uuid, t.id FROM ", $table, " t WHERE t.id BETWEEN ?1 AND ?2 AND NOT EXISTS \
                 (SELECT 1 FROM history h WHERE h.entity = t.uuid AND h.entity_kind = ?3)"
            );
            const CLAIM_FIELDS: &'static [&'static str] = &$fields;
            $(const VERSIONED: bool = $v;
            fn withdrawn(db: &Db<'_>, id: $id) -> Result<Option<serde_json::Value>> {
                let s = crate::store::standing::standing(db, id)?;
                if s.is_current() {
                    return Ok(None);
                }
                serde_json::to_value(&s)
                    .map(Some)
                    .map_err(|e| crate::error::Error::invalid("standing", format!("cannot be serialized: {e}")))
            })?
            fn id(&self) -> $id {
                self.id
            }
            fn validate(&self) -> Result<()> {
                <$ty>::validate(self)
            }
            $(fn claims(&self) -> [Option<ClaimId>; 2] {
                let $r = self;
                $claims
            })?
            fn read(db: &Db<'_>, id: $id) -> Result<Self> {
                $module::read(db, id)
            }
            fn insert(db: &Db<'_>, record: &Self, refs: &mut dyn Refs) -> Result<()> {
                $module::insert(db, record, refs)
            }
            fn update(db: &Db<'_>, record: &Self) -> Result<()> {
                $module::update(db, record)
            }
        }
    };
}

record!(
    Source,
    SourceId,
    Source,
    sources,
    table = "sources",
    claim_fields = []
);
record!(
    Publication,
    PublicationId,
    Publication,
    publications,
    table = "publications",
    claim_fields = []
);
record!(
    Claim,
    ClaimId,
    Claim,
    claims,
    table = "claims",
    claim_fields = ["id"],
    claims = |c| [Some(c.id), None]
);
record!(
    Attribution,
    AttributionId,
    Attribution,
    attributions,
    table = "attributions",
    claim_fields = ["claim"],
    claims = |a| [Some(a.claim), None]
);
record!(
    Evidence,
    EvidenceId,
    Evidence,
    evidence,
    table = "evidence",
    claim_fields = ["claim"],
    versioned = true,
    claims = |e| [Some(e.claim), None]
);
record!(
    ClaimLink,
    ClaimLinkId,
    ClaimLink,
    links,
    table = "claim_links",
    claim_fields = ["from", "to"],
    claims = |l| [Some(l.from), Some(l.to)]
);
record!(
    Review,
    ReviewId,
    Review,
    reviews,
    table = "reviews",
    claim_fields = ["claim"],
    versioned = true,
    claims = |r| [Some(r.claim), None]
);
