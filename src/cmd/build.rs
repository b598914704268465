//! `dossier build`: render the site into the output folder, safely.

use std::path::Path;
use std::time::Instant;

use crate::output::{Sink, Staging};
use crate::rebuild::{Group, Record};
use crate::report::Reporter;
use crate::session::{Failure, Overrides, Session};
use crate::site::Rendered;

pub(crate) fn run(root: &Path, overrides: Overrides, reporter: &Reporter) -> u8 {
    let started = Instant::now();
    let mut timer = crate::timings::Timer::new();
    let mut session = Session::new(root, overrides, false);
    // When no input changed since the last build into an intact output,
    // there is nothing to read beyond the files' bytes.
    let planned = session.planned_output_dir();
    let inputs = crate::rebuild::inputs_digest(session.root(), &session.options());
    timer.lap("digest of the inputs");
    let planned_record = crate::output::check_target(session.root(), &planned)
        .ok()
        .and_then(|()| Record::load(session.root(), &planned));
    if let Some(previous) = &planned_record
        && inputs.is_some()
        && previous.inputs == inputs
        && intact(previous, &planned)
    {
        let rendered = Rendered {
            pages: previous.counts.0,
            annotations: previous.counts.1,
            ..Rendered::default()
        };
        summary(
            &session,
            root,
            &planned,
            &rendered,
            started,
            reporter,
            " (nothing changed)",
        );
        return 0;
    }
    // Whether the output is as the previous build left it is checked
    // while the dossier loads.
    let (loaded, planned_intact) = rayon::join(
        || session.load().map(drop),
        || {
            planned_record
                .as_ref()
                .is_some_and(|previous| intact(previous, &planned))
        },
    );
    if let Err(failure) = loaded {
        return reporter.failure(&failure, "build");
    }
    let target = session.output_dir();
    if let Err(e) = crate::output::check_target(session.root(), &target) {
        return reporter.failure(&Failure::Other(e), "build");
    }
    // Only a build that may write saves the cache (`.dossier-cache/`).
    session.release_highlight_cache(true);
    let (previous, previous_intact) = if target == planned {
        (planned_record, planned_intact)
    } else {
        let previous = Record::load(session.root(), &target);
        let intact = previous.as_ref().is_some_and(|p| intact(p, &target));
        (previous, intact)
    };
    timer.lap("load, and check the previous output");
    let search = session.search_input();
    if let Some(rendered) = previous
        .as_ref()
        .filter(|_| previous_intact)
        .and_then(|p| up_to_date(&session, search.as_ref(), p))
    {
        // Remember the inputs, so the next build can stop before loading.
        if let Some(mut record) = previous
            && record.inputs != inputs
        {
            record.inputs = inputs;
            record.counts = (rendered.pages, rendered.annotations);
            let _ = record.save(session.root());
        }
        summary(
            &session,
            root,
            &target,
            &rendered,
            started,
            reporter,
            " (nothing changed)",
        );
        return 0;
    }
    let mut staging = match Staging::new(session.root(), &target) {
        Ok(staging) => staging,
        Err(e) => return reporter.failure(&Failure::Other(e), "build"),
    };
    let mut record = Record::new(&target);
    record.inputs = inputs;
    let written = write_site(
        &session,
        &mut staging,
        search,
        previous.as_ref().map(|p| (p, previous_intact)),
        &mut record,
    );
    let rendered = match written {
        Ok(rendered) => rendered,
        Err(e) => {
            staging.abandon();
            return reporter.failure(&Failure::Other(e), "build");
        }
    };
    record.lengths = staging.lengths();
    record.counts = (rendered.pages, rendered.annotations);
    timer.lap("site written");
    // Read before the commit: after it, another build may have replaced
    // the folder, and its marker is not this record's.
    record.marker = staging.marker();
    if let Err(e) = staging.commit() {
        return reporter.failure(&Failure::Other(e), "build");
    }
    timer.lap("commit");
    if let Err(e) = record.save(session.root()) {
        // Costs the next build time, never this one its site.
        eprintln!("warning: {e:#}");
    }
    timer.lap("save the record");
    summary(&session, root, &target, &rendered, started, reporter, "");
    0
}

fn summary(
    session: &Session,
    root: &Path,
    target: &Path,
    rendered: &Rendered,
    started: Instant,
    reporter: &Reporter,
    note: &str,
) {
    let shown = target
        .strip_prefix(session.root())
        .or_else(|_| target.strip_prefix(root))
        .unwrap_or(target);
    reporter.summary(&format!(
        "Built {} pages with {} annotations into {}/ in {} ms{note}",
        rendered.pages,
        rendered.annotations,
        shown.display(),
        started.elapsed().as_millis()
    ));
}

/// What the build would report, when the output folder, which holds what
/// `previous` says, already holds exactly what it would write: every
/// signature and digest as the previous build recorded them. Then there is
/// nothing to write, and not even a staging folder to make.
fn up_to_date(
    session: &Session,
    search: Option<&crate::search::Input>,
    previous: &Record,
) -> Option<Rendered> {
    let (signatures, rendered) = session.signatures().ok()?;
    let exports = previous.exports.as_ref()?;
    let same = signatures == previous.pages
        && session.content_digest() == Some(exports.digest)
        && search.map(|s| s.digest()) == previous.search.as_ref().map(|g| g.digest);
    same.then_some(rendered)
}

/// Whether `target` holds the files of `previous` at their lengths, and
/// nothing else.
fn intact(previous: &Record, target: &Path) -> bool {
    use rayon::prelude::*;
    let files_there = previous.lengths.par_iter().all(|(path, &length)| {
        std::fs::symlink_metadata(target.join(path)).is_ok_and(|m| m.is_file() && m.len() == length)
    });
    if !files_there {
        return false;
    }
    let folders: std::collections::HashSet<&Path> = previous
        .lengths
        .keys()
        .flat_map(|path| Path::new(path).ancestors().skip(1))
        .collect();
    let marks = [crate::output::MARKER, crate::output::NOJEKYLL];
    if !marks.iter().all(|m| target.join(m).is_file()) {
        return false;
    }
    let mut entries = 0;
    for entry in walkdir::WalkDir::new(target).min_depth(1) {
        let Ok(entry) = entry else { return false };
        let Ok(path) = entry.path().strip_prefix(target) else {
            return false;
        };
        let known = if entry.file_type().is_dir() {
            folders.contains(path)
        } else {
            entry.file_type().is_file()
                && (marks.iter().any(|m| path == Path::new(m))
                    || previous.lengths.contains_key(&*path.to_string_lossy()))
        };
        if !known {
            return false;
        }
        entries += 1;
    }
    entries > 0
}

/// Writes pages, exports and search index into `staging`, carrying over
/// from the previous build what did not change, and notes in `record` what
/// each file was made from.
///
/// `previous` comes with whether the output folder is exactly as it left
/// it: then only the files that change are written (see `output`).
fn write_site(
    session: &Session,
    staging: &mut Staging,
    search: Option<crate::search::Input>,
    previous: Option<(&Record, bool)>,
    record: &mut Record,
) -> anyhow::Result<Rendered> {
    if let Some((previous, in_place)) = previous {
        let marker = previous.marker.clone().filter(|_| in_place);
        staging.carry_from(previous.lengths.clone(), marker);
    }
    let previous = previous.map(|(record, _)| record);
    // The search index, when it must be made again, is made on a thread of
    // its own while the pages and exports are written (its own work is
    // parallel too; this overlaps its serial parts with the pages').
    let search = search.map(|input| {
        let digest = input.digest();
        let before = previous.and_then(|p| Group::matching(p.search.as_ref(), digest));
        (input, digest, carry(staging, before))
    });
    let staging: &Staging = staging;
    std::thread::scope(|scope| {
        let search = search.map(|(input, digest, carried)| match carried {
            Some(files) => (digest, Ok(files)),
            None => (
                digest,
                Err(scope.spawn(move || {
                    let recording = Recording::new(staging);
                    input.write(&recording).map(|()| recording.into_paths())
                })),
            ),
        });
        // The pages and the exports side by side: on a small edit each
        // is a few milliseconds of a rebuild that wants to be instant.
        let mut signatures = previous.map(|p| p.pages.clone()).unwrap_or_default();
        let mut timer = crate::timings::Timer::new();
        let (rendered, exports) = rayon::join(
            || session.render_since(staging, &mut signatures),
            || exports(session, staging, previous),
        );
        let rendered = rendered?;
        record.pages = signatures;
        record.exports = exports?;
        timer.lap("pages and exports");
        if let Some((digest, search)) = search {
            let files = match search {
                Ok(carried) => carried,
                Err(indexing) => indexing
                    .join()
                    .map_err(|_| anyhow::anyhow!("the search index could not be built"))??,
            };
            record.search = Some(Group { digest, files });
            timer.lap("waited for the search index");
        }
        Ok(rendered)
    })
}

/// Carries the exports over, or writes them.
fn exports(
    session: &Session,
    staging: &Staging,
    previous: Option<&Record>,
) -> anyhow::Result<Option<Group>> {
    let Some(digest) = session.content_digest() else {
        return Ok(None);
    };
    let before = previous.and_then(|p| Group::matching(p.exports.as_ref(), digest));
    let files = match carry(staging, before) {
        Some(files) => files,
        None => {
            let recording = Recording::new(staging);
            session.render_exports(&recording)?;
            recording.into_paths()
        }
    };
    Ok(Some(Group { digest, files }))
}

/// Carries every file of `group` over, or says it could not.
fn carry(staging: &Staging, group: Option<&Group>) -> Option<Vec<String>> {
    let group = group?;
    group
        .files
        .iter()
        .all(|path| staging.carry(path))
        .then(|| group.files.clone())
}

/// Passes writes on to a sink and notes their paths.
struct Recording<'a> {
    inner: &'a dyn Sink,
    paths: std::sync::Mutex<Vec<String>>,
}

impl<'a> Recording<'a> {
    fn new(inner: &'a dyn Sink) -> Recording<'a> {
        Recording {
            inner,
            paths: Default::default(),
        }
    }

    fn note(&self, path: &str) {
        self.paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_string());
    }

    /// The paths written, sorted (writes may come from many threads).
    fn into_paths(self) -> Vec<String> {
        let mut paths = self.paths.into_inner().unwrap_or_else(|e| e.into_inner());
        paths.sort_unstable();
        paths
    }
}

impl Sink for Recording<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.note(path);
        self.inner.write(path, bytes)
    }

    fn write_with(
        &self,
        path: &str,
        render: &mut dyn FnMut(&mut dyn std::io::Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.note(path);
        self.inner.write_with(path, render)
    }
}
