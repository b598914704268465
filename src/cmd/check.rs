//! `dossier check`: everything `build` validates, then every internal link,
//! asset and `#fragment` of the rendered site, without writing anything.
//!
//! It renders through the same session as `build`, into memory, so what it
//! checks is exactly what `build` would write.

use std::path::Path;

use crate::diagnostic::Diagnostics;
use crate::links;
use crate::report::Reporter;
use crate::session::{Failure, Overrides, Session};

pub(crate) fn run(root: &Path, overrides: Overrides, reporter: &Reporter) -> u8 {
    let mut session = Session::new(root, overrides, false);
    let current = match session.load() {
        Ok(current) => current,
        Err(failure) => return reporter.failure(&failure, "check"),
    };
    let base = current.dossier.base.clone();
    // `check` writes nothing, the cache included; it reads one if a build left it.
    session.release_highlight_cache(false);
    let sink = links::ScanSink::default();
    // Nothing links into the search index (the search page's script loads
    // it), and it is the costliest output: check leaves it out. The
    // exports go first: what one holds while it is made is freed before
    // the pages' links pile up.
    let rendered = match session
        .render_exports(&sink)
        .and_then(|()| session.render(&sink))
    {
        Ok(rendered) => rendered,
        Err(e) => return reporter.failure(&Failure::Other(e), "check"),
    };
    let files = match sink.into_files() {
        Ok(files) => files,
        Err(e) => return reporter.failure(&Failure::Other(e), "check"),
    };
    let report = links::check(&files, &base);
    if !report.problems.is_empty() {
        let Some(current) = session.current() else {
            unreachable!("the session loaded above");
        };
        let written = current.dossier.written_urls();
        let sources: Vec<&links::SourcedLink> =
            current.prepared.sourced_links().chain(&written).collect();
        let mut diagnostics = Diagnostics(links::diagnostics(&report.problems, &sources, &base));
        diagnostics.sort();
        let n = report.problems.len();
        let pages: std::collections::HashSet<&str> =
            report.problems.iter().map(|p| p.page.as_str()).collect();
        return reporter.problems(
            &diagnostics.0,
            &format!(
                "check failed: {n} broken link{} on {} page{}",
                plural(n),
                pages.len(),
                plural(pages.len())
            ),
        );
    }
    reporter.summary(&format!(
        "Checked {} pages and {} annotations: {} links, all resolve",
        report.pages, rendered.annotations, report.links
    ));
    0
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
