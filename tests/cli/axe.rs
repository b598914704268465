//! Accessibility: axe-core (`npm ci --prefix tests/axe`) run in headless
//! Chromium on one page of every kind of the example, served over HTTP by a
//! plain static server, in the light and the dark colour scheme. A serious
//! or critical violation fails the test; each is printed with its rule, its
//! help text and the elements it found.
//!
//! Skips loudly without Chromium or without the npm package, unless
//! `DOSSIER_REQUIRE_BROWSER=1` (as in CI), where either missing fails.

use std::fmt::Write as _;
use std::io::Write as _;

use serde_json::{Value, json};

use crate::browser::{Browser, chromium};
use crate::static_host::serve;
use crate::support::{PAGED_PAGES, SharedBuild, amber_build, default_build, paged_build, repo};

/// One page of every kind the default build has, by path under the site
/// root. A new kind of page (search, tags, the annotation ledger,
/// techniques) is one more line here.
const PAGES: &[&str] = &[
    // The front page, with the SVG timeline chart.
    "",
    "timeline/",
    "articles/bangladesh-bank-heist/",
    "incidents/bangladesh-bank-2016/",
    "entities/lazarus-group/",
    "entities/",
    "tags/",
    "techniques/",
    "techniques/T1486/",
    "tags/sanctions/",
    // The annotation ledger and one of its kinds.
    "annotations/",
    "annotations/claims/",
    "print/",
    "search/",
    "404.html",
];

/// Pages of the `--tlp amber` build: the TLP banner and labels only show
/// above `clear`.
const AMBER_PAGES: &[&str] = &["articles/grey-lantern-assessment/"];

/// The colour schemes every page is checked in.
const SCHEMES: [&str; 2] = ["light", "dark"];

/// The impacts that fail the test; `moderate` and `minor` are reported only.
const FAILING: [&str; 2] = ["serious", "critical"];

/// Runs axe and keeps what a report needs of each violation.
const RUN_AXE: &str = r#"
axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations.map(v => ({
  id: v.id,
  impact: v.impact,
  help: v.help,
  url: v.helpUrl,
  nodes: v.nodes.map(n => ({ target: n.target.join(" "), summary: n.failureSummary })),
})))
"#;

fn skip(reason: &str) {
    let required = std::env::var("DOSSIER_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    assert!(!required, "DOSSIER_REQUIRE_BROWSER=1 but {reason}");
    // Straight to stderr: the test harness captures `eprintln!`.
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED: {reason}; the axe-core test did not run ***\n"
    );
}

/// One violation as a few indented lines: rule, impact, help, then each node.
fn describe(page: &str, scheme: &str, violation: &Value) -> String {
    let mut out = format!(
        "/{page} ({scheme}): {} [{}] {}\n    {}\n",
        violation["id"].as_str().unwrap_or("?"),
        violation["impact"].as_str().unwrap_or("?"),
        violation["help"].as_str().unwrap_or(""),
        violation["url"].as_str().unwrap_or(""),
    );
    for node in violation["nodes"].as_array().into_iter().flatten() {
        let _ = writeln!(out, "    - {}", node["target"].as_str().unwrap_or("?"));
        for line in node["summary"].as_str().unwrap_or("").lines() {
            let _ = writeln!(out, "        {line}");
        }
    }
    out
}

/// Checks `pages` of `build`, served at `/`, in every scheme; returns the
/// descriptions of failing and of other violations.
fn check(
    browser: &mut Browser,
    axe: &str,
    build: &SharedBuild,
    pages: &[&str],
) -> (Vec<String>, Vec<String>) {
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
    let (mut failing, mut other) = (Vec::new(), Vec::new());
    for scheme in SCHEMES {
        browser.call(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
        for page in pages {
            browser.navigate(&format!("http://127.0.0.1:{port}/{page}"));
            assert_eq!(
                browser.eval(&format!(
                    "matchMedia('(prefers-color-scheme: {scheme})').matches"
                )),
                json!(true),
                "{page}: the {scheme} scheme is not emulated"
            );
            assert_eq!(
                browser.eval(
                    "[...document.querySelectorAll('link[rel=stylesheet]')].every(l => l.sheet)"
                ),
                json!(true),
                "{page}: a stylesheet did not load; colour contrast would mean nothing"
            );
            browser.eval(axe);
            let violations = browser.eval_await(RUN_AXE);
            let violations = violations
                .as_array()
                .unwrap_or_else(|| panic!("{page}: axe.run gave {violations}"));
            for violation in violations {
                let text = describe(page, scheme, violation);
                if FAILING.contains(&violation["impact"].as_str().unwrap_or("")) {
                    failing.push(text);
                } else {
                    other.push(text);
                }
            }
        }
    }
    (failing, other)
}

#[test]
fn every_kind_of_page_passes_axe_in_both_colour_schemes() {
    let Some(binary) = chromium() else {
        return skip("no Chromium was found");
    };
    let script = repo().join("tests/axe/node_modules/axe-core/axe.min.js");
    let Ok(axe) = std::fs::read_to_string(&script) else {
        return skip("tests/axe/node_modules is missing (run `npm ci --prefix tests/axe`)");
    };
    let mut browser = Browser::launch(&binary);
    browser.open("about:blank");
    // A desktop window: articles show their notes in the margin.
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
    );
    let (mut failing, mut other) = check(&mut browser, &axe, default_build(), PAGES);
    for (build, pages, name) in [
        (amber_build(), AMBER_PAGES, "--tlp amber"),
        (paged_build(), PAGED_PAGES, "timeline_page_size: 2"),
    ] {
        let (more_failing, more_other) = check(&mut browser, &axe, build, pages);
        failing.extend(more_failing.into_iter().map(|v| format!("({name}) {v}")));
        other.extend(more_other.into_iter().map(|v| format!("({name}) {v}")));
    }
    if !other.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "axe-core: {} moderate or minor violation(s), not failing the test:\n{}",
            other.len(),
            other.join("")
        );
    }
    assert!(
        failing.is_empty(),
        "axe-core found {} serious or critical violation(s):\n{}",
        failing.len(),
        failing.join("")
    );
}
