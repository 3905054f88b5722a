//! What several integration tests share.

use proptest::prelude::*;

/// Strings that have broken software before (NUL, control and bidi characters, SQL and FTS5 syntax,
/// quoting, mojibake, Cyrillic case), mixed with arbitrary ones.
pub fn nasty() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(hostile_strings());
    prop_oneof![
        3 => fixed,
        2 => any::<String>(),
        2 => "\\PC{0,40}",
        1 => "[\\x00-\\x1f\\x7f'\"%*^();\\t\\n-]{0,20}"
    ]
}

/// The fixed strings [`nasty`] draws from, for tests that try every one of them.
#[allow(dead_code)]
pub fn hostile_strings() -> Vec<String> {
    vec![
        String::new(),
        " ".into(),
        "\0".into(),
        "KCNA\0hidden".into(),
        "\u{7}\u{1b}[31mred".into(),
        "\u{202E}evil\u{202C}".into(),
        "\u{200F}\u{2066}isolate\u{2069}".into(),
        "\u{FEFF}bom".into(),
        "'; DROP TABLE claims; --".into(),
        "\" OR 1=1 --".into(),
        "Robert'); DELETE FROM history; --".into(),
        "NEAR(troops russia, 3)".into(),
        "troops* OR ^north AND NOT \"".into(),
        "claims:text MATCH 'x'".into(),
        "claims_fts MATCH 'x'".into(),
        "{\"$ne\": null}".into(),
        "%_%".into(),
        "\\".into(),
        "\t".into(),
        "\n".into(),
        "\r\n\t".into(),
        "\"".into(),
        "'".into(),
        "None".into(),
        "[{'a': ".into(),
        "Лавров".into(),
        "ЛАВРОВ".into(),
        "\u{1F600}\u{0301}\u{0301}".into(),
        "â\u{80}\u{94}".into(),
        "x".repeat(1_001),
        "y".repeat(20_001),
    ]
}
