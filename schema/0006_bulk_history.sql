-- claimtrack schema: bulk loads at SQLite's own speed (issue 5), measured in benches/throughput.rs.
--
-- 1. One history entry per bulk load. A `Store::batch` used to write one `import` entry per record (plus
--    its per-claim index row): at 100,000 claims that was 400,000 entries and more than a third of the
--    load's time. Now a batch writes a single entry of kind 'batch' (who and when; its value is filled
--    in by readers) and, per table, the range of rowids it inserted, with how many records and the
--    wrapping sum of the 64-bit digests of their JSON values as written (`history_batch_rows`), so
--    `verify_history` still finds a record changed behind the API. Inside one transaction SQLite gives new rows
--    rowid max + 1, so a batch's rows are exactly one contiguous range per table. A record's creation
--    is then: its own insert/import/baseline entry if it has one, else the newest batch whose range holds
--    its rowid. When such a record first changes through the API, its entry names the batch (`batch`),
--    so the record can be traced to it even after the row is gone.
-- 2. No INSERT triggers on claims, attributions and evidence (nor reviews). Any INSERT trigger makes SQLite
--    keep a statement journal for every INSERT inside a transaction (a copy of each page the statement
--    touches); that more than doubled the cost of indexing claim text. The store layer now writes the
--    full-text rows itself, in the same statement sequence as the row (store/search.rs), and skips the
--    empty documents (a NULL quote or excerpt has no words to find). The status rule the two
--    `*_status_insert_check` triggers enforced on insert is checked by the model before any write, and
--    `Store::check` reports a row that breaks it. Update and delete triggers stay: they cost nothing on
--    insert.
--
-- SQLite cannot alter a CHECK constraint, so `history` is rebuilt with its rows (ids kept), and
-- `history_claims` with it, as in 0004.

CREATE TABLE history_new (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor        TEXT    NOT NULL CHECK (length(actor) > 0),
    entity_kind  TEXT    NOT NULL CHECK (entity_kind IN ('source', 'publication', 'claim', 'attribution',
                                                         'evidence', 'claim_link', 'review', 'batch')),
    entity       BLOB    NOT NULL CHECK (length(entity) = 16),
    operation    TEXT    NOT NULL CHECK (operation IN ('baseline', 'insert', 'update', 'delete', 'import',
                                                       'supersede', 'retract')),
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
    entity_kind TEXT    NOT NULL CHECK (entity_kind IN ('source', 'publication', 'claim', 'attribution',
                                                        'evidence', 'claim_link', 'review')),
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

DROP TRIGGER claims_fts_insert;
DROP TRIGGER attributions_fts_insert;
DROP TRIGGER evidence_fts_insert;
DROP TRIGGER evidence_status_insert_check;
DROP TRIGGER reviews_status_insert_check;

-- Quotes and excerpts: only non-empty documents are indexed, so the delete and update triggers touch the
-- index only for those, and the two indexes are rebuilt without the empty documents 0002 wrote.
DROP TRIGGER attributions_fts_delete;
DROP TRIGGER attributions_fts_update;
DROP TRIGGER evidence_fts_delete;
DROP TRIGGER evidence_fts_update;
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
