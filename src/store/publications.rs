//! SQL for publications.

use rusqlite::{Connection, Row, params};

use super::Store;
use super::convert::{insert_err, refuse_if_referenced, rowid, rowid_of, ts_from_sql, ts_to_sql};
use crate::error::{Error, Result};
use crate::model::ids::PublicationId;
use crate::model::publication::{NewPublication, Publication};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT p.uuid, p.title, p.url, s.uuid, p.published, p.retrieved, p.language, p.created_at \
             FROM publications p LEFT JOIN sources s ON s.id = p.publisher ",
            $tail
        )
    };
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Publication> {
    Ok(Publication {
        id: row.get(0)?,
        title: row.get(1)?,
        url: row.get(2)?,
        publisher: row.get(3)?,
        published: row.get(4)?,
        retrieved: row.get(5)?,
        language: row.get(6)?,
        created_at: ts_from_sql(row, 7)?,
    })
}

/// Every publication, oldest first, handed to `f` one at a time.
pub(crate) fn each(conn: &Connection, f: &mut dyn FnMut(Publication) -> Result<()>) -> Result<()> {
    super::convert::each_row(conn, select!("ORDER BY p.id"), |r| Ok(from_row(r)?), f)
}

pub(crate) fn read(conn: &Connection, id: PublicationId) -> Result<Publication> {
    conn.prepare_cached(select!("WHERE p.uuid = ?1"))?
        .query_row([id], from_row)
        .map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Error::not_found("publication", id),
            e => e.into(),
        })
}

pub(crate) fn insert(conn: &Connection, p: &Publication) -> Result<()> {
    p.validate()?;
    let publisher = rowid_of(conn, p.publisher)?;
    conn.prepare_cached(
        "INSERT INTO publications (uuid, title, url, publisher, published, retrieved, language, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        p.id,
        p.title,
        p.url,
        publisher,
        p.published,
        p.retrieved,
        p.language,
        ts_to_sql(p.created_at)?
    ])
    .map_err(|e| insert_err(e, "publication", p.id))?;
    Ok(())
}

pub(crate) fn update(conn: &Connection, p: &Publication) -> Result<()> {
    p.validate()?;
    let own = rowid(conn, p.id)?;
    let publisher = rowid_of(conn, p.publisher)?;
    conn.prepare_cached(
        "UPDATE publications SET title = ?2, url = ?3, publisher = ?4, published = ?5, retrieved = ?6, \
         language = ?7, created_at = ?8 WHERE id = ?1",
    )?
    .execute(params![
        own,
        p.title,
        p.url,
        publisher,
        p.published,
        p.retrieved,
        p.language,
        ts_to_sql(p.created_at)?
    ])?;
    Ok(())
}

impl Store {
    /// Adds a publication and returns its id.
    pub fn add_publication(&self, new: NewPublication) -> Result<PublicationId> {
        let p = new.into_publication()?;
        self.write_new(crate::model::history::EntityKind::Publication, p.id, &p, |c| {
            insert(c, &p)
        })?;
        Ok(p.id)
    }

    /// Reads a publication.
    pub fn publication(&self, id: PublicationId) -> Result<Publication> {
        self.read(|c| read(c, id))
    }

    /// Replaces a stored publication with `publication` (matched by id).
    pub fn update_publication(&self, publication: &Publication) -> Result<()> {
        self.write_tracked(
            crate::model::history::EntityKind::Publication,
            publication.id,
            |c| update(c, publication),
        )
    }

    /// Deletes a publication no attribution or evidence refers to.
    pub fn delete_publication(&self, id: PublicationId) -> Result<()> {
        self.write_tracked(crate::model::history::EntityKind::Publication, id, |c| {
            let own = rowid(c, id)?;
            refuse_if_referenced(
                c,
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
            c.prepare_cached("DELETE FROM publications WHERE id = ?1")?
                .execute([own])?;
            Ok(())
        })
    }

    /// Every publication, oldest first.
    pub fn publications(&self) -> Result<Vec<Publication>> {
        self.read(|c| {
            Ok(c.prepare_cached(select!("ORDER BY p.id"))?
                .query_map([], from_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
    }
}
