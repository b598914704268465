//! The search index (`/pagefind/`): Pagefind, used as a library.
//!
//! Pagefind splits its index into chunks, so a reader's browser loads only
//! what a query needs, whatever the size of the dossier; it stems many
//! languages and supports filters. We do not let it crawl the rendered
//! pages: each record is built from the [`Published`] view, so only what
//! the site may show is indexed, and records can be finer than pages.
//!
//! One page per article (its visible text, then each annotation as a
//! section headed `id="note-ID"`, so a hit in a note is a sub-result that
//! links to the note), one per incident and one per entity (with all its
//! names, so any alias finds it). Filters: `type`, annotation `kind` and
//! `confidence`, `entity`, `incident`, `year` and `tag`. (One page per
//! annotation would give each its own filters, but Pagefind's cost is per
//! page: 100,000 annotations took ten times as long to index as the 10,000
//! articles that hold them.)

use std::hash::{Hash as _, Hasher as _};

use rustc_hash::FxHasher;

use crate::graph::ItemRef;
use crate::highlight::escape;
use crate::model::{AnnotationKind, Confidence};
use crate::publish::{Published, Reference};
use crate::yaml::Spanned;

/// The folder of the index under the site root.
pub(crate) const FOLDER: &str = "pagefind";

/// One page to index: built from the published view, not read from the
/// rendered site, so the index holds exactly what may be shown.
struct Document {
    /// Relative to the site root (Pagefind's script prefixes its base URL).
    url: String,
    html: String,
}

/// What the index is made from: one small page per record, and the language.
pub(crate) struct Input {
    language: String,
    documents: Vec<Document>,
}

/// The records of `view`, ready to index.
pub(crate) fn input(view: &Published<'_>) -> Input {
    Input {
        language: view.dossier.config.language.clone(),
        documents: documents(view),
    }
}

/// The index files, as (site path, bytes).
pub(crate) fn index(view: &Published<'_>) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    input(view).index()
}

impl Input {
    /// A digest of everything the index is made from: the same digest from
    /// the same program means the same index files (`rebuild` relies on it).
    pub(crate) fn digest(&self) -> u64 {
        let mut h = FxHasher::default();
        self.language.hash(&mut h);
        for doc in &self.documents {
            (&doc.url, &doc.html).hash(&mut h);
        }
        h.finish()
    }

    /// Indexes the records: most of the cost of a build with search on
    /// (see docs/performance.md).
    pub(crate) fn index(self) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
        let mut timer = crate::timings::Timer::new();
        let Input {
            language,
            documents,
        } = self;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let files = runtime.block_on(async move {
            let options = pagefind::options::PagefindServiceConfig::builder()
                .force_language(language)
                .build();
            let mut index = pagefind::api::PagefindIndex::new(Some(options))?;
            for doc in documents {
                index.add_html_file(None, Some(doc.url), doc.html).await?;
            }
            timer.lap("  search: read records");
            let files = index.get_files().await;
            timer.lap("  search: build and compress");
            files
        })?;
        Ok(files
            .into_iter()
            .filter_map(|file| {
                let name = file.filename.to_string_lossy().replace('\\', "/");
                // The ready-made UIs and the playground: our page has its own.
                let unused = name.contains("-ui.")
                    || name.contains("playground")
                    || name.ends_with("pagefind-highlight.js");
                (!unused).then(|| (format!("{FOLDER}/{name}"), file.contents))
            })
            .collect())
    }
}

/// Builds one small HTML page for Pagefind: `<meta>` elements carry the
/// title, date and filters; headings with ids become sub-results.
struct Page {
    head: String,
    body: String,
}

impl Page {
    fn new() -> Page {
        Page {
            head: String::new(),
            body: String::new(),
        }
    }

    fn meta(&mut self, key: &str, value: &str) {
        self.head.push_str(&format!(
            "<meta data-pagefind-meta=\"{key}[content]\" content=\"{}\">",
            escape(value)
        ));
    }

    fn filter(&mut self, key: &str, values: &[String]) {
        for value in values {
            self.head.push_str(&format!(
                "<meta data-pagefind-filter=\"{key}[content]\" content=\"{}\">",
                escape(value)
            ));
        }
    }

    fn heading(&mut self, level: u8, id: Option<&str>, text: &str) {
        match id {
            Some(id) => self
                .body
                .push_str(&format!("<h{level} id=\"{}\">", escape(id))),
            None => self.body.push_str(&format!("<h{level}>")),
        }
        self.body.push_str(&escape(text));
        self.body.push_str(&format!("</h{level}>"));
    }

    fn paragraph(&mut self, text: &str) {
        if !text.trim().is_empty() {
            self.body.push_str("<p>");
            self.body.push_str(&escape(text));
            self.body.push_str("</p>");
        }
    }

    fn finish(self, url: String) -> Document {
        Document {
            url,
            html: format!(
                "<!doctype html><html><head>{}</head><body>{}</body></html>",
                self.head, self.body
            ),
        }
    }
}

fn documents(view: &Published<'_>) -> Vec<Document> {
    let d = view.dossier;
    let p = view.prepared;
    let base = &d.base.path;
    let relative = |url: String| url.strip_prefix(base.as_str()).unwrap_or(&url).to_string();
    let names = |ids: &[Spanned<String>], wanted: fn(ItemRef) -> bool| -> Vec<String> {
        ids.iter()
            .filter_map(|id| match view.reference(&id.value) {
                Reference::Item(item) if wanted(item) => Some(view.title(item).to_string()),
                _ => None,
            })
            .collect()
    };
    let is_entity = |item: ItemRef| matches!(item, ItemRef::Entity(_));
    let is_incident = |item: ItemRef| matches!(item, ItemRef::Incident(_));
    let mut out = Vec::new();
    // The published entities each article annotates or links to.
    let mut article_entities: Vec<Vec<String>> = vec![Vec::new(); d.articles.len()];
    for &e in view.entities() {
        for &ai in &view.backlinks().entity_articles[e] {
            article_entities[ai].push(d.entities[e].name.clone());
        }
    }

    for &ai in view.articles() {
        let a = &d.articles[ai];
        let out_a = &p.articles[ai];
        let mut page = Page::new();
        page.meta("title", &a.title);
        page.meta("type", "Article");
        page.meta("date", &a.published.display());
        if let Some(summary) = &a.summary {
            page.meta("summary", summary);
        }
        page.filter("type", &["Article".into()]);
        page.filter("year", &[a.published.year().to_string()]);
        page.filter("tag", &a.tags);
        page.heading(1, None, &a.title);
        let text = &out_a.text;
        for block in text_blocks(text) {
            page.paragraph(block);
        }
        let (mut entities, mut incidents, mut kinds, mut confidences, mut tags) = (
            std::mem::take(&mut article_entities[ai]),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        // Each annotation is a section: a hit in it links to `#note-ID`.
        for &ni in view.annotations(ai) {
            let n = &a.annotations[ni];
            entities.extend(names(&n.entities, is_entity));
            incidents.extend(names(&n.incidents, is_incident));
            kinds.push(kind_label(n.kind).to_string());
            if let Some(c) = n.confidence {
                confidences.push(confidence_label(c).to_string());
            }
            tags.extend(n.tags.iter().cloned());
            let title = format!("{}: “{}”", kind_label(n.kind), n.quote.value);
            page.heading(2, Some(&format!("note-{}", n.id)), &title);
            page.paragraph(&plain(&out_a.notes[ni]));
        }
        for list in [
            &mut entities,
            &mut incidents,
            &mut kinds,
            &mut confidences,
            &mut tags,
        ] {
            list.sort();
            list.dedup();
        }
        if !kinds.is_empty() {
            page.filter("type", &["Annotation".into()]);
        }
        page.filter("kind", &kinds);
        page.filter("confidence", &confidences);
        page.filter("entity", &entities);
        page.filter("incident", &incidents);
        page.filter("tag", &tags);
        out.push(page.finish(relative(view.url(ItemRef::Article(ai)))));
    }

    for &i in view.incidents() {
        let x = &d.incidents[i];
        let mut entities: Vec<String> = names(&x.actors, is_entity);
        entities.extend(names(&x.targets, is_entity));
        entities.extend(names(&x.malware, is_entity));
        let mut page = Page::new();
        page.meta("title", &x.title);
        page.meta("type", "Incident");
        page.meta("date", &x.date.display());
        page.filter("type", &["Incident".into()]);
        page.filter("year", &[x.date.year().to_string()]);
        page.filter("entity", &entities);
        page.filter("incident", std::slice::from_ref(&x.title));
        page.filter("tag", &x.tags);
        page.heading(1, None, &x.title);
        page.paragraph(&plain(&p.incident_summaries[i]));
        page.paragraph(x.losses.as_deref().unwrap_or_default());
        out.push(page.finish(relative(view.url(ItemRef::Incident(i)))));
    }

    for &e in view.entities() {
        let x = &d.entities[e];
        let mut page = Page::new();
        page.meta("title", &x.name);
        page.meta("type", "Entity");
        if !x.aliases.is_empty() {
            page.meta("aliases", &x.aliases.join(", "));
        }
        page.filter("type", &["Entity".into()]);
        page.filter("entity", std::slice::from_ref(&x.name));
        page.filter("tag", &x.tags);
        page.heading(1, None, &x.name);
        // Any of its names finds it.
        page.paragraph(&x.aliases.join(" · "));
        page.paragraph(&plain(&p.entity_summaries[e]));
        out.push(page.finish(relative(view.url(ItemRef::Entity(e)))));
    }
    out
}

/// The blocks of an article's visible text (separated by blank lines).
fn text_blocks(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n")
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
