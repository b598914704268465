//! Where rendered files go, and keeping the user's files safe.
//!
//! A build writes into a hidden sibling of the output folder and swaps its
//! files in only once everything succeeded, so a failed build leaves the
//! previous site exactly as it was. A cold build swaps in the whole folder
//! at once. A rebuild over an intact previous output (see `rebuild`) stages
//! only the files that changed and moves each into place, keeping the old
//! ones aside until all have moved so that a failure puts them back: on a
//! small edit that is a handful of renames instead of re-linking every file
//! of the site and removing the old tree. The output folder may never be
//! the dossier itself, one of its source folders, or a folder we did not
//! create.

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
    /// When the output folder is updated in place, the identity of its
    /// marker file when it was found holding exactly the previous build's
    /// files: a carried file stays where it is and only the staged files
    /// move in ([`Staging::commit`]), unless another build changed the
    /// folder since.
    in_place: Option<String>,
    /// The length of every file of the new site so far, by site path.
    lengths: Mutex<FxHashMap<String, u64>>,
    /// Site paths with a file in the staging folder: every file of a
    /// whole-folder swap, only the written ones in place.
    staged: Mutex<rustc_hash::FxHashSet<String>>,
    /// Folders of the staging folder made so far: a page's folder holds
    /// one or two files, and asking the file system again for each costs
    /// a failed `mkdir` and a `stat`.
    folders: Mutex<rustc_hash::FxHashSet<PathBuf>>,
}

impl Sink for Staging {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        if self.in_place.is_some() && self.unchanged(path, bytes) {
            self.wrote(path, bytes.len() as u64);
            return Ok(());
        }
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
        if self.in_place.is_some() {
            // Checked whole before the build: it stays where it is.
            self.wrote(path, length);
            return true;
        }
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
            in_place: None,
            lengths: Mutex::default(),
            // Moved in by every commit: the marker's new identity is what
            // the record of this build names.
            staged: Mutex::new([MARKER, NOJEKYLL].map(String::from).into_iter().collect()),
            folders: Mutex::default(),
        })
    }

    /// Lets [`Sink::carry`] take these files (site path and length) from
    /// the output folder, as the previous build left them. `in_place`, the
    /// identity of the output's marker file (`rebuild::marker_identity`),
    /// says the caller checked that the output folder holds exactly these
    /// files at these lengths: the site is then updated in place.
    pub(crate) fn carry_from(
        &mut self,
        previous: FxHashMap<String, u64>,
        in_place: Option<String>,
    ) {
        self.previous = previous;
        self.in_place = in_place;
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
        let staged = !self
            .staged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_string());
        if staged {
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

    /// Whether the output folder already holds `bytes` at `path`. Reading
    /// a small file costs far less than creating one, and a group of files
    /// made again (the search index after an edit) is mostly the same.
    fn unchanged(&self, path: &str, bytes: &[u8]) -> bool {
        self.previous.get(path) == Some(&(bytes.len() as u64))
            && !self
                .staged
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(path)
            && fs::read(self.target.join(path)).is_ok_and(|old| old == bytes)
    }

    /// Notes that the new site has `path` at `length`.
    fn wrote(&self, path: &str, length: u64) {
        self.lengths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_string(), length);
    }

    /// The identity of the new site's marker file, which it keeps once
    /// moved into place: what the record of this build must name.
    pub(crate) fn marker(&self) -> Option<String> {
        crate::rebuild::marker_identity(&self.staging)
    }

    /// Puts the finished site in place of the old one.
    pub(crate) fn commit(self) -> anyhow::Result<()> {
        // One commit at a time into an output folder: two builds into the
        // same folder must not interleave their files.
        let _lock = fs::File::open(&self.target).and_then(|folder| folder.lock().map(|()| folder));
        if let Some(expected) = &self.in_place {
            if crate::rebuild::marker_identity(&self.target).as_ref() != Some(expected) {
                let target = self.target.display().to_string();
                self.abandon();
                bail!(
                    "another build replaced {target} while this one ran, so this one's changes \
                     no longer apply to it; run the build again"
                );
            }
            if !self.reshaped() {
                let moved = self.commit_in_place();
                if moved.is_err() {
                    let _ = fs::remove_dir_all(&self.staging);
                    return moved;
                }
                return fs::remove_dir_all(&self.staging)
                    .with_context(|| format!("cannot remove {}", self.staging.display()));
            }
            // A file where the output has a folder, or the reverse: moving
            // files one by one cannot make that change, a swap can.
            if let Err(e) = self.stage_carried() {
                self.abandon();
                return Err(e);
            }
        }
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

    /// Moves each staged file over its old version in the output folder
    /// and removes the files the new site no longer has. The old versions
    /// are kept aside (hard links, so a reader of the site never finds a
    /// page missing) until every move succeeded; if one fails, every file
    /// is put back and the error returned.
    fn commit_in_place(&self) -> anyhow::Result<()> {
        let mut staged: Vec<String> = self
            .staged
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .collect();
        // The marker first: its identity is what makes the record of the
        // previous build valid, so a build interrupted halfway through is
        // never taken for that build's output.
        staged.sort_unstable_by(|a, b| (a != MARKER, a).cmp(&(b != MARKER, b)));
        let lengths = self.lengths.lock().unwrap_or_else(|e| e.into_inner());
        let mut removed: Vec<&String> = self
            .previous
            .keys()
            .filter(|path| !lengths.contains_key(*path))
            .collect();
        removed.sort_unstable();
        let aside = self.staging.join(".previous");
        fs::create_dir(&aside).with_context(|| format!("cannot create {}", aside.display()))?;
        let mut undo = Undo::default();
        let moved = (|| -> anyhow::Result<()> {
            for path in &staged {
                let to = self.target.join(path);
                undo.folders_for(&self.target, &to)?;
                if fs::symlink_metadata(&to).is_ok() {
                    let kept = aside.join(undo.restore.len().to_string());
                    fs::hard_link(&to, &kept)
                        .or_else(|_| fs::copy(&to, &kept).map(drop))
                        .with_context(|| format!("cannot keep {} aside", to.display()))?;
                    undo.restore.push((kept, to.clone()));
                } else {
                    undo.created.push(to.clone());
                }
                let from = self.staging.join(path);
                fs::rename(&from, &to)
                    .with_context(|| format!("cannot move {} into place", to.display()))?;
            }
            for path in &removed {
                let old = self.target.join(path);
                let kept = aside.join(undo.restore.len().to_string());
                fs::rename(&old, &kept)
                    .with_context(|| format!("cannot remove {}", old.display()))?;
                undo.restore.push((kept, old));
            }
            Ok(())
        })();
        if let Err(e) = moved {
            undo.run();
            return Err(e);
        }
        // Folders the removed files leave empty go too.
        for path in removed {
            for folder in Path::new(path).ancestors().skip(1) {
                if folder.as_os_str().is_empty()
                    || fs::remove_dir(self.target.join(folder)).is_err()
                {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Whether a file new to the site goes where the output has a folder,
    /// or below a file of the output.
    fn reshaped(&self) -> bool {
        let staged = self.staged.lock().unwrap_or_else(|e| e.into_inner());
        let mut new = staged
            .iter()
            // The marker and `.nojekyll` are staged by every build, at the root.
            .filter(|path| {
                !self.previous.contains_key(*path) && ![MARKER, NOJEKYLL].contains(&path.as_str())
            })
            .peekable();
        if new.peek().is_none() {
            return false;
        }
        let folders: rustc_hash::FxHashSet<&str> = self
            .previous
            .keys()
            .flat_map(|path| folders_of(path))
            .collect();
        new.any(|path| {
            folders.contains(path.as_str())
                || folders_of(path).any(|folder| self.previous.contains_key(folder))
        })
    }

    /// Links every carried file into the staging folder, which then holds
    /// the whole new site, as when nothing is updated in place.
    fn stage_carried(&self) -> anyhow::Result<()> {
        let carried: Vec<String> = {
            let staged = self.staged.lock().unwrap_or_else(|e| e.into_inner());
            let lengths = self.lengths.lock().unwrap_or_else(|e| e.into_inner());
            lengths
                .keys()
                .filter(|path| !staged.contains(*path))
                .cloned()
                .collect()
        };
        for path in carried {
            let old = self.target.join(&path);
            let dest = self.destination(&path)?;
            fs::hard_link(&old, &dest)
                .or_else(|_| fs::copy(&old, &dest).map(drop))
                .with_context(|| format!("cannot copy {}", old.display()))?;
        }
        Ok(())
    }

    /// Removes the staging folder after a failed build.
    pub(crate) fn abandon(self) {
        let _ = fs::remove_dir_all(&self.staging);
    }
}

/// The folders a site path lies in, innermost last: `a`, `a/b` for `a/b/c`.
fn folders_of(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(at, _)| &path[..at])
}

/// What an in-place commit did so far, to be undone if it cannot finish.
#[derive(Default)]
struct Undo {
    /// (kept copy, its place): files replaced or removed.
    restore: Vec<(PathBuf, PathBuf)>,
    /// Files that did not exist before.
    created: Vec<PathBuf>,
    /// Folders that did not exist before, outermost first.
    folders: Vec<PathBuf>,
}

impl Undo {
    /// Creates the missing folders above `file` inside `target`, noting them.
    fn folders_for(&mut self, target: &Path, file: &Path) -> anyhow::Result<()> {
        let Some(parent) = file.parent() else {
            return Ok(());
        };
        let mut missing: Vec<&Path> = parent
            .ancestors()
            .take_while(|folder| *folder != target && fs::symlink_metadata(folder).is_err())
            .collect();
        missing.reverse();
        for folder in missing {
            fs::create_dir(folder)
                .with_context(|| format!("cannot create {}", folder.display()))?;
            self.folders.push(folder.to_path_buf());
        }
        Ok(())
    }

    /// Puts every file back as it was, newest change first.
    fn run(self) {
        for file in self.created.iter().rev() {
            let _ = fs::remove_file(file);
        }
        for (kept, place) in self.restore.iter().rev() {
            let _ = fs::rename(kept, place);
        }
        for folder in self.folders.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
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

    /// Every file under `dir` with its bytes, and its inode.
    fn files(dir: &Path) -> std::collections::BTreeMap<String, (Vec<u8>, u64)> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let name = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let inode = std::os::unix::fs::MetadataExt::ino(&e.metadata().unwrap());
                (name, (fs::read(e.path()).unwrap(), inode))
            })
            .collect()
    }

    fn first_site(root: &Path, target: &Path) -> FxHashMap<String, u64> {
        let staging = Staging::new(root, target).unwrap();
        for (path, bytes) in [
            ("index.html", "one"),
            ("kept.html", "kept"),
            ("old/gone.html", "gone"),
            ("zz", "a file"),
        ] {
            staging.write(path, bytes.as_bytes()).unwrap();
        }
        let lengths = staging.lengths();
        staging.commit().unwrap();
        lengths
    }

    /// A folder holding the output of `first_site` (at `public`), and a
    /// staging folder that updates it in place.
    fn in_place() -> (tempfile::TempDir, PathBuf, Staging) {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("public");
        let previous = first_site(root.path(), &target);
        let mut staging = Staging::new(root.path(), &target).unwrap();
        staging.carry_from(previous, crate::rebuild::marker_identity(&target));
        (root, target, staging)
    }

    /// Nothing beside the output folder: the staging folder is gone.
    #[track_caller]
    fn only_the_output_in(root: &Path) {
        assert_eq!(fs::read_dir(root).unwrap().count(), 1, "staging removed");
    }

    #[test]
    fn an_in_place_commit_moves_changed_files_and_removes_the_rest() {
        let (root, target, staging) = in_place();
        let kept_inode = files(&target)["kept.html"].1;
        staging.write("index.html", b"two").unwrap();
        staging.write("new/page.html", b"new").unwrap();
        let marker = staging.marker();
        assert!(staging.carry("kept.html"));
        // Written again with the same bytes: left as it is.
        staging.write("zz", b"a file").unwrap();
        let zz_inode = files(&target)["zz"].1;
        staging.commit().unwrap();

        let now = files(&target);
        let names: Vec<&str> = now.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                MARKER,
                NOJEKYLL,
                "index.html",
                "kept.html",
                "new/page.html",
                "zz"
            ]
        );
        assert_eq!(now["index.html"].0, b"two");
        assert_eq!(
            crate::rebuild::marker_identity(&target),
            marker,
            "the new marker is in place: the record of this build names it"
        );
        assert_eq!(
            now["kept.html"].1, kept_inode,
            "a carried file is not touched"
        );
        assert_eq!(
            now["zz"].1, zz_inode,
            "a file written with its old bytes is not touched"
        );
        assert!(
            !target.join("old").exists(),
            "a folder left empty is removed"
        );
        only_the_output_in(root.path());
    }

    #[test]
    fn an_in_place_commit_after_another_build_changes_nothing() {
        let (root, target, staging) = in_place();
        staging.write("index.html", b"mine").unwrap();
        // Another build commits first.
        let other = Staging::new(root.path(), &target).unwrap();
        other.write("index.html", b"theirs").unwrap();
        other.commit().unwrap();
        let theirs = files(&target);
        let err = staging.commit().unwrap_err().to_string();
        assert!(err.contains("another build replaced"), "{err}");
        assert_eq!(files(&target), theirs);
        only_the_output_in(root.path());
    }

    #[test]
    fn an_in_place_commit_that_fails_puts_every_file_back() {
        let (root, target, staging) = in_place();
        staging.write("index.html", b"two").unwrap();
        staging.write("new/page.html", b"new").unwrap();
        // Something the previous build did not write sits where `zz` goes,
        // so `zz` cannot move in; it comes last, after the others moved.
        fs::remove_file(target.join("zz")).unwrap();
        fs::create_dir(target.join("zz")).unwrap();
        fs::write(target.join("zz/blocker"), "x").unwrap();
        let before_with_blocker = files(&target);
        staging.write("zz", b"cannot").unwrap();
        let err = staging.commit().unwrap_err();
        assert!(format!("{err:#}").contains("public/zz"), "{err:#}");
        assert_eq!(
            files(&target),
            before_with_blocker,
            "the previous site, inodes and all"
        );
        assert!(
            !target.join("new").exists(),
            "a folder made for the commit is removed"
        );
        only_the_output_in(root.path());
    }

    #[test]
    fn an_in_place_commit_where_a_file_becomes_a_folder_swaps_the_whole_site() {
        let (root, target, staging) = in_place();
        // `zz` is a file in the output.
        staging.write("zz/page.html", b"now a folder").unwrap();
        assert!(staging.carry("kept.html") && staging.carry("index.html"));
        staging.commit().unwrap();
        let now = files(&target);
        let names: Vec<&str> = now.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [MARKER, NOJEKYLL, "index.html", "kept.html", "zz/page.html"]
        );
        assert_eq!(now["kept.html"].0, b"kept");
        only_the_output_in(root.path());
    }
}
