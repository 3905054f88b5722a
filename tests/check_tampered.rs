//! `check` on a desk tampered with behind claimtrack's back, on both backends: each of its parts
//! (records, affiliation, standings, history, name keys, text keys, foreign keys) names what a hand edit
//! broke, through the library and through the built binary. The edits are made with the engine's own
//! client (rusqlite, the `postgres` crate) as a careless or hostile database user would; on PostgreSQL the
//! history's append-only triggers are disabled the way its owner could (`ALTER TABLE … DISABLE
//! TRIGGER`), which `check` reports too.

#[path = "common/backend.rs"]
mod backend;

use backend::{Backend, Desk, per_backend};
use claimtrack::{CheckReport, NewEvidence, NewSource, SourceKind, Stance, Store};

/// Runs `sqlite` (on SQLite) or `postgres` (on PostgreSQL) on the desk's database as one batch of
/// statements, outside claimtrack.
fn tamper(desk: &Desk, sqlite: &str, postgres: &str) {
    match desk.backend() {
        Backend::Sqlite => {
            let conn = rusqlite::Connection::open(desk.path().unwrap()).unwrap();
            conn.execute_batch(sqlite)
                .unwrap_or_else(|e| panic!("{sqlite}: {e}"));
        }
        Backend::Postgres => pg_tamper(desk, postgres),
    }
}

#[cfg(feature = "postgres")]
fn pg_tamper(desk: &Desk, sql: &str) {
    let mut c = backend::pg::connect(desk.location());
    c.batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[cfg(not(feature = "postgres"))]
fn pg_tamper(_desk: &Desk, _sql: &str) {
    unreachable!("no PostgreSQL desk without the postgres feature")
}

/// The seed article, checked sound before anything is touched.
fn seeded(desk: &Desk) -> Store {
    let store = desk.open();
    claimtrack::seeds::load_wonsan(&store).unwrap();
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    store
}

/// The messages of the check `name`, after asserting it ran.
fn messages<'a>(report: &'a CheckReport, name: &str) -> Vec<&'a str> {
    assert!(
        report.checks.iter().any(|c| c == name),
        "the check {name} did not run: {:?}",
        report.checks
    );
    report
        .problems
        .iter()
        .filter(|p| p.check == name)
        .map(|p| p.message.as_str())
        .collect()
}

/// The built binary's `check` on the desk: exit code 1 and the check's name on stdout.
#[cfg(feature = "cli")]
fn cli_check_fails_naming(desk: &Desk, name: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimtrack"))
        .arg("--db")
        .arg(desk.location())
        .args(["--json", "check"])
        .env_remove("CLAIMTRACK_DB")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["check"] == name),
        "{v}"
    );
}

#[cfg(not(feature = "cli"))]
fn cli_check_fails_naming(_desk: &Desk, _name: &str) {}

per_backend!(a_record_its_kind_refuses_is_named_by_records);
fn a_record_its_kind_refuses_is_named_by_records(desk: &Desk) {
    let store = seeded(desk);
    let id = store
        .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
        .unwrap();
    // A name of one invisible character: the schema's CHECK (non-blank) lets it through, the model
    // refuses it.
    tamper(
        desk,
        "UPDATE sources SET name = char(8203) WHERE name = 'Agency'",
        "UPDATE sources SET name = chr(8203) WHERE name = 'Agency'",
    );
    let report = store.check().unwrap();
    let records = messages(&report, "records");
    assert_eq!(records.len(), 1, "{:?}", report.problems);
    assert!(records[0].starts_with(&format!("source {id}: ")), "{records:?}");
    cli_check_fails_naming(desk, "records");
}

per_backend!(an_affiliation_cycle_is_named);
fn an_affiliation_cycle_is_named(desk: &Desk) {
    let store = seeded(desk);
    let a = store
        .add_source(NewSource::new("Outlet A", SourceKind::Outlet))
        .unwrap();
    let b = store
        .add_source(NewSource::new("Outlet B", SourceKind::Outlet).part_of(a))
        .unwrap();
    // A part of B, B part of A: the store refuses this; a hand edit does not.
    let sql = "UPDATE sources SET part_of = (SELECT id FROM sources WHERE name = 'Outlet B') \
               WHERE name = 'Outlet A'";
    tamper(desk, sql, sql);
    let report = store.check().unwrap();
    let found = messages(&report, "affiliation");
    for id in [a, b] {
        assert!(
            found
                .iter()
                .any(|m| *m == format!("source {id} is (indirectly) part of itself")),
            "{id}: {found:?}"
        );
    }
    cli_check_fails_naming(desk, "affiliation");
}

per_backend!(evidence_superseded_by_itself_or_across_claims_is_named_by_standings);
fn evidence_superseded_by_itself_or_across_claims_is_named_by_standings(desk: &Desk) {
    let store = seeded(desk);
    let claims = store.claims().unwrap();
    let source = store.sources().unwrap()[0].id;
    let (one, other) = (claims[0].id, claims[1].id);
    let e1 = store
        .add_evidence(one, NewEvidence::new(source, Stance::Supports))
        .unwrap();
    let e2 = store
        .add_evidence(other, NewEvidence::new(source, Stance::Refutes))
        .unwrap();
    // e1 superseded by itself (a cycle), and by e2 on another claim (a foreign successor), each made
    // by hand with the status columns the table's CHECKs want.
    let sql = |uuid: &str, by: &str| {
        format!(
            "UPDATE evidence SET status = 'superseded', status_reason = 'by hand', status_at = 1, \
             replaced_by = (SELECT id FROM evidence WHERE uuid = {by}) WHERE uuid = {uuid}"
        )
    };
    let (s1, p1) = (uuid_sqlite(e1.to_string()), uuid_pg(e1.to_string()));
    let (s2, p2) = (uuid_sqlite(e2.to_string()), uuid_pg(e2.to_string()));
    tamper(desk, &sql(&s1, &s1), &sql(&p1, &p1));
    let report = store.check().unwrap();
    let found = messages(&report, "standings");
    assert_eq!(
        found,
        [format!(
            "evidence {e1} is (indirectly) superseded by itself: a cycle"
        )],
        "{:?}",
        report.problems
    );
    tamper(desk, &sql(&s1, &s2), &sql(&p1, &p2));
    let report = store.check().unwrap();
    let found = messages(&report, "standings");
    assert_eq!(
        found,
        [format!(
            "evidence {e1} is superseded by {e2}, a record of another claim"
        )],
        "{:?}",
        report.problems
    );
    cli_check_fails_naming(desk, "standings");
}

/// A uuid literal in SQLite's spelling (16-byte blob).
fn uuid_sqlite(id: String) -> String {
    format!("X'{}'", id.replace('-', ""))
}

/// A uuid literal in PostgreSQL's spelling.
fn uuid_pg(id: String) -> String {
    format!("'{id}'::uuid")
}

per_backend!(an_edit_and_a_deletion_behind_the_history_are_named);
fn an_edit_and_a_deletion_behind_the_history_are_named(desk: &Desk) {
    let store = seeded(desk);
    let claims = store.claims().unwrap();
    let source = store.sources().unwrap()[0].id;
    let gone = store
        .add_evidence(
            claims[1].id,
            NewEvidence::new(source, Stance::Neutral).excerpt("to vanish"),
        )
        .unwrap();
    // The first claim reworded and the new evidence deleted, neither recorded.
    let sql = "UPDATE claims SET text = 'quietly reworded' WHERE id = (SELECT min(id) FROM claims); \
               DELETE FROM evidence WHERE excerpt = 'to vanish'";
    tamper(desk, sql, sql);
    let report = store.check().unwrap();
    let found = messages(&report, "history");
    // The seed was loaded by one batch: the edit is named as a record differing from what its batch
    // wrote.
    assert!(
        found.iter().any(|m| m.starts_with("batch ")
            && m.contains("a claim record written by batch entry")
            && m.contains("changed behind the API")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m.starts_with(&format!("evidence {gone}")) && m.contains("does not exist")),
        "{found:?}"
    );
    // The engine itself sees nothing wrong: the edits are well-formed, only unrecorded.
    assert!(store.integrity_problems().unwrap().is_empty());
    cli_check_fails_naming(desk, "history");
}

per_backend!(a_forged_history_entry_is_named);
fn a_forged_history_entry_is_named(desk: &Desk) {
    let store = seeded(desk);
    let claim = store.claims().unwrap()[0].id;
    let source = store.sources().unwrap()[0].id;
    let e = store
        .add_evidence(claim, NewEvidence::new(source, Stance::Supports))
        .unwrap();
    // INSERT is what the append-only triggers allow: a hand-made `update` entry flipping the stance, with
    // the same change made to the row, keeps its chain whole, but evidence never changes its stance in
    // place.
    let (sqlite_id, pg_id) = (uuid_sqlite(e.to_string()), uuid_pg(e.to_string()));
    tamper(
        desk,
        &format!(
            "INSERT INTO history (at, actor, entity_kind, entity, operation, before, after) \
             SELECT at + 1, 'mallory', entity_kind, entity, 'update', after, \
             replace(after, '\"supports\"', '\"refutes\"') FROM history \
             WHERE entity_kind = 'evidence' AND entity = {sqlite_id}; \
             UPDATE evidence SET stance = 'refutes' WHERE uuid = {sqlite_id};"
        ),
        &format!(
            "INSERT INTO history (at, actor, entity_kind, entity, operation, before, after) \
             SELECT at + 1, 'mallory', entity_kind, entity, 'update', after, \
             replace(after::text, '\"supports\"', '\"refutes\"')::json FROM history \
             WHERE entity_kind = 'evidence' AND entity = {pg_id}; \
             UPDATE evidence SET stance = 'refutes' WHERE uuid = {pg_id};"
        ),
    );
    let report = store.check().unwrap();
    let found = messages(&report, "history");
    assert!(
        found
            .iter()
            .any(|m| m.starts_with(&format!("evidence {e}")) && m.contains("changes its stance in place")),
        "{:?}",
        report.problems
    );
    cli_check_fails_naming(desk, "history");
}

per_backend!(a_history_rewritten_behind_its_disabled_guard_is_named_by_the_schema_check);
fn a_history_rewritten_behind_its_disabled_guard_is_named_by_the_schema_check(desk: &Desk) {
    let store = seeded(desk);
    let claim = store
        .add_claim(claimtrack::NewClaim::factual("Said once"))
        .unwrap();
    // What the database's owner can do: turn the append-only guard off (SQLite: drop the trigger;
    // PostgreSQL: ALTER TABLE … DISABLE TRIGGER) and rewrite the claim, its text key and the value its
    // history recorded, byte for byte as claimtrack writes it. Row and history agree again: the history
    // check cannot tell (single entries carry no chain of digests), the schema check names the guard.
    // Once the owner turns the guard back on, `check` finds nothing on PostgreSQL: why the README says
    // the role claimtrack runs as must not own the schema.
    let (sqlite_id, pg_id) = (uuid_sqlite(claim.to_string()), uuid_pg(claim.to_string()));
    let key = claimtrack::name_key_hash(&claimtrack::name_key("Rewritten"));
    tamper(
        desk,
        &format!(
            "UPDATE claims SET text = 'Rewritten', text_key_hash = {key} WHERE uuid = {sqlite_id}; \
             DROP TRIGGER history_no_update; \
             UPDATE history SET after = replace(after, 'Said once', 'Rewritten'), actor = 'mallory' \
             WHERE entity_kind = 'claim' AND entity = {sqlite_id};"
        ),
        &format!(
            "UPDATE claims SET text = 'Rewritten', text_key_hash = {key} WHERE uuid = {pg_id}; \
             ALTER TABLE history DISABLE TRIGGER history_append_only; \
             UPDATE history SET after = replace(after::text, 'Said once', 'Rewritten')::json, \
             actor = 'mallory' WHERE entity_kind = 'claim' AND entity = {pg_id};"
        ),
    );
    assert_eq!(store.claim(claim).unwrap().text, "Rewritten");
    let report = store.check().unwrap();
    let expected = match desk.backend() {
        Backend::Sqlite => "trigger history_no_update is missing",
        Backend::Postgres => {
            "trigger history_append_only on history does not fire in every session (ENABLE ALWAYS): \
             disabled"
        }
    };
    assert!(
        messages(&report, "schema").contains(&expected),
        "{:?}",
        report.problems
    );
    // Only the guard is named: the rewrite itself left nothing else to find.
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    cli_check_fails_naming(desk, "schema");
}

per_backend!(stale_keys_and_an_orphan_are_named);
fn stale_keys_and_an_orphan_are_named(desk: &Desk) {
    let store = seeded(desk);
    // A stale source name key, a stale claim text key, and evidence pointing at a source that does not
    // exist, written with the foreign keys off (SQLite's pragma; PostgreSQL's replica role, which does
    // not fire the foreign keys' triggers).
    let keys = "UPDATE sources SET name_key = 'stale' WHERE id = (SELECT min(id) FROM sources); \
                UPDATE claims SET text_key_hash = 42 WHERE id = (SELECT min(id) FROM claims);";
    tamper(
        desk,
        &format!(
            "{keys} PRAGMA foreign_keys = OFF; \
             UPDATE evidence SET source_id = 99999 WHERE id = (SELECT min(id) FROM evidence);"
        ),
        &format!(
            "{keys} SET session_replication_role = replica; \
             UPDATE evidence SET source_id = 99999 WHERE id = (SELECT min(id) FROM evidence); \
             SET session_replication_role = origin;"
        ),
    );
    let report = store.check().unwrap();
    assert!(!messages(&report, "name_keys").is_empty(), "{report:?}");
    assert!(
        messages(&report, "search_index")
            .iter()
            .any(|m| m.contains("1 claims have a missing or stale text key")),
        "{report:?}"
    );
    assert!(!messages(&report, "foreign_keys").is_empty(), "{report:?}");
    assert!(!store.integrity_problems().unwrap().is_empty());
    cli_check_fails_naming(desk, "foreign_keys");
    // Rebuilding the keys mends the keys, not the orphan.
    store.rebuild_search_index().unwrap();
    let report = store.check().unwrap();
    assert!(messages(&report, "name_keys").is_empty(), "{report:?}");
    assert!(messages(&report, "search_index").is_empty(), "{report:?}");
    assert!(!messages(&report, "foreign_keys").is_empty(), "{report:?}");
}

// SQLite only: PostgreSQL refuses text that is not UTF-8 on input, so no hand edit can store it there.
backend::sqlite_only!(text_that_is_not_utf8_is_named_by_encoding);
fn text_that_is_not_utf8_is_named_by_encoding(desk: &Desk) {
    let store = seeded(desk);
    // Bytes cast to TEXT by hand: SQLite stores them unchecked; reading them as text fails.
    tamper(
        desk,
        "UPDATE claims SET text = CAST(x'54ff72' AS TEXT) WHERE id = 1;
         UPDATE sources SET notes = CAST(x'c328' AS TEXT) WHERE id = 2;",
        "",
    );
    let report = store.check().unwrap();
    let found = messages(&report, "encoding");
    assert_eq!(found.len(), 2, "{:?}", report.problems);
    assert!(found[0].starts_with("sources row 2 (notes)"), "{found:?}");
    assert!(found[1].starts_with("claims row 1 (text)"), "{found:?}");
    cli_check_fails_naming(desk, "encoding");
    // Reading such a record is a typed error saying what is wrong, not a bare database error.
    match store.claims() {
        Err(claimtrack::Error::Corrupt { message, .. }) => {
            assert!(message.contains("not UTF-8"), "{message}")
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}
