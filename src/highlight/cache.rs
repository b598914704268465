//! Highlighted code blocks, remembered: in memory for the life of the
//! process, so `serve` highlights a block once, and on disk between builds
//! in `.dossier-cache/highlight.bin` under the dossier root.
//!
//! Highlighting is most of the cost of a build with code in it, and a block
//! rarely changes once written. An entry is keyed by a BLAKE3 digest of the
//! block's language token and code together with [`VERSION`] (this crate's
//! version, a hash of `Cargo.lock` and of the code that writes the HTML, and
//! the file format), so a value is only ever reused by the same highlighter
//! on the same input, and a cached build is byte-identical to a cold one.
//!
//! The file is a disposable copy of work, never a source of truth: one that
//! fails its checksum, is truncated, or was written by another version is
//! ignored whole, and deleting the folder only makes the next build slower.
//! A build writes a new file under a temporary name and renames it over the
//! old one, so concurrent builds each see a whole file, old or new.

use std::fs;
use std::io::{self, BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use rustc_hash::FxHashMap;

use crate::packed::Packed;

/// Names the highlighter an entry comes from; an entry of any other is unusable.
pub(crate) const VERSION: &str = concat!(
    "dossier ",
    env!("CARGO_PKG_VERSION"),
    " highlight ",
    env!("DOSSIER_HIGHLIGHT_HASH"),
    " format 3"
);

/// The cache folder of a dossier: safe to delete at any time.
pub(crate) const DIR: &str = ".dossier-cache";
const FILE: &str = "highlight.bin";
const MAGIC: &[u8; 8] = b"DOSSHLC\n";

pub(crate) type Key = [u8; 16];

/// The HTML of one block, packed (see `crate::packed`): on its own, or a
/// slice of a loaded file's bytes, so loading copies nothing per entry.
/// Packed, the cache of 100,000 articles' blocks is about a sixth of the
/// 1.2 GB it would be, in memory and on disk.
#[derive(Clone)]
pub(crate) struct Html {
    bytes: Arc<Vec<u8>>,
    range: std::ops::Range<usize>,
}

impl Html {
    fn pack(html: &str) -> Html {
        let packed = Packed::new(html).into_bytes();
        let range = 0..packed.len();
        Html {
            bytes: Arc::new(packed),
            range,
        }
    }

    fn packed(&self) -> &[u8] {
        &self.bytes[self.range.clone()]
    }

    /// The HTML, or None when the entry was damaged in a way the file's
    /// checksum could not tell.
    fn unpack(&self) -> Option<String> {
        Packed::from_bytes(self.packed()).try_unpack()
    }
}

struct Entry {
    html: Html,
    /// Read or written by this process since the last save: what the next
    /// save keeps.
    used: AtomicBool,
}

#[derive(Default)]
struct Store {
    entries: FxHashMap<Key, Entry>,
    /// Entries added since the last load or save.
    added: usize,
}

static STORE: LazyLock<Mutex<Store>> = LazyLock::new(Mutex::default);

fn store() -> MutexGuard<'static, Store> {
    // A panic while holding the lock leaves a map that is still consistent.
    STORE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The digest an entry is stored under.
pub(crate) fn key(lang: &str, code: &str) -> Key {
    let mut h = blake3::Hasher::new();
    let salt = super::salt();
    for part in [VERSION, &salt, lang, code] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let mut key = [0; 16];
    key.copy_from_slice(&h.finalize().as_bytes()[..16]);
    key
}

pub(crate) fn get(key: &Key) -> Option<String> {
    let html = {
        let store = store();
        let entry = store.entries.get(key)?;
        entry.used.store(true, Ordering::Relaxed);
        entry.html.clone()
    };
    // Unpacked outside the lock, which every thread preparing an article
    // takes.
    html.unpack()
}

/// Stores `html` under `key`.
pub(crate) fn insert(key: Key, html: &str) {
    let entry = Entry {
        html: Html::pack(html),
        used: AtomicBool::new(true),
    };
    let mut store = store();
    if store.entries.insert(key, entry).is_none() {
        store.added += 1;
    }
}

fn path(root: &Path) -> PathBuf {
    root.join(DIR).join(FILE)
}

/// Adds the entries saved under `root` to memory; a missing, damaged or
/// foreign file adds nothing.
pub(crate) fn load(root: &Path) {
    let Some(bytes) = read_current(&path(root)) else {
        return;
    };
    let Some((bytes, entries)) = decode(bytes) else {
        return;
    };
    let bytes = Arc::new(bytes);
    let mut store = store();
    for (key, range) in entries {
        store.entries.entry(key).or_insert_with(|| Entry {
            html: Html {
                bytes: Arc::clone(&bytes),
                range,
            },
            used: AtomicBool::new(false),
        });
    }
}

/// The bytes of the cache file at `path` when its trailer names this
/// version: a file another version wrote (hundreds of megabytes on a large
/// dossier) is not read at all. [`decode`] checks the rest.
fn read_current(path: &Path) -> Option<Vec<u8>> {
    use std::io::{Read as _, Seek as _, SeekFrom};
    let mut file = fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    // VERSION, its length, the count, the text's length, MAGIC, checksum.
    let tail = VERSION.len() + 8 * 3 + MAGIC.len() + 32;
    file.seek(SeekFrom::Start(len.checked_sub(tail as u64)?))
        .ok()?;
    let mut trailer = vec![0; tail];
    file.read_exact(&mut trailer).ok()?;
    let (version, rest) = trailer.split_at(VERSION.len());
    let current = version == VERSION.as_bytes()
        && rest[..8] == (VERSION.len() as u64).to_le_bytes()
        && &rest[24..24 + MAGIC.len()] == MAGIC;
    if !current {
        return None;
    }
    file.seek(SeekFrom::Start(0)).ok()?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).ok()?);
    file.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// Writes the entries used since the last save under `root`, when that
/// differs from what was loaded (new blocks, or blocks no longer used).
/// Entries not used are forgotten, so the file holds one dossier's blocks.
pub(crate) fn save(root: &Path) -> io::Result<()> {
    let mut store = store();
    let unused = store
        .entries
        .values()
        .filter(|e| !e.used.load(Ordering::Relaxed))
        .count();
    if store.added == 0 && unused == 0 {
        return Ok(());
    }
    store.entries.retain(|_, e| e.used.load(Ordering::Relaxed));
    let mut entries: Vec<(&Key, &Entry)> = store.entries.iter().collect();
    // A stable order: the same blocks give the same file.
    entries.sort_unstable_by_key(|(key, _)| **key);
    let dir = root.join(DIR);
    fs::create_dir_all(&dir)?;
    let temporary = dir.join(format!(
        "{FILE}.{}.{}.tmp",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let written = write(&temporary, &entries).and_then(|()| fs::rename(&temporary, path(root)));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written?;
    store.added = 0;
    for entry in store.entries.values() {
        entry.used.store(false, Ordering::Relaxed);
    }
    Ok(())
}

/// Empties the memory, for a one-shot command done with highlighting: the
/// rendered pages hold their own copies.
pub(crate) fn forget() {
    *store() = Store::default();
}

/// The packed HTML of every entry one after the other (so that loading
/// takes it as one buffer), then each entry's key and length, the version, the
/// entry count and the HTML's length, `MAGIC`, and a BLAKE3 checksum of
/// everything before it.
fn write(path: &Path, entries: &[(&Key, &Entry)]) -> io::Result<()> {
    struct Hashing<W> {
        inner: W,
        hasher: blake3::Hasher,
    }
    impl<W: io::Write> io::Write for Hashing<W> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = self.inner.write(buf)?;
            self.hasher.update(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            self.inner.flush()
        }
    }
    let file = fs::File::create(path)?;
    let mut out = Hashing {
        inner: BufWriter::with_capacity(1 << 16, file),
        hasher: blake3::Hasher::new(),
    };
    let mut text_len = 0u64;
    for (_, entry) in entries {
        out.write_all(entry.html.packed())?;
        text_len += entry.html.packed().len() as u64;
    }
    for (key, entry) in entries {
        out.write_all(&key[..])?;
        out.write_all(&(entry.html.packed().len() as u64).to_le_bytes())?;
    }
    out.write_all(VERSION.as_bytes())?;
    out.write_all(&(VERSION.len() as u64).to_le_bytes())?;
    out.write_all(&(entries.len() as u64).to_le_bytes())?;
    out.write_all(&text_len.to_le_bytes())?;
    out.write_all(MAGIC)?;
    let checksum = out.hasher.finalize();
    let mut inner = out.inner;
    inner.write_all(checksum.as_bytes())?;
    // No fsync: after a crash the renamed file may be short or garbled,
    // and the checksum then has it ignored.
    inner.flush()
}

/// An entry of a loaded file: its key and the range of its packed HTML.
type Slot = (Key, std::ops::Range<usize>);

/// The packed HTML of a cache file and each entry's range in it, or None
/// unless the file is whole, uncorrupted and of this version. (An entry is
/// unpacked when it is used, and one that does not unpack is a miss.)
fn decode(mut bytes: Vec<u8>) -> Option<(Vec<u8>, Vec<Slot>)> {
    let body_len = bytes.len().checked_sub(32)?;
    let (body, checksum) = bytes.split_at(body_len);
    if blake3::Hasher::new()
        .update_rayon(body)
        .finalize()
        .as_bytes()
        != checksum
    {
        return None;
    }
    // Read from the end: MAGIC, the text's length, the count, the version.
    let mut reader = Reader { rest: body };
    if reader.take_back(MAGIC.len())? != MAGIC {
        return None;
    }
    let text_len = reader.len_back()?;
    let count = reader.len_back()?;
    let version_len = reader.len_back()?;
    if reader.take_back(version_len)? != VERSION.as_bytes() {
        return None;
    }
    let index = reader.take_back(count.checked_mul(24)?)?;
    if reader.rest.len() != text_len {
        return None;
    }
    let mut entries = Vec::with_capacity(count);
    let mut start = 0usize;
    for item in index.chunks_exact(24) {
        let key: Key = item[..16].try_into().ok()?;
        let len = usize::try_from(u64::from_le_bytes(item[16..].try_into().ok()?)).ok()?;
        let end = start.checked_add(len).filter(|&end| end <= text_len)?;
        entries.push((key, start..end));
        start = end;
    }
    bytes.truncate(text_len);
    (start == text_len).then_some((bytes, entries))
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// The last `n` bytes left.
    fn take_back(&mut self, n: usize) -> Option<&'a [u8]> {
        let at = self.rest.len().checked_sub(n)?;
        let (rest, taken) = self.rest.split_at(at);
        self.rest = rest;
        Some(taken)
    }

    fn len_back(&mut self) -> Option<usize> {
        let bytes: [u8; 8] = self.take_back(8)?.try_into().ok()?;
        usize::try_from(u64::from_le_bytes(bytes)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(n: usize) -> Arc<str> {
        Arc::from(format!("<pre>{n} &amp; é</pre>"))
    }

    fn encoded(entries: &[(Key, Arc<str>)]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let entries: Vec<(Key, Entry)> = entries
            .iter()
            .map(|(k, h)| {
                let entry = Entry {
                    html: Html::pack(h),
                    used: AtomicBool::new(true),
                };
                (*k, entry)
            })
            .collect();
        let refs: Vec<(&Key, &Entry)> = entries.iter().map(|(k, e)| (k, e)).collect();
        write(&path, &refs).unwrap();
        fs::read(&path).unwrap()
    }

    #[test]
    fn a_written_file_decodes_to_its_entries() {
        let entries: Vec<(Key, Arc<str>)> = (0..3)
            .map(|n| (key("rust", &n.to_string()), html(n)))
            .collect();
        let bytes = encoded(&entries);
        let (packed, decoded) = decode(bytes).unwrap();
        assert_eq!(decoded.len(), 3);
        for ((k, h), (dk, range)) in entries.iter().zip(&decoded) {
            let html = Packed::from_bytes(&packed[range.clone()]).unpack();
            assert_eq!((k, &**h), (dk, &*html));
        }
    }

    #[test]
    fn any_truncation_or_flipped_byte_is_rejected() {
        let entries: Vec<(Key, Arc<str>)> = (0..2)
            .map(|n| (key("py", &n.to_string()), html(n)))
            .collect();
        let bytes = encoded(&entries);
        for len in 0..bytes.len() {
            assert!(
                decode(bytes[..len].to_vec()).is_none(),
                "truncated to {len}"
            );
        }
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x20;
            assert!(decode(damaged).is_none(), "byte {i} flipped");
        }
        assert!(decode(Vec::new()).is_none());
        assert!(decode(vec![0xff; 100]).is_none());
    }

    #[test]
    fn only_a_file_of_this_version_is_read() {
        let entries: Vec<(Key, Arc<str>)> = vec![(key("rust", "x"), html(1))];
        let bytes = encoded(&entries);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        fs::write(&file, &bytes).unwrap();
        assert_eq!(read_current(&file).as_deref(), Some(&bytes[..]));
        // Another version's trailer: same layout, different name.
        let at = bytes.len() - (VERSION.len() + 8 * 3 + MAGIC.len() + 32);
        let mut foreign = bytes.clone();
        foreign[at] ^= 1;
        fs::write(&file, &foreign).unwrap();
        assert!(read_current(&file).is_none());
        fs::write(&file, &bytes[..10]).unwrap();
        assert!(read_current(&file).is_none());
        assert!(read_current(&dir.path().join("missing")).is_none());
    }

    #[test]
    fn keys_separate_language_code_and_version() {
        assert_ne!(key("rust", "x"), key("rus", "tx"));
        assert_ne!(key("rust", "x"), key("python", "x"));
        assert_eq!(key("rust", "x"), key("rust", "x"));
    }
}
