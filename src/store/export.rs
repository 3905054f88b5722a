//! Export of one claim with everything linked to it.

use std::collections::BTreeSet;

use super::Store;
use super::convert::rowid;
use super::db::Db;
use super::links::links_of;
use super::record::{attributions, claims, evidence, publications, reviews, sources};
use super::standing::claim_standings;
use crate::error::Result;
use crate::model::bundle::Bundle;
use crate::model::ids::{ClaimId, PublicationId, SourceId};

impl Store {
    /// One claim with everything needed to understand it and to import it elsewhere, as a bundle: the
    /// claim, its attributions, evidence, reviews and links; the claims at the other end of its links
    /// (without their own records); every source and publication those refer to; and each source's
    /// ancestors in the affiliation tree. Read in one snapshot.
    /// Public as `io::bundle::export_claim`.
    pub(crate) fn export_claim(&self, id: ClaimId) -> Result<Bundle> {
        self.read(|db| claim_bundle(db, id))
    }
}

/// [`Store::export_claim`] inside a read already open (the claim read of the server reads the bundle,
/// the figures to compare and the history in one snapshot: `Store::claim_read`).
pub(crate) fn claim_bundle(db: &Db<'_>, id: ClaimId) -> Result<Bundle> {
    let claim = claims::read(db, id)?;
    let attributions = attributions::of_claim(db, id)?;
    let evidence = evidence::of_claim(db, id)?;
    let reviews = reviews::of_claim(db, id)?;
    let links = links_of(db, id)?;

    let mut source_ids: BTreeSet<SourceId> = BTreeSet::new();
    let mut publication_ids: BTreeSet<PublicationId> = BTreeSet::new();
    for a in &attributions {
        source_ids.extend(a.chain());
        publication_ids.extend(a.publication);
    }
    for e in &evidence {
        source_ids.extend(e.source);
        publication_ids.extend(e.publication);
    }
    source_ids.extend(reviews.iter().filter_map(|r| r.reviewer));

    let publications = publication_ids
        .iter()
        .map(|p| publications::read(db, *p))
        .collect::<Result<Vec<_>>>()?;
    source_ids.extend(publications.iter().filter_map(|p| p.publisher));

    // Ancestors, so every `part_of` in the bundle resolves.
    let mut sources = Vec::new();
    let mut seen: BTreeSet<SourceId> = BTreeSet::new();
    let mut todo: Vec<SourceId> = source_ids.into_iter().collect();
    while let Some(s) = todo.pop() {
        if !seen.insert(s) {
            continue;
        }
        let source = sources::read(db, s)?;
        todo.extend(source.part_of);
        sources.push(source);
    }
    sources.sort_by_key(|s| s.id);

    let mut others: BTreeSet<ClaimId> = BTreeSet::new();
    for l in &links {
        others.insert(if l.from == id { l.to } else { l.from });
    }
    let mut claims = vec![claim];
    for other in others {
        claims.push(claims::read(db, other)?);
    }

    // The standing of every record here that no longer counts, so that importing the bundle
    // elsewhere does not make a withdrawn record count again (one statement per table for the claim).
    let own = rowid(db, id)?;
    let evidence_standings = claim_standings(db, own)?;
    let review_standings = claim_standings(db, own)?;

    Ok(Bundle {
        sources,
        publications,
        claims,
        attributions,
        evidence,
        links,
        reviews,
        evidence_standings,
        review_standings,
        ..Bundle::default()
    })
}
