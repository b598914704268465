//! `dossier serve`: a live preview.
//!
//! Three parts: the watcher (`watch`) reports what changed; the rebuild
//! loop (here) keeps a [`Session`] and re-renders only what the change
//! affects; the HTTP server (`http`) serves the site from memory and tells
//! open tabs over a WebSocket to reload, swap a stylesheet or show the
//! build errors. A broken edit never stops anything: the last good site
//! stays served under an error overlay until the file is fixed.

mod exports;
mod http;
mod watch;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use rustc_hash::FxHashMap;
use serde_json::json;
use tokio::sync::broadcast;

use crate::output::MemorySink;
use crate::report::{Reporter, cause_chain};
use crate::session::{Change, Failure, Overrides, Session};
use exports::Exports;

/// How `serve` was asked to run.
pub(crate) struct Options {
    pub(crate) bind: IpAddr,
    pub(crate) port: u16,
    pub(crate) open: bool,
    pub(crate) poll: bool,
    /// Host names answered besides the loopback names and the bound address.
    pub(crate) allow_hosts: Vec<String>,
}

/// The site as served: every file in memory, and the current errors.
pub(crate) struct Site {
    files: Files,
    /// The path the site lives under (`/` or the path of `base_url`).
    base_path: String,
    /// The diagnostics of the last failed rebuild, shown in every tab.
    error: Option<String>,
    /// The exports of the state `files` were rendered from, made on request.
    exports: Option<Arc<Exports>>,
}

/// Every file of the site, by path. A pass changes a few of 25,000 files
/// on a large dossier, and copying the whole map for each new `Site` cost
/// milliseconds: the files a pass changed go in `recent` over a `base`
/// shared with the previous site, until there are enough to fold in.
#[derive(Clone, Default)]
struct Files {
    base: Arc<FxHashMap<Arc<str>, Arc<[u8]>>>,
    /// A file written (Some) or removed (None) since `base` was made.
    recent: FxHashMap<Arc<str>, Option<Arc<[u8]>>>,
}

impl Files {
    /// How many recent changes are kept before they are folded into a
    /// new base: a copy of the base every so many passes, not every pass.
    const FOLD: usize = 4096;

    fn get_key_value(&self, path: &str) -> Option<(&Arc<str>, &Arc<[u8]>)> {
        match self.recent.get_key_value(path) {
            Some((path, Some(bytes))) => Some((path, bytes)),
            Some((_, None)) => None,
            None => self.base.get_key_value(path),
        }
    }

    fn contains_key(&self, path: &str) -> bool {
        self.get_key_value(path).is_some()
    }

    fn is_empty(&self) -> bool {
        self.base.is_empty() && self.recent.values().all(Option::is_none)
    }

    /// These files with `removed` gone and `written` in.
    fn updated(&self, removed: &[String], written: Vec<(String, Vec<u8>)>) -> Files {
        let mut files = self.clone();
        for path in removed {
            files.recent.insert(Arc::from(path.as_str()), None);
        }
        for (path, bytes) in written {
            files.recent.insert(Arc::from(path), Some(Arc::from(bytes)));
        }
        if files.recent.len() > Files::FOLD {
            let mut base = FxHashMap::clone(&files.base);
            for (path, bytes) in files.recent.drain() {
                match bytes {
                    Some(bytes) => base.insert(path, bytes),
                    None => base.remove(&path),
                };
            }
            files.base = Arc::new(base);
        }
        files
    }
}

/// What the HTTP side shares with the rebuild loop.
pub(crate) struct Live {
    site: RwLock<Arc<Site>>,
    /// JSON messages for the tabs.
    events: broadcast::Sender<Arc<str>>,
    /// The names a request may be addressed to (see `http::host_allowed`).
    hosts: Vec<String>,
}

impl Live {
    fn site(&self) -> Arc<Site> {
        match self.site.read() {
            Ok(site) => Arc::clone(&site),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn publish(&self, site: Site, message: serde_json::Value) {
        match self.site.write() {
            Ok(mut current) => *current = Arc::new(site),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(site),
        }
        // No receiver (no tab open) is not an error.
        let _ = self.events.send(Arc::from(message.to_string()));
    }
}

pub(crate) fn run(root: &Path, overrides: Overrides, options: Options, reporter: &Reporter) -> u8 {
    let listener = match std::net::TcpListener::bind(SocketAddr::new(options.bind, options.port)) {
        Ok(listener) => listener,
        Err(e) => {
            let reason = if e.kind() == std::io::ErrorKind::AddrInUse {
                format!(
                    "port {} is already in use; stop the other server or pass --port",
                    options.port
                )
            } else {
                format!("cannot listen on {}:{}: {e}", options.bind, options.port)
            };
            return reporter.failure(&Failure::Other(anyhow::anyhow!(reason)), "serve");
        }
    };
    let address = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::new(options.bind, options.port));

    let (events, _) = broadcast::channel(64);
    let live = Arc::new(Live {
        site: RwLock::new(Arc::new(Site {
            files: Files::default(),
            base_path: "/".into(),
            error: None,
            exports: None,
        })),
        events,
        hosts: http::allowed_hosts(options.bind, &options.allow_hosts),
    });
    let mut session = Session::new(root, overrides, true);
    rebuild(&mut session, &live, reporter);

    let (changes_tx, changes_rx) = mpsc::channel::<Vec<Change>>();
    let _watcher = match watch::start(root, options.poll, changes_tx) {
        Ok(watcher) => watcher,
        Err(e) => return reporter.failure(&Failure::Other(e), "serve"),
    };
    {
        let live = Arc::clone(&live);
        let reporter = reporter.clone();
        std::thread::spawn(move || rebuild_loop(session, &live, &changes_rx, &reporter));
    }

    let base = live.site().base_path.clone();
    let url = format!("http://{address}{base}");
    reporter.summary(&format!(
        "Serving {} at {url} (Ctrl-C to stop)",
        root.display()
    ));
    if options.open {
        open_browser(&url);
    }
    match http::serve(listener, live) {
        Ok(()) => 0,
        Err(e) => reporter.failure(&Failure::Other(e), "serve"),
    }
}

/// Waits for changes, coalesces bursts, rebuilds.
fn rebuild_loop(
    mut session: Session,
    live: &Live,
    changes: &mpsc::Receiver<Vec<Change>>,
    reporter: &Reporter,
) {
    // Nothing else runs here: exports are made on request (see `exports`),
    // so every change goes straight to a rebuild.
    while let Ok(mut batch) = changes.recv() {
        // Saves come in bursts (editors write, rename, touch): take them all.
        while let Ok(more) = changes.try_recv() {
            batch.extend(more);
        }
        for change in batch {
            session.invalidate(change);
        }
        rebuild(&mut session, live, reporter);
    }
}

/// One pass: load, render what changed, publish it to the tabs.
fn rebuild(session: &mut Session, live: &Live, reporter: &Reporter) {
    let started = Instant::now();
    let previous = live.site();
    let outcome = session.load().map(|_| ()).and_then(|()| {
        let sink = MemorySink::default();
        let rendered = session.render(&sink)?;
        Ok((sink, rendered))
    });
    let mut timer = crate::timings::Timer::new();
    match outcome {
        Ok((sink, rendered)) => {
            let written = sink.files.into_inner().unwrap_or_else(|p| p.into_inner());
            let files = previous.files.updated(&rendered.removed, written);
            let base_path = session.base_path();
            let css_only = !rendered.written.is_empty()
                && rendered.removed.is_empty()
                && rendered.written.iter().all(|p| p.ends_with(".css"));
            let paths: Vec<String> = rendered
                .written
                .iter()
                .chain(&rendered.removed)
                .map(|p| format!("{base_path}{}", p.strip_suffix("index.html").unwrap_or(p)))
                .collect();
            let recovered = previous.error.is_some();
            let message = if css_only && !recovered {
                json!({ "type": "css", "paths": paths })
            } else {
                json!({ "type": "reload", "paths": paths, "all": recovered })
            };
            timer.lap("served files");
            let changed = !paths.is_empty() || recovered;
            let site = Site {
                files,
                base_path,
                error: None,
                exports: session
                    .snapshot()
                    .map(|state| Arc::new(Exports::new(state))),
            };
            if changed {
                live.publish(site, message);
                timer.lap("publish");
                let elapsed = started.elapsed().as_millis();
                reporter.summary(&if previous.files.is_empty() {
                    format!(
                        "Built {} pages with {} annotations in {elapsed} ms",
                        rendered.pages, rendered.annotations
                    )
                } else {
                    let n = rendered.written.len() + rendered.removed.len();
                    format!("Rebuilt in {elapsed} ms: {n} files changed")
                });
            } else {
                live.publish(site, json!({ "type": "unchanged" }));
            }
        }
        Err(failure) => {
            reporter.failure(&failure, "rebuild");
            let text = failure_text(&failure);
            let site = Site {
                files: previous.files.clone(),
                base_path: previous.base_path.clone(),
                error: Some(text.clone()),
                exports: previous.exports.clone(),
            };
            live.publish(site, json!({ "type": "error", "text": text }));
        }
    }
}

/// The diagnostics as the terminal shows them, without colour.
fn failure_text(failure: &Failure) -> String {
    match failure {
        Failure::Content(diagnostics) => diagnostics
            .0
            .iter()
            .map(|d| d.render(false))
            .collect::<Vec<_>>()
            .join("\n\n"),
        Failure::Other(e) => cause_chain(e),
    }
}

fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    // Best effort: the URL is printed anyway.
    let _ = std::process::Command::new(program)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

#[cfg(test)]
mod tests {
    use super::Files;

    fn page(files: &Files, path: &str) -> Option<String> {
        let (_, bytes) = files.get_key_value(path)?;
        Some(String::from_utf8(bytes.to_vec()).unwrap())
    }

    /// Files written and removed over many passes read back as the last
    /// pass left them, before and after the recent ones are folded in.
    #[test]
    fn files_read_back_as_the_last_pass_left_them() {
        let mut files = Files::default();
        assert!(files.is_empty());
        let written = |n: usize, text: &str| -> Vec<(String, Vec<u8>)> {
            (0..n)
                .map(|i| (format!("p/{i}.html"), format!("{text} {i}").into_bytes()))
                .collect()
        };
        files = files.updated(&[], written(10, "first"));
        let before = files.clone();
        files = files.updated(&["p/3.html".into()], written(2, "second"));
        assert_eq!(page(&files, "p/1.html").as_deref(), Some("second 1"));
        assert_eq!(page(&files, "p/3.html"), None);
        assert_eq!(page(&files, "p/5.html").as_deref(), Some("first 5"));
        // The site the previous pass published is untouched.
        assert_eq!(page(&before, "p/1.html").as_deref(), Some("first 1"));
        assert_eq!(page(&before, "p/3.html").as_deref(), Some("first 3"));
        // Enough changes to fold them into a new base.
        files = files.updated(&["p/4.html".into()], written(Files::FOLD + 1, "third"));
        assert!(files.recent.is_empty(), "folded");
        assert_eq!(page(&files, "p/3.html").as_deref(), Some("third 3"));
        assert_eq!(page(&files, "p/4.html").as_deref(), Some("third 4"));
        files = files.updated(&["p/4.html".into()], Vec::new());
        assert_eq!(page(&files, "p/4.html"), None);
        assert!(files.contains_key("p/7.html") && !files.is_empty());
        assert_eq!(page(&before, "p/7.html").as_deref(), Some("first 7"));
    }
}
