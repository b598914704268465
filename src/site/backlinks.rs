//! Each annotation's backlink, rendered once per build.
//!
//! An annotation is listed away from its article on every entity,
//! incident, tag and technique page it names and in the ledger (about four
//! pages each on the benchmark's annotated corpus). Its entry is the same
//! on each, so the theme's `backlink` component renders it the first time
//! a page needs it and every page reuses that HTML: converting it into
//! Tera values and rendering it again on each page cost an annotated
//! 10,000-article build about 3 s of CPU.

use std::sync::{Arc, Mutex, OnceLock};

use super::context::{Backlink, Shapes};
use crate::publish::AnnotationRef;
use crate::theme::Theme;

/// The template that renders one backlink through the theme's (or the
/// user's) `backlink` component; registered by [`Theme::load`].
pub(crate) const TEMPLATE: &str = "dossier:backlink.html";
pub(crate) const TEMPLATE_SOURCE: &str = "{{ <backlink b={b} /> }}";

/// The rendered backlinks of one render, filled as pages need them.
#[derive(Default)]
pub(crate) struct BacklinkHtml<'t> {
    /// None when pages are only signed, not rendered: nothing to fill.
    theme: Option<&'t Theme>,
    /// The index in `cells` of each article's first annotation.
    first: Vec<usize>,
    cells: Vec<OnceLock<Arc<str>>>,
    /// Why a backlink could not be rendered; the page that needed it fails
    /// with it (see [`BacklinkHtml::error`]).
    error: Mutex<Option<String>>,
}

impl<'t> BacklinkHtml<'t> {
    pub(crate) fn new(
        theme: &'t Theme,
        annotations_per_article: impl Iterator<Item = usize>,
    ) -> Self {
        let mut first = Vec::new();
        let mut total = 0;
        for n in annotations_per_article {
            first.push(total);
            total += n;
        }
        BacklinkHtml {
            theme: Some(theme),
            first,
            cells: (0..total).map(|_| OnceLock::new()).collect(),
            error: Mutex::new(None),
        }
    }

    /// The HTML of annotation `at`'s backlink: empty when pages are not
    /// being rendered, or when it failed to render (the error is kept).
    pub(crate) fn get(&self, shapes: &Shapes<'_, '_>, at: AnnotationRef) -> Arc<str> {
        let (Some(theme), Some(cell)) = (self.theme, self.cell(at)) else {
            return Arc::from("");
        };
        if let Some(html) = cell.get() {
            return html.clone();
        }
        match render(theme, &shapes.backlink(at)) {
            Ok(html) => cell.get_or_init(|| Arc::from(html)).clone(),
            Err(e) => {
                let mut error = self.error.lock().unwrap_or_else(|e| e.into_inner());
                error.get_or_insert(e.to_string());
                Arc::from("")
            }
        }
    }

    fn cell(&self, (ai, ni): AnnotationRef) -> Option<&OnceLock<Arc<str>>> {
        self.cells.get(self.first.get(ai)? + ni)
    }

    /// The first failure to render a backlink, if any.
    pub(crate) fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn render(theme: &Theme, backlink: &Backlink<'_>) -> anyhow::Result<String> {
    let mut context = tera::Context::new();
    context.insert("b", backlink);
    theme.render(TEMPLATE, &context).map_err(|e| {
        anyhow::anyhow!(
            "the `backlink` component failed for the annotation at {}: {e:#}",
            backlink.url
        )
    })
}
