-- claimtrack schema: the history of every change, and versioned evidence and reviews.
--
-- `history` is append-only: one row per change made through the API (who, when, which entity, which
-- operation, the entity's value before and after as JSON). Triggers refuse UPDATE and DELETE on it even
-- from hand-typed SQL. `history_claims` indexes each row under every claim its before/after values
-- mention, so a claim's full record (its attributions, evidence, reviews and links too) is one lookup.
--
-- Evidence and reviews are never overwritten: a changed stance or verdict is a new row, and the old one
-- gets `status` 'superseded' (with `replaced_by`) or, for a withdrawn record, 'retracted', always with a
-- reason, as Wikidata deprecates a statement instead of deleting it.

CREATE TABLE history (
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
    CHECK (before IS NOT NULL OR after IS NOT NULL)
) STRICT;
CREATE INDEX history_entity ON history (entity);
CREATE INDEX history_actor ON history (actor);

CREATE TABLE history_claims (
    history_id INTEGER NOT NULL REFERENCES history (id),
    claim      BLOB    NOT NULL CHECK (length(claim) = 16),
    PRIMARY KEY (claim, history_id)
) STRICT, WITHOUT ROWID;

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

ALTER TABLE evidence ADD COLUMN status TEXT NOT NULL DEFAULT 'current'
    CHECK (status IN ('current', 'superseded', 'retracted'));
ALTER TABLE evidence ADD COLUMN replaced_by INTEGER REFERENCES evidence (id) ON DELETE RESTRICT;
ALTER TABLE evidence ADD COLUMN status_reason TEXT;
ALTER TABLE evidence ADD COLUMN status_at INTEGER;
CREATE INDEX evidence_replaced_by ON evidence (replaced_by) WHERE replaced_by IS NOT NULL;

ALTER TABLE reviews ADD COLUMN status TEXT NOT NULL DEFAULT 'current'
    CHECK (status IN ('current', 'superseded', 'retracted'));
ALTER TABLE reviews ADD COLUMN replaced_by INTEGER REFERENCES reviews (id) ON DELETE RESTRICT;
ALTER TABLE reviews ADD COLUMN status_reason TEXT;
ALTER TABLE reviews ADD COLUMN status_at INTEGER;
CREATE INDEX reviews_replaced_by ON reviews (replaced_by) WHERE replaced_by IS NOT NULL;

-- A status other than 'current' always carries its reason and time; only 'superseded' names a successor.
CREATE TRIGGER evidence_status_check BEFORE UPDATE OF status, replaced_by, status_reason, status_at ON evidence
WHEN (NEW.status = 'current') <> (NEW.status_reason IS NULL OR NEW.status_at IS NULL)
  OR (NEW.status = 'superseded') <> (NEW.replaced_by IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'evidence status needs a reason and time, and a successor exactly when superseded');
END;
CREATE TRIGGER reviews_status_check BEFORE UPDATE OF status, replaced_by, status_reason, status_at ON reviews
WHEN (NEW.status = 'current') <> (NEW.status_reason IS NULL OR NEW.status_at IS NULL)
  OR (NEW.status = 'superseded') <> (NEW.replaced_by IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'review status needs a reason and time, and a successor exactly when superseded');
END;
CREATE TRIGGER evidence_status_insert_check BEFORE INSERT ON evidence
WHEN (NEW.status = 'current') <> (NEW.status_reason IS NULL OR NEW.status_at IS NULL)
  OR (NEW.status = 'superseded') <> (NEW.replaced_by IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'evidence status needs a reason and time, and a successor exactly when superseded');
END;
CREATE TRIGGER reviews_status_insert_check BEFORE INSERT ON reviews
WHEN (NEW.status = 'current') <> (NEW.status_reason IS NULL OR NEW.status_at IS NULL)
  OR (NEW.status = 'superseded') <> (NEW.replaced_by IS NOT NULL)
BEGIN
    SELECT RAISE(ABORT, 'review status needs a reason and time, and a successor exactly when superseded');
END;
