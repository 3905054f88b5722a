//! The hand-written `postgres`-crate baseline: the library's own layout (schema/postgres/0001_initial.sql,
//! applied as written), loaded with `COPY … FROM STDIN BINARY` and queried with prepared statements.

use std::time::{Duration, Instant};

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;
use postgres::{Client, Statement, Transaction};

use super::super::{
    DF_CAP, OR_BUDGET, RANK_WINDOW, Rng, SIMILAR_CANDIDATES, SIMILAR_QUERIES, SINGLE_COMMITS, SOURCES, Words,
    bm25_rank, now_ns, roles, similar_terms,
};
use super::{BenchSchema, concurrent, p50_p99};

/// The row ids the baseline's load gave its sources and claims.
pub(crate) struct Ids {
    /// Row id of source `s`.
    sources: Vec<i64>,
    /// Row id of claim 0 (claim `i` is `first_claim + i`).
    first_claim: i64,
}

/// Creates the library's schema in the connection's schema, as the library's migration does.
pub(crate) fn create_schema(client: &mut Client) {
    client
        .batch_execute(include_str!("../../schema/postgres/0001_initial.sql"))
        .unwrap();
}

/// Takes `count` ids from `table`'s identity sequence in one step: the next value, and the sequence moved
/// past the block (the load runs alone, as the library's writer does under its lock).
fn reserve(tx: &mut Transaction<'_>, table: &str, count: usize) -> i64 {
    let first: i64 = tx
        .query_one("SELECT nextval(pg_get_serial_sequence($1, 'id'))", &[&table])
        .unwrap()
        .get(0);
    tx.execute(
        "SELECT setval(pg_get_serial_sequence($1, 'id'), $2)",
        &[&table, &(first + count as i64 - 1)],
    )
    .unwrap();
    first
}

/// A binary COPY into `table`'s `columns`, with the types the table gives them.
fn copy_in<'a>(tx: &'a mut Transaction<'_>, table: &str, columns: &str) -> BinaryCopyInWriter<'a> {
    let types: Vec<Type> = tx
        .prepare(&format!("SELECT {columns} FROM {table} LIMIT 0"))
        .unwrap()
        .columns()
        .iter()
        .map(|c| c.type_().clone())
        .collect();
    let sink = tx
        .copy_in(&format!("COPY {table} ({columns}) FROM STDIN BINARY"))
        .unwrap();
    BinaryCopyInWriter::new(sink, &types)
}

/// The bulk load: the bench's sources and `n` claims (each with an attribution and two evidence), with
/// a public UUID per record, name keys, one `batch` history entry and its row ranges, in one transaction.
pub(crate) fn import(client: &mut Client, n: usize, words: &Words) -> (Duration, Ids) {
    let started = Instant::now();
    let mut tx = client.transaction().unwrap();
    let batch: i64 = tx
        .query_one(
            "INSERT INTO history (at, actor, entity_kind, entity, operation, after) \
             VALUES ($1, 'bench', 'batch', $2, 'import', '{}') RETURNING id",
            &[&now_ns(), &uuid::Uuid::now_v7()],
        )
        .unwrap()
        .get(0);
    let first_source = reserve(&mut tx, "sources", SOURCES);
    {
        let mut w = copy_in(
            &mut tx,
            "sources",
            "id, uuid, name, name_key, kind, affiliation, reliability, created_at",
        );
        for s in 0..SOURCES {
            let name = format!("Source {s}");
            w.write(&[
                &(first_source + s as i64),
                &uuid::Uuid::now_v7(),
                &name,
                &claimtrack::name_key(&name),
                &"outlet",
                &"part_of",
                &"F",
                &now_ns(),
            ])
            .unwrap();
        }
        w.finish().unwrap();
    }
    let first_claim = reserve(&mut tx, "claims", n);
    {
        let mut rng = Rng(42);
        let mut w = copy_in(
            &mut tx,
            "claims",
            "id, uuid, text, language, kind, created_at, text_key_hash",
        );
        for i in 0..n {
            let text = words.sentence(&mut rng);
            w.write(&[
                &(first_claim + i as i64),
                &uuid::Uuid::now_v7(),
                &text,
                &"en",
                &"factual",
                &now_ns(),
                &claimtrack::name_key_hash(&claimtrack::name_key(&text)),
            ])
            .unwrap();
        }
        w.finish().unwrap();
    }
    let first_attr = reserve(&mut tx, "attributions", n);
    {
        let mut w = copy_in(
            &mut tx,
            "attributions",
            "id, uuid, claim_id, speaker, mode, created_at",
        );
        for i in 0..n {
            let (sp, _, _) = roles(i);
            w.write(&[
                &(first_attr + i as i64),
                &uuid::Uuid::now_v7(),
                &(first_claim + i as i64),
                &(first_source + sp as i64),
                &"paraphrase",
                &now_ns(),
            ])
            .unwrap();
        }
        w.finish().unwrap();
    }
    let first_ev = reserve(&mut tx, "evidence", 2 * n);
    {
        let mut w = copy_in(
            &mut tx,
            "evidence",
            "id, uuid, claim_id, source_id, stance, credibility, created_at",
        );
        for i in 0..n {
            let (_, ba, dou) = roles(i);
            for (k, (source, stance)) in [(ba, "supports"), (dou, "refutes")].into_iter().enumerate() {
                w.write(&[
                    &(first_ev + 2 * i as i64 + k as i64),
                    &uuid::Uuid::now_v7(),
                    &(first_claim + i as i64),
                    &(first_source + source as i64),
                    &stance,
                    &6_i64,
                    &now_ns(),
                ])
                .unwrap();
            }
        }
        w.finish().unwrap();
    }
    let rows = tx
        .prepare(
            "INSERT INTO history_batch_rows (entity_kind, first_row, last_row, batch, records, digest) \
             VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .unwrap();
    let n = n as i64;
    for (kind, first, records) in [
        ("source", first_source, SOURCES as i64),
        ("claim", first_claim, n),
        ("attribution", first_attr, n),
        ("evidence", first_ev, 2 * n),
    ] {
        if records > 0 {
            tx.execute(&rows, &[&kind, &first, &(first + records - 1), &batch, &records])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    let ids = Ids {
        sources: (0..SOURCES as i64).map(|s| first_source + s).collect(),
        first_claim,
    };
    (started.elapsed(), ids)
}

/// The prepared INSERTs of one claim with its attribution and evidence.
struct Inserts {
    claim: Statement,
    attribution: Statement,
    evidence: Statement,
}

impl Inserts {
    fn prepare(client: &mut Client) -> Inserts {
        Inserts {
            claim: client
                .prepare(
                    "INSERT INTO claims (uuid, text, language, kind, created_at, text_key_hash) \
                     VALUES ($1, $2, 'en', 'factual', $3, $4) RETURNING id",
                )
                .unwrap(),
            attribution: client
                .prepare(
                    "INSERT INTO attributions (uuid, claim_id, speaker, mode, created_at) \
                     VALUES ($1, $2, $3, 'paraphrase', $4)",
                )
                .unwrap(),
            evidence: client
                .prepare(
                    "INSERT INTO evidence (uuid, claim_id, source_id, stance, credibility, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .unwrap(),
        }
    }

    /// One claim, its attribution and two evidence, in one transaction.
    fn commit(
        &self,
        client: &mut Client,
        text: &str,
        (speaker, backer, doubter): (i64, i64, i64),
    ) -> Result<(), postgres::Error> {
        let mut tx = client.transaction()?;
        let t = now_ns();
        let key = claimtrack::name_key_hash(&claimtrack::name_key(text));
        let claim: i64 = tx
            .query_one(&self.claim, &[&uuid::Uuid::now_v7(), &text, &t, &key])?
            .get(0);
        tx.execute(&self.attribution, &[&uuid::Uuid::now_v7(), &claim, &speaker, &t])?;
        for (source, stance) in [(backer, "supports"), (doubter, "refutes")] {
            tx.execute(
                &self.evidence,
                &[&uuid::Uuid::now_v7(), &claim, &source, &stance, &6_i64, &t],
            )?;
        }
        tx.commit()
    }
}

/// The row ids of commit `i`'s speaker, backer and doubter.
fn role_ids(ids: &Ids, i: usize) -> (i64, i64, i64) {
    let (sp, ba, dou) = roles(i);
    (ids.sources[sp], ids.sources[ba], ids.sources[dou])
}

/// `SINGLE_COMMITS` claims, one transaction each, after a load of `n` (the SQLite run's texts and roles).
pub(crate) fn single_commits(client: &mut Client, ids: &Ids, n: usize, words: &Words) -> Duration {
    let inserts = Inserts::prepare(client);
    let mut rng = Rng(7);
    let started = Instant::now();
    for i in 0..SINGLE_COMMITS {
        let text = words.sentence(&mut rng);
        inserts.commit(client, &text, role_ids(ids, i + n)).unwrap();
    }
    started.elapsed()
}

/// The claims `evidence_summary` reads, as indexes into the load (the SQLite run's picks).
pub(crate) fn summary_picks(n: usize) -> Vec<usize> {
    let mut rng = Rng(99);
    (0..super::summaries()).map(|_| rng.below(n)).collect()
}

/// What a summary shows, by hand: each piece of evidence with its source's name, stance and grade, and who
/// said the claim; p50 and p99 in microseconds.
pub(crate) fn evidence_summary(client: &mut Client, ids: &Ids, n: usize) -> (f64, f64) {
    let evidence = client
        .prepare(
            "SELECT e.id, e.source_id, s.name, e.stance, e.credibility, e.created_at FROM evidence e \
             JOIN sources s ON s.id = e.source_id WHERE e.claim_id = $1 ORDER BY e.id",
        )
        .unwrap();
    let who = client
        .prepare(
            "SELECT a.speaker, s.name FROM attributions a LEFT JOIN sources s ON s.id = a.speaker \
             WHERE a.claim_id = $1 ORDER BY a.id",
        )
        .unwrap();
    let mut lat = Vec::new();
    for i in summary_picks(n) {
        let claim = ids.first_claim + i as i64;
        let t = Instant::now();
        let rows: Vec<(i64, i64, String, String, i64, i64)> = client
            .query(&evidence, &[&claim])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
            .collect();
        let speakers: Vec<(Option<i64>, Option<String>)> = client
            .query(&who, &[&claim])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        lat.push(t.elapsed());
        assert_eq!((rows.len(), speakers.len()), (2, 1));
    }
    p50_p99(&mut lat)
}

/// The full-text statements of the search and similar baselines, prepared once.
pub(crate) struct Queries {
    /// Each of `$1`'s terms' matches among claim texts, counted up to `$2`, in one round trip.
    dfs: Statement,
    /// The newest `$2` matches of all words with their text, and the newest claim's id.
    newest: Statement,
    /// Candidates for similar: the first `$2` matches of any of the words (`$1` a tsquery of ORs).
    any: Statement,
    /// Candidates for similar: the newest `$2` holding every word.
    all_newest: Statement,
}

impl Queries {
    pub(crate) fn prepare(client: &mut Client) -> Queries {
        let mut p = |sql: &str| client.prepare(sql).unwrap();
        Queries {
            dfs: p("SELECT (SELECT count(*) FROM (SELECT 1 FROM claims \
                        WHERE text_search @@ plainto_tsquery('simple', u.t) LIMIT $2) m)::bigint \
                    FROM unnest($1::text[]) WITH ORDINALITY AS u (t, i) ORDER BY u.i"),
            newest: p("SELECT id, text, (SELECT max(id) FROM claims) FROM claims \
                       WHERE text_search @@ plainto_tsquery('simple', $1) ORDER BY id DESC LIMIT $2"),
            any: p("SELECT id, text, (SELECT max(id) FROM claims) FROM claims \
                    WHERE text_search @@ to_tsquery('simple', $1) ORDER BY id LIMIT $2"),
            all_newest: p(
                "SELECT id, text FROM claims WHERE text_search @@ plainto_tsquery('simple', $1) \
                           ORDER BY id DESC LIMIT $2",
            ),
        }
    }

    fn capped_dfs(&self, client: &mut Client, terms: &[String]) -> Vec<i64> {
        client
            .query(&self.dfs, &[&terms, &(DF_CAP + 1)])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    }
}

/// Two-word search ranked like the library's SQLite ranking, on the tsvector index; returns the hits
/// (row id, text, score) and whether a common word was in the query.
fn search_one(client: &mut Client, q: &Queries, a: &str, b: &str) -> (Vec<(i64, String, f64)>, bool) {
    let terms: Vec<String> = if a == b {
        vec![a.to_string()]
    } else {
        vec![a.to_string(), b.to_string()]
    };
    let dfs = q.capped_dfs(client, &terms);
    if dfs.contains(&0) {
        return (Vec::new(), false);
    }
    let query = terms.join(" ");
    let common = dfs.iter().any(|d| *d > DF_CAP);
    // Every word uncommon: all matches (at most DF_CAP) read with their text; a common word: the newest
    // RANK_WINDOW. Both scored with BM25 here, as the library does on PostgreSQL (ts_rank has no IDF).
    let window = if common { RANK_WINDOW } else { DF_CAP };
    let rows: Vec<(i64, String, i64)> = client
        .query(&q.newest, &[&query, &window])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let size = rows.first().map_or(0, |r| r.2) as f64;
    let rows: Vec<(i64, String)> = rows.into_iter().map(|(id, text, _)| (id, text)).collect();
    let keys: Vec<&str> = terms.iter().map(String::as_str).collect();
    let ranked = bm25_rank(&rows, &dfs, &keys, size, false, 20);
    let hits = ranked
        .into_iter()
        .filter_map(|(id, s)| rows.iter().find(|r| r.0 == id).map(|r| (id, r.1.clone(), s)))
        .collect();
    (hits, common)
}

/// `queries` searched; p50, p99 (microseconds) and how many held a common word.
pub(crate) fn search(client: &mut Client, queries: &[(String, String)]) -> (f64, f64, usize) {
    let q = Queries::prepare(client);
    let mut lat = Vec::with_capacity(queries.len());
    let mut common = 0;
    for (a, b) in queries {
        let t = Instant::now();
        let (hits, had_common) = search_one(client, &q, a, b);
        lat.push(t.elapsed());
        common += usize::from(had_common);
        std::hint::black_box(hits);
    }
    let (p50, p99) = p50_p99(&mut lat);
    (p50, p99, common)
}

/// The texts of `SIMILAR_QUERIES` random claims of the load (the SQLite run's picks).
pub(crate) fn similar_texts(client: &mut Client, ids: &Ids, n: usize) -> Vec<String> {
    let mut rng = Rng(4321);
    let wanted: Vec<i64> = (0..SIMILAR_QUERIES)
        .map(|_| ids.first_claim + rng.below(n) as i64)
        .collect();
    let rows = client
        .query("SELECT id, text FROM claims WHERE id = ANY($1)", &[&wanted])
        .unwrap();
    wanted
        .iter()
        .map(|id| {
            rows.iter()
                .find(|r| r.get::<_, i64>(0) == *id)
                .map(|r| r.get(1))
                .unwrap()
        })
        .collect()
}

/// The candidates `similar_claims` re-scores, chosen as the library chooses them on SQLite: the uncommon
/// words OR-ed within a budget and ranked, or else the newest claims holding all the words.
fn similar_one(client: &mut Client, q: &Queries, text: &str) -> Vec<(i64, String)> {
    let terms = similar_terms(text);
    let mut dfs: Vec<(i64, String)> = q
        .capped_dfs(client, &terms)
        .into_iter()
        .zip(terms)
        .filter(|(df, _)| *df > 0)
        .collect();
    dfs.sort();
    let mut chosen = Vec::new();
    let (mut chosen_terms, mut chosen_dfs) = (Vec::new(), Vec::new());
    let mut total = 0;
    for (df, t) in &dfs {
        if *df > DF_CAP || total + df > OR_BUDGET {
            break;
        }
        total += df;
        // Terms are alphanumeric: quoted, each is one operand of the OR.
        chosen.push(format!("'{t}'"));
        chosen_terms.push(t.clone());
        chosen_dfs.push(*df);
    }
    if !chosen.is_empty() {
        // The uncommon words' matches (at most OR_BUDGET) with their text, scored with BM25 here.
        let rows: Vec<(i64, String, i64)> = client
            .query(&q.any, &[&chosen.join(" | "), &OR_BUDGET])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let size = rows.first().map_or(0, |r| r.2) as f64;
        let rows: Vec<(i64, String)> = rows.into_iter().map(|(id, text, _)| (id, text)).collect();
        let keys: Vec<&str> = chosen_terms.iter().map(String::as_str).collect();
        let top = usize::try_from(SIMILAR_CANDIDATES).unwrap_or(60);
        let ranked = bm25_rank(&rows, &chosen_dfs, &keys, size, false, top);
        return ranked
            .into_iter()
            .filter_map(|(id, _)| rows.iter().find(|r| r.0 == id).cloned())
            .collect();
    }
    let rows = if !dfs.is_empty() {
        let all: Vec<&str> = dfs.iter().map(|(_, t)| t.as_str()).collect();
        client
            .query(&q.all_newest, &[&all.join(" "), &SIMILAR_CANDIDATES])
            .unwrap()
    } else {
        Vec::new()
    };
    rows.iter().map(|r| (r.get(0), r.get(1))).collect()
}

/// `texts` given to the candidate query; p50 and p99 in microseconds.
pub(crate) fn similar(client: &mut Client, texts: &[String]) -> (f64, f64) {
    let q = Queries::prepare(client);
    let mut lat = Vec::with_capacity(texts.len());
    for text in texts {
        let t = Instant::now();
        let found = similar_one(client, &q, text);
        lat.push(t.elapsed());
        std::hint::black_box(found);
    }
    p50_p99(&mut lat)
}

/// `threads` writers, each with its own connection into `schema`, committing single claims.
pub(crate) fn concurrent_writers(
    schema: &BenchSchema,
    ids: &Ids,
    threads: usize,
    n: usize,
    words: &Words,
) -> (f64, usize) {
    concurrent(
        threads,
        || {
            let mut client = schema.connect();
            let inserts = Inserts::prepare(&mut client);
            (client, inserts)
        },
        |(client, inserts), k| {
            let text = words.sentence(&mut Rng(0x9e37_79b9_7f4a_7c15 ^ (k as u64 + 1)));
            inserts
                .commit(client, &text, role_ids(ids, n + SINGLE_COMMITS + k))
                .is_ok()
        },
    )
}
