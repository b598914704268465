//! The build caches (`.dossier-cache/`): the highlighted code blocks and
//! the record of the previous build, from which a build carries unchanged
//! files over. A build that reads them writes the same bytes as one
//! without them, whatever state the cache files or the output are in.

use std::fs;
use std::path::Path;

use crate::support::{assert_same_files, edit, example, run, snapshot};

const CACHE: &str = ".dossier-cache/highlight.bin";

fn build_into(root: &Path, output: &str) -> std::collections::BTreeMap<String, Vec<u8>> {
    run(root, &["build", "--output", output]).assert_code(0);
    snapshot(&root.join(output))
}

#[test]
fn a_warm_build_writes_what_a_cold_one_does() {
    let dossier = example();
    let root = dossier.path();
    let cold = build_into(root, "cold");
    let cache = fs::read(root.join(CACHE)).expect("a cold build with code writes a cache");
    let warm = build_into(root, "warm");
    assert_same_files(&cold, &warm, "a warm build against a cold one");
    assert_eq!(
        fs::read(root.join(CACHE)).unwrap(),
        cache,
        "nothing changed, so the cache is the same"
    );
}

#[test]
fn a_damaged_cache_is_ignored_and_replaced() {
    let dossier = example();
    let root = dossier.path();
    let cold = build_into(root, "cold");
    let whole = fs::read(root.join(CACHE)).unwrap();
    let mut flipped = whole.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    let damaged: [(&str, Vec<u8>); 5] = [
        ("truncated", whole[..whole.len() / 2].to_vec()),
        ("without its checksum", whole[..whole.len() - 32].to_vec()),
        ("with a flipped bit", flipped),
        ("empty", Vec::new()),
        ("garbage", b"not a cache at all\n".repeat(100)),
    ];
    for (what, bytes) in damaged {
        fs::write(root.join(CACHE), &bytes).unwrap();
        // A build into an intact, unchanged output reads no cache at all.
        let _ = fs::remove_dir_all(root.join("again"));
        let out = run(root, &["build", "--output", "again"]);
        out.assert_code(0);
        assert!(!out.stderr.contains("panic"), "{what}: {}", out.stderr);
        assert_same_files(&cold, &snapshot(&root.join("again")), what);
        assert_eq!(
            fs::read(root.join(CACHE)).unwrap(),
            whole,
            "a cache {what} is written again whole"
        );
    }
    // A folder where the file should be: the build still succeeds.
    fs::remove_file(root.join(CACHE)).unwrap();
    fs::create_dir(root.join(CACHE)).unwrap();
    fs::remove_dir_all(root.join("again")).unwrap();
    let out = run(root, &["build", "--output", "again"]);
    out.assert_code(0);
    assert_same_files(&cold, &snapshot(&root.join("again")), "a folder as cache");
}

#[test]
fn concurrent_builds_leave_a_whole_cache() {
    let dossier = example();
    let root = dossier.path();
    let cold = build_into(root, "cold");
    let whole = fs::read(root.join(CACHE)).unwrap();
    for round in 0..3 {
        fs::remove_dir_all(root.join(".dossier-cache")).unwrap();
        std::thread::scope(|scope| {
            let builds: Vec<_> = (0..3)
                .map(|i| {
                    scope.spawn(move || {
                        let output = format!("out-{round}-{i}");
                        (output.clone(), build_into(root, &output))
                    })
                })
                .collect();
            for build in builds {
                let (output, files) = build.join().unwrap();
                assert_same_files(&cold, &files, &output);
            }
        });
        assert_eq!(fs::read(root.join(CACHE)).unwrap(), whole, "round {round}");
        let leftovers: Vec<_> = fs::read_dir(root.join(".dossier-cache"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        let mut leftovers: Vec<String> = leftovers
            .iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        leftovers.sort();
        assert_eq!(leftovers, ["highlight.bin", "site.json"]);
    }
}

const RECORD: &str = ".dossier-cache/site.json";

fn inode(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&fs::metadata(path).unwrap())
}

/// A build with no cache at all, into `cold/`; the cache is left as it was.
fn cold_build(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let cache = root.join(".dossier-cache");
    let aside = root.join(".dossier-cache-aside");
    fs::rename(&cache, &aside).unwrap();
    let _ = fs::remove_dir_all(root.join("cold"));
    let files = build_into(root, "cold");
    fs::remove_dir_all(&cache).unwrap();
    fs::rename(&aside, &cache).unwrap();
    files
}

#[test]
fn a_rebuild_carries_unchanged_files_over_and_writes_what_a_cold_build_does() {
    let dossier = example();
    let root = dossier.path();
    let first = build_into(root, "public");
    assert!(root.join(RECORD).is_file(), "a build records what it wrote");
    let kept = [
        "public/entities/index.html",
        "public/dossier.json",
        "public/search-index/meta.json",
        "public/style.css",
    ]
    .map(|path| (path, inode(&root.join(path))));
    let out = run(root, &["build", "--output", "public"]);
    out.assert_code(0);
    assert!(
        out.stdout.contains("(nothing changed)"),
        "a rebuild with nothing changed writes nothing: {}",
        out.stdout
    );
    let again = snapshot(&root.join("public"));
    assert_same_files(&first, &again, "a rebuild with nothing changed");
    for (path, before) in kept {
        assert_eq!(
            inode(&root.join(path)),
            before,
            "{path} is linked from the previous build, not written again"
        );
    }

    // Every kind of input, changed in turn: each rebuild, which carries
    // over what the change did not touch, writes what a cold build does.
    let article = "public/articles/bangladesh-bank-heist/index.html";
    let edits: [(&str, &str, &str, &str); 7] = [
        (
            "content/articles/bangladesh-bank-heist.md",
            "## The night of 4 February 2016",
            "## The night of Thursday 4 February 2016",
            article,
        ),
        (
            "content/articles/bangladesh-bank-heist.annotations.yaml",
            "about US$81 million was lost.",
            "about US$81 million was lost for good.",
            article,
        ),
        (
            "content/incidents/bangladesh-bank-2016.yaml",
            "title: \"",
            "title: \"Renamed ",
            article,
        ),
        (
            "content/entities/lazarus-group.yaml",
            "name: \"Hidden Cobra\"",
            "name: \"HIDDEN COBRA\"",
            "public/entities/lazarus-group/index.html",
        ),
        ("dossier.yaml", "title: \"", "title: \"Edited ", article),
        (
            "dossier.yaml",
            "base_url: \"/\"",
            "base_url: \"/sub/\"",
            article,
        ),
        // Which classes highlighted code keeps depends on the theme.
        (
            "dossier.yaml",
            "highlight_theme: InspiredGitHub",
            "highlight_theme: base16-ocean.light",
            "public/syntax.css",
        ),
    ];
    for (file, from, to, page) in edits {
        let before = fs::read(root.join(page)).unwrap();
        edit(root, file, from, to);
        let warm = build_into(root, "public");
        assert_same_files(
            &cold_build(root),
            &warm,
            &format!("a rebuild after editing {file}"),
        );
        assert!(
            fs::read(root.join(page)).unwrap() != before,
            "editing {file} changes {page}"
        );
    }
    // A template of the user's own.
    fs::create_dir_all(root.join("templates")).unwrap();
    let base = fs::read_to_string(crate::support::repo().join("templates/base.html")).unwrap();
    fs::write(
        root.join("templates/base.html"),
        base.replacen("</footer>", "<p>Local template</p></footer>", 1),
    )
    .unwrap();
    let warm = build_into(root, "public");
    assert!(String::from_utf8_lossy(&warm["entities/index.html"]).contains("Local template"));
    assert_same_files(&cold_build(root), &warm, "a rebuild after a template edit");
    // A static file of the user's own: not part of any page's signature.
    fs::create_dir_all(root.join("static")).unwrap();
    fs::write(root.join("static/extra.css"), "p { margin: 0 }\n").unwrap();
    let warm = build_into(root, "public");
    assert_eq!(warm["extra.css"], b"p { margin: 0 }\n");
    assert_same_files(
        &cold_build(root),
        &warm,
        "a rebuild after a new static file",
    );
}

#[test]
fn a_rebuild_with_other_options_is_not_taken_for_an_unchanged_one() {
    let dossier = example();
    let root = dossier.path();
    build_into(root, "public");
    let amber = ["build", "--output", "public", "--tlp", "amber"];
    let out = run(root, &amber);
    out.assert_code(0);
    assert!(
        !out.stdout.contains("(nothing changed)"),
        "another --tlp is a change: {}",
        out.stdout
    );
    let warm = snapshot(&root.join("public"));
    // A cold build with the same option, into a folder of its own.
    run(root, &["build", "--output", "cold", "--tlp", "amber"]).assert_code(0);
    assert_same_files(&snapshot(&root.join("cold")), &warm, "an amber rebuild");
    assert!(
        warm.values()
            .any(|bytes| String::from_utf8_lossy(bytes).contains("GREY LANTERN")),
        "the amber build holds amber text"
    );
}

#[test]
fn a_rebuild_replaces_output_files_that_were_removed_or_changed() {
    let dossier = example();
    let root = dossier.path();
    let first = build_into(root, "public");
    fs::remove_file(root.join("public/entities/index.html")).unwrap();
    fs::write(root.join("public/timeline/index.html"), "shortened").unwrap();
    fs::remove_dir_all(root.join("public/search-index/records")).unwrap();
    fs::write(root.join("public/dossier.json"), "{}").unwrap();
    let again = build_into(root, "public");
    assert_same_files(&first, &again, "a rebuild over a damaged output");
    // Files and folders that a build does not write are not kept.
    fs::write(root.join("public/stray.html"), "left behind").unwrap();
    fs::create_dir_all(root.join("public/articles/empty")).unwrap();
    let again = build_into(root, "public");
    assert_same_files(&first, &again, "a rebuild over an output with extra files");
    fs::create_dir_all(root.join("public/articles/empty")).unwrap();
    let again = build_into(root, "public");
    assert_same_files(
        &first,
        &again,
        "a rebuild over an output with an extra folder",
    );
    fs::remove_file(root.join("public/.nojekyll")).unwrap();
    let again = build_into(root, "public");
    assert_same_files(&first, &again, "a rebuild over an output without .nojekyll");

    // A damaged record is ignored: the build is a cold one.
    for garbage in ["", "{", "{\"program\": 3}", "not json at all"] {
        fs::write(root.join(RECORD), garbage).unwrap();
        let out = run(root, &["build", "--output", "public"]);
        out.assert_code(0);
        assert!(!out.stderr.contains("panic"), "{garbage:?}: {}", out.stderr);
        assert_same_files(&first, &snapshot(&root.join("public")), garbage);
    }
}

#[test]
fn a_failed_rebuild_leaves_the_previous_site_as_it_was() {
    let dossier = example();
    let root = dossier.path();
    let first = build_into(root, "public");
    edit(
        root,
        "content/incidents/bangladesh-bank-2016.yaml",
        "title: \"",
        "title: [unclosed \"",
    );
    run(root, &["build", "--output", "public"]).assert_code(1);
    assert_same_files(
        &first,
        &snapshot(&root.join("public")),
        "after a failed rebuild",
    );
}

/// Our example and theirs, whose article has `from` replaced by `to`, and
/// a folder for both to build into (the folder, and its path).
fn sharing_a_folder(
    from: &str,
    to: &str,
) -> (
    tempfile::TempDir,
    tempfile::TempDir,
    tempfile::TempDir,
    String,
) {
    let ours = example();
    let theirs = example();
    edit(
        theirs.path(),
        "content/articles/bangladesh-bank-heist.md",
        from,
        to,
    );
    let shared = tempfile::tempdir().unwrap();
    let site = shared.path().join("site").to_str().unwrap().to_string();
    (ours, theirs, shared, site)
}

#[test]
fn a_folder_another_dossier_built_into_is_not_taken_for_ours() {
    // Their article differs from ours by one character: same lengths.
    let (ours, theirs, _shared, site) = sharing_a_folder(
        "## The night of 4 February 2016",
        "## The night of 5 February 2016",
    );
    let site = site.as_str();
    let expected = build_into(ours.path(), site);
    run(theirs.path(), &["build", "--output", site]).assert_code(0);
    let page = "articles/bangladesh-bank-heist/index.html";
    assert!(snapshot(Path::new(site))[page] != expected[page]);
    let again = build_into(ours.path(), site);
    assert_same_files(
        &expected,
        &again,
        "our build after theirs in the same folder",
    );
}

#[test]
fn builds_racing_into_one_folder_leave_one_whole_site() {
    // Two dossiers share an output folder. Ours rebuilds it in place (it
    // wrote it last) while theirs replaces it whole: whichever commits
    // second must not leave a mix of the two sites.
    let (ours, theirs, _shared, site) = sharing_a_folder("## The night", "## Their night");
    let site = site.as_str();
    let their_site = build_into(theirs.path(), site);
    for round in 0..4 {
        build_into(ours.path(), site);
        // Every page of ours changes; the search index does not.
        edit(
            ours.path(),
            "dossier.yaml",
            "title: \"",
            &format!("title: \"{round} "),
        );
        let outcomes = std::thread::scope(|scope| {
            let ours = scope.spawn(|| run(ours.path(), &["build", "--output", site]));
            let theirs = scope.spawn(|| run(theirs.path(), &["build", "--output", site]));
            [ours.join().unwrap(), theirs.join().unwrap()]
        });
        for out in &outcomes {
            // A build that another one overtook says so and changes nothing.
            assert!(
                out.code == 0 || out.stderr.contains("another build replaced"),
                "round {round}: {} {}",
                out.code,
                out.stderr
            );
        }
        let now = snapshot(Path::new(site));
        let our_site = cold_build(ours.path());
        assert!(
            now == our_site || now == their_site,
            "round {round}: the folder holds one build's site, not a mix ({:?})",
            outcomes.iter().map(|o| o.code).collect::<Vec<_>>()
        );
        // Our next build, trusting our record only if the folder is ours,
        // writes what a cold one does.
        assert_same_files(&our_site, &build_into(ours.path(), site), "our build after");
    }
}

/// When the inode of `path` last changed (a hard link to it changes it).
fn changed(path: &Path) -> (i64, i64) {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path).unwrap();
    (meta.ctime(), meta.ctime_nsec())
}

#[test]
fn rebuild_after_rebuild_updates_the_folder_in_place() {
    let dossier = example();
    let root = dossier.path();
    build_into(root, "public");
    let untouched = root.join("public/style.css");
    let before = changed(&untouched);
    for round in 0..3 {
        edit(
            root,
            "content/articles/bangladesh-bank-heist.md",
            "## The night",
            &format!("## The night ({round})"),
        );
        let warm = build_into(root, "public");
        assert_same_files(&cold_build(root), &warm, &format!("rebuild {round}"));
        // Neither linked into a new folder nor written again: each rebuild
        // found the folder as the one before left it, record and all.
        assert_eq!(changed(&untouched), before, "rebuild {round}");
    }
}

#[test]
fn a_rebuild_where_a_file_became_a_folder_writes_what_a_cold_build_does() {
    let dossier = example();
    let root = dossier.path();
    fs::create_dir_all(root.join("static")).unwrap();
    fs::write(root.join("static/extra"), "a file\n").unwrap();
    build_into(root, "public");
    // A file where the output has a file, then a file where it has a
    // folder: neither can be moved in over what is there.
    fs::remove_file(root.join("static/extra")).unwrap();
    fs::create_dir_all(root.join("static/extra")).unwrap();
    fs::write(root.join("static/extra/a.css"), "p { margin: 0 }\n").unwrap();
    let warm = build_into(root, "public");
    assert_eq!(warm["extra/a.css"], b"p { margin: 0 }\n");
    assert_same_files(&cold_build(root), &warm, "a file turned into a folder");
    fs::remove_dir_all(root.join("static/extra")).unwrap();
    fs::write(root.join("static/extra"), "a file again\n").unwrap();
    let warm = build_into(root, "public");
    assert_eq!(warm["extra"], b"a file again\n");
    assert_same_files(&cold_build(root), &warm, "a folder turned into a file");
}
