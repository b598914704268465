//! ATT&CK techniques: `/techniques/` by tactic, `/techniques/<id>/` with
//! everything that uses one, and the techniques table of entity pages;
//! each context beside its signature.

use std::hash::Hash;

use rustc_hash::FxHasher;

use super::context::{
    Attack, Ref, TacticGroup, TechniqueListed, TechniquePage, TechniqueRow, Techniques,
};
use super::pages::Pages;
use crate::attack;
use crate::graph::ItemRef;
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
    pub(crate) fn entity_techniques(&self, ei: usize) -> Vec<TechniqueRow<'a>> {
        let view = self.view;
        let d = view.dossier;
        let shapes = self.shapes();
        let id = &d.entities[ei].id;
        let acts_in = |x: usize| {
            let incident = &d.incidents[x];
            incident
                .actors
                .iter()
                .chain(&incident.malware)
                .any(|a| a.value == *id)
        };
        let names = |at: AnnotationRef| {
            d.articles[at.0].annotations[at.1]
                .entities
                .iter()
                .any(|e| e.value == *id)
        };
        let mut rows = Vec::new();
        for tactic in attack::tactics() {
            for used in view.techniques() {
                if !used.technique.tactics.iter().any(|t| t.id == tactic.id) {
                    continue;
                }
                let mut seen: Vec<ItemRef> = Vec::new();
                for u in &used.uses {
                    let item = match *u {
                        TechniqueUse::Entity(e) if e == ei => Some(ItemRef::Entity(e)),
                        TechniqueUse::Incident(x) if acts_in(x) => Some(ItemRef::Incident(x)),
                        TechniqueUse::Annotation(at) if names(at) => Some(ItemRef::Article(at.0)),
                        _ => None,
                    };
                    if let Some(item) = item.filter(|i| !seen.contains(i)) {
                        seen.push(item);
                    }
                }
                if seen.is_empty() {
                    continue;
                }
                rows.push(TechniqueRow {
                    tactic: tactic.name,
                    technique: self.listed(used),
                    seen: seen
                        .into_iter()
                        .map(|i| shapes.item(i))
                        .collect::<Vec<Ref<'a>>>(),
                });
            }
        }
        rows
    }
}
