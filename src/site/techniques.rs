//! ATT&CK techniques: `/techniques/` by tactic, `/techniques/<id>/` with
//! everything that uses one, and the techniques table of entity pages;
//! each context beside its signature.

use std::hash::Hash;

use rustc_hash::FxHasher;

use super::context::{
    Attack, Paging, TacticGroup, TechniqueListed, TechniquePage, TechniqueRow, TechniqueSeen,
    Techniques, page_count, paging,
};
use super::pages::Pages;
use crate::attack;
use crate::citations::Citations;
use crate::graph::ItemRef;
use crate::model::Source;
use crate::publish::{AnnotationRef, TechniqueUse, UsedTechnique};
use crate::tlp::Tlp;

/// How many places a techniques table names for each technique before
/// "and N more" (see `technique_rows`).
const SIGHTINGS_SHOWN: usize = 5;

impl<'a> Pages<'_, 'a> {
    fn attack(&self) -> Attack {
        Attack {
            version: attack::version(),
            notice: attack::NOTICE,
        }
    }

    fn listed(&self, used: &UsedTechnique) -> TechniqueListed {
        let t = used.technique;
        TechniqueListed {
            id: t.id,
            name: t.full_name(),
            url: format!("{}techniques/{}/", self.view.dossier.base.path, t.id),
            attack_url: t.url,
            count: used.uses.len(),
        }
    }

    pub(crate) fn techniques(&self) -> Techniques {
        let used = self.view.techniques();
        let tactics = attack::tactics()
            .iter()
            .map(|tactic| TacticGroup {
                id: tactic.id,
                name: tactic.name,
                attack_url: tactic.url,
                techniques: used
                    .iter()
                    .filter(|u| u.technique.tactics.iter().any(|t| t.id == tactic.id))
                    .map(|u| self.listed(u))
                    .collect(),
            })
            .filter(|group| !group.techniques.is_empty())
            .collect();
        Techniques {
            attack: self.attack(),
            tactics,
        }
    }

    /// How many pages technique `i` has: its entities, incidents and
    /// annotations each take their share of every page, and the longest
    /// list sets the count (an often used technique names thousands of
    /// annotations, more than a page can hold within its size budget).
    pub(crate) fn technique_pages(&self, i: usize) -> usize {
        let (entities, incidents, annotations) = self.technique_uses(i);
        page_count(entities.len(), self.side_size)
            .max(page_count(incidents.len(), self.side_size))
            .max(page_count(annotations.len(), self.side_size))
    }

    /// The entities, incidents and annotations that use technique `i`.
    fn technique_uses(&self, i: usize) -> (Vec<ItemRef>, Vec<ItemRef>, Vec<AnnotationRef>) {
        let mut entities = Vec::new();
        let mut incidents = Vec::new();
        let mut annotations = Vec::new();
        for u in &self.view.techniques()[i].uses {
            match *u {
                TechniqueUse::Entity(e) => entities.push(ItemRef::Entity(e)),
                TechniqueUse::Incident(x) => incidents.push(ItemRef::Incident(x)),
                TechniqueUse::Annotation(at) => annotations.push(at),
            }
        }
        (entities, incidents, annotations)
    }

    /// What page `page` of technique `i` lists: its share of each list,
    /// and the paging.
    #[allow(clippy::type_complexity)]
    fn technique_page(
        &self,
        i: usize,
        page: usize,
    ) -> (
        Vec<ItemRef>,
        Vec<ItemRef>,
        Vec<AnnotationRef>,
        Option<Paging>,
    ) {
        let (mut entities, mut incidents, mut annotations) = self.technique_uses(i);
        let url = self.listed(&self.view.techniques()[i]).url;
        let share = |len: usize, size: usize| paging(len, size, page, &url).0;
        let range = share(entities.len(), self.side_size);
        entities = entities.drain(range).collect();
        let range = share(incidents.len(), self.side_size);
        incidents = incidents.drain(range).collect();
        let range = share(annotations.len(), self.side_size);
        annotations = annotations.drain(range).collect();
        let (_, pager) = paging(self.technique_pages(i), 1, page, &url);
        (entities, incidents, annotations, pager)
    }

    pub(crate) fn technique(&self, i: usize, page: usize) -> (Tlp, TechniquePage<'a>) {
        let used = &self.view.techniques()[i];
        let shapes = self.shapes();
        let (entities, incidents, annotations, paging) = self.technique_page(i, page);
        let mut tlp = self.items_tlp(entities.iter().chain(&incidents).copied());
        let page = TechniquePage {
            attack: self.attack(),
            technique: self.listed(used),
            tactics: used.technique.tactics.iter().map(|t| t.name).collect(),
            entities: entities.into_iter().map(|e| shapes.item(e)).collect(),
            incidents: incidents.into_iter().map(|x| shapes.item(x)).collect(),
            annotations: shapes.backlinks(&annotations, &mut tlp),
            paging,
        };
        (tlp, page)
    }

    /// What `/techniques/` shows: each technique used, and how often.
    pub(crate) fn techniques_signature(&self, h: &mut FxHasher) {
        for used in self.view.techniques() {
            (used.technique.id, used.uses.len()).hash(h);
        }
    }

    /// What page `page` of technique `i` lists, and what references to
    /// its items and backlinks to its annotations show.
    pub(crate) fn technique_signature(&self, i: usize, page: usize, h: &mut FxHasher) {
        let used = &self.view.techniques()[i];
        self.epochs.links.hash(h);
        (used.technique.id, used.uses.len(), page).hash(h);
        let (entities, incidents, annotations, paging) = self.technique_page(i, page);
        paging.map(|p| p.pages).hash(h);
        for item in entities.into_iter().chain(incidents) {
            let tlp = self.items_tlp(std::iter::once(item));
            (item, self.view.ref_sign(item), tlp).hash(h);
        }
        self.annotations_signature(&annotations, h);
    }

    /// What the techniques table of incident or entity `item` shows: for
    /// each technique it counts, how often the dossier uses it, and the
    /// uses that count for the item with what they cite (an annotation's
    /// own YAML, an incident's file). Precise rather than one hash of every
    /// use, so that editing an annotation that names a technique re-renders
    /// the pages it counts on, not every incident and entity page.
    pub(crate) fn item_techniques_signature(&self, item: ItemRef, h: &mut FxHasher) {
        let view = self.view;
        let d = view.dossier;
        for (used, uses) in view.techniques_of(item) {
            (used.technique.id, used.uses.len(), uses.len()).hash(h);
            for u in uses {
                let seen = match u {
                    TechniqueUse::Entity(_) => 0,
                    TechniqueUse::Incident(x) => d.incidents[x].file.digest,
                    TechniqueUse::Annotation((ai, ni)) => view.annotation_sign(ai, ni),
                };
                (u, seen, view.ref_sign(self.sighting(u).0)).hash(h);
            }
        }
    }

    /// The techniques entity `ei` uses, by tactic: the uses
    /// [`Published::techniques_of`] counts for it (as its layer does).
    ///
    /// [`Published::techniques_of`]: crate::publish::Published::techniques_of
    pub(crate) fn entity_techniques(
        &self,
        ei: usize,
        citations: &mut Citations<'a>,
    ) -> Vec<TechniqueRow<'a>> {
        let used = self.view.techniques_of(ItemRef::Entity(ei));
        self.technique_rows(&used, citations)
    }

    /// The techniques of incident `ii`, by tactic: its own and those of the
    /// annotations that reference it.
    pub(crate) fn incident_techniques(
        &self,
        ii: usize,
        citations: &mut Citations<'a>,
    ) -> Vec<TechniqueRow<'a>> {
        let used = self.view.techniques_of(ItemRef::Incident(ii));
        self.technique_rows(&used, citations)
    }

    /// Where a use was seen (the item, or the article of an annotation),
    /// and the sources that say so.
    fn sighting(&self, u: TechniqueUse) -> (ItemRef, &'a [Source]) {
        let d = self.view.dossier;
        match u {
            TechniqueUse::Entity(e) => (ItemRef::Entity(e), &d.entities[e].sources),
            TechniqueUse::Incident(x) => (ItemRef::Incident(x), &d.incidents[x].sources),
            TechniqueUse::Annotation((ai, ni)) => (
                ItemRef::Article(ai),
                &d.articles[ai].annotations[ni].sources,
            ),
        }
    }

    /// One row per (tactic, technique) of `used`, each saying where it was
    /// seen, cited.
    fn technique_rows(
        &self,
        used: &[(&UsedTechnique, Vec<TechniqueUse>)],
        citations: &mut Citations<'a>,
    ) -> Vec<TechniqueRow<'a>> {
        let shapes = self.shapes();
        let mut rows = Vec::new();
        for (used, uses) in used {
            // Where it was seen, each place once with all its sources;
            // only the first few are shown (and cited): an actor named by
            // thousands of annotations would otherwise make the table, and
            // the page, as long as they are. The technique's page has all.
            let mut places: Vec<(ItemRef, Vec<&'a Source>)> = Vec::new();
            for (item, sources) in uses.iter().map(|&u| self.sighting(u)) {
                match places.iter_mut().find(|(i, _)| *i == item) {
                    Some((_, all)) => all.extend(sources),
                    None => places.push((item, sources.iter().collect())),
                }
            }
            let more = places.len().saturating_sub(SIGHTINGS_SHOWN);
            places.truncate(SIGHTINGS_SHOWN);
            let seen: Vec<(ItemRef, Vec<usize>)> = places
                .into_iter()
                .map(|(item, sources)| {
                    let mut cites: Vec<usize> = Vec::new();
                    for source in sources {
                        let n = citations.cite(source);
                        if !cites.contains(&n) {
                            cites.push(n);
                        }
                    }
                    (item, cites)
                })
                .collect();
            for tactic in &used.technique.tactics {
                let order = attack::tactics().iter().position(|t| t.id == tactic.id);
                rows.push((
                    order,
                    TechniqueRow {
                        tactic: tactic.name,
                        technique: self.listed(used),
                        seen: seen
                            .iter()
                            .map(|(item, cites)| TechniqueSeen {
                                item: shapes.item(*item),
                                citations: cites.clone(),
                            })
                            .collect(),
                        more,
                    },
                ));
            }
        }
        // By tactic in ATT&CK's order, then by technique id.
        rows.sort_by(|a, b| (a.0, a.1.technique.id).cmp(&(b.0, b.1.technique.id)));
        rows.into_iter().map(|(_, row)| row).collect()
    }
}
