//! `dossier init [DIR]`: a small starter dossier that builds and checks
//! cleanly, for people to edit rather than start from an empty folder.
//!
//! The files are embedded in the binary (`src/init/`). It never writes into
//! a folder that holds anything, so it cannot overwrite a user's work.

use std::fs;
use std::path::Path;

use anyhow::Context as _;

use crate::report::Reporter;

/// The starter files: path inside the new dossier, contents.
const FILES: &[(&str, &str)] = &[
    ("dossier.yaml", include_str!("../init/dossier.yaml")),
    ("content/index.md", include_str!("../init/index.md")),
    (
        "content/articles/northwind-report.md",
        include_str!("../init/article.md"),
    ),
    (
        "content/articles/northwind-report.annotations.yaml",
        include_str!("../init/article.annotations.yaml"),
    ),
    (
        "content/incidents/northwind-phishing-2024.yaml",
        include_str!("../init/incident.yaml"),
    ),
    (
        "content/entities/grey-heron.yaml",
        include_str!("../init/actor.yaml"),
    ),
    (
        "content/entities/northwind-transit.yaml",
        include_str!("../init/organisation.yaml"),
    ),
];

pub(crate) fn run(dir: &Path, reporter: &Reporter) -> u8 {
    match write(dir) {
        Ok(()) => {
            let shown = dir.display().to_string();
            let root = if shown.contains(char::is_whitespace) {
                format!("\"{shown}\"")
            } else {
                shown
            };
            reporter.summary(&format!(
                "Created a starter dossier in {root}/ ({} files).\n\n\
                 Next steps:\n  \
                 dossier serve --root {root}    preview it at http://127.0.0.1:1111/ while you edit\n  \
                 dossier check --root {root}    validate it and check every link\n  \
                 dossier build --root {root}    write the site into {root}/public/",
                FILES.len()
            ));
            0
        }
        Err(e) => reporter.error(&e),
    }
}

fn write(dir: &Path) -> anyhow::Result<()> {
    if dir.is_file() {
        anyhow::bail!(
            "refusing to create a dossier in {}: it is a file",
            dir.display()
        );
    }
    if dir.is_dir() {
        let mut entries =
            fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        if entries.next().is_some() {
            anyhow::bail!(
                "refusing to create a dossier in {}: the folder is not empty; \
                 choose a new or empty folder (`dossier init my-dossier`)",
                dir.display()
            );
        }
    }
    for (path, text) in FILES {
        let dest = dir.join(path);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&dest, text).with_context(|| format!("cannot write {}", dest.display()))?;
    }
    Ok(())
}
