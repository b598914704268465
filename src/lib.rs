//! `dossier`: a static site generator for annotated dossiers.
//!
//! The data flows one way, driven by `session` for `build`, `check` and
//! `serve` alike:
//!
//! 1. `load` reads the files (in parallel) and `model` decodes them from
//!    a spanned YAML tree (`yaml`), so every error has a line and column;
//! 2. `graph` resolves ids and checks every cross-file reference, and
//!    `publish` decides, in one place, what this build publishes;
//! 3. `prepare` renders Markdown (`markdown`) and anchors each
//!    annotation to the text a reader sees (`anchor`, `marks`,
//!    `annotate`);
//! 4. `publish::Published` is the view of what may be shown, and the only
//!    thing `site` (pages through the `theme`) and `export` read;
//! 5. `output` writes the site without ever putting the user's files at
//!    risk, or `serve` keeps it in memory and reloads the browser.

mod anchor;
mod annotate;
mod attack;
mod chart;
mod citations;
mod cli;
mod cmd;
mod config;
mod date;
mod diagnostic;
mod export;
mod graph;
mod highlight;
mod html;
mod links;
mod load;
mod markdown;
mod marks;
mod model;
mod neighbourhood;
mod output;
mod packed;
mod prepare;
mod publish;
mod rebuild;
mod relations;
mod report;
mod search;
#[cfg(feature = "serve")]
mod serve;
mod session;
mod site;
mod theme;
mod timings;
mod tlp;
mod url_policy;
mod word_diff;
mod yaml;

/// Runs the command line and returns the process exit code.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(cli::run())
}
