//! Repair of encoding damage found in real data sets, so a row with one bad character is kept, not
//! refused.
//!
//! The store refuses control characters (other than tab and line breaks) in text. Research data sets
//! contain a few, nearly always *mojibake*: UTF-8 bytes that were once decoded as Latin-1 or
//! Windows-1252 (`â\u{80}\u{94}` for "—", `e\u{92}v` for "e’v"). Repair, in order:
//! 1. a run of U+0080–U+00FF characters holding a C1 control is re-read as the UTF-8 bytes it came from,
//!    when those bytes are valid UTF-8 ("â\u{80}\u{94}" → "—");
//! 2. otherwise each C1 control is read as the Windows-1252 character at that byte ("\u{92}" → "’");
//! 3. whatever is left (C0 controls, DEL, C1 bytes Windows-1252 leaves undefined) becomes U+FFFD "�",
//!    so the damage stays visible.

use std::borrow::Cow;

fn is_bad(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\t' | '\r')
}

fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

/// Windows-1252's reading of the bytes 0x80–0x9F.
fn cp1252(c: char) -> char {
    const TABLE: [char; 32] = [
        '€', '\u{fffd}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{fffd}', 'Ž', '\u{fffd}',
        '\u{fffd}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{fffd}', 'ž', 'Ÿ',
    ];
    TABLE[(c as u32 - 0x80) as usize]
}

/// `text` with control characters repaired as the module describes; borrowed when nothing was wrong.
pub(crate) fn repair(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_bad) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if ('\u{80}'..='\u{ff}').contains(&c) {
            let start = i;
            while i < chars.len() && ('\u{80}'..='\u{ff}').contains(&chars[i]) {
                i += 1;
            }
            let run = &chars[start..i];
            if !run.iter().any(|c| is_c1(*c)) {
                out.extend(run);
                continue;
            }
            let bytes: Vec<u8> = run.iter().map(|c| *c as u32 as u8).collect();
            match std::str::from_utf8(&bytes) {
                Ok(s) if !s.chars().any(is_bad) => out.push_str(s),
                _ => out.extend(run.iter().map(|c| if is_c1(*c) { cp1252(*c) } else { *c })),
            }
            continue;
        }
        out.push(if is_bad(c) { '\u{fffd}' } else { c });
        i += 1;
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(repair("Soul Food (film) — café\tx"), Cow::Borrowed(_)));
    }

    #[test]
    fn mojibake_is_decoded_back() {
        assert_eq!(repair("a \u{e2}\u{80}\u{94} b"), "a — b");
        assert_eq!(repair("wait\u{e2}\u{80}\u{a6}"), "wait…");
    }

    #[test]
    fn stray_c1_is_read_as_windows_1252() {
        assert_eq!(repair("The\u{92}re"), "The’re");
    }

    #[test]
    fn what_cannot_be_read_shows_as_replacement() {
        assert_eq!(repair("Turnpike \u{90}"), "Turnpike \u{fffd}");
        assert_eq!(repair("a\u{0}b\u{7f}"), "a\u{fffd}b\u{fffd}");
    }
}
