//! "Has this been checked already?" finds an exact repeat first, always (issue 12, item 9): the text's
//! name key is looked up through an index before any word matching, so a repeat is found however many
//! claims share its words, and spelled with other case, spacing, Unicode form or invisible characters.
//! Also `claimtrack similar TEXT` through the built binary, and FEVER's real claims when `CLAIMTRACK_DATA`
//! names the shared data folder.

#[path = "common/backend.rs"]
mod backend;

use backend::{Backend, Desk, per_backend};
use claimtrack::io::{ImportOptions, bundle};
use std::process::Command;

use claimtrack::Bundle;
use claimtrack::{NewClaim, Store};

fn store_with(store: &Store, texts: &[String]) {
    let mut bundle = Bundle::default();
    for t in texts {
        bundle
            .claims
            .push(NewClaim::factual(t.clone()).into_claim().unwrap());
    }
    bundle::import(store, &bundle, ImportOptions::default()).unwrap();
}

per_backend!(an_exact_repeat_comes_first_among_thousands_sharing_its_words);
fn an_exact_repeat_comes_first_among_thousands_sharing_its_words(store: &Store) {
    // 3,000 claims made of the same common words, each a little longer than the target: by word overlap
    // alone the target is one of many near-equals.
    let mut texts: Vec<String> = (0..3_000)
        .map(|i| format!("North Korea sent troops to Russia and Russia sent troops back {i}"))
        .collect();
    let target = "North Korea sent troops to Russia".to_string();
    texts.push(target.clone());
    texts.push(target.clone()); // a second, later copy
    store_with(store, &texts);
    for query in [
        target.clone(),
        "NORTH KOREA SENT TROOPS TO RUSSIA".into(),
        "  north   korea sent\ttroops to Russia\n".into(),
        "North\u{200B} Korea sent troops to Russia".into(),
        "Ｎｏｒｔｈ Korea sent troops to Russia".into(),
    ] {
        let found = store.similar_claims(&query, 5).unwrap();
        assert_eq!(found.len(), 5, "{query:?}");
        assert_eq!(
            (
                found[0].text.as_str(),
                found[0].score,
                found[1].text.as_str(),
                found[1].score
            ),
            (target.as_str(), 1.0, target.as_str(), 1.0),
            "{query:?}"
        );
        // Oldest first among repeats.
        assert!(found[0].claim < found[1].claim);
        assert!(found[2..].iter().all(|f| f.text != target));
    }
    // A limit of one still gives the repeat.
    assert_eq!(store.similar_claims(&target, 1).unwrap()[0].text, target);
    // Text that is not a repeat falls back to word matching.
    let found = store.similar_claims("Korea troops Russia", 3).unwrap();
    assert!(found.iter().all(|f| f.score < 1.0));
}

per_backend!(a_claim_written_behind_the_api_is_found_as_a_repeat_after_reindex);
fn a_claim_written_behind_the_api_is_found_as_a_repeat_after_reindex(desk: &Desk) {
    let store = desk.open();
    store
        .add_claim(NewClaim::factual("Indexed claim about shells"))
        .unwrap();
    match desk.path() {
        Some(db) => rusqlite_insert(&db, "Claim written by hand about shells"),
        None => postgres_insert(desk, "Claim written by hand about shells"),
    }
    // Its text key is missing until the keys are rebuilt: check says so, reindex mends it.
    let problems = store.check().unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|p| p.check == "search_index" && p.message.contains("1 claims have a missing")),
        "{problems:?}"
    );
    store.rebuild_search_index().unwrap();
    assert!(
        !store
            .check()
            .unwrap()
            .problems
            .iter()
            .any(|p| p.check == "search_index")
    );
    let found = store
        .similar_claims("claim written by hand about SHELLS", 1)
        .unwrap();
    assert_eq!(
        (found[0].text.as_str(), found[0].score),
        ("Claim written by hand about shells", 1.0)
    );
}

fn rusqlite_insert(db: &std::path::Path, text: &str) {
    // Behind the API: a raw connection writes the row and its search-index entry, but no text key.
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute(
        "INSERT INTO claims (uuid, text, kind, created_at) VALUES (randomblob(16), ?1, 'factual', 0)",
        [text],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO claims_fts (rowid, text) VALUES (last_insert_rowid(), ?1)",
        [text],
    )
    .unwrap();
}

/// The same on PostgreSQL: the search document is a generated column, so only the text key is missing.
#[cfg(feature = "postgres")]
fn postgres_insert(desk: &Desk, text: &str) {
    let mut c = backend::pg::connect(desk.location());
    c.execute(
        "INSERT INTO claims (uuid, text, kind, created_at) VALUES (gen_random_uuid(), $1, 'factual', 0)",
        &[&text],
    )
    .unwrap();
}

#[cfg(not(feature = "postgres"))]
fn postgres_insert(_desk: &Desk, _text: &str) {
    unreachable!("no PostgreSQL desk without the postgres feature")
}

per_backend!(the_command_line_finds_a_repeat_first);
fn the_command_line_finds_a_repeat_first(desk: &Desk) {
    let db = desk.location();
    let bin = env!("CARGO_BIN_EXE_claimtrack");
    let run = |args: &[&str]| {
        let out = Command::new(bin).arg("--db").arg(db).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["init"]);
    run(&[
        "import",
        "--format",
        "bundle",
        concat!(env!("CARGO_MANIFEST_DIR"), "/seeds/wonsan.json"),
    ]);
    let human = run(&[
        "similar",
        "north korea has so far shipped ABOUT 12 million artillery rounds to russia",
    ]);
    let first = human.lines().next().unwrap();
    assert!(
        first.contains("  1.00  North Korea has so far shipped about 12 million artillery rounds to Russia"),
        "{human}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["--json", "similar", "troops Russia", "--limit", "2"])).unwrap();
    let list = json["similar"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list[0]["text"].as_str().unwrap().contains("troops"));
    // Nothing similar: said so, exit 0.
    assert_eq!(run(&["similar", "zzzz qqqq"]).trim(), "no similar claims");
    // Bad input is a clear error, not a panic.
    let out = Command::new(bin)
        .arg("--db")
        .arg(db)
        .args(["similar"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

per_backend!(every_fever_claim_finds_itself_first);
fn every_fever_claim_finds_itself_first(desk: &Desk) {
    let store = &desk.open();
    let Some(dir) = std::env::var_os("CLAIMTRACK_DATA") else {
        eprintln!("CLAIMTRACK_DATA not set: FEVER skipped");
        return;
    };
    let raw = std::fs::read_to_string(std::path::Path::new(&dir).join("fever/paper_dev.jsonl")).unwrap();
    let texts: Vec<String> = raw
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["claim"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(texts.len(), 9_999);
    store_with(store, &texts);
    // 500 claims upper-cased (each lookup costs milliseconds in a debug build): the first 500 on SQLite;
    // on PostgreSQL, where a lookup costs some 100 ms in a debug build, every 100th claim of the file.
    let picked: Vec<&String> = match desk.backend() {
        Backend::Sqlite => texts.iter().take(500).collect(),
        Backend::Postgres => texts.iter().step_by(100).collect(),
    };
    let first = picked
        .iter()
        .filter(|t| {
            let found = store.similar_claims(&t.to_uppercase(), 3).unwrap();
            found.first().is_some_and(|f| f.text == ***t && f.score == 1.0)
        })
        .count();
    assert_eq!(first, picked.len());
}

per_backend!(a_text_sharing_the_hash_of_a_repeat_is_not_taken_for_it);
fn a_text_sharing_the_hash_of_a_repeat_is_not_taken_for_it(desk: &Desk) {
    // The index holds a 64-bit hash of each text's name key; two texts may share one. Forced here:
    // three claims written behind the API with the hash of "Shells fell on the border", before the
    // claim that really has that text. A lookup with a limit of one must still find the real one.
    let target = "Shells fell on the border";
    let hash = claimtrack::name_key_hash(&claimtrack::name_key(target));
    let store = desk.open();
    for impostor in ["Impostor one", "Impostor two", "Impostor three"] {
        match desk.path() {
            Some(db) => {
                // With its pair in the exact-repeat lookup's table, as the store would write it.
                let conn = rusqlite::Connection::open(db).unwrap();
                conn.execute(
                    "INSERT INTO claims (uuid, text, kind, created_at, text_key_hash) \
                     VALUES (randomblob(16), ?1, 'factual', 0, ?2)",
                    rusqlite::params![impostor, hash],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO claim_text_keys (hash, claim) VALUES (?1, last_insert_rowid())",
                    [hash],
                )
                .unwrap();
            }
            None => postgres_insert_hashed(desk, impostor, hash),
        }
    }
    let real = store.add_claim(NewClaim::factual(target)).unwrap();
    for limit in [1, 2, 10] {
        let found = store.similar_claims("shells FELL on the  border", limit).unwrap();
        assert_eq!((found[0].claim, found[0].score), (real, 1.0), "limit {limit}");
        assert!(
            found
                .iter()
                .all(|f| !f.text.starts_with("Impostor") || f.score < 1.0),
            "limit {limit}: {found:?}"
        );
    }
    // check names the impostors' keys as stale (their hash is not their text's).
    let problems = store.check().unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|p| p.check == "search_index" && p.message.contains("3 claims have a missing or stale")),
        "{problems:?}"
    );
}

#[cfg(feature = "postgres")]
fn postgres_insert_hashed(desk: &Desk, text: &str, hash: i64) {
    let mut c = backend::pg::connect(desk.location());
    c.execute(
        "INSERT INTO claims (uuid, text, kind, created_at, text_key_hash) \
         VALUES (gen_random_uuid(), $1, 'factual', 0, $2)",
        &[&text, &hash],
    )
    .unwrap();
}

#[cfg(not(feature = "postgres"))]
fn postgres_insert_hashed(_desk: &Desk, _text: &str, _hash: i64) {
    unreachable!("no PostgreSQL desk without the postgres feature")
}

/// The exact repeats among `store`'s claims of `text` (score 1.0), as texts.
fn repeats(store: &Store, text: &str) -> Vec<String> {
    store
        .similar_claims(text, 10)
        .unwrap()
        .into_iter()
        .filter(|f| f.score == 1.0)
        .map(|f| f.text)
        .collect()
}

fn no_search_index_problem(store: &Store) {
    let problems = store.check().unwrap().problems;
    assert!(
        !problems.iter().any(|p| p.check == "search_index"),
        "{problems:?}"
    );
}

per_backend!(a_batch_s_repeats_are_found_and_an_undone_write_leaves_no_key);
fn a_batch_s_repeats_are_found_and_an_undone_write_leaves_no_key(desk: &Desk) {
    // A batch gathers its claims' text keys and moves them into the lookup's table before it commits
    // (SQLite; PostgreSQL indexes the column): a key must be found after the commit, inside the batch
    // (SQLite, where the store reads in the batch's transaction), and never for a write undone by a
    // failed attempt or a failed batch.
    let store = desk.open();
    store
        .batch(|b| {
            for i in 0..300 {
                b.add_claim(NewClaim::factual(format!("Filler claim number {i} about shells")))?;
            }
            b.add_claim(NewClaim::factual("Kept claim about rockets"))?;
            let undone = b.attempt(|b| {
                b.add_claim(NewClaim::factual("Attempted claim about drones"))?;
                b.add_claim(NewClaim::factual(""))
            });
            assert!(undone.is_err());
            if desk.path().is_some() {
                assert_eq!(
                    repeats(&store, "KEPT claim about   rockets"),
                    ["Kept claim about rockets"]
                );
                assert!(repeats(&store, "Attempted claim about drones").is_empty());
            }
            b.add_claim(NewClaim::factual("Attempted claim about drones"))
                .map(|_| ())
        })
        .unwrap();
    let failed = store.batch(|b| {
        b.add_claim(NewClaim::factual("Claim of a failed batch about tanks"))?;
        b.add_claim(NewClaim::factual("  "))
    });
    assert!(failed.is_err());
    assert_eq!(
        repeats(&store, "kept claim about rockets"),
        ["Kept claim about rockets"]
    );
    // Written once, after the failed attempt: found once.
    assert_eq!(
        repeats(&store, "attempted claim about drones"),
        ["Attempted claim about drones"]
    );
    assert!(repeats(&store, "Claim of a failed batch about tanks").is_empty());
    assert_eq!(repeats(&store, "filler claim number 299 about shells").len(), 1);
    no_search_index_problem(&store);
}

per_backend!(a_claim_whose_text_changes_in_a_batch_keeps_only_its_current_key);
fn a_claim_whose_text_changes_in_a_batch_keeps_only_its_current_key(desk: &Desk) {
    // One JSON Lines file that writes a claim and then the same claim with another text: the second
    // line replaces the first inside the same batch, so only the new text is a repeat afterwards, and
    // `check` finds the lookup's pairs to be exactly the claims' (no pair left of the old text).
    let store = desk.open();
    let first = NewClaim::factual("Old wording about the border")
        .into_claim()
        .unwrap();
    let mut second = first.clone();
    second.text = "New wording about the border".into();
    let bundle = Bundle {
        claims: vec![first.clone(), second],
        ..Bundle::default()
    };
    let mut file = Vec::new();
    claimtrack::io::jsonl::write_bundle(&bundle, &mut file).unwrap();
    claimtrack::io::jsonl::import(&store, file.as_slice(), ImportOptions::default()).unwrap();
    assert_eq!(
        store.claim(first.id).unwrap().text,
        "New wording about the border"
    );
    assert!(repeats(&store, "old wording about the border").is_empty());
    assert_eq!(
        repeats(&store, "new wording about the border"),
        ["New wording about the border"]
    );
    no_search_index_problem(&store);
}

// SQLite only for good: the pairs' own table exists on SQLite alone (PostgreSQL indexes the column, and
// the stale-key test above covers it).
backend::sqlite_only!(a_lookup_pair_deleted_or_forged_by_hand_is_named_by_check_and_mended_by_reindex);
fn a_lookup_pair_deleted_or_forged_by_hand_is_named_by_check_and_mended_by_reindex(desk: &Desk) {
    let store = desk.open();
    store
        .add_claim(NewClaim::factual("A claim whose pair goes"))
        .unwrap();
    store.add_claim(NewClaim::factual("A claim left alone")).unwrap();
    let conn = rusqlite::Connection::open(desk.path().unwrap()).unwrap();
    conn.execute_batch(
        "DELETE FROM claim_text_keys WHERE claim = (SELECT min(id) FROM claims); \
         INSERT INTO claim_text_keys (hash, claim) VALUES (42, 987654);",
    )
    .unwrap();
    let problems = store.check().unwrap().problems;
    assert!(
        problems.iter().any(|p| p.check == "search_index"
            && p.message
                .contains("misses 1 claims and holds 1 pairs of no claim")),
        "{problems:?}"
    );
    store.rebuild_search_index().unwrap();
    no_search_index_problem(&store);
    assert_eq!(repeats(&store, "a claim whose pair goes").len(), 1);
    assert_eq!(repeats(&store, "a claim left alone").len(), 1);
    // The table dropped by hand: check still runs to its end and names it, as any missing table.
    conn.execute_batch("DROP TABLE claim_text_keys").unwrap();
    let problems = store.check().unwrap().problems;
    for (check, text) in [
        ("schema", "table claim_text_keys is missing"),
        ("search_index", "claim_text_keys) cannot be read"),
    ] {
        assert!(
            problems
                .iter()
                .any(|p| p.check == check && p.message.contains(text)),
            "{check}: {problems:?}"
        );
    }
}
