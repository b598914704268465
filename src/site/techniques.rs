//! ATT&CK techniques: `/techniques/` by tactic, `/techniques/<id>/` with
//! everything that uses one, and the techniques table of entity pages;
//! each context beside its signature.

use std::hash::Hash;

use rustc_hash::FxHasher;

use super::context::{
    Attack, TacticGroup, TechniqueListed, TechniquePage, TechniqueRow, TechniqueSeen, Techniques,
};
use super::pages::Pages;
use crate::attack;
use crate::citations::Citations;
use crate::graph::ItemRef;
use crate::model::Source;
use crate::publish::{AnnotationRef, TechniqueUse, UsedTechnique};
use crate::tlp::Tlp;

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

    pub(crate) fn technique(&self, i: usize) -> (Tlp, TechniquePage<'a>) {
        let used = &self.view.techniques()[i];
        let shapes = self.shapes();
        let mut tlp = Tlp::Clear;
        let mut entities = Vec::new();
        let mut incidents = Vec::new();
        let mut annotations: Vec<AnnotationRef> = Vec::new();
        for u in &used.uses {
            match *u {
                TechniqueUse::Entity(e) => entities.push(ItemRef::Entity(e)),
                TechniqueUse::Incident(x) => incidents.push(ItemRef::Incident(x)),
                TechniqueUse::Annotation(at) => annotations.push(at),
            }
        }
        tlp = tlp.max(self.items_tlp(entities.iter().chain(&incidents).copied()));
        let page = TechniquePage {
            attack: self.attack(),
            technique: self.listed(used),
            tactics: used.technique.tactics.iter().map(|t| t.name).collect(),
            entities: entities.into_iter().map(|e| shapes.item(e)).collect(),
            incidents: incidents.into_iter().map(|x| shapes.item(x)).collect(),
            annotations: shapes.backlinks(&annotations, &mut tlp),
        };
        (tlp, page)
    }

    /// What every technique page shows: where each technique is used, and
    /// what references show of the items.
    pub(crate) fn techniques_signature(&self, h: &mut FxHasher) {
        self.epochs.listings.hash(h);
        for used in self.view.techniques() {
            used.technique.id.hash(h);
            used.uses.hash(h);
            for u in &used.uses {
                if let TechniqueUse::Annotation(at) = u {
                    self.annotations_signature(std::slice::from_ref(at), h);
                }
            }
        }
    }

    /// The techniques entity `ei` uses, by tactic: its own, those of the
    /// incidents it acts in (as actor or malware), and those of the
    /// annotations that name it.
    pub(crate) fn entity_techniques(
        &self,
        ei: usize,
        citations: &mut Citations<'a>,
    ) -> Vec<TechniqueRow<'a>> {
        let d = self.view.dossier;
        let id = &d.entities[ei].id;
        let acts_in = |x: usize| {
            let incident = &d.incidents[x];
            incident
                .actors
                .iter()
                .chain(&incident.malware)
                .any(|a| a.value == *id)
        };
        self.technique_rows(citations, |u| match *u {
            TechniqueUse::Entity(e) if e == ei => {
                Some((ItemRef::Entity(e), d.entities[e].sources.as_slice()))
            }
            TechniqueUse::Incident(x) if acts_in(x) => {
                Some((ItemRef::Incident(x), d.incidents[x].sources.as_slice()))
            }
            TechniqueUse::Annotation(at) => {
                let n = &d.articles[at.0].annotations[at.1];
                n.entities
                    .iter()
                    .any(|e| e.value == *id)
                    .then_some((ItemRef::Article(at.0), n.sources.as_slice()))
            }
            _ => None,
        })
    }

    /// The techniques of incident `ii`, by tactic: its own and those of the
    /// annotations that reference it.
    pub(crate) fn incident_techniques(
        &self,
        ii: usize,
        citations: &mut Citations<'a>,
    ) -> Vec<TechniqueRow<'a>> {
        let d = self.view.dossier;
        let id = &d.incidents[ii].id;
        self.technique_rows(citations, |u| match *u {
            TechniqueUse::Incident(x) if x == ii => {
                Some((ItemRef::Incident(x), d.incidents[x].sources.as_slice()))
            }
            TechniqueUse::Annotation(at) => {
                let n = &d.articles[at.0].annotations[at.1];
                n.incidents
                    .iter()
                    .any(|x| x.value == *id)
                    .then_some((ItemRef::Article(at.0), n.sources.as_slice()))
            }
            _ => None,
        })
    }

    /// One row per (tactic, technique) with the uses `pick` keeps, each
    /// with the sources behind it: where it was seen, cited.
    fn technique_rows(
        &self,
        citations: &mut Citations<'a>,
        pick: impl Fn(&TechniqueUse) -> Option<(ItemRef, &'a [Source])>,
    ) -> Vec<TechniqueRow<'a>> {
        let view = self.view;
        let shapes = self.shapes();
        let mut rows = Vec::new();
        for used in view.techniques() {
            let mut seen: Vec<(ItemRef, Vec<usize>)> = Vec::new();
            for (item, sources) in used.uses.iter().filter_map(&pick) {
                let cites = citations.cite_all(sources);
                match seen.iter_mut().find(|(i, _)| *i == item) {
                    Some((_, all)) => all.extend(
                        cites
                            .into_iter()
                            .filter(|c| !all.contains(c))
                            .collect::<Vec<_>>(),
                    ),
                    None => seen.push((item, cites)),
                }
            }
            if seen.is_empty() {
                continue;
            }
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
                    },
                ));
            }
        }
        // By tactic in ATT&CK's order, then by technique id.
        rows.sort_by(|a, b| (a.0, a.1.technique.id).cmp(&(b.0, b.1.technique.id)));
        rows.into_iter().map(|(_, row)| row).collect()
    }
}
