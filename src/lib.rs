//! # claimtrack
//!
//! Keeps track of fact-checking *claims*, the *sources* they come from, *attributions* (who said it,
//! relayed by whom, in which publication) and *evidence* (which sources support or contradict a claim,
//! and how credible each is), persisted in SQLite.
//!
//! ```
//! use claimtrack::{
//!     NewAttribution, NewClaim, NewEvidence, NewSource, Quantity, Result, SourceKind, Stance, Store,
//! };
//!
//! fn main() -> Result<()> {
//!     let store = Store::open_in_memory()?;
//!     let south_korea = store.add_source(NewSource::new("South Korean government", SourceKind::GovernmentBody).country("KR"))?;
//!     let intel = store.add_source(
//!         NewSource::new("South Korean defence intelligence", SourceKind::IntelligenceService).part_of(south_korea),
//!     )?;
//!     let rounds = store.add_claim(
//!         NewClaim::factual("North Korea has shipped about 12 million artillery rounds to Russia")
//!             .quantity(Quantity::about(12_000_000.0, "artillery rounds")),
//!     )?;
//!     store.attribute(rounds, NewAttribution::said_by(intel).paraphrase())?;
//!     store.add_evidence(rounds, NewEvidence::new(intel, Stance::Supports).excerpt("has so far shipped about 12 million rounds"))?;
//!
//!     let said_by = store.attributions_of(rounds)?[0].speaker;
//!     assert_eq!(said_by, Some(intel));
//!     assert_eq!(store.evidence_of(rounds)?[0].stance, Stance::Supports);
//!     Ok(())
//! }
//! ```
//!
//! ## Layout
//! - the model (plain values, validation, serde): [`Source`], [`Publication`], [`Claim`],
//!   [`Attribution`], [`Evidence`], [`ClaimLink`], [`Review`], with typed ids and [`PartialDate`];
//! - the [`Store`], the only part that speaks SQL;
//! - [`seeds`], the seed article as data;
//! - [`io`], interchange: bundles, JSON Lines, ClaimReview, Fact Check Tools, CSV, Graphviz DOT.
//! - [`analysis`], read-only reasoning over the store (evidence summaries, independent origins,
//!   attribution chains, conflicts, search, similar claims, timelines), reached through `Store` methods.
//! - `server` (feature `server`), `claimtrack serve`: an HTTP API, bearer tokens and claim pages.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The README's code blocks are compiled and run as doctests, so the tour never rots.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

pub mod analysis;
mod error;
pub mod io;
mod model;
pub mod seeds;
#[cfg(feature = "server")]
pub mod server;
mod store;

pub use error::{DatabaseError, Error, Result};
pub use model::attribution::{Attribution, MAX_RELAYS, Mode, NewAttribution, Relay};
pub use model::bundle::{BUNDLE_FORMAT, BUNDLE_VERSION, Bundle};
pub use model::claim::{Bound, Claim, ClaimKind, MAX_QUANTITIES, MAX_TAGS, NewClaim, Quantity};
pub use model::country::CountryCode;
pub use model::date::{DatePrecision, PartialDate};
pub use model::evidence::{AnswerType, Evidence, NewEvidence, Stance};
pub use model::grade::{Credibility, Reliability};
pub use model::history::{
    BATCH_CHECK_LIMIT, Change, DEFAULT_ACTOR, EntityKind, HistoryProblem, HistoryReport, Operation, Standing,
    StandingEntry, Status, Unverified,
};
pub use model::ids::{
    AttributionId, ClaimId, ClaimLinkId, EntityId, EvidenceId, PublicationId, ReviewId, SourceId,
};
pub use model::link::{ClaimLink, LinkKind};
pub use model::publication::{NewPublication, Publication, site_of, web_archive_original};
pub use model::review::{NewReview, Rating, Review, Verdict};
pub use model::source::{AffiliationKind, NewSource, Source, SourceKind};
pub use model::text::{
    MAX_LABEL_BYTES, MAX_NAME_CHARS, MAX_QUOTE_CHARS, MAX_TEXT_CHARS, MAX_URL_BYTES, name_key, name_key_hash,
};
pub use model::token::{Role, Token};
#[cfg(feature = "postgres")]
pub use store::postgres::{POSTGRES_SCHEMA_VERSION, postgres_migrate, postgres_schema_version};
pub use store::{
    Batch, BatchProgress, Counts, Durability, OpenOptions, SCHEMA_VERSION, SourceClaim, SourceRole, Store,
};
pub use store::{CheckProblem, CheckReport, CopyReport};
