//! Memory stays bounded when the built binary imports a large ClaimReview or Fact Check Tools file made
//! of many small objects (issue 11, item 10), from a file or from stdin, and when stdin brings one
//! endless string. The child's peak resident set (VmHWM) is read from /proc while it runs.
//!
//! Before the importers streamed, a 30 MB ClaimReview file of 745,000 small nodes peaked at 817 MB
//! (`/usr/bin/time`, debug build), about 27 times its size; the 16 MB files here would have taken some
//! 400 MB. Streamed, the same 30 MB file peaks at 29 MB. The bound asserted, 80 MB, leaves room for the
//! binary itself, SQLite's page cache and a loaded machine, and is still far below the old figure.
#![cfg(all(feature = "cli", target_os = "linux"))]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_claimtrack");

/// The peak resident set asserted, in KiB.
const BOUND_KB: u64 = 80 * 1024;

/// About how large each generated file is.
const FILE_BYTES: usize = 16 * 1024 * 1024;

#[path = "common/dir.rs"]
mod dir;
use dir::Dir;

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the binary on `db` with `args`, feeding `stdin` when given; returns its exit status, stdout,
/// stderr and the highest VmHWM seen while it ran (VmHWM only grows, so the last reading is the peak up
/// to then; the few milliseconds after it are the commit and the exit).
fn run_measured(db: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> (bool, String, String, u64) {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CLAIMTRACK_DB")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().unwrap();
        // A refused import stops reading: the broken pipe that follows is expected.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let pid = child.id();
    let out_pipe = child.stdout.take().unwrap();
    let err_pipe = child.stderr.take().unwrap();
    let read_all = |mut p: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = p.read_to_string(&mut s);
            s
        })
    };
    let out = read_all(Box::new(out_pipe));
    let err = read_all(Box::new(err_pipe));
    let mut peak = 0;
    let status = loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    if let Some(f) = feeder {
        f.join().unwrap();
    }
    eprintln!("{args:?}: peak resident set {peak} KiB");
    (status.success(), out.join().unwrap(), err.join().unwrap(), peak)
}

fn init(dir: &Dir) -> PathBuf {
    let db = dir.0.join("desk.db");
    let (ok, _, err, _) = run_measured(&db, &["init"], None);
    assert!(ok, "{err}");
    db
}

/// A ClaimReview list of small nodes: mostly web pages (read, reported, not kept), every 2,000th a
/// review.
fn claimreview_file() -> (Vec<u8>, usize) {
    let mut doc = String::with_capacity(FILE_BYTES + 1024);
    doc.push('[');
    let mut reviews = 0;
    let mut i = 0usize;
    while doc.len() < FILE_BYTES {
        if i > 0 {
            doc.push(',');
        }
        if i % 2_000 == 0 {
            reviews += 1;
            doc.push_str(&format!(
                r#"{{"@type":"ClaimReview","claimReviewed":"Claim {i}","url":"https://checks.example/{i}","author":{{"@type":"Organization","name":"Desk"}},"reviewRating":{{"@type":"Rating","alternateName":"False"}}}}"#
            ));
        } else {
            doc.push_str(&format!(r#"{{"@type":"WebPage","name":"p{i}"}}"#));
        }
        i += 1;
    }
    doc.push(']');
    (doc.into_bytes(), reviews)
}

/// A Fact Check Tools page of small claims: mostly without text (skipped and counted), every 2,000th
/// a real one.
fn factcheck_file() -> (Vec<u8>, usize) {
    let mut doc = String::with_capacity(FILE_BYTES + 1024);
    doc.push_str(r#"{"claims":["#);
    let mut claims = 0;
    let mut i = 0usize;
    while doc.len() < FILE_BYTES {
        if i > 0 {
            doc.push(',');
        }
        if i % 2_000 == 0 {
            claims += 1;
            doc.push_str(&format!(
                r#"{{"text":"Claim {i}","claimReview":[{{"publisher":{{"name":"Desk"}},"url":"https://checks.example/{i}","textualRating":"False"}}]}}"#
            ));
        } else {
            doc.push_str(&format!(r#"[{i},"not a claim"]"#));
        }
        i += 1;
    }
    doc.push_str("]}");
    (doc.into_bytes(), claims)
}

#[test]
fn a_large_claimreview_file_is_imported_in_bounded_memory() {
    let dir = Dir::new("cr");
    let db = init(&dir);
    let (doc, reviews) = claimreview_file();
    let file = dir.0.join("markup.json");
    std::fs::write(&file, &doc).unwrap();
    drop(doc);
    let (ok, out, err, peak) = run_measured(
        &db,
        &["import", "-f", "claimreview", file.to_str().unwrap()],
        None,
    );
    assert!(ok, "{err}");
    // Every review landed (a claim, its source once, its review) and the rest was counted.
    assert!(out.contains(&format!("{} inserted", 2 * reviews + 1)), "{out}");
    assert!(
        out.contains("more like this"),
        "{}",
        &out[out.len().saturating_sub(500)..]
    );
    assert!(
        peak < BOUND_KB,
        "peak resident set {peak} KiB for a {FILE_BYTES}-byte file"
    );
}

#[test]
fn a_large_fact_check_stream_on_stdin_is_imported_in_bounded_memory() {
    let dir = Dir::new("fc");
    let db = init(&dir);
    let (doc, claims) = factcheck_file();
    let (ok, out, err, peak) = run_measured(&db, &["import", "-f", "factcheck-api", "-"], Some(doc));
    assert!(ok, "{err}");
    // Each claim, its publisher once, its review.
    assert!(out.contains(&format!("{} inserted", 2 * claims + 1)), "{out}");
    assert!(
        peak < BOUND_KB,
        "peak resident set {peak} KiB for {FILE_BYTES} bytes on stdin"
    );
}

#[test]
fn an_endless_string_on_stdin_is_refused_after_the_record_cap() {
    let dir = Dir::new("endless");
    let db = init(&dir);
    let before = std::fs::read(&db).unwrap();
    // 64 MiB of one string: four times what a record may hold. The import stops reading at the cap.
    let mut doc = br#"[{"@type":"ClaimReview","claimReviewed":""#.to_vec();
    doc.resize(doc.len() + 64 * 1024 * 1024, b'x');
    let (ok, _, err, peak) = run_measured(&db, &["import", "-f", "claimreview", "-"], Some(doc));
    assert!(!ok);
    assert!(err.contains("$[0]") && err.contains("16 MiB"), "{err}");
    assert!(peak < BOUND_KB, "peak resident set {peak} KiB");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database changed");
}
