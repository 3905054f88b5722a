-- claimtrack schema: bulk loads at SQLite's own speed (issue 5), measured in benches/throughput.rs.
-- Runs with foreign keys off (store/migrations.rs checks them all before committing), as SQLite's
-- procedure for rebuilding a table asks.
--
-- 1. One history entry per bulk load. A `Store::batch` used to write one `import` entry per record (plus
--    its per-claim index row): at 100,000 claims that was 400,000 entries and more than a third of the
--    load's time. Now a batch writes a single entry of kind 'batch' (who and when; its value is filled
--    in by readers) and, per table, the range of rowids it inserted, with how many records and the
--    wrapping sum of the 64-bit digests of their values as written (`history_batch_rows`), so
--    `verify_history` still finds a record changed behind the API. Inside one transaction SQLite gives
--    new rows rowid max + 1, so a batch's rows are exactly one contiguous range per table. A record's
--    creation is then: its own insert/import/baseline entry if it has one, else the newest batch whose
--    range holds its rowid. When such a record first changes through the API, its entry names the batch
--    (`batch`), so the record can be traced to it even after the row is gone.
-- 2. No INSERT triggers at all. Any INSERT trigger makes SQLite keep a statement journal for every INSERT
--    inside a transaction (a copy of each page the statement touches); that more than doubled the cost
--    of indexing claim text. The store layer writes the full-text rows itself, right after each row
--    (store/search.rs), and skips empty documents (a NULL quote or excerpt has no words to find). Update
--    and delete triggers stay: they cost nothing on insert.
-- 3. No `IN (...)` list in a CHECK of a table written in bulk: SQLite evaluates `x IN ('a', 'b', 'c')`
--    against an ephemeral b-tree it builds for every row (0001 explains; 0003 had reintroduced them in
--    the evidence and review `status` columns and in `history`). `evidence` and `reviews` are rebuilt
--    with `OR` chains, and their status rule (a reason and time exactly when not current, a successor
--    exactly when superseded), which triggers enforced on insert and update, becomes two table CHECKs.
--
-- SQLite cannot alter a CHECK constraint, so the tables are rebuilt with their rows (ids kept): `history`
-- (and `history_claims` with it, as in 0004), `evidence` and `reviews`.

CREATE TABLE history_new (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor        TEXT    NOT NULL CHECK (length(actor) > 0),
    entity_kind  TEXT    NOT NULL CHECK (entity_kind = 'source' OR entity_kind = 'publication' OR
                                         entity_kind = 'claim' OR entity_kind = 'attribution' OR
                                         entity_kind = 'evidence' OR entity_kind = 'claim_link' OR
                                         entity_kind = 'review' OR entity_kind = 'batch'),
    entity       BLOB    NOT NULL CHECK (length(entity) = 16),
    operation    TEXT    NOT NULL CHECK (operation = 'baseline' OR operation = 'insert' OR
                                         operation = 'update' OR operation = 'delete' OR
                                         operation = 'import' OR operation = 'supersede' OR
                                         operation = 'retract'),
    before       TEXT    CHECK (before IS NULL OR json_valid(before)),
    after        TEXT    CHECK (after IS NULL OR json_valid(after)),
    reason       TEXT,
    after_digest INTEGER CHECK (after_digest IS NULL OR (operation = 'import' AND before IS NULL
                                                         AND after IS NULL)),
    batch        INTEGER REFERENCES history_new (id)
                         CHECK (batch IS NULL OR (before IS NOT NULL AND entity_kind <> 'batch')),
    CHECK (before IS NOT NULL OR after IS NOT NULL OR after_digest IS NOT NULL),
    CHECK (entity_kind <> 'batch' OR (operation = 'import' AND before IS NULL AND after IS NOT NULL))
) STRICT;
INSERT INTO history_new (id, at, actor, entity_kind, entity, operation, before, after, reason, after_digest)
    SELECT id, at, actor, entity_kind, entity, operation, before, after, reason, after_digest
    FROM history ORDER BY id;

CREATE TABLE history_claims_new (
    history_id INTEGER NOT NULL REFERENCES history_new (id),
    claim      BLOB    NOT NULL CHECK (length(claim) = 16),
    PRIMARY KEY (claim, history_id)
) STRICT, WITHOUT ROWID;
INSERT INTO history_claims_new (history_id, claim) SELECT history_id, claim FROM history_claims;

DROP TABLE history_claims;
DROP TABLE history;
ALTER TABLE history_new RENAME TO history;
ALTER TABLE history_claims_new RENAME TO history_claims;

CREATE INDEX history_entity ON history (entity);
CREATE INDEX history_actor ON history (actor);
CREATE INDEX history_batch ON history (batch) WHERE batch IS NOT NULL;

-- The rows each batch inserted: rowids first_row..=last_row of the table of `entity_kind`, how many
-- records it wrote there, and the wrapping sum of their values' 64-bit digests (FNV-1a of the record's
-- JSON, as history values are written), written when the batch ends.
CREATE TABLE history_batch_rows (
    entity_kind TEXT    NOT NULL CHECK (entity_kind = 'source' OR entity_kind = 'publication' OR
                                        entity_kind = 'claim' OR entity_kind = 'attribution' OR
                                        entity_kind = 'evidence' OR entity_kind = 'claim_link' OR
                                        entity_kind = 'review'),
    first_row   INTEGER NOT NULL,
    last_row    INTEGER NOT NULL CHECK (last_row >= first_row),
    batch       INTEGER NOT NULL REFERENCES history (id),
    records     INTEGER NOT NULL CHECK (records > 0),
    digest      INTEGER NOT NULL,
    PRIMARY KEY (entity_kind, first_row, batch)
) STRICT, WITHOUT ROWID;
CREATE INDEX history_batch_rows_batch ON history_batch_rows (batch);

CREATE TRIGGER history_no_update BEFORE UPDATE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: UPDATE refused');
END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: DELETE refused');
END;
CREATE TRIGGER history_claims_no_update BEFORE UPDATE ON history_claims
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: UPDATE refused');
END;
CREATE TRIGGER history_claims_no_delete BEFORE DELETE ON history_claims
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: DELETE refused');
END;
CREATE TRIGGER history_batch_rows_no_update BEFORE UPDATE ON history_batch_rows
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: UPDATE refused');
END;
CREATE TRIGGER history_batch_rows_no_delete BEFORE DELETE ON history_batch_rows
BEGIN
    SELECT RAISE(ABORT, 'history is append-only: DELETE refused');
END;

-- Full-text search: the store writes index rows; no INSERT trigger (see 2. above).
DROP TRIGGER claims_fts_insert;
DROP TRIGGER attributions_fts_insert;
DROP TRIGGER attributions_fts_delete;
DROP TRIGGER attributions_fts_update;

-- Evidence and reviews, rebuilt (see 3. above); DROP TABLE takes their indexes and triggers with it.
CREATE TABLE evidence_new (
    id            INTEGER PRIMARY KEY,
    uuid          BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    claim_id      INTEGER NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    source_id     INTEGER NOT NULL REFERENCES sources (id) ON DELETE RESTRICT,
    stance        TEXT    NOT NULL CHECK (stance = 'supports' OR stance = 'refutes' OR stance = 'mixed' OR
                                          stance = 'neutral'),
    credibility   INTEGER NOT NULL DEFAULT 6 CHECK (credibility BETWEEN 1 AND 6),
    excerpt       TEXT,
    publication   INTEGER REFERENCES publications (id) ON DELETE RESTRICT,
    as_of         TEXT,
    created_at    INTEGER NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'current' CHECK (status = 'current' OR status = 'superseded' OR
                                                            status = 'retracted'),
    replaced_by   INTEGER REFERENCES evidence (id) ON DELETE RESTRICT,
    status_reason TEXT,
    status_at     INTEGER,
    CHECK ((status = 'current') = (status_reason IS NULL OR status_at IS NULL)),
    CHECK ((status = 'superseded') = (replaced_by IS NOT NULL))
) STRICT;
INSERT INTO evidence_new (id, uuid, claim_id, source_id, stance, credibility, excerpt, publication, as_of,
                          created_at, status, replaced_by, status_reason, status_at)
    SELECT id, uuid, claim_id, source_id, stance, credibility, excerpt, publication, as_of, created_at,
           status, replaced_by, status_reason, status_at
    FROM evidence ORDER BY id;
DROP TABLE evidence;
ALTER TABLE evidence_new RENAME TO evidence;
CREATE INDEX evidence_claim ON evidence (claim_id);
CREATE INDEX evidence_source ON evidence (source_id);
CREATE INDEX evidence_publication ON evidence (publication) WHERE publication IS NOT NULL;
CREATE INDEX evidence_replaced_by ON evidence (replaced_by) WHERE replaced_by IS NOT NULL;

CREATE TABLE reviews_new (
    id            INTEGER PRIMARY KEY,
    uuid          BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    claim_id      INTEGER NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    verdict       TEXT    NOT NULL CHECK (verdict = 'false' OR verdict = 'mostly_false' OR verdict = 'mixed' OR
                                          verdict = 'mostly_true' OR verdict = 'true' OR
                                          verdict = 'unverifiable'),
    label         TEXT,
    rating_value  REAL,
    rating_best   REAL,
    rating_worst  REAL,
    rating_name   TEXT,
    rationale     TEXT,
    reviewer      INTEGER REFERENCES sources (id) ON DELETE RESTRICT,
    reviewed_on   TEXT,
    url           TEXT,
    created_at    INTEGER NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'current' CHECK (status = 'current' OR status = 'superseded' OR
                                                            status = 'retracted'),
    replaced_by   INTEGER REFERENCES reviews (id) ON DELETE RESTRICT,
    status_reason TEXT,
    status_at     INTEGER,
    CHECK ((rating_value IS NULL) = (rating_best IS NULL) AND (rating_best IS NULL) = (rating_worst IS NULL)),
    CHECK (rating_name IS NULL OR rating_value IS NOT NULL),
    CHECK ((status = 'current') = (status_reason IS NULL OR status_at IS NULL)),
    CHECK ((status = 'superseded') = (replaced_by IS NOT NULL))
) STRICT;
INSERT INTO reviews_new (id, uuid, claim_id, verdict, label, rating_value, rating_best, rating_worst,
                         rating_name, rationale, reviewer, reviewed_on, url, created_at, status, replaced_by,
                         status_reason, status_at)
    SELECT id, uuid, claim_id, verdict, label, rating_value, rating_best, rating_worst, rating_name,
           rationale, reviewer, reviewed_on, url, created_at, status, replaced_by, status_reason, status_at
    FROM reviews ORDER BY id;
DROP TABLE reviews;
ALTER TABLE reviews_new RENAME TO reviews;
CREATE INDEX reviews_claim ON reviews (claim_id);
CREATE INDEX reviews_reviewer ON reviews (reviewer) WHERE reviewer IS NOT NULL;
CREATE INDEX reviews_replaced_by ON reviews (replaced_by) WHERE replaced_by IS NOT NULL;
-- Importers recognise a fact-check they imported before by its URL (store/lookup.rs).
CREATE INDEX reviews_url ON reviews (url) WHERE url IS NOT NULL;

-- Quotes and excerpts: only non-empty documents are indexed, so the delete and update triggers touch the
-- index only for those, and both indexes are rebuilt without the empty documents 0002 wrote.
-- `columnsize=0`: no per-row size table, which FTS5's integrity check would otherwise expect to hold a
-- row for every row of the content table, empty ones included. BM25 then measures a matched row's length
-- from its text; the library scores at most a bounded number of rows per query (store/search.rs).
DROP TABLE attributions_fts;
CREATE VIRTUAL TABLE attributions_fts USING fts5 (
    quote,
    content = 'attributions', content_rowid = 'id', columnsize = 0,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO attributions_fts (rowid, quote) SELECT id, quote FROM attributions WHERE quote IS NOT NULL;
DROP TABLE evidence_fts;
CREATE VIRTUAL TABLE evidence_fts USING fts5 (
    excerpt,
    content = 'evidence', content_rowid = 'id', columnsize = 0,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO evidence_fts (rowid, excerpt) SELECT id, excerpt FROM evidence WHERE excerpt IS NOT NULL;

-- One update trigger per table, its two steps in order (SQLite runs separate triggers newest first).
CREATE TRIGGER attributions_fts_delete AFTER DELETE ON attributions WHEN old.quote IS NOT NULL BEGIN
    INSERT INTO attributions_fts (attributions_fts, rowid, quote) VALUES ('delete', old.id, old.quote);
END;
CREATE TRIGGER attributions_fts_update AFTER UPDATE OF quote ON attributions
    WHEN old.quote IS NOT new.quote BEGIN
    INSERT INTO attributions_fts (attributions_fts, rowid, quote)
        SELECT 'delete', old.id, old.quote WHERE old.quote IS NOT NULL;
    INSERT INTO attributions_fts (rowid, quote) SELECT new.id, new.quote WHERE new.quote IS NOT NULL;
END;
CREATE TRIGGER evidence_fts_delete AFTER DELETE ON evidence WHEN old.excerpt IS NOT NULL BEGIN
    INSERT INTO evidence_fts (evidence_fts, rowid, excerpt) VALUES ('delete', old.id, old.excerpt);
END;
CREATE TRIGGER evidence_fts_update AFTER UPDATE OF excerpt ON evidence
    WHEN old.excerpt IS NOT new.excerpt BEGIN
    INSERT INTO evidence_fts (evidence_fts, rowid, excerpt)
        SELECT 'delete', old.id, old.excerpt WHERE old.excerpt IS NOT NULL;
    INSERT INTO evidence_fts (rowid, excerpt) SELECT new.id, new.excerpt WHERE new.excerpt IS NOT NULL;
END;
