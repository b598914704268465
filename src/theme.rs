//! The theme: built-in templates and assets embedded in the binary, with
//! the dossier's own `templates/` and `static/` files overriding them by
//! name. Templates are compiled once per build.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use anyhow::{Context as _, bail};
use tera::Tera;
use walkdir::WalkDir;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/theme.rs"));
}

pub(crate) struct Theme {
    pub(crate) tera: Tera,
    /// A hash of the templates, so pages rendered with other templates are
    /// known to be stale (and a change under `static/` alone is not).
    pub(crate) generation: u64,
    /// Static files by output path (`style.css`), user files winning.
    pub(crate) assets: BTreeMap<String, Cow<'static, [u8]>>,
}

impl Theme {
    pub(crate) fn load(root: &Path) -> anyhow::Result<Theme> {
        let mut templates: BTreeMap<String, (String, String)> = BTreeMap::new();
        for (name, bytes) in embedded::TEMPLATES {
            let text = String::from_utf8_lossy(bytes).into_owned();
            templates.insert(
                name.to_string(),
                (format!("built-in template {name}"), text),
            );
        }
        for (name, path) in user_files(&root.join("templates"))? {
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let Ok(text) = String::from_utf8(bytes) else {
                bail!(
                    "{}: this template is not valid UTF-8 text; save it as UTF-8",
                    path.display()
                );
            };
            templates.insert(name, (path.display().to_string(), text));
        }
        // One backlink alone, through whichever `backlink` component the
        // theme defines (`site::backlinks`).
        templates.insert(
            crate::site::BACKLINK_TEMPLATE.to_string(),
            (
                "built-in template".to_string(),
                crate::site::BACKLINK_SOURCE.to_string(),
            ),
        );
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".htm", ".xml"]);
        let sources: Vec<(&str, &str)> = templates
            .iter()
            .map(|(n, (_, t))| (n.as_str(), t.as_str()))
            .collect();
        if let Err(e) = tera.add_raw_templates(sources) {
            let overridden: Vec<&str> = templates
                .values()
                .map(|(origin, _)| origin.as_str())
                .filter(|o| !o.starts_with("built-in"))
                .collect();
            let hint = if overridden.is_empty() {
                String::new()
            } else {
                format!("\n(your template overrides: {})", overridden.join(", "))
            };
            bail!("a template does not compile:\n{}{hint}", error_chain(&e));
        }

        let mut assets: BTreeMap<String, Cow<'static, [u8]>> = embedded::ASSETS
            .iter()
            .map(|(name, bytes)| (name.to_string(), Cow::Borrowed(*bytes)))
            .collect();
        for (name, path) in user_files(&root.join("static"))? {
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            assets.insert(name, Cow::Owned(bytes));
        }
        let mut hasher = DefaultHasher::new();
        for (name, (_, text)) in &templates {
            (name, text).hash(&mut hasher);
        }
        let generation = hasher.finish();
        Ok(Theme {
            tera,
            generation,
            assets,
        })
    }

    /// Renders one template, with Tera's whole cause chain on failure.
    pub(crate) fn render(&self, template: &str, context: &tera::Context) -> anyhow::Result<String> {
        self.tera
            .render(template, context)
            .map_err(|e| render_error(template, &e))
    }

    /// Renders one template at the end of `out`, as [`Theme::render`].
    pub(crate) fn render_to(
        &self,
        template: &str,
        context: &tera::Context,
        out: &mut Vec<u8>,
    ) -> anyhow::Result<()> {
        self.tera
            .render_to(template, context, out)
            .map_err(|e| render_error(template, &e))
    }
}

fn render_error(template: &str, e: &tera::Error) -> anyhow::Error {
    anyhow::anyhow!("cannot render template {template}:\n{}", error_chain(e))
}

/// Files under `dir` by their path relative to it, `/`-separated.
fn user_files(dir: &Path) -> anyhow::Result<Vec<(String, std::path::PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("cannot read {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || crate::load::is_ignored(&name) {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let relative = relative.to_string_lossy().replace('\\', "/");
        files.push((relative, entry.path().to_path_buf()));
    }
    Ok(files)
}

/// Tera puts the useful part of an error in its `source()` chain.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str("\ncaused by: ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
