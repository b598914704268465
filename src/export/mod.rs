//! Machine-readable exports of the published dossier: `/dossier.json`,
//! `/timeline.json` (TimelineJS3), `/stix.json` (STIX 2.1) and ATT&CK
//! Navigator layers (`/attack-layer.json`, `/entities/<id>/attack-layer.json`).
//!
//! Exports see only what the site shows: they are built from the same
//! resolved dossier, after TLP filtering, so an item excluded from the
//! pages is absent here too. `build` writes them with the pages; `serve`
//! renders each one only when it is requested (see `serve::exports`), so
//! on a large dossier they never hold back a reload.

mod json;
pub(crate) mod layer;
mod pretty;
mod stix;
mod timeline;

use crate::output::Sink;
use crate::publish::Published;

/// Writes one export file from the published view.
pub(crate) type Export = fn(&Published<'_>, &mut dyn std::io::Write) -> anyhow::Result<()>;

/// Every export at a fixed path: its site path and how to render it. The
/// entity layers are listed by [`layer::entity_layers`].
const EXPORTS: [(&str, Export); 4] = [
    ("dossier.json", json::render),
    ("timeline.json", timeline::render),
    ("stix.json", stix::render),
    (layer::DOSSIER_LAYER, write_dossier_layer),
];

/// The dossier's layer: a few kilobytes, rendered whole.
fn write_dossier_layer(view: &Published<'_>, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    out.write_all(&layer::render_dossier(view)?)?;
    Ok(())
}

/// An export's bytes, for `serve`, which keeps them.
#[cfg_attr(not(feature = "serve"), allow(dead_code))]
pub(crate) fn to_bytes(export: Export, view: &Published<'_>) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    export(view, &mut bytes)?;
    Ok(bytes)
}

/// Writes `value` as pretty JSON and a final newline, as it is serialised.
/// The printer writes a few bytes at a time (a quote, a colon, an indent):
/// a buffer of a known type takes them inline, where every one of them
/// through `dyn Write` was a call (a tenth of `dossier.json`'s time).
fn write_json(out: &mut dyn std::io::Write, value: &impl serde::Serialize) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    pretty::write(&mut buffered, value, 0)?;
    buffered.write_all(b"\n")?;
    buffered.flush()?;
    Ok(())
}

/// Every export at a fixed path: its site path and how to render it.
#[cfg_attr(not(feature = "serve"), allow(dead_code))]
pub(crate) fn all() -> [(&'static str, Export); 4] {
    EXPORTS
}

/// Writes every export into `sink` (the search index is apart: `search`).
pub(crate) fn render(view: &Published<'_>, sink: &dyn Sink) -> anyhow::Result<()> {
    use rayon::prelude::*;
    let mut timer = crate::timings::Timer::new();
    // Each export is written by one thread from start to end (they are
    // streams), so they are written side by side: on a large dossier
    // `dossier.json` and `stix.json` take seconds each.
    EXPORTS.par_iter().try_for_each(|(path, export)| {
        let mut lap = crate::timings::Timer::new();
        sink.write_with(path, &mut |out| export(view, out))?;
        lap.lap(&format!("  export {path}"));
        anyhow::Ok(())
    })?;
    layer::entity_layers(view)
        .par_iter()
        .try_for_each(|(path, e)| sink.write(path, &layer::render_entity(view, *e)?))?;
    timer.lap("exports");
    Ok(())
}
