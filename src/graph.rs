//! The dossier graph: ids resolved across files, TLP and drafts applied,
//! backlinks computed.
//!
//! Everything here is linear in the number of items and annotations:
//! ids go through one hash map and backlinks are built in a single pass.

use std::collections::HashMap;

use rayon::prelude::*;
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};
use std::ops::Range;
use std::sync::Arc;

use crate::config::{BaseUrl, Config};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::links::SourcedLink;
use crate::load::{IndexPage, Sources};
use crate::model::{Article, Entity, EntityKind, Incident, Source, WrittenUrl};
use crate::tlp::Tlp;
use crate::yaml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ItemRef {
    Article(usize),
    Incident(usize),
    Entity(usize),
}

impl ItemRef {
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            ItemRef::Article(_) => "article",
            ItemRef::Incident(_) => "incident",
            ItemRef::Entity(_) => "entity",
        }
    }
}

/// Which items a build publishes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Publish {
    pub(crate) tlp: Tlp,
    pub(crate) drafts: bool,
}

/// An annotation as seen from elsewhere: (article index, annotation index).
pub(crate) type AnnotationRef = (usize, usize);

#[derive(Debug, Default)]
pub(crate) struct Backlinks {
    /// Included annotations that reference each incident / entity.
    pub(crate) incident_annotations: Vec<Vec<AnnotationRef>>,
    pub(crate) entity_annotations: Vec<Vec<AnnotationRef>>,
    /// Included incidents in which each entity is an actor, target or malware.
    pub(crate) entity_incidents: Vec<Vec<usize>>,
    /// Included articles that annotate or link to each entity.
    pub(crate) entity_articles: Vec<Vec<usize>>,
}

#[derive(Debug)]
pub(crate) struct Dossier {
    pub(crate) config: Config,
    pub(crate) base: BaseUrl,
    pub(crate) publish: Publish,
    pub(crate) index: Option<IndexPage>,
    pub(crate) articles: Vec<Arc<Article>>,
    pub(crate) incidents: Vec<Incident>,
    pub(crate) entities: Vec<Entity>,
    pub(crate) ids: FxHashMap<String, ItemRef>,
    /// Ids of items whose own file failed: references to them are not errors too.
    broken_ids: std::collections::HashSet<String>,
}

impl Dossier {
    /// Resolves ids and checks every cross-file reference.
    pub(crate) fn new(
        sources: Sources,
        base: BaseUrl,
        publish: Publish,
        diagnostics: &mut Diagnostics,
    ) -> Dossier {
        let mut dossier = Dossier {
            config: sources.config,
            base,
            publish,
            index: sources.index,
            articles: sources.articles,
            incidents: sources.incidents,
            entities: sources.entities,
            ids: FxHashMap::default(),
            broken_ids: sources.broken_ids,
        };
        let mut timer = crate::timings::Timer::new();
        dossier.articles.sort_by(|a, b| a.id.cmp(&b.id));
        dossier.incidents.sort_by(|a, b| a.id.cmp(&b.id));
        dossier.entities.sort_by(|a, b| a.id.cmp(&b.id));
        timer.lap("  sort");
        dossier.index_ids(diagnostics);
        timer.lap("  index ids");
        dossier.check_references(diagnostics);
        timer.lap("  check references");
        dossier
    }

    fn index_ids(&mut self, diagnostics: &mut Diagnostics) {
        let items = self
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), &a.file, ItemRef::Article(i)))
            .chain(
                self.incidents
                    .iter()
                    .enumerate()
                    .map(|(i, x)| (x.id.as_str(), &x.file, ItemRef::Incident(i))),
            )
            .chain(
                self.entities
                    .iter()
                    .enumerate()
                    .map(|(i, x)| (x.id.as_str(), &x.file, ItemRef::Entity(i))),
            );
        let mut first_file: HashMap<&str, &Arc<SourceFile>> = HashMap::new();
        for (id, file, item) in items {
            if let Some(first) = first_file.get(id) {
                diagnostics.push(
                    Diagnostic::at(file, 0..0, format!("the id `{id}` is already used by {}", first.path.display()))
                        .help("articles, incidents and entities share one namespace: rename one of the files"),
                );
                continue;
            }
            first_file.insert(id, file);
            self.ids.insert(id.to_string(), item);
        }
    }

    fn check_references(&self, diagnostics: &mut Diagnostics) {
        let found: Vec<Vec<Diagnostic>> = self
            .articles
            .par_iter()
            .map(|article| {
                let mut found = Vec::new();
                let Some(file) = &article.annotations_file else {
                    return found;
                };
                for annotation in article.annotations.iter() {
                    for id in &annotation.incidents {
                        self.check_ref(file, id, "incident", &mut found);
                    }
                    for id in &annotation.entities {
                        self.check_ref(file, id, "entity", &mut found);
                    }
                }
                found
            })
            .collect();
        diagnostics.extend(found.into_iter().flatten());
        let mut found = Vec::new();
        for incident in &self.incidents {
            for id in incident
                .actors
                .iter()
                .chain(&incident.targets)
                .chain(&incident.malware)
            {
                self.check_ref(&incident.file, id, "entity", &mut found);
            }
        }
        diagnostics.extend(found);
    }

    fn check_ref(
        &self,
        file: &Arc<SourceFile>,
        id: &Spanned<String>,
        wanted: &str,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        match self.ids.get(&id.value) {
            Some(item) if item.type_name() == wanted => {}
            Some(item) => diagnostics.push(
                Diagnostic::at(
                    file,
                    id.span.clone(),
                    format!("`{}` is an {}, not an {wanted}", id.value, item.type_name()),
                )
                .help(format!(
                    "name an {wanted} here; `{}` belongs in a list of {}",
                    id.value,
                    plural(item.type_name())
                )),
            ),
            None if self.broken_ids.contains(&id.value) => {}
            None => {
                let candidates = self
                    .ids
                    .iter()
                    .filter(|(_, item)| item.type_name() == wanted)
                    .map(|(k, _)| k.as_str());
                let suggestion = did_you_mean(&id.value, candidates);
                let folder = if wanted == "incident" {
                    "incidents"
                } else {
                    "entities"
                };
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("create content/{folder}/{}.yaml, or fix the id", id.value),
                };
                diagnostics.push(
                    Diagnostic::at(
                        file,
                        id.span.clone(),
                        format!("unknown {wanted} `{}`", id.value),
                    )
                    .help(help),
                );
            }
        }
    }

    pub(crate) fn article_included(&self, a: &Article) -> bool {
        a.tlp <= self.publish.tlp && (!a.draft || self.publish.drafts)
    }

    /// An annotation is published when its article is and the stricter of
    /// its own and its article's level is within the publish level.
    pub(crate) fn annotation_tlp(&self, article: usize, annotation: usize) -> Tlp {
        let a = &self.articles[article];
        a.tlp.max(a.annotations[annotation].tlp)
    }

    pub(crate) fn annotation_included(&self, article: usize, annotation: usize) -> bool {
        self.article_included(&self.articles[article])
            && self.annotation_tlp(article, annotation) <= self.publish.tlp
    }

    /// Whether `fragment` of an article's page (`ID` or `note-ID`) names
    /// one of its annotations that is not published.
    pub(crate) fn withheld_annotation(&self, article: usize, fragment: &str) -> bool {
        let note = fragment.strip_prefix("note-");
        let annotations = &self.articles[article].annotations;
        annotations.iter().enumerate().any(|(ni, n)| {
            (n.id == fragment || note == Some(n.id.as_str()))
                && !self.annotation_included(article, ni)
        })
    }

    pub(crate) fn is_included(&self, item: ItemRef) -> bool {
        match item {
            ItemRef::Article(i) => self.article_included(&self.articles[i]),
            ItemRef::Incident(i) => self.incidents[i].tlp <= self.publish.tlp,
            ItemRef::Entity(i) => self.entities[i].tlp <= self.publish.tlp,
        }
    }

    /// The page URL (with the base path) of an item.
    pub(crate) fn url(&self, item: ItemRef) -> String {
        let base = &self.base.path;
        match item {
            ItemRef::Article(i) => format!("{base}articles/{}/", self.articles[i].id),
            ItemRef::Incident(i) => format!("{base}incidents/{}/", self.incidents[i].id),
            ItemRef::Entity(i) => format!("{base}entities/{}/", self.entities[i].id),
        }
    }

    /// Every URL written in a YAML field (sources, `archived`, an article's
    /// `url`) with the file and place it is written, so `check` can trace a
    /// broken one back to it like a Markdown link.
    pub(crate) fn written_urls(&self) -> Vec<SourcedLink> {
        fn sourced(file: &Arc<SourceFile>, url: &WrittenUrl) -> SourcedLink {
            SourcedLink {
                href: url.to_string(),
                file: Arc::clone(file),
                span: url.span.clone(),
            }
        }
        fn of_sources<'a>(
            file: &'a Arc<SourceFile>,
            sources: &'a [Source],
        ) -> impl Iterator<Item = SourcedLink> + 'a {
            sources
                .iter()
                .flat_map(|s| s.url.iter().chain(&s.archived))
                .map(move |url| sourced(file, url))
        }
        let mut out = Vec::new();
        for article in &self.articles {
            out.extend(article.url.iter().map(|url| sourced(&article.file, url)));
            if let Some(file) = &article.annotations_file {
                for annotation in article.annotations.iter() {
                    out.extend(of_sources(file, &annotation.sources));
                }
            }
        }
        for incident in &self.incidents {
            out.extend(of_sources(&incident.file, &incident.sources));
        }
        for entity in &self.entities {
            out.extend(of_sources(&entity.file, &entity.sources));
        }
        out
    }

    /// Looks up an id for a reference, hiding what is not published.
    pub(crate) fn lookup(&self, id: &str) -> Lookup {
        match self.ids.get(id) {
            Some(&item) if self.is_included(item) => Lookup::Included(item),
            Some(_) => Lookup::Withheld,
            // Its file failed to load and has its own error: one is enough.
            None if self.broken_ids.contains(id) => Lookup::Withheld,
            None => Lookup::Unknown,
        }
    }

    /// Computes every backlink in one pass over annotations and incidents.
    /// A hash of everything `[text](@id)` resolution depends on: which ids
    /// exist, their types, whether they are published (annotations too, for
    /// `@article#annotation`), and the base URL.
    pub(crate) fn link_epoch(&self) -> u64 {
        let mut h = FxHasher::default();
        (&self.base.path, self.config.unsafe_html).hash(&mut h);
        for (i, a) in self.articles.iter().enumerate() {
            let included = self.is_included(ItemRef::Article(i));
            (1u8, &a.id, included).hash(&mut h);
            // `@article#annotation` to a withheld annotation is plain text.
            for (ni, n) in a.annotations.iter().enumerate() {
                if included && !self.annotation_included(i, ni) {
                    (4u8, &n.id).hash(&mut h);
                }
            }
        }
        for (i, x) in self.incidents.iter().enumerate() {
            (2u8, &x.id, self.is_included(ItemRef::Incident(i))).hash(&mut h);
        }
        for (i, x) in self.entities.iter().enumerate() {
            (3u8, &x.id, self.is_included(ItemRef::Entity(i))).hash(&mut h);
        }
        h.finish()
    }

    pub(crate) fn backlinks(&self, article_refs: &[&[String]]) -> Backlinks {
        let mut b = Backlinks {
            incident_annotations: vec![Vec::new(); self.incidents.len()],
            entity_annotations: vec![Vec::new(); self.entities.len()],
            entity_incidents: vec![Vec::new(); self.entities.len()],
            entity_articles: vec![Vec::new(); self.entities.len()],
        };
        // Look ids up in parallel, then file the links in article order.
        let resolved: Vec<Vec<(usize, ItemRef)>> = (0..self.articles.len())
            .into_par_iter()
            .map(|ai| {
                let article = &self.articles[ai];
                let mut links = Vec::new();
                if !self.article_included(article) {
                    return links;
                }
                for (ni, annotation) in article.annotations.iter().enumerate() {
                    if !self.annotation_included(ai, ni) {
                        continue;
                    }
                    for id in annotation.incidents.iter().chain(&annotation.entities) {
                        if let Some(item) = self.ids.get(&id.value) {
                            links.push((ni, *item));
                        }
                    }
                }
                for id in article_refs.get(ai).copied().unwrap_or_default() {
                    if let Some(item @ ItemRef::Entity(_)) = self.ids.get(id) {
                        links.push((usize::MAX, *item));
                    }
                }
                links
            })
            .collect();
        for (ai, links) in resolved.into_iter().enumerate() {
            for (ni, item) in links {
                match item {
                    ItemRef::Incident(i) if ni != usize::MAX => {
                        b.incident_annotations[i].push((ai, ni))
                    }
                    ItemRef::Entity(e) => {
                        if ni != usize::MAX {
                            b.entity_annotations[e].push((ai, ni));
                        }
                        push_unique(&mut b.entity_articles[e], ai);
                    }
                    _ => {}
                }
            }
        }
        for (ii, incident) in self.incidents.iter().enumerate() {
            if incident.tlp > self.publish.tlp {
                continue;
            }
            for id in incident
                .actors
                .iter()
                .chain(&incident.targets)
                .chain(&incident.malware)
            {
                if let Some(ItemRef::Entity(e)) = self.ids.get(&id.value) {
                    push_unique(&mut b.entity_incidents[*e], ii);
                }
            }
        }
        b
    }

    /// Entity kinds in display order with the included entities of each.
    pub(crate) fn entity_groups(&self) -> Vec<(EntityKind, Vec<usize>)> {
        EntityKind::ALL
            .iter()
            .map(|(_, kind)| {
                let mut members: Vec<usize> = (0..self.entities.len())
                    .filter(|&i| {
                        self.entities[i].kind == *kind && self.entities[i].tlp <= self.publish.tlp
                    })
                    .collect();
                members.sort_by(|&a, &b| {
                    self.entities[a]
                        .name
                        .to_lowercase()
                        .cmp(&self.entities[b].name.to_lowercase())
                });
                (*kind, members)
            })
            .filter(|(_, members)| !members.is_empty())
            .collect()
    }
}

fn plural(type_name: &str) -> &'static str {
    match type_name {
        "article" => "articles",
        "incident" => "incidents",
        _ => "entities",
    }
}

fn push_unique(list: &mut Vec<usize>, value: usize) {
    // Values arrive grouped (one article or incident at a time), so the
    // last element is the only possible duplicate.
    if list.last() != Some(&value) {
        list.push(value);
    }
}

pub(crate) enum Lookup {
    Included(ItemRef),
    Withheld,
    Unknown,
}

/// Where a problem inside Markdown of a YAML value sits in its file.
pub(crate) fn markdown_span(
    file: &SourceFile,
    value_span: &Range<usize>,
    needle: &str,
) -> Range<usize> {
    match crate::yaml::find_in_span(file, value_span, needle) {
        Some(at) => at..at + needle.len(),
        None => value_span.clone(),
    }
}
