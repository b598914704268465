//! The exports (`/dossier.json`, `/timeline.json`, `/stix.json`, the
//! ATT&CK Navigator layers) and the search index (`/search-index/`) of one
//! served state, rendered when a tab first asks for one.
//!
//! On a large dossier an export takes longer than a whole incremental
//! rebuild, and almost nobody reloads them while writing. Rendering them on
//! request, from the state the pages were rendered from, keeps them off the
//! rebuild path entirely: no save ever waits for them, and they still match
//! the pages beside them exactly.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::export;
use crate::session::Current;

type Rendered = Result<Arc<[u8]>, String>;

/// The search index's files by site path, or why it failed.
type SearchFiles = Result<HashMap<String, Arc<[u8]>>, String>;

pub(crate) struct Exports {
    state: Arc<Current>,
    /// Each export's path, renderer and, once asked for, its bytes.
    slots: Vec<(&'static str, export::Export, OnceLock<Rendered>)>,
    /// The search index's files by site path, made at the first request
    /// for any of them.
    search: OnceLock<SearchFiles>,
}

impl Exports {
    pub(crate) fn new(state: Arc<Current>) -> Exports {
        let slots = export::all()
            .into_iter()
            .map(|(path, render)| (path, render, OnceLock::new()))
            .collect();
        Exports {
            state,
            slots,
            search: OnceLock::new(),
        }
    }

    /// Whether `path` (relative to the site root) names an export or a file
    /// of the search index.
    pub(crate) fn serves(path: &str) -> bool {
        export::all().iter().any(|(p, _)| *p == path) || search_file(path) || entity_layer(path)
    }

    /// The export at `path`, rendered on first use; concurrent requests wait
    /// for the one rendering. None when `path` is not an export.
    pub(crate) fn get(&self, path: &str) -> Option<Rendered> {
        if search_file(path) {
            if !self.state.dossier.config.search {
                return None;
            }
            let index = self.search.get_or_init(|| {
                let view = self.state.view();
                match crate::search::index(&view) {
                    Ok(files) => Ok(files
                        .into_iter()
                        .map(|(path, bytes)| (path, Arc::from(bytes)))
                        .collect()),
                    Err(e) => Err(crate::report::cause_chain(&e)),
                }
            });
            return match index {
                Ok(files) => files.get(path).map(|bytes| Ok(Arc::clone(bytes))),
                Err(e) => Some(Err(e.clone())),
            };
        }
        if entity_layer(path) {
            // A few kilobytes each, and rarely asked for: rendered on every
            // request rather than kept.
            let view = self.state.view();
            let e = export::layer::entity_of_path(&view, path)?;
            return Some(match export::layer::render_entity(&view, e) {
                Ok(bytes) => Ok(Arc::from(bytes)),
                Err(e) => Err(crate::report::cause_chain(&e)),
            });
        }
        let (_, render, slot) = self.slots.iter().find(|(p, ..)| *p == path)?;
        let rendered = slot.get_or_init(|| {
            let view = self.state.view();
            match export::to_bytes(*render, &view) {
                Ok(bytes) => Ok(Arc::from(bytes)),
                Err(e) => Err(crate::report::cause_chain(&e)),
            }
        });
        Some(rendered.clone())
    }
}

/// Whether `path` has the shape of an entity's layer,
/// `entities/<id>/attack-layer.json`.
fn entity_layer(path: &str) -> bool {
    path.strip_prefix("entities/")
        .and_then(|rest| rest.strip_suffix(export::layer::DOSSIER_LAYER))
        .is_some_and(|id| id.len() > 1 && id.ends_with('/') && !id[..id.len() - 1].contains('/'))
}

fn search_file(path: &str) -> bool {
    path.strip_prefix(crate::search::FOLDER)
        .is_some_and(|rest| rest.starts_with('/'))
}
