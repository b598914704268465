//! `/stix.json`: the published dossier as a STIX 2.1 bundle.
//!
//! Articles become `report`s, annotations `note`s, incidents `incident`s and
//! entities `intrusion-set`, `malware` or `identity` objects, joined by the
//! relationships STIX 2.1 defines between those types. docs/exports.md has
//! the field-by-field mapping and explains each choice.
//!
//! Two builds of the same dossier give the same bytes: ids are UUIDv5 of
//! the dossier id under a fixed namespace, and timestamps come from item
//! dates, never from the clock. Only published items are read, and every
//! reference is checked against the publish rules, so nothing withheld from
//! the pages (not even an id derived from it) reaches the bundle.

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::anchor::RenderedText;
use crate::date::PartialDate;
use crate::graph::{Dossier, ItemRef};
use crate::marks;
use crate::model::{AnnotationKind, Confidence, EntityKind, Source};
use crate::prepare::Prepared;
use crate::publish::{Published, Reference};
use crate::tlp::Tlp;

mod relationships;

/// The namespace of every id in the bundle. Part of the public contract
/// (docs/exports.md): changing it changes every id a consumer has stored.
const NAMESPACE: Uuid = Uuid::from_u128(0x8e55ef1e_8cb0_4c69_bcff_24ff127404e8);

/// The TLP 2.0 extension definition of the OASIS common objects repository.
const TLP_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// The fixed ids of the TLP 2.0 marking definitions, in level order.
const TLP_MARKINGS: [(Tlp, &str); 5] = [
    (
        Tlp::Clear,
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    ),
    (
        Tlp::Green,
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    ),
    (
        Tlp::Amber,
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    ),
    (
        Tlp::AmberStrict,
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    ),
    (
        Tlp::Red,
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    ),
];

/// A STIX object with the TLP level it is marked with.
type Object = (Tlp, Value);

/// Renders the bundle. Objects are serialized as they are made: the
/// articles' reports and notes, most of the bundle, batch by batch
/// straight to `out`, so a build holds one batch of them at a time (all
/// of them, 190 MB for 10,000 annotated articles, were once the largest
/// part of its peak memory).
pub(super) fn render(view: &Published<'_>, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let dossier = view.dossier;
    let b = Builder::new(view);
    // The markings come first, and are those the bundle uses: the levels
    // of the objects made after the articles are known once they are
    // made (a relationship's may be its own), the articles' and notes'
    // from the view without making them.
    let rest = [
        Chunk::new(view.incidents().iter().map(|&i| b.incident(i)).collect()),
        Chunk::new(view.entities().iter().map(|&e| b.entity(e)).collect()),
        Chunk::new(b.attack_patterns()),
        Chunk::new(b.relationships()),
    ];
    let publisher = Chunk::new(vec![b.publisher()]);
    let mut used = publisher.used;
    for chunk in &rest {
        used = union(used, chunk.used);
    }
    for &ai in view.articles() {
        used[dossier.articles[ai].tlp as usize] = true;
        for &ni in view.annotations(ai) {
            used[view.annotation_tlp(ai, ni) as usize] = true;
        }
    }
    let markings = TLP_MARKINGS
        .iter()
        .filter(|(tlp, _)| used[*tlp as usize])
        .map(|(tlp, id)| (*tlp, marking_definition(*tlp, id)))
        .collect();

    // What `serde_json::to_writer_pretty` writes for the bundle: keys in
    // order, two spaces per level.
    let bundle_name = format!("{}/{}", dossier.config.title, view.rule().tlp.name());
    let id = serde_json::to_string(&stix_id("bundle", &bundle_name))?;
    write!(out, "{{\n  \"id\": {id},\n  \"objects\": [\n")?;
    let mut first = true;
    let mut write = |chunk: &Chunk| -> anyhow::Result<()> {
        if chunk.json.is_empty() {
            return Ok(());
        }
        if union(used, chunk.used) != used {
            // The levels above missed one: a marking would be missing.
            anyhow::bail!(
                "stix.json: an object's TLP marking was not foreseen (a bug; please report it)"
            );
        }
        if !std::mem::replace(&mut first, false) {
            out.write_all(b",\n")?;
        }
        out.write_all(&chunk.json)?;
        Ok(())
    };
    write(&Chunk::new(markings))?;
    write(&publisher)?;
    for batch in view.articles().chunks(ARTICLES_PER_BATCH) {
        let chunks: Vec<Chunk> = batch.par_iter().map(|&ai| b.article(ai)).collect();
        for chunk in &chunks {
            write(chunk)?;
        }
    }
    for chunk in &rest {
        write(chunk)?;
    }
    out.write_all(b"\n  ],\n  \"type\": \"bundle\"\n}\n")?;
    Ok(())
}

/// Articles made side by side before their objects are written: enough
/// to keep every core busy, few enough to hold a few megabytes.
const ARTICLES_PER_BATCH: usize = 256;

fn union(a: [bool; 5], b: [bool; 5]) -> [bool; 5] {
    std::array::from_fn(|k| a[k] || b[k])
}

/// Objects of the bundle, written as they appear in it (each indented to
/// its depth, separated by commas), and the TLP levels they are marked with.
#[derive(Default)]
struct Chunk {
    json: Vec<u8>,
    used: [bool; 5],
}

impl Chunk {
    fn new(objects: Vec<Object>) -> Chunk {
        let mut chunk = Chunk::default();
        for (tlp, object) in objects {
            chunk.push(tlp, &object);
        }
        chunk
    }

    fn push(&mut self, tlp: Tlp, object: &impl Serialize) {
        self.used[tlp as usize] = true;
        if !self.json.is_empty() {
            self.json.extend_from_slice(b",\n");
        }
        // The bundle's objects sit two levels deep.
        self.json.extend_from_slice(b"    ");
        super::pretty::write(&mut self.json, object, 2).expect("writing to a Vec");
    }
}

/// An annotation's `note`: a struct rather than a `Value` like the other
/// objects, as notes are most of an annotated bundle and a map of owned
/// keys per object was a visible part of writing it. Fields are in
/// alphabetical order, the order of a `Value`'s keys.
#[derive(Serialize)]
struct Note<'b> {
    #[serde(rename = "abstract")]
    quote: &'b str,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<u8>,
    content: String,
    created: &'b str,
    created_by_ref: &'b str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<Value>,
    id: String,
    labels: [AnnotationKind; 1],
    modified: &'b str,
    object_marking_refs: [&'static str; 1],
    object_refs: Vec<String>,
    spec_version: &'static str,
    #[serde(rename = "type")]
    stix_type: &'static str,
}

/// `type--uuid`, the UUID being v5 of `type/name` under [`NAMESPACE`].
fn stix_id(stix_type: &str, name: &str) -> String {
    let mut seed = Vec::with_capacity(stix_type.len() + 1 + name.len());
    seed.extend_from_slice(stix_type.as_bytes());
    seed.push(b'/');
    seed.extend_from_slice(name.as_bytes());
    let uuid = Uuid::new_v5(&NAMESPACE, &seed);
    let mut id = String::with_capacity(stix_type.len() + 2 + uuid::fmt::Hyphenated::LENGTH);
    id.push_str(stix_type);
    id.push_str("--");
    id.push_str(uuid.hyphenated().encode_lower(&mut Uuid::encode_buffer()));
    id
}

/// The first moment of a date's period, at the millisecond precision STIX
/// producers are asked to keep.
fn timestamp(date: &PartialDate) -> String {
    day_start(date.sort_key())
}

fn day_start((y, m, d): (i16, u8, u8)) -> String {
    format!("{y:04}-{m:02}-{d:02}T00:00:00.000Z")
}

/// The last moment of a date's period: `2019-08` ends at
/// `2019-08-31T23:59:59.999Z`.
fn period_end(date: &PartialDate) -> String {
    let (y, m, d) = date.last_day();
    format!("{y:04}-{m:02}-{d:02}T23:59:59.999Z")
}

/// The id of the `attack-pattern` of an ATT&CK technique (a canonical id).
fn attack_pattern_id(technique: &str) -> String {
    stix_id("attack-pattern", technique)
}

fn marking_id(tlp: Tlp) -> &'static str {
    TLP_MARKINGS[tlp as usize].1
}

/// The official TLP 2.0 marking definition, exactly as OASIS publishes it.
fn marking_definition(tlp: Tlp, id: &str) -> Value {
    json!({
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": id,
        "created": "2022-10-01T00:00:00.000Z",
        "name": tlp.label(),
        "extensions": {
            TLP_EXTENSION: {
                "extension_type": "property-extension",
                "tlp_2_0": tlp.name(),
            }
        }
    })
}

/// The STIX type of an entity.
fn entity_type(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Actor => "intrusion-set",
        EntityKind::Malware => "malware",
        _ => "identity",
    }
}

/// The plain text of rendered HTML: blocks separated by a blank line,
/// whitespace runs collapsed. Withheld `@id` links are already plain text.
fn plain_text(html: &str) -> String {
    let mut out = RenderedText::default();
    marks::extract(html, &mut out);
    out.blocks
        .iter()
        .map(|r| {
            out.text[r.clone()]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|block| !block.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// STIX's "None / Low / Med / High" confidence scale (STIX 2.1 appendix A).
fn confidence(c: Confidence) -> u8 {
    match c {
        Confidence::Low => 15,
        Confidence::Moderate => 50,
        Confidence::High => 85,
    }
}

fn external_reference(s: &Source) -> Value {
    let url = s.url.as_ref().or(s.archived.as_ref());
    let host = url.and_then(|u| u.split("://").nth(1)?.split('/').next());
    let source_name = s
        .publisher
        .as_deref()
        .or(s.title.as_deref())
        .or(host)
        .unwrap_or("source");
    let mut parts: Vec<String> = Vec::new();
    if let Some(title) = &s.title {
        parts.push(title.clone());
    }
    if let Some(date) = &s.date {
        parts.push(date.display());
    }
    if let Some(r) = s.reliability {
        parts.push(format!("source reliability {r}"));
    }
    if let (Some(_), Some(archived)) = (&s.url, &s.archived) {
        parts.push(format!("archived at {}", &**archived));
    }
    let mut r = Map::new();
    r.insert("source_name".into(), source_name.into());
    if let Some(url) = url {
        r.insert("url".into(), (&**url).into());
    }
    if !parts.is_empty() || url.is_none() {
        let description = if parts.is_empty() {
            source_name.to_string()
        } else {
            parts.join("; ")
        };
        r.insert("description".into(), description.into());
    }
    Value::Object(r)
}

struct Builder<'v, 'a> {
    view: &'v Published<'a>,
    d: &'a Dossier,
    p: &'a Prepared,
    publisher: String,
    /// The earliest date of any published article or incident: the creation
    /// time of objects that have no date of their own.
    epoch: String,
}

impl<'v, 'a> Builder<'v, 'a> {
    fn new(view: &'v Published<'a>) -> Builder<'v, 'a> {
        let (d, p) = (view.dossier, view.prepared);
        let articles = view
            .articles()
            .iter()
            .map(|&i| d.articles[i].published.sort_key());
        let incidents = view
            .incidents()
            .iter()
            .map(|&i| d.incidents[i].date.sort_key());
        let epoch = articles
            .chain(incidents)
            .min()
            .map_or("1970-01-01T00:00:00.000Z".to_string(), day_start);
        Builder {
            view,
            d,
            p,
            publisher: stix_id("identity", &format!("publisher: {}", d.config.title)),
            epoch,
        }
    }

    /// The STIX id of an item, only if it is published.
    fn id_of(&self, id: &str) -> Option<(String, ItemRef)> {
        match self.view.reference(id) {
            Reference::Item(item) => Some((self.item_id(item), item)),
            Reference::Withheld => None,
        }
    }

    fn item_id(&self, item: ItemRef) -> String {
        match item {
            ItemRef::Article(i) => stix_id("report", &self.d.articles[i].id),
            ItemRef::Incident(i) => stix_id("incident", &self.d.incidents[i].id),
            ItemRef::Entity(i) => {
                let e = &self.d.entities[i];
                stix_id(entity_type(e.kind), &e.id)
            }
        }
    }

    /// The page of an item (with `#fragment`) when the site has an absolute
    /// base URL; a relative one would not be a URL to a consumer.
    fn page(&self, item: ItemRef, fragment: Option<&str>) -> Option<Value> {
        let base = &self.d.base;
        if !base.permalink.contains("://") {
            return None;
        }
        let path = self.d.url(item);
        let mut url = format!("{}{}", base.permalink, &path[base.path.len()..]);
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(f);
        }
        Some(json!({ "source_name": self.d.config.title, "url": url }))
    }

    /// The properties every object of the bundle has.
    fn common(&self, stix_type: &str, id: String, created: &str, tlp: Tlp) -> Map<String, Value> {
        let mut o = Map::new();
        o.insert("type".into(), stix_type.into());
        o.insert("spec_version".into(), "2.1".into());
        o.insert("id".into(), id.into());
        o.insert("created".into(), created.into());
        o.insert("modified".into(), created.into());
        o.insert("created_by_ref".into(), self.publisher.clone().into());
        o.insert("object_marking_refs".into(), json!([marking_id(tlp)]));
        o
    }

    fn publisher(&self) -> Object {
        let mut o = self.common("identity", self.publisher.clone(), &self.epoch, Tlp::Clear);
        o.remove("created_by_ref");
        o.insert("name".into(), self.d.config.title.clone().into());
        o.insert("identity_class".into(), "organization".into());
        if let Some(description) = &self.d.config.description {
            o.insert("description".into(), description.clone().into());
        }
        (Tlp::Clear, Value::Object(o))
    }

    /// An article's report and the notes of its published annotations.
    fn article(&self, ai: usize) -> Chunk {
        let d = self.d;
        let article = &d.articles[ai];
        let out = &self.p.articles[ai];
        let created = timestamp(&article.published);
        let report_id = stix_id("report", &article.id);
        let mut notes = Vec::new();
        let mut report_refs: Vec<String> = Vec::new();
        let mut seen: FxHashSet<String> = FxHashSet::default();
        let mut add_ref = |refs: &mut Vec<String>, id: String| {
            if seen.insert(id.clone()) {
                refs.push(id);
            }
        };
        for &ni in self.view.annotations(ai) {
            let annotation = &article.annotations[ni];
            let tlp = self.view.annotation_tlp(ai, ni);
            let note_id = stix_id("note", &format!("{}#{}", article.id, annotation.id));
            add_ref(&mut report_refs, note_id.clone());
            let mut refs = vec![report_id.clone()];
            for id in annotation.incidents.iter().chain(&annotation.entities) {
                if let Some((stix, _)) = self.id_of(&id.value) {
                    add_ref(&mut report_refs, stix.clone());
                    if !refs.contains(&stix) {
                        refs.push(stix);
                    }
                }
            }
            // A published annotation's techniques are in the bundle: the
            // view lists every technique a published annotation names.
            for technique in &annotation.techniques {
                let stix = attack_pattern_id(&technique.value);
                add_ref(&mut report_refs, stix.clone());
                if !refs.contains(&stix) {
                    refs.push(stix);
                }
            }
            let quote = &annotation.quote.value;
            let note = out
                .notes
                .get(ni)
                .map(|html| plain_text(html))
                .unwrap_or_default();
            let content = if note.is_empty() {
                format!("> {quote}")
            } else {
                format!("> {quote}\n\n{note}")
            };
            let mut external_references: Vec<Value> =
                annotation.sources.iter().map(external_reference).collect();
            external_references.extend(self.page(ItemRef::Article(ai), Some(&annotation.id)));
            notes.push((
                tlp,
                Note {
                    quote,
                    confidence: annotation.confidence.map(confidence),
                    content,
                    created_by_ref: &self.publisher,
                    external_references,
                    id: note_id,
                    labels: [annotation.kind],
                    object_marking_refs: [marking_id(tlp)],
                    object_refs: refs,
                    spec_version: "2.1",
                    stix_type: "note",
                    created: &created,
                    modified: &created,
                },
            ));
        }
        for id in &out.refs {
            if let Some((stix, _)) = self.id_of(id) {
                add_ref(&mut report_refs, stix);
            }
        }
        if report_refs.is_empty() {
            // STIX requires at least one reference; an article that names
            // nothing is at least about its publisher's reporting.
            report_refs.push(self.publisher.clone());
        }
        let mut o = self.common("report", report_id, &created, article.tlp);
        o.insert("name".into(), article.title.clone().into());
        if let Some(summary) = &article.summary {
            o.insert("description".into(), summary.clone().into());
        }
        o.insert("published".into(), created.clone().into());
        o.insert("report_types".into(), json!(["threat-report"]));
        o.insert("object_refs".into(), json!(report_refs));
        if !article.tags.is_empty() {
            o.insert("labels".into(), json!(article.tags));
        }
        let mut ext = Vec::new();
        if let Some(url) = &article.url {
            let mut details: Vec<String> = Vec::new();
            if let Some(author) = &article.author {
                details.push(format!("by {author}"));
            }
            if let Some(r) = article.reliability {
                details.push(format!("source reliability {r}"));
            }
            let mut r = Map::new();
            let name = article.source.as_deref().unwrap_or("original article");
            r.insert("source_name".into(), name.into());
            r.insert("url".into(), (&**url).into());
            if !details.is_empty() {
                r.insert("description".into(), details.join("; ").into());
            }
            ext.push(Value::Object(r));
        }
        ext.extend(self.page(ItemRef::Article(ai), None));
        if !ext.is_empty() {
            o.insert("external_references".into(), ext.into());
        }
        let mut chunk = Chunk::default();
        chunk.push(article.tlp, &Value::Object(o));
        for (tlp, note) in &notes {
            chunk.push(*tlp, note);
        }
        chunk
    }

    fn incident(&self, i: usize) -> Object {
        let incident = &self.d.incidents[i];
        let item = ItemRef::Incident(i);
        let created = timestamp(&incident.date);
        let mut o = self.common("incident", self.item_id(item), &created, incident.tlp);
        o.insert("name".into(), incident.title.clone().into());
        let mut description = match &incident.end {
            Some(end) => format!("{} to {}.", incident.date.display(), end.display()),
            None => format!("{}.", incident.date.display()),
        };
        let summary = plain_text(&self.p.incident_summaries[i]);
        if !summary.is_empty() {
            description.push_str("\n\n");
            description.push_str(&summary);
        }
        if let Some(losses) = &incident.losses {
            description.push_str(&format!("\n\nLosses: {losses}"));
        }
        o.insert("description".into(), description.into());
        let mut labels = vec![json!(incident.kind)];
        labels.extend(incident.tags.iter().map(|t| json!(t)));
        o.insert("labels".into(), labels.into());
        self.finish(o, item, &incident.sources, incident.tlp)
    }

    fn entity(&self, e: usize) -> Object {
        let entity = &self.d.entities[e];
        let item = ItemRef::Entity(e);
        let stix_type = entity_type(entity.kind);
        let created = self.entity_created(e);
        let mut o = self.common(stix_type, self.item_id(item), &created, entity.tlp);
        o.insert("name".into(), entity.name.clone().into());
        let mut description = plain_text(&self.p.entity_summaries[e]);
        match entity.kind {
            EntityKind::Actor => {}
            EntityKind::Malware => {
                o.insert("is_family".into(), true.into());
            }
            kind => {
                let class = match kind {
                    EntityKind::Person => "individual",
                    EntityKind::Organisation | EntityKind::Country => "organization",
                    _ => "unknown",
                };
                o.insert("identity_class".into(), class.into());
                if kind == EntityKind::Country {
                    o.insert("sectors".into(), json!(["government-national"]));
                }
            }
        }
        // `identity` has no `aliases` property: say them in words. Who uses
        // which name has no property anywhere: say that in words too.
        let by_whom = entity.names.iter().any(|a| a.by.is_some());
        if !entity.aliases.is_empty() && (stix_type == "identity" || by_whom) {
            let names: Vec<String> = entity
                .names
                .iter()
                .map(|a| match &a.by {
                    Some(by) => format!("{} (used by {by})", a.name),
                    None => a.name.clone(),
                })
                .collect();
            let aka = format!("Also known as: {}.", names.join(", "));
            description = if description.is_empty() {
                aka
            } else {
                format!("{description}\n\n{aka}")
            };
        }
        if stix_type != "identity" && !entity.aliases.is_empty() {
            o.insert("aliases".into(), json!(entity.aliases));
        }
        if !description.is_empty() {
            o.insert("description".into(), description.into());
        }
        self.finish(o, item, &entity.sources, entity.tlp)
    }

    /// The earliest published incident or article that names the entity.
    fn entity_created(&self, e: usize) -> String {
        let b = self.view.backlinks();
        let incidents = b.entity_incidents[e]
            .iter()
            .map(|&i| self.d.incidents[i].date.sort_key());
        let articles = b.entity_articles[e]
            .iter()
            .map(|&a| self.d.articles[a].published.sort_key());
        incidents
            .chain(articles)
            .min()
            .map_or(self.epoch.clone(), day_start)
    }

    fn finish(
        &self,
        mut o: Map<String, Value>,
        item: ItemRef,
        sources: &[Source],
        tlp: Tlp,
    ) -> Object {
        let mut ext: Vec<Value> = sources.iter().map(external_reference).collect();
        ext.extend(self.page(item, None));
        if !ext.is_empty() {
            o.insert("external_references".into(), ext.into());
        }
        (tlp, Value::Object(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_v5_of_type_and_dossier_id() {
        let id = stix_id("incident", "wannacry-2017");
        assert!(id.starts_with("incident--"));
        let uuid = Uuid::parse_str(&id["incident--".len()..]).unwrap();
        assert_eq!(uuid.get_version_num(), 5);
        assert_eq!(id, stix_id("incident", "wannacry-2017"));
        assert_ne!(id, stix_id("report", "wannacry-2017"));
    }

    #[test]
    fn an_id_is_the_type_and_the_v5_uuid_of_type_slash_name() {
        for (stix_type, name) in [("note", "sony-2014#wiper"), ("identity", "publisher: Ü")] {
            let seed = format!("{stix_type}/{name}");
            let expected = format!("{stix_type}--{}", Uuid::new_v5(&NAMESPACE, seed.as_bytes()));
            assert_eq!(stix_id(stix_type, name), expected);
        }
    }

    /// Every other object is a `serde_json::Value`, whose keys print
    /// sorted; a note must print its keys in the same order, or the bundle
    /// would change shape with the kind of object.
    #[test]
    fn a_note_prints_its_keys_as_a_value_would() {
        let note = Note {
            quote: "wrote its configuration",
            confidence: Some(85),
            content: "> wrote its configuration\n\nA note.".into(),
            created: "2017-05-12T00:00:00.000Z",
            created_by_ref: "identity--x",
            external_references: vec![json!({"source_name": "x", "url": "https://example.org/"})],
            id: stix_id("note", "a#b"),
            labels: [AnnotationKind::Claim],
            modified: "2017-05-12T00:00:00.000Z",
            object_marking_refs: [marking_id(Tlp::Amber)],
            object_refs: vec![stix_id("report", "a")],
            spec_version: "2.1",
            stix_type: "note",
        };
        let as_value = serde_json::to_value(&note).unwrap();
        assert_eq!(
            serde_json::to_string_pretty(&note).unwrap(),
            serde_json::to_string_pretty(&as_value).unwrap()
        );
    }

    #[test]
    fn timestamps_have_milliseconds_at_the_start_of_the_period() {
        let t = |s| timestamp(&PartialDate::parse(s).unwrap());
        assert_eq!(t("2019-08-05"), "2019-08-05T00:00:00.000Z");
        assert_eq!(t("2019-08"), "2019-08-01T00:00:00.000Z");
        assert_eq!(t("2019"), "2019-01-01T00:00:00.000Z");
    }

    #[test]
    fn markings_are_the_official_tlp_2_objects_in_level_order() {
        for (i, (tlp, _)) in TLP_MARKINGS.iter().enumerate() {
            assert_eq!(*tlp as usize, i);
        }
        let amber = marking_definition(Tlp::AmberStrict, marking_id(Tlp::AmberStrict));
        assert_eq!(amber["name"], "TLP:AMBER+STRICT");
        assert_eq!(
            amber["extensions"][TLP_EXTENSION]["tlp_2_0"],
            "amber+strict"
        );
    }

    #[test]
    fn a_period_ends_at_its_last_millisecond() {
        let t = |s| period_end(&PartialDate::parse(s).unwrap());
        assert_eq!(t("2019-08-05"), "2019-08-05T23:59:59.999Z");
        assert_eq!(t("2019-02"), "2019-02-28T23:59:59.999Z");
        assert_eq!(t("2020-02"), "2020-02-29T23:59:59.999Z");
        assert_eq!(t("2019"), "2019-12-31T23:59:59.999Z");
    }

    #[test]
    fn plain_text_keeps_blocks_and_drops_tags() {
        let html = "<p>One <em>two</em>\nthree &amp; four</p>\n<ul><li>five</li></ul>";
        assert_eq!(plain_text(html), "One two three & four\n\nfive");
    }
}
