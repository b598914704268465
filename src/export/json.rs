//! `/dossier.json`: the whole published dossier as one document, for other
//! tools. Its shape is a contract (`docs/dossier.schema.json`, `"version"`).
//!
//! Keys come out in the order of the struct fields below, not of a map, so
//! the order is fixed whatever features of `serde_json` other crates turn
//! on; arrays are in id order (annotations in file order, backlinks in the
//! order of their articles). Nothing depends on the clock, so two builds of
//! the same files give the same bytes and diffs between builds are readable.
//!
//! Only published items appear. A reference to a withheld item keeps its
//! place as `{"withheld": true}`, the way pages show it as plain text, so its
//! id never appears. Markdown goes out rendered (HTML), never as source: the
//! source of a note could name a withheld id in an `[text](@id)` link.

use serde::Serialize;

use crate::date::PartialDate;
use crate::graph::{Dossier, ItemRef};
use crate::model::{AnnotationKind, Confidence, EntityKind, IncidentKind, Source};
use crate::prepare::Prepared;
use crate::publish::{AnnotationRef, Published, Reference};
use crate::relations::TechniqueId;
use crate::yaml::Spanned;

/// Bumped on any change that could break a consumer (a removed or renamed
/// key, a changed meaning); added keys keep the version.
const VERSION: u32 = 1;

pub(crate) fn render(view: &Published<'_>, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    super::write_json(out, &Export::new(view).document())
}

#[derive(Serialize)]
struct Document<'e, 'v, 'a> {
    version: u32,
    generator: &'static str,
    config: Config<'a>,
    publish: Publish,
    articles: Articles<'e, 'v, 'a>,
    incidents: Vec<Incident<'a>>,
    entities: Vec<Entity<'a>>,
}

#[derive(Serialize)]
struct Config<'a> {
    title: &'a str,
    description: Option<&'a str>,
    base_url: &'a str,
    base_path: &'a str,
    language: &'a str,
}

#[derive(Serialize)]
struct Publish {
    tlp: &'static str,
    drafts: bool,
}

#[derive(Serialize)]
struct Article<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    published: String,
    source: Option<&'a str>,
    source_url: Option<&'a str>,
    author: Option<&'a str>,
    reliability: Option<String>,
    tags: &'a [String],
    summary: Option<&'a str>,
    draft: bool,
    tlp: &'static str,
    text: String,
    body_html: String,
    annotations: Vec<Annotation<'a>>,
}

/// The articles, each made as it is written: with every body in it the
/// document is hundreds of megabytes on a large dossier, and it is never
/// whole in memory.
struct Articles<'e, 'v, 'a>(&'e Export<'v, 'a>);

impl Serialize for Articles<'_, '_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let export = self.0;
        serializer.collect_seq(export.view.articles().iter().map(|&i| export.article(i)))
    }
}

#[derive(Serialize)]
struct Annotation<'a> {
    id: &'a str,
    url: String,
    kind: AnnotationKind,
    quote: &'a str,
    prefix: Option<&'a str>,
    suffix: Option<&'a str>,
    anchor: Anchor,
    note_html: Option<&'a str>,
    confidence: Option<Confidence>,
    credibility: Option<u8>,
    tlp: &'static str,
    incidents: Vec<Ref<'a>>,
    entities: Vec<Ref<'a>>,
    sources: Vec<SourceOut<'a>>,
    techniques: Vec<TechniqueOut>,
}

/// An ATT&CK technique, from the release the binary ships.
#[derive(Serialize)]
struct TechniqueOut {
    id: &'static str,
    /// As ATT&CK shows it: a sub-technique's with its parent's.
    name: String,
    tactics: Vec<TacticOut>,
    url: &'static str,
}

#[derive(Serialize)]
struct TacticOut {
    id: &'static str,
    shortname: &'static str,
    name: &'static str,
}

/// A published relation written on an incident or entity.
#[derive(Serialize)]
struct RelationOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    target: Ref<'a>,
    first_seen: Option<String>,
    last_seen: Option<String>,
    confidence: Option<Confidence>,
    note_html: Option<&'a str>,
    sources: Vec<SourceOut<'a>>,
    tlp: &'static str,
}

/// A name of an entity, and who uses it.
#[derive(Serialize)]
struct NameOut<'a> {
    name: &'a str,
    by: Option<&'a str>,
    note_html: Option<&'a str>,
    sources: Vec<SourceOut<'a>>,
}

/// Where a quote sits in its article's `text`, in characters (Unicode
/// scalar values), end exclusive; `exact` is that slice of `text`.
#[derive(Serialize)]
struct Anchor {
    start: usize,
    end: usize,
    exact: String,
}

/// A reference to another item: enough to find it, or that it is withheld.
#[derive(Serialize)]
#[serde(untagged)]
enum Ref<'a> {
    Item {
        id: &'a str,
        #[serde(rename = "type")]
        kind: &'static str,
        url: String,
    },
    Withheld {
        withheld: bool,
    },
}

/// An annotation seen from an incident or entity that it names.
#[derive(Serialize)]
struct Backlink<'a> {
    article: &'a str,
    annotation: &'a str,
    url: String,
}

#[derive(Serialize)]
struct SourceOut<'a> {
    title: Option<&'a str>,
    url: Option<&'a str>,
    archived: Option<&'a str>,
    publisher: Option<&'a str>,
    date: Option<String>,
    reliability: Option<String>,
}

#[derive(Serialize)]
struct Incident<'a> {
    id: &'a str,
    url: String,
    title: &'a str,
    date: String,
    end: Option<String>,
    kind: IncidentKind,
    summary_html: Option<&'a str>,
    actors: Vec<Ref<'a>>,
    targets: Vec<Ref<'a>>,
    malware: Vec<Ref<'a>>,
    losses: Option<&'a str>,
    tags: &'a [String],
    tlp: &'static str,
    sources: Vec<SourceOut<'a>>,
    annotations: Vec<Backlink<'a>>,
    techniques: Vec<TechniqueOut>,
    relations: Vec<RelationOut<'a>>,
}

#[derive(Serialize)]
struct Entity<'a> {
    id: &'a str,
    url: String,
    name: &'a str,
    kind: EntityKind,
    aliases: &'a [String],
    names: Vec<NameOut<'a>>,
    summary_html: Option<&'a str>,
    tlp: &'static str,
    sources: Vec<SourceOut<'a>>,
    annotations: Vec<Backlink<'a>>,
    incidents: Vec<Ref<'a>>,
    articles: Vec<Ref<'a>>,
    techniques: Vec<TechniqueOut>,
    relations: Vec<RelationOut<'a>>,
}

struct Export<'v, 'a> {
    view: &'v Published<'a>,
    d: &'a Dossier,
    p: &'a Prepared,
}

impl<'v, 'a> Export<'v, 'a> {
    fn new(view: &'v Published<'a>) -> Self {
        Export {
            view,
            d: view.dossier,
            p: view.prepared,
        }
    }

    fn document(&self) -> Document<'_, 'v, 'a> {
        let d = self.d;
        let c = &d.config;
        Document {
            version: VERSION,
            generator: concat!("dossier ", env!("CARGO_PKG_VERSION")),
            config: Config {
                title: &c.title,
                description: c.description.as_deref(),
                base_url: &d.base.permalink,
                base_path: &d.base.path,
                language: &c.language,
            },
            publish: Publish {
                tlp: self.view.rule().tlp.name(),
                drafts: self.view.rule().drafts,
            },
            articles: Articles(self),
            incidents: self
                .view
                .incidents()
                .iter()
                .map(|&i| self.incident(i))
                .collect(),
            entities: self
                .view
                .entities()
                .iter()
                .map(|&i| self.entity(i))
                .collect(),
        }
    }

    fn article(&self, ai: usize) -> Article<'a> {
        let a = &*self.d.articles[ai];
        let out = &*self.p.articles[ai];
        let url = self.d.url(ItemRef::Article(ai));
        let published = self.view.annotations(ai);
        let bytes: Vec<usize> = published
            .iter()
            .filter_map(|&ni| out.anchors[ni].clone())
            .flat_map(|r| [r.start, r.end])
            .collect();
        let text = out.text();
        let chars = CharOffsets::new(&text, bytes);
        let annotations = published
            .iter()
            .map(|&ni| {
                let n = &a.annotations[ni];
                let range = out.anchors[ni].clone().unwrap_or_default();
                Annotation {
                    id: &n.id,
                    url: format!("{url}#{}", n.id),
                    kind: n.kind,
                    quote: &n.quote.value,
                    prefix: n.prefix.as_ref().map(|s| s.value.as_str()),
                    suffix: n.suffix.as_ref().map(|s| s.value.as_str()),
                    anchor: Anchor {
                        start: chars.get(range.start),
                        end: chars.get(range.end),
                        exact: text[range].to_owned(),
                    },
                    note_html: n.note.as_ref().map(|_| out.notes[ni].as_str()),
                    confidence: n.confidence,
                    credibility: n.credibility,
                    tlp: self.view.annotation_tlp(ai, ni).name(),
                    incidents: self.refs(&n.incidents),
                    entities: self.refs(&n.entities),
                    sources: sources(&n.sources),
                    techniques: techniques(&n.techniques),
                }
            })
            .collect();
        Article {
            id: &a.id,
            title: &a.title,
            published: a.published.iso(),
            source: a.source.as_deref(),
            source_url: a.url.as_deref(),
            author: a.author.as_deref(),
            reliability: a.reliability.map(String::from),
            tags: &a.tags,
            summary: a.summary.as_deref(),
            draft: self.view.is_draft(ai),
            tlp: a.tlp.name(),
            body_html: out.html(),
            text,
            annotations,
            url,
        }
    }

    fn incident(&self, ii: usize) -> Incident<'a> {
        let x = &self.d.incidents[ii];
        Incident {
            id: &x.id,
            url: self.d.url(ItemRef::Incident(ii)),
            title: &x.title,
            date: x.date.iso(),
            end: x.end.as_ref().map(PartialDate::iso),
            kind: x.kind,
            summary_html: x.summary.as_ref().map(|_| &*self.p.incident_summaries[ii]),
            actors: self.refs(&x.actors),
            targets: self.refs(&x.targets),
            malware: self.refs(&x.malware),
            losses: x.losses.as_deref(),
            tags: &x.tags,
            tlp: x.tlp.name(),
            sources: sources(&x.sources),
            annotations: self.backlinks(&self.view.backlinks().incident_annotations[ii]),
            techniques: techniques(&x.techniques),
            relations: self.relations(ItemRef::Incident(ii)),
        }
    }

    /// The published relations written on `item`, in the order written; a
    /// relation to a withheld entity, or above the level, is left out.
    fn relations(&self, item: ItemRef) -> Vec<RelationOut<'a>> {
        self.view
            .all_relations()
            .iter()
            .filter(|edge| edge.from == item)
            .filter_map(|edge| {
                let (r, key) = self.view.relation(edge)?;
                Some(RelationOut {
                    kind: r.kind.name(),
                    target: self.item(ItemRef::Entity(edge.to)),
                    first_seen: r.first_seen.as_ref().map(PartialDate::iso),
                    last_seen: r.last_seen.as_ref().map(PartialDate::iso),
                    confidence: r.confidence,
                    note_html: r
                        .note
                        .as_ref()
                        .map(|_| self.p.relation_note(&key, edge.index)),
                    sources: sources(&r.sources),
                    tlp: edge.tlp.name(),
                })
            })
            .collect()
    }

    fn entity(&self, ei: usize) -> Entity<'a> {
        let x = &self.d.entities[ei];
        let b = self.view.backlinks();
        Entity {
            id: &x.id,
            url: self.d.url(ItemRef::Entity(ei)),
            name: &x.name,
            kind: x.kind,
            aliases: &x.aliases,
            names: x
                .names
                .iter()
                .enumerate()
                .map(|(k, a)| NameOut {
                    name: &a.name,
                    by: a.by.as_deref(),
                    note_html: a.note.as_ref().map(|_| self.p.alias_note(&x.id, k)),
                    sources: sources(&a.sources),
                })
                .collect(),
            summary_html: x.summary.as_ref().map(|_| &*self.p.entity_summaries[ei]),
            tlp: x.tlp.name(),
            sources: sources(&x.sources),
            annotations: self.backlinks(&b.entity_annotations[ei]),
            incidents: b.entity_incidents[ei]
                .iter()
                .map(|&i| self.item(ItemRef::Incident(i)))
                .collect(),
            articles: b.entity_articles[ei]
                .iter()
                .map(|&i| self.item(ItemRef::Article(i)))
                .collect(),
            techniques: techniques(&x.techniques),
            relations: self.relations(ItemRef::Entity(ei)),
        }
    }

    fn item(&self, item: ItemRef) -> Ref<'a> {
        let id = match item {
            ItemRef::Article(i) => &self.d.articles[i].id,
            ItemRef::Incident(i) => &self.d.incidents[i].id,
            ItemRef::Entity(i) => &self.d.entities[i].id,
        };
        Ref::Item {
            id,
            kind: item.type_name(),
            url: self.d.url(item),
        }
    }

    fn refs(&self, ids: &[Spanned<String>]) -> Vec<Ref<'a>> {
        ids.iter()
            .map(|id| match self.view.reference(&id.value) {
                Reference::Item(item) => self.item(item),
                Reference::Withheld => Ref::Withheld { withheld: true },
            })
            .collect()
    }

    /// Backlinks list published annotations that anchored, as the pages do.
    fn backlinks(&self, list: &[AnnotationRef]) -> Vec<Backlink<'a>> {
        list.iter()
            .map(|&(ai, ni)| {
                let id = &self.d.articles[ai].annotations[ni].id;
                Backlink {
                    article: &self.d.articles[ai].id,
                    annotation: id,
                    url: format!("{}#{id}", self.d.url(ItemRef::Article(ai))),
                }
            })
            .collect()
    }
}

fn sources(list: &[Source]) -> Vec<SourceOut<'_>> {
    list.iter()
        .map(|s| SourceOut {
            title: s.title.as_deref(),
            url: s.url.as_deref(),
            archived: s.archived.as_deref(),
            publisher: s.publisher.as_deref(),
            date: s.date.as_ref().map(PartialDate::iso),
            reliability: s.reliability.map(String::from),
        })
        .collect()
}

/// Techniques as written (canonical ids, checked when read).
fn techniques(ids: &[TechniqueId]) -> Vec<TechniqueOut> {
    ids.iter()
        .filter_map(|id| crate::attack::lookup(&id.value).ok())
        .map(|t| TechniqueOut {
            id: t.id,
            name: t.full_name(),
            tactics: t
                .tactics
                .iter()
                .map(|x| TacticOut {
                    id: x.id,
                    shortname: x.shortname,
                    name: x.name,
                })
                .collect(),
            url: t.url,
        })
        .collect()
}

/// Byte offsets of one text turned into character offsets, in one pass
/// over the text whatever the number of offsets asked for.
struct CharOffsets {
    /// (byte offset, character offset), sorted by byte offset.
    map: Vec<(usize, usize)>,
}

impl CharOffsets {
    fn new(text: &str, mut bytes: Vec<usize>) -> Self {
        bytes.sort_unstable();
        bytes.dedup();
        let mut map = Vec::with_capacity(bytes.len());
        let mut wanted = bytes.into_iter().peekable();
        for (chars, (at, _)) in text.char_indices().chain([(text.len(), ' ')]).enumerate() {
            while let Some(&b) = wanted.peek() {
                if b > at {
                    break;
                }
                // Offsets come from anchoring and sit on char boundaries.
                map.push((b, chars));
                wanted.next();
            }
        }
        CharOffsets { map }
    }

    fn get(&self, byte: usize) -> usize {
        match self.map.binary_search_by_key(&byte, |&(b, _)| b) {
            Ok(i) => self.map[i].1,
            Err(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CharOffsets;

    #[test]
    fn byte_offsets_become_character_offsets() {
        let text = "é “quoted” x";
        let quote_start = text.find('q').unwrap();
        let quote_end = text.find(" x").unwrap();
        let chars = CharOffsets::new(text, vec![quote_end, 0, quote_start, text.len()]);
        assert_eq!(chars.get(0), 0);
        assert_eq!(chars.get(quote_start), 3);
        assert_eq!(chars.get(quote_end), 10);
        assert_eq!(chars.get(text.len()), text.chars().count());
    }
}
