//! The README's command-line walk-through ("From the command line"), run as written — every command, in
//! order, through the built binary — on each backend: `--db desk.db` becomes the test's own file or
//! PostgreSQL URL. Every command must succeed (exit 0), and the ids the README captures into variables
//! (`C=$(claimtrack … add-claim …)`) are used by the commands after them.

#[path = "common/backend.rs"]
mod backend;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use backend::{Desk, per_backend};

/// The lines of the README's first `sh` block after the "From the command line" heading.
fn walkthrough() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme
        .split_once("## From the command line")
        .map(|(_, rest)| rest)
        .expect("the README has a 'From the command line' section");
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(block, _)| block)
        .expect("the section has an sh block");
    block
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// Splits one line as the shell would for these commands: words, single and double quotes, `"$VAR"`
/// expanded; stops at an unquoted `#` that starts a word (a comment) or an unquoted `|` (the rest of a
/// pipeline is another program).
fn words(line: &str, vars: &HashMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    let expand = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, w: &mut String| {
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                name.push(c);
                chars.next();
            } else {
                break;
            }
        }
        w.push_str(vars.get(&name).unwrap_or_else(|| panic!("${name} is not set")));
    };
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {
                if let Some(w) = word.take() {
                    out.push(w);
                }
            }
            '#' if word.is_none() => break,
            '|' => break,
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '$' => expand(&mut chars, w),
                        _ => w.push(d),
                    }
                }
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    w.push(d);
                }
            }
            '$' => expand(&mut chars, word.get_or_insert_with(String::new)),
            _ => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = word {
        out.push(w);
    }
    out
}

per_backend!(every_command_of_the_readme_runs);
fn every_command_of_the_readme_runs(desk: &Desk) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().unwrap();
    let mut vars: HashMap<String, String> = HashMap::new();
    let lines = walkthrough();
    assert!(lines.len() > 15, "the walk-through has {} lines", lines.len());
    for line in &lines {
        let (var, command) = match line.split_once("=$(") {
            Some((var, rest)) if !var.contains(' ') => (
                Some(var.to_string()),
                rest.rsplit_once(')').map_or(rest, |(c, _)| c),
            ),
            _ => (None, line.as_str()),
        };
        let mut args = words(command, &vars);
        assert_eq!(args.first().map(String::as_str), Some("claimtrack"), "{line}");
        args.remove(0);
        for a in &mut args {
            if a == "desk.db" {
                *a = desk.location().to_string();
            } else if a.starts_with("seeds/") {
                *a = root.join(&*a).display().to_string();
            }
        }
        assert!(
            args.contains(&desk.location().to_string()),
            "no --db desk.db in: {line}"
        );
        let out = Command::new(env!("CARGO_BIN_EXE_claimtrack"))
            .args(&args)
            .current_dir(work.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{line}\nexit {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(var) = var {
            let value = String::from_utf8_lossy(&out.stdout).trim().to_string();
            assert!(!value.is_empty(), "{line} printed nothing");
            vars.insert(var, value);
        }
    }
    // The file the walk-through names was written where the user ran it.
    let csv = std::fs::read_to_string(work.path().join("claims.csv")).unwrap();
    assert!(
        csv.contains("North Korean troops fought in the Kursk region"),
        "{csv}"
    );
}

#[test]
fn the_word_splitter_reads_the_readme_as_the_shell_would() {
    let vars = HashMap::from([("C".to_string(), "abc".to_string())]);
    assert_eq!(
        words(
            r#"claimtrack --db desk.db review "$C" --label "Pimenta na Língua"   # a comment"#,
            &vars
        ),
        [
            "claimtrack",
            "--db",
            "desk.db",
            "review",
            "abc",
            "--label",
            "Pimenta na Língua"
        ]
    );
    assert_eq!(
        words("claimtrack export --claim \"$C\" | dot -Tsvg -o claim.svg", &vars),
        ["claimtrack", "export", "--claim", "abc"]
    );
    assert_eq!(words("claimtrack 'a b'c", &vars), ["claimtrack", "a bc"]);
}
