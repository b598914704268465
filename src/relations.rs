//! The analyst's model (SPEC.md 2.5 and 2.8): typed, dated relationships
//! between items, aliases with the names of those who use them, and MITRE
//! ATT&CK techniques checked against the release the binary ships.
//!
//! Everything one file can tell is checked here, as it is decoded: field
//! names, relation types, dates in order, technique ids. Relation targets
//! are checked across files in `graph`.

use std::ops::Range;

use crate::date::PartialDate;
use crate::model::{CONFIDENCES, Confidence, Markdown, Source};
use crate::tlp::Tlp;
use crate::yaml::{Decoder, Fields, Node, Spanned, Value};

/// How an item relates to an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RelationKind {
    Uses,
    Targets,
    AttributedTo,
    PartOf,
    LocatedAt,
    RelatedTo,
}

impl RelationKind {
    pub(crate) const ALL: [(&'static str, RelationKind); 6] = [
        ("uses", RelationKind::Uses),
        ("targets", RelationKind::Targets),
        ("attributed-to", RelationKind::AttributedTo),
        ("part-of", RelationKind::PartOf),
        ("located-at", RelationKind::LocatedAt),
        ("related-to", RelationKind::RelatedTo),
    ];

    /// In words, between its subject and its object: `part of`.
    pub(crate) fn label(self) -> &'static str {
        match self {
            RelationKind::Uses => "uses",
            RelationKind::Targets => "targets",
            RelationKind::AttributedTo => "attributed to",
            RelationKind::PartOf => "part of",
            RelationKind::LocatedAt => "located at",
            RelationKind::RelatedTo => "related to",
        }
    }

    /// As written in YAML: `part-of`.
    pub(crate) fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("related-to", |(n, _)| n)
    }
}

/// A relationship from an entity or incident to an entity.
#[derive(Debug, Clone)]
#[allow(dead_code)] // `span` is for the exports' diagnostics.
pub(crate) struct Relation {
    pub(crate) kind: RelationKind,
    pub(crate) target: Spanned<String>,
    pub(crate) first_seen: Option<PartialDate>,
    pub(crate) last_seen: Option<PartialDate>,
    pub(crate) confidence: Option<Confidence>,
    pub(crate) note: Option<Markdown>,
    pub(crate) sources: Vec<Source>,
    /// Its own level; the effective one is the strictest of its own, its
    /// item's and its target's.
    pub(crate) tlp: Tlp,
    /// Where the relation is written.
    pub(crate) span: Range<usize>,
}

/// A name of an entity, and who uses it.
#[derive(Debug, Clone)]
pub(crate) struct Alias {
    pub(crate) name: String,
    /// The vendor, government or group that uses the name.
    pub(crate) by: Option<String>,
    pub(crate) note: Option<Markdown>,
    pub(crate) sources: Vec<Source>,
}

/// An ATT&CK technique as written: its canonical id once checked.
pub(crate) type TechniqueId = Spanned<String>;

const RELATION_FIELDS: &[&str] = &[
    "type",
    "target",
    "first_seen",
    "last_seen",
    "confidence",
    "note",
    "sources",
    "tlp",
];

const ALIAS_FIELDS: &[&str] = &["name", "by", "note", "sources"];

impl Decoder<'_> {
    /// The `relations:` list of an entity or incident.
    pub(crate) fn relations(&mut self, fields: &Fields<'_>) -> Vec<Relation> {
        self.list(fields, "relations")
            .iter()
            .filter_map(|node| self.relation(node))
            .collect()
    }

    fn relation(&mut self, node: &Node) -> Option<Relation> {
        let fields = self.fields(node, "a relation", RELATION_FIELDS)?;
        let how =
            "add `type:` with one of uses, targets, attributed-to, part-of, located-at, related-to";
        let kind = self
            .required(&fields, "type", "the relation", how)
            .and_then(|_| self.choice(&fields, "type", &RelationKind::ALL));
        let target = self.required_string(&fields, "target", "the relation");
        let first = fields.get("first_seen");
        let last = fields.get("last_seen");
        let first_seen = first.and_then(|n| self.seen_date(n, "first_seen"));
        let last_seen = last.and_then(|n| self.seen_date(n, "last_seen"));
        if let (Some(from), Some(to), Some(node)) = (first_seen, last_seen, last)
            && to.last_day() < from.sort_key()
        {
            self.error(
                node.span.clone(),
                format!("`last_seen` ({to}) is before `first_seen` ({from})"),
            )
            .help
            .push("swap the two dates, or correct one of them".into());
        }
        let relation = Relation {
            first_seen,
            last_seen,
            confidence: self.choice(&fields, "confidence", &CONFIDENCES),
            note: self.markdown(&fields, "note"),
            sources: self.sources(&fields),
            tlp: self.choice(&fields, "tlp", &Tlp::NAMES).unwrap_or_default(),
            span: node.span.clone(),
            kind: kind?,
            target: Spanned {
                value: target.as_ref()?.value.trim().to_string(),
                span: target?.span,
            },
        };
        Some(relation)
    }

    fn seen_date(&mut self, node: &Node, name: &str) -> Option<PartialDate> {
        let text = self.string(node, name)?;
        match PartialDate::parse(&text.value) {
            Ok(date) => Some(date),
            Err(message) => {
                self.error(node.span.clone(), message);
                None
            }
        }
    }

    /// The `aliases:` list: plain names, or maps naming who uses each.
    pub(crate) fn aliases(&mut self, fields: &Fields<'_>) -> Vec<Alias> {
        self.list(fields, "aliases")
            .iter()
            .filter_map(|node| self.alias(node))
            .collect()
    }

    fn alias(&mut self, node: &Node) -> Option<Alias> {
        if let Value::Scalar { text, .. } = &node.value {
            return Some(Alias {
                name: text.trim().to_string(),
                by: None,
                note: None,
                sources: Vec::new(),
            });
        }
        let fields = self.fields(node, "an alias", ALIAS_FIELDS)?;
        let name = self.required_string(&fields, "name", "the alias")?;
        Some(Alias {
            name: name.value.trim().to_string(),
            by: fields
                .get("by")
                .and_then(|n| self.string(n, "by"))
                .map(|s| s.value.trim().to_string()),
            note: self.markdown(&fields, "note"),
            sources: self.sources(&fields),
        })
    }

    /// The `techniques:` list: ATT&CK Enterprise ids, each checked against
    /// the release the binary ships.
    pub(crate) fn techniques(&mut self, fields: &Fields<'_>) -> Vec<TechniqueId> {
        let mut out = Vec::new();
        for id in self.string_list(fields, "techniques") {
            match crate::attack::lookup(&id.value) {
                Ok(technique) => out.push(Spanned {
                    value: technique.id.to_string(),
                    span: id.span,
                }),
                Err(error) => {
                    let (message, help) = error.message();
                    self.error(id.span, message).help.extend(help);
                }
            }
        }
        out
    }

    /// The items of a list field; one value is a list of one.
    fn list<'n>(&mut self, fields: &Fields<'n>, name: &str) -> Vec<&'n Node> {
        match fields.get(name) {
            None => Vec::new(),
            Some(node) => match &node.value {
                Value::Seq(items) => items.iter().collect(),
                _ => vec![node],
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceFile;

    fn decode(yaml: &str) -> (Vec<Relation>, Vec<Alias>, Vec<TechniqueId>, Vec<String>) {
        let file = SourceFile::new("x.yaml", yaml);
        let node = crate::yaml::parse(&file, 0, &file.text).unwrap();
        let mut d = Decoder::new(&file);
        let fields = d
            .fields(&node, "x", &["relations", "aliases", "techniques"])
            .unwrap();
        let relations = d.relations(&fields);
        let aliases = d.aliases(&fields);
        let techniques = d.techniques(&fields);
        let errors = d.errors.iter().map(|e| e.render(false)).collect();
        (relations, aliases, techniques, errors)
    }

    #[test]
    fn relations_are_typed_dated_and_graded() {
        let (relations, _, _, errors) = decode(
            "relations:\n  - type: part-of\n    target: rgb\n    first_seen: 2014\n    last_seen: 2019-08\n    confidence: moderate\n    note: Named in the 2019 designation.\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let r = &relations[0];
        assert_eq!(
            (r.kind, r.target.value.as_str()),
            (RelationKind::PartOf, "rgb")
        );
        assert_eq!(r.kind.name(), "part-of");
        assert_eq!(r.confidence, Some(Confidence::Moderate));
        assert!(r.first_seen.is_some() && r.last_seen.is_some() && r.note.is_some());
    }

    #[test]
    fn bad_relations_say_what_to_write() {
        let (_, _, _, errors) = decode(
            "relations:\n  - type: part_of\n    target: rgb\n  - type: uses\n    target: x\n    first_seen: 2019\n    last_seen: 2014\n  - target: y\n",
        );
        let all = errors.join("\n");
        assert!(all.contains("unknown type `part_of`"), "{all}");
        assert!(all.contains("did you mean `part-of`?"), "{all}");
        assert!(
            all.contains("`last_seen` (2014) is before `first_seen` (2019)"),
            "{all}"
        );
        assert!(all.contains("the relation has no `type`"), "{all}");
    }

    #[test]
    fn aliases_are_names_or_maps_with_their_users() {
        let (_, aliases, _, errors) = decode(
            "aliases:\n  - Hidden Cobra\n  - { name: APT38, by: FireEye, note: \"The finance-focused cluster.\" }\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(aliases[0].name, "Hidden Cobra");
        assert_eq!(aliases[1].by.as_deref(), Some("FireEye"));
        assert!(aliases[1].note.is_some());
    }

    #[test]
    fn techniques_are_checked_against_attack() {
        let (_, _, techniques, errors) = decode("techniques: [T1486, t1566.001, T1468, T1064]\n");
        assert_eq!(
            techniques
                .iter()
                .map(|t| t.value.as_str())
                .collect::<Vec<_>>(),
            ["T1486", "T1566.001"]
        );
        let all = errors.join("\n");
        assert!(all.contains("unknown ATT&CK technique `T1468`"), "{all}");
        assert!(all.contains("`T1486` (Data Encrypted for Impact)"), "{all}");
        assert!(all.contains("T1064") && all.contains("deprecated"), "{all}");
        assert!(
            all.contains("x.yaml:1:"),
            "errors name file and position: {all}"
        );
    }
}
