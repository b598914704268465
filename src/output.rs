//! Where rendered files go, and keeping the user's files safe.
//!
//! A build writes the whole site into a hidden sibling of the output folder
//! and swaps it in only once everything succeeded, so a failed build leaves
//! the previous site exactly as it was. The output folder may never be the
//! dossier itself, one of its source folders, or a folder we did not create.

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, bail};
use rustc_hash::FxHashMap;

/// Marks a folder as written by dossier, so a later build may replace it.
pub(crate) const MARKER: &str = ".dossier-build";

/// Tells GitHub Pages not to run Jekyll over the site (see `docs/publishing.md`).
pub(crate) const NOJEKYLL: &str = ".nojekyll";

/// A destination for rendered files.
pub(crate) trait Sink: Sync {
    /// Writes `bytes` at site path `path` (`articles/x/index.html`).
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()>;

    /// Writes at `path` what `render` writes. A large export (hundreds of
    /// megabytes on a big dossier) goes to its file as it is produced
    /// rather than through a buffer the size of the file.
    fn write_with(
        &self,
        path: &str,
        render: &mut dyn FnMut(&mut dyn std::io::Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut bytes = Vec::new();
        render(&mut bytes)?;
        self.write(path, &bytes)
    }

    /// Keeps the file at `path` as the previous run produced it, when this
    /// sink can (its inputs did not change); true if it did.
    fn carry(&self, _path: &str) -> bool {
        false
    }
}

/// Keeps written files in memory (for `serve`).
#[derive(Default)]
#[cfg_attr(not(feature = "serve"), allow(dead_code))]
pub(crate) struct MemorySink {
    pub(crate) files: std::sync::Mutex<Vec<(String, Vec<u8>)>>,
}

impl Sink for MemorySink {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let mut files = self
            .files
            .lock()
            .map_err(|_| anyhow::anyhow!("a render thread panicked"))?;
        files.push((path.to_string(), bytes.to_vec()));
        Ok(())
    }

    /// `serve` keeps the files of its previous pass.
    fn carry(&self, _path: &str) -> bool {
        true
    }
}

/// Writes into a staging folder that [`Staging::commit`] swaps in.
pub(crate) struct Staging {
    target: PathBuf,
    staging: PathBuf,
    /// Files of the previous build that may be carried over, with their
    /// lengths then (see `rebuild`).
    previous: FxHashMap<String, u64>,
    /// The length of every file in the staging folder, by site path.
    lengths: Mutex<FxHashMap<String, u64>>,
    /// Folders of the staging folder made so far: a page's folder holds
    /// one or two files, and asking the file system again for each costs
    /// a failed `mkdir` and a `stat`.
    folders: Mutex<rustc_hash::FxHashSet<PathBuf>>,
}

impl Sink for Staging {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let dest = self.destination(path)?;
        fs::write(&dest, bytes).with_context(|| format!("cannot write {}", dest.display()))?;
        self.wrote(path, bytes.len() as u64);
        Ok(())
    }

    /// Hard-links the previous build's file, which costs no new inode and
    /// no data; copies it where links are not supported.
    fn carry(&self, path: &str) -> bool {
        let Some(&length) = self.previous.get(path) else {
            return false;
        };
        let old = self.target.join(path);
        // Not followed: a link planted in the output is never carried.
        let intact = fs::symlink_metadata(&old).is_ok_and(|m| m.is_file() && m.len() == length);
        let carried = intact
            && self.destination(path).is_ok_and(|dest| {
                fs::hard_link(&old, &dest).is_ok() || fs::copy(&old, &dest).is_ok()
            });
        if carried {
            self.wrote(path, length);
        }
        carried
    }

    fn write_with(
        &self,
        path: &str,
        render: &mut dyn FnMut(&mut dyn std::io::Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        use std::io::Write as _;
        let dest = self.destination(path)?;
        let file =
            fs::File::create(&dest).with_context(|| format!("cannot write {}", dest.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        render(&mut out)?;
        let length = out
            .flush()
            .and_then(|()| out.get_ref().metadata())
            .with_context(|| format!("cannot write {}", dest.display()))?
            .len();
        self.wrote(path, length);
        Ok(())
    }
}

impl Staging {
    /// Checks `target` is safe to replace and prepares an empty staging folder beside it.
    pub(crate) fn new(root: &Path, target: &Path) -> anyhow::Result<Staging> {
        check_target(root, target)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let parent = target.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        let staging = parent.join(format!(".{name}.dossier-new-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        fs::create_dir_all(&staging)
            .with_context(|| format!("cannot create {}", staging.display()))?;
        fs::write(
            staging.join(MARKER),
            "This folder was generated by `dossier build`; it is replaced on every build.\n",
        )
        .with_context(|| format!("cannot write in {}", staging.display()))?;
        // GitHub Pages runs Jekyll on a published branch unless this file is
        // there; Jekyll would drop files starting with `_` and slow every
        // deploy. Other hosts ignore it. (mdBook writes one for the same reason.)
        fs::write(staging.join(NOJEKYLL), "")
            .with_context(|| format!("cannot write in {}", staging.display()))?;
        Ok(Staging {
            target: target.to_path_buf(),
            staging,
            previous: FxHashMap::default(),
            lengths: Mutex::default(),
            folders: Mutex::default(),
        })
    }

    /// Lets [`Sink::carry`] take these files (site path and length) from
    /// the output folder, as the previous build left them.
    pub(crate) fn carry_from(&mut self, previous: FxHashMap<String, u64>) {
        self.previous = previous;
    }

    /// The length of every file written or carried so far, by site path.
    pub(crate) fn lengths(&self) -> FxHashMap<String, u64> {
        self.lengths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Where `path` goes in the staging folder, its folder created.
    fn destination(&self, path: &str) -> anyhow::Result<PathBuf> {
        let dest = self.staging.join(path);
        if self
            .lengths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(path)
        {
            // Already there, maybe as a link to the previous build's file:
            // writing through it would change the site being replaced.
            fs::remove_file(&dest).with_context(|| format!("cannot replace {}", dest.display()))?;
        } else if let Some(parent) = dest.parent() {
            let folders = || self.folders.lock().unwrap_or_else(|e| e.into_inner());
            if !folders().contains(parent) {
                fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
                folders().insert(parent.to_path_buf());
            }
        }
        Ok(dest)
    }

    fn wrote(&self, path: &str, length: u64) {
        self.lengths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_string(), length);
    }

    /// Swaps the finished site in place of the old one.
    pub(crate) fn commit(self) -> anyhow::Result<()> {
        let old = self.staging.with_file_name(format!(
            ".{}.dossier-old-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).with_context(|| {
                format!(
                    "cannot move the previous site {} aside",
                    self.target.display()
                )
            })?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            if had_old {
                // Put the previous site back: the user keeps a working site.
                let _ = fs::rename(&old, &self.target);
            }
            return Err(e).with_context(|| {
                format!("cannot move the new site into {}", self.target.display())
            });
        }
        if had_old {
            fs::remove_dir_all(&old)
                .with_context(|| format!("cannot remove the previous site at {}", old.display()))?;
        }
        Ok(())
    }

    /// Removes the staging folder after a failed build.
    pub(crate) fn abandon(self) {
        let _ = fs::remove_dir_all(&self.staging);
    }
}

/// Lexically normalises a path (no `.` or `..`), relative to the working directory.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Refuses output folders that would destroy or pollute the user's files.
pub(crate) fn check_target(root: &Path, target: &Path) -> anyhow::Result<()> {
    let root = absolute(&fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()));
    let target = absolute(target);
    // Resolve symlinks of the part that exists, so a link cannot sneak past.
    let target = match (
        target.parent().and_then(|p| fs::canonicalize(p).ok()),
        target.file_name(),
    ) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => target,
    };
    if root.starts_with(&target) {
        bail!(
            "refusing to build into {}: it is the dossier folder itself or one of its parents; choose a folder like `public`",
            target.display()
        );
    }
    for source in ["content", "templates", "static"] {
        let source_dir = root.join(source);
        if target.starts_with(&source_dir) {
            bail!(
                "refusing to build into {}: it is inside `{source}/`, which holds your sources; choose a folder like `public`",
                target.display()
            );
        }
    }
    if target.is_file() {
        bail!("refusing to build into {}: it is a file", target.display());
    }
    if target.is_dir() && !target.join(MARKER).exists() {
        let empty = fs::read_dir(&target)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            bail!(
                "refusing to build into {}: the folder is not empty and was not created by dossier; \
                 empty it or choose another output folder",
                target.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_targets_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        for dir in ["content", "templates", "static", "other"] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        fs::write(root.join("other/keep.txt"), "x").unwrap();
        for bad in [
            ".",
            "content",
            "content/sub",
            "templates",
            "static",
            "other",
            "..",
        ] {
            let err = check_target(root, &root.join(bad)).unwrap_err().to_string();
            assert!(err.starts_with("refusing to build into"), "{bad}: {err}");
        }
        check_target(root, &root.join("public")).unwrap();
        fs::create_dir_all(root.join("empty")).unwrap();
        check_target(root, &root.join("empty")).unwrap();
    }

    #[test]
    fn commit_replaces_and_failure_keeps_the_old_site() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("public");
        let staging = Staging::new(root.path(), &target).unwrap();
        staging.write("index.html", b"one").unwrap();
        staging.commit().unwrap();
        assert_eq!(fs::read(target.join("index.html")).unwrap(), b"one");

        let staging = Staging::new(root.path(), &target).unwrap();
        staging.write("index.html", b"two").unwrap();
        staging.abandon();
        assert_eq!(fs::read(target.join("index.html")).unwrap(), b"one");
        let leftovers = fs::read_dir(root.path()).unwrap().count();
        assert_eq!(leftovers, 1, "staging folder removed");
    }
}
