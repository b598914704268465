//! Sub-path hosting for real: the example built for
//! `https://example.org/team/nk/`, served under `/team/nk/` by a plain
//! static file server (not `dossier serve`), and crawled over HTTP from the
//! front page, following every internal link and asset of every page; and
//! what static hosts need besides (`.nojekyll`).

use std::collections::{BTreeSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use scraper::Html;

use crate::support::{example, links_of, run, xml_attrs, xml_texts};

const PREFIX: &str = "/team/nk/";
const BASE: &str = "https://example.org/team/nk/";

/// Serves `root` under `PREFIX`: `/` suffix means `index.html`, anything
/// else outside the folder or missing is a 404. One thread, one request
/// per connection, like the simplest static host.
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = respond(&root, stream);
        }
    });
    port
}

fn respond(root: &Path, mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut request_line = String::new();
    let mut reader = BufReader::new(stream.try_clone()?);
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let target = request_line.split(' ').nth(1).unwrap_or("");
    let path = target.split(['?', '#']).next().unwrap_or("");
    let file = path
        .strip_prefix(PREFIX)
        .filter(|rest| !rest.split('/').any(|s| s == ".." || s.contains('%')))
        .map(|rest| {
            let rest = if rest.is_empty() || rest.ends_with('/') {
                format!("{rest}index.html")
            } else {
                rest.to_string()
            };
            root.join(rest)
        })
        .filter(|f| f.is_file());
    match file.and_then(|f| std::fs::read(f).ok()) {
        Some(body) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)
        }
        None => stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found",
        ),
    }
}

/// GET `path` from the test server: (status, body).
fn get(port: u16, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response[split + 4..].to_vec())
}

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
    let port = serve(public.clone());

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
fn the_test_server_maps_the_prefix_and_refuses_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("index.html"), "home").unwrap();
    std::fs::write(dir.path().join("a/index.html"), "a").unwrap();
    let port = serve(dir.path().to_path_buf());
    assert_eq!(get(port, "/team/nk/"), (200, b"home".to_vec()));
    assert_eq!(get(port, "/team/nk/a/?x#y").0, 200);
    assert_eq!(get(port, "/team/nk/a").0, 404);
    assert_eq!(get(port, "/team/nk/../nk/").0, 404);
    assert_eq!(get(port, "/").0, 404);
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
