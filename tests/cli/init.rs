//! `dossier init`: a starter dossier that checks cleanly, and never written
//! over anything.

use std::fs;

use crate::support::{Site, run, sel, snapshot};

#[test]
fn init_demo_then_check_passes_without_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["init", "demo"]);
    out.assert_code(0);
    assert!(
        out.stdout.contains("dossier serve --root demo"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let checked = run(dir.path(), &["check", "--root", "demo"]);
    checked.assert_code(0);
    assert!(checked.stderr.is_empty(), "a warning:\n{}", checked.stderr);
    assert!(checked.stdout.starts_with("Checked "), "{}", checked.stdout);
    run(dir.path(), &["build", "--root", "demo"]).assert_code(0);
    let site = Site::load(&dir.path().join("demo/public"));
    let article = site.page("articles/northwind-report/index.html");
    let kinds: std::collections::BTreeSet<String> = article
        .select(&sel("aside.note"))
        .filter_map(|e| e.value().attr("class").map(str::to_string))
        .collect();
    assert!(
        article.select(&sel("mark[data-annotation]")).count() >= 3,
        "annotations are anchored"
    );
    assert!(kinds.len() >= 3, "notes of several kinds: {kinds:?}");
}

#[test]
fn the_starter_has_an_article_with_annotations_of_several_kinds_an_incident_and_two_entities() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["init", "demo"]).assert_code(0);
    let root = dir.path().join("demo");
    let files: Vec<String> = snapshot(&root).into_keys().collect();
    for expected in [
        "dossier.yaml",
        "content/index.md",
        "content/articles/northwind-report.md",
        "content/articles/northwind-report.annotations.yaml",
        "content/incidents/northwind-phishing-2024.yaml",
        "content/entities/grey-heron.yaml",
        "content/entities/northwind-transit.yaml",
    ] {
        assert!(
            files.iter().any(|f| f == expected),
            "{expected} in {files:?}"
        );
    }
    let annotations: serde_yaml::Value = serde_yaml::from_str(
        &fs::read_to_string(root.join("content/articles/northwind-report.annotations.yaml"))
            .unwrap(),
    )
    .unwrap();
    let kinds: std::collections::BTreeSet<&str> = annotations
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.get("kind").and_then(|k| k.as_str()).unwrap_or("note"))
        .collect();
    assert!(kinds.len() >= 3, "{kinds:?}");
}

#[test]
fn init_defaults_to_the_current_folder_and_creates_missing_ones() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["init"]).assert_code(0);
    assert!(dir.path().join("dossier.yaml").is_file());
    run(dir.path(), &["check"]).assert_code(0);
    let nested = tempfile::tempdir().unwrap();
    run(nested.path(), &["init", "a/b/c"]).assert_code(0);
    assert!(nested.path().join("a/b/c/content/index.md").is_file());
}

#[test]
fn init_refuses_a_non_empty_folder_and_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("mine")).unwrap();
    fs::write(dir.path().join("mine/notes.txt"), "keep me").unwrap();
    let before = snapshot(dir.path());
    let out = run(dir.path(), &["init", "mine"]);
    out.assert_code(1);
    assert!(
        out.stderr
            .contains("refusing to create a dossier in mine: the folder is not empty"),
        "{}",
        out.stderr
    );
    assert_eq!(snapshot(dir.path()), before);
    let out = run(&dir.path().join("mine"), &["init"]);
    out.assert_code(1);
    assert_eq!(snapshot(dir.path()), before);
    fs::write(dir.path().join("file"), "x").unwrap();
    run(dir.path(), &["init", "file"]).assert_code(1);
}
