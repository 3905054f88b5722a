-- claimtrack schema for PostgreSQL, version 1: the schema of schema/0001_initial.sql (SQLite), table for
-- table, in PostgreSQL's own types. Applied by src/store/postgres/ in one transaction together with its
-- row in `schema_version`; later changes are small, additive, numbered migrations after this one.
--
-- What differs from the SQLite file, and why (docs/postgres.md has the same list for readers):
-- - Keys: as on SQLite, every entity has a compact integer primary key (`id`, a `bigint` identity column)
--   used by the foreign keys, and its public UUID in a UNIQUE column, here of the native `uuid` type (16
--   bytes, no length CHECK needed). Identity columns are BY DEFAULT so that moving a desk (`claimtrack
--   copy`) can keep the ids of the file it copies; the copier then moves the sequences past them.
-- - Every integer column is `bigint` (SQLite's INTEGER is 64-bit, and the crate reads every integer as
--   i64 on both engines), every real `double precision`.
-- - Record timestamps (created_at, history.at, status_at, revoked_at) are `bigint` unix NANOSECONDS, UTC,
--   exactly as on SQLite, not `timestamptz`: timestamptz keeps microseconds, so a desk moved from a file
--   to a server and back would come back with other times, other exports and history digests that no
--   longer verify. Beside each of them, a `timestamptz` column GENERATED from it (`created_at_tz`,
--   `at_tz`, `status_at_tz`, `revoked_at_tz`, to the microsecond, by `claimtrack_time` below) is what
--   reporting SQL, a BI tool or a partition scheme reads and indexes; the store never writes it and
--   never reads it back. (schema_version's applied_at is the server's own bookkeeping: `timestamptz`.)
-- - Dates a source gave ("2025-06", "2025-07-13") stay reduced-precision ISO 8601 `text`: a `date` would
--   invent the day a source did not give.
-- - The history's before/after values are `json`, not `jsonb` (SQLite: TEXT with a json_valid CHECK):
--   both types refuse text that is not JSON, but only `json` keeps the text byte for byte; `jsonb` reorders
--   keys, drops spacing and rewrites numbers, and the history's digests and `verify_history` hash the
--   exact bytes written. Beside each, a `jsonb` column GENERATED from it (`before_jsonb`, `after_jsonb`)
--   is the one to query with jsonb's operators and index with GIN (`after_jsonb ->> 'text'`,
--   `after_jsonb @> '{"stance": "refutes"}'`); as the timestamptz columns, the store only lets the
--   server fill it.
-- - Enum CHECKs are written `x IN (…)`: SQLite's file spells them `x = 'a' OR …` only to avoid SQLite's
--   per-row ephemeral table for IN lists, which PostgreSQL does not build.
-- - Full-text search: a `tsvector` column GENERATED from the text with the `simple` configuration (words
--   of any language, lower-cased, no stemming, no stop words) and a GIN index on it, instead of SQLite's
--   external-content FTS5 tables and their UPDATE/DELETE triggers: a generated column cannot fall out of
--   step with its text (only a change of the `simple` configuration itself could make stored documents
--   stale, and `Store::check` compares them). Unlike SQLite's tokenizer, `simple` neither folds diacritics
--   nor stems English words; docs/postgres.md says what that changes. Ranking is done by the library
--   (BM25, as on SQLite), not by ts_rank.
-- - Similar claims: no pg_trgm. The similarity score is computed in Rust (analysis/similar.rs) over
--   candidates the store finds by words; the tsvector index finds the same kind of candidates, and a
--   trigram ranking would give a different candidate set from SQLite's for the same desk.
-- - The history's append-only triggers also refuse TRUNCATE (which fires no row trigger) and are ENABLE
--   ALWAYS, so even a session with session_replication_role = replica cannot skip them. Only the tables'
--   owner (or a superuser) can drop or disable them: the application should connect as another role
--   (docs/postgres.md).

-- Claims come in every language. The database must be UTF-8, and its character classification (LC_CTYPE)
-- must lower-case every script: the `simple` search documents below lower-case words with it, and under
-- LC_CTYPE C only ASCII is lowered, so a search for "россию" would miss "Россию" (SQLite's tokenizer folds
-- case in every script). Refused here, before anything is created, rather than searched wrongly later.
-- C.UTF-8 qualifies, and also orders text by code point as SQLite does.
DO $$
BEGIN
    IF current_setting('server_encoding') <> 'UTF8' THEN
        RAISE EXCEPTION 'claimtrack needs a UTF8 database; this one is %', current_setting('server_encoding')
            USING HINT = 'CREATE DATABASE … TEMPLATE template0 ENCODING ''UTF8'' LOCALE ''C.UTF-8''';
    END IF;
    -- U+0416 CYRILLIC CAPITAL LETTER ZHE lowers to U+0436.
    IF lower(chr(1046)) <> chr(1078) THEN
        RAISE EXCEPTION 'the database''s LC_CTYPE (%) lower-cases ASCII letters only, so full-text search '
            'would tell "Россию" from "россию"; create the database with a UTF-8 locale',
            current_setting('lc_ctype')
            USING HINT = 'CREATE DATABASE … TEMPLATE template0 ENCODING ''UTF8'' LOCALE ''C.UTF-8''';
    END IF;
END;
$$;

-- A record time (unix nanoseconds, UTC, as the store writes it) as `timestamptz`, rounded down to the
-- microsecond (timestamptz's precision): the expression of the generated `*_tz` columns. Integer
-- arithmetic first (floor division to microseconds), then a double of seconds, which to_timestamp
-- rounds back to the exact microsecond for every time from 1685 to 2255 (a microsecond count under
-- 2^53); an `interval` sum would be exact too but is not IMMUTABLE, as a generated column needs.
CREATE FUNCTION claimtrack_time(ns bigint) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT to_timestamp((ns / 1000 - CASE WHEN ns % 1000 < 0 THEN 1 ELSE 0 END)::double precision / 1000000)
$$;

-- The schema version: one row per applied migration; the newest is the database's version. A database
-- whose newest row is beyond what the library knows is refused, untouched.
CREATE TABLE schema_version (
    version    bigint      PRIMARY KEY CHECK (version > 0),
    name       text        NOT NULL CHECK (length(name) > 0),
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- Sources: people, agencies, outlets, bodies; an affiliation tree through `part_of`.
CREATE TABLE sources (
    id          bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uuid        uuid        NOT NULL UNIQUE,
    name        text        NOT NULL CHECK (length(trim(name)) > 0),
    name_key    text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('person', 'news_agency', 'outlet', 'government_body',
                                                     'intelligence_service', 'organisation', 'collective',
                                                     'document',
                                                     -- Real claimants: a website, a platform account, or
                                                     -- unknowable.
                                                     'website', 'platform_account', 'unknown')),
    country     text        CHECK (country IS NULL OR country ~ '^[A-Z][A-Z]$'),
    part_of     bigint      REFERENCES sources (id) ON DELETE RESTRICT CHECK (part_of IS NULL OR part_of <> id),
    affiliation text        NOT NULL DEFAULT 'part_of' CHECK (affiliation IN ('part_of', 'controlled_by')),
    reliability text        NOT NULL DEFAULT 'F' CHECK (reliability IN ('A', 'B', 'C', 'D', 'E', 'F')),
    notes       text,
    created_at  bigint      NOT NULL,
    created_at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(created_at)) STORED
);
-- Lookup by name, case-insensitively (`name_key` is the folded name, folded in Rust as on SQLite).
CREATE INDEX sources_name_key ON sources (name_key);
CREATE INDEX sources_part_of ON sources (part_of) WHERE part_of IS NOT NULL;

-- A source's aliases, in the order given; looked up by their folded key like names. The primary key
-- starts with the foreign key, so it serves as that column's index.
CREATE TABLE source_aliases (
    source_id bigint  NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    position  bigint  NOT NULL CHECK (position >= 0),
    alias     text    NOT NULL CHECK (length(trim(alias)) > 0),
    alias_key text    NOT NULL,
    PRIMARY KEY (source_id, position)
);
CREATE INDEX source_aliases_key ON source_aliases (alias_key);

-- Publications: where claims appear.
CREATE TABLE publications (
    id          bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uuid        uuid        NOT NULL UNIQUE,
    -- A publication is often known only by its link: a title, a URL, or both (table CHECK below).
    title       text        CHECK (title IS NULL OR length(trim(title)) > 0),
    -- The original address; a web archive copy of it goes in archive_url, so archived links keep their site.
    url         text,
    archive_url text,
    publisher   bigint      REFERENCES sources (id) ON DELETE RESTRICT,
    published   text,
    retrieved   text,
    language    text,
    created_at  bigint      NOT NULL,
    created_at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(created_at)) STORED,
    CHECK (title IS NOT NULL OR url IS NOT NULL OR archive_url IS NOT NULL)
);
CREATE INDEX publications_publisher ON publications (publisher) WHERE publisher IS NOT NULL;
-- Store::find_publication_by_url: importers look a link up before adding it.
CREATE INDEX publications_url ON publications (url) WHERE url IS NOT NULL;
CREATE INDEX publications_archive_url ON publications (archive_url) WHERE archive_url IS NOT NULL;

-- Claims. The UNIQUE index on `uuid` carries `id` and `kind` as payload, so the evidence summary (the hot
-- path of a desk's screen: public id -> row id and kind) is an index-only scan that never visits the row
-- holding the text; SQLite finds the kind in a partial index of the claims that are not factual
-- (claims_kind_not_factual), PostgreSQL needs none. `text_search` is the claim text's search document (see the header).
CREATE TABLE claims (
    id          bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uuid        uuid        NOT NULL,
    text        text        NOT NULL CHECK (length(trim(text)) > 0),
    language    text,
    kind        text        NOT NULL CHECK (kind IN ('factual', 'opinion', 'prediction', 'pledge')),
    about       text,
    -- When the claim was made (claimDate), as against the time it is about.
    made_on     text,
    created_at  bigint      NOT NULL,
    created_at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(created_at)) STORED,
    text_search tsvector    GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED,
    -- The 64-bit hash of the text's name key (src/model/text.rs: `name_key_hash`), written by the store:
    -- an exact repeat is one index lookup (as schema/0001_initial.sql, which says why a hash, issue 12).
    text_key_hash bigint,
    CONSTRAINT claims_uuid_key UNIQUE (uuid) INCLUDE (id, kind)
);
CREATE INDEX claims_text_key_hash ON claims (text_key_hash);
-- Claim text search.
CREATE INDEX claims_text_search ON claims USING gin (text_search);

-- A claim's structured figures, in the order given.
CREATE TABLE claim_quantities (
    claim_id bigint           NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    position bigint           NOT NULL CHECK (position >= 0),
    value    double precision NOT NULL,
    unit     text             NOT NULL CHECK (length(trim(unit)) > 0),
    bound    text             NOT NULL CHECK (bound IN ('exact', 'about', 'at_least', 'more_than', 'at_most',
                                                        'less_than')),
    subject  text,
    PRIMARY KEY (claim_id, position)
);
CREATE INDEX claim_quantities_unit ON claim_quantities (unit);
-- Figures are compared by unit ignoring case and surrounding spaces; this index finds same-unit figures
-- (a query must use this very expression to use it).
CREATE INDEX claim_quantities_unit_key ON claim_quantities (lower(trim(unit)));

-- A claim's tags, in the order given, each at most once.
CREATE TABLE claim_tags (
    claim_id bigint  NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    position bigint  NOT NULL CHECK (position >= 0),
    tag      text    NOT NULL CHECK (length(trim(tag)) > 0),
    PRIMARY KEY (claim_id, position),
    UNIQUE (claim_id, tag)
);
CREATE INDEX claim_tags_tag ON claim_tags (tag);

-- Attributions: a claim said by a speaker (relayed by attribution_relays) in a publication; a claim the
-- publication makes in its own voice has no speaker, so one of the two is required. `quote_search` is the
-- quote's search document (NULL when there is no quote: nothing to find, nothing in the GIN index).
CREATE TABLE attributions (
    id           bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uuid         uuid        NOT NULL UNIQUE,
    claim_id     bigint      NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    speaker      bigint      REFERENCES sources (id) ON DELETE RESTRICT,
    publication  bigint      REFERENCES publications (id) ON DELETE RESTRICT,
    mode         text        NOT NULL CHECK (mode IN ('direct_quote', 'paraphrase', 'translation', 'summary')),
    quote        text,
    said_on      text,
    created_at   bigint      NOT NULL,
    created_at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(created_at)) STORED,
    quote_search tsvector    GENERATED ALWAYS AS (to_tsvector('simple', quote)) STORED,
    CHECK (speaker IS NOT NULL OR publication IS NOT NULL)
);
CREATE INDEX attributions_claim ON attributions (claim_id);
CREATE INDEX attributions_speaker ON attributions (speaker) WHERE speaker IS NOT NULL;
CREATE INDEX attributions_publication ON attributions (publication) WHERE publication IS NOT NULL;
-- Quote search.
CREATE INDEX attributions_quote_search ON attributions USING gin (quote_search);

-- The ordered relays of an attribution (speaker -> relay 0 -> relay 1 -> … -> publication).
CREATE TABLE attribution_relays (
    attribution_id bigint  NOT NULL REFERENCES attributions (id) ON DELETE CASCADE,
    position       bigint  NOT NULL CHECK (position >= 0),
    source_id      bigint  NOT NULL REFERENCES sources (id) ON DELETE RESTRICT,
    mode           text    NOT NULL CHECK (mode IN ('direct_quote', 'paraphrase', 'translation', 'summary')),
    PRIMARY KEY (attribution_id, position)
);
CREATE INDEX attribution_relays_source ON attribution_relays (source_id);

-- Evidence: a source's stance on a claim. Never overwritten: a changed stance is a new row, and the old
-- one gets `status` 'superseded' (with `replaced_by`) or, when withdrawn, 'retracted', always with a reason
-- and time, as Wikidata deprecates a statement instead of deleting it. The status rule (a reason and time
-- exactly when not current, a successor exactly when superseded) is two table CHECKs, so raw SQL cannot
-- break it either. `excerpt_search` is the excerpt's search document, as for quotes.
CREATE TABLE evidence (
    id             bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uuid           uuid        NOT NULL UNIQUE,
    claim_id       bigint      NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    -- NULL only for the answer to a question found in no source (CHECK below); it never counts.
    source_id      bigint      REFERENCES sources (id) ON DELETE RESTRICT,
    stance         text        NOT NULL CHECK (stance IN ('supports', 'refutes', 'mixed', 'neutral')),
    credibility    bigint      NOT NULL DEFAULT 6 CHECK (credibility BETWEEN 1 AND 6),
    excerpt        text,
    publication    bigint      REFERENCES publications (id) ON DELETE RESTRICT,
    as_of          text,
    created_at     bigint      NOT NULL,
    created_at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(created_at)) STORED,
    status         text        NOT NULL DEFAULT 'current' CHECK (status IN ('current', 'superseded',
                                                                            'retracted')),
    replaced_by    bigint      REFERENCES evidence (id) ON DELETE RESTRICT,
    status_reason  text,
    status_at      bigint     ,
    status_at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(status_at)) STORED,
    -- The question the record answers (the answer is the excerpt) and how the answer was obtained.
    question       text,
    answer_type    text        CHECK (answer_type IS NULL OR answer_type IN ('extractive', 'abstractive',
                                                                              'boolean', 'unanswerable')),
    excerpt_search tsvector    GENERATED ALWAYS AS (to_tsvector('simple', excerpt)) STORED,
    CHECK (source_id IS NOT NULL OR question IS NOT NULL),
    CHECK (answer_type IS NULL OR question IS NOT NULL),
    CHECK ((status = 'current') = (status_reason IS NULL OR status_at IS NULL)),
    CHECK ((status = 'superseded') = (replaced_by IS NOT NULL))
);
CREATE INDEX evidence_claim ON evidence (claim_id);
CREATE INDEX evidence_source ON evidence (source_id) WHERE source_id IS NOT NULL;
CREATE INDEX evidence_publication ON evidence (publication) WHERE publication IS NOT NULL;
CREATE INDEX evidence_replaced_by ON evidence (replaced_by) WHERE replaced_by IS NOT NULL;
-- Excerpt search.
CREATE INDEX evidence_excerpt_search ON evidence USING gin (excerpt_search);

-- Claim to claim links; one link of a kind between two claims. The UNIQUE constraint starts with
-- `from_claim`, so it serves as that foreign key's index.
CREATE TABLE claim_links (
    id         bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uuid       uuid        NOT NULL UNIQUE,
    from_claim bigint      NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    to_claim   bigint      NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    kind       text        NOT NULL CHECK (kind IN ('contradicts', 'corroborates', 'duplicates', 'supersedes',
                                                    'denies')),
    note       text,
    created_at bigint      NOT NULL,
    created_at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(created_at)) STORED,
    CHECK (from_claim <> to_claim),
    UNIQUE (from_claim, to_claim, kind)
);
CREATE INDEX claim_links_to ON claim_links (to_claim);

-- Reviews: verdicts, with a schema.org ClaimReview-compatible rating (all three numbers or none). Versioned
-- like evidence: a changed verdict is a new row that supersedes the old one.
CREATE TABLE reviews (
    id            bigint           GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uuid          uuid             NOT NULL UNIQUE,
    claim_id      bigint           NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    -- NULL: the label maps to no verdict, which is not 'unverifiable' (as schema/0001_initial.sql).
    verdict       text             CHECK (verdict IN ('false', 'mostly_false', 'mixed', 'mostly_true',
                                                      'true', 'unverifiable')),
    label         text,
    rating_value  double precision,
    rating_best   double precision,
    rating_worst  double precision,
    rating_name   text,
    rationale     text,
    reviewer      bigint           REFERENCES sources (id) ON DELETE RESTRICT,
    reviewed_on   text,
    url           text,
    created_at    bigint           NOT NULL,
    created_at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(created_at)) STORED,
    status        text             NOT NULL DEFAULT 'current' CHECK (status IN ('current', 'superseded',
                                                                                'retracted')),
    replaced_by   bigint           REFERENCES reviews (id) ON DELETE RESTRICT,
    status_reason text,
    status_at     bigint     ,
    status_at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(status_at)) STORED,
    -- The site the review was published on, derived from `url` (Review::site): the index of
    -- `reviewPublisherSiteFilter` alone (issue 14).
    site          text,
    CHECK ((rating_value IS NULL) = (rating_best IS NULL) AND (rating_best IS NULL) = (rating_worst IS NULL)),
    CHECK (rating_name IS NULL OR rating_value IS NOT NULL),
    CHECK ((status = 'current') = (status_reason IS NULL OR status_at IS NULL)),
    CHECK ((status = 'superseded') = (replaced_by IS NOT NULL))
);
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
-- entry of kind 'batch' instead of one per record; its records are found through `history_batch_rows`.
-- When such a record first changes through the API, that change names the batch (`batch`), so the record
-- can be traced to it even after the row is gone. Ids are BY DEFAULT identities here too, so a copy
-- keeps the `batch` references and history_batch_rows pointing at the right entries.
CREATE TABLE history (
    id           bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at           bigint      NOT NULL,
    at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(at)) STORED,
    actor        text        NOT NULL CHECK (length(actor) > 0),
    entity_kind  text        NOT NULL CHECK (entity_kind IN ('source', 'publication', 'claim', 'attribution',
                                                             'evidence', 'claim_link', 'review', 'batch',
                                                             'token')),
    entity       uuid        NOT NULL,
    operation    text        NOT NULL CHECK (operation IN ('insert', 'update', 'delete', 'import', 'supersede',
                                                           'retract')),
    before       json,
    before_jsonb jsonb GENERATED ALWAYS AS (before::jsonb) STORED,
    after        json,
    after_jsonb jsonb GENERATED ALWAYS AS (after::jsonb) STORED,
    reason       text,
    batch        bigint      REFERENCES history (id)
                             CHECK (batch IS NULL OR (before IS NOT NULL AND entity_kind <> 'batch')),
    CHECK (before IS NOT NULL OR after IS NOT NULL),
    CHECK (entity_kind <> 'batch' OR (operation = 'import' AND before IS NULL AND after IS NOT NULL))
);
CREATE INDEX history_entity ON history (entity);
CREATE INDEX history_actor ON history (actor);
CREATE INDEX history_batch ON history (batch) WHERE batch IS NOT NULL;

-- Each history row under every claim its before/after values mention, so a claim's full record (its
-- attributions, evidence, reviews and links too) is one lookup. No separate index on `history_id`: a
-- foreign key's referencing-side index serves only deletes and key updates of the referenced row, and
-- history rows are never deleted or updated (the triggers below).
CREATE TABLE history_claims (
    history_id bigint NOT NULL REFERENCES history (id),
    claim      uuid   NOT NULL,
    PRIMARY KEY (claim, history_id)
);

-- The rows each batch inserted: ids first_row..=last_row of the table of `entity_kind`, how many records
-- it wrote there, and the wrapping sum of their values' 64-bit digests (of the record's JSON, as
-- history values are written: store/history/digest.rs), written when the batch ends, so verifying the history still finds a
-- bulk-loaded record changed behind the API. The store's writers take one transaction-scoped advisory
-- lock (one writer at a time per database, as SQLite's BEGIN IMMEDIATE), so no other writer draws ids
-- from the sequences while a batch runs and its rows are one contiguous id range per table here too;
-- the primary key would still allow several ranges for one table (one row per range).
CREATE TABLE history_batch_rows (
    entity_kind text   NOT NULL CHECK (entity_kind IN ('source', 'publication', 'claim', 'attribution',
                                                       'evidence', 'claim_link', 'review')),
    first_row   bigint NOT NULL,
    last_row    bigint NOT NULL CHECK (last_row >= first_row),
    batch       bigint NOT NULL REFERENCES history (id),
    records     bigint NOT NULL CHECK (records > 0),
    digest      bigint NOT NULL,
    PRIMARY KEY (entity_kind, first_row, batch)
);
CREATE INDEX history_batch_rows_batch ON history_batch_rows (batch);

-- API tokens of `claimtrack serve` (issue 14): a name (the actor of every change made with the token),
-- a role, and the SHA-256 of the secret — never the secret itself, which is shown once when the token is
-- made. A revoked token keeps its row: its name is the actor of past changes in the history and must not
-- be given to someone else (docs/postgres.md: the application role may not delete rows here). Making and
-- revoking a token are history entries of kind 'token' (entity: the token's `uuid`; value: name, role,
-- made and revoked times, never the secret or its hash).
CREATE TABLE api_tokens (
    id            bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    uuid          uuid        NOT NULL UNIQUE,
    name          text        NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    role          text        NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    secret_sha256 bytea       NOT NULL UNIQUE CHECK (octet_length(secret_sha256) = 32),
    created_at    bigint      NOT NULL,
    created_at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(created_at)) STORED,
    revoked_at    bigint,
    revoked_at_tz timestamptz GENERATED ALWAYS AS (claimtrack_time(revoked_at)) STORED
);

-- The history is append-only even for hand-typed SQL: UPDATE and DELETE raise for every row, TRUNCATE
-- (which fires no row trigger) for the statement. ENABLE ALWAYS: the triggers fire in replica sessions
-- too (session_replication_role = replica skips ordinary triggers).
CREATE FUNCTION history_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only();
CREATE TRIGGER history_claims_append_only BEFORE UPDATE OR DELETE ON history_claims
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER history_claims_no_truncate BEFORE TRUNCATE ON history_claims
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only();
CREATE TRIGGER history_batch_rows_append_only BEFORE UPDATE OR DELETE ON history_batch_rows
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER history_batch_rows_no_truncate BEFORE TRUNCATE ON history_batch_rows
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only();
ALTER TABLE history ENABLE ALWAYS TRIGGER history_append_only;
ALTER TABLE history ENABLE ALWAYS TRIGGER history_no_truncate;
ALTER TABLE history_claims ENABLE ALWAYS TRIGGER history_claims_append_only;
ALTER TABLE history_claims ENABLE ALWAYS TRIGGER history_claims_no_truncate;
ALTER TABLE history_batch_rows ENABLE ALWAYS TRIGGER history_batch_rows_append_only;
ALTER TABLE history_batch_rows ENABLE ALWAYS TRIGGER history_batch_rows_no_truncate;
