//! Every page of the site: its path, its template, and which code builds
//! its context and signature.
//!
//! A signature is a hash of everything a page's context is built from. It
//! must change whenever the page could, or `serve` would keep a stale page,
//! and as little as possible beyond that, or `serve` re-renders too much.
//! Each page's signature is written beside the code that reads its inputs
//! (`items.rs` for item pages, `lists.rs` for listings); a property test
//! (`site::tests`) checks over random edits that an unchanged signature
//! always means an unchanged page.

use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashSet, FxHasher};
use serde::Serialize;

use super::backlinks::BacklinkHtml;
use super::context::{Context, Empty, Page, Shapes, Site, page_count, page_url};
use crate::diagnostic::SourceFile;
use crate::graph::ItemRef;
use crate::model::AnnotationKind;
use crate::publish::{AnnotationRef, LedgerSection, Published, Reference};
use crate::theme::Theme;
use crate::tlp::Tlp;
use crate::yaml::Spanned;

/// One output file rendered through a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PageKind {
    Index,
    Timeline,
    /// A year of a timeline too long for one page; `page` is 1-based.
    TimelineYear {
        year: i16,
        page: usize,
    },
    Entities,
    NotFound,
    Search,
    Print,
    Article(usize),
    Incident {
        i: usize,
        page: usize,
    },
    Entity {
        i: usize,
        page: usize,
    },
    EntityFeed(usize),
    Techniques,
    /// A technique, by its index in `Published::techniques`.
    Technique {
        i: usize,
        page: usize,
    },
    Tags,
    Tag {
        i: usize,
        page: usize,
    },
    TagFeed(usize),
    Ledger,
    LedgerKind {
        kind: AnnotationKind,
        page: usize,
    },
    Feed,
    Sitemap,
    Robots,
}

impl PageKind {
    /// What kind of page this is, for `DOSSIER_TIMINGS`'s tally of the
    /// render (later pages of a list apart from first ones).
    pub(crate) fn label(&self) -> &'static str {
        let later = |page: usize, first: &'static str, later: &'static str| {
            if page > 1 { later } else { first }
        };
        match *self {
            PageKind::Index => "index",
            PageKind::Timeline | PageKind::TimelineYear { .. } => "timeline",
            PageKind::Entities => "entities",
            PageKind::NotFound | PageKind::Search | PageKind::Robots => "other",
            PageKind::Print => "print",
            PageKind::Article(_) => "article",
            PageKind::Incident { page, .. } => later(page, "incident", "incident, later page"),
            PageKind::Entity { page, .. } => later(page, "entity", "entity, later page"),
            PageKind::EntityFeed(_) | PageKind::TagFeed(_) | PageKind::Feed => "feed",
            PageKind::Techniques => "techniques",
            PageKind::Technique { page, .. } => later(page, "technique", "technique, later page"),
            PageKind::Tags => "tags",
            PageKind::Tag { page, .. } => later(page, "tag", "tag, later page"),
            PageKind::Ledger | PageKind::LedgerKind { .. } => "ledger",
            PageKind::Sitemap => "sitemap",
        }
    }
}

/// The ledger's sections, in the order an editor reads them.
pub(crate) const LEDGER: [(AnnotationKind, &str, &str); 5] = [
    (AnnotationKind::Question, "questions", "Open questions"),
    (AnnotationKind::Correction, "corrections", "Corrections"),
    (AnnotationKind::Claim, "claims", "Claims"),
    (AnnotationKind::Context, "context", "Context"),
    (AnnotationKind::Note, "notes", "Notes"),
];

/// The URL segment and label of a ledger section.
pub(crate) fn ledger_section(kind: AnnotationKind) -> (&'static str, &'static str) {
    LEDGER
        .iter()
        .find(|(k, ..)| *k == kind)
        .map_or(("notes", "Notes"), |(_, slug, label)| (slug, label))
}

/// Hashes of the inputs many pages share.
pub(crate) struct Epochs {
    /// Config, base URL, publish rule and templates: every page reads them.
    pub(crate) site: u64,
    /// Which items are published and which ids they and the annotations
    /// have: what every reference and link resolves against. What a
    /// reference shows of its item is signed item by item (`ref_sign`).
    pub(crate) links: u64,
    /// What listings of the whole dossier show (front page, timeline,
    /// entities, feed, sitemap).
    pub(crate) listings: u64,
}

/// Builds the context and the signature of each page.
pub(crate) struct Pages<'v, 'a> {
    pub(crate) view: &'v Published<'a>,
    pub(crate) epochs: Epochs,
    /// Entries per page of item lists (the timeline's too).
    pub(crate) list_size: usize,
    /// Entries per page of annotation lists, which are longer.
    pub(crate) annotation_size: usize,
    /// Entries per page of each list on pages that show several side by
    /// side (an entity's incidents, articles and annotations; a tag's and
    /// a technique's items and annotations), so that all of them together
    /// stay within SPEC's page budget.
    pub(crate) side_size: usize,
    /// The timeline's years: each year and its entries' range in
    /// `view.timeline()`; the timeline is split into year pages when it
    /// holds more than `list_size` entries.
    pub(crate) years: Vec<(i16, std::ops::Range<usize>)>,
    /// The ledger's sections in `LEDGER` order.
    pub(crate) ledger: Vec<&'a LedgerSection>,
    /// Parts of signatures that many pages share and that take a pass over
    /// the whole dossier: made once, by the first page that needs them.
    pub(crate) shared: SharedSignatures,
    /// Backlinks rendered for the pages so far (empty unless rendering,
    /// see [`Pages::rendering`]).
    pub(crate) backlink_html: BacklinkHtml<'v>,
}

/// See [`Pages::shared`].
#[derive(Default)]
pub(crate) struct SharedSignatures {
    /// Each article's and incident's place on the timeline (articles,
    /// then incidents; `u32::MAX` when not on it).
    pub(crate) timeline_ranks: std::sync::OnceLock<Vec<u32>>,
}

impl<'v, 'a> Pages<'v, 'a> {
    pub(crate) fn new(view: &'v Published<'a>, templates: u64) -> Self {
        let list_size = view.dossier.config.timeline_page_size.max(1);
        let epochs = epochs(view, templates);
        let years = years(view);
        let sections = view.ledger();
        let ledger = LEDGER
            .iter()
            .filter_map(|(kind, ..)| sections.iter().find(|s| s.kind == *kind))
            .collect();
        Pages {
            view,
            epochs,
            list_size,
            annotation_size: list_size.min(100),
            side_size: list_size.min(50),
            years,
            ledger,
            shared: SharedSignatures::default(),
            backlink_html: BacklinkHtml::default(),
        }
    }

    /// These pages, to be rendered with `theme`: what lists annotations
    /// renders each one's backlink once, through the theme.
    pub(crate) fn rendering(mut self, theme: &'v Theme) -> Self {
        let articles = &self.view.dossier.articles;
        self.backlink_html = BacklinkHtml::new(theme, articles.iter().map(|a| a.annotations.len()));
        self
    }

    pub(crate) fn shapes(&self) -> Shapes<'_, 'a> {
        Shapes {
            view: self.view,
            backlink_html: &self.backlink_html,
        }
    }

    /// Whether `/timeline/` is an overview of year pages.
    pub(crate) fn split_timeline(&self) -> bool {
        self.view.timeline().len() > self.list_size
    }

    /// Every page of the published view.
    pub(crate) fn kinds(&self) -> Vec<PageKind> {
        let view = self.view;
        let d = view.dossier;
        let mut pages = vec![
            PageKind::Index,
            PageKind::Timeline,
            PageKind::Entities,
            PageKind::NotFound,
            PageKind::Tags,
            PageKind::Ledger,
            PageKind::Techniques,
            PageKind::Feed,
            PageKind::Sitemap,
            PageKind::Robots,
        ];
        if view.articles().len() <= d.config.print_max_articles {
            pages.push(PageKind::Print);
        }
        if d.config.search {
            pages.push(PageKind::Search);
        }
        if self.split_timeline() {
            for (year, range) in &self.years {
                for page in 1..=page_count(range.len(), self.list_size) {
                    pages.push(PageKind::TimelineYear { year: *year, page });
                }
            }
        }
        pages.extend(view.articles().iter().map(|&i| PageKind::Article(i)));
        for &i in view.incidents() {
            for page in 1..=self.incident_pages(i) {
                pages.push(PageKind::Incident { i, page });
            }
        }
        for &i in view.entities() {
            for page in 1..=self.entity_pages(i) {
                pages.push(PageKind::Entity { i, page });
            }
            pages.push(PageKind::EntityFeed(i));
        }
        for i in 0..view.tags().len() {
            for page in 1..=self.tag_pages(i) {
                pages.push(PageKind::Tag { i, page });
            }
            pages.push(PageKind::TagFeed(i));
        }
        for i in 0..view.techniques().len() {
            for page in 1..=self.technique_pages(i) {
                pages.push(PageKind::Technique { i, page });
            }
        }
        for section in &self.ledger {
            for page in 1..=page_count(section.all.len(), self.annotation_size) {
                pages.push(PageKind::LedgerKind {
                    kind: section.kind,
                    page,
                });
            }
        }
        pages
    }

    /// The pages whose signature reads the files or annotations of the
    /// articles `articles` (their own pages, the pages that list their
    /// annotations or count their techniques, the print page): when only
    /// those changed since the last render (`Published::serial`), no other
    /// page's signature can have. What each page's signature reads is
    /// beside it (`items.rs`, `lists.rs`, `techniques.rs`); a test checks
    /// this against signing every page.
    pub(crate) fn affected_by(&self, articles: &[usize]) -> FxHashSet<PageKind> {
        let view = self.view;
        let d = view.dossier;
        let mut pages = FxHashSet::default();
        if view.articles().len() <= d.config.print_max_articles {
            pages.insert(PageKind::Print);
        }
        let mut kinds = Vec::new();
        let mut tags = Vec::new();
        let mut techniques = false;
        for &ai in articles {
            pages.insert(PageKind::Article(ai));
            // Incidents and entities its annotations name: their lists of
            // annotations and their techniques tables.
            for &(_, item) in &d.refs[ai].items {
                match item {
                    ItemRef::Incident(i) => {
                        for page in 1..=self.incident_pages(i) {
                            pages.insert(PageKind::Incident { i, page });
                        }
                    }
                    ItemRef::Entity(i) => {
                        for page in 1..=self.entity_pages(i) {
                            pages.insert(PageKind::Entity { i, page });
                        }
                    }
                    ItemRef::Article(_) => {}
                }
            }
            for annotation in d.articles[ai].annotations.iter() {
                for name in &annotation.tags {
                    let Some(tag) = view.tag(name) else { continue };
                    let Ok(i) = view.tags().binary_search_by(|t| t.slug.cmp(&tag.slug)) else {
                        continue;
                    };
                    tags.push(i);
                }
                if !kinds.contains(&annotation.kind) {
                    kinds.push(annotation.kind);
                }
                techniques |= !annotation.techniques.is_empty();
            }
        }
        // A tag or ledger section can run to hundreds of pages: only those
        // that list the articles' annotations.
        let listing = |list: &[AnnotationRef], size: usize| -> Vec<usize> {
            let mut found: Vec<usize> = list
                .iter()
                .enumerate()
                .filter(|(_, (ai, _))| articles.contains(ai))
                .map(|(at, _)| at / size + 1)
                .collect();
            found.dedup();
            found
        };
        tags.sort_unstable();
        tags.dedup();
        for i in tags {
            for page in listing(&view.tags()[i].annotations, self.side_size) {
                pages.insert(PageKind::Tag { i, page });
            }
        }
        for section in self.ledger.iter().filter(|s| kinds.contains(&s.kind)) {
            pages.insert(PageKind::Ledger);
            for page in listing(&section.all, self.annotation_size) {
                pages.insert(PageKind::LedgerKind {
                    kind: section.kind,
                    page,
                });
            }
        }
        if techniques {
            pages.insert(PageKind::Techniques);
            for i in 0..view.techniques().len() {
                for page in 1..=self.technique_pages(i) {
                    pages.insert(PageKind::Technique { i, page });
                }
            }
        }
        pages
    }

    /// The site path of a page's file.
    pub(crate) fn path(&self, page: PageKind) -> String {
        let d = self.view.dossier;
        let paged = |first: String, page: usize| {
            let url = page_url(&first, page);
            format!("{}index.html", url.trim_start_matches('/'))
        };
        match page {
            PageKind::Index => "index.html".into(),
            PageKind::Timeline => "timeline/index.html".into(),
            PageKind::TimelineYear { year, page } => paged(format!("/timeline/{year}/"), page),
            PageKind::Entities => "entities/index.html".into(),
            PageKind::NotFound => "404.html".into(),
            PageKind::Search => "search/index.html".into(),
            PageKind::Print => "print/index.html".into(),
            PageKind::Article(i) => format!("articles/{}/index.html", d.articles[i].id),
            PageKind::Incident { i, page } => {
                paged(format!("/incidents/{}/", d.incidents[i].id), page)
            }
            PageKind::Entity { i, page } => paged(format!("/entities/{}/", d.entities[i].id), page),
            PageKind::EntityFeed(i) => format!("entities/{}/feed.xml", d.entities[i].id),
            PageKind::Tags => "tags/index.html".into(),
            PageKind::Tag { i, page } => {
                paged(format!("/tags/{}/", self.view.tags()[i].slug), page)
            }
            PageKind::TagFeed(i) => format!("tags/{}/feed.xml", self.view.tags()[i].slug),
            PageKind::Ledger => "annotations/index.html".into(),
            PageKind::LedgerKind { kind, page } => {
                paged(format!("/annotations/{}/", ledger_section(kind).0), page)
            }
            PageKind::Techniques => "techniques/index.html".into(),
            PageKind::Technique { i, page } => paged(
                format!("/techniques/{}/", self.view.techniques()[i].technique.id),
                page,
            ),
            PageKind::Feed => "feed.xml".into(),
            PageKind::Sitemap => "sitemap.xml".into(),
            PageKind::Robots => "robots.txt".into(),
        }
    }

    /// The template and its context for `page`.
    pub(crate) fn context(&self, page: PageKind) -> (&'static str, Context<'a>) {
        let d = self.view.dossier;
        let context = match page {
            PageKind::Index => {
                let title = d.index.as_ref().and_then(|p| p.title.as_deref());
                Context::Index(self.wrap(title, self.listing_tlp(), self.index()))
            }
            PageKind::Timeline => {
                let fields = self.timeline();
                Context::Timeline(self.wrap(Some("Timeline"), self.listing_tlp(), fields))
            }
            PageKind::TimelineYear { year, page } => {
                let (tlp, fields) = self.timeline_year(year, page);
                let title = paged_title(&year.to_string(), page);
                Context::Timeline(self.wrap(Some(&title), tlp, fields))
            }
            PageKind::Entities => {
                let tlp = self
                    .view
                    .entities()
                    .iter()
                    .map(|&i| d.entities[i].tlp)
                    .max();
                let fields = self.entities();
                Context::Entities(self.wrap(Some("Entities"), tlp.unwrap_or_default(), fields))
            }
            PageKind::NotFound => {
                Context::Empty(self.wrap(Some("Page not found"), Tlp::Clear, Empty {}))
            }
            PageKind::Search => Context::Empty(self.wrap(Some("Search"), Tlp::Clear, Empty {})),
            PageKind::Print => {
                let (tlp, fields) = self.print();
                Context::Print(self.wrap(Some("The whole dossier"), tlp, fields))
            }
            PageKind::Article(i) => {
                let (tlp, fields) = self.article(i);
                Context::Article(self.wrap(Some(&d.articles[i].title), tlp, fields))
            }
            PageKind::Incident { i, page } => {
                let (tlp, fields) = self.incident(i, page);
                let title = paged_title(&d.incidents[i].title, page);
                Context::Incident(self.wrap(Some(&title), tlp, fields))
            }
            PageKind::Entity { i, page } => {
                let (tlp, fields) = self.entity(i, page);
                let title = paged_title(&d.entities[i].name, page);
                Context::Entity(self.wrap(Some(&title), tlp, fields))
            }
            PageKind::EntityFeed(i) => {
                Context::Feed(self.wrap(None, Tlp::Clear, self.entity_feed(i)))
            }
            PageKind::Tags => Context::Tags(self.wrap(Some("Tags"), Tlp::Clear, self.tags())),
            PageKind::Tag { i, page } => {
                let (tlp, fields) = self.tag(i, page);
                let title = paged_title(&self.view.tags()[i].name, page);
                Context::Tag(self.wrap(Some(&title), tlp, fields))
            }
            PageKind::TagFeed(i) => Context::Feed(self.wrap(None, Tlp::Clear, self.tag_feed(i))),
            PageKind::Ledger => {
                let (tlp, fields) = self.ledger_overview();
                Context::Ledger(self.wrap(Some("Annotations"), tlp, fields))
            }
            PageKind::LedgerKind { kind, page } => {
                let (tlp, fields) = self.ledger_kind(kind, page);
                let title = paged_title(ledger_section(kind).1, page);
                Context::LedgerKind(self.wrap(Some(&title), tlp, fields))
            }
            PageKind::Techniques => {
                Context::Techniques(self.wrap(Some("Techniques"), Tlp::Clear, self.techniques()))
            }
            PageKind::Technique { i, page } => {
                let (tlp, fields) = self.technique(i, page);
                let name = self.view.techniques()[i].technique.full_name();
                let title = paged_title(&name, page);
                Context::Technique(self.wrap(Some(&title), tlp, fields))
            }
            PageKind::Feed => Context::Feed(self.wrap(None, Tlp::Clear, self.feed())),
            PageKind::Sitemap => Context::Sitemap(self.wrap(None, Tlp::Clear, self.sitemap())),
            PageKind::Robots => Context::Empty(self.wrap(None, Tlp::Clear, Empty {})),
        };
        (template(page), context)
    }

    /// A hash of everything the context of `page` is built from.
    pub(crate) fn signature(&self, page: PageKind) -> u64 {
        let mut h = FxHasher::default();
        self.epochs.site.hash(&mut h);
        match page {
            PageKind::Article(ai) => self.article_signature(ai, &mut h),
            PageKind::Incident { i, page } => self.incident_signature(i, page, &mut h),
            PageKind::Entity { i, page } => self.entity_signature(i, page, &mut h),
            PageKind::EntityFeed(i) => self.entity_feed_signature(i, &mut h),
            PageKind::Tag { i, page } => self.tag_signature(i, page, &mut h),
            PageKind::TagFeed(i) => self.tag_feed_signature(i, &mut h),
            PageKind::Tags => self.tags_signature(&mut h),
            PageKind::Ledger => self.ledger_overview_signature(&mut h),
            PageKind::LedgerKind { kind, page } => self.ledger_kind_signature(kind, page, &mut h),
            PageKind::TimelineYear { year, page } => {
                self.timeline_year_signature(year, page, &mut h);
            }
            PageKind::Print => self.print_signature(&mut h),
            PageKind::Techniques => self.techniques_signature(&mut h),
            PageKind::Technique { i, page } => self.technique_signature(i, page, &mut h),
            PageKind::Index
            | PageKind::Timeline
            | PageKind::Entities
            | PageKind::Feed
            | PageKind::Sitemap => self.epochs.listings.hash(&mut h),
            PageKind::NotFound | PageKind::Robots | PageKind::Search => {}
        }
        h.finish()
    }

    /// The common variables around a page's own fields.
    fn wrap<T: Serialize>(&self, title: Option<&str>, tlp: Tlp, fields: T) -> Page<'a, T> {
        let d = self.view.dossier;
        let c = &d.config;
        Page {
            site: Site {
                title: &c.title,
                description: c.description.as_deref(),
                language: &c.language,
                base_path: &d.base.path,
                permalink: &d.base.permalink,
                generator: concat!("dossier ", env!("CARGO_PKG_VERSION")),
                print: self.view.articles().len() <= c.print_max_articles,
                search: c.search,
            },
            page_title: title.map(str::to_string),
            page_tlp: (tlp != Tlp::Clear).then_some(tlp),
            fields,
        }
    }

    /// The highest level among the articles and incidents listings show.
    pub(crate) fn listing_tlp(&self) -> Tlp {
        let d = self.view.dossier;
        let articles = self.view.articles().iter().map(|&i| d.articles[i].tlp);
        let incidents = self.view.incidents().iter().map(|&i| d.incidents[i].tlp);
        articles.chain(incidents).max().unwrap_or_default()
    }

    /// The highest level of the items `items`.
    pub(crate) fn items_tlp(&self, items: impl Iterator<Item = ItemRef>) -> Tlp {
        let d = self.view.dossier;
        items
            .map(|item| match item {
                ItemRef::Article(i) => d.articles[i].tlp,
                ItemRef::Incident(i) => d.incidents[i].tlp,
                ItemRef::Entity(i) => d.entities[i].tlp,
            })
            .max()
            .unwrap_or_default()
    }

    /// Hashes what the annotations in `list` show as backlinks: their own
    /// YAML, their article's level and what a reference to it shows.
    pub(crate) fn annotations_signature(&self, list: &[AnnotationRef], h: &mut FxHasher) {
        list.len().hash(h);
        for &(ai, ni) in list {
            let article = self.view.ref_sign(ItemRef::Article(ai));
            (self.view.annotation_sign(ai, ni), article).hash(h);
        }
    }

    /// What references to `items` show. A printed tag needs nothing
    /// similar: it is printed only on a published item or annotation that
    /// carries it, and that makes its page exist.
    pub(crate) fn refs_signature(
        &self,
        items: impl IntoIterator<Item = ItemRef>,
        h: &mut FxHasher,
    ) {
        for item in items {
            (item, self.view.ref_sign(item)).hash(h);
        }
    }

    /// What references to the ids `ids` show.
    pub(crate) fn ids_signature(&self, ids: &[Spanned<String>], h: &mut FxHasher) {
        for id in ids {
            match self.view.reference(&id.value) {
                Reference::Item(item) => (item, self.view.ref_sign(item)).hash(h),
                Reference::Withheld => 0u64.hash(h),
            }
        }
    }
}

/// The title of page `page` of a paged list: the first page has the
/// item's own, later ones say which page they are, so that no two pages
/// of a site share a title (a tab, a bookmark or a screen reader tells
/// them apart).
fn paged_title(title: &str, page: usize) -> String {
    if page > 1 {
        format!("{title}, page {page}")
    } else {
        title.to_string()
    }
}

fn template(page: PageKind) -> &'static str {
    match page {
        PageKind::Index => "index.html",
        PageKind::Timeline | PageKind::TimelineYear { .. } => "timeline.html",
        PageKind::Entities => "entities.html",
        PageKind::NotFound => "404.html",
        PageKind::Search => "search.html",
        PageKind::Print => "print.html",
        PageKind::Article(_) => "article.html",
        PageKind::Incident { .. } => "incident.html",
        PageKind::Entity { .. } => "entity.html",
        PageKind::Tags => "tags.html",
        PageKind::Tag { .. } => "tag.html",
        PageKind::Ledger => "annotations.html",
        PageKind::LedgerKind { .. } => "annotation-kind.html",
        PageKind::Techniques => "techniques.html",
        PageKind::Technique { .. } => "technique.html",
        PageKind::Feed | PageKind::EntityFeed(_) | PageKind::TagFeed(_) => "feed.xml",
        PageKind::Sitemap => "sitemap.xml",
        PageKind::Robots => "robots.txt",
    }
}

pub(crate) fn digest(file: &SourceFile) -> u64 {
    file.digest
}

/// The timeline's years and their ranges in `view.timeline()`.
fn years(view: &Published<'_>) -> Vec<(i16, std::ops::Range<usize>)> {
    let mut years: Vec<(i16, std::ops::Range<usize>)> = Vec::new();
    for (at, &item) in view.timeline().iter().enumerate() {
        let Some(year) = view.date(item).map(|d| d.year()) else {
            continue;
        };
        match years.last_mut() {
            Some((y, range)) if *y == year => range.end = at + 1,
            _ => years.push((year, at..at + 1)),
        }
    }
    years
}

/// The inputs many pages share, hashed once per pass.
fn epochs(view: &Published<'_>, templates: u64) -> Epochs {
    let d = view.dossier;
    let c = &d.config;
    let mut h = FxHasher::default();
    (
        &c.title,
        &c.description,
        &c.language,
        &c.highlight_theme,
        &c.highlight_theme_dark,
        c.unsafe_html,
        c.timeline_page_size,
        c.print_max_articles,
        c.search,
    )
        .hash(&mut h);
    (&d.base.path, &d.base.permalink, view.rule(), templates).hash(&mut h);
    // Whether `/print/` exists shows in every page's footer.
    (view.articles().len() <= c.print_max_articles).hash(&mut h);
    let site = h.finish();
    Epochs {
        site,
        links: d.link_epoch(),
        listings: view.listings_epoch(),
    }
}
