-- 0005: a covering index for the evidence summary (`Store::evidence_summary`), the hot path of a desk's
-- screen.
--
-- A claim's uuid with its kind: the summary maps the public id to the rowid and needs the kind; with this
-- index it does so without visiting the claim's row, which holds the text and is rarely in cache (one
-- random page read less per summary; measured in benches/throughput.rs, see docs/performance.md). The
-- summary names it with `INDEXED BY`, since the planner prefers the UNIQUE index on `uuid`.
CREATE INDEX claims_uuid_kind ON claims (uuid, kind);
