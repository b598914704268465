//! The pages of single items: an article, an incident, an entity, each
//! context beside its signature.

use std::hash::Hash;

use rustc_hash::FxHasher;

use super::context::{
    Article, ArticlePage, Block, Entity, EntityEvent, EntityPage, EntityYear, Incident,
    IncidentPage, Name, Relationship, page_count, page_url, paging,
};
use super::pages::{Pages, digest};
use crate::chart;
use crate::citations::Citations;
use crate::export::layer;
use crate::graph::ItemRef;
use crate::neighbourhood::{self, Neighbour, Neighbourhood};
use crate::publish::{Reference, RelationEdge};
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
        let html = out.html();
        let blocks = out
            .blocks
            .iter()
            .map(|block| Block {
                html: std::borrow::Cow::Owned(html[block.html.clone()].to_owned()),
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

    /// The article's own files (body, annotations) and what its notes'
    /// references show of other items.
    pub(crate) fn article_signature(&self, ai: usize, h: &mut FxHasher) {
        let d = self.view.dossier;
        let a = &d.articles[ai];
        self.epochs.links.hash(h);
        (digest(&a.file), a.annotations_file.as_deref().map(digest)).hash(h);
        self.refs_signature(d.refs[ai].items.iter().map(|&(_, item)| item), h);
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
        // Its relationships and techniques are shown on the first page
        // only: later pages continue the list of annotations.
        let first = page == 1;
        let (relationships, techniques) = if first {
            let edges = view.incident_relations(ii);
            let rows = self.relationship_rows(edges, "outgoing", 1, &mut citations, &mut tlp);
            (rows, self.incident_techniques(ii, &mut citations))
        } else {
            (Vec::new(), Vec::new())
        };
        let first_page = (!first).then(|| url.clone());
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
            first_page,
            relationships,
            techniques,
            backlinks,
            paging,
        };
        (tlp, page)
    }

    /// Its file, what its references show, and the annotations on this
    /// page.
    pub(crate) fn incident_signature(&self, ii: usize, page: usize, h: &mut FxHasher) {
        let view = self.view;
        let x = &view.dossier.incidents[ii];
        self.epochs.links.hash(h);
        digest(&x.file).hash(h);
        for ids in [&x.actors, &x.targets, &x.malware] {
            self.ids_signature(ids, h);
        }
        let list = &view.backlinks().incident_annotations[ii];
        let (range, _) = paging(list.len(), self.annotation_size, page, "/");
        (page, self.incident_pages(ii)).hash(h);
        self.annotations_signature(&list[range], h);
        if page == 1 {
            // Its relationships show their targets; its techniques,
            // annotations from other files.
            self.relations_signature(view.incident_relations(ii), h);
            self.item_techniques_signature(ItemRef::Incident(ii), h);
        }
    }

    // ---- entity.html

    pub(crate) fn entity_pages(&self, ei: usize) -> usize {
        let b = self.view.backlinks();
        page_count(b.entity_incidents[ei].len(), self.side_size)
            .max(page_count(b.entity_articles[ei].len(), self.side_size))
            .max(page_count(b.entity_annotations[ei].len(), self.side_size))
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
        // The overview (names, graph, relationships, techniques, chart) is
        // on the first page only: later pages continue its lists, and
        // repeating it made each of them a third longer.
        let first = page == 1;
        let mut names = Vec::new();
        let mut relationships = Vec::new();
        let mut techniques = Vec::new();
        if first {
            names = x
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
            let (from, to) = view.relations(ei);
            relationships = self.relationship_rows(from, "outgoing", 1, &mut citations, &mut tlp);
            relationships.extend(self.relationship_rows(
                to,
                "incoming",
                from.len() + 1,
                &mut citations,
                &mut tlp,
            ));
            techniques = self.entity_techniques(ei, &mut citations);
        }
        let pages = self.entity_pages(ei);
        // Each list shows its own slice; the longest sets the page count.
        let slice = |len: usize, size: usize| paging(len, size, page, &url).0;
        let (_, pager) = paging(pages, 1, page, &url);
        let backlinks = b.entity_annotations[ei]
            [slice(b.entity_annotations[ei].len(), self.side_size)]
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
            &b.entity_incidents[ei][slice(b.entity_incidents[ei].len(), self.side_size)];
        let articles = &b.entity_articles[ei][slice(b.entity_articles[ei].len(), self.side_size)];
        let timeline = self.entity_timeline(incidents, &relationships);
        let (timeline_chart_svg, graph_svg) = if first {
            let marks = self.entity_marks(ei, &url);
            let years = self.entity_years(ei, &marks, &url);
            let chart = chart::svg(&chart::Chart {
                id: "entity-chart-title",
                marks: &marks,
                years: &years,
            });
            (chart, neighbourhood::svg(&self.neighbourhood(ei)))
        } else {
            (String::new(), String::new())
        };
        let layer_url = layer::entity_layer_path(view, ei)
            .map(|path| format!("{}{path}", view.dossier.base.path));
        let page = EntityPage {
            first_page: (!first).then(|| url.clone()),
            entity,
            timeline,
            timeline_chart_svg,
            graph_svg,
            layer_url,
            articles: articles
                .iter()
                .map(|&i| shapes.item(ItemRef::Article(i)))
                .collect(),
            backlinks,
            paging: pager,
            names,
            relationships,
            techniques,
        };
        (tlp, page)
    }

    /// Relationship table rows for `edges`, numbered from `first` (their
    /// element ids); raises `tlp` to the highest.
    fn relationship_rows(
        &self,
        edges: &[RelationEdge],
        direction: &'static str,
        first: usize,
        citations: &mut Citations<'a>,
        tlp: &mut Tlp,
    ) -> Vec<Relationship<'a>> {
        let view = self.view;
        let shapes = self.shapes();
        edges
            .iter()
            .enumerate()
            .filter_map(|(k, edge)| {
                let (relation, key) = view.relation(edge)?;
                *tlp = (*tlp).max(edge.tlp);
                Some(Relationship {
                    direction,
                    anchor: format!("relation-{}", first + k),
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
                })
            })
            .collect()
    }

    /// The timeline of an entity page: this page's incidents and the dated
    /// relationships it shows, by year.
    fn entity_timeline(
        &self,
        incidents: &[usize],
        relationships: &[Relationship<'a>],
    ) -> Vec<EntityYear<'a>> {
        let view = self.view;
        let shapes = self.shapes();
        let mut events: Vec<EntityEvent<'a>> = Vec::new();
        for &i in incidents {
            let x = &view.dossier.incidents[i];
            events.push(EntityEvent {
                event_type: "incident",
                date: x.date,
                end: x.end,
                item: shapes.item(ItemRef::Incident(i)),
                label: None,
                object: None,
                url: None,
            });
        }
        for r in relationships {
            let Some(date) = r.first_seen.or(r.last_seen) else {
                continue;
            };
            events.push(EntityEvent {
                event_type: "relationship",
                date,
                end: r.first_seen.and(r.last_seen),
                item: r.subject.clone(),
                label: Some(r.label),
                object: Some(r.object.clone()),
                url: Some(format!("#{}", r.anchor)),
            });
        }
        // Incidents arrive in date order; a stable sort slots the
        // relationships in among them.
        events.sort_by_key(|e| e.date.sort_key());
        let mut years: Vec<EntityYear<'a>> = Vec::new();
        for event in events {
            let year = event.date.year();
            match years.last_mut() {
                Some(last) if last.year == year => last.events.push(event),
                _ => years.push(EntityYear {
                    year,
                    anchor: format!("timeline-{year}"),
                    events: vec![event],
                }),
            }
        }
        years
    }

    /// The chart marks of an entity: all its incidents and its dated
    /// relationships (which link to their rows on the first page).
    fn entity_marks(&self, ei: usize, url: &str) -> Vec<chart::Mark<'a>> {
        let view = self.view;
        let d = view.dossier;
        let mut marks: Vec<chart::Mark<'a>> = view.backlinks().entity_incidents[ei]
            .iter()
            .map(|&i| chart::Mark {
                kind: chart::MarkKind::Incident(d.incidents[i].kind),
                date: d.incidents[i].date,
                title: &d.incidents[i].title,
                href: view.url(ItemRef::Incident(i)),
            })
            .collect();
        let (from, to) = view.relations(ei);
        for (k, edge) in from.iter().chain(to).enumerate() {
            let Some((relation, _)) = view.relation(edge) else {
                continue;
            };
            let Some(date) = relation.first_seen.or(relation.last_seen) else {
                continue;
            };
            let other = if k < from.len() {
                ItemRef::Entity(edge.to)
            } else {
                edge.from
            };
            marks.push(chart::Mark {
                kind: chart::MarkKind::Relationship,
                date,
                title: view.title(other),
                href: format!("{url}#relation-{}", k + 1),
            });
        }
        marks.sort_by_key(|m| m.date.sort_key());
        marks
    }

    /// Where each year of an entity's aggregated chart links: that year on
    /// the page that lists its first incident (relationships are all on
    /// the first page).
    fn entity_years(&self, ei: usize, marks: &[chart::Mark<'_>], url: &str) -> Vec<(i16, String)> {
        let d = self.view.dossier;
        let incidents = &self.view.backlinks().entity_incidents[ei];
        let mut years: Vec<(i16, String)> = Vec::new();
        for mark in marks {
            let year = mark.date.year();
            if years.last().is_some_and(|(y, _)| *y == year) {
                continue;
            }
            let position = incidents
                .iter()
                .position(|&i| d.incidents[i].date.year() == year);
            let page = position.map_or(1, |p| p / self.side_size.max(1) + 1);
            years.push((year, format!("{}#timeline-{year}", page_url(url, page))));
        }
        years
    }

    /// An entity's neighbourhood: the items it has relationships with, then
    /// the entities it shares incidents with, most shared first.
    pub(crate) fn neighbourhood(&self, ei: usize) -> Neighbourhood<'a> {
        let view = self.view;
        let d = view.dossier;
        let x = &d.entities[ei];
        let mut neighbours: Vec<(ItemRef, Vec<String>)> = Vec::new();
        let mut tie =
            |item: ItemRef, words: String| match neighbours.iter_mut().find(|(i, _)| *i == item) {
                Some((_, all)) if !all.contains(&words) => all.push(words),
                Some(_) => {}
                None => neighbours.push((item, vec![words])),
            };
        let (from, to) = view.relations(ei);
        for edge in from {
            let Some((relation, _)) = view.relation(edge) else {
                continue;
            };
            tie(ItemRef::Entity(edge.to), relation.kind.label().to_string());
        }
        for edge in to {
            let Some((relation, _)) = view.relation(edge) else {
                continue;
            };
            tie(edge.from, format!("{} this", relation.kind.label()));
        }
        let related = neighbours.len();
        let mut shared: Vec<(usize, usize)> = Vec::new(); // (entity, incidents)
        for &i in &view.backlinks().entity_incidents[ei] {
            let incident = &d.incidents[i];
            let mut seen_here: Vec<usize> = Vec::new();
            for id in incident
                .actors
                .iter()
                .chain(&incident.targets)
                .chain(&incident.malware)
            {
                if let Reference::Item(ItemRef::Entity(e)) = view.reference(&id.value)
                    && e != ei
                    && !seen_here.contains(&e)
                {
                    seen_here.push(e);
                    match shared.iter_mut().find(|(s, _)| *s == e) {
                        Some((_, n)) => *n += 1,
                        None => shared.push((e, 1)),
                    }
                }
            }
        }
        shared.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| d.entities[a.0].name.cmp(&d.entities[b.0].name))
        });
        let shapes_of = |item: ItemRef| match item {
            ItemRef::Entity(e) => d.entities[e].kind.name(),
            _ => "incident",
        };
        let mut out: Vec<Neighbour<'a>> = neighbours
            .into_iter()
            .map(|(item, words)| {
                let tie = words.join(", ");
                Neighbour {
                    name: view.title(item),
                    href: view.url(item),
                    kind: shapes_of(item),
                    sentence: format!("{}: {tie}", view.title(item)),
                    tie,
                    shared: false,
                }
            })
            .collect();
        for (e, n) in shared {
            let item = ItemRef::Entity(e);
            let words = format!("{n} shared incident{}", if n == 1 { "" } else { "s" });
            let href = view.url(item);
            // A related item keeps its short tie; its link's name says more.
            if let Some(existing) = out[..related].iter_mut().find(|m| m.href == href) {
                existing.sentence = format!("{}, {words}", existing.sentence);
                continue;
            }
            out.push(Neighbour {
                name: view.title(item),
                href,
                kind: shapes_of(item),
                sentence: format!("{}: {words}", view.title(item)),
                tie: words,
                shared: true,
            });
        }
        Neighbourhood {
            centre: &x.name,
            centre_kind: x.kind.name(),
            neighbours: out,
        }
    }

    /// What relationship rows show: each edge, its source file, subject
    /// and object.
    fn relations_signature(&self, edges: &[RelationEdge], h: &mut FxHasher) {
        let d = self.view.dossier;
        for edge in edges {
            (edge.from, edge.index, edge.to, edge.tlp).hash(h);
            self.refs_signature([edge.from, ItemRef::Entity(edge.to)], h);
            match edge.from {
                ItemRef::Incident(i) => digest(&d.incidents[i].file).hash(h),
                ItemRef::Entity(e) => digest(&d.entities[e].file).hash(h),
                ItemRef::Article(_) => {}
            }
        }
    }

    /// Its file, the annotations, incidents and articles on this page and
    /// what references to them show.
    pub(crate) fn entity_signature(&self, ei: usize, page: usize, h: &mut FxHasher) {
        let view = self.view;
        let b = view.backlinks();
        self.epochs.links.hash(h);
        digest(&view.dossier.entities[ei].file).hash(h);
        (page, self.entity_pages(ei)).hash(h);
        let slice = |len: usize, size: usize| paging(len, size, page, "/").0;
        let annotations = &b.entity_annotations[ei];
        self.annotations_signature(&annotations[slice(annotations.len(), self.side_size)], h);
        let incidents =
            &b.entity_incidents[ei][slice(b.entity_incidents[ei].len(), self.side_size)];
        let articles = &b.entity_articles[ei][slice(b.entity_articles[ei].len(), self.side_size)];
        self.refs_signature(incidents.iter().map(|&i| ItemRef::Incident(i)), h);
        self.refs_signature(articles.iter().map(|&i| ItemRef::Article(i)), h);
        if page == 1 {
            // Techniques named and relationships written in other files
            // show here too.
            self.item_techniques_signature(ItemRef::Entity(ei), h);
            let (from, to) = view.relations(ei);
            self.relations_signature(from, h);
            self.relations_signature(to, h);
            // The chart and the graph draw every incident and neighbour,
            // whichever file they come from.
            let url = view.url(ItemRef::Entity(ei));
            self.entity_marks(ei, &url).hash(h);
            self.neighbourhood(ei).hash(h);
        }
    }
}
