//! `/timeline.json` in the real TimelineJS library (`@knight-lab/timelinejs`,
//! installed by `npm ci --prefix tests/timelinejs`), in headless Chromium:
//! one slide and one marker per event, and not one console error.
//!
//! Skips loudly without Chromium or without the npm package, unless
//! `DOSSIER_REQUIRE_BROWSER=1` (as in CI), where either missing fails.

use std::fs;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::browser::{Browser, chromium};
use crate::support::{default_build, repo};

fn skip(reason: &str) {
    let required = std::env::var("DOSSIER_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    assert!(!required, "DOSSIER_REQUIRE_BROWSER=1 but {reason}");
    eprintln!("\n*** SKIPPED: {reason}; the TimelineJS test did not run ***\n");
}

/// A page that shows `data` with TimelineJS; a file:// page with the data
/// inline needs no server (TimelineJS fetches only when given a URL).
fn page(dist: &std::path::Path, data: &str) -> String {
    // `</` would end the inline script early inside a JSON string.
    let data = data.replace("</", "<\\/");
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>timeline.json</title>
<link rel="stylesheet" href="file://{dist}/css/timeline.css">
<script src="file://{dist}/js/timeline.js"></script>
</head><body>
<div id="timeline" style="width: 1000px; height: 650px"></div>
<script>
window.timeline = new TL.Timeline('timeline', {data});
</script>
</body></html>
"#,
        dist = dist.display()
    )
}

/// Console errors and uncaught exceptions among the page's events.
fn errors(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e["method"].as_str() {
            Some("Runtime.consoleAPICalled") if e["params"]["type"] == "error" => {
                Some(format!("console.error: {}", e["params"]["args"]))
            }
            Some("Runtime.exceptionThrown") => {
                Some(format!("exception: {}", e["params"]["exceptionDetails"]))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn timeline_json_renders_in_timelinejs() {
    let Some(binary) = chromium() else {
        return skip("no Chromium was found");
    };
    let dist = repo().join("tests/timelinejs/node_modules/@knight-lab/timelinejs/dist");
    if !dist.join("js/timeline.js").is_file() {
        return skip(
            "tests/timelinejs/node_modules is missing (run `npm ci --prefix tests/timelinejs`)",
        );
    }
    let data = default_build().site().text("timeline.json");
    let events = serde_json::from_str::<Value>(&data).unwrap()["events"]
        .as_array()
        .unwrap()
        .len();
    assert!(events > 5, "the example has a timeline");
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("timeline.html");
    fs::write(&html, page(&dist, &data)).unwrap();

    let mut browser = Browser::launch(&binary);
    browser.open("about:blank");
    browser.call("Runtime.enable", json!({}));
    browser.call(
        "Page.navigate",
        json!({ "url": format!("file://{}", html.display()) }),
    );
    browser.wait_for(
        "document.readyState === 'complete' && document.querySelectorAll('.tl-timemarker').length > 0",
    );
    // Let TimelineJS finish laying out (it defers some work to timers).
    let settle = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < settle {
        browser.eval("1");
        std::thread::sleep(Duration::from_millis(100));
    }
    let counts = browser.eval(
        "({ slides: document.querySelectorAll('.tl-slide:not(.tl-slide-titleslide)').length, \
            titles: document.querySelectorAll('.tl-slide-titleslide').length, \
            markers: document.querySelectorAll('.tl-timemarker').length, \
            config_events: window.timeline.config.events.length, \
            config_errors: window.timeline.config.messages.errors.length, \
            ids: Array.from(document.querySelectorAll('.tl-slide')).map(s => s.id) })",
    );
    assert_eq!(counts["slides"], events, "one slide per event: {counts}");
    assert_eq!(counts["markers"], events, "one marker per event: {counts}");
    assert_eq!(counts["titles"], 1, "{counts}");
    assert_eq!(counts["config_events"], events, "{counts}");
    assert_eq!(counts["config_errors"], 0, "{counts}");
    let ids = counts["ids"].as_array().unwrap();
    assert!(
        ids.contains(&json!("bangladesh-bank-2016")),
        "slides take the dossier ids: {ids:?}"
    );
    let errors = errors(&browser.events);
    assert!(
        errors.is_empty(),
        "TimelineJS reported:\n{}",
        errors.join("\n")
    );
}
