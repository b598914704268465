//! Every width: one page of every kind of the example, served over HTTP by a
//! plain static server and loaded in headless Chromium at phone, tablet and
//! desktop widths, never scrolls sideways. Wide tables, code and charts
//! must scroll inside their own box and long words wrap; a failure names
//! the page, the width and the element that reaches furthest past the edge.
//!
//! Skips loudly without Chromium, unless `DOSSIER_REQUIRE_BROWSER=1` (as in
//! CI), where a missing browser fails.

use std::io::Write as _;

use serde_json::json;

use crate::browser::{Browser, chromium};
use crate::static_host::serve;
use crate::support::{PAGED_PAGES, SharedBuild, amber_build, default_build, paged_build};

/// One page of every kind, by path under the site root. The UN panel
/// article has a table; the print page has every article and long URLs.
const PAGES: &[&str] = &[
    "",
    "timeline/",
    "articles/un-panel-2bn-proceeds/",
    "incidents/bangladesh-bank-2016/",
    "entities/lazarus-group/",
    "entities/",
    "tags/",
    "techniques/",
    "techniques/T1486/",
    "tags/sanctions/",
    "annotations/",
    "annotations/claims/",
    "print/",
    "search/",
    "404.html",
];

/// Pages of the `--tlp amber` build: the TLP banner only shows above clear.
const AMBER_PAGES: &[&str] = &["articles/grey-lantern-assessment/"];

/// From the narrowest phone in common use to a wide desktop window.
const WIDTHS: [u32; 5] = [360, 390, 768, 1280, 1600];

/// How wide the page is, and a description of the element (or the text of
/// an element) that reaches furthest past either edge of the window. Text
/// is measured apart from its element, as a long word or URL overflows its
/// box without widening it; anything inside a box that clips or scrolls is
/// left out, since it cannot widen the page.
const MEASURE: &str = r##"(() => {
  const limit = window.innerWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].map((c) => "." + c).join("");
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  let worst = null;
  const consider = (el, r, text) => {
    if ((r.width === 0 && r.height === 0) || (r.right <= limit + 0.5 && r.left >= -0.5)) return;
    if (clipped(el) || (text && getComputedStyle(el).overflowX !== "visible")) return;
    const over = Math.max(r.right - limit, -r.left);
    if (!worst || over > worst.over + 0.5 || (over > worst.over - 0.5 && worst.el.contains(el))) {
      worst = { el, over, r, text };
    }
  };
  for (const el of document.body.querySelectorAll("*")) {
    consider(el, el.getBoundingClientRect(), false);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    if (!t.textContent.trim()) continue;
    range.selectNodeContents(t);
    consider(t.parentElement, range.getBoundingClientRect(), true);
  }
  let widest = "no element found past the edge";
  if (worst) {
    const path = [];
    for (let e = worst.el; e && e !== document.body && path.length < 4; e = e.parentElement) {
      path.unshift(name(e));
    }
    const words = (worst.el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60);
    widest = path.join(" > ") + (worst.text ? " (its text)" : "") +
      ` spans ${Math.round(worst.r.left)}..${Math.round(worst.r.right)}px` +
      (words ? `: "${words}"` : "");
  }
  return { scroll: document.documentElement.scrollWidth, inner: limit, widest };
})()"##;

fn skip(reason: &str) {
    let required = std::env::var("DOSSIER_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    assert!(!required, "DOSSIER_REQUIRE_BROWSER=1 but {reason}");
    // Straight to stderr: the test harness captures `eprintln!`.
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: {reason}; the page-width test did not run ***\n"
    );
}

/// Loads `pages` of `build` at every width; returns one line per page and
/// width that scrolls sideways.
fn check(browser: &mut Browser, build: &SharedBuild, pages: &[&str]) -> Vec<String> {
    let site = build.site();
    for page in pages {
        let file = if page.is_empty() || page.ends_with('/') {
            format!("{page}index.html")
        } else {
            page.to_string()
        };
        assert!(site.has(&file), "the example has no page {page} ({file})");
    }
    let port = serve(build.root.join("public"), "/");
    let mut failures = Vec::new();
    for width in WIDTHS {
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 800, "deviceScaleFactor": 1, "mobile": false }),
        );
        for page in pages {
            browser.navigate(&format!("http://127.0.0.1:{port}/{page}"));
            assert_eq!(
                browser.eval(
                    "[...document.querySelectorAll('link[rel=stylesheet]')].every(l => l.sheet)"
                ),
                json!(true),
                "/{page}: a stylesheet did not load; its width would mean nothing"
            );
            let measured = browser.eval(MEASURE);
            let (scroll, inner) = (&measured["scroll"], &measured["inner"]);
            assert_eq!(
                inner,
                &json!(width),
                "/{page}: the window is not {width}px wide"
            );
            if scroll.as_u64() > inner.as_u64() {
                failures.push(format!(
                    "/{page} at {width}px is {scroll}px wide; furthest past the edge: {}",
                    measured["widest"].as_str().unwrap_or("?")
                ));
            }
        }
    }
    failures
}

#[test]
fn no_page_scrolls_sideways_from_360_to_1600_px() {
    let Some(binary) = chromium() else {
        return skip("no Chromium was found");
    };
    let mut browser = Browser::launch(&binary);
    browser.open("about:blank");
    let mut failures = check(&mut browser, default_build(), PAGES);
    for (build, pages, name) in [
        (amber_build(), AMBER_PAGES, "--tlp amber"),
        (paged_build(), PAGED_PAGES, "timeline_page_size: 2"),
    ] {
        let more = check(&mut browser, build, pages);
        failures.extend(more.into_iter().map(|f| format!("({name}) {f}")));
    }
    assert!(
        failures.is_empty(),
        "{} page(s) scroll sideways:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
