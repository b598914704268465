//! Watching the dossier for changes.
//!
//! We watch folders, never single files: a watch on a file dies with the
//! first editor that saves by writing a new file and renaming it. The root
//! is watched on its own (not recursively, it may hold `target/` or the
//! output folder) for `dossier.yaml` and for `templates/` or `static/`
//! appearing after start; the three source folders recursively. An event
//! only says "something under here changed": the session then compares
//! every file with what it read, so an event inotify missed (a file
//! created right after its folder) costs nothing.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notify_debouncer_full::notify::{self, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer, new_debouncer_opt};

use crate::load::is_ignored;
use crate::session::Change;

const SOURCE_FOLDERS: [&str; 3] = ["content", "templates", "static"];

/// Keeps the watcher alive; dropping it stops watching.
pub(crate) struct Watcher {
    _debouncer: Arc<Mutex<Option<Box<dyn AddWatch>>>>,
}

/// Starts watching `root`, sending what changed to `changes`.
pub(crate) fn start(
    root: &Path,
    poll: bool,
    changes: Sender<Vec<Change>>,
) -> anyhow::Result<Watcher> {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    // Short: the burst of events of one save arrives within a few ms, and
    // every ms here is a ms the reload waits.
    let timeout = Duration::from_millis(if poll { 100 } else { 15 });
    let watched_root = root.clone();
    // Folders created after start are watched from the handler, which
    // needs the debouncer it belongs to.
    let slot: Arc<Mutex<Option<Box<dyn AddWatch>>>> = Arc::new(Mutex::new(None));
    // Weak: the debouncer owns this handler, which must not own it back.
    let handler_slot = Arc::downgrade(&slot);
    let handler = move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        // Opening and reading are events too (our own reads among them):
        // only writes, creations, removals and renames matter.
        if events.iter().any(|e| e.event.need_rescan()) {
            let _ = changes.send(vec![Change::Rescan]);
        }
        let paths = events
            .iter()
            .filter(|e| !is_read(&e.event.kind))
            .flat_map(|e| e.event.paths.iter());
        let found = classify(&watched_root, paths);
        if found.new_folders
            && let Some(slot) = handler_slot.upgrade()
            && let Ok(mut slot) = slot.lock()
            && let Some(watcher) = slot.as_mut()
        {
            watch_sources(&watched_root, watcher.as_mut());
        }
        if !found.changes.is_empty() {
            let _ = changes.send(found.changes);
        }
    };
    let mut watcher: Box<dyn AddWatch> = if poll {
        let config = notify::Config::default().with_poll_interval(Duration::from_millis(500));
        Box::new(new_debouncer_opt::<_, notify::PollWatcher, _>(
            timeout,
            None,
            handler,
            notify_debouncer_full::NoCache,
            config,
        )?)
    } else {
        Box::new(new_debouncer(timeout, None, handler)?)
    };
    watcher.add(&root, RecursiveMode::NonRecursive)?;
    watch_sources(&root, watcher.as_mut());
    *slot
        .lock()
        .map_err(|_| anyhow::anyhow!("watcher lock poisoned"))? = Some(watcher);
    Ok(Watcher { _debouncer: slot })
}

/// Watches whichever source folders exist (again: watching twice is fine).
fn watch_sources(root: &Path, watcher: &mut dyn AddWatch) {
    for folder in SOURCE_FOLDERS {
        let path = root.join(folder);
        if path.is_dir() {
            let _ = watcher.add(&path, RecursiveMode::Recursive);
        }
    }
}

/// The debouncer, whatever watcher backs it.
trait AddWatch: Send {
    fn add(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()>;
}

impl<T: notify::Watcher + Send, C: notify_debouncer_full::FileIdCache + Send> AddWatch
    for notify_debouncer_full::Debouncer<T, C>
{
    fn add(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        self.watch(path, mode)
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Found {
    changes: Vec<Change>,
    /// A source folder appeared at the root and needs a watch.
    new_folders: bool,
}

/// What a batch of changed paths means for the build.
fn classify<'a>(root: &Path, paths: impl Iterator<Item = &'a PathBuf>) -> Found {
    let mut found = Found::default();
    let mut add = |change: Change| {
        if !found.changes.contains(&change) {
            found.changes.push(change);
        }
    };
    let mut new_folders = false;
    for path in paths {
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if is_ignored(name) || is_editor_probe(name) {
            continue;
        }
        let mut parts = relative.components();
        let first = parts
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default();
        let nested = parts.next().is_some();
        match first {
            "dossier.yaml" => add(Change::Config),
            "content" => {
                add(Change::Content(path.clone()));
                new_folders |= !nested;
            }
            "templates" | "static" => {
                add(Change::Theme);
                new_folders |= !nested;
            }
            _ => {}
        }
    }
    found.new_folders = new_folders;
    found
}

fn is_read(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    matches!(kind, EventKind::Access(access) if *access != AccessKind::Close(AccessMode::Write))
}

/// Files editors create to test a folder or hold a save in progress.
fn is_editor_probe(name: &str) -> bool {
    name == "4913"
        || name.starts_with(".goutputstream")
        || name.ends_with(".crswap")
        || name.ends_with(".kate-swp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_changes() {
        let root = Path::new("/d");
        let paths: Vec<PathBuf> = [
            "/d/content/articles/a.md",
            "/d/content/articles/.a.md.swp",
            "/d/content/articles/4913",
            "/d/templates/article.html",
            "/d/dossier.yaml",
            "/d/public/index.html",
            "/d/content/articles/a.md",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let found = classify(root, paths.iter());
        let article = PathBuf::from("/d/content/articles/a.md");
        assert_eq!(
            found.changes,
            [Change::Content(article), Change::Theme, Change::Config]
        );
        assert!(!found.new_folders);
        let created = [PathBuf::from("/d/static")];
        let found = classify(root, created.iter());
        assert_eq!(found.changes, [Change::Theme]);
        assert!(found.new_folders);
        let editor_only = [PathBuf::from("/d/content/x~")];
        assert_eq!(classify(root, editor_only.iter()), Found::default());
    }
}
