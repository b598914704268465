//! Every page of the example dossier is valid HTML5 by the Nu HTML Checker
//! (vnu.jar), at the default TLP level and with TLP banners (`--tlp amber`),
//! and so is the starter dossier of `dossier init`.
//!
//! vnu needs Java and the `vnu-jar` npm package (`npm ci --prefix
//! tests/html`). Without them the test says so and passes, unless
//! `DOSSIER_REQUIRE_VNU=1` (set by `.ci/run`) makes it fail.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{example, repo, run};

/// The vnu.jar of `tests/html/node_modules`, or `VNU_JAR`.
fn vnu_jar() -> Option<PathBuf> {
    let jar = std::env::var_os("VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("tests/html/node_modules/vnu-jar/build/dist/vnu.jar"));
    jar.is_file().then_some(jar)
}

fn java_runs() -> bool {
    Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Every HTML file under `dir`.
fn html_files(dir: &Path) -> Vec<PathBuf> {
    crate::support::snapshot(dir)
        .into_keys()
        .filter(|f| f.ends_with(".html"))
        .map(|f| dir.join(f))
        .collect()
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    let required = std::env::var_os("DOSSIER_REQUIRE_VNU").is_some_and(|v| v == "1");
    let (Some(jar), true) = (vnu_jar(), java_runs()) else {
        let why = "the Nu HTML Checker needs Java and tests/html/node_modules \
                   (apt-get install default-jre-headless; npm ci --prefix tests/html)";
        assert!(!required, "DOSSIER_REQUIRE_VNU=1 but {why}");
        // Straight to stderr: the test harness captures `eprintln!`.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED every_page_passes_the_nu_html_checker: {why}"
        );
        return;
    };
    let root = example();
    run(root.path(), &["build"]).assert_code(0);
    run(
        root.path(),
        &["build", "--tlp", "amber", "--output", "amber"],
    )
    .assert_code(0);
    let mut pages = html_files(&root.path().join("public"));
    let amber = html_files(&root.path().join("amber"));
    assert!(
        pages.len() > 20 && amber.len() > pages.len(),
        "{} and {} pages",
        pages.len(),
        amber.len()
    );
    pages.extend(amber);
    let starter = tempfile::tempdir().unwrap();
    run(starter.path(), &["init", "starter"]).assert_code(0);
    run(starter.path(), &["build", "--root", "starter"]).assert_code(0);
    pages.extend(html_files(&starter.path().join("starter/public")));
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "text"])
        .args(&pages)
        .output()
        .expect("java runs vnu.jar");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "vnu found errors in {} pages:\n{report}",
        pages.len()
    );
}
