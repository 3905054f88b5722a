//! The Store API for publications.

use super::Store;
use super::convert::{refuse_if_referenced, rowid};
use super::db::p;
use crate::error::Result;
use crate::model::ids::PublicationId;
use crate::model::publication::{NewPublication, Publication};

use super::record::publications::*;

impl Store {
    /// The publication first recorded at `url` (its address, or its web archive copy's); a Wayback
    /// Machine URL finds the publication of the original it wraps. `None` when there is none.
    ///
    /// # Example
    /// ```
    /// use claimtrack::{NewPublication, Store};
    /// let store = Store::open_in_memory()?;
    /// let id = store.add_publication(NewPublication::at_url("https://example.org/a"))?;
    /// let found = store.find_publication_by_url("https://web.archive.org/web/2021/https://example.org/a")?;
    /// assert_eq!(found.map(|p| p.id), Some(id));
    /// assert!(store.find_publication_by_url("https://example.org/b")?.is_none());
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn find_publication_by_url(&self, url: &str) -> Result<Option<Publication>> {
        self.read(|db| find_by_url(db, url))
    }

    /// Adds a publication and returns its id.
    ///
    /// Shown in the example of [`find_publication_by_url`](Self::find_publication_by_url).
    pub fn add_publication(&self, new: NewPublication) -> Result<PublicationId> {
        let p = new.into_publication()?;
        self.insert_one(&p, |_| Ok(()))?;
        Ok(p.id)
    }

    /// Reads a publication.
    ///
    /// # Example
    /// Reading, listing, changing and deleting publications:
    /// ```
    /// use claimtrack::{Error, NewAttribution, NewClaim, NewPublication, Store};
    /// let store = Store::open_in_memory()?;
    /// let article = store.add_publication(NewPublication::new("Lavrov visits Wonsan").language("en"))?;
    /// let mut p = store.publication(article)?;
    /// p.title = Some("Lavrov visits Wonsan, North Korea".into());
    /// store.update_publication(&p)?;
    /// assert_eq!(store.publications()?, vec![p]);
    ///
    /// // A publication an attribution names is not deleted; one nothing names is.
    /// let claim = store.add_claim(NewClaim::factual("Troops were sent."))?;
    /// store.attribute(claim, NewAttribution::by_publication(article))?;
    /// assert!(matches!(store.delete_publication(article), Err(Error::StillReferenced { .. })));
    /// let spare = store.add_publication(NewPublication::new("A draft"))?;
    /// store.delete_publication(spare)?;
    /// assert!(matches!(store.publication(spare), Err(Error::NotFound { .. })));
    /// # Ok::<(), claimtrack::Error>(())
    /// ```
    pub fn publication(&self, id: PublicationId) -> Result<Publication> {
        self.read(|db| read(db, id))
    }

    /// Replaces a stored publication with `publication` (matched by id).
    ///
    /// Shown in the example of [`publication`](Self::publication).
    pub fn update_publication(&self, publication: &Publication) -> Result<()> {
        self.replace_one(publication, |_, _| Ok(()))
    }

    /// Deletes a publication no attribution or evidence refers to.
    ///
    /// Shown in the example of [`publication`](Self::publication).
    pub fn delete_publication(&self, id: PublicationId) -> Result<()> {
        self.write_tracked(crate::model::history::EntityKind::Publication, id, |db| {
            let own = rowid(db, id)?;
            refuse_if_referenced(
                db,
                "publication",
                id,
                own,
                &[
                    (
                        "attributions",
                        "SELECT count(*) FROM attributions WHERE publication = ?1",
                    ),
                    ("evidence", "SELECT count(*) FROM evidence WHERE publication = ?1"),
                ],
            )?;
            db.execute("DELETE FROM publications WHERE id = ?1", p![own])?;
            Ok(())
        })
    }

    /// Every publication, oldest first.
    ///
    /// Shown in the example of [`publication`](Self::publication).
    pub fn publications(&self) -> Result<Vec<Publication>> {
        self.read(|db| db.query_vec(select!("ORDER BY p.id"), p![], from_row))
    }
}
