//! A dossier kept in memory between builds.
//!
//! `build` makes one pass; `serve` keeps the session and calls it again
//! after every change. Each pass re-reads only files whose size or
//! modification time changed, re-renders Markdown only for those (see
//! `prepare`), and with page signatures re-renders only pages whose inputs
//! changed (see `site`). Both commands go through this one code path, so
//! what `serve` shows is what `build` writes.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::{BaseUrl, Config};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::graph::{Dossier, RefCache};
use crate::highlight;
use crate::load::{self, FileKind, Loaded};
use crate::output::Sink;
use crate::prepare::{self, Prepared};
use crate::publish::{Derived, Previous, Published, Rule};
use crate::site::{self, Rendered, Signatures};
use crate::theme::Theme;
use crate::timings::Timer;
use crate::tlp::Tlp;

/// Settings from the command line that override `dossier.yaml`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overrides {
    pub(crate) base_url: Option<String>,
    pub(crate) tlp: Option<Tlp>,
    pub(crate) drafts: bool,
    pub(crate) output: Option<PathBuf>,
}

/// Why a pass did not produce a site.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Problems in the user's content, all of them.
    Content(Diagnostics),
    /// Anything else: I/O, templates.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

/// What the watcher saw change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "serve"), allow(dead_code))]
pub(crate) enum Change {
    Config,
    Theme,
    /// A path under `content/` was written, created, removed or renamed.
    Content(PathBuf),
    /// Events were lost: compare every file.
    Rescan,
}

/// A file of `content/` as last read.
struct CachedFile {
    stamp: Stamp,
    loaded: Loaded,
    errors: Vec<Diagnostic>,
}

/// Enough to notice a save: editors that write in place change the time
/// or length, editors that write a new file and rename it change the inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        inode,
    })
}

/// The last good state: what the site is rendered from.
pub(crate) struct Current {
    pub(crate) dossier: Dossier,
    pub(crate) prepared: Prepared,
    derived: Derived,
}

impl Current {
    /// What the outputs read.
    pub(crate) fn view(&self) -> Published<'_> {
        Published::new(&self.dossier, &self.prepared, &self.derived)
    }
}

pub(crate) struct Session {
    root: PathBuf,
    overrides: Overrides,
    config: Option<(Config, Vec<Diagnostic>)>,
    theme: Option<Theme>,
    files: FxHashMap<PathBuf, CachedFile>,
    /// Content paths reported changed since the last pass.
    pending: HashSet<PathBuf>,
    /// Compare every file on the next pass (the first, or after lost events).
    rescan: bool,
    /// The content files read again since `current` was made, as long as
    /// the next pass can start from it (see `load::replaced`): no file
    /// added or removed, the config and theme as they were. None: the next
    /// pass starts from scratch.
    edited: Option<FxHashSet<PathBuf>>,
    cache: prepare::Cache,
    refs: RefCache,
    attached: load::Attached,
    /// What the last render was, when rendering incrementally.
    memo: Option<site::Memo>,
    /// Shared, so `serve` can compute exports from it on request while
    /// the next pass goes on.
    current: Option<Arc<Current>>,
    /// Whether the highlight cache was read from disk yet.
    highlight_loaded: bool,
}

impl Session {
    /// A session that renders everything on each pass (`incremental`
    /// false) or only what changed since the previous pass.
    pub(crate) fn new(root: &Path, overrides: Overrides, incremental: bool) -> Session {
        Session {
            // Canonical, as the watcher reports paths.
            root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()),
            overrides,
            config: None,
            theme: None,
            files: FxHashMap::default(),
            pending: HashSet::new(),
            rescan: true,
            edited: None,
            cache: prepare::Cache::default(),
            refs: RefCache::default(),
            attached: load::Attached::default(),
            memo: incremental.then(Default::default),
            current: None,
            highlight_loaded: false,
        }
    }

    /// The dossier folder, canonical.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The last state that loaded without errors.
    pub(crate) fn current(&self) -> Option<&Current> {
        self.current.as_deref()
    }

    /// The last good state, to keep beyond this pass.
    #[cfg_attr(not(feature = "serve"), allow(dead_code))]
    pub(crate) fn snapshot(&self) -> Option<Arc<Current>> {
        self.current.clone()
    }

    /// The path the site lives under, once the dossier has loaded.
    #[cfg_attr(not(feature = "serve"), allow(dead_code))]
    pub(crate) fn base_path(&self) -> String {
        self.current
            .as_ref()
            .map_or_else(|| "/".to_string(), |c| c.dossier.base.path.clone())
    }

    /// Marks what must be read again on the next pass.
    #[cfg_attr(not(feature = "serve"), allow(dead_code))]
    pub(crate) fn invalidate(&mut self, change: Change) {
        match change {
            Change::Config => self.config = None,
            Change::Theme => self.theme = None,
            Change::Content(path) => {
                self.pending.insert(path);
                return;
            }
            Change::Rescan => self.rescan = true,
        }
        self.edited = None;
    }

    /// Where `build` will write, before the dossier is loaded: reads the
    /// configuration only (it is kept for [`Session::load`]).
    pub(crate) fn planned_output_dir(&mut self) -> PathBuf {
        if let Some(path) = &self.overrides.output {
            return path.clone();
        }
        let (config, _) = self
            .config
            .get_or_insert_with(|| load::load_config(&self.root));
        self.root.join(&config.output_dir)
    }

    /// The options that change what a build writes, as text for a digest.
    pub(crate) fn options(&self) -> String {
        format!("{:?}", self.overrides)
    }

    /// Where `build` writes, from `--output` or `output_dir`.
    pub(crate) fn output_dir(&self) -> PathBuf {
        match (&self.overrides.output, &self.current) {
            (Some(path), _) => path.clone(),
            (None, Some(current)) => self.root.join(&current.dossier.config.output_dir),
            (None, None) => self.root.join("public"),
        }
    }

    /// Reads what changed and checks everything. On success the session's
    /// current state is replaced; on failure the previous one is kept.
    pub(crate) fn load(&mut self) -> Result<&Current, Failure> {
        let mut timer = Timer::new();
        let mut diagnostics = Diagnostics::default();
        let (config, config_errors) = self
            .config
            .get_or_insert_with(|| load::load_config(&self.root))
            .clone();
        diagnostics.extend(config_errors);
        // Compiling the templates takes as long as reading a small
        // dossier: the two go side by side.
        let root = self.root.clone();
        let load_theme = self.theme.is_none();
        let (refreshed, theme) = rayon::join(
            || self.refresh_files(),
            || load_theme.then(|| Theme::load(&root)),
        );
        refreshed?;
        timer.lap("read changed files");
        if !std::mem::replace(&mut self.highlight_loaded, true) {
            highlight::load_cache(&self.root);
            timer.lap("read highlight cache");
        }
        let (base, publish) = self.settings(&config, &mut diagnostics);
        let mut config = config;
        if let Some(base_url) = &self.overrides.base_url {
            config.base_url = base_url.clone();
        }
        for file in self.files.values() {
            diagnostics.extend(file.errors.iter().cloned());
        }
        // After an edit that only changed items, the previous state with
        // those items replaced; else everything from the files.
        let replaced = match (&self.edited, &self.current) {
            (Some(edited), Some(current)) if diagnostics.is_empty() => load::replaced(
                &current.dossier,
                edited
                    .iter()
                    .filter_map(|path| self.files.get(path))
                    .map(|file| &file.loaded),
            )
            .map(|replaced| (current, replaced)),
            _ => None,
        };
        let dossier = match replaced {
            Some((current, replaced)) => {
                let dossier =
                    Dossier::revise(&current.dossier, replaced, &mut self.refs, &mut diagnostics);
                timer.lap("replace the edited items");
                dossier
            }
            None => {
                let sources = load::assemble(
                    config,
                    self.files.values().map(|f| &f.loaded),
                    &mut self.attached,
                    &mut diagnostics,
                );
                timer.lap("assemble");
                let dossier =
                    Dossier::new(sources, base, publish, &mut self.refs, &mut diagnostics);
                timer.lap("resolve ids");
                dossier
            }
        };
        if let Some(theme) = theme {
            self.theme = Some(theme?);
        }
        let custom_css = self
            .theme
            .as_ref()
            .is_some_and(|t| t.assets.contains_key("syntax.css"));
        let c = &dossier.config;
        highlight::configure(&c.highlight_theme, &c.highlight_theme_dark, custom_css);
        let previous = dossier
            .changes
            .as_ref()
            .zip(self.current.as_deref())
            .map(|(changes, current)| (&current.prepared, changes));
        let (prepared, errors) = prepare::prepare(&dossier, &mut self.cache, previous);
        timer.lap("prepare");
        diagnostics.extend(errors);
        if !diagnostics.is_empty() {
            diagnostics.sort();
            return Err(Failure::Content(diagnostics));
        }
        let previous = self.current.as_deref().map(|current| Previous {
            dossier: &current.dossier,
            prepared: &current.prepared,
            derived: &current.derived,
        });
        let derived = Derived::revise(&dossier, &prepared, previous);
        timer.lap("published view");
        let current = self.current.insert(Arc::new(Current {
            dossier,
            prepared,
            derived,
        }));
        self.edited = Some(FxHashSet::default());
        timer.lap("replace the state");
        Ok(current)
    }

    /// Done with highlighting, for `build` and `check`, which load once:
    /// frees the highlight cache's memory (the pages hold their own
    /// copies), after saving it for the next run when `save` (see
    /// `highlight::cache`). A failure to write only costs the next run
    /// time, so it is reported, never fatal.
    pub(crate) fn release_highlight_cache(&self, save: bool) {
        let mut timer = Timer::new();
        if save && let Err(e) = highlight::save_cache(&self.root) {
            eprintln!(
                "warning: cannot save the highlight cache in {}: {e}",
                self.root.join(highlight::CACHE_DIR).display()
            );
        }
        highlight::forget_cache();
        timer.lap("save highlight cache");
    }

    /// The current state and the theme, once the dossier has loaded.
    fn loaded(&self) -> anyhow::Result<(&Current, &Theme)> {
        match (&self.current, &self.theme) {
            (Some(current), Some(theme)) => Ok((current, theme)),
            _ => anyhow::bail!("nothing to render: the dossier has not loaded"),
        }
    }

    /// Renders the current state into `sink`: every page, or in a
    /// session made incremental only what changed since its last render.
    pub(crate) fn render(&mut self, sink: &dyn Sink) -> anyhow::Result<Rendered> {
        let (Some(current), Some(theme)) = (&self.current, &self.theme) else {
            anyhow::bail!("nothing to render: the dossier has not loaded");
        };
        match &mut self.memo {
            Some(memo) => site::render_incremental(&current.view(), theme, sink, memo),
            None => site::render(&current.view(), theme, sink, None),
        }
    }

    /// The signatures an incremental session holds for the files it last
    /// rendered.
    #[cfg(test)]
    pub(crate) fn memo_signatures(&self) -> Option<&Signatures> {
        self.memo.as_ref().map(|memo| &memo.signatures)
    }

    /// Renders into `sink` only the pages whose signature differs from
    /// `signatures` (the previous build's, see `rebuild`), which then hold
    /// this render's.
    pub(crate) fn render_since(
        &self,
        sink: &dyn Sink,
        signatures: &mut Signatures,
    ) -> anyhow::Result<Rendered> {
        let (current, theme) = self.loaded()?;
        site::render(&current.view(), theme, sink, Some(signatures))
    }

    /// The signature of every page and theme file of the current state,
    /// and what rendering it would report.
    pub(crate) fn signatures(&self) -> anyhow::Result<(Signatures, Rendered)> {
        let (current, theme) = self.loaded()?;
        site::signatures(&current.view(), theme)
    }

    /// Writes the JSON exports of the current state into `sink`.
    pub(crate) fn render_exports(&self, sink: &dyn Sink) -> anyhow::Result<()> {
        let Some(current) = &self.current else {
            anyhow::bail!("nothing to export: the dossier has not loaded");
        };
        crate::export::render(&current.view(), sink)
    }

    /// What the search index of the current state is made from, unless
    /// the config turns search off.
    pub(crate) fn search_input(&self) -> Option<crate::search::Input> {
        let current = self.current.as_ref()?;
        let view = current.view();
        current
            .dossier
            .config
            .search
            .then(|| crate::search::input(&view))
    }

    /// A digest of every input of the current state: the config file, the
    /// command-line overrides and each content file. Whatever is computed
    /// from the dossier alone (the exports) is the same under the same
    /// digest from the same program.
    pub(crate) fn content_digest(&self) -> Option<u64> {
        use std::hash::{Hash as _, Hasher as _};
        let current = self.current.as_ref()?;
        let d = &current.dossier;
        let mut h = rustc_hash::FxHasher::default();
        std::fs::read(self.root.join("dossier.yaml"))
            .ok()
            .hash(&mut h);
        let o = &self.overrides;
        (&o.base_url, o.tlp, o.drafts).hash(&mut h);
        d.index.as_ref().map(|i| i.file.digest).hash(&mut h);
        for a in &d.articles {
            (a.file.digest, a.annotations_file.as_ref().map(|f| f.digest)).hash(&mut h);
        }
        for x in &d.incidents {
            x.file.digest.hash(&mut h);
        }
        for x in &d.entities {
            x.file.digest.hash(&mut h);
        }
        Some(h.finish())
    }

    /// The base URL and publish rules, from the config and command line.
    fn settings(&self, config: &Config, diagnostics: &mut Diagnostics) -> (BaseUrl, Rule) {
        let base_url = self
            .overrides
            .base_url
            .as_deref()
            .unwrap_or(&config.base_url);
        let base = match BaseUrl::parse(base_url) {
            Ok(base) => base,
            Err(message) => {
                diagnostics.push(Diagnostic::general(format!("invalid base_url: {message}")));
                BaseUrl::parse("/").expect("`/` is a valid base URL")
            }
        };
        let themes = [
            (
                "highlight_theme",
                &config.highlight_theme,
                &config.highlight_theme_at,
            ),
            (
                "highlight_theme_dark",
                &config.highlight_theme_dark,
                &config.highlight_theme_dark_at,
            ),
        ];
        for (field, name, at) in themes {
            if highlight::theme_css(name).is_err() {
                diagnostics.push(unknown_theme(field, name, at.as_ref()));
            }
        }
        let publish = Rule {
            tlp: self.overrides.tlp.unwrap_or(config.publish_tlp),
            drafts: self.overrides.drafts,
        };
        (base, publish)
    }

    /// Re-reads the files of `content/` that are new or changed, forgets
    /// deleted ones: every file on a rescan, else the reported paths (a
    /// reported folder, created or removed, means a rescan).
    fn refresh_files(&mut self) -> anyhow::Result<()> {
        let content = load::content_dir(&self.root)?;
        let pending = std::mem::take(&mut self.pending);
        let folder_changed = pending.iter().any(|p| {
            p.is_dir() || (!p.exists() && !self.files.contains_key(p) && p.extension().is_none())
        });
        if !self.rescan && !folder_changed {
            for path in pending {
                self.refresh_file(&content, path);
            }
            return Ok(());
        }
        self.rescan = false;
        self.edited = None;
        let found = load::find_files(&content)?;
        let stamped: Vec<(PathBuf, FileKind, Option<Stamp>)> = found
            .into_par_iter()
            .map(|(path, kind)| {
                let stamp = stamp(&path);
                (path, kind, stamp)
            })
            .collect();
        let stale: Vec<&(PathBuf, FileKind, Option<Stamp>)> = stamped
            .iter()
            .filter(|(path, _, stamp)| {
                let cached = self.files.get(path);
                stamp.is_none() || cached.is_none_or(|c| Some(c.stamp) != *stamp)
            })
            .collect();
        let root = &self.root;
        let reread: Vec<(PathBuf, CachedFile)> = stale
            .par_iter()
            .map(|(path, kind, stamp)| {
                let (loaded, errors) = load::load_file(root, path, *kind);
                let stamp = stamp.unwrap_or(Stamp {
                    modified: None,
                    len: 0,
                    inode: 0,
                });
                let cached = CachedFile {
                    stamp,
                    loaded,
                    errors,
                };
                (path.clone(), cached)
            })
            .collect();
        let mut files = std::mem::take(&mut self.files);
        files.extend(reread);
        self.files = stamped
            .into_iter()
            .filter_map(|(path, ..)| files.remove(&path).map(|f| (path, f)))
            .collect();
        Ok(())
    }

    /// Re-reads one reported path if it is a content file that changed.
    fn refresh_file(&mut self, content: &Path, path: PathBuf) {
        let Some(kind) = load::kind_of(content, &path) else {
            return;
        };
        match stamp(&path) {
            None => {
                if self.files.remove(&path).is_some() {
                    self.edited = None;
                }
            }
            Some(stamp) if self.files.get(&path).is_some_and(|f| f.stamp == stamp) => {}
            Some(stamp) => {
                let (loaded, errors) = load::load_file(&self.root, &path, kind);
                let cached = CachedFile {
                    stamp,
                    loaded,
                    errors,
                };
                match (self.files.insert(path.clone(), cached), &mut self.edited) {
                    (Some(_), Some(edited)) => {
                        edited.insert(path);
                    }
                    (None, _) => self.edited = None,
                    (Some(_), None) => {}
                }
            }
        }
    }
}

fn unknown_theme(
    field: &str,
    name: &str,
    at: Option<&(Arc<SourceFile>, std::ops::Range<usize>)>,
) -> Diagnostic {
    let names = highlight::theme_css("").unwrap_err();
    let suggestion = did_you_mean(name, names.iter().copied());
    let message = format!("unknown {field} `{name}`");
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`? the themes are: {}", names.join(", ")),
        None => format!("the themes are: {}", names.join(", ")),
    };
    let diagnostic = match at {
        Some((file, span)) => Diagnostic::at(file, span.clone(), message),
        None => Diagnostic::general(message),
    };
    diagnostic.help(help)
}
