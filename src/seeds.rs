//! The seed article — Lavrov's July 2025 visit to Wonsan — as text and as structured data.

use crate::error::{Error, Result};
use crate::io::ImportReport;
use crate::model::bundle::Bundle;
use crate::store::Store;

/// The article as given (`seeds/000_95f36704ba18b9c9.txt`).
pub const WONSAN_ARTICLE: &str = include_str!("../seeds/000_95f36704ba18b9c9.txt");

/// The article as a claimtrack bundle (`seeds/wonsan.json`): its sources, the article as a publication,
/// its claims, who said each and through whom, and the support the article itself states.
pub const WONSAN_BUNDLE_JSON: &str = include_str!("../seeds/wonsan.json");

/// The seed article's records, parsed.
pub fn wonsan() -> Result<Bundle> {
    serde_json::from_str(WONSAN_BUNDLE_JSON).map_err(|e| Error::Parse {
        location: format!("seeds/wonsan.json line {} column {}", e.line(), e.column()),
        field: "-".into(),
        reason: e.to_string(),
    })
}

/// Loads the seed article into `store`. Records keep fixed ids, so loading twice adds nothing.
///
/// ```
/// let store = claimtrack::Store::open_in_memory()?;
/// let first = claimtrack::seeds::load_wonsan(&store)?;
/// let again = claimtrack::seeds::load_wonsan(&store)?;
/// assert!(first.inserted > 0);
/// assert_eq!((again.inserted, again.updated), (0, 0));
/// # Ok::<(), claimtrack::Error>(())
/// ```
pub fn load_wonsan(store: &Store) -> Result<ImportReport> {
    crate::io::bundle::import(store, &wonsan()?, crate::io::ImportOptions::default())
}
