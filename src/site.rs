//! From a prepared dossier to the files of the site.
//!
//! [`render`] builds the template context of every page, renders the pages
//! through the theme in parallel and hands each file to a [`Sink`]. Only
//! published items reach a view: the TLP filter is applied here, once, for
//! every output file.
//!
//! Each page also has a signature, a hash of everything its content depends
//! on; given the signatures of the previous run, only pages whose signature
//! changed are rendered again (the incremental rebuilds of `serve`).

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHasher};

use rayon::prelude::*;
use serde_json::{Value, json};

use crate::chart;
use crate::citations::Citations;
use crate::graph::{AnnotationRef, Dossier, ItemRef, Lookup};
use crate::highlight;
use crate::model::Article;
use crate::output::Sink;
use crate::prepare::Prepared;
use crate::theme::Theme;
use crate::tlp::Tlp;
use crate::yaml::Spanned;

/// What a render produced.
#[derive(Debug, Default, Clone)]
#[cfg_attr(not(feature = "serve"), allow(dead_code))]
pub(crate) struct Rendered {
    pub(crate) pages: usize,
    pub(crate) annotations: usize,
    /// Site paths written this time (all of them without earlier signatures).
    pub(crate) written: Vec<String>,
    /// Site paths of the previous run that no longer exist.
    pub(crate) removed: Vec<String>,
}

/// Per site path, the signature of what was last written there.
pub(crate) type Signatures = FxHashMap<String, u64>;

/// One output file to produce.
enum Page {
    Index,
    Timeline,
    Entities,
    NotFound,
    Article(usize),
    Incident(usize),
    Entity(usize),
    Feed,
    Sitemap,
    Robots,
}

impl Page {
    fn path(&self, d: &Dossier) -> String {
        match self {
            Page::Index => "index.html".into(),
            Page::Timeline => "timeline/index.html".into(),
            Page::Entities => "entities/index.html".into(),
            Page::NotFound => "404.html".into(),
            Page::Article(i) => format!("articles/{}/index.html", d.articles[*i].id),
            Page::Incident(i) => format!("incidents/{}/index.html", d.incidents[*i].id),
            Page::Entity(i) => format!("entities/{}/index.html", d.entities[*i].id),
            Page::Feed => "feed.xml".into(),
            Page::Sitemap => "sitemap.xml".into(),
            Page::Robots => "robots.txt".into(),
        }
    }
}

/// Renders the site into `sink`: every file, or with `previous` signatures
/// only the files whose inputs changed (`previous` is then updated).
pub(crate) fn render(
    dossier: &Dossier,
    prepared: &Prepared,
    theme: &Theme,
    sink: &dyn Sink,
    previous: Option<&mut Signatures>,
) -> anyhow::Result<Rendered> {
    let views = Views {
        d: dossier,
        p: prepared,
    };
    let mut pages = vec![
        Page::Index,
        Page::Timeline,
        Page::Entities,
        Page::NotFound,
        Page::Feed,
        Page::Sitemap,
        Page::Robots,
    ];
    pages.extend(views.articles().map(Page::Article));
    pages.extend(views.incidents().map(Page::Incident));
    pages.extend(views.entities().map(Page::Entity));

    let mut timer = crate::timings::Timer::new();
    let epochs = views.epochs(theme.generation);
    timer.lap("epochs");
    let signed: Vec<(String, u64, &Page)> = pages
        .par_iter()
        .map(|page| (page.path(dossier), views.signature(page, &epochs), page))
        .collect();
    let mut assets: Vec<(String, std::borrow::Cow<'_, [u8]>)> = Vec::new();
    if !theme.assets.contains_key("syntax.css") {
        let css = highlight::theme_css(&dossier.config.highlight_theme).map_err(|_| {
            anyhow::anyhow!(
                "unknown highlight theme `{}`",
                dossier.config.highlight_theme
            )
        })?;
        assets.push(("syntax.css".into(), css.into_bytes().into()));
    }
    for (path, bytes) in &theme.assets {
        assets.push((path.clone(), std::borrow::Cow::Borrowed(bytes.as_ref())));
    }
    let asset_signature = |bytes: &[u8]| {
        let mut h = FxHasher::default();
        bytes.hash(&mut h);
        h.finish()
    };

    let unchanged = |path: &str, signature: u64| {
        previous
            .as_ref()
            .is_some_and(|p| p.get(path) == Some(&signature))
    };
    timer.lap("signatures");
    let stale: Vec<&(String, u64, &Page)> = signed
        .iter()
        .filter(|(path, sig, _)| !unchanged(path, *sig))
        .collect();
    stale
        .par_iter()
        .try_for_each(|(path, _, page)| -> anyhow::Result<()> {
            let (template, context) = views.page(page);
            let context = tera::Context::from_serialize(&context)?;
            let html = theme.render(template, &context)?;
            sink.write(path, html.as_bytes())
        })?;
    timer.lap(&format!("render {} pages", stale.len()));
    let mut written: Vec<String> = stale.iter().map(|(path, ..)| path.clone()).collect();
    let mut current: Signatures = signed
        .iter()
        .map(|(path, sig, _)| (path.clone(), *sig))
        .collect();
    for (path, bytes) in &assets {
        let signature = asset_signature(bytes);
        if !unchanged(path, signature) {
            sink.write(path, bytes)?;
            written.push(path.clone());
        }
        current.insert(path.clone(), signature);
    }

    let mut removed = Vec::new();
    if let Some(previous) = previous {
        removed = previous
            .keys()
            .filter(|p| !current.contains_key(*p))
            .cloned()
            .collect();
        removed.sort();
        *previous = current;
    }
    written.sort();
    let html_pages = pages
        .iter()
        .filter(|p| !matches!(p, Page::Feed | Page::Sitemap | Page::Robots))
        .count();
    let annotations = views
        .articles()
        .map(|ai| views.published_annotations(ai).count())
        .sum();
    Ok(Rendered {
        pages: html_pages,
        annotations,
        written,
        removed,
    })
}

/// Hashes of the inputs many pages share.
struct Epochs {
    /// Config and templates: every page depends on them.
    site: u64,
    /// What references to items show: ids, titles, kinds, dates, publication.
    refs: u64,
    /// What listings show: `refs` plus summaries, levels and counts.
    listings: u64,
}

/// Builds the template context of each page.
struct Views<'a> {
    d: &'a Dossier,
    p: &'a Prepared,
}

impl Views<'_> {
    fn epochs(&self, templates: u64) -> Epochs {
        let d = self.d;
        let c = &d.config;
        let mut h = FxHasher::default();
        (
            &c.title,
            &c.description,
            &c.language,
            &c.highlight_theme,
            c.unsafe_html,
        )
            .hash(&mut h);
        (
            &d.base.path,
            &d.base.permalink,
            d.publish.tlp,
            d.publish.drafts,
            templates,
        )
            .hash(&mut h);
        let site = h.finish();

        let mut h = FxHasher::default();
        d.link_epoch().hash(&mut h);
        for a in d.articles.iter() {
            (&a.id, &a.title, a.published).hash(&mut h);
        }
        for x in &d.incidents {
            (&x.id, &x.title, x.date, x.kind).hash(&mut h);
        }
        for x in &d.entities {
            (&x.id, &x.name, x.kind).hash(&mut h);
        }
        let refs = h.finish();

        let mut h = FxHasher::default();
        refs.hash(&mut h);
        for ai in self.articles() {
            let a = &d.articles[ai];
            (&a.summary, a.tlp, self.published_annotations(ai).count()).hash(&mut h);
        }
        for x in &d.incidents {
            (x.end, x.tlp, x.summary.as_ref().map(|m| &m.text)).hash(&mut h);
        }
        for (i, x) in d.entities.iter().enumerate() {
            (&x.aliases, x.tlp).hash(&mut h);
            let b = &self.p.backlinks;
            (b.entity_incidents[i].len(), b.entity_annotations[i].len()).hash(&mut h);
        }
        d.index
            .as_ref()
            .map(|page| page.file.generation)
            .hash(&mut h);
        let listings = h.finish();
        Epochs {
            site,
            refs,
            listings,
        }
    }

    /// A hash of everything `page` is rendered from.
    fn signature(&self, page: &Page, epochs: &Epochs) -> u64 {
        let d = self.d;
        let mut h = FxHasher::default();
        epochs.site.hash(&mut h);
        let generation = |file: &crate::diagnostic::SourceFile| file.generation;
        let article = |ai: usize, h: &mut FxHasher| {
            let a = &d.articles[ai];
            (
                generation(&a.file),
                a.annotations_file.as_deref().map(generation),
            )
                .hash(h);
        };
        // A backlink shows one annotation and its article's title and level.
        let backlinks = |list: &[AnnotationRef], h: &mut FxHasher| {
            for &(ai, ni) in list {
                let a = &d.articles[ai];
                (a.tlp, a.annotations[ni].digest).hash(h);
            }
        };
        match page {
            Page::Article(ai) => {
                epochs.refs.hash(&mut h);
                article(*ai, &mut h);
            }
            Page::Incident(i) => {
                epochs.refs.hash(&mut h);
                generation(&d.incidents[*i].file).hash(&mut h);
                backlinks(&self.p.backlinks.incident_annotations[*i], &mut h);
            }
            Page::Entity(i) => {
                epochs.refs.hash(&mut h);
                generation(&d.entities[*i].file).hash(&mut h);
                let b = &self.p.backlinks;
                backlinks(&b.entity_annotations[*i], &mut h);
                b.entity_incidents[*i].hash(&mut h);
                b.entity_articles[*i].hash(&mut h);
            }
            Page::Index | Page::Timeline | Page::Entities | Page::Feed | Page::Sitemap => {
                epochs.listings.hash(&mut h);
            }
            Page::NotFound | Page::Robots => {}
        }
        h.finish()
    }

    fn articles(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.d.articles.len()).filter(|&i| self.d.article_included(&self.d.articles[i]))
    }

    fn incidents(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.d.incidents.len()).filter(|&i| self.d.is_included(ItemRef::Incident(i)))
    }

    fn entities(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.d.entities.len()).filter(|&i| self.d.is_included(ItemRef::Entity(i)))
    }

    /// Published annotations of an article that anchored.
    fn published_annotations(&self, ai: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.d.articles[ai].annotations.len()).filter(move |&ni| {
            self.d.annotation_included(ai, ni) && self.p.articles[ai].anchors[ni].is_some()
        })
    }

    fn page(&self, page: &Page) -> (&'static str, Value) {
        let (template, title, tlp, mut context) = match page {
            Page::Index => {
                let title = self.d.index.as_ref().and_then(|page| page.title.clone());
                ("index.html", title, self.listing_tlp(), self.index())
            }
            Page::Timeline => (
                "timeline.html",
                Some("Timeline".into()),
                self.listing_tlp(),
                self.timeline(),
            ),
            Page::Entities => (
                "entities.html",
                Some("Entities".into()),
                self.entities()
                    .map(|i| self.d.entities[i].tlp)
                    .max()
                    .unwrap_or_default(),
                self.entity_index(),
            ),
            Page::NotFound => (
                "404.html",
                Some("Page not found".into()),
                Tlp::Clear,
                json!({}),
            ),
            Page::Article(i) => {
                let (tlp, context) = self.article(*i);
                (
                    "article.html",
                    Some(self.d.articles[*i].title.clone()),
                    tlp,
                    context,
                )
            }
            Page::Incident(i) => {
                let (tlp, context) = self.incident(*i);
                (
                    "incident.html",
                    Some(self.d.incidents[*i].title.clone()),
                    tlp,
                    context,
                )
            }
            Page::Entity(i) => {
                let (tlp, context) = self.entity(*i);
                (
                    "entity.html",
                    Some(self.d.entities[*i].name.clone()),
                    tlp,
                    context,
                )
            }
            Page::Feed => ("feed.xml", None, Tlp::Clear, self.feed()),
            Page::Sitemap => ("sitemap.xml", None, Tlp::Clear, self.sitemap()),
            Page::Robots => ("robots.txt", None, Tlp::Clear, json!({})),
        };
        let fields = context.as_object_mut().expect("views are JSON objects");
        fields.insert("site".into(), self.site());
        fields.insert("page_title".into(), json!(title));
        fields.insert(
            "page_tlp".into(),
            if tlp == Tlp::Clear {
                Value::Null
            } else {
                json!(tlp)
            },
        );
        (template, context)
    }

    /// The highest level among the articles and incidents that listings show.
    fn listing_tlp(&self) -> Tlp {
        let articles = self.articles().map(|i| self.d.articles[i].tlp);
        let incidents = self.incidents().map(|i| self.d.incidents[i].tlp);
        articles.chain(incidents).max().unwrap_or_default()
    }

    fn site(&self) -> Value {
        let c = &self.d.config;
        json!({
            "title": c.title,
            "description": c.description,
            "language": c.language,
            "base_path": self.d.base.path,
            "permalink": self.d.base.permalink,
            "generator": concat!("dossier ", env!("CARGO_PKG_VERSION")),
        })
    }

    /// A reference to an item by id: a link, or `withheld` when unpublished.
    fn reference(&self, id: &str) -> Value {
        match self.d.lookup(id) {
            Lookup::Included(item) => self.item_ref(item),
            _ => json!({ "withheld": true }),
        }
    }

    fn refs(&self, ids: &[Spanned<String>]) -> Vec<Value> {
        ids.iter().map(|id| self.reference(&id.value)).collect()
    }

    fn item_ref(&self, item: ItemRef) -> Value {
        let (id, title, kind, date) = match item {
            ItemRef::Article(i) => {
                let a = &self.d.articles[i];
                (&a.id, &a.title, Value::Null, json!(a.published))
            }
            ItemRef::Incident(i) => {
                let x = &self.d.incidents[i];
                (&x.id, &x.title, json!(x.kind), json!(x.date))
            }
            ItemRef::Entity(i) => {
                let x = &self.d.entities[i];
                (&x.id, &x.name, json!(x.kind), Value::Null)
            }
        };
        json!({
            "withheld": false,
            "id": id,
            "type": item.type_name(),
            "title": title,
            "url": self.d.url(item),
            "kind": kind,
            "date": date,
        })
    }

    fn index(&self) -> Value {
        let mut latest: Vec<usize> = self.articles().collect();
        latest.sort_by(|&a, &b| {
            let (a, b) = (&self.d.articles[a], &self.d.articles[b]);
            b.published
                .sort_key()
                .cmp(&a.published.sort_key())
                .then_with(|| a.title.cmp(&b.title))
        });
        let latest: Vec<Value> = latest
            .into_iter()
            .take(10)
            .map(|i| {
                let a = &self.d.articles[i];
                json!({ "id": a.id, "title": a.title, "url": self.d.url(ItemRef::Article(i)),
                        "published": a.published, "summary": a.summary, "tlp": a.tlp })
            })
            .collect();
        let annotations: usize = self
            .articles()
            .map(|ai| self.published_annotations(ai).count())
            .sum();
        json!({
            "intro_html": &*self.p.intro_html,
            "chart_svg": chart::svg(self.d, &self.timeline_items()),
            "counts": {
                "articles": self.articles().count(),
                "annotations": annotations,
                "incidents": self.incidents().count(),
                "entities": self.entities().count(),
            },
            "latest": latest,
        })
    }

    /// Published incidents and articles in timeline order.
    fn timeline_items(&self) -> Vec<ItemRef> {
        let mut items: Vec<ItemRef> = self
            .incidents()
            .map(ItemRef::Incident)
            .chain(self.articles().map(ItemRef::Article))
            .collect();
        let key = |item: &ItemRef| match *item {
            ItemRef::Incident(i) => (
                self.d.incidents[i].date.sort_key(),
                self.d.incidents[i].title.as_str(),
            ),
            ItemRef::Article(i) => (
                self.d.articles[i].published.sort_key(),
                self.d.articles[i].title.as_str(),
            ),
            ItemRef::Entity(_) => ((0, 0, 0), ""),
        };
        items.sort_by(|a, b| key(a).cmp(&key(b)));
        items
    }

    fn timeline(&self) -> Value {
        let mut years: Vec<Value> = Vec::new();
        let mut current: Option<(i16, Vec<Value>)> = None;
        for item in self.timeline_items() {
            let (year, entry) = match item {
                ItemRef::Incident(i) => {
                    let x = &self.d.incidents[i];
                    let summary = x.summary.as_ref().map(|m| first_sentence(&m.text));
                    (
                        x.date.year(),
                        json!({ "type": "incident", "id": x.id, "title": x.title, "url": self.d.url(item),
                        "date": x.date, "end": x.end, "kind": x.kind, "summary": summary, "tlp": x.tlp }),
                    )
                }
                ItemRef::Article(i) => {
                    let a = &self.d.articles[i];
                    (
                        a.published.year(),
                        json!({ "type": "article", "id": a.id, "title": a.title, "url": self.d.url(item),
                        "date": a.published, "end": null, "kind": null, "summary": a.summary, "tlp": a.tlp }),
                    )
                }
                ItemRef::Entity(_) => continue,
            };
            match &mut current {
                Some((y, entries)) if *y == year => entries.push(entry),
                _ => {
                    if let Some((y, entries)) = current.take() {
                        years.push(json!({ "year": y, "entries": entries }));
                    }
                    current = Some((year, vec![entry]));
                }
            }
        }
        if let Some((y, entries)) = current {
            years.push(json!({ "year": y, "entries": entries }));
        }
        json!({ "years": years })
    }

    fn entity_index(&self) -> Value {
        let groups: Vec<Value> = self
            .d
            .entity_groups()
            .into_iter()
            .map(|(kind, members)| {
                let entities: Vec<Value> = members
                    .into_iter()
                    .map(|i| {
                        let e = &self.d.entities[i];
                        json!({ "id": e.id, "name": e.name, "url": self.d.url(ItemRef::Entity(i)),
                            "aliases": e.aliases, "tlp": e.tlp,
                            "incident_count": self.p.backlinks.entity_incidents[i].len(),
                            "annotation_count": self.p.backlinks.entity_annotations[i].len() })
                    })
                    .collect();
                json!({ "kind": kind, "label": kind.plural_label(), "entities": entities })
            })
            .collect();
        json!({ "groups": groups })
    }

    fn article(&self, ai: usize) -> (Tlp, Value) {
        let a: &Article = &self.d.articles[ai];
        let out = &self.p.articles[ai];
        let mut citations = Citations::default();
        let mut tlp = a.tlp;
        let blocks: Vec<Value> = out
            .blocks
            .iter()
            .map(|block| {
                let notes: Vec<Value> = block
                    .notes
                    .iter()
                    .map(|&ni| {
                        tlp = tlp.max(self.d.annotation_tlp(ai, ni));
                        self.annotation(ai, ni, &mut citations)
                    })
                    .collect();
                json!({ "html": block.html, "notes": notes })
            })
            .collect();
        let context = json!({ "article": {
            "id": a.id, "title": a.title, "url": self.d.url(ItemRef::Article(ai)),
            "published": a.published, "source": a.source, "source_url": a.url, "author": a.author,
            "reliability": a.reliability.map(String::from), "tags": a.tags, "summary": a.summary, "tlp": a.tlp,
            "blocks": blocks, "references": citations.references(),
        }});
        (tlp, context)
    }

    fn annotation(&self, ai: usize, ni: usize, citations: &mut Citations) -> Value {
        let n = &self.d.articles[ai].annotations[ni];
        let cites: Vec<usize> = n.sources.iter().map(|s| citations.cite(s)).collect();
        json!({
            "id": n.id, "kind": n.kind, "quote": n.quote.value, "note_html": self.p.articles[ai].notes[ni],
            "confidence": n.confidence, "credibility": n.credibility, "tlp": self.d.annotation_tlp(ai, ni),
            "incidents": self.refs(&n.incidents), "entities": self.refs(&n.entities), "citations": cites,
        })
    }

    fn backlinks(&self, list: &[AnnotationRef], tlp: &mut Tlp) -> Vec<Value> {
        list.iter()
            .filter(|(ai, ni)| self.p.articles[*ai].anchors[*ni].is_some())
            .map(|&(ai, ni)| {
                let n = &self.d.articles[ai].annotations[ni];
                let level = self.d.annotation_tlp(ai, ni);
                *tlp = (*tlp).max(level);
                let article = ItemRef::Article(ai);
                json!({ "id": n.id, "kind": n.kind, "quote": n.quote.value,
                    "note_html": self.p.articles[ai].notes[ni], "tlp": level,
                    "url": format!("{}#{}", self.d.url(article), n.id), "article": self.item_ref(article) })
            })
            .collect()
    }

    fn incident(&self, ii: usize) -> (Tlp, Value) {
        let x = &self.d.incidents[ii];
        let mut citations = Citations::default();
        let cites: Vec<usize> = x.sources.iter().map(|s| citations.cite(s)).collect();
        let mut tlp = x.tlp;
        let backlinks = self.backlinks(&self.p.backlinks.incident_annotations[ii], &mut tlp);
        let context = json!({
            "incident": {
                "id": x.id, "title": x.title, "url": self.d.url(ItemRef::Incident(ii)), "date": x.date, "end": x.end,
                "kind": x.kind, "summary_html": &*self.p.incident_summaries[ii],
                "actors": self.refs(&x.actors), "targets": self.refs(&x.targets), "malware": self.refs(&x.malware),
                "losses": x.losses, "tags": x.tags, "tlp": x.tlp, "citations": cites,
                "references": citations.references(),
            },
            "backlinks": backlinks,
        });
        (tlp, context)
    }

    fn entity(&self, ei: usize) -> (Tlp, Value) {
        let x = &self.d.entities[ei];
        let mut citations = Citations::default();
        let cites: Vec<usize> = x.sources.iter().map(|s| citations.cite(s)).collect();
        let mut tlp = x.tlp;
        let backlinks = self.backlinks(&self.p.backlinks.entity_annotations[ei], &mut tlp);
        let incidents: Vec<Value> = self.p.backlinks.entity_incidents[ei]
            .iter()
            .map(|&i| self.item_ref(ItemRef::Incident(i)))
            .collect();
        let articles: Vec<Value> = self.p.backlinks.entity_articles[ei]
            .iter()
            .map(|&i| self.item_ref(ItemRef::Article(i)))
            .collect();
        let context = json!({
            "entity": {
                "id": x.id, "name": x.name, "url": self.d.url(ItemRef::Entity(ei)), "kind": x.kind,
                "aliases": x.aliases, "summary_html": &*self.p.entity_summaries[ei], "tlp": x.tlp,
                "citations": cites, "references": citations.references(),
            },
            "incidents": incidents,
            "articles": articles,
            "backlinks": backlinks,
        });
        (tlp, context)
    }

    /// An absolute URL when the base URL has a host, else the path.
    fn permalink(&self, url: &str) -> String {
        let base = &self.d.base;
        let origin = base.permalink.strip_suffix(&base.path).unwrap_or("");
        format!("{origin}{url}")
    }

    /// Atom needs absolute ids; without a host we use stable UUID URNs.
    fn atom_id(&self, url: &str) -> String {
        let permalink = self.permalink(url);
        if permalink.contains("://") {
            permalink
        } else {
            format!(
                "urn:uuid:{}",
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, permalink.as_bytes())
            )
        }
    }

    fn feed(&self) -> Value {
        let mut items = self.timeline_items();
        items.reverse();
        let entries: Vec<Value> = items
            .iter()
            .take(50)
            .filter_map(|&item| {
                let (title, date, summary) = match item {
                    ItemRef::Article(i) => {
                        let a = &self.d.articles[i];
                        (&a.title, a.published, a.summary.clone())
                    }
                    ItemRef::Incident(i) => {
                        let x = &self.d.incidents[i];
                        (&x.title, x.date, x.summary.as_ref().map(|m| first_sentence(&m.text)))
                    }
                    ItemRef::Entity(_) => return None,
                };
                let url = self.d.url(item);
                Some(json!({ "title": title, "permalink": self.permalink(&url), "id": self.atom_id(&url),
                    "updated": date.rfc3339(), "summary": summary }))
            })
            .collect();
        let updated = items
            .iter()
            .map(|&item| match item {
                ItemRef::Article(i) => self.d.articles[i].published,
                ItemRef::Incident(i) => self.d.incidents[i].date,
                ItemRef::Entity(_) => unreachable!("timeline items are articles and incidents"),
            })
            .max_by_key(|d| d.sort_key())
            .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |d| d.rfc3339());
        let feed_url = format!("{}feed.xml", self.d.base.path);
        json!({ "feed": { "id": self.atom_id(&feed_url), "updated": updated, "entries": entries } })
    }

    fn sitemap(&self) -> Value {
        let base = &self.d.base.path;
        let mut urls: Vec<Value> = ["", "timeline/", "entities/"]
            .iter()
            .map(|p| json!({ "loc": self.permalink(&format!("{base}{p}")), "lastmod": null }))
            .collect();
        for i in self.articles() {
            let url = self.d.url(ItemRef::Article(i));
            urls.push(json!({ "loc": self.permalink(&url), "lastmod": self.d.articles[i].published.iso() }));
        }
        for i in self.incidents() {
            urls.push(json!({ "loc": self.permalink(&self.d.url(ItemRef::Incident(i))), "lastmod": null }));
        }
        for i in self.entities() {
            urls.push(
                json!({ "loc": self.permalink(&self.d.url(ItemRef::Entity(i))), "lastmod": null }),
            );
        }
        json!({ "urls": urls })
    }
}

/// The first sentence of some Markdown, as plain text, for listings.
fn first_sentence(markdown: &str) -> String {
    let plain: String = markdown
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['*', '_', '`'], "");
    // `[text](target)` keeps its text.
    let mut out = String::with_capacity(plain.len());
    let mut rest = plain.as_str();
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match (after.find("]("), after.find(')')) {
            (Some(close), Some(end)) if close < end => {
                out.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    match out.find(". ") {
        Some(end) => out[..=end].to_string(),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::first_sentence;

    #[test]
    fn first_sentences_are_plain() {
        assert_eq!(
            first_sentence("The *Lazarus* [group](@lazarus-group) struck.\nThen more."),
            "The Lazarus group struck."
        );
        assert_eq!(first_sentence("One line"), "One line");
    }
}
