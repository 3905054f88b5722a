//! Bundle JSON and JSON Lines: lossless round trips, idempotent re-import, and malformed input that
//! leaves the database byte-for-byte unchanged.

#[path = "common/backend.rs"]
mod backend;

use backend::per_backend;
use claimtrack::ClaimLink;
use claimtrack::io::ImportOptions;
use std::io::Read;
use std::path::{Path, PathBuf};

use claimtrack::io::{bundle, jsonl};
use claimtrack::{
    Bound, ClaimKind, Error, LinkKind, NewAttribution, NewClaim, NewEvidence, NewReview, NewSource,
    PartialDate, Quantity, Rating, SourceKind, Stance, Store, Verdict,
};
use proptest::prelude::*;

/// The seed article and a rated review, in a fresh store.
fn seeded(store: &Store) {
    claimtrack::seeds::load_wonsan(store).unwrap();
    // Something the seed does not have: a review with a rating.
    let claim = store.claims().unwrap()[2].id;
    let desk = store
        .add_source(NewSource::new("Desk", SourceKind::Organisation))
        .unwrap();
    store
        .add_review(
            claim,
            NewReview::new(Verdict::MostlyTrue)
                .label("Mostly true")
                .rating(Rating::new(4.0, 1.0, 5.0))
                .by(desk),
        )
        .unwrap();
    // And records that no longer count: a revised and a retracted evidence record, a corrected and a
    // retracted review. Their standings must survive every export (JSON Lines lost them before version 2).
    let evidence = bundle::export(store).unwrap().evidence;
    let first = &evidence[0];
    store
        .revise_evidence(
            first.id,
            NewEvidence::new(first.source.unwrap(), Stance::Mixed).excerpt("a closer reading"),
            "the excerpt was cut short",
        )
        .unwrap();
    store
        .retract_evidence(evidence[1].id, "the source withdrew it")
        .unwrap();
    let reviewed = store.add_review(claim, NewReview::new(Verdict::False)).unwrap();
    store
        .correct_review(reviewed, NewReview::new(Verdict::Mixed), "new footage")
        .unwrap();
    let other = store.add_review(claim, NewReview::new(Verdict::True)).unwrap();
    store.retract_review(other, "published by mistake").unwrap();
    let b = bundle::export(store).unwrap();
    assert_eq!((b.evidence_standings.len(), b.review_standings.len()), (2, 2));
}

/// The store as bundle text, checking on the way that the streamed export writes the very same bytes.
fn bundle_text(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    bundle::export(store)
        .and_then(|v| bundle::write_bundle(&v, &mut out))
        .unwrap();
    let mut streamed = Vec::new();
    bundle::export_to(store, &mut streamed).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&streamed),
        String::from_utf8_lossy(&out),
        "export_to differs from write_bundle(export)"
    );
    out
}

per_backend!(the_streamed_bundle_export_writes_what_the_whole_one_does_whatever_is_empty);
fn the_streamed_bundle_export_writes_what_the_whole_one_does_whatever_is_empty(store: &Store) {
    // Empty, then a claim alone (no sources, no publications), then a source alone would leave lists
    // empty before and after the ones written; the seeded store has every list and both standings.
    let empty = bundle_text(store);
    assert!(String::from_utf8_lossy(&empty).contains("\"sources\": [],\n  \"publications\": []"));
    store.add_claim(NewClaim::factual("A claim alone")).unwrap();
    bundle_text(store);
    store
        .add_source(NewSource::new(
            "A source \"quoted\"\nover two lines",
            SourceKind::Person,
        ))
        .unwrap();
    bundle_text(store);
    seeded(store);
    let text = bundle_text(store);
    assert!(String::from_utf8_lossy(&text).contains("\"review_standings\": [\n    {"));
    // A writer that fails part-way gives an error, never a panic.
    struct Full(usize);
    impl std::io::Write for Full {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            if self.0 < b.len() {
                return Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "full"));
            }
            self.0 -= b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    for room in [0, 10, 1_000, text.len() - 1] {
        assert!(
            matches!(bundle::export_to(store, Full(room)), Err(Error::Io(_))),
            "room {room}"
        );
    }
}

fn jsonl_text(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    jsonl::export(store, &mut out).unwrap();
    out
}

per_backend!(bundle_export_import_export_is_identical_and_reimport_changes_nothing);
fn bundle_export_import_export_is_identical_and_reimport_changes_nothing(store: &Store) {
    seeded(store);
    let first = bundle_text(store);
    let copy = Store::open_in_memory().unwrap();
    let s = bundle::read_bundle(first.as_slice())
        .and_then(|v| bundle::import(&copy, &v, ImportOptions::default()))
        .unwrap();
    assert_eq!(s.inserted as usize, bundle::export(store).unwrap().len());
    assert_eq!(bundle_text(&copy), first);
    let again = bundle::read_bundle(first.as_slice())
        .and_then(|v| bundle::import(&copy, &v, ImportOptions::default()))
        .unwrap();
    assert_eq!((again.inserted, again.updated), (0, 0));
    // Records and standings alike are found unchanged.
    assert_eq!(again.unchanged, s.inserted + s.updated);
    assert_eq!(bundle_text(&copy), first);
}

per_backend!(jsonl_export_import_export_is_identical_and_reimport_changes_nothing);
fn jsonl_export_import_export_is_identical_and_reimport_changes_nothing(store: &Store) {
    seeded(store);
    let first = jsonl_text(store);
    assert!(first.starts_with(b"{\"format\":\"claimtrack-jsonl\",\"version\":2}\n"));
    assert!(String::from_utf8_lossy(&first).contains("{\"evidence_standing\":"));
    assert!(String::from_utf8_lossy(&first).contains("{\"review_standing\":"));
    let copy = Store::open_in_memory().unwrap();
    jsonl::import(&copy, first.as_slice(), ImportOptions::default()).unwrap();
    assert_eq!(jsonl_text(&copy), first);
    assert_eq!(bundle_text(&copy), bundle_text(store));
    let again = jsonl::import(&copy, first.as_slice(), ImportOptions::default()).unwrap();
    assert_eq!((again.inserted, again.updated), (0, 0));
}

per_backend!(a_version_1_jsonl_file_still_imports_and_an_unknown_version_is_refused);
fn a_version_1_jsonl_file_still_imports_and_an_unknown_version_is_refused(store: &Store) {
    seeded(store);
    let text = String::from_utf8(jsonl_text(store)).unwrap();
    // Version 1 had no standing lines: what it holds imports, every record counting.
    let v1: String = text
        .replacen("\"version\":2", "\"version\":1", 1)
        .lines()
        .filter(|l| !l.contains("_standing\":"))
        .map(|l| format!("{l}\n"))
        .collect();
    let copy = Store::open_in_memory().unwrap();
    jsonl::import(&copy, v1.as_bytes(), ImportOptions::default()).unwrap();
    let b = bundle::export(&copy).unwrap();
    assert_eq!(b.evidence.len(), bundle::export(store).unwrap().evidence.len());
    assert!(b.evidence_standings.is_empty());
    let v3 = text.replacen("\"version\":2", "\"version\":3", 1);
    let err = jsonl::import(&copy, v3.as_bytes(), ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("version"), "{err}");
}

per_backend!(one_claim_exports_with_what_it_needs_and_imports_alone);
fn one_claim_exports_with_what_it_needs_and_imports_alone(store: &Store) {
    seeded(store);
    for claim in store.claims().unwrap() {
        let mut out = Vec::new();
        jsonl::export_claim(store, claim.id, &mut out).unwrap();
        let copy = Store::open_in_memory().unwrap();
        jsonl::import(&copy, out.as_slice(), ImportOptions::default()).unwrap();
        assert_eq!(copy.claim(claim.id).unwrap(), claim);
        assert_eq!(
            copy.attributions_of(claim.id).unwrap(),
            store.attributions_of(claim.id).unwrap()
        );
        assert_eq!(
            copy.evidence_of(claim.id).unwrap(),
            store.evidence_of(claim.id).unwrap()
        );
        assert_eq!(
            copy.reviews_of(claim.id).unwrap(),
            store.reviews_of(claim.id).unwrap()
        );
        assert_eq!(
            copy.links_of(claim.id).unwrap(),
            store.links_of(claim.id).unwrap()
        );
        // What no longer counts still does not (the seeded store has withdrawn evidence and reviews).
        assert_eq!(
            copy.current_evidence_of(claim.id).unwrap(),
            store.current_evidence_of(claim.id).unwrap()
        );
        assert_eq!(
            copy.current_reviews_of(claim.id).unwrap(),
            store.current_reviews_of(claim.id).unwrap()
        );
        assert!(copy.check().unwrap().is_ok());
    }
}

// ------------------------------------------------------------------------------------ malformed input

struct TempDir(PathBuf);
impl TempDir {
    fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!("claimtrack-io-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file of the database (the main file, and any -wal / -shm left behind), as bytes.
fn snapshot(db: &Path) -> Vec<(String, Vec<u8>)> {
    let dir = db.parent().unwrap();
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("desk.db"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn expect_parse(err: Error, location_has: &str, field: Option<&str>) {
    match err {
        Error::Parse {
            location,
            field: f,
            reason,
        } => {
            assert!(
                location.contains(location_has),
                "location {location:?} lacks {location_has:?} ({reason})"
            );
            if let Some(want) = field {
                assert_eq!(f, want, "{location}: {reason}");
            }
            assert!(!reason.is_empty());
        }
        other => panic!("expected a parse error at {location_has}, got {other:?}"),
    }
}

#[test]
fn malformed_files_are_refused_naming_where_and_leave_the_database_unchanged() {
    let dir = TempDir::new("malformed");
    let db = dir.0.join("desk.db");
    {
        let store = Store::open(&db).unwrap();
        claimtrack::seeds::load_wonsan(&store).unwrap();
    }
    let before = snapshot(&db);
    let good = Store::open_in_memory().unwrap();
    seeded(&good);
    let good_bundle = bundle_text(&good);
    let good_lines = jsonl_text(&good);

    let bundle_cases: Vec<(&str, Vec<u8>, &str, Option<&str>)> = vec![
        (
            "truncated",
            good_bundle[..good_bundle.len() / 2].to_vec(),
            "line ",
            None,
        ),
        (
            "wrong type",
            String::from_utf8(good_bundle.clone())
                .unwrap()
                .replacen("\"kind\": \"person\"", "\"kind\": 7", 1)
                .into_bytes(),
            "line ",
            Some("sources[1].kind"),
        ),
        (
            "bad id",
            String::from_utf8(good_bundle.clone())
                .unwrap()
                .replacen("019803a8-0601-7bb6-b0ac-8e587523ea55", "019803a8-0601-XXXX", 1)
                .into_bytes(),
            "line ",
            Some("sources[0].id"),
        ),
        (
            "binary garbage",
            (0..4096u32).map(|i| (i * 131 % 256) as u8).collect(),
            "line 1",
            None,
        ),
        ("empty", Vec::new(), "", None),
    ];
    for (what, bytes, at, field) in bundle_cases {
        let store = Store::open(&db).unwrap();
        let err = bundle::read_bundle(bytes.as_slice())
            .and_then(|v| bundle::import(&store, &v, ImportOptions::default()))
            .unwrap_err();
        expect_parse(err, at, field);
        drop(store);
        assert!(snapshot(&db) == before, "bundle {what}: the database changed");
    }

    let text = String::from_utf8(good_lines).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let with_line = |n: usize, replacement: &str| {
        let mut l = lines.clone();
        l[n - 1] = replacement;
        l.join("\n").into_bytes()
    };
    // The seed's rated review (its last record line; the standings follow it).
    let last = lines
        .iter()
        .rposition(|l| l.contains("\"verdict\":\"mostly_true\""))
        .unwrap()
        + 1;
    let bad_review = lines[last - 1].replacen("\"verdict\":\"mostly_true\"", "\"verdict\":\"maybe\"", 1);
    let bad_claim_id = lines[20].replacen("\"id\":\"019803a8", "\"id\":\"zz9803a8", 1);
    let truncated = &lines[last - 1][..lines[last - 1].len() / 2];
    let jsonl_cases: Vec<(&str, Vec<u8>, String, Option<&str>)> = vec![
        (
            "wrong type",
            with_line(last, &bad_review),
            format!("line {last}"),
            Some("review.verdict"),
        ),
        (
            "bad id",
            with_line(21, &bad_claim_id),
            "line 21".into(),
            Some("claim.id"),
        ),
        (
            "truncated",
            with_line(last, truncated),
            format!("line {last}"),
            None,
        ),
        (
            "unknown kind",
            with_line(5, r#"{"rumour":{}}"#),
            "line 5".into(),
            None,
        ),
        (
            "no header",
            lines[1..].join("\n").into_bytes(),
            "line 1".into(),
            None,
        ),
        (
            "binary garbage",
            [&text.as_bytes()[..200], &[0xff, 0xfe, 0x00, 0x81][..]].concat(),
            "line ".into(),
            None,
        ),
        (
            "dangling reference",
            with_line(
                last,
                &lines[last - 1].replacen("\"claim\":\"019803a8", "\"claim\":\"00000000", 1),
            ),
            format!("line {last}"),
            Some("claim"),
        ),
    ];
    for (what, bytes, at, field) in jsonl_cases {
        let store = Store::open(&db).unwrap();
        let err = jsonl::import(&store, bytes.as_slice(), ImportOptions::default()).unwrap_err();
        expect_parse(err, &at, field);
        drop(store);
        assert!(snapshot(&db) == before, "jsonl {what}: the database changed");
    }

    // A 100 MB line: refused at the cap, without reading (or holding) the whole line.
    let store = Store::open(&db).unwrap();
    let header = "{\"format\":\"claimtrack-jsonl\",\"version\":1}\n{\"claim\":{\"text\":\"";
    let huge = header
        .as_bytes()
        .chain(std::io::repeat(b'x').take(100 * 1024 * 1024));
    let mut counted = Counting { inner: huge, read: 0 };
    let err = jsonl::import(&store, &mut counted, ImportOptions::default()).unwrap_err();
    expect_parse(err, "line 2", None);
    assert!(
        counted.read < 2 * jsonl::MAX_LINE_BYTES as u64,
        "read {} bytes",
        counted.read
    );
    let huge = std::io::repeat(b'x').take(100 * 1024 * 1024);
    let err = bundle::read_bundle(huge)
        .and_then(|v| bundle::import(&store, &v, ImportOptions::default()))
        .unwrap_err();
    expect_parse(err, "line 1", None);
    drop(store);
    assert!(snapshot(&db) == before, "100 MB line: the database changed");
}

struct Counting<R> {
    inner: R,
    read: u64,
}
impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

// ---------------------------------------------------------------------------------------- proptest

/// name, kind, parent, aliases, controlled (rather than part of).
type SourceSpec = (String, usize, Option<usize>, Vec<String>, bool);
/// text, kind, (value, unit, bound) figures, tags, (year, month) about.
type ClaimSpec = (
    String,
    usize,
    Vec<(f64, String, usize)>,
    Vec<String>,
    Option<(i32, Option<u8>)>,
);
/// claim, verdict, rating value, reviewer, label.
type ReviewSpec = (usize, usize, Option<f64>, Option<usize>, Option<String>);

#[derive(Debug, Clone)]
struct Spec {
    sources: Vec<SourceSpec>,
    claims: Vec<ClaimSpec>,
    attributions: Vec<(usize, usize, Vec<usize>, Option<String>)>,
    evidence: Vec<(usize, usize, usize, Option<String>)>,
    reviews: Vec<ReviewSpec>,
    links: Vec<(usize, usize, usize)>,
}

fn text() -> impl Strategy<Value = String> {
    "[A-Za-zжЖ漢Ω][A-Za-z0-9 ,.\"'\\\\жЖ漢Ω\n\t<>&é-]{0,24}"
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(
            (
                text(),
                0..8usize,
                prop::option::of(0..8usize),
                prop::collection::vec(text(), 0..3),
                any::<bool>(),
            ),
            0..6,
        ),
        prop::collection::vec(
            (
                text(),
                0..4usize,
                prop::collection::vec((-1e12..1e12f64, text(), 0..6usize), 0..3),
                prop::collection::vec(text(), 0..3),
                prop::option::of((1900..2100i32, prop::option::of(1..=12u8))),
            ),
            0..6,
        ),
        prop::collection::vec(
            (
                0..6usize,
                0..6usize,
                prop::collection::vec(0..6usize, 0..3),
                prop::option::of(text()),
            ),
            0..6,
        ),
        prop::collection::vec((0..6usize, 0..6usize, 0..4usize, prop::option::of(text())), 0..6),
        prop::collection::vec(
            (
                0..6usize,
                0..6usize,
                prop::option::of(1.0..=5.0f64),
                prop::option::of(0..6usize),
                prop::option::of(text()),
            ),
            0..4,
        ),
        prop::collection::vec((0..6usize, 0..6usize, 0..5usize), 0..4),
    )
        .prop_map(|(sources, claims, attributions, evidence, reviews, links)| Spec {
            sources,
            claims,
            attributions,
            evidence,
            reviews,
            links,
        })
}

fn pick<T: Copy>(list: &[T], i: usize) -> T {
    list[i % list.len()]
}

fn build(spec: &Spec) -> Store {
    let store = Store::open_in_memory().unwrap();
    let mut sources = Vec::new();
    for (i, (name, kind, parent, aliases, controlled)) in spec.sources.iter().enumerate() {
        // One source per name key: generated names and aliases are made distinct across sources.
        let mut s = NewSource::new(
            format!("{name} #{i}"),
            SourceKind::ALL[*kind % SourceKind::ALL.len()],
        );
        for a in aliases {
            s = s.alias(format!("{a} #{i}"));
        }
        if let Some(p) = parent.filter(|_| i > 0) {
            let parent = sources[p % i];
            s = if *controlled {
                s.controlled_by(parent)
            } else {
                s.part_of(parent)
            };
        }
        sources.push(store.add_source(s).unwrap());
    }
    let mut claims = Vec::new();
    for (text, kind, quantities, tags, about) in &spec.claims {
        let mut c = NewClaim::new(text.clone(), ClaimKind::ALL[*kind % ClaimKind::ALL.len()]);
        for (v, unit, bound) in quantities {
            c = c.quantity(Quantity::new(
                *v,
                unit.clone(),
                Bound::ALL[*bound % Bound::ALL.len()],
            ));
        }
        for t in tags {
            c = c.tag(t.clone());
        }
        if let Some((y, m)) = about {
            c = c.about(match m {
                Some(m) => PartialDate::month(*y, *m).unwrap(),
                None => PartialDate::year(*y).unwrap(),
            });
        }
        claims.push(store.add_claim(c).unwrap());
    }
    if claims.is_empty() {
        return store;
    }
    if !sources.is_empty() {
        for (c, s, relays, quote) in &spec.attributions {
            let speaker = pick(&sources, *s);
            let mut a = NewAttribution::said_by(speaker);
            // A source does not relay a claim to itself (A -> A is refused as Invalid): a generated
            // relay equal to the hop before it is left out.
            let mut last = speaker;
            for r in relays {
                let relay = pick(&sources, *r);
                if relay != last {
                    a = a.via(relay);
                    last = relay;
                }
            }
            if let Some(q) = quote {
                a = a.quote(q.clone());
            }
            store.attribute(pick(&claims, *c), a).unwrap();
        }
        for (c, s, stance, excerpt) in &spec.evidence {
            let mut e = NewEvidence::new(pick(&sources, *s), Stance::ALL[*stance % 4]);
            if let Some(x) = excerpt {
                e = e.excerpt(x.clone());
            }
            store.add_evidence(pick(&claims, *c), e).unwrap();
        }
    }
    for (c, verdict, rating, reviewer, label) in &spec.reviews {
        let mut r = NewReview::new(Verdict::ALL[*verdict % Verdict::ALL.len()]);
        if let Some(v) = rating {
            r = r.rating(Rating::new(*v, 1.0, 5.0));
        }
        if let (Some(who), false) = (reviewer, sources.is_empty()) {
            r = r.by(pick(&sources, *who));
        }
        if let Some(l) = label {
            r = r.label(l.clone());
        }
        store.add_review(pick(&claims, *c), r).unwrap();
    }
    for (from, to, kind) in &spec.links {
        let (a, b) = (pick(&claims, *from), pick(&claims, *to));
        if a != b {
            // The same link twice is refused; that is not what this test is about.
            let _ = ClaimLink::new(a, LinkKind::ALL[*kind % LinkKind::ALL.len()], b)
                .and_then(|l| store.add_link(&l));
        }
    }
    store
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn generated_stores_round_trip_through_bundles_and_json_lines(spec in spec()) {
        let store = build(&spec);
        let b = bundle_text(&store);
        let copy = Store::open_in_memory().unwrap();
        bundle::read_bundle(b.as_slice()).and_then(|v| bundle::import(&copy, &v, ImportOptions::default())).unwrap();
        prop_assert_eq!(bundle_text(&copy), b.clone());
        prop_assert_eq!(bundle::export(&copy).unwrap(), bundle::export(&store).unwrap());
        let again = bundle::read_bundle(b.as_slice()).and_then(|v| bundle::import(&copy, &v, ImportOptions::default())).unwrap();
        prop_assert_eq!((again.inserted, again.updated), (0, 0));

        let l = jsonl_text(&store);
        let copy = Store::open_in_memory().unwrap();
        jsonl::import(&copy, l.as_slice(), ImportOptions::default()).unwrap();
        prop_assert_eq!(jsonl_text(&copy), l);
        prop_assert_eq!(bundle_text(&copy), b);
    }
}

per_backend!(a_misspelt_field_in_a_jsonl_line_is_refused_naming_line_and_field);
fn a_misspelt_field_in_a_jsonl_line_is_refused_naming_line_and_field(store: &Store) {
    let lines = "{\"format\":\"claimtrack-jsonl\",\"version\":1}\n\n{\"source\":{\"id\":\"019803a8-0601-7bb6-b0ac-8e587523ea55\",\"name\":\"KCNA\",\"kind\":\"news_agency\",\"alaises\":[\"x\"],\"created_at\":\"2025-07-13T12:00:00Z\"}}\n";
    expect_parse(
        jsonl::import(store, lines.as_bytes(), ImportOptions::default()).unwrap_err(),
        "line 3",
        Some("source.alaises"),
    );
    assert_eq!(store.counts().unwrap().sources, 0);
}

/// A sink that, when the first bytes of an export reach it, has another connection add a reviewed claim.
struct Meanwhile<'a> {
    out: Vec<u8>,
    writer: &'a Store,
    text: &'a str,
    done: bool,
}

impl std::io::Write for Meanwhile<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if !self.done {
            self.done = true;
            let c = self.writer.add_claim(NewClaim::factual(self.text)).unwrap();
            self.writer.add_review(c, NewReview::new(Verdict::False)).unwrap();
        }
        self.out.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn csv_and_claimreview_exports_read_one_snapshot_on_sqlite() {
    // A claim and its review written while an export runs are wholly out of it (the export began
    // before them), never half in; the next export has them.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let store = Store::open(&path).unwrap();
    store
        .batch(|b| {
            for i in 0..600 {
                let c = b.add_claim(NewClaim::factual(format!("Claim {i} about the harbour")))?;
                b.add_review(c, NewReview::new(Verdict::False))?;
            }
            Ok(())
        })
        .unwrap();
    let writer = Store::open(&path).unwrap();
    type Export = fn(&Store, &mut Meanwhile<'_>) -> Result<(), Error>;
    let exports: [(&str, Export); 3] = [
        ("csv", |s, w| claimtrack::io::csv::export(s, w)),
        ("claimreview", |s, w| claimtrack::io::claimreview::export(s, w)),
        ("jsonl", |s, w| jsonl::export(s, w)),
    ];
    for (name, export) in exports {
        let text = format!("Landed during the {name} export");
        let mut sink = Meanwhile {
            out: Vec::new(),
            writer: &writer,
            text: &text,
            done: false,
        };
        export(&store, &mut sink).unwrap();
        assert!(sink.done, "{name}: the export wrote nothing");
        let out = String::from_utf8(sink.out).unwrap();
        assert!(out.contains("Claim 599 about"), "{name}");
        assert!(
            !out.contains(&text),
            "{name}: a write that landed meanwhile is in it"
        );
        let mut again = Meanwhile {
            out: Vec::new(),
            writer: &writer,
            text: "unused",
            done: true,
        };
        export(&store, &mut again).unwrap();
        assert!(String::from_utf8(again.out).unwrap().contains(&text), "{name}");
    }
}
