//! Code highlighting with syntect, as CSS classes rather than inline styles
//! so a strict Content-Security-Policy works; the theme becomes `/syntax.css`.
//!
//! Highlighting dominates the cost of a build with code in it, so each
//! block's HTML is remembered (`cache`) and only new code is highlighted.
//! syntect runs on Oniguruma rather than `fancy-regex`: on the benchmark
//! corpus the Markdown phase took 2.3 times less CPU for the same bytes.

mod cache;
mod prune;

use std::sync::LazyLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

// Loading the syntax definitions takes tens of milliseconds: only dossiers
// with code blocks pay for it.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);
static THEMES: LazyLock<ThemeSet> = LazyLock::new(ThemeSet::load_defaults);

pub(crate) use prune::{configure, salt};

pub(crate) use cache::{
    DIR as CACHE_DIR, VERSION as CACHE_VERSION, forget as forget_cache, load as load_cache,
    save as save_cache,
};

/// `<pre><code>` for a code block, highlighted when the language is known.
///
/// The highlighted body of a block with a language comes from the cache
/// when this version already highlighted the same code (see `cache`).
pub(crate) fn code_block(code: &str, lang: &str) -> String {
    let lang = lang
        .split([' ', ',', '{'])
        .next()
        .unwrap_or_default()
        .trim();
    let highlighted = if lang.is_empty() {
        None
    } else {
        let key = cache::key(lang, code);
        // An empty entry records a language syntect does not know, so a
        // cached build needs no syntax definitions at all.
        let body = cache::get(&key).unwrap_or_else(|| {
            let html = highlight(code, lang).unwrap_or_default();
            cache::insert(key, &html);
            html
        });
        // Highlighting a block never gives empty HTML: the code has a line.
        (!body.is_empty()).then_some(body)
    };
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(
            " class=\"language-{}\" data-lang=\"{}\"",
            escape(lang),
            escape(lang)
        )
    };
    let escaped;
    let body = match &highlighted {
        Some(body) => body.as_str(),
        None => {
            escaped = escape(code);
            &escaped
        }
    };
    // A long line scrolls inside the block (style.css); `tabindex` lets a
    // keyboard reach the block to scroll it.
    format!("<pre class=\"code\" tabindex=\"0\"><code{class}>{body}</code></pre>\n")
}

/// The code as highlighted HTML, or None for a language syntect does not
/// know (or code it fails on).
fn highlight(code: &str, lang: &str) -> Option<String> {
    let syntax = SYNTAXES.find_syntax_by_token(lang)?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    let html = generator.finalize();
    let html = match prune::current() {
        Some(pruner) => pruner.prune(html),
        None => html,
    };
    Some(html).filter(|html| !html.is_empty())
}

/// `/syntax.css`: the light theme, and the dark one for readers whose system
/// prefers a dark colour scheme. An unknown name gives the theme names.
///
/// Each theme sits in its own media query, so the two never mix: a light
/// rule with a more specific selector than any dark one (`.hl-storage.hl-type`
/// against `.hl-storage`) would otherwise keep its light colour on the dark
/// background. Paper takes the light theme whatever the screen's scheme.
pub(crate) fn stylesheet(light: &str, dark: &str) -> Result<String, Vec<&'static str>> {
    let light = theme_css(light)?;
    let dark = theme_css(dark)?;
    let mut css = String::with_capacity(light.len() + dark.len() + 200);
    for (query, theme) in [
        ("print, (prefers-color-scheme: light)", light),
        ("screen and (prefers-color-scheme: dark)", dark),
    ] {
        css.push_str("@media ");
        css.push_str(query);
        css.push_str(" {\n");
        for line in theme.lines() {
            css.push_str("  ");
            css.push_str(line);
            css.push('\n');
        }
        css.push_str("}\n\n");
    }
    Ok(css)
}

/// The stylesheet for a theme, or the list of theme names to choose from.
/// A build asks for each theme's several times (to check the config, to
/// prune highlighted code, for `syntax.css`): it is made once.
pub(crate) fn theme_css(name: &str) -> Result<String, Vec<&'static str>> {
    type Made = Result<String, Vec<&'static str>>;
    static MADE: LazyLock<std::sync::Mutex<rustc_hash::FxHashMap<String, Made>>> =
        LazyLock::new(Default::default);
    let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(css) = made.get(name) {
        return css.clone();
    }
    let css = make_theme_css(name);
    made.insert(name.to_string(), css.clone());
    css
}

fn make_theme_css(name: &str) -> Result<String, Vec<&'static str>> {
    let names = || THEMES.themes.keys().map(|k| k.as_str()).collect::<Vec<_>>();
    let theme = THEMES.themes.get(name).ok_or_else(|| {
        // Keys borrow from the static set, so they live long enough.
        let names: Vec<&'static str> = names();
        names
    })?;
    css_for_theme_with_class_style(theme, CLASS_STYLE).map_err(|_| names())
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_not_styles() {
        let html = code_block("fn main() {}\n", "rust");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn unknown_languages_are_escaped_text() {
        let html = code_block("rule x { condition: a < b }\n", "yara");
        assert_eq!(
            html,
            "<pre class=\"code\" tabindex=\"0\"><code class=\"language-yara\" data-lang=\"yara\">rule x { condition: a &lt; b }\n</code></pre>\n"
        );
    }

    #[test]
    fn the_stylesheet_has_a_dark_scheme_that_the_light_one_never_reaches() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark").unwrap();
        assert!(css.starts_with("@media print, (prefers-color-scheme: light) {\n"));
        let dark = css
            .find("\n@media screen and (prefers-color-scheme: dark) {\n")
            .unwrap();
        assert!(css[..dark].contains(".hl-") && css[dark..].contains(".hl-"));
        // Every rule is inside one of the two queries: nothing at the top
        // level but the queries themselves.
        assert!(
            css.lines().all(|l| l.is_empty()
                || l.starts_with("  ")
                || l.starts_with("@media ")
                || l == "}"),
            "{css}"
        );
        assert!(stylesheet("InspiredGitHub", "Nope").is_err());
    }

    #[test]
    fn themes_resolve_by_name() {
        assert!(theme_css("InspiredGitHub").unwrap().contains(".hl-"));
        assert!(theme_css("Nope").unwrap_err().contains(&"InspiredGitHub"));
    }
}
