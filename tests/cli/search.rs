//! Search (`/search/`, the index under `/search-index/`): a word found
//! only in a note leads to that note, facets narrow the results, and no
//! restricted text is in any index file.
//!
//! The browser part skips loudly without Chromium, unless
//! `DOSSIER_REQUIRE_BROWSER=1` (as in CI), where a missing browser fails.

use std::io::Write as _;
use std::path::Path;

use serde_json::json;

use crate::browser::{Browser, chromium};
use crate::static_host::serve;
use crate::support::{RESTRICTED, SharedBuild, amber_build, default_build, sel};

/// Every file of the index.
fn index_texts(build: &SharedBuild) -> Vec<(String, Vec<u8>)> {
    let folder = build.root.join("public/search-index");
    let mut out = Vec::new();
    for entry in walkdir(&folder) {
        let bytes = std::fs::read(&entry).unwrap();
        out.push((entry.display().to_string(), bytes));
    }
    assert!(
        out.len() > 5,
        "the index was written under {}",
        folder.display()
    );
    out
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walkdir(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[test]
fn the_index_holds_published_text_only() {
    let published = index_texts(default_build());
    for (file, bytes) in &published {
        for secret in RESTRICTED {
            assert!(!contains(bytes, secret), "{secret} is in {file}");
        }
    }
    // A positive control: the same words are found where they may be.
    assert!(published.iter().any(|(_, b)| contains(b, "silently")));
    let amber = index_texts(amber_build());
    assert!(amber.iter().any(|(_, b)| contains(b, "GREY LANTERN")));
}

fn skip(reason: &str) {
    let required = std::env::var("DOSSIER_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    assert!(!required, "DOSSIER_REQUIRE_BROWSER=1 but {reason}");
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: {reason}; the search test did not run ***\n"
    );
}

/// Types `query` into the search page and waits for its result list.
fn search(browser: &mut Browser, port: u16, query: &str) -> serde_json::Value {
    browser.navigate(&format!("http://127.0.0.1:{port}/search/"));
    browser.wait_for("document.querySelector('.search-facet') !== null");
    browser.eval(&format!(
        "(() => {{ const i = document.getElementById('search-input'); i.value = {}; \
         i.dispatchEvent(new Event('input')); }})()",
        json!(query)
    ));
    browser.wait_for(
        "(() => { const s = document.querySelector('#search-results .search-status'); \
         return s !== null && !s.textContent.startsWith('Loading') && !s.textContent.startsWith('Type'); })()",
    );
    hits(browser)
}

/// The results shown: (href, badge, title) of each.
fn hits(browser: &mut Browser) -> serde_json::Value {
    browser.eval(
        "[...document.querySelectorAll('.search-hit')].map(h => ({ \
           href: h.querySelector('a').getAttribute('href'), \
           type: (h.querySelector('.badge') || {}).textContent || '', \
           title: h.querySelector('a').textContent }))",
    )
}

#[test]
fn a_word_in_a_note_finds_the_note_and_facets_narrow_the_results() {
    let Some(binary) = chromium() else {
        return skip("no Chromium was found");
    };
    let build = default_build();
    // The note that holds the word, on its article page.
    let page = build
        .site()
        .page("articles/bangladesh-bank-heist/index.html");
    let note = page
        .select(&sel("aside.note"))
        .find(|n| n.text().collect::<String>().contains("silently"))
        .expect("a note says `silently`");
    let note_id = note.value().attr("id").unwrap().to_string();

    let port = serve(build.root.join("public"), "/");
    let mut browser = Browser::launch(&binary);
    browser.open("about:blank");
    let found = search(&mut browser, port, "silently");
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0]["href"],
        json!(format!("/articles/bangladesh-bank-heist/#{note_id}")),
        "the hit links to the note"
    );
    assert_eq!(found[0]["type"], "Annotation");

    // A word in articles and notes alike; the type facet keeps articles.
    let all = search(&mut browser, port, "SWIFT");
    let all = all.as_array().unwrap().clone();
    assert!(
        all.iter().any(|h| h["type"] == "Article") && all.iter().any(|h| h["type"] == "Annotation"),
        "{all:?}"
    );
    browser.eval("document.getElementById('f-type-Article').click()");
    browser.wait_for(
        "[...document.querySelectorAll('.search-hit .badge')].every(b => b.textContent === 'Article')",
    );
    let articles = hits(&mut browser);
    let articles = articles.as_array().unwrap();
    assert!(
        !articles.is_empty() && articles.len() < all.len(),
        "{articles:?}"
    );

    // Entities are found by any alias.
    let alias = search(&mut browser, port, "Hidden Cobra");
    assert!(
        alias
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["href"] == "/entities/lazarus-group/"),
        "{alias}"
    );

    // Nothing withheld is found.
    for secret in ["GREY LANTERN", "OPAL HARBOUR", "liaison"] {
        let found = search(&mut browser, port, secret);
        assert_eq!(found, json!([]), "{secret} was found");
    }
}
