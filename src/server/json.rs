//! JSON text with every object's keys in sorted order, written straight from serde values: the bytes
//! `serde_json::to_vec(&serde_json::to_value(x)?)` gives (a `serde_json::Value` object is a sorted map
//! in this build), without building the `Value` tree, one allocation per node, first.
//!
//! Each object's members are written to a buffer of their own, then copied out in key order when the
//! object ends; buffers are reused from object to object, so a document costs a few allocations,
//! whatever its size.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};

/// `x` as compact JSON text with sorted object keys, appended to `out`.
pub(crate) fn to_sorted_json<T: Serialize + ?Sized>(x: &T, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Sorted::default());
    x.serialize(&mut ser)
}

/// One member of an open object: its key (the text between the quotes, as written) and the whole
/// `"key":value` text, as ranges of the object's buffer, with the key unescaped when it held an escape.
struct Member {
    key: std::ops::Range<usize>,
    whole: std::ops::Range<usize>,
    unescaped: Option<String>,
}

impl Member {
    /// The key as `serde_json::Map` orders it: its text, unescaped, as UTF-8 bytes (whose order is the
    /// order of the strings).
    fn key<'a>(&'a self, buf: &'a [u8]) -> &'a [u8] {
        match &self.unescaped {
            Some(k) => k.as_bytes(),
            None => buf.get(self.key.clone()).unwrap_or_default(),
        }
    }
}

/// An object being written.
#[derive(Default)]
struct Frame {
    buf: Vec<u8>,
    members: Vec<Member>,
    /// Where the member being written starts.
    start: usize,
}

/// The formatter: compact output, objects buffered until they end.
#[derive(Default)]
struct Sorted {
    open: Vec<Frame>,
    /// Frames of objects already closed, kept for their buffers.
    spare: Vec<Frame>,
}

/// Runs a [`CompactFormatter`] method on the open object's buffer, or on the writer outside objects.
macro_rules! routed {
    ($( $name:ident ( $( $arg:ident : $ty:ty ),* ) ; )*) => {
        $(
            fn $name<W: ?Sized + Write>(&mut self, writer: &mut W $(, $arg: $ty)*) -> io::Result<()> {
                match self.open.last_mut() {
                    Some(f) => CompactFormatter.$name(&mut f.buf $(, $arg)*),
                    None => CompactFormatter.$name(writer $(, $arg)*),
                }
            }
        )*
    };
}

impl Formatter for Sorted {
    routed! {
        write_null();
        write_bool(value: bool);
        write_i8(value: i8);
        write_i16(value: i16);
        write_i32(value: i32);
        write_i64(value: i64);
        write_i128(value: i128);
        write_u8(value: u8);
        write_u16(value: u16);
        write_u32(value: u32);
        write_u64(value: u64);
        write_u128(value: u128);
        write_f32(value: f32);
        write_f64(value: f64);
        write_number_str(value: &str);
        begin_string();
        end_string();
        write_string_fragment(fragment: &str);
        write_char_escape(char_escape: CharEscape);
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        write_raw_fragment(fragment: &str);
    }

    fn begin_object<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        let frame = self.spare.pop().unwrap_or_default();
        self.open.push(frame);
        Ok(())
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, _writer: &mut W, _first: bool) -> io::Result<()> {
        // No comma: members are joined when the object ends, in key order.
        if let Some(f) = self.open.last_mut() {
            f.start = f.buf.len();
        }
        Ok(())
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        Ok(())
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        if let Some(f) = self.open.last_mut() {
            let written = f.start..f.buf.len();
            let text = f.buf.get(written.clone()).unwrap_or_default();
            // Rare (a key with a quote, backslash or control character): kept unescaped for the order.
            let unescaped = text
                .contains(&b'\\')
                .then(|| serde_json::from_slice::<String>(text).unwrap_or_default());
            f.members.push(Member {
                // Inside the quotes.
                key: written.start + 1..written.end.saturating_sub(1).max(written.start + 1),
                whole: f.start..f.start,
                unescaped,
            });
            f.buf.push(b':');
        }
        Ok(())
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        if let Some(f) = self.open.last_mut() {
            let end = f.buf.len();
            if let Some(m) = f.members.last_mut() {
                m.whole.end = end;
            }
        }
        Ok(())
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        let Some(mut frame) = self.open.pop() else {
            return Ok(());
        };
        {
            let Frame { buf, members, .. } = &mut frame;
            // Stable: of members with the same key the last written comes last, and is the one kept,
            // as a map keeps the last value inserted under a key.
            if !members.is_sorted_by(|a, b| a.key(buf) <= b.key(buf)) {
                members.sort_by(|a, b| a.key(buf).cmp(b.key(buf)));
            }
            match self.open.last_mut() {
                Some(parent) => write_members(&mut parent.buf, buf, members)?,
                None => write_members(writer, buf, members)?,
            }
        }
        frame.buf.clear();
        frame.members.clear();
        self.spare.push(frame);
        Ok(())
    }
}

/// `{`, the members in their (sorted) order with commas between, `}`; of members with equal keys only
/// the last.
fn write_members<W: ?Sized + Write>(out: &mut W, buf: &[u8], members: &[Member]) -> io::Result<()> {
    out.write_all(b"{")?;
    let mut first = true;
    for (i, m) in members.iter().enumerate() {
        let key = m.key(buf);
        if members.get(i + 1).is_some_and(|next| next.key(buf) == key) {
            continue;
        }
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        out.write_all(buf.get(m.whole.clone()).unwrap_or_default())?;
    }
    out.write_all(b"}")
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use serde::Serialize;

    use super::to_sorted_json;

    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Shape {
        Unit,
        Newtype(Inner),
        Tuple(u8, Inner),
        Struct { zeta: i64, alpha: Option<Inner> },
    }

    #[derive(Serialize, Clone)]
    struct Inner {
        z: f64,
        b: Vec<u8>,
        a: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        m: Option<bool>,
    }

    #[derive(Serialize)]
    struct Outer {
        yes: Vec<Shape>,
        #[serde(flatten)]
        extra: BTreeMap<String, i64>,
        by_key: HashMap<String, Inner>,
        by_number: BTreeMap<u32, ()>,
        empty: BTreeMap<String, u8>,
        nothing: Option<Inner>,
        nested: Vec<Vec<Inner>>,
        #[serde(rename = "Ä")]
        umlaut: i8,
    }

    /// Whatever the value, the text is `serde_json::Value`'s: every object's keys in sorted order
    /// (escaped keys, numbers as keys and flattened members too), a key given twice kept once with its
    /// last value, numbers, escapes and empty objects as serde_json writes them.
    #[test]
    fn the_text_is_the_value_trees() {
        let inner = Inner {
            z: -0.1,
            b: vec![0, 255],
            a: "quote \" slash \\ tab \t \u{1} é",
            m: Some(false),
        };
        let bare = Inner {
            z: 1e300,
            b: Vec::new(),
            a: "",
            m: None,
        };
        let mut by_key = HashMap::new();
        for k in ["b", "a\"", "a", "\u{7}", "é", "Z", "", "a\\"] {
            by_key.insert(k.to_string(), inner.clone());
        }
        let value = Outer {
            yes: vec![
                Shape::Unit,
                Shape::Newtype(inner.clone()),
                Shape::Tuple(7, bare.clone()),
                Shape::Struct {
                    zeta: i64::MIN,
                    alpha: Some(bare.clone()),
                },
                Shape::Struct { zeta: 0, alpha: None },
            ],
            // `yes` again, flattened after the field of that name: the last one written wins.
            extra: [("yes".to_string(), 1), ("aardvark".to_string(), u32::MAX.into())].into(),
            by_key,
            by_number: [(10, ()), (9, ()), (100, ())].into(),
            empty: BTreeMap::new(),
            nothing: None,
            nested: vec![vec![], vec![inner, bare]],
            umlaut: -3,
        };
        let mut text = Vec::new();
        to_sorted_json(&value, &mut text).unwrap();
        let tree = serde_json::to_vec(&serde_json::to_value(&value).unwrap()).unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), String::from_utf8(tree).unwrap());
        // Outside any object, values are written as they are.
        for v in [
            serde_json::json!([1, "x", null]),
            serde_json::json!("x"),
            serde_json::json!({}),
        ] {
            let mut text = Vec::new();
            to_sorted_json(&v, &mut text).unwrap();
            assert_eq!(text, serde_json::to_vec(&v).unwrap());
        }
    }
}
