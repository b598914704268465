//! The dossier graph: ids resolved across files and every cross-file
//! reference checked; which items are published is decided once, by
//! `publish`, and kept here for the steps that resolve references.
//!
//! Everything here is linear in the number of items and annotations: ids go
//! through one hash map.

use std::collections::hash_map::Entry;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};

use crate::config::{BaseUrl, Config};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::links::SourcedLink;
use crate::load::{IndexPage, Sources};
use crate::model::{Article, Entity, Incident, Source, WrittenUrl};
use crate::publish::{Inclusion, Rule};
use crate::yaml::Spanned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ItemRef {
    Article(usize),
    Incident(usize),
    Entity(usize),
}

/// The three kinds of item that share the id namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemType {
    Article,
    Incident,
    Entity,
}

impl ItemType {
    /// `article`, `incident` or `entity`, as templates and exports name it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ItemType::Article => "article",
            ItemType::Incident => "incident",
            ItemType::Entity => "entity",
        }
    }

    /// The folder under `content/` that holds items of this type.
    pub(crate) fn folder(self) -> &'static str {
        match self {
            ItemType::Article => "articles",
            ItemType::Incident => "incidents",
            ItemType::Entity => "entities",
        }
    }
}

impl ItemRef {
    pub(crate) fn item_type(self) -> ItemType {
        match self {
            ItemRef::Article(_) => ItemType::Article,
            ItemRef::Incident(_) => ItemType::Incident,
            ItemRef::Entity(_) => ItemType::Entity,
        }
    }

    pub(crate) fn type_name(self) -> &'static str {
        self.item_type().name()
    }
}

#[derive(Debug)]
pub(crate) struct Dossier {
    pub(crate) config: Config,
    pub(crate) base: BaseUrl,
    /// The publish rule of this pass, and what it includes.
    pub(crate) rule: Rule,
    pub(crate) included: Inclusion,
    pub(crate) index: Option<IndexPage>,
    pub(crate) articles: Vec<Arc<Article>>,
    pub(crate) incidents: Vec<Arc<Incident>>,
    pub(crate) entities: Vec<Arc<Entity>>,
    /// Shared with the next pass when it keeps the same ids.
    pub(crate) ids: Arc<FxHashMap<String, ItemRef>>,
    /// What each article's annotations name, beside `articles`.
    pub(crate) refs: Vec<Arc<ArticleRefs>>,
    /// Ids of items whose own file failed: references to them are not errors too.
    broken_ids: std::collections::HashSet<String>,
    /// See [`Dossier::link_epoch`].
    link_epoch: u64,
    /// When this dossier is the previous pass's with some items replaced
    /// ([`Dossier::revise`]): which. Steps that derive something from
    /// every item can then start from what they derived last time.
    pub(crate) changes: Option<Changes>,
}

/// The items one dossier replaced in the one it was made from, by index
/// (the same in both: no id was added or removed), each list sorted.
#[derive(Debug, Default, Clone)]
pub(crate) struct Changes {
    pub(crate) articles: Vec<usize>,
    pub(crate) incidents: Vec<usize>,
    pub(crate) entities: Vec<usize>,
}

/// The items one article's annotations name, resolved, and the errors
/// among them. They stay the same for as long as the article and the id
/// namespace do, so a session keeps them from pass to pass ([`RefCache`]):
/// resolving 100,000 annotations' references on every `serve` pass means
/// reading them from all over memory.
#[derive(Debug, Default)]
pub(crate) struct ArticleRefs {
    /// (annotation index, item) for each id an annotation names that
    /// exists, annotation by annotation, its incidents then its entities.
    pub(crate) items: Vec<(usize, ItemRef)>,
    diagnostics: Vec<Diagnostic>,
}

/// [`ArticleRefs`] of the articles of the last pass, by article.
#[derive(Default)]
pub(crate) struct RefCache {
    /// A digest of the id namespace the entries were resolved in.
    namespace: u64,
    /// By the address of the article, which the entry keeps alive, so an
    /// address is never reused while it is a key.
    articles: FxHashMap<usize, (Arc<Article>, Arc<ArticleRefs>)>,
}

fn article_key(article: &Arc<Article>) -> usize {
    Arc::as_ptr(article) as usize
}

impl Dossier {
    /// Resolves ids and checks every cross-file reference.
    pub(crate) fn new(
        sources: Sources,
        base: BaseUrl,
        rule: Rule,
        cache: &mut RefCache,
        diagnostics: &mut Diagnostics,
    ) -> Dossier {
        let mut dossier = Dossier {
            config: sources.config,
            base,
            rule,
            included: Inclusion::default(),
            index: sources.index,
            articles: sources.articles,
            incidents: sources.incidents,
            entities: sources.entities,
            ids: Arc::default(),
            refs: Vec::new(),
            broken_ids: sources.broken_ids,
            link_epoch: 0,
            changes: None,
        };
        let mut timer = crate::timings::Timer::new();
        dossier.articles.sort_by(|a, b| a.id.cmp(&b.id));
        dossier.incidents.sort_by(|a, b| a.id.cmp(&b.id));
        dossier.entities.sort_by(|a, b| a.id.cmp(&b.id));
        timer.lap("  sort");
        dossier.included = Inclusion::new(rule, &dossier);
        dossier.index_ids(diagnostics);
        timer.lap("  index ids");
        dossier.check_references(cache, diagnostics);
        timer.lap("  check references");
        dossier.link_epoch = dossier.compute_link_epoch();
        dossier
    }

    /// `previous` with the items of `replaced` put in: what a pass after
    /// an edit that changed items but no ids costs, instead of resolving
    /// every id again. Only the references of the replaced items are
    /// checked: the others were, against the same ids.
    pub(crate) fn revise(
        previous: &Dossier,
        replaced: crate::load::Replaced,
        cache: &mut RefCache,
        diagnostics: &mut Diagnostics,
    ) -> Dossier {
        let changes = Changes {
            articles: replaced.articles.iter().map(|(i, _)| *i).collect(),
            incidents: replaced.incidents.iter().map(|(i, _)| *i).collect(),
            entities: replaced.entities.iter().map(|(i, _)| *i).collect(),
        };
        let mut dossier = Dossier {
            config: previous.config.clone(),
            base: previous.base.clone(),
            rule: previous.rule,
            included: Inclusion::default(),
            index: previous.index.clone(),
            articles: previous.articles.clone(),
            incidents: previous.incidents.clone(),
            entities: previous.entities.clone(),
            ids: Arc::clone(&previous.ids),
            refs: previous.refs.clone(),
            broken_ids: previous.broken_ids.clone(),
            link_epoch: previous.link_epoch,
            changes: None,
        };
        for (i, article) in replaced.articles {
            cache.articles.remove(&article_key(&dossier.articles[i]));
            dossier.articles[i] = article;
        }
        for (i, incident) in replaced.incidents {
            dossier.incidents[i] = incident;
        }
        for (i, entity) in replaced.entities {
            dossier.entities[i] = entity;
        }
        dossier.included = previous.included.revise(dossier.rule, &dossier, &changes);
        let mut found = Vec::new();
        for &i in &changes.articles {
            let refs = Arc::new(dossier.article_refs(&dossier.articles[i]));
            found.extend(refs.diagnostics.iter().cloned());
            let article = &dossier.articles[i];
            cache.articles.insert(
                article_key(article),
                (Arc::clone(article), Arc::clone(&refs)),
            );
            dossier.refs[i] = refs;
        }
        for &i in &changes.incidents {
            dossier.check_incident_refs(&dossier.incidents[i], &mut found);
        }
        for &i in &changes.entities {
            dossier.check_entity_refs(&dossier.entities[i], &mut found);
        }
        diagnostics.extend(found);
        // `@id` links read which items are published: the epoch changes
        // only if a replaced item's publication did.
        let publication = |d: &Dossier| -> Vec<bool> {
            let articles = changes.articles.iter().flat_map(|&i| {
                let ni = 0..d.articles[i].annotations.len();
                std::iter::once(d.included.item(ItemRef::Article(i)))
                    .chain(ni.map(move |ni| d.included.annotation(i, ni)))
            });
            let incidents = changes
                .incidents
                .iter()
                .map(|&i| d.included.item(ItemRef::Incident(i)));
            let entities = changes
                .entities
                .iter()
                .map(|&i| d.included.item(ItemRef::Entity(i)));
            articles.chain(incidents).chain(entities).collect()
        };
        let same_ids = changes.articles.iter().all(|&i| {
            let ids = previous.articles[i].annotations.iter().map(|n| &n.id);
            (dossier.articles[i].annotations.iter().map(|n| &n.id)).eq(ids)
        });
        if !(same_ids && publication(&dossier) == publication(previous)) {
            dossier.link_epoch = dossier.compute_link_epoch();
        }
        dossier.changes = Some(changes);
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
        let mut ids = FxHashMap::with_capacity_and_hasher(
            self.articles.len() + self.incidents.len() + self.entities.len(),
            Default::default(),
        );
        for (id, file, item) in items {
            match ids.entry(id.to_string()) {
                Entry::Occupied(first) => {
                    let first = self.file(*first.get());
                    diagnostics.push(
                        Diagnostic::at(file, 0..0, format!("the id `{id}` is already used by {}", first.path.display()))
                            .help("articles, incidents and entities share one namespace: rename one of the files"),
                    );
                }
                Entry::Vacant(slot) => {
                    slot.insert(item);
                }
            }
        }
        self.ids = Arc::new(ids);
    }

    /// The file an item is read from.
    fn file(&self, item: ItemRef) -> &Arc<SourceFile> {
        match item {
            ItemRef::Article(i) => &self.articles[i].file,
            ItemRef::Incident(i) => &self.incidents[i].file,
            ItemRef::Entity(i) => &self.entities[i].file,
        }
    }

    fn check_references(&mut self, cache: &mut RefCache, diagnostics: &mut Diagnostics) {
        let namespace = self.namespace_digest();
        if cache.namespace != namespace {
            cache.namespace = namespace;
            cache.articles.clear();
        }
        let refs: Vec<Arc<ArticleRefs>> = self
            .articles
            .par_iter()
            .map(|article| match cache.articles.get(&article_key(article)) {
                Some((_, refs)) => Arc::clone(refs),
                None => Arc::new(self.article_refs(article)),
            })
            .collect();
        cache.articles = self
            .articles
            .iter()
            .zip(&refs)
            .map(|(a, r)| (article_key(a), (Arc::clone(a), Arc::clone(r))))
            .collect();
        for article in &refs {
            diagnostics.extend(article.diagnostics.iter().cloned());
        }
        self.refs = refs;
        let mut found = Vec::new();
        for incident in &self.incidents {
            self.check_incident_refs(incident, &mut found);
        }
        for entity in &self.entities {
            self.check_entity_refs(entity, &mut found);
        }
        diagnostics.extend(found);
    }

    fn check_incident_refs(&self, incident: &Incident, found: &mut Vec<Diagnostic>) {
        let relations = incident.relations.iter().map(|r| &r.target);
        for id in incident
            .actors
            .iter()
            .chain(&incident.targets)
            .chain(&incident.malware)
            .chain(relations)
        {
            self.check_ref(&incident.file, id, ItemType::Entity, found);
        }
    }

    fn check_entity_refs(&self, entity: &Entity, found: &mut Vec<Diagnostic>) {
        for relation in &entity.relations {
            self.check_ref(&entity.file, &relation.target, ItemType::Entity, found);
        }
    }

    /// Resolves what the annotations of `article` name.
    fn article_refs(&self, article: &Article) -> ArticleRefs {
        let mut refs = ArticleRefs::default();
        let Some(file) = &article.annotations_file else {
            return refs;
        };
        for (ni, annotation) in article.annotations.iter().enumerate() {
            let named = annotation
                .incidents
                .iter()
                .map(|id| (id, ItemType::Incident))
                .chain(annotation.entities.iter().map(|id| (id, ItemType::Entity)));
            for (id, wanted) in named {
                self.check_ref(file, id, wanted, &mut refs.diagnostics);
                if let Some(&item) = self.ids.get(&id.value) {
                    refs.items.push((ni, item));
                }
            }
        }
        refs
    }

    /// A digest of every id, what it names, and the ids of files that
    /// failed: what [`ArticleRefs`] depend on besides the article.
    fn namespace_digest(&self) -> u64 {
        let mut h = FxHasher::default();
        for (i, a) in self.articles.iter().enumerate() {
            (&a.id, i).hash(&mut h);
        }
        for x in &self.incidents {
            x.id.hash(&mut h);
        }
        for x in &self.entities {
            x.id.hash(&mut h);
        }
        let mut broken: Vec<&String> = self.broken_ids.iter().collect();
        broken.sort_unstable();
        broken.hash(&mut h);
        h.finish()
    }

    fn check_ref(
        &self,
        file: &Arc<SourceFile>,
        id: &Spanned<String>,
        wanted: ItemType,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let wanted_name = wanted.name();
        match self.ids.get(&id.value) {
            Some(item) if item.item_type() == wanted => {}
            Some(item) => diagnostics.push(
                Diagnostic::at(
                    file,
                    id.span.clone(),
                    format!(
                        "`{}` is an {}, not an {wanted_name}",
                        id.value,
                        item.type_name()
                    ),
                )
                .help(format!(
                    "name an {wanted_name} here; `{}` belongs in a list of {}",
                    id.value,
                    item.item_type().folder()
                )),
            ),
            None if self.broken_ids.contains(&id.value) => {}
            None => {
                let candidates = self
                    .ids
                    .iter()
                    .filter(|(_, item)| item.item_type() == wanted)
                    .map(|(k, _)| k.as_str());
                let suggestion = did_you_mean(&id.value, candidates);
                let folder = wanted.folder();
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("create content/{folder}/{}.yaml, or fix the id", id.value),
                };
                diagnostics.push(
                    Diagnostic::at(
                        file,
                        id.span.clone(),
                        format!("unknown {wanted_name} `{}`", id.value),
                    )
                    .help(help),
                );
            }
        }
    }

    /// Whether `fragment` of an article's page (`ID` or `note-ID`) names
    /// one of its annotations that is not published.
    pub(crate) fn withheld_annotation(&self, article: usize, fragment: &str) -> bool {
        let note = fragment.strip_prefix("note-");
        let annotations = &self.articles[article].annotations;
        annotations.iter().enumerate().any(|(ni, n)| {
            (n.id == fragment || note == Some(n.id.as_str()))
                && !self.included.annotation(article, ni)
        })
    }

    /// The page URL (with the base path) of an item.
    pub(crate) fn url(&self, item: ItemRef) -> String {
        let (section, id) = match item {
            ItemRef::Article(i) => ("articles/", &self.articles[i].id),
            ItemRef::Incident(i) => ("incidents/", &self.incidents[i].id),
            ItemRef::Entity(i) => ("entities/", &self.entities[i].id),
        };
        // Pushed rather than `format!`ted: every reference on every page
        // makes one.
        let base = &self.base.path;
        let mut url = String::with_capacity(base.len() + section.len() + id.len() + 1);
        url.push_str(base);
        url.push_str(section);
        url.push_str(id);
        url.push('/');
        url
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
            Some(&item) if self.included.item(item) => Lookup::Included(item),
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
        self.link_epoch
    }

    fn compute_link_epoch(&self) -> u64 {
        let mut h = FxHasher::default();
        (&self.base.path, self.config.unsafe_html).hash(&mut h);
        for (i, a) in self.articles.iter().enumerate() {
            let included = self.included.item(ItemRef::Article(i));
            (1u8, &a.id, included).hash(&mut h);
            // `@article#annotation` to a withheld annotation is plain text.
            for ni in 0..a.annotations.len() {
                if included && !self.included.annotation(i, ni) {
                    (4u8, &a.annotations[ni].id).hash(&mut h);
                }
            }
        }
        for (i, x) in self.incidents.iter().enumerate() {
            (2u8, &x.id, self.included.item(ItemRef::Incident(i))).hash(&mut h);
        }
        for (i, x) in self.entities.iter().enumerate() {
            (3u8, &x.id, self.included.item(ItemRef::Entity(i))).hash(&mut h);
        }
        h.finish()
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
