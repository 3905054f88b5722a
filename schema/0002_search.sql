-- claimtrack schema, version 2: full-text search (FTS5) over claim text, attribution quotes and evidence
-- excerpts.
--
-- Three external-content FTS5 tables, one per searched column: the text is not copied, FTS5 reads it back
-- from the real table by rowid (an INTEGER PRIMARY KEY lookup) when a snippet is asked for. Triggers keep
-- each index in step with its table; a row whose column is NULL is indexed as an empty document, so the
-- index and the table always hold the same rows (FTS5's 'integrity-check' verifies exactly that).
-- Tokenizer: unicode61 (words of any script: Latin, Hangul, Arabic…), diacritics folded, English words
-- reduced to their stem by the Porter stemmer ("troops" finds "troop").

CREATE VIRTUAL TABLE claims_fts USING fts5 (
    text,
    content = 'claims', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE attributions_fts USING fts5 (
    quote,
    content = 'attributions', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE evidence_fts USING fts5 (
    excerpt,
    content = 'evidence', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Rows that exist before this migration.
INSERT INTO claims_fts (rowid, text) SELECT id, text FROM claims;
INSERT INTO attributions_fts (rowid, quote) SELECT id, quote FROM attributions;
INSERT INTO evidence_fts (rowid, excerpt) SELECT id, excerpt FROM evidence;

CREATE TRIGGER claims_fts_insert AFTER INSERT ON claims BEGIN
    INSERT INTO claims_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER claims_fts_delete AFTER DELETE ON claims BEGIN
    INSERT INTO claims_fts (claims_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER claims_fts_update AFTER UPDATE OF text ON claims WHEN old.text IS NOT new.text BEGIN
    INSERT INTO claims_fts (claims_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO claims_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER attributions_fts_insert AFTER INSERT ON attributions BEGIN
    INSERT INTO attributions_fts (rowid, quote) VALUES (new.id, new.quote);
END;
CREATE TRIGGER attributions_fts_delete AFTER DELETE ON attributions BEGIN
    INSERT INTO attributions_fts (attributions_fts, rowid, quote) VALUES ('delete', old.id, old.quote);
END;
CREATE TRIGGER attributions_fts_update AFTER UPDATE OF quote ON attributions
    WHEN old.quote IS NOT new.quote BEGIN
    INSERT INTO attributions_fts (attributions_fts, rowid, quote) VALUES ('delete', old.id, old.quote);
    INSERT INTO attributions_fts (rowid, quote) VALUES (new.id, new.quote);
END;

CREATE TRIGGER evidence_fts_insert AFTER INSERT ON evidence BEGIN
    INSERT INTO evidence_fts (rowid, excerpt) VALUES (new.id, new.excerpt);
END;
CREATE TRIGGER evidence_fts_delete AFTER DELETE ON evidence BEGIN
    INSERT INTO evidence_fts (evidence_fts, rowid, excerpt) VALUES ('delete', old.id, old.excerpt);
END;
CREATE TRIGGER evidence_fts_update AFTER UPDATE OF excerpt ON evidence
    WHEN old.excerpt IS NOT new.excerpt BEGIN
    INSERT INTO evidence_fts (evidence_fts, rowid, excerpt) VALUES ('delete', old.id, old.excerpt);
    INSERT INTO evidence_fts (rowid, excerpt) VALUES (new.id, new.excerpt);
END;

-- Figures are compared by unit ignoring case and surrounding spaces; this index finds same-unit figures.
CREATE INDEX claim_quantities_unit_key ON claim_quantities (lower(trim(unit)));
