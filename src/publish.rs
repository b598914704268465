//! The publish rule, in one place, and the published view every output
//! reads.
//!
//! Nothing restricted may reach a published file, so what a build includes
//! is decided here and nowhere else (a test scans `src/` to keep it so):
//!
//! - an incident or entity is published when its TLP level is at or below
//!   the publish level;
//! - an article, when its level is, and it is not a draft (unless drafts
//!   are asked for);
//! - an annotation, when its article is and its effective level (the
//!   stricter of its own and its article's) is at or below the publish level.
//!
//! [`Inclusion`] records that decision for every item once per pass, for
//! the steps that run before pages exist (resolving `@id` links, weaving
//! marks). [`Published`] is the only thing the site, the chart and the
//! exports read: the published items, each article's published and anchored
//! annotations, the timeline order, backlinks, and references in which
//! withheld items are already replaced.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rustc_hash::FxHasher;

use crate::date::PartialDate;
use crate::graph::{Changes, Dossier, ItemRef, Lookup};
use crate::model::{AnnotationKind, Article, Confidence, EntityKind};
use crate::prepare::Prepared;
use crate::relations::Relation;
use crate::tlp::Tlp;

/// Which items a build publishes: from `publish_tlp` or `--tlp`, and
/// `--drafts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Rule {
    pub(crate) tlp: Tlp,
    pub(crate) drafts: bool,
}

/// The stricter of an annotation's own level and its article's.
pub(crate) fn annotation_tlp(article: &Article, annotation: usize) -> Tlp {
    article.tlp.max(article.annotations[annotation].tlp)
}

/// The rule applied to every item of a dossier, once.
#[derive(Debug, Default, Clone)]
pub(crate) struct Inclusion {
    articles: Vec<bool>,
    /// Per article, per annotation.
    annotations: Vec<Vec<bool>>,
    incidents: Vec<bool>,
    entities: Vec<bool>,
}

impl Inclusion {
    pub(crate) fn new(rule: Rule, dossier: &Dossier) -> Inclusion {
        let within = |tlp: Tlp| tlp <= rule.tlp;
        let articles: Vec<bool> = dossier
            .articles
            .iter()
            .map(|a| within(a.tlp) && (!a.draft || rule.drafts))
            .collect();
        let annotations = dossier
            .articles
            .iter()
            .zip(&articles)
            .map(|(a, &included)| {
                (0..a.annotations.len())
                    .map(|ni| included && within(annotation_tlp(a, ni)))
                    .collect()
            })
            .collect();
        Inclusion {
            articles,
            annotations,
            incidents: dossier.incidents.iter().map(|x| within(x.tlp)).collect(),
            entities: dossier.entities.iter().map(|x| within(x.tlp)).collect(),
        }
    }

    /// This inclusion, for `dossier` that replaced the items of `changes`.
    pub(crate) fn revise(&self, rule: Rule, dossier: &Dossier, changes: &Changes) -> Inclusion {
        let within = |tlp: Tlp| tlp <= rule.tlp;
        let mut revised = self.clone();
        for &i in &changes.articles {
            let a = &dossier.articles[i];
            let included = within(a.tlp) && (!a.draft || rule.drafts);
            revised.articles[i] = included;
            revised.annotations[i] = (0..a.annotations.len())
                .map(|ni| included && within(annotation_tlp(a, ni)))
                .collect();
        }
        for &i in &changes.incidents {
            revised.incidents[i] = within(dossier.incidents[i].tlp);
        }
        for &i in &changes.entities {
            revised.entities[i] = within(dossier.entities[i].tlp);
        }
        revised
    }

    pub(crate) fn item(&self, item: ItemRef) -> bool {
        let (list, i) = match item {
            ItemRef::Article(i) => (&self.articles, i),
            ItemRef::Incident(i) => (&self.incidents, i),
            ItemRef::Entity(i) => (&self.entities, i),
        };
        list.get(i).copied().unwrap_or(false)
    }

    pub(crate) fn annotation(&self, article: usize, annotation: usize) -> bool {
        self.annotations
            .get(article)
            .and_then(|a| a.get(annotation))
            .copied()
            .unwrap_or(false)
    }
}

/// An annotation as seen from elsewhere: (article index, annotation index).
pub(crate) type AnnotationRef = (usize, usize);

/// What points at each incident and entity, published items only.
#[derive(Debug, Default)]
pub(crate) struct Backlinks {
    /// Published, anchored annotations that reference each incident / entity.
    pub(crate) incident_annotations: Vec<Vec<AnnotationRef>>,
    pub(crate) entity_annotations: Vec<Vec<AnnotationRef>>,
    /// Published incidents in which each entity is an actor, target or malware.
    pub(crate) entity_incidents: Vec<Vec<usize>>,
    /// Published articles that annotate or link to each entity.
    pub(crate) entity_articles: Vec<Vec<usize>>,
}

/// A relationship between published items: relation `index` of `from` (an
/// entity or incident), pointing at entity `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RelationEdge {
    pub(crate) from: ItemRef,
    pub(crate) index: usize,
    pub(crate) to: usize,
    /// The strictest of the relation's own level, its item's and its target's.
    pub(crate) tlp: Tlp,
}

/// Where an ATT&CK technique is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum TechniqueUse {
    Entity(usize),
    Incident(usize),
    Annotation(AnnotationRef),
}

/// A technique the published dossier uses, and where.
#[derive(Debug)]
pub(crate) struct UsedTechnique {
    pub(crate) technique: &'static crate::attack::Technique,
    pub(crate) uses: Vec<TechniqueUse>,
}

/// A reference from a published item to another, as outputs show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reference {
    Item(ItemRef),
    /// Excluded by the rule: show no name, link, title or id.
    Withheld,
}

/// A tag and the published items and annotations that carry it.
#[derive(Debug)]
pub(crate) struct Tag {
    /// As first written (in id order); tags that differ only in case or
    /// punctuation share one page.
    pub(crate) name: String,
    /// Its URL segment: `/tags/<slug>/`.
    pub(crate) slug: String,
    pub(crate) articles: Vec<usize>,
    pub(crate) incidents: Vec<usize>,
    pub(crate) entities: Vec<usize>,
    pub(crate) annotations: Vec<AnnotationRef>,
}

impl Tag {
    /// How many things carry the tag.
    pub(crate) fn count(&self) -> usize {
        self.articles.len() + self.incidents.len() + self.entities.len() + self.annotations.len()
    }
}

/// The URL segment of a tag: lower case, runs of anything but letters and
/// digits as one `-`. None when nothing is left.
pub(crate) fn tag_slug(name: &str) -> Option<String> {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    (!slug.is_empty()).then_some(slug)
}

/// The published part of one pass: what every output reads.
#[derive(Clone, Copy)]
pub(crate) struct Published<'a> {
    pub(crate) dossier: &'a Dossier,
    pub(crate) prepared: &'a Prepared,
    derived: &'a Derived,
}

/// What [`Published`] derives from a whole dossier: which items and
/// annotations are published, the timeline, backlinks, tags, relations
/// and techniques. Made once per pass and kept with it; after an edit
/// that replaced a few items ([`Dossier::revise`]), each part the edit
/// could not have changed is taken over from the previous pass (see
/// [`Derived::revise`]).
#[derive(Default)]
pub(crate) struct Derived {
    articles: Vec<usize>,
    incidents: Vec<usize>,
    entities: Vec<usize>,
    /// Per article: its published annotations that anchored, in file order.
    annotations: Vec<Arc<[usize]>>,
    annotation_count: usize,
    timeline: Arc<Vec<ItemRef>>,
    backlinks: Arc<Backlinks>,
    /// By slug.
    tags: Arc<Vec<Tag>>,
    /// Per entity: the published relationships from it and to it.
    relations: Vec<(Vec<RelationEdge>, Vec<RelationEdge>)>,
    /// Per incident: the published relationships from it.
    incident_relations: Vec<Vec<RelationEdge>>,
    /// Every published relationship: incidents' (by id), then entities'.
    edges: Vec<RelationEdge>,
    /// By technique id.
    techniques: Arc<Vec<UsedTechnique>>,
    /// Per incident and per entity, the technique uses that count for it.
    technique_uses: Arc<ItemTechniques>,
    /// By kind, in [`LEDGER_KINDS`] order.
    ledger: Arc<Vec<LedgerSection>>,
    item_signs: Arc<ItemSigns>,
    /// A hash of everything listings show (see `Published::listings_epoch`).
    listings_epoch: u64,
    signs: Arc<AnnotationSigns>,
    /// Tells passes apart: see `stable_since`.
    serial: u64,
    /// The serial of the pass this one was revised from when everything
    /// above was carried over from it (and no incident or entity changed):
    /// the edited articles' own files and annotations are then all that
    /// differs, which is what `site` needs to know to sign only the pages
    /// that show them.
    stable_since: Option<u64>,
}

/// Per incident and per entity, the technique uses that count for it, each
/// with the index of its technique in `Published::techniques`, in the
/// order of `techniques` and of each one's uses: an incident counts its own
/// uses and those of the annotations that name it; an entity its own,
/// those of the incidents it acts in (as actor or malware) and those of
/// the annotations that name it.
#[derive(Debug, Default)]
struct ItemTechniques {
    incidents: Vec<Vec<(usize, TechniqueUse)>>,
    entities: Vec<Vec<(usize, TechniqueUse)>>,
}

/// The kinds of annotation in the order the ledger shows them, the order
/// an editor reads them.
pub(crate) const LEDGER_KINDS: [AnnotationKind; 5] = [
    AnnotationKind::Question,
    AnnotationKind::Correction,
    AnnotationKind::Claim,
    AnnotationKind::Context,
    AnnotationKind::Note,
];

/// How many of the newest annotations each ledger section's overview shows.
pub(crate) const LEDGER_LATEST: usize = 10;

/// The published annotations of one kind.
#[derive(Debug)]
pub(crate) struct LedgerSection {
    pub(crate) kind: AnnotationKind,
    /// Newest article first; claims by confidence, high first and unstated
    /// last, each newest first.
    pub(crate) all: Vec<AnnotationRef>,
    /// The newest [`LEDGER_LATEST`].
    pub(crate) latest: Vec<AnnotationRef>,
}

/// What references to each item and listings of it show, one number each,
/// in flat arrays (articles, then incidents, then entities). A page's
/// signature takes those of the items it prints, so that retitling an
/// article re-renders the pages that name it rather than all of them.
#[derive(Debug, Default, Clone)]
pub(crate) struct ItemSigns {
    /// [`Published::refs_part`]: id, title, kind, dates.
    refs: Vec<u64>,
    /// `refs` and [`Published::listings_part`]: summary, level, tags, counts.
    listings: Vec<u64>,
}

impl ItemSigns {
    /// Where `item` is in the flat arrays of `dossier`.
    fn slot(dossier: &Dossier, item: ItemRef) -> usize {
        match item {
            ItemRef::Article(i) => i,
            ItemRef::Incident(i) => dossier.articles.len() + i,
            ItemRef::Entity(i) => dossier.articles.len() + dossier.incidents.len() + i,
        }
    }
}

/// What each annotation shows where it is listed (its own YAML, its
/// article's level) as one number, all of them in one array: signatures
/// of the pages that list annotations read these, and reading 100,000
/// annotations from all over memory on every pass cost more than the rest
/// of a signature.
#[derive(Debug, Default)]
struct AnnotationSigns {
    /// Where each article's annotations start in `signs`, and the end.
    offsets: Vec<usize>,
    signs: Vec<u64>,
}

fn annotation_sign(article: &Article, ni: usize) -> u64 {
    let mut h = FxHasher::default();
    (article.tlp, article.annotations[ni].digest).hash(&mut h);
    h.finish()
}

impl AnnotationSigns {
    /// For every annotation of `dossier`; with `previous` (of the dossier
    /// revised), copied from it except for the `changed` articles.
    fn new(dossier: &Dossier, previous: Option<(&AnnotationSigns, &[usize])>) -> AnnotationSigns {
        let mut out = AnnotationSigns {
            offsets: Vec::with_capacity(dossier.articles.len() + 1),
            signs: Vec::new(),
        };
        let mut changed = previous
            .map_or(&[][..], |(_, changed)| changed)
            .iter()
            .peekable();
        for (ai, a) in dossier.articles.iter().enumerate() {
            out.offsets.push(out.signs.len());
            match previous {
                Some((p, _)) if changed.next_if_eq(&&ai).is_none() => {
                    out.signs
                        .extend_from_slice(&p.signs[p.offsets[ai]..p.offsets[ai + 1]]);
                }
                _ => out
                    .signs
                    .extend((0..a.annotations.len()).map(|ni| annotation_sign(a, ni))),
            }
        }
        out.offsets.push(out.signs.len());
        out
    }
}

/// The pass a [`Derived`] is revised from.
pub(crate) struct Previous<'p> {
    pub(crate) dossier: &'p Dossier,
    pub(crate) derived: &'p Derived,
    pub(crate) prepared: &'p Prepared,
}

impl Derived {
    /// What `dossier` derives, taking over from `previous` (the pass
    /// `dossier` was revised from) each part whose inputs among the
    /// changed items are as they were: the early cutoff that keeps a
    /// `serve` pass after one edit from reading every annotation.
    pub(crate) fn revise(
        dossier: &Dossier,
        prepared: &Prepared,
        previous: Option<Previous<'_>>,
    ) -> Derived {
        let mut timer = crate::timings::Timer::new();
        let included = &dossier.included;
        let changes = previous.as_ref().and(dossier.changes.as_ref());
        let previous = previous.filter(|_| changes.is_some());
        let published_annotations = |ai: usize| -> Arc<[usize]> {
            let anchors = &prepared.articles[ai].anchors;
            (0..dossier.articles[ai].annotations.len())
                .filter(|&ni| included.annotation(ai, ni) && anchors[ni].is_some())
                .collect()
        };
        let annotations: Vec<Arc<[usize]>> = match (&previous, changes) {
            (Some(p), Some(changes)) => {
                let mut annotations = p.derived.annotations.clone();
                for &ai in &changes.articles {
                    annotations[ai] = published_annotations(ai);
                }
                annotations
            }
            _ => (0..dossier.articles.len())
                .map(published_annotations)
                .collect(),
        };
        let mut derived = Derived {
            articles: (0..dossier.articles.len())
                .filter(|&i| included.item(ItemRef::Article(i)))
                .collect(),
            incidents: (0..dossier.incidents.len())
                .filter(|&i| included.item(ItemRef::Incident(i)))
                .collect(),
            entities: (0..dossier.entities.len())
                .filter(|&i| included.item(ItemRef::Entity(i)))
                .collect(),
            annotation_count: annotations.iter().map(|a| a.len()).sum(),
            annotations,
            ..Derived::default()
        };
        let relations = Published::new(dossier, prepared, &derived).published_relations();
        (derived.relations, derived.incident_relations, derived.edges) = relations;
        timer.lap("  relations");
        // A part is taken over when every changed item contributes to it
        // what it did before.
        let unchanged = |now: Published<'_>, part: fn(Published<'_>, ItemRef) -> u64| -> bool {
            let (Some(p), Some(changes)) = (&previous, changes) else {
                return false;
            };
            let before = Published::new(p.dossier, p.prepared, p.derived);
            let items = changes
                .articles
                .iter()
                .map(|&i| ItemRef::Article(i))
                .chain(changes.incidents.iter().map(|&i| ItemRef::Incident(i)))
                .chain(changes.entities.iter().map(|&i| ItemRef::Entity(i)));
            items
                .into_iter()
                .all(|item| part(before, item) == part(now, item))
        };
        let now = Published::new(dossier, prepared, &derived);
        let sorted_alike = unchanged(now, |v, item| v.timeline_part(item));
        let tags = unchanged(now, |v, item| v.tags_part(item));
        let techniques = unchanged(now, |v, item| v.techniques_part(item));
        let p = previous.as_ref().map(|p| p.derived);
        derived.timeline = match p {
            Some(p) if sorted_alike => Arc::clone(&p.timeline),
            _ => {
                let order = Published::new(dossier, prepared, &derived).timeline_order();
                // A new title or date mostly leaves the order as it was, and
                // what reads only the order need not be made again.
                match p {
                    Some(p) if *p.timeline == order => Arc::clone(&p.timeline),
                    _ => Arc::new(order),
                }
            }
        };
        let timeline = p.is_some_and(|p| Arc::ptr_eq(&p.timeline, &derived.timeline));
        let now = Published::new(dossier, prepared, &derived);
        let backlinks = timeline && unchanged(now, |v, item| v.backlinks_part(item));
        timer.lap("  timeline");
        // Each reads every published annotation, from all over memory:
        // side by side, they take the time of the longest.
        let v = Published::new(dossier, prepared, &derived);
        let (b, (t, u)) = rayon::join(
            || match p {
                Some(p) if backlinks => Arc::clone(&p.backlinks),
                _ => Arc::new(v.compute_backlinks()),
            },
            || {
                rayon::join(
                    || match p {
                        Some(p) if tags => Arc::clone(&p.tags),
                        _ => Arc::new(v.collect_tags()),
                    },
                    || match p {
                        Some(p) if techniques => Arc::clone(&p.techniques),
                        _ => Arc::new(v.used_techniques()),
                    },
                )
            },
        );
        (derived.backlinks, derived.tags, derived.techniques) = (b, t, u);
        // Who counts a use depends on the references of annotations and
        // the actors of incidents as well.
        let others_unchanged =
            changes.is_some_and(|c| c.incidents.is_empty() && c.entities.is_empty());
        derived.technique_uses = match p {
            Some(p) if techniques && backlinks && others_unchanged => Arc::clone(&p.technique_uses),
            _ => Arc::new(Published::new(dossier, prepared, &derived).item_techniques()),
        };
        timer.lap("  backlinks, tags and techniques");
        let now = Published::new(dossier, prepared, &derived);
        let ledger_carried = timeline && unchanged(now, |v, item| v.ledger_part(item));
        let refs = unchanged(now, |v, item| v.refs_part(item))
            && previous
                .as_ref()
                .is_some_and(|p| p.dossier.link_epoch() == dossier.link_epoch());
        let listed = unchanged(now, |v, item| v.listings_part(item));
        let item_signs = match (p, changes) {
            (Some(p), Some(_)) if refs && listed => Arc::clone(&p.item_signs),
            (Some(p), Some(changes)) => Arc::new(now.item_signs(Some((&p.item_signs, changes)))),
            _ => Arc::new(now.item_signs(None)),
        };
        let listings = refs && backlinks && tags && listed;
        let (ledger, listings_epoch) = rayon::join(
            || match p {
                Some(p) if ledger_carried => Arc::clone(&p.ledger),
                _ => Arc::new(now.compute_ledger()),
            },
            || match p {
                Some(p) if listings => p.listings_epoch,
                _ => now.compute_listings_epoch(&item_signs),
            },
        );
        let signs = match (p, changes) {
            (Some(p), Some(changes)) if changes.articles.is_empty() => Arc::clone(&p.signs),
            (Some(p), Some(changes)) => Arc::new(AnnotationSigns::new(
                dossier,
                Some((&p.signs, &changes.articles)),
            )),
            _ => Arc::new(AnnotationSigns::new(dossier, None)),
        };
        (derived.ledger, derived.signs) = (ledger, signs);
        (derived.item_signs, derived.listings_epoch) = (item_signs, listings_epoch);
        static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        derived.serial = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let everything_carried = others_unchanged
            && timeline
            && backlinks
            && tags
            && techniques
            && ledger_carried
            && listings;
        derived.stable_since = p.filter(|_| everything_carried).map(|p| p.serial);
        timer.lap("  ledger and epochs");
        derived
    }
}

impl<'a> Published<'a> {
    pub(crate) fn new(dossier: &'a Dossier, prepared: &'a Prepared, derived: &'a Derived) -> Self {
        Published {
            dossier,
            prepared,
            derived,
        }
    }

    /// What item `item` contributes to the ledger besides the timeline's
    /// order: an article's date orders each section's newest.
    fn ledger_part(self, item: ItemRef) -> u64 {
        let mut h = FxHasher::default();
        (self.dossier.included.item(item), item).hash(&mut h);
        if let ItemRef::Article(ai) = item {
            self.dossier.articles[ai].published.sort_key().hash(&mut h);
            for &ni in self.annotations(ai) {
                let n = &self.dossier.articles[ai].annotations[ni];
                (ni, n.kind, n.confidence).hash(&mut h);
            }
        }
        h.finish()
    }

    /// What a reference to item `item` shows (see [`ItemSigns`]).
    fn refs_part(self, item: ItemRef) -> u64 {
        let d = self.dossier;
        let mut h = FxHasher::default();
        match item {
            ItemRef::Article(i) => {
                let a = &d.articles[i];
                (&a.id, &a.title, a.published).hash(&mut h);
            }
            ItemRef::Incident(i) => {
                let x = &d.incidents[i];
                (&x.id, &x.title, x.date, x.end, x.kind).hash(&mut h);
            }
            ItemRef::Entity(i) => {
                let x = &d.entities[i];
                (&x.id, &x.name, x.kind).hash(&mut h);
            }
        }
        h.finish()
    }

    /// What a listing of item `item` shows besides `refs_part` (an article
    /// only while published).
    fn listings_part(self, item: ItemRef) -> u64 {
        let d = self.dossier;
        let mut h = FxHasher::default();
        (d.included.item(item), item).hash(&mut h);
        match item {
            ItemRef::Article(ai) if d.included.item(item) => {
                let a = &d.articles[ai];
                (&a.summary, a.tlp, &a.tags, self.annotations(ai).len()).hash(&mut h);
            }
            ItemRef::Article(_) => {}
            ItemRef::Incident(i) => {
                let x = &d.incidents[i];
                (x.end, x.tlp, &x.tags, x.summary.as_ref().map(|m| &m.text)).hash(&mut h);
            }
            ItemRef::Entity(i) => {
                let x = &d.entities[i];
                (&x.aliases, x.tlp, &x.tags).hash(&mut h);
            }
        }
        h.finish()
    }

    /// The ledger's sections, in [`LEDGER_KINDS`] order.
    fn compute_ledger(&self) -> Vec<LedgerSection> {
        let d = self.dossier;
        let mut sections: Vec<LedgerSection> = LEDGER_KINDS
            .iter()
            .map(|&kind| LedgerSection {
                kind,
                all: Vec::new(),
                latest: Vec::new(),
            })
            .collect();
        let all: Vec<AnnotationRef> = self.all_annotations().collect();
        // One pass over every annotation, newest article first. Claims go
        // to one bucket per confidence, which is a stable sort by it
        // without comparing (each comparison would read two annotations
        // from all over memory).
        let mut claims: [Vec<AnnotationRef>; 4] = Default::default();
        for &(ai, ni) in all.iter().rev() {
            let annotation = &d.articles[ai].annotations[ni];
            if annotation.kind == AnnotationKind::Claim {
                claims[usize::from(confidence_rank(annotation.confidence))].push((ai, ni));
            } else if let Some(section) = sections.iter_mut().find(|s| s.kind == annotation.kind) {
                section.all.push((ai, ni));
            }
        }
        for section in &mut sections {
            if section.kind == AnnotationKind::Claim {
                section.all = claims.concat();
            }
            // Claims are sorted by confidence; the overview shows the
            // newest (a stable sort keeps each article's in order).
            let mut newest = section.all.clone();
            newest.sort_by_key(|&(ai, _)| std::cmp::Reverse(d.articles[ai].published.sort_key()));
            newest.truncate(LEDGER_LATEST);
            section.latest = newest;
        }
        sections
    }

    /// What references to and listings of every item show; with
    /// `previous` (of the dossier revised), copied from it but for the
    /// changed items. The same functions tell `Derived::revise` whether an
    /// edit changed them.
    fn item_signs(&self, previous: Option<(&ItemSigns, &Changes)>) -> ItemSigns {
        let d = self.dossier;
        let sign = |item: ItemRef| {
            let refs = self.refs_part(item);
            let mut h = FxHasher::default();
            (refs, self.listings_part(item)).hash(&mut h);
            (refs, h.finish())
        };
        let count = d.articles.len() + d.incidents.len() + d.entities.len();
        if let Some((p, changes)) = previous.filter(|(p, _)| p.refs.len() == count) {
            let mut out = p.clone();
            let changed = (changes.articles.iter().map(|&i| ItemRef::Article(i)))
                .chain(changes.incidents.iter().map(|&i| ItemRef::Incident(i)))
                .chain(changes.entities.iter().map(|&i| ItemRef::Entity(i)));
            for item in changed {
                let at = ItemSigns::slot(d, item);
                (out.refs[at], out.listings[at]) = sign(item);
            }
            return out;
        }
        let items = (0..d.articles.len()).map(ItemRef::Article);
        let items = items
            .chain((0..d.incidents.len()).map(ItemRef::Incident))
            .chain((0..d.entities.len()).map(ItemRef::Entity));
        let (refs, listings) = items.map(sign).unzip();
        ItemSigns { refs, listings }
    }

    /// One hash of everything the listings of the whole dossier show (the
    /// front page, timeline, entities, feed, sitemap): every item's
    /// listing, publication, entities' counts and the tags.
    fn compute_listings_epoch(&self, signs: &ItemSigns) -> u64 {
        let d = self.dossier;
        let mut h = FxHasher::default();
        d.link_epoch().hash(&mut h);
        signs.listings.hash(&mut h);
        let b = self.backlinks();
        for (incidents, annotations) in b.entity_incidents.iter().zip(&b.entity_annotations) {
            (incidents.len(), annotations.len()).hash(&mut h);
        }
        for tag in self.tags() {
            (&tag.name, &tag.slug).hash(&mut h);
        }
        d.index.as_ref().map(|page| page.file.digest).hash(&mut h);
        h.finish()
    }

    /// The ledger's sections, in [`LEDGER_KINDS`] order.
    pub(crate) fn ledger(&self) -> &'a [LedgerSection] {
        &self.derived.ledger
    }

    /// This pass's serial, and when only the files and annotations of
    /// some articles differ from an earlier pass, that pass's serial and
    /// those articles.
    pub(crate) fn serial(&self) -> (u64, Option<(u64, &'a [usize])>) {
        let changed = self.dossier.changes.as_ref().map(|c| c.articles.as_slice());
        let since = self.derived.stable_since.zip(changed);
        (self.derived.serial, since)
    }

    /// A hash of everything the listings of the whole dossier show.
    pub(crate) fn listings_epoch(&self) -> u64 {
        self.derived.listings_epoch
    }

    /// What a reference to `item` shows, as one number ([`ItemSigns`]).
    pub(crate) fn ref_sign(&self, item: ItemRef) -> u64 {
        self.derived.item_signs.refs[ItemSigns::slot(self.dossier, item)]
    }

    /// What a listing of `item` shows, as one number ([`ItemSigns`]).
    pub(crate) fn listing_sign(&self, item: ItemRef) -> u64 {
        self.derived.item_signs.listings[ItemSigns::slot(self.dossier, item)]
    }

    /// What annotation `ni` of article `ai` shows where it is listed, as
    /// one number.
    pub(crate) fn annotation_sign(&self, ai: usize, ni: usize) -> u64 {
        let signs = &self.derived.signs;
        signs.signs[signs.offsets[ai] + ni]
    }

    /// What item `item` contributes to the timeline's order.
    fn timeline_part(self, item: ItemRef) -> u64 {
        let mut h = FxHasher::default();
        (self.dossier.included.item(item), item).hash(&mut h);
        if !matches!(item, ItemRef::Entity(_)) {
            (self.date(item).map(|d| d.sort_key()), self.title(item)).hash(&mut h);
        }
        h.finish()
    }

    /// What item `item` contributes to backlinks.
    fn backlinks_part(self, item: ItemRef) -> u64 {
        let d = self.dossier;
        let mut h = FxHasher::default();
        (d.included.item(item), item).hash(&mut h);
        match item {
            ItemRef::Article(ai) => {
                self.annotations(ai).hash(&mut h);
                d.refs[ai].items.hash(&mut h);
                self.prepared.articles[ai].entities.hash(&mut h);
            }
            ItemRef::Incident(i) => {
                let x = &d.incidents[i];
                for list in [&x.actors, &x.targets, &x.malware] {
                    list.len().hash(&mut h);
                    for id in list {
                        id.value.hash(&mut h);
                    }
                }
            }
            ItemRef::Entity(_) => {}
        }
        h.finish()
    }

    /// What item `item` contributes to tags.
    fn tags_part(self, item: ItemRef) -> u64 {
        let d = self.dossier;
        let mut h = FxHasher::default();
        (d.included.item(item), item).hash(&mut h);
        match item {
            ItemRef::Article(ai) => {
                d.articles[ai].tags.hash(&mut h);
                for &ni in self.annotations(ai) {
                    (ni, &d.articles[ai].annotations[ni].tags).hash(&mut h);
                }
            }
            ItemRef::Incident(i) => d.incidents[i].tags.hash(&mut h),
            ItemRef::Entity(e) => d.entities[e].tags.hash(&mut h),
        }
        h.finish()
    }

    /// What item `item` contributes to techniques.
    fn techniques_part(self, item: ItemRef) -> u64 {
        let d = self.dossier;
        let mut h = FxHasher::default();
        (d.included.item(item), item).hash(&mut h);
        let ids = |ids: &[crate::relations::TechniqueId], h: &mut FxHasher| {
            for id in ids {
                id.value.hash(h);
            }
        };
        match item {
            ItemRef::Article(ai) => {
                for &ni in self.annotations(ai) {
                    ni.hash(&mut h);
                    ids(&d.articles[ai].annotations[ni].techniques, &mut h);
                }
            }
            ItemRef::Incident(i) => ids(&d.incidents[i].techniques, &mut h),
            ItemRef::Entity(e) => ids(&d.entities[e].techniques, &mut h),
        }
        h.finish()
    }

    /// The rule this view applied, for exports that record it.
    pub(crate) fn rule(&self) -> Rule {
        self.dossier.rule
    }

    pub(crate) fn articles(&self) -> &[usize] {
        &self.derived.articles
    }

    pub(crate) fn incidents(&self) -> &[usize] {
        &self.derived.incidents
    }

    pub(crate) fn entities(&self) -> &[usize] {
        &self.derived.entities
    }

    /// The published annotations of article `ai` that anchored.
    pub(crate) fn annotations(&self, ai: usize) -> &[usize] {
        self.derived.annotations.get(ai).map_or(&[], |a| a)
    }

    /// How many annotations the site shows.
    pub(crate) fn annotation_count(&self) -> usize {
        self.derived.annotation_count
    }

    /// Whether a published article is a draft (published with `--drafts`).
    pub(crate) fn is_draft(&self, ai: usize) -> bool {
        self.dossier.articles[ai].draft
    }

    /// The effective level of a published annotation.
    pub(crate) fn annotation_tlp(&self, ai: usize, ni: usize) -> Tlp {
        annotation_tlp(&self.dossier.articles[ai], ni)
    }

    /// Published incidents and articles by date, then title.
    pub(crate) fn timeline(&self) -> &[ItemRef] {
        &self.derived.timeline
    }

    pub(crate) fn backlinks(&self) -> &Backlinks {
        &self.derived.backlinks
    }

    /// Every tag of a published item or annotation, by slug.
    pub(crate) fn tags(&self) -> &[Tag] {
        &self.derived.tags
    }

    /// The slug of the page of tag `name`, if it has one.
    pub(crate) fn tag(&self, name: &str) -> Option<&Tag> {
        let slug = tag_slug(name)?;
        let at = self
            .derived
            .tags
            .binary_search_by(|t| t.slug.cmp(&slug))
            .ok()?;
        self.derived.tags.get(at)
    }

    /// Every published annotation, article by article in timeline order,
    /// each article's in file order.
    pub(crate) fn all_annotations(&self) -> impl Iterator<Item = AnnotationRef> + '_ {
        self.derived
            .timeline
            .iter()
            .filter_map(|item| match item {
                ItemRef::Article(ai) => Some(*ai),
                _ => None,
            })
            .flat_map(|ai| self.annotations(ai).iter().map(move |&ni| (ai, ni)))
    }

    /// What a reference to `id` shows.
    pub(crate) fn reference(&self, id: &str) -> Reference {
        match self.dossier.lookup(id) {
            Lookup::Included(item) => Reference::Item(item),
            Lookup::Withheld | Lookup::Unknown => Reference::Withheld,
        }
    }

    /// The page URL (with the base path) of an item.
    pub(crate) fn url(&self, item: ItemRef) -> String {
        self.dossier.url(item)
    }

    /// An item's title (an entity's name).
    pub(crate) fn title(&self, item: ItemRef) -> &'a str {
        let d = self.dossier;
        match item {
            ItemRef::Article(i) => &d.articles[i].title,
            ItemRef::Incident(i) => &d.incidents[i].title,
            ItemRef::Entity(i) => &d.entities[i].name,
        }
    }

    /// An item's date: an article's publication, an incident's start.
    pub(crate) fn date(&self, item: ItemRef) -> Option<PartialDate> {
        let d = self.dossier;
        match item {
            ItemRef::Article(i) => Some(d.articles[i].published),
            ItemRef::Incident(i) => Some(d.incidents[i].date),
            ItemRef::Entity(_) => None,
        }
    }

    /// Entity kinds in display order with the published entities of each,
    /// by name.
    pub(crate) fn entity_groups(&self) -> Vec<(EntityKind, Vec<usize>)> {
        let entities = &self.dossier.entities;
        EntityKind::ALL
            .iter()
            .map(|(_, kind)| {
                let mut members: Vec<usize> = self
                    .derived
                    .entities
                    .iter()
                    .copied()
                    .filter(|&i| entities[i].kind == *kind)
                    .collect();
                members.sort_by_cached_key(|&i| entities[i].name.to_lowercase());
                (*kind, members)
            })
            .filter(|(_, members)| !members.is_empty())
            .collect()
    }

    /// The published relationships from entity `e` and to it, in the order
    /// they are written (items in id order).
    pub(crate) fn relations(&self, e: usize) -> (&[RelationEdge], &[RelationEdge]) {
        self.derived
            .relations
            .get(e)
            .map_or((&[], &[]), |(from, to)| (from.as_slice(), to.as_slice()))
    }

    /// The published relationships from incident `i`, in the order written.
    pub(crate) fn incident_relations(&self, i: usize) -> &[RelationEdge] {
        self.derived
            .incident_relations
            .get(i)
            .map_or(&[], Vec::as_slice)
    }

    /// Every published relationship, in the order written: incidents'
    /// relations (incidents by id), then entities'.
    pub(crate) fn all_relations(&self) -> &[RelationEdge] {
        &self.derived.edges
    }

    /// The relation an edge stands for, and the key of its note in
    /// `Prepared::relation_note` (`incident/<id>` or `entity/<id>`).
    pub(crate) fn relation(&self, edge: &RelationEdge) -> Option<(&'a Relation, String)> {
        let d = self.dossier;
        match edge.from {
            ItemRef::Incident(i) => {
                let x = d.incidents.get(i)?;
                Some((x.relations.get(edge.index)?, format!("incident/{}", x.id)))
            }
            ItemRef::Entity(e) => {
                let x = d.entities.get(e)?;
                Some((x.relations.get(edge.index)?, format!("entity/{}", x.id)))
            }
            ItemRef::Article(_) => None,
        }
    }

    /// Every ATT&CK technique published items and annotations name, by id.
    pub(crate) fn techniques(&self) -> &[UsedTechnique] {
        &self.derived.techniques
    }

    /// The level of what a technique use is read from: the entity's or the
    /// incident's, or the annotation's effective level.
    pub(crate) fn technique_use_tlp(&self, at: TechniqueUse) -> Tlp {
        let d = self.dossier;
        match at {
            TechniqueUse::Entity(e) => d.entities[e].tlp,
            TechniqueUse::Incident(i) => d.incidents[i].tlp,
            TechniqueUse::Annotation((ai, ni)) => self.annotation_tlp(ai, ni),
        }
    }

    /// The techniques incident or entity `item` counts, by technique id,
    /// each with the uses that count for it (see [`ItemTechniques`]).
    pub(crate) fn techniques_of(
        &self,
        item: ItemRef,
    ) -> Vec<(&'a UsedTechnique, Vec<TechniqueUse>)> {
        let all = &self.derived.technique_uses;
        let uses = match item {
            ItemRef::Incident(i) => all.incidents.get(i),
            ItemRef::Entity(e) => all.entities.get(e),
            ItemRef::Article(_) => None,
        };
        let mut out: Vec<(&'a UsedTechnique, Vec<TechniqueUse>)> = Vec::new();
        let techniques: &'a [UsedTechnique] = &self.derived.techniques;
        for &(t, u) in uses.map_or(&[][..], Vec::as_slice) {
            match out.last_mut() {
                Some((used, list)) if std::ptr::eq(*used, &techniques[t]) => list.push(u),
                _ => out.push((&techniques[t], vec![u])),
            }
        }
        out
    }

    /// The uses each incident and entity counts, in one pass over every use.
    fn item_techniques(&self) -> ItemTechniques {
        let d = self.dossier;
        let mut out = ItemTechniques {
            incidents: vec![Vec::new(); d.incidents.len()],
            entities: vec![Vec::new(); d.entities.len()],
        };
        let mut targets: Vec<ItemRef> = Vec::new();
        for (t, used) in self.techniques().iter().enumerate() {
            for &u in &used.uses {
                targets.clear();
                match u {
                    TechniqueUse::Entity(e) => targets.push(ItemRef::Entity(e)),
                    TechniqueUse::Incident(x) => {
                        targets.push(ItemRef::Incident(x));
                        let incident = &d.incidents[x];
                        for id in incident.actors.iter().chain(&incident.malware) {
                            if let Some(&ItemRef::Entity(e)) = d.ids.get(&id.value) {
                                targets.push(ItemRef::Entity(e));
                            }
                        }
                    }
                    TechniqueUse::Annotation((ai, ni)) => {
                        let named = d.refs[ai].items.iter().filter(|(n, _)| *n == ni);
                        targets.extend(named.map(|(_, item)| *item));
                    }
                }
                for &target in &targets {
                    let list = match target {
                        ItemRef::Incident(x) => &mut out.incidents[x],
                        ItemRef::Entity(e) => &mut out.entities[e],
                        ItemRef::Article(_) => continue,
                    };
                    // An item named twice by one annotation counts it once.
                    if list.last() != Some(&(t, u)) {
                        list.push((t, u));
                    }
                }
            }
        }
        out
    }

    fn used_techniques(&self) -> Vec<UsedTechnique> {
        let d = self.dossier;
        let mut by_id: std::collections::BTreeMap<&'a str, Vec<TechniqueUse>> = Default::default();
        let mut add = |ids: &'a [crate::relations::TechniqueId], at: TechniqueUse| {
            for id in ids {
                let uses = by_id.entry(id.value.as_str()).or_default();
                if uses.last() != Some(&at) {
                    uses.push(at);
                }
            }
        };
        for &e in &self.derived.entities {
            add(&d.entities[e].techniques, TechniqueUse::Entity(e));
        }
        for &i in &self.derived.incidents {
            add(&d.incidents[i].techniques, TechniqueUse::Incident(i));
        }
        for &ai in &self.derived.articles {
            for &ni in self.annotations(ai) {
                let n = &d.articles[ai].annotations[ni];
                add(&n.techniques, TechniqueUse::Annotation((ai, ni)));
            }
        }
        by_id
            .into_iter()
            .filter_map(|(id, uses)| {
                let technique = crate::attack::lookup(id).ok()?;
                Some(UsedTechnique { technique, uses })
            })
            .collect()
    }

    /// A relation is published when its item and its target are, and its
    /// effective level is within the rule.
    /// Per entity the relationships from and to it, per incident those
    /// from it, and all of them.
    #[allow(clippy::type_complexity)]
    fn published_relations(
        &self,
    ) -> (
        Vec<(Vec<RelationEdge>, Vec<RelationEdge>)>,
        Vec<Vec<RelationEdge>>,
        Vec<RelationEdge>,
    ) {
        let d = self.dossier;
        let rule = d.rule;
        let mut out = vec![(Vec::new(), Vec::new()); d.entities.len()];
        let mut from_incidents = vec![Vec::new(); d.incidents.len()];
        let mut all = Vec::new();
        let sources = self
            .derived
            .incidents
            .iter()
            .map(|&i| {
                (
                    ItemRef::Incident(i),
                    d.incidents[i].tlp,
                    &d.incidents[i].relations,
                )
            })
            .chain(self.derived.entities.iter().map(|&e| {
                (
                    ItemRef::Entity(e),
                    d.entities[e].tlp,
                    &d.entities[e].relations,
                )
            }));
        for (from, level, relations) in sources {
            for (index, relation) in relations.iter().enumerate() {
                let Some(&ItemRef::Entity(to)) = d.ids.get(&relation.target.value) else {
                    continue;
                };
                let tlp = relation.tlp.max(level).max(d.entities[to].tlp);
                if !d.included.item(ItemRef::Entity(to)) || tlp > rule.tlp {
                    continue;
                }
                let edge = RelationEdge {
                    from,
                    index,
                    to,
                    tlp,
                };
                match from {
                    ItemRef::Entity(e) => out[e].0.push(edge),
                    ItemRef::Incident(i) => from_incidents[i].push(edge),
                    ItemRef::Article(_) => {}
                }
                out[to].1.push(edge);
                all.push(edge);
            }
        }
        (out, from_incidents, all)
    }

    fn collect_tags(&self) -> Vec<Tag> {
        let d = self.dossier;
        let mut tags: Vec<Tag> = Vec::new();
        let mut by_slug: rustc_hash::FxHashMap<String, usize> = Default::default();
        // Each spelling is slugged and looked up once: the same few tags
        // recur on thousands of annotations, and `serve` collects them
        // every pass.
        let mut by_name: rustc_hash::FxHashMap<&str, Option<usize>> = Default::default();
        let mut file = |name: &'a str, add: &mut dyn FnMut(&mut Tag)| {
            let at = *by_name.entry(name).or_insert_with(|| {
                let slug = tag_slug(name)?;
                Some(*by_slug.entry(slug).or_insert_with_key(|slug| {
                    tags.push(Tag {
                        name: name.trim().to_string(),
                        slug: slug.clone(),
                        articles: Vec::new(),
                        incidents: Vec::new(),
                        entities: Vec::new(),
                        annotations: Vec::new(),
                    });
                    tags.len() - 1
                }))
            });
            if let Some(at) = at {
                add(&mut tags[at]);
            }
        };
        for &ai in &self.derived.articles {
            for name in &d.articles[ai].tags {
                file(name, &mut |t| push_unique(&mut t.articles, ai));
            }
            for &ni in self.annotations(ai) {
                for name in &d.articles[ai].annotations[ni].tags {
                    file(name, &mut |t| {
                        if t.annotations.last() != Some(&(ai, ni)) {
                            t.annotations.push((ai, ni));
                        }
                    });
                }
            }
        }
        for &i in &self.derived.incidents {
            for name in &d.incidents[i].tags {
                file(name, &mut |t| push_unique(&mut t.incidents, i));
            }
        }
        for &i in &self.derived.entities {
            for name in &d.entities[i].tags {
                file(name, &mut |t| push_unique(&mut t.entities, i));
            }
        }
        tags.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
        tags
    }

    fn timeline_order(&self) -> Vec<ItemRef> {
        let mut items: Vec<ItemRef> = self
            .derived
            .incidents
            .iter()
            .map(|&i| ItemRef::Incident(i))
            .chain(self.derived.articles.iter().map(|&i| ItemRef::Article(i)))
            .collect();
        items.sort_by_cached_key(|item| {
            let date = self.date(*item).map(|d| d.sort_key());
            (date, self.title(*item))
        });
        items
    }

    /// Backlinks in one pass: ids are looked up in parallel, then filed in
    /// article order.
    fn compute_backlinks(&self) -> Backlinks {
        let d = self.dossier;
        // Lists sized up front (published or not, an upper bound): grown
        // by doubling, they were copied a dozen times each on every pass.
        let mut incidents = vec![0; d.incidents.len()];
        let mut entities = vec![0; d.entities.len()];
        for &ai in &self.derived.articles {
            for &(_, item) in &d.refs[ai].items {
                match item {
                    ItemRef::Incident(i) => incidents[i] += 1,
                    ItemRef::Entity(e) => entities[e] += 1,
                    ItemRef::Article(_) => {}
                }
            }
        }
        let sized = |counts: &[usize]| -> Vec<Vec<AnnotationRef>> {
            counts.iter().map(|&n| Vec::with_capacity(n)).collect()
        };
        let mut b = Backlinks {
            incident_annotations: sized(&incidents),
            entity_annotations: sized(&entities),
            entity_incidents: vec![Vec::new(); d.entities.len()],
            entity_articles: entities
                .iter()
                .map(|&n| Vec::with_capacity(n.min(self.derived.articles.len())))
                .collect(),
        };
        // One pass in article order, from the references `graph` resolved
        // (no id is looked up again here).
        for &ai in &self.derived.articles {
            // Both lists are in annotation order.
            let mut published = self.annotations(ai).iter().peekable();
            for &(ni, item) in &d.refs[ai].items {
                while published.next_if(|&&p| p < ni).is_some() {}
                if published.peek() != Some(&&ni) {
                    continue;
                }
                match item {
                    ItemRef::Incident(i) => b.incident_annotations[i].push((ai, ni)),
                    ItemRef::Entity(e) => {
                        b.entity_annotations[e].push((ai, ni));
                        push_unique(&mut b.entity_articles[e], ai);
                    }
                    ItemRef::Article(_) => {}
                }
            }
            // `[text](@id)` links in the body.
            for &e in &self.prepared.articles[ai].entities {
                push_unique(&mut b.entity_articles[e], ai);
            }
        }
        // Incidents in timeline (date) order, so that each entity's list is.
        let incidents = self.derived.timeline.iter().filter_map(|item| match *item {
            ItemRef::Incident(ii) => Some(ii),
            _ => None,
        });
        for ii in incidents {
            let incident = &d.incidents[ii];
            for id in incident
                .actors
                .iter()
                .chain(&incident.targets)
                .chain(&incident.malware)
            {
                if let Some(&ItemRef::Entity(e)) = d.ids.get(&id.value) {
                    push_unique(&mut b.entity_incidents[e], ii);
                }
            }
        }
        // Articles came in file order; entity pages list them by date.
        let mut rank = vec![0; d.articles.len()];
        for (r, item) in self.derived.timeline.iter().enumerate() {
            if let ItemRef::Article(ai) = *item {
                rank[ai] = r;
            }
        }
        for list in &mut b.entity_articles {
            list.sort_unstable_by_key(|&ai| rank[ai]);
        }
        b
    }
}

fn confidence_rank(confidence: Option<Confidence>) -> u8 {
    match confidence {
        Some(Confidence::High) => 0,
        Some(Confidence::Moderate) => 1,
        Some(Confidence::Low) => 2,
        None => 3,
    }
}

fn push_unique(list: &mut Vec<usize>, value: usize) {
    // Values arrive grouped (one article or incident at a time), so the
    // last element is the only possible duplicate.
    if list.last() != Some(&value) {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Code that compares TLP levels or reads draft status outside this
    /// module applies (part of) the publish rule somewhere a reviewer would
    /// not look. Such code belongs here, behind `Inclusion` or `Published`.
    #[test]
    fn only_this_module_applies_the_publish_rule() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offences = Vec::new();
        for entry in walkdir::WalkDir::new(&src) {
            let entry = entry.unwrap();
            let path = entry.path();
            // `tlp.rs` defines the order of levels; this module uses it.
            let exempt = path.ends_with("publish.rs") || path.ends_with("tlp.rs");
            if path.extension().is_none_or(|e| e != "rs") || exempt {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                if applies_the_rule(code) {
                    let shown = path.strip_prefix(&src).unwrap_or(path).display();
                    offences.push(format!("src/{shown}:{}: {}", n + 1, line.trim()));
                }
            }
        }
        assert!(
            offences.is_empty(),
            "the publish rule is applied outside src/publish.rs:\n{}",
            offences.join("\n")
        );
    }

    /// A comparison with a TLP level, or a read of draft status.
    fn applies_the_rule(code: &str) -> bool {
        let compares = ["<=", ">=", " < ", " > "].iter().any(|op| {
            code.match_indices(op).any(|(at, _)| {
                let (before, after) = (&code[..at], &code[at + op.len()..]);
                let left = before
                    .trim_end()
                    .rsplit([' ', '(', '!', '&'])
                    .next()
                    .unwrap_or("");
                let right = after
                    .trim_start()
                    .split([' ', ')', ',', ';'])
                    .next()
                    .unwrap_or("");
                [left, right].iter().any(|side| {
                    side.to_ascii_lowercase().ends_with("tlp") || side.contains("Tlp::")
                })
            })
        });
        let reads_draft = code.match_indices(".draft").any(|(at, _)| {
            let next = code[at + ".draft".len()..].chars().next();
            !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
        });
        compares || reads_draft
    }

    #[test]
    fn tags_become_url_segments() {
        use super::tag_slug;
        for (name, slug) in [
            ("swift", Some("swift")),
            ("SWIFT", Some("swift")),
            ("UN Security Council", Some("un-security-council")),
            ("  c2 / infra  ", Some("c2-infra")),
            ("Bangladesh Bank!", Some("bangladesh-bank")),
            ("Łódź", Some("łódź")),
            ("!!!", None),
            ("", None),
        ] {
            assert_eq!(tag_slug(name).as_deref(), slug, "{name}");
        }
    }

    #[test]
    fn the_scan_sees_the_rule_in_its_usual_shapes() {
        for line in [
            "if x.tlp <= self.publish.tlp {",
            "a.tlp > level",
            ".filter(|e| e.tlp <= rule.tlp)",
            "level >= Tlp::Amber",
            "!a.draft || drafts",
            "if article.draft {",
        ] {
            assert!(applies_the_rule(line), "{line}");
        }
        for line in [
            "let tlp = a.tlp.max(b.tlp);",
            "page_tlp: (tlp != Tlp::Clear).then_some(tlp),",
            "fn f() -> Vec<Tlp> {",
            "if a.len() > 3 {",
            "draft: d.bool(&fields, \"draft\").unwrap_or(false),",
            "drafts: self.overrides.drafts,",
        ] {
            assert!(!applies_the_rule(line), "{line}");
        }
    }
}
