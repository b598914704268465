//! Machine-readable exports of the published dossier: `/dossier.json`,
//! `/timeline.json` (TimelineJS3) and `/stix.json` (STIX 2.1).
//!
//! Exports see only what the site shows: they are built from the same
//! resolved dossier, after TLP filtering, so an item excluded from the
//! pages is absent here too. `build` writes them with the pages; `serve`
//! renders each one only when it is requested (see `serve::exports`), so
//! on a large dossier they never hold back a reload.

mod json;
mod stix;
mod timeline;

use crate::output::Sink;
use crate::publish::Published;
use crate::session::Current;

/// Renders one export file from the published view.
pub(crate) type Export = fn(&Published<'_>) -> anyhow::Result<Vec<u8>>;

/// Every export: its site path and how to render it.
const EXPORTS: [(&str, Export); 3] = [
    ("dossier.json", json::render),
    ("timeline.json", timeline::render),
    ("stix.json", stix::render),
];

/// Every export: its site path and how to render it.
#[cfg_attr(not(feature = "serve"), allow(dead_code))]
pub(crate) fn all() -> [(&'static str, Export); 3] {
    EXPORTS
}

/// Writes every export into `sink`, and the search index.
pub(crate) fn render(current: &Current, sink: &dyn Sink) -> anyhow::Result<()> {
    let mut timer = crate::timings::Timer::new();
    let view = Published::new(&current.dossier, &current.prepared);
    for (path, export) in EXPORTS {
        sink.write(path, &export(&view)?)?;
    }
    timer.lap("exports");
    if current.dossier.config.search {
        for (path, bytes) in crate::search::index(&view)? {
            sink.write(&path, &bytes)?;
        }
        timer.lap("search index");
    }
    Ok(())
}
