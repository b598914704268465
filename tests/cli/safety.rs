//! Safety of the user's files (SPEC.md section 5): a failed build leaves the
//! previous site untouched, and dangerous output folders are refused.

use std::fs;
use std::path::Path;

use crate::support::{assert_same_files, copy_fixture, example, fixture, run, snapshot};

fn minimal_with_theme_folders() -> tempfile::TempDir {
    let root = copy_fixture(&fixture("minimal"));
    fs::create_dir_all(root.path().join("templates")).unwrap();
    fs::create_dir_all(root.path().join("static")).unwrap();
    fs::write(root.path().join("static/extra.txt"), "extra\n").unwrap();
    root
}

fn break_the_dossier(root: &Path) {
    fs::write(
        root.join("content/incidents/quiet-heist.yaml"),
        "title: \"A quiet heist\"\ndate: 2019-13-01\n",
    )
    .unwrap();
}

#[test]
fn a_failed_build_leaves_the_previous_output_unchanged() {
    let root = example();
    run(root.path(), &["build"]).assert_code(0);
    let before = snapshot(&root.path().join("public"));
    assert!(before.contains_key("index.html"));
    let mut root_before: Vec<_> = fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();

    // A quote that is no longer in the article: a content error.
    let annotations = root
        .path()
        .join("content/articles/bangladesh-bank-heist.annotations.yaml");
    let text = fs::read_to_string(&annotations).unwrap();
    fs::write(
        &annotations,
        format!("{text}\n- quote: \"a sentence that is not in the article\"\n"),
    )
    .unwrap();
    let out = run(root.path(), &["build"]);
    out.assert_code(1);
    assert!(out.stderr.contains("quote not found"), "{}", out.stderr);
    assert!(
        out.stdout.is_empty(),
        "no summary line for a failed build: {}",
        out.stdout
    );
    assert_same_files(
        &before,
        &snapshot(&root.path().join("public")),
        "public/ after a failed build",
    );

    // A template that fails while rendering, after other pages were written.
    fs::create_dir_all(root.path().join("templates")).unwrap();
    fs::write(
        root.path().join("templates/404.html"),
        "{{ no_such_variable.field }}",
    )
    .unwrap();
    fs::write(&annotations, text).unwrap();
    let out = run(root.path(), &["build"]);
    out.assert_code(1);
    assert!(
        out.stderr.contains("no_such_variable"),
        "the template error is shown:\n{}",
        out.stderr
    );
    assert_same_files(
        &before,
        &snapshot(&root.path().join("public")),
        "public/ after a template error",
    );

    root_before.push("templates".into());
    let mut root_after: Vec<_> = fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    root_before.sort();
    root_after.sort();
    assert_eq!(
        root_before, root_after,
        "no staging folder left beside the output"
    );
}

#[test]
fn source_folders_and_the_root_are_refused_as_output() {
    let root = minimal_with_theme_folders();
    let before = snapshot(root.path());
    for output in ["content", "content/articles", "templates", "static", "."] {
        let out = run(root.path(), &["build", "--output", output]);
        out.assert_code(1);
        assert!(
            out.stderr.starts_with("error: refusing to build into"),
            "--output {output}: stderr starts with `error: refusing to build into`:\n{}",
            out.stderr
        );
        assert_same_files(
            &before,
            &snapshot(root.path()),
            &format!("the dossier after --output {output}"),
        );
    }
}

#[test]
fn a_non_empty_folder_not_created_by_dossier_is_refused() {
    let root = minimal_with_theme_folders();
    let site = root.path().join("site");
    fs::create_dir_all(&site).unwrap();
    fs::write(site.join("keep.txt"), "precious\n").unwrap();
    let before = snapshot(root.path());
    let out = run(root.path(), &["build", "--output", "site"]);
    out.assert_code(1);
    assert!(
        out.stderr.starts_with("error: refusing to build into"),
        "{}",
        out.stderr
    );
    assert_same_files(
        &before,
        &snapshot(root.path()),
        "the dossier after a refused build",
    );
}

#[test]
fn an_empty_folder_and_a_folder_dossier_created_are_built_into() {
    let root = minimal_with_theme_folders();
    fs::create_dir_all(root.path().join("site")).unwrap();
    run(root.path(), &["build", "--output", "site"]).assert_code(0);
    assert!(root.path().join("site/index.html").is_file());

    run(root.path(), &["build"]).assert_code(0);
    assert!(
        root.path()
            .join("public/articles/field-report/index.html")
            .is_file()
    );
    // A rebuild replaces the site: pages of removed items disappear.
    fs::remove_file(root.path().join("content/articles/field-report.md")).unwrap();
    fs::remove_file(
        root.path()
            .join("content/articles/field-report.annotations.yaml"),
    )
    .unwrap();
    let out = run(root.path(), &["build"]);
    out.assert_code(0);
    assert!(out.stdout.starts_with("Built "), "{}", out.stdout);
    assert!(root.path().join("public/index.html").is_file());
    assert!(
        !root.path().join("public/articles/field-report").exists(),
        "stale pages are removed"
    );
}

#[test]
fn build_never_writes_inside_content_templates_or_static() {
    let root = minimal_with_theme_folders();
    let sources = ["content", "templates", "static"];
    let snapshots = || sources.map(|s| snapshot(&root.path().join(s)));
    let before = snapshots();
    run(root.path(), &["build"]).assert_code(0);
    run(root.path(), &["build"]).assert_code(0);
    run(root.path(), &["build", "--output", "elsewhere"]).assert_code(0);
    for ((source, old), new) in sources.iter().zip(&before).zip(&snapshots()) {
        assert_same_files(old, new, &format!("{source}/ after successful builds"));
    }
    break_the_dossier(root.path());
    let before = snapshots();
    run(root.path(), &["build"]).assert_code(1);
    for ((source, old), new) in sources.iter().zip(&before).zip(&snapshots()) {
        assert_same_files(old, new, &format!("{source}/ after a failed build"));
    }
}
