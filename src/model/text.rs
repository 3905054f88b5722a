//! Validation of free text shared by every entity: no NUL or stray control characters, bounded length.

use crate::error::{Error, Result};

/// Longest claim text, excerpt, rationale or note, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Longest quotation kept in an attribution, in characters. A longer passage is not a quote but a document.
pub const MAX_QUOTE_CHARS: usize = 5_000;
/// Longest name, alias, title, unit, tag or label, in characters.
pub const MAX_NAME_CHARS: usize = 1_000;
/// Longest URL, in bytes.
pub const MAX_URL_BYTES: usize = 4_096;

/// Checks text that must not be blank.
pub(crate) fn required(field: &'static str, value: &str, max_chars: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty or only whitespace"));
    }
    optional(field, value, max_chars)
}

/// Checks text that may be empty but must be clean and bounded.
pub(crate) fn optional(field: &'static str, value: &str, max_chars: usize) -> Result<()> {
    if let Some((pos, c)) = value
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        let what = if c == '\0' {
            "a NUL character".to_string()
        } else {
            format!("control character U+{:04X}", c as u32)
        };
        return Err(Error::invalid(field, format!("contains {what} at byte {pos}")));
    }
    let n = value.chars().count();
    if n > max_chars {
        return Err(Error::invalid(
            field,
            format!("is {n} characters long; the limit is {max_chars}"),
        ));
    }
    Ok(())
}

/// Checks an optional text field.
pub(crate) fn opt(field: &'static str, value: Option<&str>, max_chars: usize) -> Result<()> {
    match value {
        Some(v) => required(field, v, max_chars),
        None => Ok(()),
    }
}

/// The key used for case-insensitive lookup of names and aliases: Unicode lower case, inner whitespace
/// collapsed, ends trimmed. SQLite's `NOCASE` folds only ASCII, which would miss "Лавров" = "ЛАВРОВ".
pub fn name_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Checks a BCP 47 language tag loosely: a 2–3 letter primary subtag, then 1–8 alphanumeric subtags.
pub(crate) fn language(value: &str) -> Result<()> {
    let mut parts = value.split('-');
    let primary = parts.next().unwrap_or_default();
    let ok_primary = (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
    let ok_rest = parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok_primary && ok_rest {
        Ok(())
    } else {
        Err(Error::invalid(
            "language",
            format!(
                "not a BCP 47 language tag such as 'en' or 'ko-KR': {:?}",
                shorten(value, 40)
            ),
        ))
    }
}

/// Checks a URL: an absolute `http` or `https` address with a host, no whitespace or control characters.
pub(crate) fn url(value: &str) -> Result<()> {
    // Only web addresses: a `javascript:` or `data:` URL published as a review's or a page's link
    // would run in the reader's browser.
    let web = value.split_once("://").is_some_and(|(scheme, rest)| {
        (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
            && rest
                .split(['/', '?', '#'])
                .next()
                .is_some_and(|host| !host.is_empty())
    });
    if !web || value.chars().any(|c| c.is_whitespace() || c.is_control()) || value.len() > MAX_URL_BYTES {
        return Err(Error::invalid(
            "url",
            format!("not an absolute http or https URL: {:?}", shorten(value, 80)),
        ));
    }
    optional("url", value, MAX_URL_BYTES)
}

/// The first `max` characters of `s`, with an ellipsis when cut; for error messages.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_and_nul_are_refused() {
        assert!(required("text", "  \n", 10).is_err());
        let err = required("text", "a\0b", 10).unwrap_err().to_string();
        assert!(err.contains("NUL"), "{err}");
        assert!(required("text", "line\nbreak\tok", 100).is_ok());
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(required("text", "북한군", 3).is_ok());
        assert!(required("text", "북한군 파병", 3).is_err());
    }

    #[test]
    fn name_keys_fold_unicode_case_and_spaces() {
        assert_eq!(name_key("  Сергей   ЛАВРОВ "), "сергей лавров");
        assert_eq!(name_key("KCNA"), name_key("kcna"));
    }

    #[test]
    fn languages() {
        for ok in ["en", "ko", "ko-KR", "zh-Hant-TW", "ast"] {
            assert!(language(ok).is_ok(), "{ok}");
        }
        for bad in ["", "english", "e", "en_US", "en-", "ko-KR-toolongsubtag"] {
            assert!(language(bad).is_err(), "{bad}");
        }
    }
}
