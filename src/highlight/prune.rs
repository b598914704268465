//! Leaner highlighted HTML: only the classes the site's stylesheet can use.
//!
//! syntect wraps every scope in a span that names every part of it
//! (`<span class="hl-meta hl-statement hl-import hl-python">`), and on code
//! that is two thirds of an article page's bytes, of its share of
//! `dossier.json` and of the memory that holds both. A class that no rule
//! of the generated `syntax.css` mentions changes nothing on screen, so it
//! is left out, and a span left with no class is left out whole.
//!
//! This keeps every rule matching exactly the elements it matched: a
//! compound selector part (`.hl-keyword.hl-control`) matches an element
//! when all its classes are on it, and the classes kept are exactly those
//! of the parts that match, so a part matches the lean element if and only
//! if it matched the full one. Descendant selectors are made of such parts
//! too. A dossier with its own `static/syntax.css` may style any scope, so
//! its code keeps every class ([`configure`] with `custom`).

use std::sync::{Arc, RwLock};

use rustc_hash::FxHashMap;

/// The compound selector parts of a stylesheet, each as its classes.
pub(crate) struct Pruner {
    parts: Vec<Vec<String>>,
    /// Names what the pruning depends on, for cache keys.
    salt: String,
}

static CURRENT: RwLock<Option<Arc<Pruner>>> = RwLock::new(None);

/// Sets how code is pruned from now on: by the rules of the stylesheet of
/// themes `light` and `dark`, or not at all when the dossier has its own
/// stylesheet (`custom`) or a theme is unknown (the build reports that).
pub(crate) fn configure(light: &str, dark: &str, custom: bool) {
    // The themes and `custom` decide the parts: the same names in the same
    // binary always give the same parts.
    let salt = format!("{light}\n{dark}\n{custom}");
    if current().is_some_and(|p| p.salt == salt) {
        return;
    }
    let css = if custom {
        None
    } else {
        super::theme_css(light)
            .and_then(|l| super::theme_css(dark).map(|d| l + &d))
            .ok()
    };
    let pruner = Pruner {
        parts: css.as_deref().map(selector_parts).unwrap_or_default(),
        salt,
    };
    *CURRENT.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(pruner));
}

pub(crate) fn current() -> Option<Arc<Pruner>> {
    CURRENT.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// What highlighted HTML depends on besides the code: part of every cache
/// key of highlighted or rendered Markdown.
pub(crate) fn salt() -> String {
    current().map(|p| p.salt.clone()).unwrap_or_default()
}

/// Every compound part of every selector in `css`, as its class names.
fn selector_parts(css: &str) -> Vec<Vec<String>> {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    // Comments first: a theme's name could hold anything.
    while let Some(at) = rest.find("/*") {
        text.push_str(&rest[..at]);
        rest = rest[at..]
            .find("*/")
            .map_or("", |end| &rest[at + end + 2..]);
    }
    text.push_str(rest);
    let mut parts: Vec<Vec<String>> = Vec::new();
    for chunk in text.split('}') {
        let Some((selectors, _)) = chunk.rsplit_once('{') else {
            continue;
        };
        // A `@media (…) {` opening stays in front of its first rule.
        let selectors = selectors.rsplit_once('{').map_or(selectors, |(_, s)| s);
        for part in selectors.split([',', ' ', '\n', '\t', '>', '+', '~']) {
            let classes: Vec<String> = part
                .split('.')
                .skip(1)
                .map(|c| {
                    c.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect::<String>()
                })
                .filter(|c| !c.is_empty())
                .collect();
            if !classes.is_empty() && !parts.contains(&classes) {
                parts.push(classes);
            }
        }
    }
    parts
}

impl Pruner {
    /// `html` from syntect's class generator, with unused classes and
    /// spans left out. Without any rules (a custom stylesheet), unchanged.
    pub(crate) fn prune(&self, html: String) -> String {
        if self.parts.is_empty() {
            return html;
        }
        const OPEN: &str = "<span class=\"";
        const CLOSE: &str = "</span>";
        let mut out = String::with_capacity(html.len());
        let mut kept: Vec<bool> = Vec::new();
        let mut lean: FxHashMap<&str, String> = FxHashMap::default();
        let mut rest = html.as_str();
        while let Some(at) = rest.find('<') {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            if let Some(after) = rest.strip_prefix(OPEN)
                && let Some(end) = after.find("\">")
            {
                let classes = &after[..end];
                let lean = lean.entry(classes).or_insert_with(|| self.lean(classes));
                kept.push(!lean.is_empty());
                if !lean.is_empty() {
                    out.push_str(OPEN);
                    out.push_str(lean);
                    out.push_str("\">");
                }
                rest = &after[end + 2..];
            } else if let Some(after) = rest.strip_prefix(CLOSE) {
                if kept.pop().unwrap_or(true) {
                    out.push_str(CLOSE);
                }
                rest = after;
            } else {
                // Not ours: the generator escapes `<` in code.
                out.push('<');
                rest = &rest[1..];
            }
        }
        out.push_str(rest);
        out
    }

    /// The classes of `classes` that some selector part matching an
    /// element with all of them names, in their order.
    fn lean(&self, classes: &str) -> String {
        let all: Vec<&str> = classes.split(' ').collect();
        let mut keep = vec![false; all.len()];
        for part in &self.parts {
            if part.iter().all(|c| all.contains(&c.as_str())) {
                for (k, class) in keep.iter_mut().zip(&all) {
                    *k |= part.iter().any(|c| c == class);
                }
            }
        }
        let kept: Vec<&str> = all
            .iter()
            .zip(&keep)
            .filter_map(|(c, &k)| k.then_some(*c))
            .collect();
        kept.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pruner(css: &str) -> Pruner {
        Pruner {
            parts: selector_parts(css),
            salt: String::new(),
        }
    }

    #[test]
    fn parts_come_from_every_selector_and_not_from_comments() {
        let css = "@media print {\n  /* theme \"a.b\" */\n  .hl-code { color: red; }\n  \
                   .hl-keyword.hl-control, .hl-string .hl-punctuation.hl-begin { color: blue; }\n}\n";
        assert_eq!(
            selector_parts(css),
            [
                vec!["hl-code"],
                vec!["hl-keyword", "hl-control"],
                vec!["hl-string"],
                vec!["hl-punctuation", "hl-begin"],
            ]
        );
    }

    #[test]
    fn unused_classes_and_spans_are_left_out() {
        let p = pruner(".hl-keyword.hl-control { } .hl-string { } .hl-string .hl-begin { }");
        let html = "<span class=\"hl-source hl-python\"><span class=\"hl-keyword hl-control hl-import hl-python\">import</span> \
                    <span class=\"hl-string hl-quoted\"><span class=\"hl-punctuation hl-begin\">&quot;</span>a &lt; b</span></span>\n";
        assert_eq!(
            p.prune(html.to_string()),
            "<span class=\"hl-keyword hl-control\">import</span> \
             <span class=\"hl-string\"><span class=\"hl-begin\">&quot;</span>a &lt; b</span>\n"
        );
    }

    #[test]
    fn without_rules_nothing_changes() {
        let html = "<span class=\"hl-x\">a</span>";
        assert_eq!(pruner("").prune(html.to_string()), html);
    }
}
