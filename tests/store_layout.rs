//! The shape of `src/store/` (issue 10): no file over 600 lines, and no module that depends on a module
//! that depends back on it, directly or through others. Read from the source tree: cheap and
//! deterministic.
//!
//! A module's dependencies are the store modules its code names: `super::x`, `super::super::x`,
//! `crate::store::x` (also inside `use … {a, b::c}` groups), and, in a folder's `mod.rs`, a child
//! named as `child::item`. A folder's re-exports (`pub use child::Item` in its `mod.rs`) are its public
//! face, not a dependency of its code, and test modules (`#[cfg(test)] mod …`, at the end of a file)
//! are left out. A name that is an item of a folder (`super::Store`) depends on that folder's
//! `mod.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `src/store` of this crate, or of the tree `CLAIMTRACK_LAYOUT_ROOT` names (to try the reader on
/// another checkout, e.g. one from before the split, where it must find the cycles).
fn store_dir() -> PathBuf {
    std::env::var_os("CLAIMTRACK_LAYOUT_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("src/store")
}

/// The module path of a file under `src/store` (`store::history::batch` for `history/batch.rs`).
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let mut path = vec!["store".to_string()];
    path.extend(rel.iter().map(|s| s.to_string_lossy().into_owned()));
    if path.last().is_some_and(|s| s == "mod") {
        path.pop();
    }
    path
}

/// The file's text up to its test modules.
fn without_tests(text: &str) -> String {
    // A file that is a test module as a whole says so first (`#![cfg(test)]`).
    if text.lines().any(|l| l.trim() == "#![cfg(test)]") {
        return String::new();
    }
    let mut kept = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(")
            && t.contains("test")
            && lines.peek().is_some_and(|n| n.trim_start().starts_with("mod "))
        {
            break;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

/// The file's code without comments, string literals and its test modules.
fn code_of(text: &str) -> String {
    let kept: String = without_tests(text)
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .flat_map(|l| [l, "\n"])
        .collect();
    // Blank out string literals (SQL text names tables, not modules).
    let mut out = String::with_capacity(kept.len());
    let mut in_str = false;
    let mut prev = ' ';
    for c in kept.chars() {
        if in_str {
            if c == '"' && prev != '\\' {
                in_str = false;
            }
            prev = if prev == '\\' && c == '\\' { ' ' } else { c };
            continue;
        }
        if c == '"' && prev != '\'' {
            in_str = true;
            prev = ' ';
            continue;
        }
        out.push(c);
        prev = c;
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Paths named after `super::…`/`crate::store::…` prefixes, each as (base module, segments); `use`
/// groups give one path per member.
fn named_paths(code: &str, module: &[String]) -> Vec<(Vec<String>, Vec<String>)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if i > 0 && (is_ident(chars[i - 1]) || chars[i - 1] == ':') {
            i += 1;
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 14)].iter().collect();
        let (mut base, mut j) = if rest.starts_with("crate::store::") {
            (vec!["store".to_string()], i + 14)
        } else if rest.starts_with("super::") {
            let mut ups = 0;
            let mut j = i;
            while chars[j..].iter().take(7).collect::<String>() == "super::" {
                ups += 1;
                j += 7;
            }
            (module[..module.len().saturating_sub(ups)].to_vec(), j)
        } else {
            i += 1;
            continue;
        };
        let mut segs = Vec::new();
        loop {
            let start = j;
            while j < chars.len() && is_ident(chars[j]) {
                j += 1;
            }
            if j > start {
                segs.push(chars[start..j].iter().collect::<String>());
            }
            if chars[j..].iter().take(2).collect::<String>() == "::" {
                j += 2;
                continue;
            }
            break;
        }
        if j < chars.len() && chars[j] == '{' {
            // A group: the first segment of each member (nested groups go one level deep).
            let mut depth = 0;
            let mut member = String::new();
            let mut members = Vec::new();
            for &c in &chars[j..] {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 1 && (c == ',' || c == '{') || depth == 0 {
                    if !member.trim().is_empty() {
                        members.push(member.trim().to_string());
                    }
                    member.clear();
                    if depth == 0 {
                        break;
                    }
                    continue;
                }
                if depth == 1 {
                    member.push(c);
                }
            }
            for m in members {
                let mut path = segs.clone();
                path.extend(
                    m.split("::")
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty()),
                );
                out.push((base.clone(), path));
            }
        } else {
            out.push((std::mem::take(&mut base), segs));
        }
        i = j.max(i + 1);
    }
    out
}

/// Items a folder re-exports from its children (`pub(crate) use write::{track, track_insert};`):
/// (folder, item name) -> the child that defines it.
type Reexports = BTreeMap<(Vec<String>, String), Vec<String>>;

fn reexports_of(module: &[String], text: &str, modules: &BTreeSet<Vec<String>>, out: &mut Reexports) {
    for line in text.lines() {
        let t = line.trim_start();
        let Some(rest) = t
            .strip_prefix("pub use ")
            .or_else(|| t.strip_prefix("pub(crate) use "))
        else {
            continue;
        };
        let Some((child, items)) = rest.trim_end_matches(';').split_once("::") else {
            continue;
        };
        let mut target = module.to_vec();
        target.push(child.trim().to_string());
        if !modules.contains(&target) {
            continue;
        }
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            // `a::B` re-exports B; `X as Y` is known as Y.
            let name = item
                .rsplit("::")
                .next()
                .unwrap_or("")
                .rsplit(" as ")
                .next()
                .unwrap_or("");
            if !name.trim().is_empty() {
                out.insert((module.to_vec(), name.trim().to_string()), target.clone());
            }
        }
    }
}

/// The module `base` + `segs` names: the longest prefix that is a module, or, when the next segment
/// is an item its folder re-exports, the child that defines the item.
fn resolve(
    modules: &BTreeSet<Vec<String>>,
    reexports: &Reexports,
    base: &[String],
    segs: &[String],
) -> Option<Vec<String>> {
    (0..=segs.len()).rev().find_map(|n| {
        let mut m = base.to_vec();
        m.extend(segs[..n].iter().cloned());
        if !modules.contains(&m) {
            return None;
        }
        match segs
            .get(n)
            .and_then(|item| reexports.get(&(m.clone(), item.clone())))
        {
            Some(child) => Some(child.clone()),
            None => Some(m),
        }
    })
}

fn dependency_graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let root = store_dir();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&root, f)).collect();
    let mut reexports = Reexports::new();
    for file in &files {
        if file.file_name().is_some_and(|n| n == "mod.rs") {
            let text = std::fs::read_to_string(file).unwrap();
            reexports_of(&module_of(&root, file), &code_of(&text), &modules, &mut reexports);
        }
    }
    let mut graph = BTreeMap::new();
    for file in &files {
        let module = module_of(&root, file);
        let is_folder = file.file_name().is_some_and(|n| n == "mod.rs");
        let text = std::fs::read_to_string(file).unwrap();
        let code: String = code_of(&text)
            .lines()
            .filter(|l| {
                let t = l.trim_start();
                // A folder's re-exports and its `mod child;` lines are not dependencies of its code.
                !(is_folder && (t.starts_with("pub use ") || t.starts_with("pub(crate) use ")))
                    && !(t.starts_with("mod ") || t.contains(" mod ") && t.ends_with(';'))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut deps = BTreeSet::new();
        for (base, segs) in named_paths(&code, &module) {
            if let Some(m) = resolve(&modules, &reexports, &base, &segs) {
                deps.insert(m);
            }
        }
        if is_folder {
            // `child::item` in a folder's own code.
            let chars: Vec<char> = code.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                let start = i;
                while i < chars.len() && is_ident(chars[i]) {
                    i += 1;
                }
                if i > start
                    && (start == 0 || !(chars[start - 1] == ':' || is_ident(chars[start - 1])))
                    && chars[i..].iter().take(2).collect::<String>() == "::"
                {
                    let mut m = module.clone();
                    m.push(chars[start..i].iter().collect());
                    if modules.contains(&m) {
                        deps.insert(m);
                    }
                }
                i = i.max(start + 1);
            }
        }
        deps.remove(&module);
        graph.insert(module, deps);
    }
    graph
}

/// A cycle through `start`, if there is one.
fn cycle_from(
    graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    start: &Vec<String>,
) -> Option<Vec<Vec<String>>> {
    // Depth-first search for a path from `start` back to it.
    let mut stack: Vec<(Vec<String>, Vec<Vec<String>>)> = vec![(start.clone(), vec![start.clone()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == start {
                let mut p = path.clone();
                p.push(start.clone());
                return Some(p);
            }
            if seen.insert(next.clone()) {
                let mut p = path.clone();
                p.push(next.clone());
                stack.push((next.clone(), p));
            }
        }
    }
    None
}

fn cycles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<String> {
    graph
        .keys()
        .filter_map(|m| cycle_from(graph, m))
        .map(|p| p.iter().map(|m| m.join("::")).collect::<Vec<_>>().join(" -> "))
        .collect()
}

#[test]
fn no_store_file_is_over_600_lines() {
    let mut files = Vec::new();
    rust_files(&store_dir(), &mut files);
    assert!(files.len() > 20, "src/store holds {} files", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > MAX_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

#[test]
fn no_store_module_depends_on_itself_through_others() {
    let graph = dependency_graph();
    // The reader sees real dependencies (else an empty graph would pass).
    let history = graph
        .get(&vec!["store".to_string(), "history".to_string()])
        .or_else(|| {
            graph.get(&vec![
                "store".to_string(),
                "history".to_string(),
                "write".to_string(),
            ])
        });
    assert!(history.is_some(), "no store::history module found");
    let edges: usize = graph.values().map(BTreeSet::len).sum();
    assert!(
        edges > 30,
        "only {edges} dependencies found between store modules"
    );
    let found = cycles(&graph);
    assert!(found.is_empty(), "module cycles in src/store: {found:#?}");
}

#[test]
fn the_reader_finds_a_cycle_when_there_is_one() {
    // The cycle finder itself, on a graph with a three-module cycle and an acyclic tail.
    let m = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    let mut graph = BTreeMap::new();
    graph.insert(m("store::a"), BTreeSet::from([m("store::b")]));
    graph.insert(m("store::b"), BTreeSet::from([m("store::c"), m("store::d")]));
    graph.insert(m("store::c"), BTreeSet::from([m("store::a")]));
    graph.insert(m("store::d"), BTreeSet::new());
    let found = cycles(&graph);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found[0].starts_with("store::a -> store::b -> store::c -> store::a"));
    graph.insert(m("store::c"), BTreeSet::new());
    assert!(cycles(&graph).is_empty());
}

#[test]
fn the_reader_sees_super_paths_groups_and_children() {
    let module: Vec<String> = vec!["store".into(), "history".into(), "write".into()];
    let code = "use super::batch::{BatchLog, creating_batch};\nuse super::super::{Store, convert::x};\n\
                fn f() { crate::store::search::index(); let s = \"super::nope\"; }";
    let code = code_of(code);
    let paths = named_paths(&code, &module);
    let flat: Vec<String> = paths
        .iter()
        .map(|(b, s)| format!("{}|{}", b.join("::"), s.join("::")))
        .collect();
    assert!(
        flat.contains(&"store::history|batch::BatchLog".to_string()),
        "{flat:?}"
    );
    assert!(flat.contains(&"store|Store".to_string()), "{flat:?}");
    assert!(flat.contains(&"store|convert::x".to_string()), "{flat:?}");
    assert!(flat.contains(&"store|search::index".to_string()), "{flat:?}");
    assert!(!flat.iter().any(|p| p.contains("nope")), "{flat:?}");
}

/// The tables whose rows are records (and their child rows): written only by their kind's description
/// in `src/store/record/`, the one place that inserts and updates each kind.
const RECORD_TABLES: [&str; 11] = [
    "sources",
    "source_aliases",
    "publications",
    "claims",
    "claim_quantities",
    "claim_tags",
    "attributions",
    "attribution_relays",
    "evidence",
    "claim_links",
    "reviews",
];

#[test]
fn record_rows_are_inserted_and_updated_only_by_their_description() {
    let root = store_dir();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut found = Vec::new();
    let mut in_record = 0;
    for file in &files {
        let text = without_tests(&std::fs::read_to_string(file).unwrap());
        // SQL text is split across lines with `\`: look at it as one line.
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let described = file.strip_prefix(&root).unwrap().starts_with("record");
        // Moving a desk (`Store::copy_to`) copies rows exactly as they are stored, history included, and
        // sets forward-pointing columns in a second pass: no record is written, rows are moved.
        if file.strip_prefix(&root).unwrap() == std::path::Path::new("copy.rs") {
            continue;
        }
        for table in RECORD_TABLES {
            for write in [format!("INSERT INTO {table} "), format!("UPDATE {table} SET ")] {
                for (at, _) in flat.match_indices(&write) {
                    if described {
                        in_record += 1;
                        continue;
                    }
                    // `check --repair`-style rebuilds of derived keys (a review's `site` is its URL's
                    // host) are not record content, nor is
                    // a column set to itself (PostgreSQL then generates the row's search document
                    // again: `Store::rebuild_search_index`).
                    let rest = &flat[at + write.len()..];
                    let to_itself = rest
                        .split_once(" = ")
                        .is_some_and(|(column, value)| value.starts_with(&format!("{column} ")));
                    if write.starts_with("UPDATE")
                        && (["text_key_hash = ", "name_key = ", "alias_key = ", "site = "]
                            .iter()
                            .any(|k| rest.starts_with(k))
                            || to_itself)
                    {
                        continue;
                    }
                    found.push(format!("{}: {write}…", file.display()));
                }
            }
        }
    }
    assert!(
        in_record >= 14,
        "only {in_record} record writes found under src/store/record"
    );
    assert!(
        found.is_empty(),
        "record rows written outside src/store/record: {found:#?}"
    );
}
