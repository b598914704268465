//! Text kept compressed in memory until it is read.
//!
//! A build holds every article's rendered HTML and visible text from
//! Markdown to the last page, export and search record, since any of them
//! may need it; on 100,000 articles that was about 3 GB of a 6.3 GB peak.
//! Rendered HTML is so repetitive that LZ4 keeps about a third of it (a
//! sixth of highlighted code), and unpacking is faster than reading the
//! same bytes from a file, so each reader unpacks what it needs when it
//! needs it.

/// A string, LZ4-compressed.
#[derive(Hash)]
pub(crate) struct Packed {
    bytes: Box<[u8]>,
}

impl Packed {
    pub(crate) fn new(text: &str) -> Packed {
        Packed {
            bytes: lz4_flex::block::compress_prepend_size(text.as_bytes()).into_boxed_slice(),
        }
    }

    /// Wraps bytes [`Packed::into_bytes`] gave, read back from a file;
    /// [`Packed::unpack`] tells whether they were whole.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Packed {
        Packed {
            bytes: bytes.into(),
        }
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes.into_vec()
    }

    /// The text, or None when the bytes are not a packed string (only
    /// possible for bytes read back from a file).
    pub(crate) fn try_unpack(&self) -> Option<String> {
        let bytes = lz4_flex::block::decompress_size_prepended(&self.bytes).ok()?;
        String::from_utf8(bytes).ok()
    }

    /// The text.
    pub(crate) fn unpack(&self) -> String {
        // Only `from_bytes` can wrap bytes that do not unpack, and the
        // highlight cache, its one user, reads them with `try_unpack`.
        self.try_unpack().unwrap_or_default()
    }
}

impl Default for Packed {
    fn default() -> Packed {
        Packed::new("")
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Packed({:?})", self.unpack())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_unpacks_to_itself() {
        for text in [
            "",
            "a",
            "é & <span class=\"hl-k\">fn</span>\n",
            &"ab".repeat(5000),
        ] {
            assert_eq!(Packed::new(text).unpack(), text);
        }
    }

    #[test]
    fn damaged_bytes_do_not_unpack() {
        let packed = Packed::new(&"<span class=\"hl-k\">fn</span>".repeat(100));
        let bytes = packed.into_bytes();
        assert!(
            Packed::from_bytes(&bytes[..bytes.len() - 3])
                .try_unpack()
                .is_none()
        );
        assert!(Packed::from_bytes(&[0xff; 4]).try_unpack().is_none());
        // Valid LZ4 of bytes that are not UTF-8.
        let latin1 = lz4_flex::block::compress_prepend_size(&[0xe9, 0x20]);
        assert!(Packed::from_bytes(&latin1).try_unpack().is_none());
    }
}
