-- claimtrack schema, version 1: sources, publications, claims, attributions, evidence, links, reviews.
--
-- Keys: every entity has an INTEGER rowid primary key (compact B-tree, small foreign keys) and its public
-- UUID in a UNIQUE 16-byte BLOB column. Foreign keys reference rowids.
-- Dates a source gave ("2025-06", "2025-07-13") are reduced-precision ISO 8601 TEXT; record timestamps
-- (created_at) are INTEGER unix nanoseconds, UTC.
-- Every enum column has a CHECK, so hand-typed SQL cannot write a value the library would not read back.
-- The CHECKs are written `x = 'a' OR x = 'b' OR …`, not `x IN ('a', 'b', …)`: SQLite builds an ephemeral
-- table for an IN list of three or more values on every row inserted, which made bulk loads ~2x slower
-- (measured in benches/throughput.rs).

CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    name        TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    name_key    TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind = 'person' OR kind = 'news_agency' OR kind = 'outlet' OR
                                        kind = 'government_body' OR kind = 'intelligence_service' OR
                                        kind = 'organisation' OR kind = 'collective' OR kind = 'document'),
    country     TEXT    CHECK (country IS NULL OR (length(country) = 2 AND country GLOB '[A-Z][A-Z]')),
    part_of     INTEGER REFERENCES sources (id) ON DELETE RESTRICT CHECK (part_of IS NULL OR part_of <> id),
    affiliation TEXT    NOT NULL DEFAULT 'part_of' CHECK (affiliation IN ('part_of', 'controlled_by')),
    reliability TEXT    NOT NULL DEFAULT 'F' CHECK (reliability = 'A' OR reliability = 'B' OR
                                                    reliability = 'C' OR reliability = 'D' OR
                                                    reliability = 'E' OR reliability = 'F'),
    notes       TEXT,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX sources_name_key ON sources (name_key);
CREATE INDEX sources_part_of ON sources (part_of) WHERE part_of IS NOT NULL;

CREATE TABLE source_aliases (
    source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 0),
    alias     TEXT    NOT NULL CHECK (length(trim(alias)) > 0),
    alias_key TEXT    NOT NULL,
    PRIMARY KEY (source_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX source_aliases_key ON source_aliases (alias_key);

CREATE TABLE publications (
    id         INTEGER PRIMARY KEY,
    uuid       BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    title      TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    url        TEXT,
    publisher  INTEGER REFERENCES sources (id) ON DELETE RESTRICT,
    published  TEXT,
    retrieved  TEXT,
    language   TEXT,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX publications_publisher ON publications (publisher) WHERE publisher IS NOT NULL;

CREATE TABLE claims (
    id         INTEGER PRIMARY KEY,
    uuid       BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    text       TEXT    NOT NULL CHECK (length(trim(text)) > 0),
    language   TEXT,
    kind       TEXT    NOT NULL CHECK (kind = 'factual' OR kind = 'opinion' OR kind = 'prediction' OR
                                       kind = 'pledge'),
    about      TEXT,
    created_at INTEGER NOT NULL
) STRICT;

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

CREATE TABLE claim_tags (
    claim_id INTEGER NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    tag      TEXT    NOT NULL CHECK (length(trim(tag)) > 0),
    PRIMARY KEY (claim_id, position),
    UNIQUE (claim_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX claim_tags_tag ON claim_tags (tag);

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

CREATE TABLE attribution_relays (
    attribution_id INTEGER NOT NULL REFERENCES attributions (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL CHECK (position >= 0),
    source_id      INTEGER NOT NULL REFERENCES sources (id) ON DELETE RESTRICT,
    mode           TEXT    NOT NULL CHECK (mode = 'direct_quote' OR mode = 'paraphrase' OR
                                           mode = 'translation' OR mode = 'summary'),
    PRIMARY KEY (attribution_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX attribution_relays_source ON attribution_relays (source_id);

CREATE TABLE evidence (
    id          INTEGER PRIMARY KEY,
    uuid        BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    claim_id    INTEGER NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    source_id   INTEGER NOT NULL REFERENCES sources (id) ON DELETE RESTRICT,
    stance      TEXT    NOT NULL CHECK (stance = 'supports' OR stance = 'refutes' OR stance = 'mixed' OR
                                        stance = 'neutral'),
    credibility INTEGER NOT NULL DEFAULT 6 CHECK (credibility BETWEEN 1 AND 6),
    excerpt     TEXT,
    publication INTEGER REFERENCES publications (id) ON DELETE RESTRICT,
    as_of       TEXT,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX evidence_claim ON evidence (claim_id);
CREATE INDEX evidence_source ON evidence (source_id);
CREATE INDEX evidence_publication ON evidence (publication) WHERE publication IS NOT NULL;

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

CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY,
    uuid         BLOB    NOT NULL UNIQUE CHECK (length(uuid) = 16),
    claim_id     INTEGER NOT NULL REFERENCES claims (id) ON DELETE RESTRICT,
    verdict      TEXT    NOT NULL CHECK (verdict = 'false' OR verdict = 'mostly_false' OR verdict = 'mixed' OR
                                         verdict = 'mostly_true' OR verdict = 'true' OR
                                         verdict = 'unverifiable'),
    label        TEXT,
    rating_value REAL,
    rating_best  REAL,
    rating_worst REAL,
    rating_name  TEXT,
    rationale    TEXT,
    reviewer     INTEGER REFERENCES sources (id) ON DELETE RESTRICT,
    reviewed_on  TEXT,
    url          TEXT,
    created_at   INTEGER NOT NULL,
    CHECK ((rating_value IS NULL) = (rating_best IS NULL) AND (rating_best IS NULL) = (rating_worst IS NULL)),
    CHECK (rating_name IS NULL OR rating_value IS NOT NULL)
) STRICT;
CREATE INDEX reviews_claim ON reviews (claim_id);
CREATE INDEX reviews_reviewer ON reviews (reviewer) WHERE reviewer IS NOT NULL;
