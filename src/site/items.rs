//! The pages of single items: an article, an incident, an entity, each
//! context beside its signature.

use std::hash::Hash;

use rustc_hash::FxHasher;

use super::context::{
    Article, ArticlePage, Block, Entity, EntityPage, Incident, IncidentPage, Name, Relationship,
    page_count, paging,
};
use super::pages::{Pages, generation};
use crate::citations::Citations;
use crate::graph::ItemRef;
use crate::tlp::Tlp;

impl<'a> Pages<'_, 'a> {
    // ---- article.html

    pub(crate) fn article(&self, ai: usize) -> (Tlp, ArticlePage<'a>) {
        let (tlp, article) = self.article_view(ai);
        (tlp, ArticlePage { article })
    }

    /// An article with its notes (also on the print page).
    pub(crate) fn article_view(&self, ai: usize) -> (Tlp, Article<'a>) {
        let view = self.view;
        let a = &view.dossier.articles[ai];
        let out = &view.prepared.articles[ai];
        let shapes = self.shapes();
        let mut citations = Citations::default();
        let mut tlp = a.tlp;
        let blocks = out
            .blocks
            .iter()
            .map(|block| Block {
                html: std::borrow::Cow::Borrowed(&block.html),
                notes: block
                    .notes
                    .iter()
                    .map(|&ni| {
                        tlp = tlp.max(view.annotation_tlp(ai, ni));
                        shapes.annotation((ai, ni), &mut citations)
                    })
                    .collect(),
            })
            .collect();
        let article = Article {
            id: &a.id,
            title: &a.title,
            url: view.url(ItemRef::Article(ai)),
            published: a.published,
            source: a.source.as_deref(),
            source_url: a.url.as_deref(),
            author: a.author.as_deref(),
            reliability: a.reliability.map(String::from),
            tags: shapes.tags(&a.tags),
            summary: a.summary.as_deref(),
            tlp: a.tlp,
            blocks,
            references: citations.references(),
        };
        (tlp, article)
    }

    /// The article's own files (body, annotations) and what its references
    /// and tags show of other items.
    pub(crate) fn article_signature(&self, ai: usize, h: &mut FxHasher) {
        let a = &self.view.dossier.articles[ai];
        self.epochs.refs.hash(h);
        self.tag_names_signature(h);
        (
            generation(&a.file),
            a.annotations_file.as_deref().map(generation),
        )
            .hash(h);
    }

    /// Which tags have pages: a printed tag links to its page only if it has
    /// one.
    fn tag_names_signature(&self, h: &mut FxHasher) {
        self.view.tags().len().hash(h);
        for tag in self.view.tags() {
            tag.slug.hash(h);
        }
    }

    // ---- incident.html

    pub(crate) fn incident_pages(&self, ii: usize) -> usize {
        let list = &self.view.backlinks().incident_annotations[ii];
        page_count(list.len(), self.annotation_size)
    }

    pub(crate) fn incident(&self, ii: usize, page: usize) -> (Tlp, IncidentPage<'a>) {
        let view = self.view;
        let x = &view.dossier.incidents[ii];
        let shapes = self.shapes();
        let mut citations = Citations::default();
        let cites = citations.cite_all(&x.sources);
        let mut tlp = x.tlp;
        let url = view.url(ItemRef::Incident(ii));
        let list = &view.backlinks().incident_annotations[ii];
        let (range, paging) = paging(list.len(), self.annotation_size, page, &url);
        let backlinks = shapes.backlinks(&list[range], &mut tlp);
        let incident = Incident {
            id: &x.id,
            title: &x.title,
            url,
            date: x.date,
            end: x.end,
            kind: x.kind,
            summary_html: &view.prepared.incident_summaries[ii],
            actors: shapes.references(&x.actors),
            targets: shapes.references(&x.targets),
            malware: shapes.references(&x.malware),
            losses: x.losses.as_deref(),
            tags: shapes.tags(&x.tags),
            tlp: x.tlp,
            citations: cites,
            references: citations.references(),
        };
        let page = IncidentPage {
            incident,
            backlinks,
            paging,
        };
        (tlp, page)
    }

    /// Its file, what references show, and the annotations on this page.
    pub(crate) fn incident_signature(&self, ii: usize, page: usize, h: &mut FxHasher) {
        let view = self.view;
        self.epochs.refs.hash(h);
        self.tag_names_signature(h);
        generation(&view.dossier.incidents[ii].file).hash(h);
        let list = &view.backlinks().incident_annotations[ii];
        let (range, _) = paging(list.len(), self.annotation_size, page, "/");
        (page, self.incident_pages(ii)).hash(h);
        self.annotations_signature(&list[range], h);
    }

    // ---- entity.html

    pub(crate) fn entity_pages(&self, ei: usize) -> usize {
        let b = self.view.backlinks();
        page_count(b.entity_incidents[ei].len(), self.list_size)
            .max(page_count(b.entity_articles[ei].len(), self.list_size))
            .max(page_count(
                b.entity_annotations[ei].len(),
                self.annotation_size,
            ))
    }

    pub(crate) fn entity(&self, ei: usize, page: usize) -> (Tlp, EntityPage<'a>) {
        let view = self.view;
        let d = view.dossier;
        let x = &d.entities[ei];
        let b = view.backlinks();
        let shapes = self.shapes();
        let mut citations = Citations::default();
        let cites = citations.cite_all(&x.sources);
        let mut tlp = x.tlp;
        let url = view.url(ItemRef::Entity(ei));
        let names = x
            .names
            .iter()
            .enumerate()
            .map(|(k, alias)| Name {
                name: &alias.name,
                by: alias.by.as_deref(),
                note_html: view.prepared.alias_note(&x.id, k),
                citations: citations.cite_all(&alias.sources),
            })
            .collect();
        let relationships = self.relationships(ei, &mut citations, &mut tlp);
        let pages = self.entity_pages(ei);
        // Each list shows its own slice; the longest sets the page count.
        let slice = |len: usize, size: usize| paging(len, size, page, &url).0;
        let (_, pager) = paging(pages, 1, page, &url);
        let backlinks = b.entity_annotations[ei]
            [slice(b.entity_annotations[ei].len(), self.annotation_size)]
        .to_vec();
        let backlinks = shapes.backlinks(&backlinks, &mut tlp);
        let entity = Entity {
            id: &x.id,
            name: &x.name,
            url: url.clone(),
            kind: x.kind,
            aliases: &x.aliases,
            summary_html: &view.prepared.entity_summaries[ei],
            tags: shapes.tags(&x.tags),
            feed_url: format!("{url}feed.xml"),
            tlp: x.tlp,
            citations: cites,
            references: citations.references(),
        };
        let incidents =
            &b.entity_incidents[ei][slice(b.entity_incidents[ei].len(), self.list_size)];
        let articles = &b.entity_articles[ei][slice(b.entity_articles[ei].len(), self.list_size)];
        let page = EntityPage {
            entity,
            incidents: incidents
                .iter()
                .map(|&i| shapes.item(ItemRef::Incident(i)))
                .collect(),
            articles: articles
                .iter()
                .map(|&i| shapes.item(ItemRef::Article(i)))
                .collect(),
            backlinks,
            paging: pager,
            names,
            relationships,
            techniques: self.entity_techniques(ei),
        };
        (tlp, page)
    }

    /// The published relationships from and to entity `ei`, as table rows;
    /// raises `tlp` to the highest.
    fn relationships(
        &self,
        ei: usize,
        citations: &mut Citations<'a>,
        tlp: &mut Tlp,
    ) -> Vec<Relationship<'a>> {
        let view = self.view;
        let d = view.dossier;
        let shapes = self.shapes();
        let (from, to) = view.relations(ei);
        let rows = from
            .iter()
            .map(|e| ("outgoing", e))
            .chain(to.iter().map(|e| ("incoming", e)));
        rows.map(|(direction, edge)| {
            let (relation, key) = match edge.from {
                ItemRef::Incident(i) => (
                    &d.incidents[i].relations[edge.index],
                    format!("incident/{}", d.incidents[i].id),
                ),
                ItemRef::Entity(e) => (
                    &d.entities[e].relations[edge.index],
                    format!("entity/{}", d.entities[e].id),
                ),
                ItemRef::Article(_) => unreachable!("articles have no relations"),
            };
            *tlp = (*tlp).max(edge.tlp);
            Relationship {
                direction,
                relation_type: relation.kind.name(),
                label: relation.kind.label(),
                subject: shapes.item(edge.from),
                object: shapes.item(ItemRef::Entity(edge.to)),
                first_seen: relation.first_seen,
                last_seen: relation.last_seen,
                confidence: relation.confidence,
                note_html: view.prepared.relation_note(&key, edge.index),
                citations: citations.cite_all(&relation.sources),
                tlp: edge.tlp,
            }
        })
        .collect()
    }

    /// Its file, what references show, the annotations, incidents and
    /// articles on this page.
    pub(crate) fn entity_signature(&self, ei: usize, page: usize, h: &mut FxHasher) {
        let view = self.view;
        let b = view.backlinks();
        self.epochs.refs.hash(h);
        self.tag_names_signature(h);
        generation(&view.dossier.entities[ei].file).hash(h);
        (page, self.entity_pages(ei)).hash(h);
        let slice = |len: usize, size: usize| paging(len, size, page, "/").0;
        let annotations = &b.entity_annotations[ei];
        self.annotations_signature(
            &annotations[slice(annotations.len(), self.annotation_size)],
            h,
        );
        b.entity_incidents[ei][slice(b.entity_incidents[ei].len(), self.list_size)].hash(h);
        b.entity_articles[ei][slice(b.entity_articles[ei].len(), self.list_size)].hash(h);
        // Techniques named in other files show here too.
        self.techniques_signature(h);
        // Relationships written in other files show here too.
        let d = view.dossier;
        let (from, to) = view.relations(ei);
        for edge in from.iter().chain(to) {
            (edge.from, edge.index, edge.to, edge.tlp).hash(h);
            match edge.from {
                ItemRef::Incident(i) => generation(&d.incidents[i].file).hash(h),
                ItemRef::Entity(e) => generation(&d.entities[e].file).hash(h),
                ItemRef::Article(_) => {}
            }
        }
    }
}
