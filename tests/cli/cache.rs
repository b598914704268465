//! The highlight cache (`.dossier-cache/`): a build that reads it writes
//! the same bytes as one without it, whatever state the cache file is in.

use std::fs;
use std::path::Path;

use crate::support::{assert_same_files, example, run, snapshot};

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
        assert_eq!(leftovers, [std::ffi::OsString::from("highlight.bin")]);
    }
}
