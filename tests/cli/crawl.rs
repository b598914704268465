//! Sub-path hosting for real: the example built for
//! `https://example.org/team/nk/`, served under `/team/nk/` by a plain
//! static file server (not `dossier serve`), and crawled over HTTP from the
//! front page, following every internal link and asset of every page; and
//! what static hosts need besides (`.nojekyll`).

use std::collections::{BTreeSet, VecDeque};

use scraper::Html;

use crate::static_host::{get, serve};
use crate::support::{example, links_of, run, xml_attrs, xml_texts};

const PREFIX: &str = "/team/nk/";
const BASE: &str = "https://example.org/team/nk/";

/// The URL path of `link` found at URL path `page`, when it is on our host;
/// fragment and query dropped.
fn internal_path(page: &str, link: &str) -> Option<String> {
    let link = link.split(['#', '?']).next().unwrap_or("");
    let lower = link.to_ascii_lowercase();
    let absolute = if let Some(rest) = link.strip_prefix("https://example.org") {
        rest.to_string()
    } else if lower.contains(':') || link.starts_with("//") {
        return None;
    } else if link.starts_with('/') {
        link.to_string()
    } else if link.is_empty() {
        return None;
    } else {
        format!("{}{link}", &page[..=page.rfind('/').unwrap_or(0)])
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in absolute.split('/').skip(1) {
        match segment {
            ".." => {
                parts.pop();
            }
            "." => {}
            other => parts.push(other),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

#[test]
fn the_site_served_under_a_sub_path_has_no_broken_link_or_asset() {
    let root = example();
    let out = run(root.path(), &["build", "--base-url", BASE]);
    out.assert_code(0);
    let public = root.path().join("public");
    let port = serve(public.clone(), PREFIX);

    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<(String, String)> = VecDeque::new();
    // The front page, and what hosts and crawlers fetch without a link.
    for start in ["", "sitemap.xml", "robots.txt", "404.html"] {
        let path = format!("{PREFIX}{start}");
        seen.insert(path.clone());
        queue.push_back((path, "(start)".to_string()));
    }
    let mut failures = Vec::new();
    let mut pages = 0;
    while let Some((path, from)) = queue.pop_front() {
        let (status, body) = get(port, &path);
        if status != 200 {
            failures.push(format!("{path}: HTTP {status} (linked from {from})"));
            continue;
        }
        let is_html = path.ends_with('/') || path.ends_with(".html");
        let links: Vec<String> = if is_html {
            pages += 1;
            links_of(&Html::parse_document(&String::from_utf8_lossy(&body)))
                .into_iter()
                .map(|(link, _)| link)
                .collect()
        } else if path.ends_with(".xml") {
            let text = String::from_utf8_lossy(&body);
            let mut links = xml_texts(&text, "loc");
            links.extend(xml_attrs(&text, "link", "href"));
            links
        } else {
            Vec::new()
        };
        for link in links {
            let Some(target) = internal_path(&path, &link) else {
                continue;
            };
            if !target.starts_with(PREFIX) {
                failures.push(format!("{path}: `{link}` is outside {PREFIX}"));
                continue;
            }
            if seen.insert(target.clone()) {
                queue.push_back((target, path.clone()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let html_files = crate::support::snapshot(&public)
        .keys()
        .filter(|f| f.ends_with(".html"))
        .count();
    assert_eq!(pages, html_files, "every page is reached: {seen:#?}");
    for asset in ["style.css", "syntax.css", "favicon.svg", "feed.xml"] {
        let path = format!("{PREFIX}{asset}");
        assert!(seen.contains(&path), "{asset} is linked from the pages");
    }
    assert_eq!(
        get(port, "/index.html").0,
        404,
        "the server only serves under the prefix"
    );
}

#[test]
fn feed_and_sitemap_urls_carry_the_prefix_and_exist() {
    let root = example();
    run(root.path(), &["build", "--base-url", BASE]).assert_code(0);
    let public = root.path().join("public");
    let feed = std::fs::read_to_string(public.join("feed.xml")).unwrap();
    let sitemap = std::fs::read_to_string(public.join("sitemap.xml")).unwrap();
    let mut urls = xml_attrs(&feed, "link", "href");
    let feed_links = urls.len();
    urls.extend(xml_texts(&sitemap, "loc"));
    assert!(feed_links >= 3 && urls.len() > feed_links + 10, "{urls:#?}");
    let robots = std::fs::read_to_string(public.join("robots.txt")).unwrap();
    urls.extend(
        robots
            .lines()
            .filter_map(|l| l.strip_prefix("Sitemap:"))
            .map(|u| u.trim().to_string()),
    );
    for url in urls {
        let rest = url
            .strip_prefix(BASE)
            .unwrap_or_else(|| panic!("`{url}` does not start with {BASE}"));
        let rest = rest.split('#').next().unwrap();
        let file = if rest.is_empty() || rest.ends_with('/') {
            format!("{rest}index.html")
        } else {
            rest.to_string()
        };
        assert!(public.join(&file).is_file(), "`{url}`: no file {file}");
    }
}

#[test]
fn links_resolve_to_paths_on_the_host() {
    assert_eq!(
        internal_path("/team/nk/articles/x/", "../y/#a"),
        Some("/team/nk/articles/y/".into())
    );
    assert_eq!(internal_path("/team/nk/", "https://other.org/"), None);
    assert_eq!(internal_path("/team/nk/", "mailto:x@example.org"), None);
}

#[test]
fn build_writes_an_empty_nojekyll_for_github_pages() {
    let root = example();
    run(root.path(), &["build"]).assert_code(0);
    let nojekyll = root.path().join("public/.nojekyll");
    assert_eq!(std::fs::read(&nojekyll).expect("public/.nojekyll"), b"");
    // A second build (replacing the first) writes it again.
    run(root.path(), &["build"]).assert_code(0);
    assert!(nojekyll.is_file());
}
