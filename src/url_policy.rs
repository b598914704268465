//! Which URLs a contributor may publish (SPEC §2.3).
//!
//! Content is untrusted: anyone who can add an article or a source could
//! otherwise put a `javascript:` URL behind a link on the published site.
//! The scheme is read the way a browser reads it (leading and trailing
//! spaces and control characters dropped, tabs and newlines removed
//! anywhere, any case), so `" JaVa\tScript:"` is caught too.

/// The scheme of `url` in lower case, as a browser would parse it; None for
/// a relative URL (a path, `?query` or `#fragment`).
pub(crate) fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// Why a Markdown link or image destination may not be published without
/// `unsafe_html`, if it may not: a script or local-file scheme, or a `data:`
/// URL that is not an image (`image` tells whether it is an image's source;
/// an SVG is a document that can run script when opened by a link).
pub(crate) fn markdown_refusal(url: &str, image: bool) -> Option<String> {
    let scheme = scheme(url)?;
    match scheme.as_str() {
        "javascript" | "vbscript" | "file" => Some(format!("a `{scheme}:` URL")),
        "data" => {
            let media = data_media_type(url);
            let allowed = media.starts_with("image/") && (image || media != "image/svg+xml");
            (!allowed).then(|| format!("a `data:` URL of type `{media}`"))
        }
        _ => None,
    }
}

/// Why a URL written in a YAML field (a source's `url`, `archived`, an
/// article's `url`) may not be published, if it may not: only full
/// `http://` and `https://` URLs, since these fields name documents
/// elsewhere (a copy on the site is cited by its full URL too).
pub(crate) fn web_refusal(url: &str) -> Option<String> {
    let url = url.trim();
    match scheme(url).as_deref() {
        Some("http" | "https") => {
            let rest = url.split_once(':').map_or("", |(_, rest)| rest);
            match rest.strip_prefix("//") {
                Some(host) if !host.is_empty() && !host.starts_with('/') => None,
                _ => Some("a web URL without a host".into()),
            }
        }
        Some(scheme) => Some(format!("a `{scheme}:` URL")),
        None if url.starts_with("//") => Some("a URL without a scheme".into()),
        None => Some("a relative address".into()),
    }
}

/// The media type of a `data:` URL, in lower case (`text/plain` when absent).
fn data_media_type(url: &str) -> String {
    let cleaned: String = url
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let after = cleaned.split_once(':').map_or("", |(_, rest)| rest);
    let media = after
        .split([';', ','])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if media.is_empty() {
        "text/plain".into()
    } else {
        media
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_read_as_a_browser_reads_them() {
        for (url, expected) in [
            ("javascript:alert(1)", Some("javascript")),
            (" JaVaScRiPt:alert(1)", Some("javascript")),
            ("java\tscript:alert(1)", Some("javascript")),
            ("java\nscript:x", Some("javascript")),
            ("\u{1}javascript:x", Some("javascript")),
            ("https://example.org/a:b", Some("https")),
            ("/path:with-colon", None),
            ("#a1", None),
            ("notes/x.md", None),
            ("1abc:x", None),
            ("", None),
        ] {
            assert_eq!(scheme(url).as_deref(), expected, "{url:?}");
        }
    }

    #[test]
    fn markdown_refuses_script_file_and_non_image_data_urls() {
        for url in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            " javascript:alert(1)",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "data:text/html,<script>alert(1)</script>",
            "data:,hello",
            "DATA:TEXT/HTML;base64,PHNjcmlwdD4=",
            "data:image/svg+xml,<svg onload=alert(1)>",
        ] {
            assert!(markdown_refusal(url, false).is_some(), "{url}");
        }
        for url in [
            "https://example.org/",
            "http://example.org/",
            "mailto:desk@example.org",
            "tel:+441234",
            "/articles/x/",
            "../x/",
            "#note-a1",
            "@lazarus-group",
            "data:image/png;base64,iVBORw0KGgo=",
        ] {
            assert_eq!(markdown_refusal(url, false), None, "{url}");
        }
        assert_eq!(markdown_refusal("data:image/svg+xml,<svg/>", true), None);
    }

    #[test]
    fn yaml_urls_must_be_web_urls() {
        for url in [
            "https://example.org/report",
            "http://example.org",
            " https://example.org/x ",
            "HTTPS://example.org/x",
        ] {
            assert_eq!(web_refusal(url), None, "{url}");
        }
        for url in [
            "javascript:alert(7)",
            " javascript:alert(7)",
            "vbscript:msgbox(1)",
            "data:text/html,x",
            "file:///c:/x",
            "ftp://example.org/x",
            "https:example.org",
            "https:///path",
            "//example.org/x",
            "example.org/report",
            "/files/report.pdf",
            "",
        ] {
            assert!(web_refusal(url).is_some(), "{url}");
        }
    }
}
