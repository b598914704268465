//! `dossier`: a static site generator for annotated dossiers.
//!
//! The data flows one way: [`load`] reads files, [`graph`] resolves ids and
//! applies TLP, [`site`] renders Markdown, anchors annotations ([`anchor`],
//! [`marks`]) and produces pages through the [`theme`], and [`output`]
//! writes them without ever putting the user's files at risk.

mod anchor;
mod annotate;
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
mod output;
mod prepare;
mod report;
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
