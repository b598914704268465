//! The previous build, remembered in `.dossier-cache/site.json`, so that
//! the next build carries over what did not change instead of producing
//! it again.
//!
//! A build records what each file it wrote was made from: a page's
//! signature (see `site`), or the digest of the inputs of a whole group of
//! files (the exports, the search index), and each file's length. The next
//! build into the same folder, by the same program, keeps a file of the
//! previous output when what it is made from is unchanged and the old file
//! is still there at that length (where it is, or hard-linked into a new
//! folder: see `output`); everything else is produced as in a cold build. A carried file is the file a cold
//! build would write, so output stays byte-identical (`tests/cli/cache.rs`).
//!
//! Like the highlight cache, the record is disposable: one that is
//! missing, unreadable, or written by another program or for another
//! output folder is ignored whole, and the build is a cold one.

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::highlight::CACHE_DIR;
use crate::site::Signatures;

const FILE: &str = "site.json";

/// What one build wrote.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Record {
    /// The program that wrote it: another one may render differently.
    program: String,
    /// The output folder it describes.
    output: PathBuf,
    /// Per site path of a page or theme file, the signature of its inputs.
    pub(crate) pages: Signatures,
    pub(crate) exports: Option<Group>,
    pub(crate) search: Option<Group>,
    /// The length of every file written, by site path.
    pub(crate) lengths: FxHashMap<String, u64>,
    /// A digest of every input file and of the options, when they were
    /// read: if it is the same and the output is intact, nothing needs to
    /// be read further, let alone rendered ([`inputs_digest`]).
    pub(crate) inputs: Option<u64>,
    /// The pages and annotations that build reported.
    pub(crate) counts: (usize, usize),
    /// The identity of the output folder's marker file (`.dossier-build`),
    /// which every build that writes makes anew: if another build wrote
    /// the folder since (another dossier, or a copy of this one), its
    /// files are not this record's, whatever their lengths.
    pub(crate) marker: Option<String>,
}

/// The marker file's inode and modification time, as text.
pub(crate) fn marker_identity(output: &Path) -> Option<String> {
    let meta = fs::symlink_metadata(output.join(crate::output::MARKER)).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some(format!("{inode} {}", modified.as_nanos()))
}

/// A digest of everything a build reads: `dossier.yaml` and every file
/// under `content/`, `templates/` and `static/` (path and bytes), with the
/// options that change the output (`options`, already in text). None when
/// any of it cannot be read: the build then finds out why.
pub(crate) fn inputs_digest(root: &Path, options: &str) -> Option<u64> {
    use rayon::prelude::*;
    use std::hash::{Hash as _, Hasher as _};
    let mut paths = vec![root.join("dossier.yaml")];
    for folder in ["content", "templates", "static"] {
        let folder = root.join(folder);
        if !folder.exists() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&folder) {
            let entry = entry.ok()?;
            if !entry.file_type().is_dir() {
                paths.push(entry.into_path());
            }
        }
    }
    paths.sort_unstable();
    let digests: Vec<u64> = paths
        .par_iter()
        .map(|path| {
            let bytes = match fs::read(path) {
                Ok(bytes) => Some(bytes),
                // A config file is optional.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(Vec::new()),
                Err(_) => None,
            }?;
            let mut h = rustc_hash::FxHasher::default();
            (path.strip_prefix(root).unwrap_or(path), bytes).hash(&mut h);
            Some(h.finish())
        })
        .collect::<Option<_>>()?;
    let mut h = rustc_hash::FxHasher::default();
    (options, digests).hash(&mut h);
    Some(h.finish())
}

/// Files produced together from one set of inputs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Group {
    /// A digest of the inputs.
    pub(crate) digest: u64,
    /// Their site paths.
    pub(crate) files: Vec<String>,
}

impl Group {
    /// The group when it was made from `digest`.
    pub(crate) fn matching(group: Option<&Group>, digest: u64) -> Option<&Group> {
        group.filter(|g| g.digest == digest)
    }
}

/// Identifies this build of the program: its version and the executable's
/// length and modification time, so that a rebuilt binary (whose pages
/// may differ) never reuses another's output.
fn program() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = fs::metadata(exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{} {} {}",
        crate::highlight::CACHE_VERSION,
        meta.len(),
        modified.as_nanos()
    ))
}

fn path(root: &Path) -> PathBuf {
    root.join(CACHE_DIR).join(FILE)
}

impl Record {
    /// An empty record for a build of `root` into `output`.
    pub(crate) fn new(output: &Path) -> Record {
        Record {
            program: program().unwrap_or_default(),
            output: output.to_path_buf(),
            ..Record::default()
        }
    }

    /// The record of the last build of `root` into `output` by this
    /// program, if there is a usable one.
    pub(crate) fn load(root: &Path, output: &Path) -> Option<Record> {
        let program = program()?;
        let bytes = fs::read(path(root)).ok()?;
        let record: Record = serde_json::from_slice(&bytes).ok()?;
        let ours = record.marker.is_some() && record.marker == marker_identity(output);
        (ours && record.program == program && record.output == output).then_some(record)
    }

    /// Writes the record under a temporary name and renames it into place,
    /// so that a concurrent build reads a whole record, old or new.
    pub(crate) fn save(&self, root: &Path) -> anyhow::Result<()> {
        if self.program.is_empty() {
            return Ok(());
        }
        let dir = root.join(CACHE_DIR);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let temporary = dir.join(format!("{FILE}.{}.tmp", std::process::id()));
        let written = (|| -> anyhow::Result<()> {
            let mut out = BufWriter::new(fs::File::create(&temporary)?);
            serde_json::to_writer(&mut out, self)?;
            out.into_inner().map_err(|e| e.into_error())?;
            fs::rename(&temporary, path(root))?;
            Ok(())
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        written.with_context(|| format!("cannot write {}", path(root).display()))
    }
}
