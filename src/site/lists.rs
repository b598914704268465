//! The listing pages: the front page, the timeline and its year pages, the
//! entities, tags and the annotation ledger, the print page, feeds and the
//! sitemap; each context beside its signature.

use std::hash::Hash;

use rustc_hash::FxHasher;

use super::context::{
    Counts, Entities, EntityGroup, EntityListed, Entry, Feed, FeedEntry, FeedPage, Index, Latest,
    Ledger, LedgerGroup, LedgerKindPage, LedgerSection, Paging, Print, Ref, Sitemap, SitemapUrl,
    TagListed, TagPage, Tags, Timeline, Year, YearCount, page_url, paging, tag_url,
};
use super::pages::{Pages, ledger_section};
use crate::chart;
use crate::graph::ItemRef;
use crate::model::{AnnotationKind, Confidence};
use crate::publish::AnnotationRef;
use crate::tlp::Tlp;

/// How many entries a feed holds.
const FEED_ENTRIES: usize = 50;

fn confidence_name(confidence: Option<Confidence>) -> &'static str {
    match confidence {
        Some(Confidence::High) => "high",
        Some(Confidence::Moderate) => "moderate",
        Some(Confidence::Low) => "low",
        None => "unstated",
    }
}

impl<'a> Pages<'_, 'a> {
    // ---- index.html

    pub(crate) fn index(&self) -> Index<'a> {
        let view = self.view;
        let d = view.dossier;
        let mut latest: Vec<usize> = view.articles().to_vec();
        latest.sort_by(|&a, &b| {
            let (a, b) = (&d.articles[a], &d.articles[b]);
            b.published
                .sort_key()
                .cmp(&a.published.sort_key())
                .then_with(|| a.title.cmp(&b.title))
        });
        let latest = latest
            .into_iter()
            .take(10)
            .map(|i| {
                let a = &d.articles[i];
                Latest {
                    id: &a.id,
                    title: &a.title,
                    url: view.url(ItemRef::Article(i)),
                    published: a.published,
                    summary: a.summary.as_deref(),
                    tlp: a.tlp,
                }
            })
            .collect();
        Index {
            intro_html: &view.prepared.intro_html,
            chart_svg: self.timeline_chart(),
            counts: Counts {
                articles: view.articles().len(),
                annotations: view.annotation_count(),
                incidents: view.incidents().len(),
                entities: view.entities().len(),
            },
            latest,
        }
    }

    /// The chart of the whole published timeline.
    fn timeline_chart(&self) -> String {
        let marks = chart::timeline_marks(self.view);
        chart::svg(&chart::Chart {
            id: "chart-title",
            marks: &marks,
            years: &self.year_urls(),
        })
    }

    /// Where the chart's year bars link: a year page, or the year's place
    /// on the one timeline page.
    fn year_urls(&self) -> Vec<(i16, String)> {
        let base = &self.view.dossier.base.path;
        self.years
            .iter()
            .map(|(year, _)| {
                let url = if self.split_timeline() {
                    format!("{base}timeline/{year}/")
                } else {
                    format!("{base}timeline/#y{year}")
                };
                (*year, url)
            })
            .collect()
    }

    // ---- timeline.html

    fn entry(&self, item: ItemRef) -> Option<Entry<'a>> {
        let view = self.view;
        let d = view.dossier;
        Some(match item {
            ItemRef::Incident(i) => {
                let x = &d.incidents[i];
                Entry {
                    item_type: "incident",
                    id: &x.id,
                    title: &x.title,
                    url: view.url(item),
                    date: x.date,
                    end: x.end,
                    kind: Some(x.kind),
                    summary: x.summary.as_ref().map(|m| first_sentence(&m.text)),
                    tlp: x.tlp,
                }
            }
            ItemRef::Article(i) => {
                let a = &d.articles[i];
                Entry {
                    item_type: "article",
                    id: &a.id,
                    title: &a.title,
                    url: view.url(item),
                    date: a.published,
                    end: None,
                    kind: None,
                    summary: a.summary.clone(),
                    tlp: a.tlp,
                }
            }
            ItemRef::Entity(_) => return None,
        })
    }

    /// Entries grouped by year, in order.
    fn by_year(&self, items: &[ItemRef]) -> Vec<Year<'a>> {
        let mut years: Vec<Year<'a>> = Vec::new();
        for entry in items.iter().filter_map(|&item| self.entry(item)) {
            let year = entry.date.year();
            match years.last_mut() {
                Some(current) if current.year == year => current.entries.push(entry),
                _ => years.push(Year {
                    year,
                    entries: vec![entry],
                }),
            }
        }
        years
    }

    /// `/timeline/`: every entry, or an overview of year pages when there
    /// are too many for one page.
    pub(crate) fn timeline(&self) -> Timeline<'a> {
        if !self.split_timeline() {
            return Timeline {
                year: None,
                overview: Vec::new(),
                chart_svg: String::new(),
                years: self.by_year(self.view.timeline()),
                paging: None,
            };
        }
        let base = &self.view.dossier.base.path;
        let overview = self
            .years
            .iter()
            .map(|(year, range)| YearCount {
                year: *year,
                count: range.len(),
                url: format!("{base}timeline/{year}/"),
            })
            .collect();
        Timeline {
            year: None,
            overview,
            chart_svg: self.timeline_chart(),
            years: Vec::new(),
            paging: None,
        }
    }

    /// The entries of page `page` of `/timeline/<year>/`, and its paging.
    fn year_page(&self, year: i16, page: usize) -> (&[ItemRef], Option<Paging>) {
        let range = self
            .years
            .iter()
            .find(|(y, _)| *y == year)
            .map_or(0..0, |(_, range)| range.clone());
        let items = &self.view.timeline()[range];
        let first = format!("{}timeline/{year}/", self.view.dossier.base.path);
        let (slice, paging) = paging(items.len(), self.list_size, page, &first);
        (&items[slice], paging)
    }

    /// `/timeline/<year>/`, paged when the year alone is too long.
    pub(crate) fn timeline_year(&self, year: i16, page: usize) -> (Tlp, Timeline<'a>) {
        let (items, paging) = self.year_page(year, page);
        let tlp = self.items_tlp(items.iter().copied());
        let timeline = Timeline {
            year: Some(year),
            overview: Vec::new(),
            chart_svg: String::new(),
            years: self.by_year(items),
            paging,
        };
        (tlp, timeline)
    }

    /// Its entries and what their listings show, and how many pages the
    /// year has.
    pub(crate) fn timeline_year_signature(&self, year: i16, page: usize, h: &mut FxHasher) {
        self.epochs.links.hash(h);
        let (items, paging) = self.year_page(year, page);
        (year, page, paging.map(|p| p.pages)).hash(h);
        for &item in items {
            (item, self.view.listing_sign(item)).hash(h);
        }
    }

    // ---- entities.html

    pub(crate) fn entities(&self) -> Entities<'a> {
        let view = self.view;
        let d = view.dossier;
        let b = view.backlinks();
        let groups = view
            .entity_groups()
            .into_iter()
            .map(|(kind, members)| EntityGroup {
                kind,
                label: kind.plural_label(),
                entities: members
                    .into_iter()
                    .map(|i| {
                        let e = &d.entities[i];
                        EntityListed {
                            id: &e.id,
                            name: &e.name,
                            url: view.url(ItemRef::Entity(i)),
                            aliases: &e.aliases,
                            tlp: e.tlp,
                            incident_count: b.entity_incidents[i].len(),
                            annotation_count: b.entity_annotations[i].len(),
                        }
                    })
                    .collect(),
            })
            .collect();
        Entities { groups }
    }

    // ---- tags.html, tag.html

    fn tag_listed(&self, i: usize) -> TagListed {
        let tag = &self.view.tags()[i];
        let url = tag_url(self.view, &tag.slug);
        TagListed {
            name: tag.name.clone(),
            feed_url: format!("{url}feed.xml"),
            url,
            count: tag.count(),
        }
    }

    pub(crate) fn tags(&self) -> Tags {
        let tags = (0..self.view.tags().len())
            .map(|i| self.tag_listed(i))
            .collect();
        Tags { tags }
    }

    pub(crate) fn tags_signature(&self, h: &mut FxHasher) {
        for tag in self.view.tags() {
            (&tag.name, &tag.slug, tag.count()).hash(h);
        }
    }

    /// The items of a tag: articles and incidents in timeline order, then
    /// entities.
    fn tag_items(&self, i: usize) -> Vec<ItemRef> {
        let tag = &self.view.tags()[i];
        let mut items = self.in_timeline_order(&tag.articles, &tag.incidents);
        items.extend(tag.entities.iter().map(|&e| ItemRef::Entity(e)));
        items
    }

    /// `articles` and `incidents` in timeline order (those on it).
    fn in_timeline_order(&self, articles: &[usize], incidents: &[usize]) -> Vec<ItemRef> {
        let ranks = self.shared.timeline_ranks.get_or_init(|| {
            let d = self.view.dossier;
            let mut ranks = vec![u32::MAX; d.articles.len() + d.incidents.len()];
            for (at, item) in self.view.timeline().iter().enumerate() {
                match *item {
                    ItemRef::Article(i) => ranks[i] = at as u32,
                    ItemRef::Incident(i) => ranks[d.articles.len() + i] = at as u32,
                    ItemRef::Entity(_) => {}
                }
            }
            ranks
        });
        let incidents_from = self.view.dossier.articles.len();
        let mut ranked: Vec<(u32, ItemRef)> = (articles.iter())
            .map(|&i| (ranks[i], ItemRef::Article(i)))
            .chain((incidents.iter()).map(|&i| (ranks[incidents_from + i], ItemRef::Incident(i))))
            .filter(|(rank, _)| *rank != u32::MAX)
            .collect();
        ranked.sort_unstable_by_key(|(rank, _)| *rank);
        ranked.into_iter().map(|(_, item)| item).collect()
    }

    pub(crate) fn tag_pages(&self, i: usize) -> usize {
        let tag = &self.view.tags()[i];
        let items = tag.articles.len() + tag.incidents.len() + tag.entities.len();
        super::context::page_count(items, self.side_size).max(super::context::page_count(
            tag.annotations.len(),
            self.side_size,
        ))
    }

    pub(crate) fn tag(&self, i: usize, page: usize) -> (Tlp, TagPage<'a>) {
        let shapes = self.shapes();
        let listed = self.tag_listed(i);
        let tag = &self.view.tags()[i];
        let items = self.tag_items(i);
        let (items_range, _) = paging(items.len(), self.side_size, page, &listed.url);
        let (notes_range, _) = paging(tag.annotations.len(), self.side_size, page, &listed.url);
        let (_, pager) = paging(self.tag_pages(i), 1, page, &listed.url);
        let items = &items[items_range];
        let mut tlp = self.items_tlp(items.iter().copied());
        let of_type = |wanted: fn(&ItemRef) -> bool| -> Vec<Ref<'a>> {
            items
                .iter()
                .filter(|item| wanted(item))
                .map(|&item| shapes.item(item))
                .collect()
        };
        let annotations = shapes.backlinks(&tag.annotations[notes_range], &mut tlp);
        let page = TagPage {
            articles: of_type(|item| matches!(item, ItemRef::Article(_))),
            incidents: of_type(|item| matches!(item, ItemRef::Incident(_))),
            entities: of_type(|item| matches!(item, ItemRef::Entity(_))),
            tag: listed,
            annotations,
            paging: pager,
        };
        (tlp, page)
    }

    /// The items and annotations on this page of the tag, and what
    /// references to them show.
    pub(crate) fn tag_signature(&self, i: usize, page: usize, h: &mut FxHasher) {
        let tag = &self.view.tags()[i];
        self.epochs.links.hash(h);
        (&tag.name, tag.count(), page, self.tag_pages(i)).hash(h);
        let items = self.tag_items(i);
        let (range, _) = paging(items.len(), self.side_size, page, "/");
        for &item in &items[range] {
            (
                item,
                self.view.ref_sign(item),
                self.items_tlp(std::iter::once(item)),
            )
                .hash(h);
        }
        let (range, _) = paging(tag.annotations.len(), self.side_size, page, "/");
        self.annotations_signature(&tag.annotations[range], h);
    }

    // ---- annotations.html, annotation-kind.html

    fn section(
        &self,
        kind: AnnotationKind,
        latest: Vec<super::context::ListedBacklink<'a>>,
    ) -> LedgerSection<'a> {
        let (slug, label) = ledger_section(kind);
        let count = self
            .ledger
            .iter()
            .find(|s| s.kind == kind)
            .map_or(0, |s| s.all.len());
        LedgerSection {
            kind,
            label,
            url: format!("{}annotations/{slug}/", self.view.dossier.base.path),
            count,
            latest,
        }
    }

    pub(crate) fn ledger_overview(&self) -> (Tlp, Ledger<'a>) {
        let shapes = self.shapes();
        let mut tlp = Tlp::Clear;
        let sections = self
            .ledger
            .iter()
            .map(|section| {
                let latest = shapes.backlinks(&section.latest, &mut tlp);
                self.section(section.kind, latest)
            })
            .collect();
        (tlp, Ledger { sections })
    }

    pub(crate) fn ledger_overview_signature(&self, h: &mut FxHasher) {
        self.epochs.links.hash(h);
        for section in &self.ledger {
            section.all.len().hash(h);
            self.annotations_signature(&section.latest, h);
        }
    }

    pub(crate) fn ledger_kind(
        &self,
        kind: AnnotationKind,
        page: usize,
    ) -> (Tlp, LedgerKindPage<'a>) {
        let d = self.view.dossier;
        let shapes = self.shapes();
        let list: &[AnnotationRef] = self
            .ledger
            .iter()
            .find(|s| s.kind == kind)
            .map_or(&[], |s| &s.all);
        let section = self.section(kind, Vec::new());
        let (range, paging) = paging(list.len(), self.annotation_size, page, &section.url);
        let mut tlp = Tlp::Clear;
        let mut groups: Vec<LedgerGroup<'a>> = Vec::new();
        for &at in &list[range] {
            let backlink = shapes.listed(at);
            tlp = tlp.max(backlink.tlp);
            let confidence = (kind == AnnotationKind::Claim)
                .then(|| confidence_name(d.articles[at.0].annotations[at.1].confidence));
            match groups.last_mut() {
                Some(group) if group.confidence == confidence => group.annotations.push(backlink),
                _ => groups.push(LedgerGroup {
                    confidence,
                    annotations: vec![backlink],
                }),
            }
        }
        let page = LedgerKindPage {
            section,
            groups,
            paging,
        };
        (tlp, page)
    }

    pub(crate) fn ledger_kind_signature(
        &self,
        kind: AnnotationKind,
        page: usize,
        h: &mut FxHasher,
    ) {
        self.epochs.links.hash(h);
        let list: &[AnnotationRef] = self
            .ledger
            .iter()
            .find(|s| s.kind == kind)
            .map_or(&[], |s| &s.all);
        (page, list.len()).hash(h);
        let (range, _) = paging(list.len(), self.annotation_size, page, "/");
        self.annotations_signature(&list[range], h);
    }

    // ---- print.html

    pub(crate) fn print(&self) -> (Tlp, Print<'a>) {
        let view = self.view;
        let mut tlp = self.listing_tlp();
        let timeline = view
            .timeline()
            .iter()
            .filter_map(|&item| self.entry(item))
            .collect();
        let articles = view
            .timeline()
            .iter()
            .filter_map(|item| match item {
                ItemRef::Article(ai) => Some(*ai),
                _ => None,
            })
            .map(|ai| {
                let (level, mut article) = self.article_view(ai);
                tlp = tlp.max(level);
                // Many articles on one page: their ids must not collide.
                for block in &mut article.blocks {
                    let scoped = scope_ids(&block.html, article.id, &article.url);
                    block.html = std::borrow::Cow::Owned(scoped);
                }
                article
            })
            .collect();
        let incidents = view
            .timeline()
            .iter()
            .filter_map(|item| match item {
                ItemRef::Incident(i) => Some(self.incident(*i, 1).1.incident),
                _ => None,
            })
            .collect();
        let print = Print {
            intro_html: &view.prepared.intro_html,
            timeline,
            articles,
            incidents,
        };
        (tlp, print)
    }

    /// Everything: every published article and incident file.
    pub(crate) fn print_signature(&self, h: &mut FxHasher) {
        let d = self.view.dossier;
        self.epochs.listings.hash(h);
        for &ai in self.view.articles() {
            let a = &d.articles[ai];
            (a.file.digest, a.annotations_file.as_ref().map(|f| f.digest)).hash(h);
        }
        for &i in self.view.incidents() {
            d.incidents[i].file.digest.hash(h);
        }
    }

    // ---- feed.xml

    /// A feed of `items` (articles and incidents), newest first.
    fn feed_of(&self, title: String, path: &str, alternate: &str, items: &[ItemRef]) -> FeedPage {
        let view = self.view;
        let d = view.dossier;
        let entries = items
            .iter()
            .rev()
            .take(FEED_ENTRIES)
            .filter_map(|&item| {
                let summary = match item {
                    ItemRef::Article(i) => d.articles[i].summary.clone(),
                    ItemRef::Incident(i) => d.incidents[i]
                        .summary
                        .as_ref()
                        .map(|m| first_sentence(&m.text)),
                    ItemRef::Entity(_) => return None,
                };
                let url = view.url(item);
                Some(FeedEntry {
                    title: view.title(item).to_string(),
                    permalink: self.permalink(&url),
                    id: self.atom_id(&url),
                    updated: view.date(item)?.rfc3339(),
                    summary,
                })
            })
            .collect();
        let updated = items
            .iter()
            .filter_map(|&item| view.date(item))
            .max_by_key(|d| d.sort_key())
            .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |d| d.rfc3339());
        let feed_url = format!("{}{path}", d.base.path);
        FeedPage {
            feed: Feed {
                id: self.atom_id(&feed_url),
                title,
                url: self.permalink(&feed_url),
                alternate: self.permalink(alternate),
                updated,
                entries,
            },
        }
    }

    pub(crate) fn feed(&self) -> FeedPage {
        let d = self.view.dossier;
        let title = d.config.title.clone();
        self.feed_of(title, "feed.xml", &d.base.path, self.view.timeline())
    }

    /// Articles and incidents carrying the tag.
    pub(crate) fn tag_feed(&self, i: usize) -> FeedPage {
        let d = self.view.dossier;
        let tag = &self.view.tags()[i];
        let items: Vec<ItemRef> = self
            .tag_items(i)
            .into_iter()
            .filter(|item| !matches!(item, ItemRef::Entity(_)))
            .collect();
        let title = format!("{}: {}", d.config.title, tag.name);
        let page = tag_url(self.view, &tag.slug);
        let path = format!("tags/{}/feed.xml", tag.slug);
        self.feed_of(title, &path, &page, &items)
    }

    /// The tag's newest articles and incidents, and what listings of them
    /// show.
    pub(crate) fn tag_feed_signature(&self, i: usize, h: &mut FxHasher) {
        let tag = &self.view.tags()[i];
        self.epochs.links.hash(h);
        tag.name.hash(h);
        self.feed_entries_signature(&self.in_timeline_order(&tag.articles, &tag.incidents), h);
    }

    /// What a feed of `items` (in timeline order) shows of them: the
    /// newest, the last of which also dates the feed.
    fn feed_entries_signature(&self, items: &[ItemRef], h: &mut FxHasher) {
        for &item in items.iter().rev().take(FEED_ENTRIES) {
            (item, self.view.listing_sign(item)).hash(h);
        }
    }

    /// The entity's incidents and the articles that mention it, by date.
    fn entity_items(&self, ei: usize) -> Vec<ItemRef> {
        let b = self.view.backlinks();
        self.in_timeline_order(&b.entity_articles[ei], &b.entity_incidents[ei])
    }

    pub(crate) fn entity_feed(&self, ei: usize) -> FeedPage {
        let d = self.view.dossier;
        let e = &d.entities[ei];
        let title = format!("{}: {}", d.config.title, e.name);
        let page = self.view.url(ItemRef::Entity(ei));
        let path = format!("entities/{}/feed.xml", e.id);
        self.feed_of(title, &path, &page, &self.entity_items(ei))
    }

    /// The entity's newest incidents and articles, and what listings of
    /// them show.
    pub(crate) fn entity_feed_signature(&self, ei: usize, h: &mut FxHasher) {
        let e = &self.view.dossier.entities[ei];
        self.epochs.links.hash(h);
        (&e.id, &e.name).hash(h);
        self.feed_entries_signature(&self.entity_items(ei), h);
    }

    /// An absolute URL when the base URL has a host, else the path.
    fn permalink(&self, url: &str) -> String {
        let base = &self.view.dossier.base;
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

    // ---- sitemap.xml

    pub(crate) fn sitemap(&self) -> Sitemap {
        let view = self.view;
        let d = view.dossier;
        let base = &d.base.path;
        let mut urls: Vec<SitemapUrl> = [
            "",
            "timeline/",
            "entities/",
            "tags/",
            "annotations/",
            "techniques/",
        ]
        .iter()
        .map(|p| SitemapUrl {
            loc: self.permalink(&format!("{base}{p}")),
            lastmod: None,
        })
        .collect();
        if self.split_timeline() {
            for (year, _) in &self.years {
                urls.push(SitemapUrl {
                    loc: self.permalink(&page_url(&format!("{base}timeline/{year}/"), 1)),
                    lastmod: None,
                });
            }
        }
        let items = view
            .articles()
            .iter()
            .map(|&i| ItemRef::Article(i))
            .chain(view.incidents().iter().map(|&i| ItemRef::Incident(i)))
            .chain(view.entities().iter().map(|&i| ItemRef::Entity(i)));
        for item in items {
            let lastmod = match item {
                ItemRef::Article(i) => Some(d.articles[i].published.iso()),
                _ => None,
            };
            urls.push(SitemapUrl {
                loc: self.permalink(&view.url(item)),
                lastmod,
            });
        }
        for tag in view.tags() {
            urls.push(SitemapUrl {
                loc: self.permalink(&tag_url(view, &tag.slug)),
                lastmod: None,
            });
        }
        Sitemap { urls }
    }
}

/// An article's `html` made to share a page with others: every `id` is
/// prefixed by `scope--`, and a same-page `#fragment` link points at the
/// article's own page (`url`), where the fragment is.
fn scope_ids(html: &str, scope: &str, url: &str) -> String {
    html.replace(" id=\"", &format!(" id=\"{scope}--"))
        .replace(" href=\"#", &format!(" href=\"{url}#"))
}

/// The first sentence of some Markdown, as plain text, for listings.
pub(crate) fn first_sentence(markdown: &str) -> String {
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
