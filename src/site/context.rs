//! The template contexts: one type per template, and the shapes they share.
//!
//! These types are a user contract: `docs/templates.md` documents every
//! field, and a test (`site::docs_test`) keeps the two equal. They borrow
//! from the dossier instead of cloning it, since a large dossier renders
//! thousands of pages.

use std::sync::Arc;

use serde::Serialize;

use super::backlinks::BacklinkHtml;
use crate::citations::{Citations, Reference};
use crate::date::PartialDate;
use crate::graph::ItemRef;
use crate::model::{AnnotationKind, Confidence, EntityKind, IncidentKind};
use crate::publish::{AnnotationRef, Published};
use crate::tlp::Tlp;
use crate::yaml::Spanned;

/// The context of any page, as its template receives it.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum Context<'a> {
    Index(Page<'a, Index<'a>>),
    Timeline(Page<'a, Timeline<'a>>),
    Entities(Page<'a, Entities<'a>>),
    Article(Page<'a, ArticlePage<'a>>),
    Incident(Page<'a, IncidentPage<'a>>),
    Entity(Page<'a, EntityPage<'a>>),
    Tags(Page<'a, Tags>),
    Tag(Page<'a, TagPage<'a>>),
    Ledger(Page<'a, Ledger<'a>>),
    LedgerKind(Page<'a, LedgerKindPage<'a>>),
    Print(Page<'a, Print<'a>>),
    Techniques(Page<'a, Techniques>),
    Technique(Page<'a, TechniquePage<'a>>),
    Feed(Page<'a, FeedPage>),
    Sitemap(Page<'a, Sitemap>),
    /// 404.html and robots.txt: the common variables only.
    Empty(Page<'a, Empty>),
}

/// What every template receives, around the page's own fields.
#[derive(Serialize)]
pub(crate) struct Page<'a, T: Serialize> {
    pub(crate) site: Site<'a>,
    pub(crate) page_title: Option<String>,
    /// The highest level on the page; None when everything is clear.
    pub(crate) page_tlp: Option<Tlp>,
    #[serde(flatten)]
    pub(crate) fields: T,
}

#[derive(Serialize)]
pub(crate) struct Site<'a> {
    pub(crate) title: &'a str,
    pub(crate) description: Option<&'a str>,
    pub(crate) language: &'a str,
    pub(crate) base_path: &'a str,
    pub(crate) permalink: &'a str,
    pub(crate) generator: &'static str,
    /// Whether the site has `/print/`.
    pub(crate) print: bool,
    /// Whether the site has `/search/`.
    pub(crate) search: bool,
}

/// A tag, linking to its page.
#[derive(Serialize)]
pub(crate) struct TagRef<'a> {
    pub(crate) name: &'a str,
    pub(crate) url: String,
}

/// Where a page sits in a list split over several pages.
#[derive(Serialize)]
pub(crate) struct Paging {
    /// 1-based.
    pub(crate) page: usize,
    pub(crate) pages: usize,
    pub(crate) previous: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) links: Vec<PageLink>,
}

#[derive(Serialize)]
pub(crate) struct PageLink {
    pub(crate) n: usize,
    pub(crate) url: String,
    pub(crate) current: bool,
    /// Pages are left out between the previous link and this one.
    pub(crate) gap_before: bool,
}

/// A reference to another item: a link, or `{ withheld: true }`.
#[derive(Serialize, Clone)]
#[serde(untagged)]
pub(crate) enum Ref<'a> {
    Item {
        withheld: bool,
        id: &'a str,
        #[serde(rename = "type")]
        item_type: &'static str,
        title: &'a str,
        url: String,
        kind: Option<Kind>,
        date: Option<PartialDate>,
    },
    Withheld {
        withheld: bool,
    },
}

/// An incident's or an entity's kind.
#[derive(Serialize, Clone, Copy)]
#[serde(untagged)]
pub(crate) enum Kind {
    Incident(IncidentKind),
    Entity(EntityKind),
}

/// An annotation beside its quote on the article page.
#[derive(Serialize)]
pub(crate) struct Annotation<'a> {
    pub(crate) id: &'a str,
    pub(crate) kind: AnnotationKind,
    pub(crate) quote: &'a str,
    pub(crate) note_html: &'a str,
    pub(crate) confidence: Option<Confidence>,
    pub(crate) credibility: Option<u8>,
    pub(crate) tlp: Tlp,
    pub(crate) incidents: Vec<Ref<'a>>,
    pub(crate) entities: Vec<Ref<'a>>,
    pub(crate) tags: Vec<TagRef<'a>>,
    pub(crate) citations: Vec<usize>,
}

/// An annotation shown away from its article: on an incident, entity or
/// tag page and in the ledger.
#[derive(Serialize)]
pub(crate) struct Backlink<'a> {
    pub(crate) id: &'a str,
    pub(crate) kind: AnnotationKind,
    pub(crate) quote: &'a str,
    pub(crate) note_html: &'a str,
    pub(crate) confidence: Option<Confidence>,
    pub(crate) credibility: Option<u8>,
    pub(crate) tlp: Tlp,
    pub(crate) url: String,
    pub(crate) note_url: String,
    pub(crate) article: Ref<'a>,
    pub(crate) tags: Vec<TagRef<'a>>,
}

/// An annotation in a list away from its article (incident, entity, tag,
/// technique and ledger pages): the theme's `backlink` component's output
/// for it, rendered once per build and reused on every page that lists it
/// (see `site::backlinks`).
#[derive(Serialize)]
pub(crate) struct ListedBacklink<'a> {
    pub(crate) id: &'a str,
    pub(crate) kind: AnnotationKind,
    pub(crate) tlp: Tlp,
    #[serde(serialize_with = "shared_str")]
    pub(crate) html: Arc<str>,
}

fn shared_str<S: serde::Serializer>(text: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(text)
}

// ---- index.html

#[derive(Serialize)]
pub(crate) struct Index<'a> {
    pub(crate) intro_html: &'a str,
    pub(crate) chart_svg: String,
    pub(crate) counts: Counts,
    pub(crate) latest: Vec<Latest<'a>>,
}

#[derive(Serialize)]
pub(crate) struct Counts {
    pub(crate) articles: usize,
    pub(crate) annotations: usize,
    pub(crate) incidents: usize,
    pub(crate) entities: usize,
}

#[derive(Serialize)]
pub(crate) struct Latest<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) published: PartialDate,
    pub(crate) summary: Option<&'a str>,
    pub(crate) tlp: Tlp,
}

// ---- timeline.html

#[derive(Serialize)]
pub(crate) struct Timeline<'a> {
    /// The year of a year page; None on `/timeline/`.
    pub(crate) year: Option<i16>,
    /// On `/timeline/` when the timeline is split into year pages: every
    /// year with its count and page; empty otherwise.
    pub(crate) overview: Vec<YearCount>,
    /// The overview's chart (by year); empty when there is no overview.
    pub(crate) chart_svg: String,
    pub(crate) years: Vec<Year<'a>>,
    pub(crate) paging: Option<Paging>,
}

#[derive(Serialize)]
pub(crate) struct YearCount {
    pub(crate) year: i16,
    pub(crate) count: usize,
    pub(crate) url: String,
}

#[derive(Serialize)]
pub(crate) struct Year<'a> {
    pub(crate) year: i16,
    pub(crate) entries: Vec<Entry<'a>>,
}

#[derive(Serialize)]
pub(crate) struct Entry<'a> {
    #[serde(rename = "type")]
    pub(crate) item_type: &'static str,
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) date: PartialDate,
    pub(crate) end: Option<PartialDate>,
    pub(crate) kind: Option<IncidentKind>,
    pub(crate) summary: Option<String>,
    pub(crate) tlp: Tlp,
}

// ---- entities.html

#[derive(Serialize)]
pub(crate) struct Entities<'a> {
    pub(crate) groups: Vec<EntityGroup<'a>>,
}

#[derive(Serialize)]
pub(crate) struct EntityGroup<'a> {
    pub(crate) kind: EntityKind,
    pub(crate) label: &'static str,
    pub(crate) entities: Vec<EntityListed<'a>>,
}

#[derive(Serialize)]
pub(crate) struct EntityListed<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) url: String,
    pub(crate) aliases: &'a [String],
    pub(crate) tlp: Tlp,
    pub(crate) incident_count: usize,
    pub(crate) annotation_count: usize,
}

// ---- article.html

#[derive(Serialize)]
pub(crate) struct ArticlePage<'a> {
    pub(crate) article: Article<'a>,
}

#[derive(Serialize)]
pub(crate) struct Article<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) published: PartialDate,
    pub(crate) source: Option<&'a str>,
    pub(crate) source_url: Option<&'a str>,
    pub(crate) author: Option<&'a str>,
    pub(crate) reliability: Option<String>,
    pub(crate) tags: Vec<TagRef<'a>>,
    pub(crate) summary: Option<&'a str>,
    pub(crate) tlp: Tlp,
    pub(crate) blocks: Vec<Block<'a>>,
    pub(crate) references: Vec<Reference<'a>>,
}

#[derive(Serialize)]
pub(crate) struct Block<'a> {
    pub(crate) html: std::borrow::Cow<'a, str>,
    pub(crate) notes: Vec<Annotation<'a>>,
}

// ---- incident.html

#[derive(Serialize)]
pub(crate) struct IncidentPage<'a> {
    pub(crate) incident: Incident<'a>,
    /// On a later page, the first page's URL: relationships and techniques
    /// are shown there only.
    pub(crate) first_page: Option<String>,
    /// Its relationships to entities (first page only).
    pub(crate) relationships: Vec<Relationship<'a>>,
    /// The ATT&CK techniques seen in it, by tactic (first page only).
    pub(crate) techniques: Vec<TechniqueRow<'a>>,
    pub(crate) backlinks: Vec<ListedBacklink<'a>>,
    pub(crate) paging: Option<Paging>,
}

#[derive(Serialize)]
pub(crate) struct Incident<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) date: PartialDate,
    pub(crate) end: Option<PartialDate>,
    pub(crate) kind: IncidentKind,
    pub(crate) summary_html: &'a str,
    pub(crate) actors: Vec<Ref<'a>>,
    pub(crate) targets: Vec<Ref<'a>>,
    pub(crate) malware: Vec<Ref<'a>>,
    pub(crate) losses: Option<&'a str>,
    pub(crate) tags: Vec<TagRef<'a>>,
    pub(crate) tlp: Tlp,
    pub(crate) citations: Vec<usize>,
    pub(crate) references: Vec<Reference<'a>>,
}

// ---- entity.html

#[derive(Serialize)]
pub(crate) struct EntityPage<'a> {
    pub(crate) entity: Entity<'a>,
    /// On a later page, the first page's URL: the overview (names, graph,
    /// relationships, techniques, chart) is shown there only.
    pub(crate) first_page: Option<String>,
    /// Its incidents (this page's share) and, on the first page, its dated
    /// relationships, by year.
    pub(crate) timeline: Vec<EntityYear<'a>>,
    /// A chart of all of them (first page only; empty otherwise).
    pub(crate) timeline_chart_svg: String,
    /// Its neighbourhood graph (first page only; empty otherwise).
    pub(crate) graph_svg: String,
    /// Its ATT&CK Navigator layer, for actors and malware.
    pub(crate) layer_url: Option<String>,
    pub(crate) articles: Vec<Ref<'a>>,
    pub(crate) backlinks: Vec<ListedBacklink<'a>>,
    pub(crate) paging: Option<Paging>,
    /// The entity's names and who uses them (first page only).
    pub(crate) names: Vec<Name<'a>>,
    /// Its relationships, both directions (first page only).
    pub(crate) relationships: Vec<Relationship<'a>>,
    /// The ATT&CK techniques it uses, by tactic (first page only).
    pub(crate) techniques: Vec<TechniqueRow<'a>>,
}

#[derive(Serialize)]
pub(crate) struct TechniqueRow<'a> {
    /// The tactic's name, `Initial Access`.
    pub(crate) tactic: &'static str,
    pub(crate) technique: TechniqueListed,
    /// Where it was seen (the item itself, its incidents, the articles whose
    /// annotations name it), each with the sources that say so.
    pub(crate) seen: Vec<TechniqueSeen<'a>>,
    /// How many more places it was seen in, listed on its page.
    pub(crate) more: usize,
}

#[derive(Serialize)]
pub(crate) struct TechniqueSeen<'a> {
    pub(crate) item: Ref<'a>,
    /// Numbers in the page's references list.
    pub(crate) citations: Vec<usize>,
}

/// One year of an entity's own timeline.
#[derive(Serialize)]
pub(crate) struct EntityYear<'a> {
    pub(crate) year: i16,
    /// The year's element id, `timeline-2017`.
    pub(crate) anchor: String,
    pub(crate) events: Vec<EntityEvent<'a>>,
}

/// An incident the entity is part of, or one of its dated relationships.
#[derive(Serialize)]
pub(crate) struct EntityEvent<'a> {
    /// `incident` or `relationship`.
    #[serde(rename = "type")]
    pub(crate) event_type: &'static str,
    pub(crate) date: PartialDate,
    pub(crate) end: Option<PartialDate>,
    /// The incident; for a relationship, its subject.
    pub(crate) item: Ref<'a>,
    /// For a relationship: its type in words and its object.
    pub(crate) label: Option<&'static str>,
    pub(crate) object: Option<Ref<'a>>,
    /// For a relationship: its row in the relationships table.
    pub(crate) url: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Name<'a> {
    pub(crate) name: &'a str,
    pub(crate) by: Option<&'a str>,
    pub(crate) note_html: &'a str,
    pub(crate) citations: Vec<usize>,
}

#[derive(Serialize)]
pub(crate) struct Relationship<'a> {
    /// `outgoing` when this item is the subject, `incoming` otherwise.
    pub(crate) direction: &'static str,
    /// The row's element id, `relation-1`.
    pub(crate) anchor: String,
    #[serde(rename = "type")]
    pub(crate) relation_type: &'static str,
    /// The type in words: `part of`, `uses`...
    pub(crate) label: &'static str,
    pub(crate) subject: Ref<'a>,
    pub(crate) object: Ref<'a>,
    pub(crate) first_seen: Option<PartialDate>,
    pub(crate) last_seen: Option<PartialDate>,
    pub(crate) confidence: Option<Confidence>,
    pub(crate) note_html: &'a str,
    pub(crate) citations: Vec<usize>,
    pub(crate) tlp: Tlp,
}

#[derive(Serialize)]
pub(crate) struct Entity<'a> {
    pub(crate) id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) url: String,
    pub(crate) kind: EntityKind,
    pub(crate) aliases: &'a [String],
    pub(crate) summary_html: &'a str,
    pub(crate) tags: Vec<TagRef<'a>>,
    pub(crate) feed_url: String,
    pub(crate) tlp: Tlp,
    pub(crate) citations: Vec<usize>,
    pub(crate) references: Vec<Reference<'a>>,
}

// ---- feed.xml, sitemap.xml, 404.html, robots.txt

#[derive(Serialize)]
pub(crate) struct FeedPage {
    pub(crate) feed: Feed,
}

#[derive(Serialize)]
pub(crate) struct Feed {
    pub(crate) id: String,
    pub(crate) title: String,
    /// The feed's own absolute URL, and the page it follows.
    pub(crate) url: String,
    pub(crate) alternate: String,
    pub(crate) updated: String,
    pub(crate) entries: Vec<FeedEntry>,
}

#[derive(Serialize)]
pub(crate) struct FeedEntry {
    pub(crate) title: String,
    pub(crate) permalink: String,
    pub(crate) id: String,
    pub(crate) updated: String,
    pub(crate) summary: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Sitemap {
    pub(crate) urls: Vec<SitemapUrl>,
}

#[derive(Serialize)]
pub(crate) struct SitemapUrl {
    pub(crate) loc: String,
    pub(crate) lastmod: Option<String>,
}

// ---- tags.html, tag.html

#[derive(Serialize)]
pub(crate) struct Tags {
    pub(crate) tags: Vec<TagListed>,
}

#[derive(Serialize)]
pub(crate) struct TagListed {
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) feed_url: String,
    pub(crate) count: usize,
}

#[derive(Serialize)]
pub(crate) struct TagPage<'a> {
    pub(crate) tag: TagListed,
    pub(crate) articles: Vec<Ref<'a>>,
    pub(crate) incidents: Vec<Ref<'a>>,
    pub(crate) entities: Vec<Ref<'a>>,
    pub(crate) annotations: Vec<ListedBacklink<'a>>,
    pub(crate) paging: Option<Paging>,
}

// ---- annotations.html, annotation-kind.html (the ledger)

#[derive(Serialize)]
pub(crate) struct Ledger<'a> {
    pub(crate) sections: Vec<LedgerSection<'a>>,
}

#[derive(Serialize)]
pub(crate) struct LedgerSection<'a> {
    pub(crate) kind: AnnotationKind,
    pub(crate) label: &'static str,
    pub(crate) url: String,
    pub(crate) count: usize,
    /// The first few, newest first.
    pub(crate) latest: Vec<ListedBacklink<'a>>,
}

#[derive(Serialize)]
pub(crate) struct LedgerKindPage<'a> {
    pub(crate) section: LedgerSection<'a>,
    /// Claims by confidence (high first, unstated last); one group otherwise.
    pub(crate) groups: Vec<LedgerGroup<'a>>,
    pub(crate) paging: Option<Paging>,
}

#[derive(Serialize)]
pub(crate) struct LedgerGroup<'a> {
    /// `high`, `moderate`, `low`, `unstated`, or null for kinds without groups.
    pub(crate) confidence: Option<&'static str>,
    pub(crate) annotations: Vec<ListedBacklink<'a>>,
}

// ---- print.html

#[derive(Serialize)]
pub(crate) struct Print<'a> {
    pub(crate) intro_html: &'a str,
    pub(crate) timeline: Vec<Entry<'a>>,
    pub(crate) articles: Vec<Article<'a>>,
    pub(crate) incidents: Vec<Incident<'a>>,
}

// ---- techniques.html, technique.html

#[derive(Serialize)]
pub(crate) struct Techniques {
    pub(crate) attack: Attack,
    pub(crate) tactics: Vec<TacticGroup>,
}

/// The ATT&CK release and the notice its terms of use ask for.
#[derive(Serialize)]
pub(crate) struct Attack {
    pub(crate) version: &'static str,
    pub(crate) notice: &'static str,
}

#[derive(Serialize)]
pub(crate) struct TacticGroup {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) attack_url: &'static str,
    pub(crate) techniques: Vec<TechniqueListed>,
}

#[derive(Serialize)]
pub(crate) struct TechniqueListed {
    pub(crate) id: &'static str,
    /// With its parent's name for a sub-technique.
    pub(crate) name: String,
    /// Its page on this site, and on the ATT&CK site.
    pub(crate) url: String,
    pub(crate) attack_url: &'static str,
    /// How many items and annotations use it.
    pub(crate) count: usize,
}

#[derive(Serialize)]
pub(crate) struct TechniquePage<'a> {
    pub(crate) attack: Attack,
    pub(crate) technique: TechniqueListed,
    pub(crate) tactics: Vec<&'static str>,
    pub(crate) entities: Vec<Ref<'a>>,
    pub(crate) incidents: Vec<Ref<'a>>,
    pub(crate) annotations: Vec<ListedBacklink<'a>>,
    pub(crate) paging: Option<Paging>,
}

/// A page with nothing beyond the common variables.
#[derive(Serialize)]
pub(crate) struct Empty {}

/// Builds the shared shapes from the published view.
pub(crate) struct Shapes<'v, 'a> {
    pub(crate) view: &'v Published<'a>,
    /// Backlinks rendered so far.
    pub(crate) backlink_html: &'v BacklinkHtml<'v>,
}

impl<'a> Shapes<'_, 'a> {
    pub(crate) fn reference(&self, id: &str) -> Ref<'a> {
        match self.view.reference(id) {
            crate::publish::Reference::Item(item) => self.item(item),
            crate::publish::Reference::Withheld => Ref::Withheld { withheld: true },
        }
    }

    pub(crate) fn references(&self, ids: &[Spanned<String>]) -> Vec<Ref<'a>> {
        ids.iter().map(|id| self.reference(&id.value)).collect()
    }

    pub(crate) fn item(&self, item: ItemRef) -> Ref<'a> {
        let d = self.view.dossier;
        let (id, kind): (&'a str, Option<Kind>) = match item {
            ItemRef::Article(i) => (&d.articles[i].id, None),
            ItemRef::Incident(i) => (
                &d.incidents[i].id,
                Some(Kind::Incident(d.incidents[i].kind)),
            ),
            ItemRef::Entity(i) => (&d.entities[i].id, Some(Kind::Entity(d.entities[i].kind))),
        };
        Ref::Item {
            withheld: false,
            id,
            item_type: item.type_name(),
            title: self.view.title(item),
            url: self.view.url(item),
            kind,
            date: self.view.date(item),
        }
    }

    /// Tags, each linking to its page.
    pub(crate) fn tags(&self, names: &'a [String]) -> Vec<TagRef<'a>> {
        names
            .iter()
            .filter_map(|name| {
                let tag = self.view.tag(name)?;
                Some(TagRef {
                    name,
                    url: tag_url(self.view, &tag.slug),
                })
            })
            .collect()
    }

    /// Annotation `ni` of article `ai` as a note, citing into `citations`.
    pub(crate) fn annotation(
        &self,
        (ai, ni): AnnotationRef,
        citations: &mut Citations<'a>,
    ) -> Annotation<'a> {
        let view = self.view;
        let n = &view.dossier.articles[ai].annotations[ni];
        Annotation {
            id: &n.id,
            kind: n.kind,
            quote: &n.quote.value,
            note_html: &view.prepared.articles[ai].notes[ni],
            confidence: n.confidence,
            credibility: n.credibility,
            tlp: view.annotation_tlp(ai, ni),
            incidents: self.references(&n.incidents),
            entities: self.references(&n.entities),
            tags: self.tags(&n.tags),
            citations: citations.cite_all(&n.sources),
        }
    }

    /// An annotation shown away from its article.
    pub(crate) fn backlink(&self, (ai, ni): AnnotationRef) -> Backlink<'a> {
        let view = self.view;
        let n = &view.dossier.articles[ai].annotations[ni];
        let article = ItemRef::Article(ai);
        let page = view.url(article);
        Backlink {
            id: &n.id,
            kind: n.kind,
            quote: &n.quote.value,
            note_html: &view.prepared.articles[ai].notes[ni],
            confidence: n.confidence,
            credibility: n.credibility,
            tlp: view.annotation_tlp(ai, ni),
            url: format!("{page}#{}", n.id),
            note_url: format!("{page}#note-{}", n.id),
            article: self.item(article),
            tags: self.tags(&n.tags),
        }
    }

    /// Annotation `at` as listed away from its article.
    pub(crate) fn listed(&self, (ai, ni): AnnotationRef) -> ListedBacklink<'a> {
        let n = &self.view.dossier.articles[ai].annotations[ni];
        ListedBacklink {
            id: &n.id,
            kind: n.kind,
            tlp: self.view.annotation_tlp(ai, ni),
            html: self.backlink_html.get(self, (ai, ni)),
        }
    }

    /// The annotations of `list` as listed; raises `tlp` to the highest.
    pub(crate) fn backlinks(
        &self,
        list: &[AnnotationRef],
        tlp: &mut Tlp,
    ) -> Vec<ListedBacklink<'a>> {
        list.iter()
            .map(|&at| {
                let b = self.listed(at);
                *tlp = (*tlp).max(b.tlp);
                b
            })
            .collect()
    }
}

/// The page of a tag.
pub(crate) fn tag_url(view: &Published<'_>, slug: &str) -> String {
    let base = &view.dossier.base.path;
    let mut url = String::with_capacity(base.len() + slug.len() + 6);
    url.push_str(base);
    url.push_str("tags/");
    url.push_str(slug);
    url.push('/');
    url
}

/// Splits `total` entries into pages of `size`: the range of page `page`
/// (1-based) and its paging, None when everything fits on one page.
pub(crate) fn paging(
    total: usize,
    size: usize,
    page: usize,
    first_url: &str,
) -> (std::ops::Range<usize>, Option<Paging>) {
    let size = size.max(1);
    let pages = total.div_ceil(size).max(1);
    let start = ((page - 1) * size).min(total);
    let range = start..(start + size).min(total);
    if pages == 1 {
        return (range, None);
    }
    let url = |n: usize| page_url(first_url, n);
    let paging = Paging {
        page,
        pages,
        previous: (page > 1).then(|| url(page - 1)),
        next: (page < pages).then(|| url(page + 1)),
        links: page_window(page, pages)
            .into_iter()
            .scan(0, |last, n| {
                let gap_before = n > *last + 1 && *last > 0;
                *last = n;
                Some(PageLink {
                    n,
                    url: url(n),
                    current: n == page,
                    gap_before,
                })
            })
            .collect(),
    };
    (range, Some(paging))
}

/// The pages a pager links: the first, the last, and those near `page`,
/// so a list of a thousand pages does not put a thousand links on each.
fn page_window(page: usize, pages: usize) -> Vec<usize> {
    const NEAR: usize = 3;
    let mut window: Vec<usize> = vec![1, pages];
    window.extend(page.saturating_sub(NEAR).max(1)..=(page + NEAR).min(pages));
    window.sort_unstable();
    window.dedup();
    window
}

/// The URL of page `n` of a list whose first page is at `first_url`
/// (which ends with `/`): `first_url` itself, then `first_url` + `page/N/`.
pub(crate) fn page_url(first_url: &str, n: usize) -> String {
    if n <= 1 {
        first_url.to_string()
    } else {
        format!("{first_url}page/{n}/")
    }
}

/// How many pages a list of `total` entries takes at `size` per page.
pub(crate) fn page_count(total: usize, size: usize) -> usize {
    total.div_ceil(size.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagers_link_the_ends_and_the_neighbourhood() {
        assert_eq!(page_window(1, 1), vec![1]);
        assert_eq!(page_window(1, 3), vec![1, 2, 3]);
        assert_eq!(page_window(1, 100), vec![1, 2, 3, 4, 100]);
        assert_eq!(
            page_window(50, 100),
            vec![1, 47, 48, 49, 50, 51, 52, 53, 100]
        );
        assert_eq!(page_window(100, 100), vec![1, 97, 98, 99, 100]);
        let (range, pager) = paging(10, 3, 4, "/t/");
        assert_eq!(range, 9..10);
        let pager = pager.unwrap();
        assert_eq!((pager.page, pager.pages), (4, 4));
        assert_eq!(pager.previous.as_deref(), Some("/t/page/3/"));
        assert_eq!(pager.next, None);
        assert_eq!(pager.links[0].url, "/t/");
        let (range, pager) = paging(3, 3, 1, "/t/");
        assert_eq!((range, pager.is_none()), (0..3, true));
    }
}
