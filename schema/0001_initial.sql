-- claimtrack schema, version 1: the whole schema, read top to bottom.
--
-- Before the first release the six migrations of the first weeks (0001..0006) were squashed into this one
-- file: no database outside the repository's own fixtures was ever written with them. Later changes are
-- small, additive, numbered migrations after this one.
--
-- Keys: every entity has an INTEGER rowid primary key (compact B-tree, small foreign keys) and its public
-- UUID in a UNIQUE 16-byte BLOB column. Foreign keys reference rowids.
-- Dates a source gave ("2025-06", "2025-07-13") are reduced-precision ISO 8601 TEXT; record timestamps
-- (created_at, at, status_at) are INTEGER unix nanoseconds, UTC.
-- Every enum column has a CHECK, so hand-typed SQL cannot write a value the library would not read back.
-- The CHECKs are written `x = 'a' OR x = 'b' OR …`, not `x IN ('a', 'b', …)`: SQLite builds an ephemeral
-- table for an IN list of three or more values on every row inserted, which made bulk loads ~2x slower
-- (measured in benches/throughput.rs).
--
-- Full-text search: three external-content FTS5 tables (claim text, attribution quotes, evidence
-- excerpts). The text is not copied; FTS5 reads it back from the real table by rowid when a snippet is
-- asked for. Tokenizer: unicode61 (words of any script), diacritics folded, English words reduced to their
-- stem by the Porter stemmer ("troops" finds "troop"). There are no INSERT triggers: any INSERT trigger
-- makes SQLite keep a statement journal for every INSERT inside a transaction, which more than doubled the
-- cost of a bulk load; the store writes the index rows itself right after each row (store/search.rs) and
-- `Store::check` compares each index with its table. UPDATE and DELETE triggers keep the indexes in step:
-- they cost nothing on insert.

-- Marks the file as claimtrack's (PRAGMA application_id, bytes 68-71 of the header: "ClTk"), so that
-- Store::open can refuse another application's SQLite file instead of creating its tables in it (issue 11).
PRAGMA application_id = 1131172971;

-- Sources: people, agencies, outlets, bodies; an affiliation tree through `part_of`.
CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    name        TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    name_key    TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind = 'person' OR kind = 'news_agency' OR kind = 'outlet' OR
                                        kind = 'government_body' OR kind = 'intelligence_service' OR
                                        kind = 'organisation' OR kind = 'collective' OR kind = 'document' OR
                                        -- Real claimants: a website, a platform account, or unknowable.
                                        kind = 'website' OR kind = 'platform_account' OR kind = 'unknown'),
    country     TEXT    CHECK (country IS NULL OR (length(country) = 2 AND country GLOB '[A-Z][A-Z]')),
    part_of     INTEGER REFERENCES sources (id) ON DELETE RESTRICT CHECK (part_of IS NULL OR part_of <> id),
    affiliation TEXT    NOT NULL DEFAULT 'part_of' CHECK (affiliation IN ('part_of', 'controlled_by')),
    reliability TEXT    NOT NULL DEFAULT 'F' CHECK (reliability = 'A' OR reliability = 'B' OR
                                                    reliability = 'C' OR reliability = 'D' OR
                                                    reliability = 'E' OR reliability = 'F'),
    notes       TEXT,
    created_at  INTEGER NOT NULL
) STRICT;
-- Lookup by name, case-insensitively (`name_key` is the folded name).
CREATE INDEX sources_name_key ON sources (name_key);
CREATE INDEX sources_part_of ON sources (part_of) WHERE part_of IS NOT NULL;

-- A source's aliases, in the order given; looked up by their folded key like names.
CREATE TABLE source_aliases (
    source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 0),
    alias     TEXT    NOT NULL CHECK (length(trim(alias)) > 0),
    alias_key TEXT    NOT NULL,
    PRIMARY KEY (source_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX source_aliases_key ON source_aliases (alias_key);

-- Publications: where claims appear.
CREATE TABLE publications (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    -- A publication is often known only by its link: a title, a URL, or both (table CHECK below).
    title       TEXT    CHECK (title IS NULL OR length(trim(title)) > 0),
    -- The original address; a web archive copy of it goes in archive_url, so archived links keep their site.
    url         TEXT,
    archive_url TEXT,
    publisher   INTEGER REFERENCES sources (id) ON DELETE RESTRICT,
    published   TEXT,
    retrieved   TEXT,
    language    TEXT,
    created_at  INTEGER NOT NULL,
    CHECK (title IS NOT NULL OR url IS NOT NULL OR archive_url IS NOT NULL)
) STRICT;
CREATE INDEX publications_publisher ON publications (publisher) WHERE publisher IS NOT NULL;
-- Store::find_publication_by_url: importers look a link up before adding it.
CREATE INDEX publications_url ON publications (url) WHERE url IS NOT NULL;
CREATE INDEX publications_archive_url ON publications (archive_url) WHERE archive_url IS NOT NULL;

-- Claims.
CREATE TABLE claims (
    id         INTEGER PRIMARY KEY,
    uuid       BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    text       TEXT    NOT NULL CHECK (length(trim(text)) > 0),
    language   TEXT,
    kind       TEXT    NOT NULL CHECK (kind = 'factual' OR kind = 'opinion' OR kind = 'prediction' OR
                                       kind = 'pledge'),
    about      TEXT,
    -- When the claim was made (claimDate), as against the time it is about.
    made_on    TEXT,
    created_at INTEGER NOT NULL,
    -- The 64-bit hash of the text's name key (src/model/text.rs: `name_key`, NFKC, case folded, format
    -- characters dropped, spacing collapsed; `name_key_hash`), so "has this been checked already?" finds
    -- an exact repeat by one lookup in `claim_text_keys` below, however many claims share its words
    -- (issue 12); the lookup keeps the claims whose text has the key. A hash, not the key: the key
    -- doubled each claim's text in the table. Written by the store with every text; a row written
    -- behind the API has none until `claimtrack reindex`, and `check` reports it with the search
    -- indexes.
    text_key_hash INTEGER
) STRICT;
-- The exact-repeat lookup: (hash, claim rowid) of every claim with a text key hash, in a table of its
-- own instead of an index on `claims (text_key_hash)`. The hashes arrive in random order, and at a
-- million claims such an index outgrew the page cache in a bulk load: each entry cost a page read and,
-- as the cache spilled, a page written to the WAL again (about an eighth of the load's time;
-- docs/performance.md). In a table of its own a batch can write it in order: `Store::batch` marks where
-- the claims ended when it began (the connection's TEMP table `claimtrack_text_keys_through`, undone with
-- the batch or its savepoint) and copies the pairs of the claims past the mark here, sorted, every
-- 131,072 claims and before its commit; the lookup also reads the claims past the mark
-- (store/text_keys.rs). A single write inserts its pair at once. No foreign key: deleting a
-- claim would then search this table by claim, which has no index; the triggers below keep it in step
-- with the column instead, `check` compares the two and `reindex` rebuilds it. PostgreSQL, whose bulk
-- path is COPY, keeps an index on the column.
CREATE TABLE claim_text_keys (
    hash  INTEGER NOT NULL,
    claim INTEGER NOT NULL,
    PRIMARY KEY (hash, claim)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER claims_text_key_delete AFTER DELETE ON claims WHEN old.text_key_hash IS NOT NULL BEGIN
    DELETE FROM claim_text_keys WHERE hash = old.text_key_hash AND claim = old.id;
END;
CREATE TRIGGER claims_text_key_update AFTER UPDATE OF text_key_hash ON claims
    WHEN old.text_key_hash IS NOT new.text_key_hash BEGIN
    DELETE FROM claim_text_keys WHERE hash = old.text_key_hash AND claim = old.id;
    INSERT OR IGNORE INTO claim_text_keys (hash, claim)
        SELECT new.text_key_hash, new.id WHERE new.text_key_hash IS NOT NULL;
END;
-- The kind of the claims that are not factual statements, for the evidence summary
-- (`Store::evidence_summary`), the hot path of a desk's screen: the summary maps the public id to the
-- rowid (the UNIQUE index on `uuid` holds both) and needs the kind, which it finds here, 'factual' when
-- the claim is not here, without visiting the claim's row (it holds the text and is rarely in cache:
-- reading it cost the summary 12 %, docs/performance.md). Partial, because most claims are factual: a
-- full index on (uuid, kind) cost a bulk load of a million claims a write per claim for what this
-- holds in a few pages. The summary names it with `INDEXED BY`.
CREATE INDEX claims_kind_not_factual ON claims (uuid, kind) WHERE kind <> 'factual';

-- Claim text search. Every claim has text, so every claim has an index row (written by the store).
CREATE VIRTUAL TABLE claims_fts USING fts5 (
    text,
    content = 'claims', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN
    INSERT INTO claims_fts (claims_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER claims_fts_update AFTER UPDATE OF text ON claims WHEN old.text IS NOT new.text BEGIN
    INSERT INTO claims_fts (claims_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO claims_fts (rowid, text) VALUES (new.id, new.text);
END;

-- A claim's structured figures, in the order given.
CREATE TABLE claim_quantities (
    claim_id INTEGER NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    value    REAL    NOT NULL,
    unit     TEXT    NOT NULL CHECK (length(trim(unit)) > 0),
    bound    TEXT    NOT NULL CHECK (bound = 'exact' OR bound = 'about' OR bound = 'at_least' OR
                                     bound = 'more_than' OR bound = 'at_most' OR bound = 'less_than'),
    subject  TEXT,
    PRIMARY KEY (claim_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX claim_quantities_unit ON claim_quantities (unit);
-- Figures are compared by unit ignoring case and surrounding spaces; this index finds same-unit figures.
CREATE INDEX claim_quantities_unit_key ON claim_quantities (lower(trim(unit)));

-- A claim's tags, in the order given, each at most once.
CREATE TABLE claim_tags (
    claim_id INTEGER NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    tag      TEXT    NOT NULL CHECK (length(trim(tag)) > 0),
    PRIMARY KEY (claim_id, position),
    UNIQUE (claim_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX claim_tags_tag ON claim_tags (tag);

-- Attributions: a claim said by a speaker (relayed by attribution_relays) in a publication; a claim the
-- publication makes in its own voice has no speaker, so one of the two is required.
CREATE TABLE attributions (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    claim_id    INTEGER NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    speaker     INTEGER REFERENCES sources (id) ON DELETE RESTRICT,
    publication INTEGER REFERENCES publications (id) ON DELETE RESTRICT,
    mode        TEXT    NOT NULL CHECK (mode = 'direct_quote' OR mode = 'paraphrase' OR
                                        mode = 'translation' OR mode = 'summary'),
    quote       TEXT,
    said_on     TEXT,
    created_at  INTEGER NOT NULL,
    CHECK (speaker IS NOT NULL OR publication IS NOT NULL)
) STRICT;
CREATE INDEX attributions_claim ON attributions (claim_id);
CREATE INDEX attributions_speaker ON attributions (speaker) WHERE speaker IS NOT NULL;
CREATE INDEX attributions_publication ON attributions (publication) WHERE publication IS NOT NULL;

-- Quote search. Only non-empty documents are indexed (a NULL quote has no words to find), so the triggers
-- touch the index only for those. `columnsize=0`: no per-row size table, which FTS5's integrity check would
-- otherwise expect to hold a row for every row of the content table, empty ones included; BM25 then
-- measures a matched row's length from its text, and the library scores at most a bounded number of rows
-- per query (store/search.rs). One update trigger per table, its two steps in order (SQLite runs separate
-- triggers newest first).
CREATE VIRTUAL TABLE attributions_fts USING fts5 (
    quote,
    content = 'attributions', content_rowid = 'id', columnsize = 0,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER attributions_fts_delete AFTER DELETE ON attributions WHEN old.quote IS NOT NULL BEGIN
    INSERT INTO attributions_fts (attributions_fts, rowid, quote) VALUES ('delete', old.id, old.quote);
END;
CREATE TRIGGER attributions_fts_update AFTER UPDATE OF quote ON attributions
    WHEN old.quote IS NOT new.quote BEGIN
    INSERT INTO attributions_fts (attributions_fts, rowid, quote)
        SELECT 'delete', old.id, old.quote WHERE old.quote IS NOT NULL;
    INSERT INTO attributions_fts (rowid, quote) SELECT new.id, new.quote WHERE new.quote IS NOT NULL;
END;

-- The ordered relays of an attribution (speaker -> relay 0 -> relay 1 -> … -> publication).
CREATE TABLE attribution_relays (
    attribution_id INTEGER NOT NULL REFERENCES attributions (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL CHECK (position >= 0),
    source_id      INTEGER NOT NULL REFERENCES sources (id) ON DELETE RESTRICT,
    mode           TEXT    NOT NULL CHECK (mode = 'direct_quote' OR mode = 'paraphrase' OR
                                           mode = 'translation' OR mode = 'summary'),
    PRIMARY KEY (attribution_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX attribution_relays_source ON attribution_relays (source_id);

-- Evidence: a source's stance on a claim. Never overwritten: a changed stance is a new row, and the old
-- one gets `status` 'superseded' (with `replaced_by`) or, when withdrawn, 'retracted', always with a reason
-- and time, as Wikidata deprecates a statement instead of deleting it. The status rule (a reason and time
-- exactly when not current, a successor exactly when superseded) is two table CHECKs, so raw SQL cannot
-- break it either.
CREATE TABLE evidence (
    id            INTEGER PRIMARY KEY,
    uuid          BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    claim_id      INTEGER NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    -- NULL only for the answer to a question found in no source (CHECK below); it never counts.
    source_id     INTEGER REFERENCES sources (id) ON DELETE RESTRICT,
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
    -- The question the record answers (the answer is the excerpt) and how the answer was obtained.
    question      TEXT,
    answer_type   TEXT    CHECK (answer_type IS NULL OR answer_type = 'extractive' OR
                                 answer_type = 'abstractive' OR answer_type = 'boolean' OR
                                 answer_type = 'unanswerable'),
    CHECK (source_id IS NOT NULL OR question IS NOT NULL),
    CHECK (answer_type IS NULL OR question IS NOT NULL),
    CHECK ((status = 'current') = (status_reason IS NULL OR status_at IS NULL)),
    CHECK ((status = 'superseded') = (replaced_by IS NOT NULL))
) STRICT;
CREATE INDEX evidence_claim ON evidence (claim_id);
CREATE INDEX evidence_source ON evidence (source_id) WHERE source_id IS NOT NULL;
CREATE INDEX evidence_publication ON evidence (publication) WHERE publication IS NOT NULL;
CREATE INDEX evidence_replaced_by ON evidence (replaced_by) WHERE replaced_by IS NOT NULL;

-- Excerpt search; as attributions_fts above.
CREATE VIRTUAL TABLE evidence_fts USING fts5 (
    excerpt,
    content = 'evidence', content_rowid = 'id', columnsize = 0,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER evidence_fts_delete AFTER DELETE ON evidence WHEN old.excerpt IS NOT NULL BEGIN
    INSERT INTO evidence_fts (evidence_fts, rowid, excerpt) VALUES ('delete', old.id, old.excerpt);
END;
CREATE TRIGGER evidence_fts_update AFTER UPDATE OF excerpt ON evidence
    WHEN old.excerpt IS NOT new.excerpt BEGIN
    INSERT INTO evidence_fts (evidence_fts, rowid, excerpt)
        SELECT 'delete', old.id, old.excerpt WHERE old.excerpt IS NOT NULL;
    INSERT INTO evidence_fts (rowid, excerpt) SELECT new.id, new.excerpt WHERE new.excerpt IS NOT NULL;
END;

-- Claim to claim links; one link of a kind between two claims.
CREATE TABLE claim_links (
    id         INTEGER PRIMARY KEY,
    uuid       BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    from_claim INTEGER NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    to_claim   INTEGER NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    kind       TEXT    NOT NULL CHECK (kind = 'contradicts' OR kind = 'corroborates' OR kind = 'duplicates' OR
                                       kind = 'supersedes' OR kind = 'denies'),
    note       TEXT,
    created_at INTEGER NOT NULL,
    CHECK (from_claim <> to_claim),
    UNIQUE (from_claim, to_claim, kind)
) STRICT;
CREATE INDEX claim_links_to ON claim_links (to_claim);

-- Reviews: verdicts, with a schema.org ClaimReview-compatible rating (all three numbers or none). Versioned
-- like evidence: a changed verdict is a new row that supersedes the old one.
CREATE TABLE reviews (
    id            INTEGER PRIMARY KEY,
    uuid          BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    claim_id      INTEGER NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    -- NULL: the publisher's label maps to no verdict (an unmapped rating, kept verbatim in label), which is
    -- not 'unverifiable', a verdict of its own (issue 12).
    verdict       TEXT    CHECK (verdict IS NULL OR verdict = 'false' OR verdict = 'mostly_false' OR
                                 verdict = 'mixed' OR verdict = 'mostly_true' OR verdict = 'true' OR
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
    -- The site the review was published on, derived from `url` when the row is written (its host,
    -- lower-case, without `www.`: Review::site), so Fact Check Tools' `reviewPublisherSiteFilter` alone is
    -- an index lookup (issue 14); `check` finds a value that disagrees with the URL.
    site          TEXT,
    CHECK ((rating_value IS NULL) = (rating_best IS NULL) AND (rating_best IS NULL) = (rating_worst IS NULL)),
    CHECK (rating_name IS NULL OR rating_value IS NOT NULL),
    CHECK ((status = 'current') = (status_reason IS NULL OR status_at IS NULL)),
    CHECK ((status = 'superseded') = (replaced_by IS NOT NULL))
) STRICT;
CREATE INDEX reviews_claim ON reviews (claim_id);
CREATE INDEX reviews_reviewer ON reviews (reviewer) WHERE reviewer IS NOT NULL;
CREATE INDEX reviews_replaced_by ON reviews (replaced_by) WHERE replaced_by IS NOT NULL;
-- Importers recognise a fact-check they imported before by its URL (store/lookup.rs).
CREATE INDEX reviews_url ON reviews (url) WHERE url IS NOT NULL;
-- `claims:search` by `reviewPublisherSiteFilter` alone (no query words) walks a site's reviews newest
-- first (Store::claims_reviewed_on_site).
CREATE INDEX reviews_site ON reviews (site, id) WHERE site IS NOT NULL;

-- History: append-only, one row per change made through the API (who, when, which record, which
-- operation, the record's value before and after as JSON). A bulk load (`Store::batch`) writes a single
-- entry of kind 'batch' instead of one per record (at 100,000 claims, per-record entries were more than
-- a third of the load's time); its records are found through `history_batch_rows`. When such a record
-- first changes through the API, that change names the batch (`batch`), so the record can be traced to it
-- even after the row is gone.
CREATE TABLE history (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor        TEXT    NOT NULL CHECK (length(actor) > 0),
    entity_kind  TEXT    NOT NULL CHECK (entity_kind = 'source' OR entity_kind = 'publication' OR
                                         entity_kind = 'claim' OR entity_kind = 'attribution' OR
                                         entity_kind = 'evidence' OR entity_kind = 'claim_link' OR
                                         entity_kind = 'review' OR entity_kind = 'batch' OR
                                         entity_kind = 'token'),
    entity       BLOB    NOT NULL CHECK (length(entity) = 16),
    operation    TEXT    NOT NULL CHECK (operation = 'insert' OR operation = 'update' OR
                                         operation = 'delete' OR operation = 'import' OR
                                         operation = 'supersede' OR operation = 'retract'),
    before       TEXT    CHECK (before IS NULL OR json_valid(before)),
    after        TEXT    CHECK (after IS NULL OR json_valid(after)),
    reason       TEXT,
    batch        INTEGER REFERENCES history (id)
                         CHECK (batch IS NULL OR (before IS NOT NULL AND entity_kind <> 'batch')),
    CHECK (before IS NOT NULL OR after IS NOT NULL),
    CHECK (entity_kind <> 'batch' OR (operation = 'import' AND before IS NULL AND after IS NOT NULL))
) STRICT;
CREATE INDEX history_entity ON history (entity);
CREATE INDEX history_actor ON history (actor);
CREATE INDEX history_batch ON history (batch) WHERE batch IS NOT NULL;

-- Each history row under every claim its before/after values mention, so a claim's full record (its
-- attributions, evidence, reviews and links too) is one lookup.
CREATE TABLE history_claims (
    history_id INTEGER NOT NULL REFERENCES history (id),
    claim      BLOB    NOT NULL CHECK (length(claim) = 16),
    PRIMARY KEY (claim, history_id)
) STRICT, WITHOUT ROWID;

-- The rows each batch inserted: rowids first_row..=last_row of the table of `entity_kind` (inside one
-- transaction SQLite gives new rows rowid max + 1, so a batch's rows are one contiguous range per table),
-- how many records it wrote there, and the wrapping sum of their values' 64-bit digests (of the record.s
-- JSON, as history values are written: store/history/digest.rs), written when the batch ends, so `verify_history` still
-- finds a bulk-loaded record changed behind the API.
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

-- The history is append-only even for hand-typed SQL.
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

-- API tokens of `claimtrack serve` (issue 14): a name (the actor of every change made with the token),
-- a role, and the SHA-256 of the secret — never the secret itself, which is shown once when the token is
-- made. A revoked token keeps its row: its name is the actor of past changes in the history and must not
-- be given to someone else. Making and revoking a token are history entries of kind 'token' (entity: the
-- token's `uuid`, so its entries stay one chain; value: name, role, made and revoked times, never the
-- secret or its hash), so a desk can tell who made or revoked which token, when.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    uuid          BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    name          TEXT    NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    role          TEXT    NOT NULL CHECK (role = 'read' OR role = 'write' OR role = 'admin'),
    secret_sha256 BLOB    NOT NULL UNIQUE CHECK (length(secret_sha256) = 32),
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
) STRICT;
