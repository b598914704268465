//! Dossiers that must not build (`tests/fixtures/invalid/<case>/`), each
//! pinning the messages it must print, and usage errors of the command line.

use std::fs;

use crate::support::{copy_fixture, fixture, run};

/// Every case folder: a tiny dossier plus `expected.txt`, whose lines must all
/// appear (trimmed) in stderr of a failed `dossier build` that wrote nothing.
#[test]
fn every_invalid_fixture_fails_with_its_messages_and_writes_nothing() {
    let dir = fixture("invalid");
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "the invalid fixtures are there");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expected = fs::read_to_string(case.join("expected.txt"))
            .unwrap_or_else(|e| panic!("{name}: cannot read expected.txt: {e}"));
        let root = copy_fixture(case);
        let out = run(root.path(), &["build"]);
        let mut problems = Vec::new();
        if out.code != 1 {
            problems.push(format!("exit code {} (expected 1)", out.code));
        }
        let stderr: Vec<&str> = out.stderr.lines().map(str::trim).collect();
        let stderr = stderr.join("\n");
        for line in expected.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !stderr.contains(line) {
                problems.push(format!("missing line: {line}"));
            }
        }
        if root.path().join("public").exists() {
            problems.push("a public/ folder was created".into());
        }
        if out.stderr.contains("panicked") {
            problems.push("the binary panicked".into());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "== {name}\n{}\n-- stderr:\n{}",
                problems.join("\n"),
                out.stderr
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn several_errors_in_several_files_are_all_reported_in_one_run() {
    let root = copy_fixture(&fixture("invalid/several-errors-in-several-files"));
    let out = run(root.path(), &["build"]);
    out.assert_code(1);
    let errors = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:") && !l.contains("build failed"))
        .count();
    assert_eq!(errors, 4, "four errors reported:\n{}", out.stderr);
    let files: Vec<&str> = out
        .stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--> "))
        .collect();
    for file in [
        "content/articles/a.annotations.yaml",
        "content/entities/crew.yaml",
        "content/incidents/heist.yaml",
    ] {
        assert!(
            files.iter().any(|f| f.starts_with(file)),
            "an error in {file}:\n{}",
            out.stderr
        );
    }
}

#[test]
fn help_and_version_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    let help = run(dir.path(), &["--help"]);
    help.assert_code(0);
    assert!(
        help.stdout.contains("build"),
        "--help lists the build command:\n{}",
        help.stdout
    );
    run(dir.path(), &["build", "--help"]).assert_code(0);
    let version = run(dir.path(), &["--version"]);
    version.assert_code(0);
    assert!(
        version.stdout.contains(env!("CARGO_PKG_VERSION")),
        "version: {}",
        version.stdout
    );
}

#[test]
fn usage_errors_exit_two_and_write_nothing() {
    let root = copy_fixture(&fixture("minimal"));
    for args in [
        &["--frobnicate"][..],
        &["build", "--frobnicate"],
        &["build", "--tlp", "purple"],
        &["no-such-command"],
    ] {
        let out = run(root.path(), args);
        out.assert_code(2);
        assert!(!out.stderr.is_empty(), "{args:?}: a usage error says why");
    }
    let out = run(root.path(), &["build", "--tlp", "purple"]);
    assert!(
        out.stderr.contains("purple"),
        "the bad TLP level is named:\n{}",
        out.stderr
    );
    assert!(
        !root.path().join("public").exists(),
        "usage errors write nothing"
    );
}

/// `unsafe_html: true` is the author's own choice for their Markdown; a URL
/// field in YAML never holds anything but a web address.
#[test]
fn unsafe_html_lets_markdown_links_through_but_never_yaml_urls() {
    let root = copy_fixture(&fixture("invalid/unsafe-urls"));
    fs::write(root.path().join("dossier.yaml"), "unsafe_html: true\n").unwrap();
    let out = run(root.path(), &["build"]);
    out.assert_code(1);
    assert!(
        !out.stderr.contains("unsafe link destination"),
        "{}",
        out.stderr
    );
    for line in [
        "--> content/articles/field-note.md:4:6",
        "--> content/articles/field-note.annotations.yaml:4:7",
        "--> content/incidents/heist.yaml:5:5",
        "build failed with 6 errors",
    ] {
        assert!(out.stderr.contains(line), "{line}\n{}", out.stderr);
    }
}
