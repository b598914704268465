//! `dossier check`: every validation of `build`, then every internal link,
//! asset and `#fragment` of the site rendered in memory; nothing written.

use std::fs;

use crate::support::{assert_same_files, copy_fixture, example, fixture, run, snapshot};

#[test]
fn check_passes_on_the_example_and_writes_nothing() {
    let root = example();
    let before = snapshot(root.path());
    let out = run(root.path(), &["check"]);
    out.assert_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "one summary line:\n{}", out.stdout);
    let words: Vec<&str> = lines[0].split(' ').collect();
    assert!(
        matches!(
            words.as_slice(),
            ["Checked", pages, "pages", "and", annotations, "annotations:", links, "links,", "all", "resolve"]
                if [pages, annotations, links].iter().all(|n| n.parse::<usize>().is_ok_and(|n| n > 0))
        ),
        "{}",
        lines[0]
    );
    assert!(out.stderr.is_empty(), "no warnings:\n{}", out.stderr);
    assert!(!root.path().join("public").exists(), "check wrote public/");
    assert_same_files(&before, &snapshot(root.path()), "check changed the dossier");
}

#[test]
fn check_counts_the_pages_build_writes() {
    let root = example();
    let checked = run(root.path(), &["check"]);
    checked.assert_code(0);
    let built = run(root.path(), &["build"]);
    built.assert_code(0);
    let pages = |line: &str, word: &str| {
        line.split(' ')
            .skip_while(|w| *w != word)
            .nth(1)
            .map(str::to_string)
    };
    assert_eq!(
        pages(&checked.stdout, "Checked"),
        pages(&built.stdout, "Built"),
        "{}{}",
        checked.stdout,
        built.stdout
    );
}

#[test]
fn check_passes_under_a_sub_path_and_at_every_tlp_level() {
    let root = example();
    for args in [
        &["check", "--base-url", "https://example.org/team/nk/"][..],
        &[
            "check",
            "--base-url",
            "/team/nk/",
            "--tlp",
            "red",
            "--drafts",
        ][..],
        &["check", "--tlp", "amber"][..],
    ] {
        run(root.path(), args).assert_code(0);
    }
    assert!(!root.path().join("public").exists());
}

/// `tests/fixtures/check-<case>/`: dossiers that build but have broken
/// links; every line of `expected.txt` must appear (trimmed) in stderr.
#[test]
fn every_check_fixture_fails_with_its_messages_and_writes_nothing() {
    let mut cases: Vec<_> = fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("check-"))
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 3, "the check fixtures are there");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expected = fs::read_to_string(case.join("expected.txt")).unwrap();
        let root = copy_fixture(case);
        let before = snapshot(root.path());
        // They build: the problems are only in the rendered links.
        let out = run(root.path(), &["check"]);
        let mut problems = Vec::new();
        if out.code != 1 {
            problems.push(format!("exit code {} (expected 1)", out.code));
        }
        let stderr: Vec<&str> = out.stderr.lines().map(str::trim_end).collect();
        let stderr = stderr.join("\n");
        for line in expected
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
        {
            if !stderr.contains(line) {
                problems.push(format!("missing line: {line}"));
            }
        }
        if snapshot(root.path()) != before {
            problems.push("check wrote or changed files".into());
        }
        if !out.stdout.is_empty() {
            problems.push(format!("stdout is not empty: {}", out.stdout));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "== {name}\n{}\n-- stderr:\n{}",
                problems.join("\n"),
                out.stderr
            ));
        }
        run(root.path(), &["build"]).assert_code(0);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_broken_cross_reference_fragment_points_at_its_markdown() {
    let root = copy_fixture(&fixture("check-broken-ref"));
    let out = run(root.path(), &["check"]);
    out.assert_code(1);
    assert!(
        out.stderr.starts_with(
            "error: broken link `/articles/field-report/#no-such-annotation`\n \
             --> content/articles/field-report.md:9:33\n"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("no element with id=\"no-such-annotation\" on `/articles/field-report/`")
    );
}

#[test]
fn broken_links_in_notes_and_the_front_page_point_at_their_files() {
    let root = copy_fixture(&fixture("minimal"));
    fs::write(
        root.path().join("content/index.md"),
        "Start with\n[the report](@field-report#a2).\n",
    )
    .unwrap();
    fs::write(
        root.path().join("content/articles/field-report.annotations.yaml"),
        "- quote: \"The crew moved money\"\n  note: |\n    See [the crew](@the-crew)\n    and [a page](/nowhere/).\n",
    )
    .unwrap();
    let out = run(root.path(), &["check"]);
    out.assert_code(1);
    for expected in [
        "--> content/index.md:2:14",
        "no element with id=\"a2\" on `/articles/field-report/`",
        "= help: did you mean `#a1`?",
        "--> content/articles/field-report.annotations.yaml:4:18",
        "the site has nothing at `/nowhere/`",
        "check failed: 6 broken links on 5 pages",
    ] {
        assert!(out.stderr.contains(expected), "{expected}\n{}", out.stderr);
    }
}

#[test]
fn check_reports_build_errors_like_build() {
    let case = fixture("invalid/bad-date");
    let root = copy_fixture(&case);
    let out = run(root.path(), &["check"]);
    out.assert_code(1);
    let expected = fs::read_to_string(case.join("expected.txt")).unwrap();
    for line in expected.lines().map(str::trim).filter(|l| !l.is_empty()) {
        assert!(out.stderr.contains(line), "{line}\n{}", out.stderr);
    }
    assert!(
        out.stderr.contains("check failed with 1 error"),
        "{}",
        out.stderr
    );
}

/// A project site on GitHub Pages shares its host with the owner's other
/// sites: a full URL on that host outside the base path is another site, not
/// a broken link. A broken link on the site written in a YAML source is
/// traced to the YAML that wrote it.
#[test]
fn links_on_the_same_host_outside_the_base_are_external_and_yaml_links_are_traced() {
    let root = copy_fixture(&fixture("minimal"));
    let incident = root.path().join("content/incidents/quiet-heist.yaml");
    let text = fs::read_to_string(&incident).unwrap();
    fs::write(
        &incident,
        format!(
            "{text}\nsources:\n  - https://org.example/blog/post\n  - {{ title: \"Our own copy\", url: \"https://org.example/team/dossier/files/missing.pdf\" }}\n"
        ),
    )
    .unwrap();
    let out = run(
        root.path(),
        &["check", "--base-url", "https://org.example/team/dossier/"],
    );
    out.assert_code(1);
    assert!(!out.stderr.contains("blog/post"), "{}", out.stderr);
    let line = fs::read_to_string(&incident)
        .unwrap()
        .lines()
        .position(|l| l.contains("missing.pdf"))
        .unwrap()
        + 1;
    for expected in [
        "error: broken link `https://org.example/team/dossier/files/missing.pdf`".to_string(),
        format!("--> content/incidents/quiet-heist.yaml:{line}:36"),
        "check failed: 1 broken link".into(),
    ] {
        assert!(out.stderr.contains(&expected), "{expected}\n{}", out.stderr);
    }
    assert!(!out.stderr.contains("template"), "{}", out.stderr);

    // Without the missing file, check passes.
    fs::write(
        &incident,
        format!("{text}\nsources:\n  - https://org.example/blog/post\n"),
    )
    .unwrap();
    run(
        root.path(),
        &["check", "--base-url", "https://org.example/team/dossier/"],
    )
    .assert_code(0);
}
