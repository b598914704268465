//! The items of a dossier as written by the user, decoded from YAML.
//!
//! Decoding checks everything a single file can tell (fields, types, enums,
//! dates); checks across files (ids that must exist) happen in `graph`.

use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::date::PartialDate;
use crate::diagnostic::SourceFile;
use crate::relations::{Alias, Relation, TechniqueId};
use crate::tlp::Tlp;
use crate::yaml::{Decoder, Fields, Node, Spanned, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AnnotationKind {
    Note,
    Claim,
    Context,
    Correction,
    Question,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Confidence {
    Low,
    Moderate,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum IncidentKind {
    Attack,
    Advisory,
    Report,
    Sanction,
    Other,
}

impl IncidentKind {
    /// The name written in YAML and used in CSS classes: `attack`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            IncidentKind::Attack => "attack",
            IncidentKind::Advisory => "advisory",
            IncidentKind::Report => "report",
            IncidentKind::Sanction => "sanction",
            IncidentKind::Other => "other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub(crate) enum EntityKind {
    Actor,
    Malware,
    Organisation,
    Person,
    Country,
    Other,
}

impl EntityKind {
    pub(crate) const ALL: [(&'static str, EntityKind); 6] = [
        ("actor", EntityKind::Actor),
        ("malware", EntityKind::Malware),
        ("organisation", EntityKind::Organisation),
        ("person", EntityKind::Person),
        ("country", EntityKind::Country),
        ("other", EntityKind::Other),
    ];

    /// The name written in YAML and used in CSS classes: `actor`.
    pub(crate) fn name(self) -> &'static str {
        EntityKind::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("other", |(name, _)| name)
    }

    pub(crate) fn plural_label(self) -> &'static str {
        match self {
            EntityKind::Actor => "Actors",
            EntityKind::Malware => "Malware",
            EntityKind::Organisation => "Organisations",
            EntityKind::Person => "People",
            EntityKind::Country => "Countries",
            EntityKind::Other => "Other",
        }
    }
}

/// A URL written in a YAML field, checked to be safe to publish (see
/// `url_policy`), with where it is written so `check` can point at it. Two
/// are equal when their text is: one source cited twice is one citation.
#[derive(Debug, Clone)]
pub(crate) struct WrittenUrl {
    text: String,
    pub(crate) span: Range<usize>,
}

impl WrittenUrl {
    #[cfg(test)]
    pub(crate) fn new(text: &str) -> WrittenUrl {
        WrittenUrl {
            text: text.into(),
            span: 0..0,
        }
    }
}

impl std::ops::Deref for WrittenUrl {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq for WrittenUrl {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for WrittenUrl {}

impl Hash for WrittenUrl {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl Serialize for WrittenUrl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// A cited source: a bare URL or a map with details.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Source {
    pub(crate) title: Option<String>,
    pub(crate) url: Option<WrittenUrl>,
    pub(crate) archived: Option<WrittenUrl>,
    pub(crate) publisher: Option<String>,
    pub(crate) date: Option<PartialDate>,
    pub(crate) reliability: Option<char>,
}

/// Markdown written inside a YAML file, with where it sits for errors.
#[derive(Debug, Clone)]
pub(crate) struct Markdown {
    pub(crate) text: String,
    pub(crate) span: Range<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Article {
    pub(crate) id: String,
    pub(crate) file: Arc<SourceFile>,
    pub(crate) title: String,
    pub(crate) published: PartialDate,
    pub(crate) source: Option<String>,
    pub(crate) url: Option<WrittenUrl>,
    pub(crate) author: Option<String>,
    pub(crate) reliability: Option<char>,
    pub(crate) tlp: Tlp,
    pub(crate) tags: Vec<String>,
    pub(crate) summary: Option<String>,
    pub(crate) draft: bool,
    /// Byte offset of the Markdown body in `file`.
    pub(crate) body_start: usize,
    /// Shared, so attaching them to a re-read article costs nothing.
    pub(crate) annotations: Arc<[Annotation]>,
    pub(crate) annotations_file: Option<Arc<SourceFile>>,
}

impl Article {
    pub(crate) fn body(&self) -> &str {
        &self.file.text[self.body_start..]
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Annotation {
    pub(crate) id: String,
    pub(crate) quote: Spanned<String>,
    pub(crate) prefix: Option<Spanned<String>>,
    pub(crate) suffix: Option<Spanned<String>>,
    /// Where an explicit `id` was written.
    pub(crate) id_span: Option<Range<usize>>,
    /// A hash of the annotation's YAML, so pages that show it elsewhere
    /// are re-rendered when it changes, and only then.
    pub(crate) digest: u64,
    pub(crate) note: Option<Markdown>,
    pub(crate) kind: AnnotationKind,
    pub(crate) confidence: Option<Confidence>,
    pub(crate) credibility: Option<u8>,
    pub(crate) incidents: Vec<Spanned<String>>,
    pub(crate) entities: Vec<Spanned<String>>,
    pub(crate) tlp: Tlp,
    pub(crate) tags: Vec<String>,
    #[allow(dead_code)] // Shown by the technique pages.
    pub(crate) techniques: Vec<TechniqueId>,
    pub(crate) sources: Vec<Source>,
}

#[derive(Debug, Clone)]
pub(crate) struct Incident {
    pub(crate) id: String,
    pub(crate) file: Arc<SourceFile>,
    pub(crate) title: String,
    pub(crate) date: PartialDate,
    pub(crate) end: Option<PartialDate>,
    pub(crate) kind: IncidentKind,
    pub(crate) summary: Option<Markdown>,
    pub(crate) actors: Vec<Spanned<String>>,
    pub(crate) targets: Vec<Spanned<String>>,
    pub(crate) malware: Vec<Spanned<String>>,
    pub(crate) losses: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) tlp: Tlp,
    pub(crate) sources: Vec<Source>,
    #[allow(dead_code)] // Shown by the technique pages.
    pub(crate) techniques: Vec<TechniqueId>,
    pub(crate) relations: Vec<Relation>,
}

#[derive(Debug, Clone)]
pub(crate) struct Entity {
    pub(crate) id: String,
    pub(crate) file: Arc<SourceFile>,
    pub(crate) name: String,
    pub(crate) kind: EntityKind,
    /// Every alias's name, in order.
    pub(crate) aliases: Vec<String>,
    /// The aliases with who uses them, their notes and sources.
    pub(crate) names: Vec<Alias>,
    pub(crate) summary: Option<Markdown>,
    pub(crate) tags: Vec<String>,
    pub(crate) tlp: Tlp,
    pub(crate) sources: Vec<Source>,
    #[allow(dead_code)] // Shown by the technique pages.
    pub(crate) techniques: Vec<TechniqueId>,
    pub(crate) relations: Vec<Relation>,
}

const KINDS: [(&str, AnnotationKind); 5] = [
    ("note", AnnotationKind::Note),
    ("claim", AnnotationKind::Claim),
    ("context", AnnotationKind::Context),
    ("correction", AnnotationKind::Correction),
    ("question", AnnotationKind::Question),
];
pub(crate) const CONFIDENCES: [(&str, Confidence); 3] = [
    ("low", Confidence::Low),
    ("moderate", Confidence::Moderate),
    ("high", Confidence::High),
];
const INCIDENT_KINDS: [(&str, IncidentKind); 5] = [
    ("attack", IncidentKind::Attack),
    ("advisory", IncidentKind::Advisory),
    ("report", IncidentKind::Report),
    ("sanction", IncidentKind::Sanction),
    ("other", IncidentKind::Other),
];
const RELIABILITY: [(&str, char); 6] = [
    ("A", 'A'),
    ("B", 'B'),
    ("C", 'C'),
    ("D", 'D'),
    ("E", 'E'),
    ("F", 'F'),
];

impl Decoder<'_> {
    fn tlp(&mut self, fields: &Fields<'_>) -> Tlp {
        self.choice(fields, "tlp", &Tlp::NAMES).unwrap_or_default()
    }

    fn date(&mut self, node: &Node, name: &str) -> Option<PartialDate> {
        let text = self.string(node, name)?;
        match PartialDate::parse(&text.value) {
            Ok(date) => Some(date),
            Err(message) => {
                self.error(node.span.clone(), message);
                None
            }
        }
    }

    pub(crate) fn markdown(&mut self, fields: &Fields<'_>, name: &str) -> Option<Markdown> {
        let node = fields.get(name)?;
        let text = self.string(node, name)?;
        Some(Markdown {
            text: text.value,
            span: text.span,
        })
    }

    fn words(&mut self, fields: &Fields<'_>, name: &str) -> Vec<String> {
        self.string_list(fields, name)
            .into_iter()
            .map(|s| s.value)
            .collect()
    }

    pub(crate) fn sources(&mut self, fields: &Fields<'_>) -> Vec<Source> {
        let Some(node) = fields.get("sources") else {
            return Vec::new();
        };
        let items: &[Node] = match &node.value {
            Value::Seq(items) => items,
            _ => std::slice::from_ref(node),
        };
        items.iter().filter_map(|item| self.source(item)).collect()
    }

    /// A URL field: a full `http://` or `https://` URL.
    fn web_url(&mut self, fields: &Fields<'_>, name: &str) -> Option<WrittenUrl> {
        let node = fields.get(name)?;
        let text = self.string(node, name)?;
        self.checked_url(text, name)
    }

    fn checked_url(&mut self, text: Spanned<String>, name: &str) -> Option<WrittenUrl> {
        let Some(reason) = crate::url_policy::web_refusal(&text.value) else {
            // Point at the URL itself, inside any quotes.
            let written = self.file.text.get(text.span.clone()).unwrap_or("");
            let quoted =
                written.len() >= 2 && (written.starts_with('"') || written.starts_with('\''));
            let span = if quoted {
                text.span.start + 1..text.span.end - 1
            } else {
                text.span
            };
            return Some(WrittenUrl {
                text: text.value.trim().to_string(),
                span,
            });
        };
        self.error(
            text.span,
            format!("`{name}` must be a full `http://` or `https://` URL, not {reason}"),
        )
        .help
        .push(
            "every address a reader can follow is a web address: other schemes \
                 (`javascript:`, `data:`, `file:`...) could run script or reach the reader's files"
                .into(),
        );
        None
    }

    fn source(&mut self, node: &Node) -> Option<Source> {
        /// The fields of a source written as a map.
        const SOURCE_FIELDS: &[&str] = &[
            "title",
            "url",
            "archived",
            "publisher",
            "date",
            "reliability",
        ];

        if let Value::Scalar { text, .. } = &node.value {
            let text = Spanned {
                value: text.clone(),
                span: node.span.clone(),
            };
            return Some(Source {
                title: None,
                url: Some(self.checked_url(text, "url")?),
                archived: None,
                publisher: None,
                date: None,
                reliability: None,
            });
        }
        let fields = self.fields(node, "a source", SOURCE_FIELDS)?;
        let source = Source {
            title: self.opt_string(&fields, "title"),
            url: self.web_url(&fields, "url"),
            archived: self.web_url(&fields, "archived"),
            publisher: self.opt_string(&fields, "publisher"),
            date: fields.get("date").and_then(|n| self.date(n, "date")),
            reliability: self.choice(&fields, "reliability", &RELIABILITY),
        };
        if source.title.is_none() && source.url.is_none() {
            self.error(node.span.clone(), "a source needs a `title` or a `url`");
        }
        Some(source)
    }
}

/// The fields of article front matter.
const ARTICLE_FIELDS: &[&str] = &[
    "title",
    "published",
    "source",
    "url",
    "author",
    "reliability",
    "tlp",
    "tags",
    "summary",
    "draft",
];

/// Article front matter; the body and annotations are attached by the loader.
pub(crate) fn decode_article(
    d: &mut Decoder<'_>,
    id: &str,
    node: &Node,
    body_start: usize,
) -> Option<Article> {
    let fields = d.fields(node, "article front matter", ARTICLE_FIELDS)?;
    let title = d.required_string(&fields, "title", "the article");
    let published = d
        .required(
            &fields,
            "published",
            "the article",
            "add `published: YYYY-MM-DD`",
        )
        .and_then(|n| d.date(n, "published"));
    let article = Article {
        id: id.to_string(),
        file: Arc::clone(d.file),
        source: d.opt_string(&fields, "source"),
        url: d.web_url(&fields, "url"),
        author: d.opt_string(&fields, "author"),
        reliability: d.choice(&fields, "reliability", &RELIABILITY),
        tlp: d.tlp(&fields),
        tags: d.words(&fields, "tags"),
        summary: d.opt_string(&fields, "summary"),
        draft: d.bool(&fields, "draft").unwrap_or(false),
        body_start,
        annotations: Arc::from([]),
        annotations_file: None,
        title: title?.value,
        published: published?,
    };
    Some(article)
}

/// An annotations file: a list of annotations. Default ids are `a1`, `a2`...
/// by position, so they stay put when a later item is edited.
pub(crate) fn decode_annotations(d: &mut Decoder<'_>, node: &Node) -> Vec<Annotation> {
    let items = match &node.value {
        Value::Seq(items) => items.as_slice(),
        _ if node.is_null() => return Vec::new(),
        _ => {
            let found = node.describe();
            d.error(
                node.span.clone(),
                format!("an annotations file must be a list, found {found}"),
            )
            .help
            .push("start each annotation with `- quote: \"...\"`".into());
            return Vec::new();
        }
    };
    let mut annotations: Vec<Annotation> = Vec::new();
    for (position, item) in items.iter().enumerate() {
        let Some(annotation) = decode_annotation(d, item, position) else {
            continue;
        };
        if let Some(first) = annotations.iter().find(|a| a.id == annotation.id) {
            let first_at = first.id_span.clone().unwrap_or(first.quote.span.clone());
            let (line, _) = d.file.line_col(first_at.start);
            let id = annotation.id.clone();
            let at = annotation.id_span.clone().unwrap_or(item.span.clone());
            d.error(
                at,
                format!("annotation id `{id}` is used twice in this file"),
            )
            .help
            .push(format!(
                "the first annotation with this id is on line {line}; give this one another `id`"
            ));
        }
        annotations.push(annotation);
    }
    annotations
}

/// Annotation ids become HTML ids and URL fragments: no spaces or punctuation
/// that would need escaping.
fn is_valid_annotation_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The fields of an annotation.
const ANNOTATION_FIELDS: &[&str] = &[
    "id",
    "quote",
    "prefix",
    "suffix",
    "note",
    "kind",
    "confidence",
    "credibility",
    "incidents",
    "entities",
    "tlp",
    "tags",
    "techniques",
    "sources",
];

fn decode_annotation(d: &mut Decoder<'_>, node: &Node, position: usize) -> Option<Annotation> {
    let fields = d.fields(node, "an annotation", ANNOTATION_FIELDS)?;
    let id_span = fields.get("id").map(|n| n.span.clone());
    let id = match fields.get("id").and_then(|n| d.string(n, "id")) {
        Some(id) => {
            if !is_valid_annotation_id(&id.value) {
                d.error(
                    id.span.clone(),
                    format!("`{}` is not a valid annotation id", id.value),
                )
                .help
                .push(
                    "it becomes the quote's `#id` in the page: use letters, digits, `-` and `_`, like `bangladesh-951m`"
                        .into(),
                );
            }
            id.value
        }
        None => format!("a{}", position + 1),
    };
    let quote = d.required_string(&fields, "quote", "the annotation");
    let annotation = Annotation {
        id,
        prefix: fields.get("prefix").and_then(|n| d.string(n, "prefix")),
        suffix: fields.get("suffix").and_then(|n| d.string(n, "suffix")),
        id_span,
        digest: {
            let mut h = FxHasher::default();
            d.file.text.get(node.span.clone()).hash(&mut h);
            h.finish()
        },
        note: d.markdown(&fields, "note"),
        kind: d
            .choice(&fields, "kind", &KINDS)
            .unwrap_or(AnnotationKind::Note),
        confidence: d.choice(&fields, "confidence", &CONFIDENCES),
        credibility: d.integer(&fields, "credibility", 1..=6),
        incidents: d.string_list(&fields, "incidents"),
        entities: d.string_list(&fields, "entities"),
        tlp: d.tlp(&fields),
        tags: d.words(&fields, "tags"),
        techniques: d.techniques(&fields),
        sources: d.sources(&fields),
        quote: quote?,
    };
    Some(annotation)
}

/// The fields of an incident.
const INCIDENT_FIELDS: &[&str] = &[
    "title",
    "date",
    "end",
    "kind",
    "summary",
    "actors",
    "targets",
    "malware",
    "losses",
    "tags",
    "tlp",
    "sources",
    "techniques",
    "relations",
];

pub(crate) fn decode_incident(d: &mut Decoder<'_>, id: &str, node: &Node) -> Option<Incident> {
    let fields = d.fields(node, "an incident", INCIDENT_FIELDS)?;
    let title = d.required_string(&fields, "title", "the incident");
    let date = d
        .required(
            &fields,
            "date",
            "the incident",
            "add `date: YYYY-MM-DD` (or YYYY-MM, or YYYY)",
        )
        .and_then(|n| d.date(n, "date"));
    let end_node = fields.get("end");
    let end = end_node.and_then(|n| d.date(n, "end"));
    if let (Some(date), Some(end), Some(node)) = (date, end, end_node)
        && end.last_day() < date.sort_key()
    {
        d.error(
            node.span.clone(),
            format!("`end` ({end}) is before `date` ({date})"),
        )
        .help
        .push("swap the two dates, or correct the end date".into());
    }
    let incident = Incident {
        id: id.to_string(),
        file: Arc::clone(d.file),
        end,
        kind: d
            .choice(&fields, "kind", &INCIDENT_KINDS)
            .unwrap_or(IncidentKind::Attack),
        summary: d.markdown(&fields, "summary"),
        actors: d.string_list(&fields, "actors"),
        targets: d.string_list(&fields, "targets"),
        malware: d.string_list(&fields, "malware"),
        losses: d.opt_string(&fields, "losses"),
        tags: d.words(&fields, "tags"),
        tlp: d.tlp(&fields),
        sources: d.sources(&fields),
        techniques: d.techniques(&fields),
        relations: d.relations(&fields),
        title: title?.value,
        date: date?,
    };
    Some(incident)
}

/// The fields of an entity.
const ENTITY_FIELDS: &[&str] = &[
    "name",
    "kind",
    "aliases",
    "summary",
    "tags",
    "tlp",
    "sources",
    "techniques",
    "relations",
];

pub(crate) fn decode_entity(d: &mut Decoder<'_>, id: &str, node: &Node) -> Option<Entity> {
    let fields = d.fields(node, "an entity", ENTITY_FIELDS)?;
    let name = d.required_string(&fields, "name", "the entity");
    let kind = d
        .required(
            &fields,
            "kind",
            "the entity",
            "add `kind:` with one of actor, malware, organisation, person, country, other",
        )
        .and_then(|_| d.choice(&fields, "kind", &EntityKind::ALL));
    let names = d.aliases(&fields);
    let entity = Entity {
        id: id.to_string(),
        file: Arc::clone(d.file),
        aliases: names.iter().map(|a| a.name.clone()).collect(),
        names,
        summary: d.markdown(&fields, "summary"),
        tags: d.words(&fields, "tags"),
        tlp: d.tlp(&fields),
        sources: d.sources(&fields),
        techniques: d.techniques(&fields),
        relations: d.relations(&fields),
        name: name?.value,
        kind: kind?,
    };
    Some(entity)
}
