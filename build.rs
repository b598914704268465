//! Embeds the built-in theme (`templates/` and `static/`) into the binary,
//! so a folder with only `content/` builds the full site.
//!
//! Writes `$OUT_DIR/theme.rs` with one `include_bytes!` entry per file, and
//! sets `DOSSIER_HIGHLIGHT_HASH` for the highlight cache's version key.
//! Cargo rescans a directory given to `rerun-if-changed`, so added, removed
//! and edited files all trigger a rebuild.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let mut out = String::new();
    for (constant, folder) in [("TEMPLATES", "templates"), ("ASSETS", "static")] {
        let dir = root.join(folder);
        println!("cargo::rerun-if-changed={}", dir.display());
        let mut files = Vec::new();
        collect(&dir, &mut files);
        files.sort();
        writeln!(out, "pub(crate) static {constant}: &[(&str, &[u8])] = &[").unwrap();
        for file in files {
            let name = file
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            writeln!(
                out,
                "    ({name:?}, include_bytes!({:?})),",
                file.display().to_string()
            )
            .unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let dest = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("theme.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
    highlight_version(&root);
}

/// `DOSSIER_HIGHLIGHT_HASH`: a hash of what decides the HTML of a
/// highlighted code block (the highlighting code, the dependency versions
/// and their features), part of the highlight cache's version key, so a
/// binary never reuses HTML another one wrote.
fn highlight_version(root: &Path) {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::hash::DefaultHasher::new();
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "src/highlight/mod.rs",
        "src/highlight/prune.rs",
    ] {
        let path = root.join(file);
        println!("cargo::rerun-if-changed={}", path.display());
        fs::read(&path).unwrap_or_default().hash(&mut hasher);
    }
    println!(
        "cargo::rustc-env=DOSSIER_HIGHLIGHT_HASH={:016x}",
        hasher.finish()
    );
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
