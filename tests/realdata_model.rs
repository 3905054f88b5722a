//! What real data needs of the model (issue 12, items 4, 5, 6, 8): a claim's own date, sources that are
//! websites, platform accounts or unknown, publications known only by a URL (web archive copies
//! understood), and question-and-answer evidence, some of it with no source. Each is stored, read back,
//! carried by the lossless formats (bundle, JSON Lines), and refused with a typed error when malformed,
//! leaving the database as it was.

use claimtrack::io::ImportOptions;
use claimtrack::io::{bundle, jsonl};
use claimtrack::{
    AnswerType, Error, NewClaim, NewEvidence, NewPublication, NewSource, PartialDate, SourceKind, Stance,
    Store, site_of, web_archive_original,
};

fn day(y: i32, m: u8, d: u8) -> PartialDate {
    PartialDate::day(y, m, d).unwrap()
}

/// A store holding one of each new thing.
fn sample() -> Store {
    let store = Store::open_in_memory().unwrap();
    let site = store
        .add_source(NewSource::new("scoopertino.com", SourceKind::Website))
        .unwrap();
    let account = store
        .add_source(NewSource::new(
            "Facebook user 'Daily Truths'",
            SourceKind::PlatformAccount,
        ))
        .unwrap();
    store
        .add_source(NewSource::new(
            "Consulate General of Pakistan, France",
            SourceKind::Unknown,
        ))
        .unwrap();
    let page = store
        .add_publication(NewPublication::at_url(
            "https://web.archive.org/web/20201129141238/https://scoopertino.com/exposed-the-imac-disaster-that-almost-was/",
        ))
        .unwrap();
    let claim = store
        .add_claim(
            NewClaim::factual("Sean Connery refused to appear in an Apple commercial")
                .about(PartialDate::year(1998).unwrap())
                .made_on(day(2020, 10, 31)),
        )
        .unwrap();
    store
        .add_evidence(
            claim,
            NewEvidence::answer("Where was the claim first published?", AnswerType::Abstractive)
                .from_source(site)
                .in_publication(page)
                .excerpt("On Scoopertino, a satirical site"),
        )
        .unwrap();
    store
        .add_evidence(
            claim,
            NewEvidence::answer("Did Connery write the letter?", AnswerType::Unanswerable)
                .excerpt("No answer could be found."),
        )
        .unwrap();
    store
        .add_evidence(claim, NewEvidence::new(account, Stance::Supports))
        .unwrap();
    store
}

#[test]
fn a_claim_keeps_when_it_was_made_apart_from_what_it_is_about() {
    let store = sample();
    let c = &store.claims().unwrap()[0];
    assert_eq!(c.made_on, Some(day(2020, 10, 31)));
    assert_eq!(c.about, Some(PartialDate::year(1998).unwrap()));
    let mut changed = c.clone();
    changed.made_on = Some(PartialDate::month(2020, 11).unwrap());
    store.update_claim(&changed).unwrap();
    assert_eq!(store.claim(c.id).unwrap().made_on, changed.made_on);
    assert!(store.verify_history().unwrap().problems.is_empty());
}

#[test]
fn websites_platform_accounts_and_unknown_speakers_are_kinds_of_their_own() {
    let store = sample();
    let kinds: Vec<_> = store.sources().unwrap().into_iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        vec![
            SourceKind::Website,
            SourceKind::PlatformAccount,
            SourceKind::Unknown
        ]
    );
    assert_eq!(
        "platform_account".parse::<SourceKind>().unwrap(),
        SourceKind::PlatformAccount
    );
    assert!("platform account?".parse::<SourceKind>().is_err());
}

#[test]
fn a_publication_known_only_by_its_archived_link_keeps_the_original() {
    let store = sample();
    let p = &store.publications().unwrap()[0];
    assert_eq!(p.title, None);
    assert_eq!(
        p.url.as_deref(),
        Some("https://scoopertino.com/exposed-the-imac-disaster-that-almost-was/")
    );
    assert_eq!(
        p.archive_url.as_deref(),
        Some(
            "https://web.archive.org/web/20201129141238/https://scoopertino.com/exposed-the-imac-disaster-that-almost-was/"
        )
    );
    assert_eq!(p.display_name(), p.url.as_deref().unwrap());
    // Found by the original, by the archive copy, and by another copy of the same page.
    for url in [
        "https://scoopertino.com/exposed-the-imac-disaster-that-almost-was/",
        "https://web.archive.org/web/20201129141238/https://scoopertino.com/exposed-the-imac-disaster-that-almost-was/",
        "http://web.archive.org/web/2021id_/https://scoopertino.com/exposed-the-imac-disaster-that-almost-was/",
    ] {
        assert_eq!(
            store.find_publication_by_url(url).unwrap().map(|x| x.id),
            Some(p.id),
            "{url}"
        );
    }
    assert_eq!(
        store.find_publication_by_url("https://scoopertino.com/").unwrap(),
        None
    );
    assert_eq!(store.find_publication_by_url("").unwrap(), None);
    assert_eq!(store.find_publication_by_url("' OR 1=1 --").unwrap(), None);
}

#[test]
fn web_archive_links_are_read_strictly() {
    let cases: [(&str, Option<&str>); 9] = [
        (
            "https://web.archive.org/web/20201130144023/https://checkyourfact.com/2020/11/03/x/",
            Some("https://checkyourfact.com/2020/11/03/x/"),
        ),
        (
            "https://web.archive.org/web/2020/example.org/a",
            Some("http://example.org/a"),
        ),
        (
            "https://web.archive.org/web/20200101000000im_/https://x.org/i.png",
            Some("https://x.org/i.png"),
        ),
        (
            "https://WEB.ARCHIVE.ORG/web/1/https:/x.org/a",
            Some("https://x.org/a"),
        ),
        ("https://web.archive.org/web/*/https://x.org/a", None),
        ("https://web.archive.org/web/2020/", None),
        ("https://web.archive.org/web/2020/javascript:alert(1)", None),
        ("https://web.archive.org.evil.com/web/2020/https://x.org", None),
        ("https://example.org/web/2020/https://x.org", None),
    ];
    for (url, original) in cases {
        assert_eq!(web_archive_original(url).as_deref(), original, "{url}");
    }
    assert_eq!(
        site_of("https://web.archive.org/web/2020/https://www.Snopes.com/fact-check/x"),
        Some("snopes.com".into())
    );
    // An archive link given as a publication's url is split; the same link as the url of a stored
    // publication written by hand (bypassing NewPublication) is refused.
    let store = Store::open_in_memory().unwrap();
    let id = store
        .add_publication(NewPublication::new("t").url("https://example.org/a"))
        .unwrap();
    let mut p = store.publication(id).unwrap();
    p.url = Some("https://web.archive.org/web/2020/https://example.org/a".into());
    assert!(matches!(
        store.update_publication(&p),
        Err(Error::Invalid { field: "url", .. })
    ));
}

#[test]
fn a_publication_needs_a_title_or_a_url() {
    let store = Store::open_in_memory().unwrap();
    let before = store.counts().unwrap();
    let mut bare = store
        .publication(store.add_publication(NewPublication::new("x")).unwrap())
        .unwrap();
    bare.title = None;
    assert!(matches!(
        store.update_publication(&bare),
        Err(Error::Invalid { field: "title", .. })
    ));
    let err = store.add_publication(NewPublication::new("  ")).unwrap_err();
    assert!(matches!(err, Error::Invalid { field: "title", .. }), "{err}");
    let err = store
        .add_publication(NewPublication::at_url("not a url"))
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { field: "url", .. }), "{err}");
    assert_eq!(store.counts().unwrap().publications, before.publications + 1);
}

#[test]
fn an_answer_without_a_source_is_kept_but_never_counted() {
    let store = sample();
    let claim = store.claims().unwrap()[0].id;
    let ev = store.evidence_of(claim).unwrap();
    assert_eq!(ev.len(), 3);
    assert_eq!(
        ev[0].question.as_deref(),
        Some("Where was the claim first published?")
    );
    assert_eq!(ev[0].answer_type, Some(AnswerType::Abstractive));
    assert_eq!(
        (ev[1].source, ev[1].answer_type),
        (None, Some(AnswerType::Unanswerable))
    );
    let summary = store.evidence_summary(claim).unwrap();
    // The website's answer is neutral; the account supports; the unsourced answer is nobody's stance.
    assert_eq!(summary.neutral.len(), 1);
    assert_eq!(summary.supporting.len(), 1);
    assert_eq!(store.timeline(claim).unwrap().events.len(), 3);
    assert!(store.verify_history().unwrap().problems.is_empty());
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap());
}

#[test]
fn malformed_answers_are_refused_and_nothing_is_written() {
    let store = sample();
    let claim = store.claims().unwrap()[0].id;
    let before = store.counts().unwrap();
    let history = store.claim_history(claim).unwrap().len();
    let site = store.sources().unwrap()[0].id;
    let mut unsourced = store.evidence_of(claim).unwrap()[1].clone();
    unsourced.question = None;
    unsourced.answer_type = None;
    assert!(matches!(
        store.update_evidence(&unsourced),
        Err(Error::Invalid { field: "source", .. })
    ));
    let mut typed = store.evidence_of(claim).unwrap()[0].clone();
    typed.question = None;
    assert!(matches!(
        store.update_evidence(&typed),
        Err(Error::Invalid {
            field: "answer_type",
            ..
        })
    ));
    let err = store
        .add_evidence(
            claim,
            NewEvidence::answer("x".repeat(claimtrack::MAX_TEXT_CHARS + 1), AnswerType::Boolean)
                .from_source(site),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Invalid {
                field: "question",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(store.counts().unwrap(), before);
    assert_eq!(store.claim_history(claim).unwrap().len(), history);
}

#[test]
fn bundles_and_json_lines_carry_every_new_field() {
    let store = sample();
    let original = bundle::export(&store).unwrap();

    let mut b = Vec::new();
    bundle::export(&store)
        .and_then(|v| bundle::write_bundle(&v, &mut b))
        .unwrap();
    let copy = Store::open_in_memory().unwrap();
    bundle::read_bundle(b.as_slice())
        .and_then(|v| bundle::import(&copy, &v, ImportOptions::default()))
        .unwrap();
    assert_eq!(bundle::export(&copy).unwrap(), original);

    let mut lines = Vec::new();
    jsonl::export(&store, &mut lines).unwrap();
    let copy = Store::open_in_memory().unwrap();
    jsonl::import(&copy, lines.as_slice(), ImportOptions::default()).unwrap();
    let back = bundle::export(&copy).unwrap();
    assert_eq!(back, original);
    assert_eq!(back.claims[0].made_on, Some(day(2020, 10, 31)));
    assert_eq!(back.evidence[1].source, None);
    assert!(back.publications[0].archive_url.is_some());
    assert_eq!(back.sources[2].kind, SourceKind::Unknown);
}
