//! Validation of free text shared by every entity: no NUL or stray control characters, bounded length.

use crate::error::{Error, Result};

/// Longest claim text, excerpt, rationale or note, in characters.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Longest quotation kept in an attribution, in characters. A longer passage is not a quote but a document.
pub const MAX_QUOTE_CHARS: usize = 5_000;
/// Longest name, alias, title, unit or tag, in characters.
pub const MAX_NAME_CHARS: usize = 1_000;
/// Longest review label or rating name (`textualRating`, `alternateName`), in bytes. Publishers put whole
/// verdict paragraphs there (2,000+ characters in real Fact Check Tools feeds), so the limit is high;
/// importers cut a longer one at a character boundary and report the cut rather than skip the review.
pub const MAX_LABEL_BYTES: usize = 16 * 1024;
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

/// Checks an optional label: not blank, clean, at most [`MAX_LABEL_BYTES`] bytes.
pub(crate) fn opt_label(field: &'static str, value: Option<&str>) -> Result<()> {
    let Some(v) = value else { return Ok(()) };
    required(field, v, usize::MAX)?;
    if v.len() > MAX_LABEL_BYTES {
        return Err(Error::invalid(
            field,
            format!("is {} bytes long; the limit is {MAX_LABEL_BYTES}", v.len()),
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

/// The one key every lookup and deduplication of names, aliases and claim texts goes through, so that
/// spellings a reader cannot tell apart find each other:
///
/// 1. format characters (Unicode category Cf: zero-width space and joiners, bidi marks and isolates,
///    the byte-order mark, soft hyphen) are removed;
/// 2. Unicode compatibility normalisation (NFKC): fullwidth `ＫＣＮＡ` is `KCNA`, a name typed in
///    decomposed form (NFD) equals the same name precomposed (NFC), ligatures and superscripts unfold;
/// 3. full Unicode case folding (`ΠΑΠΑΔΟΠΟΥΛΟΣ` and `Παπαδοπουλος` agree, final sigma included;
///    `STRASSE` and `Straße` agree), followed by NFKC again since folding can un-normalise;
/// 4. whitespace of any kind collapsed to one space, ends trimmed.
///
/// SQLite's `NOCASE` folds only ASCII, which would miss "Лавров" = "ЛАВРОВ". Accents are kept: "Côte" and
/// "Cote" are different names.
///
/// # Example
///
/// ```
/// use claimtrack::name_key;
/// assert_eq!(name_key("  Сергей   ЛАВРОВ "), "сергей лавров");
/// assert_eq!(name_key("ＫＣＮＡ"), name_key("K\u{200B}CNA"));
/// assert_eq!(name_key("ΠΑΠΑΔΟΠΟΥΛΟΣ"), name_key("Παπαδοπουλος"));
/// assert_eq!(name_key("Jose\u{301}"), name_key("José"));
/// ```
pub fn name_key(name: &str) -> String {
    // Most names and claim texts are ASCII, and for ASCII every step below but two is the identity: no
    // character is of category Format, NFKC changes nothing, and full case folding maps exactly `A`-`Z`
    // to `a`-`z`. That leaves lower-casing and the spacing, done here without the Unicode tables (the
    // key of every claim is computed on its insert: 4 % of a bulk load went to the general tables).
    if name.is_ascii() {
        let mut out = String::with_capacity(name.len());
        for word in name.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        }
        return out;
    }
    unicode_name_key(name)
}

/// The 64-bit hash of a name key by which the store indexes claims' texts (`claims.text_key_hash`):
/// FNV-1a over the key's UTF-8 bytes, as a signed integer (SQLite's INTEGER, PostgreSQL's bigint).
///
/// An index of these integers is a fraction of the size of an index of the keys themselves, and its
/// size, not the keys', decides whether a bulk load of a million claims keeps it in the page cache
/// (docs/performance.md). Two texts may share a hash: a lookup reads the claims with the hash and keeps
/// those whose text has the key. The function is part of the stored format: a change to it needs
/// `claimtrack reindex`, as a change to [`name_key`] does.
///
/// # Example
///
/// ```
/// use claimtrack::{name_key, name_key_hash};
/// let key = name_key("The moon is made of cheese");
/// assert_eq!(name_key_hash(&key), name_key_hash(&name_key("THE  MOON is made of cheese")));
/// assert_ne!(name_key_hash(&key), name_key_hash(&name_key("The moon is made of rock")));
/// ```
pub fn name_key_hash(key: &str) -> i64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let h = key
        .bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
    i64::from_ne_bytes(h.to_ne_bytes())
}

/// [`name_key`] for any text, through the Unicode tables.
fn unicode_name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let visible: String = name
        .chars()
        .filter(|c| c.general_category() != GeneralCategory::Format)
        .nfkc()
        .collect();
    let folded: String = caseless::default_case_fold_str(&visible).nfkc().collect();
    let mut out = String::with_capacity(folded.len());
    for word in folded.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
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

    proptest::proptest! {
        /// The ASCII shortcut of `name_key` gives exactly the key of the Unicode path, control
        /// characters and every kind of ASCII spacing included.
        #[test]
        fn ascii_names_get_the_unicode_key(name in "[\\x00-\\x7f]{0,40}") {
            proptest::prop_assert_eq!(name_key(&name), unicode_name_key(&name));
        }
    }

    #[test]
    fn ascii_shortcut_folds_case_and_spacing() {
        let name = "\x0b Tass\tAND\x0c  kcna\r\n\x1f";
        assert_eq!(name_key(name), "tass and kcna \x1f");
        assert_eq!(name_key(name), unicode_name_key(name));
        assert_eq!(name_key("KCNA"), name_key("ＫＣＮＡ"));
    }

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
        // Any Unicode whitespace, including no-break and ideographic spaces, is one space.
        assert_eq!(name_key("Kim\u{00A0}Jong\u{3000}Un\n"), "kim jong un");
    }

    #[test]
    fn name_keys_unify_what_a_reader_cannot_tell_apart() {
        // Final sigma and capital sigma fold to one sigma.
        assert_eq!(name_key("ΠΑΠΑΔΟΠΟΥΛΟΣ"), "παπαδοπουλοσ");
        assert_eq!(name_key("Παπαδοπουλος"), "παπαδοπουλοσ");
        // NFD and NFC.
        let nfd = "Jose\u{0301} Mun\u{0303}oz";
        assert_eq!(name_key(nfd), name_key("José Muñoz"));
        assert_eq!(name_key(nfd), "josé muñoz");
        // Fullwidth letters (compatibility forms).
        assert_eq!(name_key("ＫＣＮＡ"), "kcna");
        // Format characters: zero-width space, joiners, bidi marks and isolates, BOM, soft hyphen.
        for hidden in [
            "K\u{200B}CNA",
            "\u{200E}KCNA\u{200F}",
            "\u{2066}KCNA\u{2069}",
            "\u{FEFF}KCNA",
            "KC\u{00AD}NA",
            "K\u{200D}C\u{200C}NA",
            "\u{202E}KCNA\u{202C}",
        ] {
            assert_eq!(name_key(hidden), "kcna", "{hidden:?}");
        }
        // Full case folding, not just lower-casing.
        assert_eq!(name_key("STRASSE"), name_key("Straße"));
        // Accents stay: they make different names.
        assert_ne!(name_key("Côte"), name_key("Cote"));
        // A name of format characters only has an empty key.
        assert_eq!(name_key("\u{200B}\u{200E}"), "");
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
