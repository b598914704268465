//! Search (`/search/` and its index under `/search-index/`), our own.
//!
//! The index is made from the [`Published`] view, never by crawling the
//! rendered pages, so it holds exactly what the site may show, and its
//! records can be finer than pages: one per article (its visible text),
//! one per annotation (its quote and note, linking to `#note-ID` in its
//! article), one per incident and one per entity (with all its names, so
//! any alias finds it). Facets: `type`, annotation `kind` and
//! `confidence`, `entity`, `incident`, `year` and `tag`.
//!
//! We used Pagefind until its indexer became most of a build's time and
//! memory (it reads records one at a time under a lock and keeps every
//! word until it writes); this index is built on every core from the
//! records in memory, and `static/search.js` reads it with no WebAssembly.
//! [`index`] owns the file layout, [`words`] what a word is.

mod index;
mod words;

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHasher;

use crate::annotate::ArticleOut;
use crate::graph::ItemRef;
use crate::model::{AnnotationKind, Confidence};
use crate::publish::{Published, Reference};
use crate::yaml::Spanned;

/// The folder of the index under the site root.
pub(crate) const FOLDER: &str = "search-index";

/// One thing a search can find.
#[derive(Hash)]
pub(crate) struct Record {
    /// Relative to the site root (`search.js` prefixes the base path).
    url: String,
    title: String,
    /// Article, Annotation, Incident or Entity: the `type` facet's value.
    kind: &'static str,
    date: Option<String>,
    /// For an annotation, the title of its article.
    context: Option<String>,
    /// The words that find it besides its title, and its excerpts.
    text: Text,
    /// (facet, value) pairs, each once.
    facets: Vec<(&'static str, String)>,
}

/// A record's text. An article's is shared with the rendered article
/// rather than copied: on a large dossier that is most of the index's
/// input.
pub(crate) enum Text {
    Own(String),
    /// The summary, if any, then the article's visible text.
    Article(Option<String>, Arc<ArticleOut>),
}

impl Text {
    /// The text in pieces, to be read one after the other with a blank
    /// line between.
    fn pieces(&self) -> [Cow<'_, str>; 2] {
        match self {
            Text::Own(text) => [Cow::Borrowed(""), Cow::Borrowed(text)],
            Text::Article(summary, out) => [
                Cow::Borrowed(summary.as_deref().unwrap_or_default()),
                Cow::Owned(out.text()),
            ],
        }
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Text::Own(text) => text.hash(state),
            // The same text always packs to the same bytes, so the packed
            // text stands for it without being unpacked.
            Text::Article(summary, out) => (summary, out.packed_text()).hash(state),
        }
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [first, second] = self.pieces();
        if !first.is_empty() {
            f.write_str(&first)?;
            f.write_str("\n\n")?;
        }
        f.write_str(&second)
    }
}

/// What the index is made from: the records, in groups that are fetched
/// together (an article with its annotations, an incident, an entity).
pub(crate) struct Input {
    records: Vec<Record>,
    /// The id of each group's first record.
    groups: Vec<u32>,
}

/// The records of `view`, ready to index.
pub(crate) fn input(view: &Published<'_>) -> Input {
    let d = view.dossier;
    // The published entities each article annotates or links to.
    let mut article_entities: Vec<Vec<String>> = vec![Vec::new(); d.articles.len()];
    for &e in view.entities() {
        for &ai in &view.backlinks().entity_articles[e] {
            article_entities[ai].push(d.entities[e].name.clone());
        }
    }
    let mut groups: Vec<Vec<Record>> = view
        .articles()
        .par_iter()
        .map(|&ai| article_records(view, ai, &article_entities[ai]))
        .collect();
    groups.extend(
        view.incidents()
            .iter()
            .map(|&i| vec![incident_record(view, i)]),
    );
    groups.extend(
        view.entities()
            .iter()
            .map(|&e| vec![entity_record(view, e)]),
    );
    let mut starts = Vec::with_capacity(groups.len());
    let mut records = Vec::with_capacity(groups.iter().map(Vec::len).sum());
    for group in groups {
        starts.push(records.len() as u32);
        records.extend(group);
    }
    Input {
        records,
        groups: starts,
    }
}

/// The index files, as (site path, bytes), for `serve` to keep.
#[cfg_attr(not(feature = "serve"), allow(dead_code))]
pub(crate) fn index(view: &Published<'_>) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let files = crate::output::MemorySink::default();
    input(view).write(&files)?;
    Ok(files.files.into_inner().unwrap_or_else(|e| e.into_inner()))
}

impl Input {
    /// A digest of everything the index is made from: the same digest from
    /// the same program means the same index files (`rebuild` relies on it).
    pub(crate) fn digest(&self) -> u64 {
        let mut h = FxHasher::default();
        self.records.hash(&mut h);
        self.groups.hash(&mut h);
        h.finish()
    }

    /// Writes the index files into `sink`.
    pub(crate) fn write(self, sink: &dyn crate::output::Sink) -> anyhow::Result<()> {
        let digest = self.digest();
        index::write(&self.records, &self.groups, digest, sink)
    }
}

/// The names of the items `ids` refer to that pass `wanted` and may be
/// shown.
fn names(
    view: &Published<'_>,
    ids: &[Spanned<String>],
    wanted: fn(ItemRef) -> bool,
) -> Vec<String> {
    ids.iter()
        .filter_map(|id| match view.reference(&id.value) {
            Reference::Item(item) if wanted(item) => Some(view.title(item).to_string()),
            _ => None,
        })
        .collect()
}

fn is_entity(item: ItemRef) -> bool {
    matches!(item, ItemRef::Entity(_))
}

fn is_incident(item: ItemRef) -> bool {
    matches!(item, ItemRef::Incident(_))
}

/// A URL of the view made relative to the site root.
fn relative(view: &Published<'_>, url: String) -> String {
    let base = view.dossier.base.path.as_str();
    url.strip_prefix(base).map(str::to_string).unwrap_or(url)
}

/// Adds `(key, value)` for each value, sorted and once each.
fn facet(facets: &mut Vec<(&'static str, String)>, key: &'static str, mut values: Vec<String>) {
    values.sort();
    values.dedup();
    facets.extend(values.into_iter().map(|v| (key, v)));
}

/// An article's record, then one per published annotation.
fn article_records(view: &Published<'_>, ai: usize, linked: &[String]) -> Vec<Record> {
    let a = &view.dossier.articles[ai];
    let rendered = &view.prepared.articles[ai];
    let url = relative(view, view.url(ItemRef::Article(ai)));
    let year = a.published.year().to_string();
    let date = a.published.display();
    let mut records = Vec::with_capacity(1 + view.annotations(ai).len());
    // The article carries the entities and incidents its annotations name,
    // besides those it links to, so a facet finds the article too.
    let mut entities = linked.to_vec();
    let mut incidents = Vec::new();
    for &ni in view.annotations(ai) {
        let n = &a.annotations[ni];
        let mut facets = vec![("type", "Annotation".to_string()), ("year", year.clone())];
        let note_entities = names(view, &n.entities, is_entity);
        let note_incidents = names(view, &n.incidents, is_incident);
        entities.extend(note_entities.iter().cloned());
        incidents.extend(note_incidents.iter().cloned());
        facet(&mut facets, "kind", vec![kind_label(n.kind).to_string()]);
        facet(
            &mut facets,
            "confidence",
            n.confidence
                .map(|c| confidence_label(c).to_string())
                .into_iter()
                .collect(),
        );
        facet(&mut facets, "entity", note_entities);
        facet(&mut facets, "incident", note_incidents);
        facet(&mut facets, "tag", n.tags.clone());
        records.push(Record {
            url: format!("{url}#note-{}", n.id),
            title: format!("{}: “{}”", kind_label(n.kind), n.quote.value),
            kind: "Annotation",
            date: Some(date.clone()),
            context: Some(a.title.clone()),
            text: Text::Own(plain(&rendered.notes[ni])),
            facets,
        });
    }
    let mut facets = vec![("type", "Article".to_string()), ("year", year)];
    facet(&mut facets, "entity", entities);
    facet(&mut facets, "incident", incidents);
    facet(&mut facets, "tag", a.tags.clone());
    let text = Text::Article(a.summary.clone(), Arc::clone(rendered));
    records.insert(
        0,
        Record {
            url,
            title: a.title.clone(),
            kind: "Article",
            date: Some(date),
            context: None,
            text,
            facets,
        },
    );
    records
}

fn incident_record(view: &Published<'_>, i: usize) -> Record {
    let x = &view.dossier.incidents[i];
    let mut entities = names(view, &x.actors, is_entity);
    entities.extend(names(view, &x.targets, is_entity));
    entities.extend(names(view, &x.malware, is_entity));
    let mut facets = vec![
        ("type", "Incident".to_string()),
        ("year", x.date.year().to_string()),
        ("incident", x.title.clone()),
    ];
    facet(&mut facets, "entity", entities);
    facet(&mut facets, "tag", x.tags.clone());
    let mut text = plain(&view.prepared.incident_summaries[i]);
    if let Some(losses) = &x.losses {
        text.push_str("\n\n");
        text.push_str(losses);
    }
    Record {
        url: relative(view, view.url(ItemRef::Incident(i))),
        title: x.title.clone(),
        kind: "Incident",
        date: Some(x.date.display()),
        context: None,
        text: Text::Own(text),
        facets,
    }
}

fn entity_record(view: &Published<'_>, e: usize) -> Record {
    let x = &view.dossier.entities[e];
    let mut facets = vec![("type", "Entity".to_string()), ("entity", x.name.clone())];
    facet(&mut facets, "tag", x.tags.clone());
    // Any of its names finds it.
    let mut text = String::new();
    if !x.aliases.is_empty() {
        text.push_str("Also known as ");
        text.push_str(&x.aliases.join(", "));
        text.push_str(".\n\n");
    }
    text.push_str(&plain(&view.prepared.entity_summaries[e]));
    Record {
        url: relative(view, view.url(ItemRef::Entity(e))),
        title: x.name.clone(),
        kind: "Entity",
        date: None,
        context: None,
        text: Text::Own(text),
        facets,
    }
}

fn kind_label(kind: AnnotationKind) -> &'static str {
    match kind {
        AnnotationKind::Note => "Note",
        AnnotationKind::Claim => "Claim",
        AnnotationKind::Context => "Context",
        AnnotationKind::Correction => "Correction",
        AnnotationKind::Question => "Question",
    }
}

fn confidence_label(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::Low => "Low",
        Confidence::Moderate => "Moderate",
        Confidence::High => "High",
    }
}

/// The text of some HTML we rendered, tags dropped and entities decoded.
fn plain(html: &str) -> String {
    let mut text = crate::anchor::RenderedText::default();
    crate::marks::extract(html, &mut text);
    text.text
}
