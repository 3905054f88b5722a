-- claimtrack schema: compact history entries for records written by a bulk load.
--
-- A record written by `Store::batch` gets an `import` entry that stores no JSON copy of the record: the
-- record's value is the row itself until it first changes, and the entry of that first change holds the
-- full value before. Instead of `after`, such an entry keeps `after_digest`, a 64-bit FNV-1a digest of the
-- JSON text the value after would have held, so `verify_history` still finds a record changed behind the
-- API. Readers present the value after of such an entry from the next entry's value before, or from the
-- current row when it is the last entry (and only when it matches the digest).
--
-- SQLite cannot alter a CHECK constraint, so `history` is rebuilt with its rows, and `history_claims`
-- (which references it) with it; their indexes and append-only triggers are re-created. Ids are kept.

CREATE TABLE history_new (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor        TEXT    NOT NULL CHECK (length(actor) > 0),
    entity_kind  TEXT    NOT NULL CHECK (entity_kind IN ('source', 'publication', 'claim', 'attribution',
                                                         'evidence', 'claim_link', 'review')),
    entity       BLOB    NOT NULL CHECK (length(entity) = 16),
    operation    TEXT    NOT NULL CHECK (operation IN ('baseline', 'insert', 'update', 'delete', 'import',
                                                       'supersede', 'retract')),
    before       TEXT    CHECK (before IS NULL OR json_valid(before)),
    after        TEXT    CHECK (after IS NULL OR json_valid(after)),
    reason       TEXT,
    after_digest INTEGER CHECK (after_digest IS NULL OR (operation = 'import' AND before IS NULL
                                                         AND after IS NULL)),
    CHECK (before IS NOT NULL OR after IS NOT NULL OR after_digest IS NOT NULL)
) STRICT;
INSERT INTO history_new (id, at, actor, entity_kind, entity, operation, before, after, reason)
    SELECT id, at, actor, entity_kind, entity, operation, before, after, reason FROM history ORDER BY id;

CREATE TABLE history_claims_new (
    history_id INTEGER NOT NULL REFERENCES history_new (id),
    claim      BLOB    NOT NULL CHECK (length(claim) = 16),
    PRIMARY KEY (claim, history_id)
) STRICT, WITHOUT ROWID;
INSERT INTO history_claims_new (history_id, claim) SELECT history_id, claim FROM history_claims;

-- Children first, so dropping `history` breaks no foreign key; the renames below rewrite the reference.
DROP TABLE history_claims;
DROP TABLE history;
ALTER TABLE history_new RENAME TO history;
ALTER TABLE history_claims_new RENAME TO history_claims;

CREATE INDEX history_entity ON history (entity);
CREATE INDEX history_actor ON history (actor);

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
