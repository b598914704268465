//! The build pipeline, shared by every command that renders:
//! load files -> resolve the graph -> prepare Markdown and anchors -> render.

use std::path::{Path, PathBuf};

use crate::config::BaseUrl;
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::graph::{Dossier, Publish};
use crate::highlight;
use crate::load;
use crate::output::Sink;
use crate::site::{self, Stats};
use crate::theme::Theme;
use crate::tlp::Tlp;

/// Settings from the command line that override `dossier.yaml`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overrides {
    pub(crate) base_url: Option<String>,
    pub(crate) tlp: Option<Tlp>,
    pub(crate) drafts: bool,
    pub(crate) output: Option<PathBuf>,
}

/// Why a build did not produce a site.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Problems in the user's content, all of them.
    Content(Diagnostics),
    /// Anything else: I/O, templates.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

/// A dossier loaded, validated and prepared, ready to render.
pub(crate) struct Built {
    pub(crate) dossier: Dossier,
    pub(crate) prepared: site::Prepared,
    pub(crate) theme: Theme,
}

impl Built {
    /// Where `build` writes, from `--output` or `output_dir`.
    pub(crate) fn output_dir(&self, root: &Path, overrides: &Overrides) -> PathBuf {
        match &overrides.output {
            Some(path) => path.clone(),
            None => root.join(&self.dossier.config.output_dir),
        }
    }

    pub(crate) fn render(&self, sink: &dyn Sink) -> anyhow::Result<Stats> {
        site::render(&self.dossier, &self.prepared, &self.theme, sink)
    }
}

/// Loads and checks everything; reports every content problem at once.
pub(crate) fn prepare(root: &Path, overrides: &Overrides) -> Result<Built, Failure> {
    let mut diagnostics = Diagnostics::default();
    let sources = load::load(root, &mut diagnostics)?;
    let mut config = sources.config.clone();
    if let Some(base_url) = &overrides.base_url {
        config.base_url = base_url.clone();
    }
    let base = match BaseUrl::parse(&config.base_url) {
        Ok(base) => base,
        Err(message) => {
            diagnostics.push(Diagnostic::general(format!("invalid base_url: {message}")));
            BaseUrl::parse("/").expect("`/` is a valid base URL")
        }
    };
    if highlight::theme_css(&config.highlight_theme).is_err() {
        let names = highlight::theme_css("").unwrap_err();
        let suggestion = did_you_mean(&config.highlight_theme, names.iter().copied());
        let message = format!("unknown highlight_theme `{}`", config.highlight_theme);
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`? the themes are: {}", names.join(", ")),
            None => format!("the themes are: {}", names.join(", ")),
        };
        let diagnostic = match &config.highlight_theme_at {
            Some((file, span)) => Diagnostic::at(file, span.clone(), message),
            None => Diagnostic::general(message),
        };
        diagnostics.push(diagnostic.help(help));
    }
    let publish = Publish {
        tlp: overrides.tlp.unwrap_or(config.publish_tlp),
        drafts: overrides.drafts,
    };
    let mut sources = sources;
    sources.config = config;
    let dossier = Dossier::new(sources, base, publish, &mut diagnostics);
    let theme = Theme::load(root)?;
    let (prepared, errors) = site::prepare(&dossier);
    diagnostics.extend(errors);
    if !diagnostics.is_empty() {
        diagnostics.sort();
        return Err(Failure::Content(diagnostics));
    }
    Ok(Built {
        dossier,
        prepared,
        theme,
    })
}
