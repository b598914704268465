//! The exports' JSON printer: what `serde_json::to_writer_pretty` writes
//! (two spaces per level), but able to start at a depth, and writing each
//! indent in one piece.
//!
//! `stix.json`'s objects are printed one by one and sit two levels deep
//! in the bundle: starting there spares re-indenting every line of a
//! printed object (a fifth of the export's time). serde_json's own
//! printer writes an indent a level at a time, a call per level on every
//! line of the deeply nested `dossier.json`.

use std::io::{self, Write};

use serde_json::ser::Formatter;

/// Enough for any depth the exports reach; deeper levels write it twice.
const SPACES: &[u8; 64] = b"                                                                ";

/// A pretty printer whose outermost value sits `depth` levels deep.
struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    fn at(depth: usize) -> Indented {
        Indented {
            depth,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + Write>(&self, out: &mut W) -> io::Result<()> {
        let mut width = self.depth * 2;
        while width > 0 {
            let n = width.min(SPACES.len());
            out.write_all(&SPACES[..n])?;
            width -= n;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            self.indent(out)?;
        }
        out.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(out)
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes `value` into `out`, its first line unindented (the caller
/// placed it) and every other line `depth` levels deep.
pub(super) fn write<W: Write>(
    out: &mut W,
    value: &impl serde::Serialize,
    depth: usize,
) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, Indented::at(depth));
    value.serialize(&mut serializer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn at_depth_zero_it_prints_what_serde_json_prints() {
        // Deeper than one write of `SPACES` reaches.
        let deep = (0..40).fold(json!(1), |inner, _| json!([inner]));
        let value = json!({
            "a": [1, [], {}, [true, null], {"b": "c\nd", "e": [{"f": 1.5}]}],
            "deep": deep,
            "g": {}
        });
        let mut ours = Vec::new();
        write(&mut ours, &value, 0).unwrap();
        let theirs = serde_json::to_vec_pretty(&value).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap()
        );
    }

    #[test]
    fn at_a_depth_every_line_after_the_first_is_indented_to_it() {
        let value = json!({"a": [1, 2], "b": {}});
        let mut ours = Vec::new();
        write(&mut ours, &value, 2).unwrap();
        let expected = serde_json::to_string_pretty(&value)
            .unwrap()
            .replace('\n', "\n    ");
        assert_eq!(String::from_utf8(ours).unwrap(), expected);
    }
}
