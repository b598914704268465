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

mod backlinks;
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

pub(crate) use backlinks::{TEMPLATE as BACKLINK_TEMPLATE, TEMPLATE_SOURCE as BACKLINK_SOURCE};

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

/// What `serve` keeps from one render to the next.
#[derive(Default)]
pub(crate) struct Memo {
    /// Of every file last written.
    pub(crate) signatures: Signatures,
    /// The last render's pages in `Pages::kinds` order, each with its
    /// path and signature.
    pages: Vec<(String, u64, PageKind)>,
    /// The serial of the published view they were signed from, and the
    /// hash of the site settings and templates (`Epochs::site`).
    basis: Option<(u64, u64)>,
}

/// Renders into `sink` the files whose inputs changed since the render
/// `memo` keeps, which then holds this one. When the view differs from
/// that render's only by some articles' own files and annotations
/// ([`Published::serial`]), the pages are those of the last render and
/// only the pages that show those articles are signed again: signing all
/// 15,000 pages of a large dossier took longer than the rest of a pass.
pub(crate) fn render_incremental(
    view: &Published<'_>,
    theme: &Theme,
    sink: &dyn Sink,
    memo: &mut Memo,
) -> anyhow::Result<Rendered> {
    let mut timer = crate::timings::Timer::new();
    let pages = Pages::new(view, generation(theme)).rendering(theme);
    let (serial, since) = view.serial();
    let basis = Some((serial, pages.epochs.site));
    let stable = since.filter(|(previous, _)| memo.basis == Some((*previous, pages.epochs.site)));
    let Some((_, articles)) = stable.filter(|_| !memo.pages.is_empty()) else {
        let rendered = render_pages(&pages, view, theme, sink, Some(&mut memo.signatures))?;
        memo.pages = rendered.1;
        memo.basis = basis;
        return Ok(rendered.0);
    };
    timer.lap("epochs");
    let affected = pages.affected_by(articles);
    // Signed again and rendered first, kept only once all went well: a
    // failed render must leave the memo as it was.
    let mut resigned = Vec::new();
    let mut stale = Vec::new();
    for (at, (path, signature, page)) in memo.pages.iter().enumerate() {
        if affected.contains(page) {
            let now = pages.signature(*page);
            if *signature != now {
                resigned.push((at, now));
                stale.push((path.clone(), *page));
                continue;
            }
        }
        if !sink.carry(path) {
            stale.push((path.clone(), *page));
        }
    }
    timer.lap(&format!("signatures of {} pages", affected.len()));
    render_each(&pages, theme, sink, &stale)?;
    let mut written: Vec<String> = stale.into_iter().map(|(path, _)| path).collect();
    let previous = &memo.signatures;
    let assets = write_assets(view, theme, sink, &mut written, &|path, signature| {
        previous.get(path) == Some(&signature)
    })?;
    for (at, signature) in resigned {
        let (path, old, _) = &mut memo.pages[at];
        *old = signature;
        memo.signatures.insert(path.clone(), signature);
    }
    memo.signatures.extend(assets);
    timer.lap(&format!("render {} pages", written.len()));
    memo.basis = basis;
    written.sort();
    Ok(Rendered {
        pages: memo
            .pages
            .iter()
            .filter(|(path, ..)| path.ends_with(".html"))
            .count(),
        annotations: view.annotation_count(),
        written,
        removed: Vec::new(),
    })
}

/// Renders the site into `sink`: every file, or with `previous` signatures
/// only the files whose inputs changed (`previous` is then updated).
pub(crate) fn render(
    view: &Published<'_>,
    theme: &Theme,
    sink: &dyn Sink,
    previous: Option<&mut Signatures>,
) -> anyhow::Result<Rendered> {
    let pages = Pages::new(view, generation(theme)).rendering(theme);
    Ok(render_pages(&pages, view, theme, sink, previous)?.0)
}

/// [`render`] with the pages made, and the pages with their paths and
/// signatures besides what it reports.
#[allow(clippy::type_complexity)]
fn render_pages(
    pages: &Pages<'_, '_>,
    view: &Published<'_>,
    theme: &Theme,
    sink: &dyn Sink,
    previous: Option<&mut Signatures>,
) -> anyhow::Result<(Rendered, Vec<(String, u64, PageKind)>)> {
    let mut timer = crate::timings::Timer::new();
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
    let stale: Vec<(String, PageKind)> = signed
        .par_iter()
        .filter(|(path, sig, _)| !(unchanged(path, *sig) && sink.carry(path)))
        .map(|(path, _, page)| (path.clone(), *page))
        .collect();
    render_each(pages, theme, sink, &stale)?;
    timer.lap(&format!("render {} pages", stale.len()));

    let mut written: Vec<String> = stale.into_iter().map(|(path, _)| path).collect();
    let mut current: Signatures = signed
        .iter()
        .map(|(path, sig, _)| (path.clone(), *sig))
        .collect();
    current.extend(write_assets(view, theme, sink, &mut written, &unchanged)?);

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
    let rendered = Rendered {
        pages: signed
            .iter()
            .filter(|(path, ..)| path.ends_with(".html"))
            .count(),
        annotations: view.annotation_count(),
        written,
        removed,
    };
    Ok((rendered, signed))
}

/// Renders each page of `stale` through the theme into `sink`, in parallel.
fn render_each(
    pages: &Pages<'_, '_>,
    theme: &Theme,
    sink: &dyn Sink,
    stale: &[(String, PageKind)],
) -> anyhow::Result<()> {
    // Each worker renders into a buffer of its own, kept from page to
    // page: grown once rather than for every page.
    let rendered =
        stale
            .par_iter()
            .try_for_each_init(Vec::new, |html, (path, page)| -> anyhow::Result<()> {
                let timed = crate::timings::tallying();
                let mut steps = Vec::with_capacity(if timed { 5 } else { 0 });
                let mut step = || {
                    if timed {
                        steps.push(std::time::Instant::now());
                    }
                };
                step();
                let (template, context) = pages.context(*page);
                // A backlink that failed to render (on whichever thread) fails
                // the build; its message names the annotation and the line.
                if let Some(error) = pages.backlink_html.error() {
                    anyhow::bail!("{error}");
                }
                step();
                let context = tera::Context::from_serialize(&context)?;
                step();
                html.clear();
                theme.render_to(template, &context, html)?;
                step();
                sink.write(path, html)?;
                step();
                crate::timings::tally(page.label(), &steps);
                Ok(())
            });
    crate::timings::print_tally("pages: context / values / template / write,");
    rendered
}

/// Writes the theme's files (and `syntax.css`) that are not `unchanged`
/// or that the sink does not carry, adding their paths to `written`; the
/// signature of each.
fn write_assets(
    view: &Published<'_>,
    theme: &Theme,
    sink: &dyn Sink,
    written: &mut Vec<String>,
    unchanged: &dyn Fn(&str, u64) -> bool,
) -> anyhow::Result<Vec<(String, u64)>> {
    let mut signed = Vec::new();
    for (path, bytes) in assets(view, theme)? {
        let signature = asset_signature(&bytes);
        if !(unchanged(&path, signature) && sink.carry(&path)) {
            sink.write(&path, &bytes)?;
            written.push(path.clone());
        }
        signed.push((path, signature));
    }
    Ok(signed)
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
