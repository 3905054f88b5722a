//! The examples are run and their output checked, so they never rot.

use std::path::PathBuf;
use std::process::Command;

/// Runs an example through cargo (it is already built by `cargo test`).
fn run_example(name: &str, args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["run", "--quiet", "--example", name, "--"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "example {name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// The lines of the block printed for the claim whose header contains `words`.
fn block<'a>(output: &'a str, words: &str) -> Vec<&'a str> {
    let mut lines = output.lines().skip_while(|l| !l.contains(words));
    let header = lines
        .next()
        .unwrap_or_else(|| panic!("no claim containing {words:?} in:\n{output}"));
    std::iter::once(header)
        .chain(lines.take_while(|l| !l.is_empty()))
        .collect()
}

#[test]
fn wonsan_example_shows_who_said_what_and_through_whom() {
    let out = run_example("wonsan", &[]);
    let rounds = block(&out, "12 million artillery rounds");
    assert!(
        rounds
            .iter()
            .any(|l| l.contains("said by: South Korean defence ministry's intelligence arm")),
        "{rounds:#?}"
    );
    assert!(
        rounds
            .iter()
            .any(|l| l.contains("supported by: South Korean defence ministry's intelligence arm"))
    );
    let pledge = block(&out, "unconditionally support");
    assert!(
        pledge
            .iter()
            .any(|l| l.contains("said by: Kim Jong Un → via Korean Central News Agency")),
        "{pledge:#?}"
    );
    let putin = block(&out, "direct contacts");
    assert!(
        putin
            .iter()
            .any(|l| l.contains("Vladimir Putin → via Sergei Lavrov (summary) → via Tass"))
    );
}

#[test]
fn wonsan_example_writes_a_file_database_once() {
    let dir: PathBuf = std::env::temp_dir().join(format!("claimtrack-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("desk.db");
    let _ = std::fs::remove_file(&db);
    let first = run_example("wonsan", &[db.to_str().unwrap()]);
    let second = run_example("wonsan", &[db.to_str().unwrap()]);
    assert!(
        first.starts_with("Seed article loaded (52 new records)"),
        "{first}"
    );
    assert!(
        second.starts_with("Seed article loaded (0 new records)"),
        "{second}"
    );
    let store = claimtrack::Store::open(&db).unwrap();
    assert_eq!(store.counts().unwrap().claims, 15);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The data-set import examples print what the importer itself reports for the same file.
#[test]
fn import_examples_report_what_the_importers_wrote() {
    use claimtrack::Store;
    use claimtrack::io::{DataSet, ImportOptions, import_file};
    let cases = [
        (
            "import_averitec",
            "tests/data/averitec/handmade.json",
            DataSet::Averitec,
        ),
        (
            "import_fever",
            "tests/data/fever/paper_dev_excerpt.jsonl",
            DataSet::Fever,
        ),
        ("import_liar", "tests/data/liar/handmade.tsv", DataSet::Liar),
        (
            "import_climate_fever",
            "tests/data/climate-fever/handmade.csv",
            DataSet::ClimateFever,
        ),
    ];
    for (example, file, data_set) in cases {
        let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
        let store = Store::open_in_memory().unwrap();
        let expected = import_file(&store, data_set, &path, ImportOptions::default()).unwrap();
        assert!(expected.added.claims > 0, "{file}");
        let out = run_example(example, &[&path]);
        assert!(
            out.contains(&expected.to_string()),
            "{example} printed:\n{out}\nexpected:\n{expected}"
        );
        assert!(
            out.contains(&format!("store now holds {} claims", expected.added.claims)),
            "{out}"
        );
        // Every label of these data sets maps to a verdict, and the example says so.
        let n = expected.added.reviews;
        assert!(
            out.contains(&format!("reviews with a verdict: {n} of {n} (100.0%)")),
            "{out}"
        );
    }
}

/// MuMiN's 906 Fact Check Tools ratings: the share mapped and the agreement with its human label, as the
/// README states them.
#[test]
fn import_mumin_prints_the_share_of_ratings_mapped() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/mumin/verdict_annotations.csv"
    );
    let out = run_example("import_mumin", &[path]);
    for line in [
        "906 rows read",
        "109 ratings matched no verdict",
        "reviews with a verdict: 797 of 906 (88.0%)",
        "agreement with MuMiN's human label: 778 of 778 mapped ratings (100.0%)",
    ] {
        assert!(out.contains(line), "{line:?} not in:\n{out}");
    }
}

/// `cargo run --example wonsan | head` stops quietly with success; a full disk is a failure with a
/// message, never a panic (std's `println!` panics on both).
#[test]
fn examples_stop_quietly_on_a_closed_pipe_and_fail_when_output_cannot_be_written() {
    use std::process::Stdio;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let example = |stdout: Stdio| {
        Command::new(&cargo)
            .args(["run", "--quiet", "--example", "wonsan"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .expect("cargo runs")
    };
    let mut child = example(Stdio::piped());
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "closed pipe: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = example(Stdio::from(full)).wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write the output"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
