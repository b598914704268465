//! Link previews (`preview.js`) in headless Chromium: focusing a link to an
//! item, a citation or an annotation shows a card built from pages the
//! build wrote; Escape dismisses it; the keyboard reaches it; and a build
//! at `clear` shows nothing withheld in any card.
//!
//! Skips loudly without Chromium, unless `DOSSIER_REQUIRE_BROWSER=1`.

use std::io::Write as _;

use serde_json::{Value, json};

use crate::browser::{Browser, chromium};
use crate::static_host::serve;
use crate::support::{RESTRICTED, default_build};

fn skip(reason: &str) {
    let required = std::env::var("DOSSIER_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    assert!(!required, "DOSSIER_REQUIRE_BROWSER=1 but {reason}");
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: {reason}; the previews test did not run ***\n"
    );
}

/// Focuses the first link matching `selector` and returns the card's text
/// once it shows.
fn preview(browser: &mut Browser, selector: &str) -> String {
    browser.eval(&format!(
        "document.querySelector({}).focus()",
        json!(selector)
    ));
    browser.wait_for(
        "(() => { const c = document.getElementById('preview-card'); \
         return c !== null && !c.hidden && c.textContent.length > 0; })()",
    );
    let described = browser.eval(&format!(
        "document.querySelector({}).getAttribute('aria-describedby')",
        json!(selector)
    ));
    assert_eq!(
        described,
        json!("preview-card"),
        "{selector}: the link names its card"
    );
    match browser.eval("document.getElementById('preview-card').textContent") {
        Value::String(text) => text,
        other => panic!("{other}"),
    }
}

#[test]
fn focusing_links_previews_items_citations_and_notes() {
    let Some(binary) = chromium() else {
        return skip("no Chromium was found");
    };
    let build = default_build();
    let port = serve(build.root.join("public"), "/");
    let mut browser = Browser::launch(&binary);
    browser.open("about:blank");

    // An item link in an article body: the item's title and summary.
    browser.navigate(&format!(
        "http://127.0.0.1:{port}/articles/bangladesh-bank-heist/"
    ));
    browser.wait_for("document.readyState === 'complete'");
    let card = preview(&mut browser, "main .prose a[href^='/incidents/']");
    assert!(!card.is_empty());

    // Escape dismisses it.
    browser.eval("document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))");
    assert_eq!(
        browser.eval("document.getElementById('preview-card').hidden"),
        json!(true)
    );

    // A citation shows its reference.
    let reference = browser.eval(
        "(() => { const a = document.querySelector('sup.cite a'); \
         return document.getElementById(a.getAttribute('href').slice(1)).textContent.trim().slice(0, 20); })()",
    );
    let card = preview(&mut browser, "sup.cite a");
    let reference = reference.as_str().unwrap().to_string();
    assert!(card.contains(&reference), "{card} / {reference}");

    // A backlink on an incident page shows the annotation's note.
    browser.navigate(&format!(
        "http://127.0.0.1:{port}/incidents/bangladesh-bank-2016/"
    ));
    browser.wait_for("document.readyState === 'complete'");
    let note = browser
        .eval("document.querySelector('.backlink .note-body').textContent.trim().slice(0, 30)");
    let card = preview(&mut browser, ".backlink blockquote a");
    let note = note.as_str().unwrap().to_string();
    assert!(card.contains(&note), "{card} / {note}");

    // Nothing restricted reaches a card at `clear`.
    for page in ["", "entities/lazarus-group/", "timeline/"] {
        browser.navigate(&format!("http://127.0.0.1:{port}/{page}"));
        browser.wait_for("document.readyState === 'complete'");
        let links = browser.eval(
            "[...document.querySelectorAll('main a[href^=\"/articles/\"], main a[href^=\"/entities/\"], main a[href^=\"/incidents/\"]')].length",
        );
        for i in 0..links.as_u64().unwrap_or(0).min(6) {
            browser.eval(&format!(
                "document.querySelectorAll('main a[href^=\"/articles/\"], main a[href^=\"/entities/\"], main a[href^=\"/incidents/\"]')[{i}].focus()"
            ));
            std::thread::sleep(std::time::Duration::from_millis(150));
            let text = browser.eval(
                "(document.getElementById('preview-card') || { textContent: '' }).textContent",
            );
            let text = text.as_str().unwrap_or_default();
            for secret in RESTRICTED {
                assert!(!text.contains(secret), "{secret} in a card on /{page}");
            }
        }
    }
}
