//! ATT&CK Navigator layers (layer format 4.5): `/attack-layer.json` for the
//! whole dossier and `/entities/<id>/attack-layer.json` for each published
//! actor and malware, so an analyst can open what the dossier records in
//! MITRE's ATT&CK Navigator.
//!
//! A layer lists each technique once per tactic it belongs to, scored by
//! the number of places the dossier records its use (the Navigator colours
//! by score along `gradient`), with those places in its comment, metadata
//! and links. Only published uses count: the layer reads the published view
//! like every other output. docs/exports.md documents the fields; the shape
//! follows the Navigator's `layers/spec/v4.5/layerformat.md`.

use serde::Serialize;

use crate::attack::{self, Technique};
use crate::graph::ItemRef;
use crate::model::{EntityKind, Source};
use crate::publish::{Published, TechniqueUse};
use crate::tlp::Tlp;

/// The site path of the whole dossier's layer.
pub(crate) const DOSSIER_LAYER: &str = "attack-layer.json";

/// The layer format version this module writes.
const LAYER_FORMAT: &str = "4.5";

/// The Navigator release the layers are written for (the format asks for
/// at least 4.9.0; 5.2.0 is the first to know ATT&CK 18).
const NAVIGATOR: &str = "5.2.0";

/// The site path of entity `e`'s layer (`entities/<id>/attack-layer.json`),
/// when it has one: a published actor or malware has one, even when it has
/// no technique yet (the layer is then empty).
pub(crate) fn entity_layer_path(view: &Published<'_>, e: usize) -> Option<String> {
    let entity = view.dossier.entities.get(e)?;
    let has = matches!(entity.kind, EntityKind::Actor | EntityKind::Malware)
        && view.entities().binary_search(&e).is_ok();
    has.then(|| format!("entities/{}/{DOSSIER_LAYER}", entity.id))
}

/// Every entity layer: its site path and its entity.
pub(crate) fn entity_layers(view: &Published<'_>) -> Vec<(String, usize)> {
    view.entities()
        .iter()
        .filter_map(|&e| entity_layer_path(view, e).map(|path| (path, e)))
        .collect()
}

/// The entity whose layer `path` names, if it has one.
#[cfg_attr(not(feature = "serve"), allow(dead_code))]
pub(crate) fn entity_of_path(view: &Published<'_>, path: &str) -> Option<usize> {
    let id = path
        .strip_prefix("entities/")?
        .strip_suffix(&format!("/{DOSSIER_LAYER}"))?;
    match view.reference(id) {
        crate::publish::Reference::Item(ItemRef::Entity(e)) => {
            entity_layer_path(view, e).map(|_| e)
        }
        _ => None,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Layer {
    name: String,
    versions: Versions,
    domain: &'static str,
    description: String,
    sorting: u8,
    layout: Layout,
    hide_disabled: bool,
    techniques: Vec<LayerTechnique>,
    gradient: Gradient,
    legend_items: Vec<LegendItem>,
    show_tactic_row_background: bool,
    tactic_row_background: &'static str,
    select_techniques_across_tactics: bool,
    select_subtechniques_with_parent: bool,
    select_visible_techniques: bool,
    metadata: Vec<Metadata>,
    links: Vec<Link>,
}

#[derive(Serialize)]
struct Versions {
    attack: &'static str,
    navigator: &'static str,
    layer: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Layout {
    layout: &'static str,
    #[serde(rename = "showID")]
    show_id: bool,
    show_name: bool,
    show_aggregate_scores: bool,
    count_unscored: bool,
    aggregate_function: &'static str,
    expanded_subtechniques: &'static str,
}

#[derive(Serialize)]
struct LayerTechnique {
    #[serde(rename = "techniqueID")]
    technique_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tactic: Option<&'static str>,
    score: usize,
    comment: String,
    enabled: bool,
    metadata: Vec<Metadata>,
    links: Vec<Link>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Gradient {
    colors: [&'static str; 2],
    min_value: usize,
    max_value: usize,
}

#[derive(Serialize)]
struct LegendItem {
    label: String,
    color: &'static str,
}

#[derive(Serialize, Clone, PartialEq)]
struct Metadata {
    name: String,
    value: String,
}

#[derive(Serialize, Clone, PartialEq)]
struct Link {
    label: String,
    url: String,
}

/// The gradient's ends: a pale yellow for one use, a strong red for the most.
const LOW: &str = "#ffe9a8";
const HIGH: &str = "#e0393e";

/// `/attack-layer.json`: every technique the published dossier uses.
pub(crate) fn render_dossier(view: &Published<'_>) -> anyhow::Result<Vec<u8>> {
    let d = view.dossier;
    let used: Vec<(&'static Technique, Vec<TechniqueUse>)> = view
        .techniques()
        .iter()
        .map(|u| (u.technique, u.uses.clone()))
        .collect();
    let description = format!(
        "The MITRE ATT&CK techniques that {} records, from its published entities, \
         incidents and annotations. Score: the number of places each is recorded.",
        d.config.title
    );
    let home = LayerLinks { view }.absolute(&d.base.path);
    finish(
        view,
        d.config.title.clone(),
        description,
        &used,
        Tlp::Clear,
        home,
    )
}

/// `/entities/<id>/attack-layer.json`: the techniques entity `e` uses, as
/// its page lists them: its own, those of the incidents it acts in, and
/// those of the annotations that name it.
pub(crate) fn render_entity(view: &Published<'_>, e: usize) -> anyhow::Result<Vec<u8>> {
    let d = view.dossier;
    let entity = &d.entities[e];
    let used: Vec<(&'static Technique, Vec<TechniqueUse>)> = view
        .techniques_of(ItemRef::Entity(e))
        .into_iter()
        .map(|(u, uses)| (u.technique, uses))
        .collect();
    let description = format!(
        "The MITRE ATT&CK techniques {} uses, as {} records them: its own, those of the \
         incidents it acts in and those of the annotations that name it. \
         Score: the number of places each is recorded.",
        entity.name, d.config.title
    );
    let page = LayerLinks { view }.absolute(&view.url(ItemRef::Entity(e)));
    finish(
        view,
        format!("{} ({})", entity.name, d.config.title),
        description,
        &used,
        entity.tlp,
        page,
    )
}

fn finish(
    view: &Published<'_>,
    name: String,
    description: String,
    used: &[(&'static Technique, Vec<TechniqueUse>)],
    own_tlp: Tlp,
    page: Option<String>,
) -> anyhow::Result<Vec<u8>> {
    let links = LayerLinks { view };
    let mut tlp = own_tlp;
    let mut techniques = Vec::new();
    for (technique, uses) in used {
        for &u in uses {
            tlp = tlp.max(view.technique_use_tlp(u));
        }
        techniques.extend(links.entries(technique, uses));
    }
    let max_score = techniques.iter().map(|t| t.score).max().unwrap_or(0);
    let mut metadata = vec![
        Metadata {
            name: "dossier".into(),
            value: view.dossier.config.title.clone(),
        },
        Metadata {
            name: "TLP".into(),
            value: tlp.label().to_string(),
        },
        Metadata {
            name: "ATT&CK".into(),
            value: format!("Enterprise {}. {}", attack::version(), attack::NOTICE),
        },
    ];
    metadata.push(Metadata {
        name: "generator".into(),
        value: concat!("dossier ", env!("CARGO_PKG_VERSION")).into(),
    });
    let layer = Layer {
        name,
        versions: Versions {
            attack: attack_major(),
            navigator: NAVIGATOR,
            layer: LAYER_FORMAT,
        },
        domain: "enterprise-attack",
        description: format!("{description} Marking: {}.", tlp.label()),
        sorting: 3,
        layout: Layout {
            layout: "side",
            show_id: true,
            show_name: true,
            show_aggregate_scores: false,
            count_unscored: false,
            aggregate_function: "average",
            expanded_subtechniques: "annotated",
        },
        hide_disabled: false,
        techniques,
        gradient: Gradient {
            colors: [LOW, HIGH],
            min_value: 0,
            max_value: max_score.max(1),
        },
        legend_items: vec![
            LegendItem {
                label: "recorded once".into(),
                color: LOW,
            },
            LegendItem {
                label: format!("recorded {} times", max_score.max(1)),
                color: HIGH,
            },
        ],
        show_tactic_row_background: false,
        tactic_row_background: "#dddddd",
        select_techniques_across_tactics: true,
        select_subtechniques_with_parent: false,
        select_visible_techniques: false,
        metadata,
        links: page
            .map(|url| Link {
                label: "the page in the dossier".into(),
                url,
            })
            .into_iter()
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&layer)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// `18` for ATT&CK 18.1: the layer format names major versions.
fn attack_major() -> &'static str {
    let version = attack::version();
    version.split('.').next().unwrap_or(version)
}

/// What a layer says about where a technique is recorded.
struct LayerLinks<'v, 'a> {
    view: &'v Published<'a>,
}

impl LayerLinks<'_, '_> {
    /// The absolute URL of a site path, when the site has an absolute base
    /// URL: the Navigator opens only URLs with a scheme.
    fn absolute(&self, path: &str) -> Option<String> {
        let base = &self.view.dossier.base;
        if !base.permalink.contains("://") {
            return None;
        }
        let rest = path.strip_prefix(base.path.as_str()).unwrap_or(path);
        Some(format!("{}{rest}", base.permalink))
    }

    /// One entry per tactic of the technique (one without a tactic when
    /// ATT&CK gives it none), all alike.
    fn entries(&self, t: &'static Technique, uses: &[TechniqueUse]) -> Vec<LayerTechnique> {
        let mut metadata = Vec::new();
        let mut links = vec![Link {
            label: format!("ATT&CK {}", t.id),
            url: t.url.to_string(),
        }];
        let mut places = Vec::new();
        for &u in uses {
            let (what, place, sources, page) = self.describe(u);
            places.push(format!("{what}: {place}"));
            metadata.push(Metadata {
                name: what.into(),
                value: place.clone(),
            });
            if let Some(url) = page {
                push_new(&mut links, Link { label: place, url });
            }
            for s in sources {
                if let Some(link) = source_link(s) {
                    push_new(&mut links, link);
                }
            }
        }
        let comment = format!("{}. Recorded in {}.", t.full_name(), places.join("; "));
        let tactics: Vec<Option<&'static str>> = if t.tactics.is_empty() {
            vec![None]
        } else {
            t.tactics.iter().map(|x| Some(x.shortname)).collect()
        };
        tactics
            .into_iter()
            .map(|tactic| LayerTechnique {
                technique_id: t.id,
                tactic,
                score: uses.len(),
                comment: comment.clone(),
                enabled: true,
                metadata: metadata.clone(),
                links: links.clone(),
            })
            .collect()
    }

    /// A use: what it is, where, its sources, and its page on the site.
    fn describe(&self, u: TechniqueUse) -> (&'static str, String, &[Source], Option<String>) {
        let d = self.view.dossier;
        match u {
            TechniqueUse::Entity(e) => {
                let item = ItemRef::Entity(e);
                let page = self.absolute(&self.view.url(item));
                ("entity", d.entities[e].name.clone(), &[], page)
            }
            TechniqueUse::Incident(i) => {
                let x = &d.incidents[i];
                let item = ItemRef::Incident(i);
                let page = self.absolute(&self.view.url(item));
                let place = format!("{} ({})", x.title, x.date.display());
                ("incident", place, &x.sources, page)
            }
            TechniqueUse::Annotation((ai, ni)) => {
                let article = &d.articles[ai];
                let n = &article.annotations[ni];
                let page =
                    self.absolute(&format!("{}#{}", self.view.url(ItemRef::Article(ai)), n.id));
                let place = format!("“{}” in {}", n.quote.value, article.title);
                ("annotation", place, &n.sources, page)
            }
        }
    }
}

/// A source as a Navigator link: only sources with a URL can be one.
fn source_link(s: &Source) -> Option<Link> {
    let url: &str = s.url.as_deref().or(s.archived.as_deref())?;
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next());
    let label = s
        .title
        .as_deref()
        .or(s.publisher.as_deref())
        .or(host)
        .unwrap_or(url);
    Some(Link {
        label: label.to_string(),
        url: url.to_string(),
    })
}

fn push_new<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_attack_version_is_a_major_version() {
        let major = super::attack_major();
        assert!(!major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()));
    }
}
