//! End-to-end tests: the real `dossier` binary run on fixture dossiers copied
//! into temporary folders, with the generated site parsed and checked for
//! structure (marks, notes, timeline order, links), not for exact bytes.
//!
//! The builds of the example dossier that several tests only read are made
//! once per test process (see `support::default_build`).

mod axe;
mod browser;
mod build;
mod cache;
mod check;
mod crawl;
mod errors;
mod exports;
mod html;
mod init;
mod layers;
mod live;
mod model;
mod pages;
mod previews;
mod safety;
mod search;
mod serve;
mod static_host;
mod stix;
mod support;
mod theme;
mod timelinejs;
mod tlp;
mod tlp_property;
mod widths;
