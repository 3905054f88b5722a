//! A bundle: a self-contained set of records, the unit of import and export.

use serde::{Deserialize, Serialize};

use super::attribution::Attribution;
use super::claim::Claim;
use super::evidence::Evidence;
use super::history::StandingEntry;
use super::ids::{EvidenceId, ReviewId};
use super::link::ClaimLink;
use super::publication::Publication;
use super::review::Review;
use super::source::Source;

/// The `format` tag every bundle carries.
pub const BUNDLE_FORMAT: &str = "claimtrack-bundle";
/// The bundle layout version this library writes and reads.
pub const BUNDLE_VERSION: u32 = 1;

/// Records with their ids, ready to be written to or read from a store as one transaction.
///
/// Importing a bundle is idempotent: records are matched by id, so loading the same bundle twice changes
/// nothing the second time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// The layout version, [`BUNDLE_VERSION`].
    pub version: u32,
    /// Sources (parents may come after children; import orders them).
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Publications.
    #[serde(default)]
    pub publications: Vec<Publication>,
    /// Claims.
    #[serde(default)]
    pub claims: Vec<Claim>,
    /// Attributions.
    #[serde(default)]
    pub attributions: Vec<Attribution>,
    /// Evidence.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// Claim links.
    #[serde(default)]
    pub links: Vec<ClaimLink>,
    /// Reviews.
    #[serde(default)]
    pub reviews: Vec<Review>,
    /// Evidence records that no longer count (superseded or retracted); the others count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence_standings: Vec<StandingEntry<EvidenceId>>,
    /// Reviews that no longer count (superseded by a correction, or retracted); the others count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub review_standings: Vec<StandingEntry<ReviewId>>,
}

impl Default for Bundle {
    fn default() -> Self {
        Self {
            format: BUNDLE_FORMAT.to_string(),
            version: BUNDLE_VERSION,
            sources: Vec::new(),
            publications: Vec::new(),
            claims: Vec::new(),
            attributions: Vec::new(),
            evidence: Vec::new(),
            links: Vec::new(),
            reviews: Vec::new(),
            evidence_standings: Vec::new(),
            review_standings: Vec::new(),
        }
    }
}

impl Bundle {
    /// Total number of records.
    pub fn len(&self) -> usize {
        self.sources.len()
            + self.publications.len()
            + self.claims.len()
            + self.attributions.len()
            + self.evidence.len()
            + self.links.len()
            + self.reviews.len()
    }

    /// Whether it holds no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
