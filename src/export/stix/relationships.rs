//! The bundle's `attack-pattern` objects and its `relationship` objects:
//! the relations the dossier writes (SPEC.md 2.8), the links read from
//! incidents' actors, targets and malware, and who uses which technique.
//!
//! STIX 2.1 names, for each pair of object types, the relationship types it
//! defines; a dossier relation whose type STIX does not define for its two
//! ends is written as the generic `related-to`, with the dossier's type in
//! its description, rather than as a type a consumer would misread.
//! docs/exports.md has the table.
//!
//! An object read from several places (a technique used in a clear incident
//! and an amber annotation) is marked with the least restricted of their
//! levels, and carries only what is read at that level: its description and
//! references never hold the words of something more restricted than its
//! marking says.

use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Value, json};

use super::{
    Builder, Object, attack_pattern_id, confidence, day_start, entity_type, external_reference,
    period_end, plain_text, stix_id, timestamp,
};
use crate::attack::Technique;
use crate::graph::ItemRef;
use crate::model::EntityKind;
use crate::publish::{RelationEdge, TechniqueUse, UsedTechnique};
use crate::relations::RelationKind;
use crate::tlp::Tlp;

/// A relationship before it becomes an object.
struct Rel {
    rel: &'static str,
    source: String,
    target: String,
    /// What its id is computed from, before any `#2` that tells apart two
    /// relations written twice.
    key: String,
    created: String,
    tlp: Tlp,
    description: Option<String>,
    start: Option<String>,
    stop: Option<String>,
    confidence: Option<u8>,
    references: Vec<Value>,
}

impl Rel {
    fn new(rel: &'static str, source: String, target: String, created: String, tlp: Tlp) -> Rel {
        Rel {
            key: format!("{rel}/{source}/{target}"),
            rel,
            source,
            target,
            created,
            tlp,
            description: None,
            start: None,
            stop: None,
            confidence: None,
            references: Vec::new(),
        }
    }
}

/// The STIX 2.1 relationship type for a dossier relation between objects of
/// these STIX types, when STIX defines one (STIX 2.1 section 4, the
/// "Relationships" table of each object); None means `related-to`, with the
/// dossier's type said in the description.
pub(super) fn stix_relationship(
    kind: RelationKind,
    source: &str,
    target: &str,
) -> Option<&'static str> {
    match (kind, source, target) {
        (RelationKind::Uses, "intrusion-set" | "malware", "malware") => Some("uses"),
        (RelationKind::Targets, "intrusion-set" | "malware", "identity") => Some("targets"),
        (RelationKind::RelatedTo, _, _) => Some("related-to"),
        _ => None,
    }
}

/// A relation in words, between its subject and its object.
fn phrase(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Uses => "uses",
        RelationKind::Targets => "targets",
        RelationKind::AttributedTo => "is attributed to",
        RelationKind::PartOf => "is part of",
        RelationKind::LocatedAt => "is located at",
        RelationKind::RelatedTo => "is related to",
    }
}

/// How a technique is named in descriptions: `T1486 (Data Encrypted for Impact)`.
fn technique_words(t: &Technique) -> String {
    format!("{} ({})", t.id, t.full_name())
}

/// Adds `value` to `list` unless it is there already.
fn push_new(list: &mut Vec<Value>, value: Value) {
    if !list.contains(&value) {
        list.push(value);
    }
}

impl Builder<'_, '_> {
    /// One `attack-pattern` for every technique the published dossier uses,
    /// by ATT&CK id, marked with the least restricted level of its uses.
    pub(super) fn attack_patterns(&self) -> Vec<Object> {
        self.view
            .techniques()
            .iter()
            .map(|used| self.attack_pattern(used))
            .collect()
    }

    fn attack_pattern(&self, used: &UsedTechnique) -> Object {
        let t = used.technique;
        let tlp = self.least_level(used.uses.iter().copied());
        let mut o = self.common("attack-pattern", attack_pattern_id(t.id), &self.epoch, tlp);
        o.insert("name".into(), t.name.into());
        let tactics: Vec<&str> = t.tactics.iter().map(|x| x.name).collect();
        let mut description = format!("MITRE ATT&CK technique {}.", technique_words(t));
        if !tactics.is_empty() {
            description.push_str(&format!(" Tactics: {}.", tactics.join(", ")));
        }
        o.insert("description".into(), description.into());
        let phases: Vec<Value> = t
            .tactics
            .iter()
            .map(|x| json!({ "kill_chain_name": "mitre-attack", "phase_name": x.shortname }))
            .collect();
        if !phases.is_empty() {
            o.insert("kill_chain_phases".into(), phases.into());
        }
        let mut ext = vec![json!({
            "source_name": "mitre-attack",
            "external_id": t.id,
            "url": t.url,
        })];
        // Where an annotation at the object's own level saw it: its article
        // and its sources.
        for &u in &used.uses {
            if let TechniqueUse::Annotation((ai, ni)) = u
                && self.view.technique_use_tlp(u) == tlp
            {
                for r in self.annotation_references(ai, ni) {
                    push_new(&mut ext, r);
                }
            }
        }
        o.insert("external_references".into(), ext.into());
        (tlp, Value::Object(o))
    }

    /// The least restricted level of some technique uses.
    fn least_level(&self, uses: impl Iterator<Item = TechniqueUse>) -> Tlp {
        uses.map(|u| self.view.technique_use_tlp(u))
            .min()
            .unwrap_or_default()
    }

    /// An annotation's article (its original and, with an absolute base
    /// URL, the quote on the site) and its sources.
    fn annotation_references(&self, ai: usize, ni: usize) -> Vec<Value> {
        let article = &self.d.articles[ai];
        let annotation = &article.annotations[ni];
        let mut out = Vec::new();
        if let Some(url) = &article.url {
            let name = article.source.as_deref().unwrap_or("original article");
            out.push(json!({
                "source_name": name,
                "url": &**url,
                "description": article.title,
            }));
        }
        out.extend(self.page(ItemRef::Article(ai), Some(&annotation.id)));
        out.extend(annotation.sources.iter().map(external_reference));
        out
    }

    /// Every relationship of the bundle: the relations the dossier writes,
    /// then those read from incidents (unless a written one already joins
    /// the same two objects with the same type), then technique uses. Ids
    /// are unique: a relation written twice gets `#2` in its id's name.
    pub(super) fn relationships(&self) -> Vec<Object> {
        let written: Vec<Rel> = self
            .view
            .all_relations()
            .iter()
            .filter_map(|edge| self.written(edge))
            .collect();
        let covered: FxHashSet<&str> = written
            .iter()
            .filter(|r| r.key == format!("{}/{}/{}", r.rel, r.source, r.target))
            .map(|r| r.key.as_str())
            .collect();
        let from_incidents: Vec<Rel> = self
            .read_from_incidents()
            .into_iter()
            .filter(|r| !covered.contains(r.key.as_str()))
            .collect();
        let mut seen: FxHashMap<String, usize> = FxHashMap::default();
        written
            .into_iter()
            .chain(from_incidents)
            .chain(self.technique_uses())
            .map(|mut r| {
                let n = seen.entry(r.key.clone()).or_insert(0);
                *n += 1;
                if *n > 1 {
                    r.key = format!("{}#{n}", r.key);
                }
                self.relationship(r)
            })
            .collect()
    }

    fn relationship(&self, r: Rel) -> Object {
        let id = stix_id("relationship", &r.key);
        let mut o = self.common("relationship", id, &r.created, r.tlp);
        o.insert("relationship_type".into(), r.rel.into());
        o.insert("source_ref".into(), r.source.into());
        o.insert("target_ref".into(), r.target.into());
        if let Some(d) = r.description {
            o.insert("description".into(), d.into());
        }
        if let Some(t) = r.start {
            o.insert("start_time".into(), t.into());
        }
        if let Some(t) = r.stop {
            o.insert("stop_time".into(), t.into());
        }
        if let Some(c) = r.confidence {
            o.insert("confidence".into(), c.into());
        }
        if !r.references.is_empty() {
            o.insert("external_references".into(), r.references.into());
        }
        (r.tlp, Value::Object(o))
    }

    /// The STIX type of a published item.
    fn stix_type(&self, item: ItemRef) -> &'static str {
        match item {
            ItemRef::Article(_) => "report",
            ItemRef::Incident(_) => "incident",
            ItemRef::Entity(e) => entity_type(self.d.entities[e].kind),
        }
    }

    /// When an item's object was created: an incident's date, an entity's
    /// earliest mention.
    fn created(&self, item: ItemRef) -> String {
        match item {
            ItemRef::Article(a) => timestamp(&self.d.articles[a].published),
            ItemRef::Incident(i) => timestamp(&self.d.incidents[i].date),
            ItemRef::Entity(e) => self.entity_created(e),
        }
    }

    /// A relation the dossier writes, with its note, dates, confidence and
    /// sources.
    fn written(&self, edge: &RelationEdge) -> Option<Rel> {
        let (relation, key) = self.view.relation(edge)?;
        let to = ItemRef::Entity(edge.to);
        let (source_type, target_type) = (self.stix_type(edge.from), self.stix_type(to));
        let natural = stix_relationship(relation.kind, source_type, target_type);
        let mut r = Rel::new(
            natural.unwrap_or("related-to"),
            self.item_id(edge.from),
            self.item_id(to),
            self.created(edge.from),
            edge.tlp,
        );
        let mut description = format!(
            "{} {} {}.",
            self.view.title(edge.from),
            phrase(relation.kind),
            self.view.title(to)
        );
        if natural.is_none() {
            let name = relation.kind.name();
            r.key = format!("{}/{name}", r.key);
            description.push_str(&format!(
                " (Dossier relation `{name}`: STIX 2.1 defines no `{name}` from {source_type} to {target_type}.)"
            ));
        }
        let note = plain_text(self.p.relation_note(&key, edge.index));
        if !note.is_empty() {
            description.push_str("\n\n");
            description.push_str(&note);
        }
        r.description = Some(description);
        r.start = relation.first_seen.as_ref().map(timestamp);
        r.stop = relation.last_seen.as_ref().map(period_end);
        r.confidence = relation.confidence.map(confidence);
        r.references = relation.sources.iter().map(external_reference).collect();
        Some(r)
    }

    /// Relationships read from incidents: the incident `related-to` each of
    /// its actors, targets and malware (STIX 2.1 defines no other
    /// relationship from an `incident`), an intrusion-set `uses` the malware
    /// and `targets` the identities, and the malware `targets` them too.
    /// The same relationship from several incidents is one object, dated and
    /// marked by the earliest and least restricted of them.
    fn read_from_incidents(&self) -> Vec<Rel> {
        let d = self.d;
        let mut found: Vec<(Rel, (i16, u8, u8))> = Vec::new();
        let mut index: FxHashMap<(&'static str, ItemRef, ItemRef), usize> = FxHashMap::default();
        for &ii in self.view.incidents() {
            let incident = &d.incidents[ii];
            let resolve = |ids: &[crate::yaml::Spanned<String>]| -> Vec<usize> {
                ids.iter()
                    .filter_map(|id| match self.view.reference(&id.value) {
                        crate::publish::Reference::Item(ItemRef::Entity(e)) => Some(e),
                        _ => None,
                    })
                    .collect()
            };
            let actors = resolve(&incident.actors);
            let targets = resolve(&incident.targets);
            let malware = resolve(&incident.malware);
            let kind = |e: usize| entity_type(d.entities[e].kind);
            let mut pairs: Vec<(&'static str, ItemRef, ItemRef)> = Vec::new();
            for &e in actors.iter().chain(&targets).chain(&malware) {
                pairs.push(("related-to", ItemRef::Incident(ii), ItemRef::Entity(e)));
            }
            for &a in actors.iter().filter(|&&a| kind(a) == "intrusion-set") {
                for &m in malware.iter().filter(|&&m| kind(m) == "malware") {
                    pairs.push(("uses", ItemRef::Entity(a), ItemRef::Entity(m)));
                }
            }
            let attackers = actors
                .iter()
                .filter(|&&a| kind(a) == "intrusion-set")
                .chain(malware.iter().filter(|&&m| kind(m) == "malware"));
            for &s in attackers {
                for &t in targets.iter().filter(|&&t| kind(t) == "identity") {
                    pairs.push(("targets", ItemRef::Entity(s), ItemRef::Entity(t)));
                }
            }
            for (rel, source, target) in pairs {
                let level = [source, target]
                    .iter()
                    .filter_map(|item| match item {
                        ItemRef::Entity(e) => Some(d.entities[*e].tlp),
                        _ => None,
                    })
                    .fold(incident.tlp, Tlp::max);
                let date = incident.date.sort_key();
                match index.get(&(rel, source, target)) {
                    Some(&at) => {
                        let (link, earliest) = &mut found[at];
                        *earliest = (*earliest).min(date);
                        link.tlp = link.tlp.min(level);
                    }
                    None => {
                        index.insert((rel, source, target), found.len());
                        let link = Rel::new(
                            rel,
                            self.item_id(source),
                            self.item_id(target),
                            String::new(),
                            level,
                        );
                        found.push((link, date));
                    }
                }
            }
        }
        found
            .into_iter()
            .map(|(mut link, date)| {
                link.created = day_start(date);
                link
            })
            .collect()
    }

    /// Who uses which technique: an intrusion-set or malware `uses` each
    /// technique of its own, of the incidents it acts in and of the
    /// annotations that name it (as its page lists them); an incident, and
    /// an identity that lists techniques, are `related-to` them (STIX 2.1
    /// defines no `uses` from either).
    fn technique_uses(&self) -> Vec<Rel> {
        let d = self.d;
        let mut out = Vec::new();
        for &e in self.view.entities() {
            let entity = &d.entities[e];
            let acts = matches!(entity.kind, EntityKind::Actor | EntityKind::Malware);
            for (used, uses) in self.view.techniques_of(ItemRef::Entity(e)) {
                let uses: Vec<TechniqueUse> = if acts {
                    uses
                } else {
                    uses.into_iter()
                        .filter(|u| matches!(u, TechniqueUse::Entity(_)))
                        .collect()
                };
                if uses.is_empty() {
                    continue;
                }
                out.push(self.entity_uses(e, used.technique, &uses, acts));
            }
        }
        for used in self.view.techniques() {
            for &u in &used.uses {
                if let TechniqueUse::Incident(i) = u {
                    let item = ItemRef::Incident(i);
                    let mut r = Rel::new(
                        "related-to",
                        self.item_id(item),
                        attack_pattern_id(used.technique.id),
                        self.created(item),
                        d.incidents[i].tlp,
                    );
                    r.description = Some(format!(
                        "{} involved {}.",
                        d.incidents[i].title,
                        technique_words(used.technique)
                    ));
                    out.push(r);
                }
            }
        }
        out
    }

    /// Entity `e` uses technique `t`, as `uses` (`acts`) or `related-to`:
    /// marked with the least restricted level of the uses it is read from,
    /// and told (description, references, date) from those at that level.
    fn entity_uses(&self, e: usize, t: &Technique, uses: &[TechniqueUse], acts: bool) -> Rel {
        let d = self.d;
        let entity = &d.entities[e];
        let level_of = |u: TechniqueUse| self.view.technique_use_tlp(u).max(entity.tlp);
        let tlp = uses
            .iter()
            .map(|&u| level_of(u))
            .min()
            .unwrap_or(entity.tlp);
        let shown: Vec<TechniqueUse> = uses
            .iter()
            .copied()
            .filter(|&u| level_of(u) == tlp)
            .collect();
        let item = ItemRef::Entity(e);
        let mut r = Rel::new(
            if acts { "uses" } else { "related-to" },
            self.item_id(item),
            attack_pattern_id(t.id),
            String::new(),
            tlp,
        );
        let mut seen_in: Vec<String> = Vec::new();
        let mut dates: Vec<String> = Vec::new();
        for &u in &shown {
            match u {
                TechniqueUse::Entity(_) => {
                    seen_in.push(format!("the dossier's record of {}", entity.name));
                    dates.push(self.created(item));
                }
                TechniqueUse::Incident(i) => {
                    let incident = &d.incidents[i];
                    seen_in.push(format!(
                        "the incident {} ({})",
                        incident.title,
                        incident.date.display()
                    ));
                    dates.push(timestamp(&incident.date));
                    for s in &incident.sources {
                        push_new(&mut r.references, external_reference(s));
                    }
                }
                TechniqueUse::Annotation((ai, ni)) => {
                    let article = &d.articles[ai];
                    seen_in.push(format!("an annotation on the article {}", article.title));
                    dates.push(timestamp(&article.published));
                    for x in self.annotation_references(ai, ni) {
                        push_new(&mut r.references, x);
                    }
                }
            }
        }
        r.created = dates
            .into_iter()
            .min()
            .unwrap_or_else(|| self.epoch.clone());
        let verb = if acts { "uses" } else { "is related to" };
        r.description = Some(format!(
            "{} {verb} {}. Seen in {}.",
            entity.name,
            technique_words(t),
            seen_in.join("; ")
        ));
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_types_stix_does_not_define_fall_back_to_related_to() {
        use RelationKind::*;
        let table = [
            (Uses, "intrusion-set", "malware", Some("uses")),
            (Uses, "malware", "malware", Some("uses")),
            (Uses, "intrusion-set", "identity", None),
            (Uses, "intrusion-set", "intrusion-set", None),
            (Uses, "incident", "malware", None),
            (Targets, "intrusion-set", "identity", Some("targets")),
            (Targets, "malware", "identity", Some("targets")),
            (Targets, "identity", "identity", None),
            (Targets, "incident", "identity", None),
            (AttributedTo, "intrusion-set", "identity", None),
            (AttributedTo, "malware", "intrusion-set", None),
            (AttributedTo, "incident", "intrusion-set", None),
            (PartOf, "intrusion-set", "identity", None),
            (LocatedAt, "identity", "identity", None),
            (RelatedTo, "incident", "identity", Some("related-to")),
            (RelatedTo, "malware", "intrusion-set", Some("related-to")),
        ];
        for (kind, source, target, expected) in table {
            assert_eq!(
                stix_relationship(kind, source, target),
                expected,
                "{kind:?} {source} {target}"
            );
        }
    }
}
