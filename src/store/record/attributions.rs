//! SQL for attributions: how a record of this kind is read, inserted and updated (the one place that writes its rows).

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Lookup, Refs};
use crate::error::{Error, Result};
use crate::model::attribution::{Attribution, Relay};
use crate::model::ids::{AttributionId, ClaimId};
use crate::store::convert::{insert_err, rowid, ts_from_sql, ts_to_sql};

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

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<(i64, Attribution)> {
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
            created_at: ts_from_sql(row, 8)?,
        },
    ))
}

pub(crate) fn complete(conn: &Connection, (rowid, mut a): (i64, Attribution)) -> Result<Attribution> {
    a.relays = conn
        .prepare_cached(
            "SELECT s.uuid, r.mode FROM attribution_relays r JOIN sources s ON s.id = r.source_id \
             WHERE r.attribution_id = +?1 ORDER BY r.position",
        )?
        .query_map([rowid], |r| {
            Ok(Relay {
                source: r.get(0)?,
                mode: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(a)
}

pub(crate) fn read(conn: &Connection, id: AttributionId) -> Result<Attribution> {
    let row = conn
        .prepare_cached(select!("WHERE a.uuid = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("attribution", id))?;
    complete(conn, row)
}

pub(crate) fn of_claim(conn: &Connection, claim: ClaimId) -> Result<Vec<Attribution>> {
    let own = rowid(conn, claim)?;
    let rows: Vec<(i64, Attribution)> = conn
        .prepare_cached(select!("WHERE a.claim_id = +?1 ORDER BY a.id"))?
        .query_map([own], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|r| complete(conn, r)).collect()
}

/// Every attribution with its relays, oldest first, handed to `f` one at a time.
pub(crate) fn each(conn: &Connection, f: &mut dyn FnMut(Attribution) -> Result<()>) -> Result<()> {
    crate::store::convert::each_row(
        conn,
        select!("ORDER BY a.id"),
        |r| complete(conn, from_row(r)?),
        f,
    )
}

/// Rowids of an attribution's claim, speaker, publication and relays.
type Rowids = (i64, Option<i64>, Option<i64>, Vec<i64>);

/// Resolves every reference to a rowid, or fails with NotFound naming the missing one.
fn rowids(conn: &Connection, a: &Attribution, refs: &mut dyn Refs) -> Result<Rowids> {
    let claim = refs.claim(conn, a.claim)?;
    let speaker = a.speaker.map(|s| refs.source(conn, s)).transpose()?;
    let publication = a.publication.map(|p| refs.publication(conn, p)).transpose()?;
    let relays = a
        .relays
        .iter()
        .map(|r| refs.source(conn, r.source))
        .collect::<Result<_>>()?;
    Ok((claim, speaker, publication, relays))
}

fn write_relays(conn: &Connection, rowid: i64, a: &Attribution, relay_rows: &[i64]) -> Result<()> {
    if a.relays.is_empty() {
        return Ok(());
    }
    let mut ins = conn.prepare_cached(INSERT_RELAY)?;
    for (i, (r, src)) in a.relays.iter().zip(relay_rows).enumerate() {
        ins.execute(params![rowid, i as i64, src, r.mode])?;
    }
    Ok(())
}

/// The one INSERT of an attribution row.
const INSERT: &str = "INSERT INTO attributions (uuid, claim_id, speaker, publication, mode, \
     quote, said_on, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// Inserts one relay of an attribution.
const INSERT_RELAY: &str =
    "INSERT INTO attribution_relays (attribution_id, position, source_id, mode) VALUES (?1, ?2, ?3, ?4)";

pub(crate) fn insert(conn: &Connection, a: &Attribution, refs: &mut dyn Refs) -> Result<()> {
    a.validate()?;
    let (claim, speaker, publication, relays) = rowids(conn, a, refs)?;
    conn.prepare_cached(INSERT)?
        .execute(params![
            a.id,
            claim,
            speaker,
            publication,
            a.mode,
            a.quote,
            a.said_on,
            ts_to_sql(a.created_at)?
        ])
        .map_err(|e| insert_err(e, "attribution", a.id))?;
    let own = conn.last_insert_rowid();
    crate::store::search::index_quote(&crate::store::db::Db::Sqlite(conn), own, a.quote.as_deref())?;
    write_relays(conn, own, a, &relays)
}

pub(crate) fn update(conn: &Connection, a: &Attribution) -> Result<()> {
    a.validate()?;
    let own = rowid(conn, a.id)?;
    let (claim, speaker, publication, relays) = rowids(conn, a, &mut Lookup)?;
    conn.prepare_cached(
        "UPDATE attributions SET claim_id = ?2, speaker = ?3, publication = ?4, mode = ?5, quote = ?6, \
         said_on = ?7, created_at = ?8 WHERE id = ?1",
    )?
    .execute(params![
        own,
        claim,
        speaker,
        publication,
        a.mode,
        a.quote,
        a.said_on,
        ts_to_sql(a.created_at)?
    ])?;
    conn.prepare_cached("DELETE FROM attribution_relays WHERE attribution_id = ?1")?
        .execute([own])?;
    write_relays(conn, own, a, &relays)
}
