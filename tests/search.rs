//! Full-text search through the public API: triggers keep the index in step, ranking, snippets, and
//! hostile queries that must never reach FTS5 as syntax.

#[path = "common/backend.rs"]
mod backend;

use backend::{Desk, per_backend, sqlite_only};
use claimtrack::analysis::{MAX_SEARCH_TERMS, MatchedIn, SEARCH_COMMON_ROWS, SEARCH_RANK_WINDOW};
use claimtrack::io::{ImportOptions, bundle};
use claimtrack::{Error, NewAttribution, NewClaim, NewEvidence, NewSource, SourceKind, Stance, Store};

fn seed(store: &Store) {
    claimtrack::seeds::load_wonsan(store).unwrap();
}

fn texts(store: &Store, q: &str) -> Vec<String> {
    store
        .search(q, 50)
        .unwrap()
        .into_iter()
        .map(|h| h.claim_text)
        .collect()
}

per_backend!(finds_seed_claims_with_snippets);
fn finds_seed_claims_with_snippets(store: &Store) {
    seed(store);
    let hits = store.search("12 million", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0].claim_text,
        "North Korea has so far shipped about 12 million artillery rounds to Russia"
    );
    assert_eq!(hits[0].matched_in, MatchedIn::ClaimText);
    assert!(hits[0].snippet.contains("[12] [million]"), "{}", hits[0].snippet);
    // Case does not matter, on either engine.
    assert_eq!(texts(store, "ARTILLERY Rounds").len(), 1);
    assert_eq!(texts(store, "troops").len(), 2);
}

// PostgreSQL: FTS5-only (its unicode61 tokenizer folds accents, the porter stemmer English endings);
// PostgreSQL's `simple` configuration does neither, as the README says.
sqlite_only!(accents_and_english_endings_do_not_matter);
fn accents_and_english_endings_do_not_matter(store: &Store) {
    seed(store);
    assert_eq!(texts(store, "ARTILLERY Róunds").len(), 1);
    assert_eq!(texts(store, "troop").len(), 2);
}

per_backend!(every_word_must_match_and_one_hit_per_claim);
fn every_word_must_match_and_one_hit_per_claim(store: &Store) {
    seed(store);
    // "unconditionally" is in the pledge's text, its quote and both evidence excerpts: one hit.
    let hits = store.search("unconditionally support", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(hits[0].claim_text.starts_with("North Korea is ready"));
    assert!(texts(store, "unconditionally Wonsan").is_empty());
}

per_backend!(quotes_and_excerpts_are_searched);
fn quotes_and_excerpts_are_searched(store: &Store) {
    seed(store);
    // "brotherhood" is in the opinion's text and its quote; "reaffirmed" only in the pledge's quote and
    // KCNA's excerpt.
    let hits = store.search("reaffirmed", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(matches!(
        hits[0].matched_in,
        MatchedIn::Quote(_) | MatchedIn::Excerpt(_)
    ));
    assert!(hits[0].snippet.contains("[reaffirmed]"));
}

per_backend!(more_relevant_claims_rank_first);
fn more_relevant_claims_rank_first(store: &Store) {
    let long = store
        .add_claim(NewClaim::factual(
            "The ministry said on Tuesday that grain exports through the port of Odesa rose again in the \
             spring after a long pause caused by the blockade",
        ))
        .unwrap();
    let short = store.add_claim(NewClaim::factual("Grain exports rose")).unwrap();
    let hits = store.search("grain exports", 10).unwrap();
    assert_eq!(
        hits.iter().map(|h| h.claim).collect::<Vec<_>>(),
        vec![short, long]
    );
    assert!(hits[0].score > hits[1].score);
    assert_eq!(store.search("grain exports", 1).unwrap().len(), 1);
    assert!(store.search("grain exports", 0).unwrap().is_empty());
}

per_backend!(triggers_keep_the_index_in_step);
fn triggers_keep_the_index_in_step(store: &Store) {
    let s = store
        .add_source(NewSource::new("Agency", SourceKind::NewsAgency))
        .unwrap();
    let id = store.add_claim(NewClaim::factual("Zanzibar cloves")).unwrap();
    assert_eq!(texts(store, "zanzibar").len(), 1);

    let mut c = store.claim(id).unwrap();
    c.text = "Madagascar vanilla".into();
    store.update_claim(&c).unwrap();
    assert!(texts(store, "zanzibar").is_empty());
    assert_eq!(texts(store, "vanilla").len(), 1);

    let a = store
        .attribute(id, NewAttribution::said_by(s).quote("a quotable quokka"))
        .unwrap();
    let e = store
        .add_evidence(
            id,
            NewEvidence::new(s, Stance::Supports).excerpt("an exemplary excerpt"),
        )
        .unwrap();
    assert!(matches!(store.search("quokka", 5).unwrap()[0].matched_in, MatchedIn::Quote(x) if x == a));
    assert!(matches!(store.search("exemplary", 5).unwrap()[0].matched_in, MatchedIn::Excerpt(x) if x == e));

    let mut ev = store.evidence(e).unwrap();
    ev.excerpt = None;
    store.update_evidence(&ev).unwrap();
    assert!(texts(store, "exemplary").is_empty());
    let mut at = store.attribution(a).unwrap();
    at.quote = Some("a different wombat".into());
    store.update_attribution(&at).unwrap();
    assert!(texts(store, "quokka").is_empty());
    assert_eq!(texts(store, "wombat").len(), 1);

    store.delete_attribution(a).unwrap();
    store.delete_evidence(e).unwrap();
    assert!(texts(store, "wombat").is_empty());
    store.delete_claim(id).unwrap();
    assert!(texts(store, "vanilla").is_empty());
}

per_backend!(reopening_a_desk_keeps_the_index);
fn reopening_a_desk_keeps_the_index(desk: &Desk) {
    // Reopening runs no migration twice and the index survives.
    {
        let store = desk.open();
        claimtrack::seeds::load_wonsan(&store).unwrap();
    }
    let store = desk.open();
    assert_eq!(store.schema_version().unwrap(), claimtrack::SCHEMA_VERSION);
    assert_eq!(texts(&store, "Kursk").len(), 2);
}

per_backend!(hostile_queries_return_results_or_typed_errors);
fn hostile_queries_return_results_or_typed_errors(store: &Store) {
    seed(store);
    let before = store.counts().unwrap();
    let long_words = "Kursk ".repeat(2_000);
    let long_blob = "x".repeat(10_000);
    let hostile: Vec<&str> = vec![
        "\"12 million",
        "\"",
        "\"\"",
        "NEAR(",
        "NEAR(troops Russia, 2)",
        "AND",
        "OR",
        "NOT",
        "troops AND",
        "* troops",
        "*",
        "troo*",
        "^North",
        "text:North",
        "claims_fts:North",
        "{text quote}: North",
        "-North",
        "+North",
        "(North",
        "North)",
        "'; DROP TABLE claims; --",
        "\0",
        "North\0Korea",
        "",
        "   ",
        "\t\n",
        &long_words,
        &long_blob,
        "북한 군대",
        "كوريا الشمالية",
        "🚀🚀",
        "\u{202e}evil",
        "%_%",
    ];
    for q in hostile {
        match store.search(q, 10) {
            Ok(_) => {}
            Err(e @ Error::Invalid { .. }) => println!("refused {q:?}: {e}"),
            Err(e) => panic!("query {:?} gave {e:?}", q.chars().take(40).collect::<String>()),
        }
    }
    // What the hostile queries mean when read as words:
    assert_eq!(texts(store, "\"12 million").len(), 1);
    assert_eq!(texts(store, "* troops").len(), 2);
    let and = store.search("AND", 50).unwrap();
    assert!(!and.is_empty());
    assert!(
        and.iter().all(|h| h.snippet.to_lowercase().contains("[and]")),
        "{and:?}"
    );
    assert!(texts(store, "").is_empty());
    assert!(texts(store, "*").is_empty());
    assert!(texts(store, "NEAR(").is_empty());
    // 2,000 × "Kursk" (12,000 characters) is one distinct word: the two Kursk claims.
    assert_eq!(texts(store, &long_words).len(), 2);
    assert_eq!(store.counts().unwrap(), before, "a search changed the database");
}

per_backend!(korean_and_arabic_text_is_found);
fn korean_and_arabic_text_is_found(store: &Store) {
    let ko = store
        .add_claim(NewClaim::factual("북한은 러시아에 군대를 파견했다").language("ko"))
        .unwrap();
    let ar = store
        .add_claim(NewClaim::factual("أرسلت كوريا الشمالية قوات إلى روسيا").language("ar"))
        .unwrap();
    let hits = store.search("러시아에", 5).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].claim, ko);
    assert!(hits[0].snippet.contains("[러시아에]"));
    let hits = store.search("كوريا الشمالية", 5).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].claim, ar);
}

per_backend!(very_long_queries_use_the_first_terms);
fn very_long_queries_use_the_first_terms(store: &Store) {
    seed(store);
    // The first MAX_SEARCH_TERMS distinct words are used; later ones cannot narrow the result.
    let mut q: Vec<String> = vec!["Kursk".to_string()];
    q.extend((1..MAX_SEARCH_TERMS).map(|_| "Kursk".to_string()));
    q.extend((0..100).map(|i| format!("zz{i}")));
    let found = texts(store, &q.join(" "));
    // "Kursk" once, then 31 distinct nonsense words that match nothing: no result.
    assert!(found.is_empty());
    let mut q = vec!["Kursk".to_string()];
    q.extend((0..100).map(|_| "Kursk".to_string()));
    q.push("zz".into());
    // Repeats are folded, so "zz" is within the limit and narrows to nothing; without it two hits.
    assert!(texts(store, &q.join(" ")).is_empty());
    assert_eq!(texts(store, &"Kursk ".repeat(200)).len(), 2);
}

per_backend!(common_words_beyond_the_rank_window_still_answer);
fn common_words_beyond_the_rank_window_still_answer(desk: &Desk) {
    let store = &desk.open();
    // More rows than SEARCH_COMMON_ROWS hold "war" and "front": both words are common.
    let n = SEARCH_COMMON_ROWS + 50;
    assert!(SEARCH_RANK_WINDOW < n);
    let mut bundle = claimtrack::Bundle::default();
    for i in 0..n {
        bundle.claims.push(
            NewClaim::factual(format!("the war report number {i} from the front"))
                .into_claim()
                .unwrap(),
        );
    }
    // One old claim that is a much better match for "war front" than the rest.
    bundle
        .claims
        .insert(0, NewClaim::factual("war front").into_claim().unwrap());
    bundle::import(store, &bundle, ImportOptions::default()).unwrap();
    let hits = store.search("war front", 5).unwrap();
    assert_eq!(hits.len(), 5);
    // Only the newest SEARCH_RANK_WINDOW matches are ranked: the oldest claim is outside that window, as
    // documented, and the hits are the best of the window.
    assert!(hits.iter().all(|h| h.claim_text != "war front"));
    // An uncommon word among them reaches every match, however old.
    let hits = store.search("war front 7", 3).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].claim_text, "the war report number 7 from the front");
    // With fewer matches than SEARCH_COMMON_ROWS, everything is ranked and the best match wins.
    let small_desk = desk.another("common_words_small");
    let small = small_desk.open();
    let mut bundle = claimtrack::Bundle::default();
    bundle
        .claims
        .push(NewClaim::factual("war front").into_claim().unwrap());
    for i in 0..SEARCH_RANK_WINDOW + 20 {
        bundle.claims.push(
            NewClaim::factual(format!("the war report number {i} from the front"))
                .into_claim()
                .unwrap(),
        );
    }
    bundle::import(&small, &bundle, ImportOptions::default()).unwrap();
    assert_eq!(small.search("war front", 1).unwrap()[0].claim_text, "war front");
}

per_backend!(similar_claims_on_the_seed_and_on_hostile_text);
fn similar_claims_on_the_seed_and_on_hostile_text(store: &Store) {
    seed(store);
    let found = store
        .similar_claims("North Korea sent more than 10,000 soldiers to Russia", 3)
        .unwrap();
    assert_eq!(found.len(), 3);
    assert!(
        found[0]
            .text
            .starts_with("North Korea has deployed more than 10,000"),
        "{found:?}"
    );
    assert!(found[0].score > found[1].score);
    assert!(found.iter().all(|f| (0.0..=1.0).contains(&f.score)));
    let blob = "x".repeat(10_000);
    let words = "Kursk troops ".repeat(1_000);
    for q in [
        "",
        "   ",
        "\"",
        "NEAR(",
        "*",
        "AND OR NOT",
        "북한 군대",
        "كوريا",
        "\0",
        &blob,
        &words,
    ] {
        store.similar_claims(q, 5).unwrap();
    }
    assert!(store.similar_claims("", 5).unwrap().is_empty());
    assert!(store.similar_claims("Kursk", 0).unwrap().is_empty());
    assert!(!store.similar_claims(&words, 5).unwrap().is_empty());
}

/// The claim index's segments and its `automerge` setting, read from the file by hand.
fn claim_index(path: &std::path::Path) -> (i64, i64) {
    let raw = rusqlite::Connection::open(path).unwrap();
    let segments = raw
        .query_row("SELECT count(DISTINCT segid) FROM claims_fts_idx", [], |r| {
            r.get(0)
        })
        .unwrap();
    let automerge = raw
        .query_row("SELECT v FROM claims_fts_config WHERE k = 'automerge'", [], |r| {
            r.get(0)
        })
        .unwrap_or(4); // absent: FTS5's default
    (segments, automerge)
}

#[test]
fn a_batch_that_doubles_the_claims_leaves_their_index_in_one_segment_and_a_small_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let store = Store::open(&path).unwrap();
    // Single writes: each commit adds a segment, which FTS5's incremental merging folds only now and
    // then, so the index is left in several.
    for i in 0..40 {
        store
            .add_claim(NewClaim::factual(format!("troops claim {i}")))
            .unwrap();
    }
    let (before, _) = claim_index(&path);
    assert!(before > 1, "{before} segments after 40 single writes");
    // A batch smaller than half of what is stored: not merged (the merge reads the whole index).
    store
        .batch(|b| {
            for i in 0..5 {
                b.add_claim(NewClaim::factual(format!("small batch {i}")))?;
            }
            Ok(())
        })
        .unwrap();
    let (after_small, automerge) = claim_index(&path);
    assert!(
        after_small > 1,
        "a small batch merged the index into {after_small}"
    );
    assert_eq!(automerge, 4, "the batch turned incremental merging back on");
    // A batch that writes at least half of the claims: merged into one.
    store
        .batch(|b| {
            for i in 0..50 {
                b.add_claim(NewClaim::factual(format!("big batch troops {i}")))?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(claim_index(&path), (1, 4));
    assert_eq!(store.search("troops", 200).unwrap().len(), 90);
    // A failed batch leaves the setting as it was (rolled back with the rest).
    let failed = store.batch(|b| {
        for i in 0..200 {
            b.add_claim(NewClaim::factual(format!("undone {i}")))?;
        }
        b.add_claim(NewClaim::factual(" "))
    });
    assert!(failed.is_err());
    assert_eq!(claim_index(&path), (1, 4));
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap());
}
