//! SQL for attributions: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use super::{Lookup, Refs};
use crate::error::{Error, Result};
use crate::model::attribution::{Attribution, Relay};
use crate::model::ids::{AttributionId, ClaimId};
use crate::store::convert::{insert_err, insert_id, insert_sql, rowid, ts_get, ts_to_sql};
use crate::store::db::{Db, Param, Row, p};

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT a.id, a.uuid, c.uuid, s.uuid, p.uuid, a.mode, a.quote, a.said_on, a.created_at \
             FROM attributions a JOIN claims c ON c.id = a.claim_id \
             LEFT JOIN sources s ON s.id = a.speaker LEFT JOIN publications p ON p.id = a.publication ",
            $tail
        )
    };
}

pub(crate) fn from_row(row: &Row<'_>) -> Result<(i64, Attribution)> {
    Ok((
        row.get(0)?,
        Attribution {
            id: row.get(1)?,
            claim: row.get(2)?,
            speaker: row.get(3)?,
            relays: Vec::new(),
            publication: row.get(4)?,
            mode: row.get(5)?,
            quote: row.get(6)?,
            said_on: row.get(7)?,
            created_at: ts_get(row, 8)?,
        },
    ))
}

pub(crate) fn complete(db: &Db<'_>, (rowid, mut a): (i64, Attribution)) -> Result<Attribution> {
    a.relays = db.query_vec(
        "SELECT s.uuid, r.mode FROM attribution_relays r JOIN sources s ON s.id = r.source_id \
         WHERE r.attribution_id = +?1 ORDER BY r.position",
        p![rowid],
        |r| {
            Ok(Relay {
                source: r.get(0)?,
                mode: r.get(1)?,
            })
        },
    )?;
    Ok(a)
}

pub(crate) fn read(db: &Db<'_>, id: AttributionId) -> Result<Attribution> {
    let row = db
        .query_opt(select!("WHERE a.uuid = ?1"), p![id], from_row)?
        .ok_or_else(|| Error::not_found("attribution", id))?;
    complete(db, row)
}

pub(crate) fn of_claim(db: &Db<'_>, claim: ClaimId) -> Result<Vec<Attribution>> {
    let own = rowid(db, claim)?;
    let rows = db.query_vec(select!("WHERE a.claim_id = +?1 ORDER BY a.id"), p![own], from_row)?;
    rows.into_iter().map(|r| complete(db, r)).collect()
}

/// Every attribution with its relays, oldest first, handed to `f` one at a time.
pub(crate) fn each(db: &Db<'_>, f: &mut dyn FnMut(Attribution) -> Result<()>) -> Result<()> {
    crate::store::convert::each_row(db, select!("ORDER BY a.id"), |r| complete(db, from_row(r)?), f)
}

/// Rowids of an attribution's claim, speaker, publication and relays.
type Rowids = (i64, Option<i64>, Option<i64>, Vec<i64>);

/// Resolves every reference to a rowid, or fails with NotFound naming the missing one.
fn rowids(db: &Db<'_>, a: &Attribution, refs: &mut dyn Refs) -> Result<Rowids> {
    let claim = refs.claim(db, a.claim)?;
    let speaker = a.speaker.map(|s| refs.source(db, s)).transpose()?;
    let publication = a.publication.map(|p| refs.publication(db, p)).transpose()?;
    let relays = a
        .relays
        .iter()
        .map(|r| refs.source(db, r.source))
        .collect::<Result<_>>()?;
    Ok((claim, speaker, publication, relays))
}

fn write_relays(db: &Db<'_>, rowid: i64, a: &Attribution, relay_rows: &[i64]) -> Result<()> {
    for (i, (r, src)) in a.relays.iter().zip(relay_rows).enumerate() {
        db.execute(INSERT_RELAY, p![rowid, i as i64, src, r.mode])?;
    }
    Ok(())
}

/// The one INSERT of an attribution row.
const INSERT: (&str, &str) = insert_sql!(
    "INSERT INTO attributions (uuid, claim_id, speaker, publication, mode, \
     quote, said_on, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
);

/// Inserts one relay of an attribution.
const INSERT_RELAY: &str =
    "INSERT INTO attribution_relays (attribution_id, position, source_id, mode) VALUES (?1, ?2, ?3, ?4)";

/// An attribution's columns in the order its INSERT and its UPDATE bind them, after `key` (`?1`: its uuid in
/// the INSERT, its rowid in the UPDATE's WHERE), handed to `f`: the one list both statements share.
/// `rows` are its references' rowids (its relays are rows of their own).
fn columns<K: Param, T>(
    key: K,
    a: &Attribution,
    (claim, speaker, publication, _): &Rowids,
    f: impl FnOnce(&[&dyn Param]) -> Result<T>,
) -> Result<T> {
    let created_at = ts_to_sql(a.created_at)?;
    f(p![
        key,
        claim,
        speaker,
        publication,
        a.mode,
        a.quote,
        a.said_on,
        created_at
    ])
}

pub(crate) fn insert(db: &Db<'_>, a: &Attribution, refs: &mut dyn Refs) -> Result<()> {
    a.validate()?;
    let rows = rowids(db, a, refs)?;
    let own = columns(a.id, a, &rows, |ps| insert_id(db, INSERT, ps))
        .map_err(|e| insert_err(e, "attribution", a.id))?;
    let relays = rows.3;
    crate::store::search::index_quote(db, own, a.quote.as_deref())?;
    write_relays(db, own, a, &relays)
}

pub(crate) fn update(db: &Db<'_>, a: &Attribution) -> Result<()> {
    a.validate()?;
    let own = rowid(db, a.id)?;
    let rows = rowids(db, a, &mut Lookup)?;
    columns(own, a, &rows, |ps| {
        db.execute(
            "UPDATE attributions SET claim_id = ?2, speaker = ?3, publication = ?4, mode = ?5, quote = ?6, \
             said_on = ?7, created_at = ?8 WHERE id = ?1",
            ps,
        )
    })?;
    let relays = rows.3;
    db.execute(
        "DELETE FROM attribution_relays WHERE attribution_id = ?1",
        p![own],
    )?;
    write_relays(db, own, a, &relays)
}
