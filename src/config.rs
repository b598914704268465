//! `dossier.yaml`: the site configuration, every field optional.

use std::sync::Arc;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::tlp::Tlp;
use crate::yaml::{self, Decoder};

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) base_url: String,
    pub(crate) language: String,
    pub(crate) output_dir: String,
    pub(crate) publish_tlp: Tlp,
    pub(crate) highlight_theme: String,
    /// Where `highlight_theme` was written, to report an unknown theme.
    pub(crate) highlight_theme_at: Option<(Arc<SourceFile>, std::ops::Range<usize>)>,
    pub(crate) unsafe_html: bool,
    /// The syntect theme for code in the dark colour scheme.
    pub(crate) highlight_theme_dark: String,
    pub(crate) highlight_theme_dark_at: Option<(Arc<SourceFile>, std::ops::Range<usize>)>,
    /// Above this many entries, the timeline becomes an overview with one
    /// page per year; every long list is paged at this size.
    pub(crate) timeline_page_size: usize,
    /// `/print/` is written only for dossiers with at most this many articles.
    pub(crate) print_max_articles: usize,
    /// Whether to write `/search/` and its index.
    pub(crate) search: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: "Dossier".into(),
            description: None,
            base_url: "/".into(),
            language: "en".into(),
            output_dir: "public".into(),
            publish_tlp: Tlp::Clear,
            highlight_theme: "InspiredGitHub".into(),
            highlight_theme_at: None,
            unsafe_html: false,
            highlight_theme_dark: "base16-ocean.dark".into(),
            highlight_theme_dark_at: None,
            timeline_page_size: 200,
            print_max_articles: 200,
            search: true,
        }
    }
}

const FIELDS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "output_dir",
    "publish_tlp",
    "highlight_theme",
    "highlight_theme_dark",
    "unsafe_html",
    "timeline_page_size",
    "print_max_articles",
    "search",
];

impl Config {
    /// Reads `dossier.yaml`; problems are returned with the (default-filled) config.
    pub(crate) fn parse(file: &Arc<SourceFile>) -> (Config, Vec<Diagnostic>) {
        let mut config = Config::default();
        if file.text.trim().is_empty() {
            return (config, Vec::new());
        }
        let node = match yaml::parse(file, 0, &file.text) {
            Ok(node) => node,
            Err(e) => return (config, vec![e]),
        };
        if node.is_null() {
            return (config, Vec::new());
        }
        let mut d = Decoder::new(file);
        if let Some(fields) = d.fields(&node, "dossier.yaml", FIELDS) {
            if let Some(title) = d.opt_string(&fields, "title") {
                config.title = title;
            }
            config.description = d.opt_string(&fields, "description");
            if let Some(base_url) = d.opt_string(&fields, "base_url") {
                config.base_url = base_url;
            }
            if let Some(language) = d.opt_string(&fields, "language") {
                config.language = language;
            }
            if let Some(output_dir) = d.opt_string(&fields, "output_dir") {
                config.output_dir = output_dir;
            }
            if let Some(level) = d.choice(&fields, "publish_tlp", &Tlp::NAMES) {
                config.publish_tlp = level;
            }
            if let Some(node) = fields.get("highlight_theme")
                && let Some(theme) = d.string(node, "highlight_theme")
            {
                config.highlight_theme = theme.value;
                config.highlight_theme_at = Some((Arc::clone(file), theme.span));
            }
            if let Some(node) = fields.get("highlight_theme_dark")
                && let Some(theme) = d.string(node, "highlight_theme_dark")
            {
                config.highlight_theme_dark = theme.value;
                config.highlight_theme_dark_at = Some((Arc::clone(file), theme.span));
            }
            if let Some(flag) = d.bool(&fields, "unsafe_html") {
                config.unsafe_html = flag;
            }
            if let Some(n) = d.integer(&fields, "timeline_page_size", 1..=100_000) {
                config.timeline_page_size = n;
            }
            if let Some(n) = d.integer(&fields, "print_max_articles", 0..=100_000) {
                config.print_max_articles = n;
            }
            if let Some(flag) = d.bool(&fields, "search") {
                config.search = flag;
            }
        }
        (config, d.errors)
    }
}

/// The two forms of `base_url` the site needs.
#[derive(Debug, Clone)]
pub(crate) struct BaseUrl {
    /// The path every internal link starts with: `/` or `/sub/`.
    pub(crate) path: String,
    /// The absolute prefix for feeds and sitemaps (`https://example.org/sub/`),
    /// or the path when no host is configured.
    pub(crate) permalink: String,
}

impl BaseUrl {
    pub(crate) fn parse(base_url: &str) -> Result<BaseUrl, String> {
        let trimmed = base_url.trim();
        let (origin, path) = match trimmed.find("://") {
            Some(scheme_end) => {
                let after = &trimmed[scheme_end + 3..];
                let host_end = after
                    .find('/')
                    .map_or(trimmed.len(), |i| scheme_end + 3 + i);
                if host_end == scheme_end + 3 {
                    return Err(format!("`{trimmed}` has no host name"));
                }
                (&trimmed[..host_end], &trimmed[host_end..])
            }
            None if trimmed.starts_with('/') || trimmed.is_empty() => ("", trimmed),
            None => {
                return Err(format!(
                    "`{trimmed}` is neither an absolute URL (https://example.org/) nor a path (/docs/)"
                ));
            }
        };
        if path.contains(['?', '#', ' ', '"', '<', '>']) {
            return Err(format!(
                "`{trimmed}` may not contain a query, a fragment, spaces or quotes"
            ));
        }
        let mut path = path.trim_end_matches('/').to_string();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(BaseUrl {
            permalink: format!("{origin}{path}"),
            path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_normalise() {
        let cases = [
            ("/", "/", "/"),
            ("", "/", "/"),
            ("https://example.org", "/", "https://example.org/"),
            (
                "https://example.org/sub",
                "/sub/",
                "https://example.org/sub/",
            ),
            (
                "https://example.org/team/nk/",
                "/team/nk/",
                "https://example.org/team/nk/",
            ),
            ("/docs", "/docs/", "/docs/"),
        ];
        for (input, path, permalink) in cases {
            let base = BaseUrl::parse(input).unwrap();
            assert_eq!(
                (base.path.as_str(), base.permalink.as_str()),
                (path, permalink),
                "{input}"
            );
        }
        assert!(BaseUrl::parse("example.org").is_err());
        assert!(BaseUrl::parse("https:///x").is_err());
    }

    #[test]
    fn config_reports_unknown_fields() {
        let file = SourceFile::new(
            "dossier.yaml",
            "title: T\npublish_tlp: amber\nbase_ur: /x/\n",
        );
        let (config, errors) = Config::parse(&file);
        assert_eq!(config.title, "T");
        assert_eq!(config.publish_tlp, Tlp::Amber);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location().unwrap(), "dossier.yaml:3:1");
        assert!(errors[0].message.contains("did you mean `base_url`"));
    }
}
