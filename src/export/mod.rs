//! Machine-readable exports of the published dossier: `/dossier.json`,
//! `/timeline.json` (TimelineJS3) and `/stix.json` (STIX 2.1).
//!
//! Exports see only what the site shows: they are built from the same
//! resolved dossier, after TLP filtering, so an item excluded from the
//! pages is absent here too. `serve` renders them after the reload message
//! is sent, off the path of the save-to-reload latency.

mod json;
mod stix;
mod timeline;

use crate::graph::Dossier;
use crate::output::Sink;
use crate::prepare::Prepared;

/// Renders one export file from the published dossier.
type Export = fn(&Dossier, &Prepared) -> anyhow::Result<Vec<u8>>;

/// Writes every export into `sink`; returns the site paths written.
pub(crate) fn render(
    dossier: &Dossier,
    prepared: &Prepared,
    sink: &dyn Sink,
) -> anyhow::Result<Vec<String>> {
    let exports: [(&str, Export); 3] = [
        ("dossier.json", json::render),
        ("timeline.json", timeline::render),
        ("stix.json", stix::render),
    ];
    let mut written = Vec::new();
    for (path, export) in exports {
        sink.write(path, &export(dossier, prepared)?)?;
        written.push(path.to_string());
    }
    Ok(written)
}
