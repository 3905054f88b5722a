//! Search and similar claims give the same answers on SQLite and on PostgreSQL, except where the
//! engines' word handling differs (docs/postgres.md: PostgreSQL's `simple` configuration neither stems
//! English nor folds diacritics), which is asserted here too, so a change on either side is noticed.
//!
//! The same corpus is written to both: through the API on SQLite, then moved to PostgreSQL with
//! `Store::copy_to` (ids kept, so ties break alike). Needs a server for the PostgreSQL half:
//!
//! ```sh
//! eval "$(scripts/pg-test-server start)"
//! cargo test --features postgres --test search_backends
//! scripts/pg-test-server stop
//! ```
//!
//! Without `CLAIMTRACK_TEST_PG` the tests say so on stderr and check nothing; under `CI=true` a missing
//! server fails them.
#![cfg(feature = "postgres")]

use std::io::Write as _;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

use claimtrack::analysis::{MatchedIn, SEARCH_COMMON_ROWS, SEARCH_RANK_WINDOW};
use claimtrack::io::{ImportOptions, bundle};
use claimtrack::{Bundle, NewAttribution, NewClaim, NewEvidence, NewSource, SourceKind, Stance, Store};
use postgres::{Config, NoTls};

/// One claim of the corpus: its text, the quotes of its attributions and the excerpts of its evidence.
struct Doc {
    text: &'static str,
    quotes: &'static [&'static str],
    excerpts: &'static [&'static str],
}

const CORPUS: &[Doc] = &[
    Doc {
        text: "North Korea has deployed more than 10,000 troops to Russia",
        quotes: &["Our troops fight beside the Russian army"],
        excerpts: &["South Korea's intelligence service counted 11,000 soldiers"],
    },
    Doc {
        text: "North Korea has so far shipped about 12 million artillery rounds to Russia",
        quotes: &[],
        excerpts: &["about 12 million rounds, said the defence ministry's intelligence arm"],
    },
    Doc {
        text: "Grain exports rose",
        quotes: &[],
        excerpts: &[],
    },
    Doc {
        text: "The ministry said on Tuesday that grain exports through the port of Odesa rose again in \
               the spring after a long pause caused by the blockade",
        quotes: &[],
        excerpts: &[],
    },
    Doc {
        text: "Lavrov met Kim on the coast",
        quotes: &["we met in Wonsan, an invincible fighting brotherhood"],
        excerpts: &["Wonsan"],
    },
    Doc {
        text: "Sergei Lavrov arrived in Wonsan for talks",
        quotes: &[],
        excerpts: &[],
    },
    Doc {
        text: "A single troop train left Pjöngjang",
        quotes: &[],
        excerpts: &[],
    },
    Doc {
        text: "Северная Корея отправила войска в Россию",
        quotes: &["Россию поддержим"],
        excerpts: &[],
    },
    Doc {
        text: "북한이 러시아에 군대를 파견했다",
        quotes: &[],
        excerpts: &[],
    },
    Doc {
        text: "It's a claim with \"quotes\", a back\\slash and NEAR( AND * col:x & ! <-> :* in it",
        quotes: &[],
        excerpts: &[],
    },
];

/// Claims that make "report" and "front" common words (more than SEARCH_COMMON_ROWS rows each).
fn common_texts() -> Vec<String> {
    (0..SEARCH_COMMON_ROWS + 30)
        .map(|i| format!("the war report number {i} from the front"))
        .collect()
}

fn sqlite_store() -> Store {
    let store = Store::open_in_memory().unwrap();
    let src = store
        .add_source(NewSource::new("Wire", SourceKind::NewsAgency))
        .unwrap();
    for d in CORPUS {
        let claim = store.add_claim(NewClaim::factual(d.text)).unwrap();
        for q in d.quotes {
            store
                .attribute(claim, NewAttribution::said_by(src).quote(*q))
                .unwrap();
        }
        for x in d.excerpts {
            store
                .add_evidence(claim, NewEvidence::new(src, Stance::Supports).excerpt(*x))
                .unwrap();
        }
    }
    let mut b = Bundle::default();
    for t in common_texts() {
        b.claims.push(NewClaim::factual(t).into_claim().unwrap());
    }
    bundle::import(&store, &b, ImportOptions::default()).unwrap();
    store
}

/// A database of its own on the test server, dropped at the end.
struct TestDb {
    admin: String,
    name: String,
    url: String,
}

impl TestDb {
    fn new() -> Option<TestDb> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let Ok(admin) = std::env::var("CLAIMTRACK_TEST_PG") else {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(!ci, "CI=true but CLAIMTRACK_TEST_PG is not set");
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: tests/search_backends.rs needs CLAIMTRACK_TEST_PG \
                 (eval \"$(scripts/pg-test-server start)\")"
            );
            return None;
        };
        let name = format!(
            "claimtrack_search_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut c = Config::from_str(&admin).unwrap().connect(NoTls).unwrap();
        // Our own identifier (digits and underscores), not user text.
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
        let mut config = Config::from_str(&admin).unwrap();
        config.dbname(&name);
        // The store's URL: the test server's with this database's name.
        let url = match admin.rfind('/') {
            Some(i) if admin.starts_with("postgres") => {
                let (base, rest) = admin.split_at(i);
                let query = rest.find('?').map(|q| &rest[q..]).unwrap_or("");
                format!("{base}/{name}{query}")
            }
            _ => format!("{admin} dbname={name}"),
        };
        Some(TestDb { admin, name, url })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = Config::from_str(&self.admin).and_then(|c| c.connect(NoTls)) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

/// Both stores over the same corpus, or `None` without a server.
fn both() -> Option<(Store, Store, TestDb)> {
    let db = TestDb::new()?;
    let pg = Store::open(&db.url).unwrap();
    let lite = sqlite_store();
    lite.copy_to(&pg).unwrap();
    Some((lite, pg, db))
}

/// What a search shows, without ids (which differ between the stores): text, where it matched, snippet.
fn shown(store: &Store, q: &str, limit: usize) -> Vec<(String, &'static str, String)> {
    store
        .search(q, limit)
        .unwrap_or_else(|e| panic!("{q:?}: {e}"))
        .into_iter()
        .map(|h| {
            let field = match h.matched_in {
                MatchedIn::ClaimText => "text",
                MatchedIn::Quote(_) => "quote",
                MatchedIn::Excerpt(_) => "excerpt",
                _ => "other",
            };
            (h.claim_text, field, h.snippet)
        })
        .collect()
}

#[test]
fn the_shared_cases_answer_alike_on_both_engines() {
    let Some((lite, pg, _db)) = both() else { return };
    for q in [
        // Ranking: the shorter passage first; every word must match.
        "grain exports",
        "grain Odesa",
        "grain Wonsan",
        // A claim's own text before a quote or an excerpt; quotes and excerpts are searched.
        "Wonsan",
        "brotherhood",
        "intelligence",
        "12 million",
        "\"12 million",
        "10,000",
        // Case folding in every script.
        "ВОЙСКА",
        "россию",
        "러시아에",
        // Search syntax of either engine is text.
        "NEAR( AND",
        "it's",
        "back\\slash",
        "col:x",
        "* artillery",
        "artillery AND",
        "& ! <-> :*",
        "''",
        "\\",
        // Common words: the newest SEARCH_RANK_WINDOW matches are ranked, on both with the same formula.
        "report front",
        "war report 7",
        "the",
        "nothing matches this",
    ] {
        let a = shown(&lite, q, 10);
        let b = shown(&pg, q, 10);
        assert_eq!(a, b, "{q:?}");
    }
    // The cases above are not vacuous.
    assert_eq!(shown(&pg, "grain exports", 10)[0].0, "Grain exports rose");
    assert_eq!(shown(&pg, "grain exports", 10).len(), 2);
    let wonsan = shown(&pg, "Wonsan", 10);
    assert_eq!(
        wonsan.iter().map(|h| h.1).collect::<Vec<_>>(),
        ["text", "excerpt"],
        "{wonsan:?}"
    );
    assert_eq!(shown(&pg, "ВОЙСКА", 10).len(), 1);
    assert_eq!(shown(&pg, "it's", 10).len(), 1);
    assert_eq!(shown(&pg, "back\\slash", 10).len(), 1);
    let common = shown(&pg, "report front", 10);
    assert_eq!(common.len(), 10);
    // Equal scores: the newest first, from the ranked window of the newest matches.
    assert_eq!(
        common[0].0,
        format!("the war report number {} from the front", SEARCH_COMMON_ROWS + 29)
    );
    assert!(SEARCH_RANK_WINDOW >= common.len());
    assert_eq!(
        shown(&pg, "war report 7", 10)[0].0,
        "the war report number 7 from the front"
    );
}

#[test]
fn where_the_engines_differ_is_what_docs_postgres_md_says() {
    let Some((lite, pg, _db)) = both() else { return };
    // SQLite's Porter stemmer: "troop" finds "troops" and "troop"; `simple` matches words exactly.
    assert_eq!(shown(&lite, "troop", 10).len(), 2);
    let exact = shown(&pg, "troop", 10);
    assert_eq!(exact.len(), 1);
    assert_eq!(exact[0].0, "A single troop train left Pjöngjang");
    // SQLite folds diacritics; `simple` does not.
    assert_eq!(shown(&lite, "Pjongjang", 10).len(), 1);
    assert!(shown(&pg, "Pjongjang", 10).is_empty());
    assert_eq!(shown(&pg, "PJÖNGJANG", 10).len(), 1);
}

#[test]
fn similar_claims_agree_on_both_engines() {
    let Some((lite, pg, _db)) = both() else { return };
    for q in [
        "North Korea sent more than 10,000 soldiers to Russia",
        "Pyongyang has shipped roughly 12 million artillery shells to Russia",
        "grain exports from Odesa rose",
        "war report number 12 from the front",
        "Северная Корея отправила войска",
    ] {
        let a: Vec<(String, String)> = lite
            .similar_claims(q, 3)
            .unwrap()
            .into_iter()
            .map(|s| (s.text, format!("{:.6}", s.score)))
            .collect();
        let b: Vec<(String, String)> = pg
            .similar_claims(q, 3)
            .unwrap()
            .into_iter()
            .map(|s| (s.text, format!("{:.6}", s.score)))
            .collect();
        assert_eq!(a, b, "{q:?}");
        assert!(!b.is_empty(), "{q:?}");
    }
    // An exact repeat (by name key) comes first with score 1 on both.
    let repeat = pg.similar_claims("  GRAIN exports   rose ", 2).unwrap();
    assert_eq!(repeat[0].text, "Grain exports rose");
    assert_eq!(repeat[0].score, 1.0);
    assert!(pg.similar_claims("", 5).unwrap().is_empty());
    assert!(pg.similar_claims("— … —", 5).unwrap().is_empty());
}
