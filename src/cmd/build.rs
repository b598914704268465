//! `dossier build`: render the site into the output folder, safely.

use std::path::Path;
use std::time::Instant;

use crate::output::Staging;
use crate::report::Reporter;
use crate::session::{Failure, Overrides, Session};

pub(crate) fn run(root: &Path, overrides: Overrides, reporter: &Reporter) -> u8 {
    let started = Instant::now();
    let mut session = Session::new(root, overrides, false);
    if let Err(failure) = session.load() {
        return reporter.failure(&failure, "build");
    }
    let target = session.output_dir();
    let staging = match Staging::new(session.root(), &target) {
        Ok(staging) => staging,
        Err(e) => return reporter.failure(&Failure::Other(e), "build"),
    };
    // Only a build that may write saves the cache (`.dossier-cache/`).
    session.release_highlight_cache(true);
    let rendered = match session
        .render(&staging)
        .and_then(|rendered| session.render_exports(&staging, true).map(|_| rendered))
    {
        Ok(rendered) => rendered,
        Err(e) => {
            staging.abandon();
            return reporter.failure(&Failure::Other(e), "build");
        }
    };
    if let Err(e) = staging.commit() {
        return reporter.failure(&Failure::Other(e), "build");
    }
    let shown = target
        .strip_prefix(session.root())
        .or_else(|_| target.strip_prefix(root))
        .unwrap_or(&target);
    reporter.summary(&format!(
        "Built {} pages with {} annotations into {}/ in {} ms",
        rendered.pages,
        rendered.annotations,
        shown.display(),
        started.elapsed().as_millis()
    ));
    0
}
