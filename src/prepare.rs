//! Everything Markdown-derived: article bodies rendered and annotated,
//! summaries and the front page rendered.
//!
//! Work is cached per file version: an article is rendered again only when
//! its file, its annotations file or the set of linkable ids changed, so a
//! `serve` rebuild after one edit renders one article.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use std::sync::Arc;

use rayon::prelude::*;

use crate::annotate::{self, ArticleOut};
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::graph::{Changes, Dossier};
use crate::links::SourcedLink;
use crate::model::Markdown;

/// Everything Markdown-derived, for one version of the dossier.
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) articles: Vec<Arc<ArticleOut>>,
    pub(crate) incident_summaries: Vec<Arc<str>>,
    pub(crate) entity_summaries: Vec<Arc<str>>,
    /// The notes of relations and aliases, by `kind/id/relation/k` or
    /// `entity/id/alias/k`.
    notes: Arc<FxHashMap<String, Arc<str>>>,
    pub(crate) intro_html: Arc<str>,
    /// Links written in summaries and the front page, with their place
    /// (articles keep theirs in [`ArticleOut::links`]).
    pub(crate) links: Vec<Arc<[SourcedLink]>>,
}

impl Prepared {
    /// The note of relation `k` of an incident or entity (`item` is
    /// `incident/<id>` or `entity/<id>`), empty when it has none.
    pub(crate) fn relation_note(&self, item: &str, k: usize) -> &str {
        self.notes
            .get(&format!("{item}/relation/{k}"))
            .map_or("", |n| n)
    }

    /// The note of alias `k` of an entity, empty when it has none.
    pub(crate) fn alias_note(&self, entity: &str, k: usize) -> &str {
        self.notes
            .get(&format!("entity/{entity}/alias/{k}"))
            .map_or("", |n| n)
    }

    /// Every link written in Markdown that reached a page, with its place.
    pub(crate) fn sourced_links(&self) -> impl Iterator<Item = &SourcedLink> {
        self.articles
            .iter()
            .flat_map(|a| a.links.iter())
            .chain(self.links.iter().flat_map(|l| l.iter()))
    }
}

/// Results of earlier runs, keyed by what they were computed from.
#[derive(Default)]
pub(crate) struct Cache {
    articles: FxHashMap<String, Cached<Arc<ArticleOut>>>,
    summaries: FxHashMap<String, Cached<Arc<str>>>,
    intro: Option<Cached<Arc<str>>>,
    /// The epoch the entries of the last run were made in.
    epoch: u64,
}

struct Cached<T> {
    key: u64,
    value: T,
    errors: Vec<Diagnostic>,
    links: Arc<[SourcedLink]>,
}

fn key(link_epoch: u64, files: &[Option<&Arc<SourceFile>>]) -> u64 {
    let mut h = FxHasher::default();
    link_epoch.hash(&mut h);
    for file in files {
        file.map(|f| f.digest).hash(&mut h);
    }
    h.finish()
}

/// What an article's rendering is keyed by: its two files and the epoch.
fn article_key(epoch: u64, article: &crate::model::Article) -> u64 {
    key(
        epoch,
        &[Some(&article.file), article.annotations_file.as_ref()],
    )
}

/// Article `ai` rendered and annotated, for the cache under `key`.
fn process_article(dossier: &Dossier, ai: usize, key: u64) -> Cached<Arc<ArticleOut>> {
    let mut errors = Vec::new();
    let out = annotate::process_article(dossier, ai, &mut errors);
    Cached {
        key,
        value: Arc::new(out),
        errors,
        links: Arc::new([]),
    }
}

/// Renders what changed since the cache was filled, reuses the rest.
/// With `previous`, what was prepared for the dossier `dossier` revised
/// (and the changes it made), only the changed items are looked at.
pub(crate) fn prepare(
    dossier: &Dossier,
    cache: &mut Cache,
    previous: Option<(&Prepared, &Changes)>,
) -> (Prepared, Vec<Diagnostic>) {
    let mut timer = crate::timings::Timer::new();
    // Highlighted code depends on the highlight themes as well.
    let epoch = {
        let mut h = FxHasher::default();
        (dossier.link_epoch(), crate::highlight::salt()).hash(&mut h);
        h.finish()
    };
    let epoch_changed = std::mem::replace(&mut cache.epoch, epoch) != epoch;
    timer.lap("  link epoch");
    if let Some((previous, changes)) = previous
        && !epoch_changed
        && changes.incidents.is_empty()
        && changes.entities.is_empty()
    {
        return prepare_articles(dossier, cache, epoch, previous, &changes.articles);
    }

    let article_keys: Vec<u64> = dossier
        .articles
        .iter()
        .map(|a| article_key(epoch, a))
        .collect();
    let fresh: Vec<(usize, Cached<Arc<ArticleOut>>)> = (0..dossier.articles.len())
        .into_par_iter()
        .filter(|&ai| {
            let cached = cache.articles.get(&dossier.articles[ai].id);
            cached.is_none_or(|c| c.key != article_keys[ai])
        })
        .map(|ai| (ai, process_article(dossier, ai, article_keys[ai])))
        .collect();
    timer.lap("  articles");
    for (ai, cached) in fresh {
        cache
            .articles
            .insert(dossier.articles[ai].id.clone(), cached);
    }

    // Summaries of incidents, then of entities, then the notes of their
    // relations and aliases (named as in `Prepared::note`).
    let mut markdown: Vec<(String, &Arc<SourceFile>, &Option<Markdown>)> = dossier
        .incidents
        .iter()
        .map(|i| (format!("incident/{}", i.id), &i.file, &i.summary))
        .chain(
            dossier
                .entities
                .iter()
                .map(|e| (format!("entity/{}", e.id), &e.file, &e.summary)),
        )
        .collect();
    for x in &dossier.incidents {
        for (k, r) in x.relations.iter().enumerate() {
            markdown.push((format!("incident/{}/relation/{k}", x.id), &x.file, &r.note));
        }
    }
    for x in &dossier.entities {
        for (k, r) in x.relations.iter().enumerate() {
            markdown.push((format!("entity/{}/relation/{k}", x.id), &x.file, &r.note));
        }
        for (k, a) in x.names.iter().enumerate() {
            markdown.push((format!("entity/{}/alias/{k}", x.id), &x.file, &a.note));
        }
    }
    let summaries: Vec<(String, u64, &Arc<SourceFile>, &Option<Markdown>)> = markdown
        .into_iter()
        .map(|(name, file, md)| (name, key(epoch, &[Some(file)]), file, md))
        .collect();
    let fresh: Vec<(String, Cached<Arc<str>>)> = summaries
        .par_iter()
        .filter(|(name, key, ..)| cache.summaries.get(name).is_none_or(|c| c.key != *key))
        .map(|(name, key, file, md)| {
            let mut errors = Vec::new();
            let mut links = Vec::new();
            let html = md
                .as_ref()
                .map(|m| {
                    annotate::render_markdown_value_with_links(
                        dossier,
                        file,
                        m,
                        &mut errors,
                        &mut links,
                    )
                    .0
                })
                .unwrap_or_default();
            let cached = Cached {
                key: *key,
                value: Arc::from(html),
                errors,
                links: Arc::from(links),
            };
            (name.clone(), cached)
        })
        .collect();
    cache.summaries.extend(fresh);
    timer.lap("  summaries");
    let intro = prepare_intro(dossier, epoch, cache.intro.take());

    // Forget what the dossier no longer has.
    if cache.articles.len() > dossier.articles.len() {
        let ids: FxHashSet<&str> = dossier.articles.iter().map(|a| a.id.as_str()).collect();
        cache.articles.retain(|id, _| ids.contains(id.as_str()));
    }
    if cache.summaries.len() > summaries.len() {
        let names: FxHashSet<&str> = summaries.iter().map(|s| s.0.as_str()).collect();
        cache
            .summaries
            .retain(|name, _| names.contains(name.as_str()));
    }

    let mut errors = Vec::new();
    let mut articles = Vec::with_capacity(dossier.articles.len());
    for a in dossier.articles.iter() {
        let cached = &cache.articles[&a.id];
        errors.extend(cached.errors.iter().cloned());
        articles.push(Arc::clone(&cached.value));
    }
    let mut summaries_html = Vec::with_capacity(summaries.len());
    let mut links = Vec::with_capacity(summaries.len() + 1);
    for (name, ..) in &summaries {
        let cached = &cache.summaries[name];
        errors.extend(cached.errors.iter().cloned());
        summaries_html.push(Arc::clone(&cached.value));
        if !cached.links.is_empty() {
            links.push(Arc::clone(&cached.links));
        }
    }
    let notes_html = summaries_html.split_off(dossier.incidents.len() + dossier.entities.len());
    let notes = summaries[dossier.incidents.len() + dossier.entities.len()..]
        .iter()
        .map(|(name, ..)| name.clone())
        .zip(notes_html)
        .collect();
    let entity_summaries = summaries_html.split_off(dossier.incidents.len());
    let incident_summaries = summaries_html;
    errors.extend(intro.errors.iter().cloned());
    let intro_html = Arc::clone(&intro.value);
    links.push(Arc::clone(&intro.links));
    cache.intro = Some(intro);

    timer.lap("  collect");
    let prepared = Prepared {
        articles,
        incident_summaries,
        entity_summaries,
        notes: Arc::new(notes),
        intro_html,
        links,
    };
    (prepared, errors)
}

/// `previous` with the articles `changed` prepared again: when nothing
/// else changed, nothing else can have (the epoch is the same).
fn prepare_articles(
    dossier: &Dossier,
    cache: &mut Cache,
    epoch: u64,
    previous: &Prepared,
    changed: &[usize],
) -> (Prepared, Vec<Diagnostic>) {
    let mut prepared = previous.clone();
    let mut errors = Vec::new();
    for &ai in changed {
        let article = &dossier.articles[ai];
        let key = article_key(epoch, article);
        if cache.articles.get(&article.id).is_none_or(|c| c.key != key) {
            let fresh = process_article(dossier, ai, key);
            cache.articles.insert(article.id.clone(), fresh);
        }
        let cached = &cache.articles[&article.id];
        errors.extend(cached.errors.iter().cloned());
        prepared.articles[ai] = Arc::clone(&cached.value);
    }
    (prepared, errors)
}

fn prepare_intro(
    dossier: &Dossier,
    epoch: u64,
    cached: Option<Cached<Arc<str>>>,
) -> Cached<Arc<str>> {
    let key = key(epoch, &[dossier.index.as_ref().map(|page| &page.file)]);
    if let Some(cached) = cached.filter(|c| c.key == key) {
        return cached;
    }
    let mut errors = Vec::new();
    let mut links = Vec::new();
    let html = match &dossier.index {
        Some(page) => {
            let rendered = crate::markdown::render_fragment(
                page.body(),
                dossier.config.unsafe_html,
                &annotate::resolver(dossier),
            );
            for bad in &rendered.bad_refs {
                let span = page.body_start + bad.range.start..page.body_start + bad.range.end;
                errors.push(annotate::unknown_ref(dossier, &page.file, span, bad));
            }
            for bad in &rendered.bad_urls {
                let span = page.body_start + bad.range.start..page.body_start + bad.range.end;
                errors.push(annotate::unsafe_url(&page.file, span, bad));
            }
            links.extend(annotate::sourced_links(
                &page.file,
                page.body_start,
                &rendered.links,
            ));
            rendered.html
        }
        None => String::new(),
    };
    Cached {
        key,
        value: Arc::from(html),
        errors,
        links: Arc::from(links),
    }
}
