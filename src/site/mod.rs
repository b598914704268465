//! From the published view to the files of the site.
//!
//! [`render`] lists every page (`pages`), builds each one's typed template
//! context (`context`), renders the pages through the theme in parallel and
//! hands each file to a [`Sink`]. It reads only the [`Published`] view, so
//! nothing the publish rule excludes can reach a page.
//!
//! Each page also has a signature, a hash of everything its context is built
//! from; given the signatures of the previous run, only pages whose
//! signature changed are rendered again (the incremental rebuilds of
//! `serve`, and of `build` with the record of the previous one: `rebuild`).

mod context;
mod items;
mod lists;
mod pages;
mod techniques;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};

use crate::highlight;
use crate::output::Sink;
use crate::publish::Published;
use crate::theme::Theme;
use pages::{PageKind, Pages};

/// What a render produced.
#[derive(Debug, Default, Clone)]
#[cfg_attr(not(feature = "serve"), allow(dead_code))]
pub(crate) struct Rendered {
    pub(crate) pages: usize,
    pub(crate) annotations: usize,
    /// Site paths written this time (all of them without earlier signatures).
    pub(crate) written: Vec<String>,
    /// Site paths of the previous run that no longer exist.
    pub(crate) removed: Vec<String>,
}

/// Per site path, the signature of what was last written there.
pub(crate) type Signatures = FxHashMap<String, u64>;

/// Renders the site into `sink`: every file, or with `previous` signatures
/// only the files whose inputs changed (`previous` is then updated).
pub(crate) fn render(
    view: &Published<'_>,
    theme: &Theme,
    sink: &dyn Sink,
    previous: Option<&mut Signatures>,
) -> anyhow::Result<Rendered> {
    let mut timer = crate::timings::Timer::new();
    let pages = Pages::new(view, generation(theme));
    let kinds = pages.kinds();
    timer.lap("epochs");
    let signed: Vec<(String, u64, PageKind)> = kinds
        .par_iter()
        .map(|&page| (pages.path(page), pages.signature(page), page))
        .collect();
    let unchanged = |path: &str, signature: u64| {
        previous
            .as_ref()
            .is_some_and(|p| p.get(path) == Some(&signature))
    };
    timer.lap("signatures");
    let stale: Vec<&(String, u64, PageKind)> = signed
        .par_iter()
        .filter(|(path, sig, _)| !(unchanged(path, *sig) && sink.carry(path)))
        .collect();
    stale
        .par_iter()
        .try_for_each(|(path, _, page)| -> anyhow::Result<()> {
            let (template, context) = pages.context(*page);
            let context = tera::Context::from_serialize(&context)?;
            let html = theme.render(template, &context)?;
            sink.write(path, html.as_bytes())
        })?;
    timer.lap(&format!("render {} pages", stale.len()));

    let mut written: Vec<String> = stale.iter().map(|(path, ..)| path.clone()).collect();
    let mut current: Signatures = signed
        .iter()
        .map(|(path, sig, _)| (path.clone(), *sig))
        .collect();
    for (path, bytes) in assets(view, theme)? {
        let signature = asset_signature(&bytes);
        if !(unchanged(&path, signature) && sink.carry(&path)) {
            sink.write(&path, &bytes)?;
            written.push(path.clone());
        }
        current.insert(path, signature);
    }

    let mut removed = Vec::new();
    if let Some(previous) = previous {
        removed = previous
            .keys()
            .filter(|p| !current.contains_key(*p))
            .cloned()
            .collect();
        removed.sort();
        *previous = current;
    }
    written.sort();
    Ok(Rendered {
        pages: signed
            .iter()
            .filter(|(path, ..)| path.ends_with(".html"))
            .count(),
        annotations: view.annotation_count(),
        written,
        removed,
    })
}

/// The signature of every file [`render`] writes (pages and theme files),
/// by site path, and what it would report, without rendering anything.
pub(crate) fn signatures(
    view: &Published<'_>,
    theme: &Theme,
) -> anyhow::Result<(Signatures, Rendered)> {
    let pages = Pages::new(view, generation(theme));
    let kinds = pages.kinds();
    let mut signatures: Signatures = kinds
        .par_iter()
        .map(|&page| (pages.path(page), pages.signature(page)))
        .collect();
    let rendered = Rendered {
        pages: signatures.keys().filter(|p| p.ends_with(".html")).count(),
        annotations: view.annotation_count(),
        ..Rendered::default()
    };
    for (path, bytes) in assets(view, theme)? {
        signatures.insert(path, asset_signature(&bytes));
    }
    Ok((signatures, rendered))
}

/// What every page is rendered with besides the dossier: the templates,
/// and how code is highlighted (which classes its spans keep depends on
/// the highlight themes and on a `static/syntax.css` of the dossier's own).
fn generation(theme: &Theme) -> u64 {
    let mut h = FxHasher::default();
    (theme.generation, highlight::salt()).hash(&mut h);
    h.finish()
}

fn asset_signature(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    bytes.hash(&mut h);
    h.finish()
}

/// The theme's static files, and `syntax.css` unless the theme has one.
fn assets<'t>(
    view: &Published<'_>,
    theme: &'t Theme,
) -> anyhow::Result<Vec<(String, Cow<'t, [u8]>)>> {
    let mut assets: Vec<(String, Cow<'t, [u8]>)> = Vec::new();
    if !theme.assets.contains_key("syntax.css") {
        let c = &view.dossier.config;
        let css = highlight::stylesheet(&c.highlight_theme, &c.highlight_theme_dark)
            .map_err(|_| anyhow::anyhow!("unknown highlight theme"))?;
        assets.push(("syntax.css".into(), Cow::Owned(css.into_bytes())));
    }
    for (path, bytes) in &theme.assets {
        assets.push((path.clone(), Cow::Borrowed(bytes.as_ref())));
    }
    Ok(assets)
}
