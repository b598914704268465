//! YAML loading: every YAML file of a dossier goes through here.
//!
//! We parse with `saphyr-parser` into a small tree whose every node keeps its
//! byte span, then decode that tree into our types by hand (see [`Decoder`]).
//! Going through serde would stop at the first error of a file and lose the
//! position of values (an unknown id inside a list); decoding the spanned
//! tree reports every problem of a file with its exact line and column.

use std::ops::Range;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::diagnostic::{Diagnostic, SourceFile, did_you_mean};

/// A YAML value with the byte range it occupies in its file.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) span: Range<usize>,
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    /// Scalars keep their text; whether `2014` is a year or a title is up
    /// to the field that reads it.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// A plain `~`, `null` or empty scalar: "no value".
    pub(crate) fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true, .. }
            if text.is_empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    }

    pub(crate) fn describe(&self) -> &'static str {
        match &self.value {
            _ if self.is_null() => "nothing",
            Value::Scalar { .. } => "a single value",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Parses one YAML document that starts at byte `base` of `file`.
pub(crate) fn parse(file: &Arc<SourceFile>, base: usize, text: &str) -> Result<Node, Diagnostic> {
    let offsets = CharOffsets::new(text);
    let mut builder = TreeBuilder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let at = base + offsets.byte(e.marker().index());
            Diagnostic::at(file, at..at, format!("invalid YAML: {}", e.info()))
                .help("check the indentation and quoting around this position")
        })?;
        let span = base + offsets.byte(span.start.index())..base + offsets.byte(span.end.index());
        if let Some(err) = builder.event(event, span) {
            return Err(Diagnostic::at(file, base..base, err));
        }
    }
    // An empty document is a null value; the caller says what was expected.
    Ok(builder.root.unwrap_or(Node {
        value: Value::Scalar {
            text: String::new(),
            plain: true,
        },
        span: base..base,
    }))
}

/// saphyr reports positions in chars; we work in bytes.
struct CharOffsets(Option<Vec<usize>>);

impl CharOffsets {
    fn new(text: &str) -> Self {
        if text.is_ascii() {
            return CharOffsets(None);
        }
        let mut table: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        table.push(text.len());
        CharOffsets(Some(table))
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.0 {
            None => char_index,
            Some(table) => table[char_index.min(table.len() - 1)],
        }
    }
}

#[derive(Default)]
struct TreeBuilder {
    stack: Vec<(Node, Option<Node>)>,
    anchors: Vec<(usize, Node)>,
    open_anchors: Vec<usize>,
    root: Option<Node>,
    documents: usize,
}

impl TreeBuilder {
    fn event(&mut self, event: Event<'_>, span: Range<usize>) -> Option<String> {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Some("this file holds several YAML documents; keep one".into());
                }
            }
            Event::Scalar(text, style, anchor, _) => {
                let plain = style == ScalarStyle::Plain;
                let node = Node {
                    value: Value::Scalar {
                        text: text.into_owned(),
                        plain,
                    },
                    span,
                };
                self.remember(anchor, &node);
                self.push(node);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let value = if matches!(event, Event::SequenceStart(..)) {
                    Value::Seq(Vec::new())
                } else {
                    Value::Map(Vec::new())
                };
                self.open_anchors.push(anchor);
                self.stack.push((Node { value, span }, None));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (mut node, _) = self.stack.pop()?;
                node.span.end = node.span.end.max(span.end);
                let anchor = self.open_anchors.pop().unwrap_or(0);
                self.remember(anchor, &node);
                self.push(node);
            }
            Event::Alias(id) => {
                let node = self.anchors.iter().rev().find(|(a, _)| *a == id)?.1.clone();
                self.push(node);
            }
            _ => {}
        }
        None
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
    }

    fn push(&mut self, node: Node) {
        let Some((parent, pending_key)) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        parent.span.end = parent.span.end.max(node.span.end);
        match &mut parent.value {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push((key, node)),
            },
            Value::Scalar { .. } => {}
        }
    }
}

/// A value with the byte span it came from, for errors found later
/// (an unknown id, a duplicate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    pub(crate) span: Range<usize>,
}

/// Turns nodes into typed values, collecting every problem it meets.
pub(crate) struct Decoder<'a> {
    pub(crate) file: &'a Arc<SourceFile>,
    pub(crate) errors: Vec<Diagnostic>,
}

/// The fields of one YAML mapping, checked against the names a type knows.
pub(crate) struct Fields<'n> {
    entries: &'n [(Node, Node)],
    pub(crate) span: Range<usize>,
}

impl<'n> Fields<'n> {
    pub(crate) fn get(&self, name: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| matches!(&k.value, Value::Scalar { text, .. } if text == name))
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    /// Where to point for a missing field: the start of the mapping.
    pub(crate) fn start(&self) -> Range<usize> {
        self.span.start..self.span.start
    }
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(file: &'a Arc<SourceFile>) -> Self {
        Decoder {
            file,
            errors: Vec::new(),
        }
    }

    pub(crate) fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.errors.push(Diagnostic::at(self.file, span, message));
        let last = self.errors.len() - 1;
        &mut self.errors[last]
    }

    /// Checks `node` is a mapping whose keys are all in `known`; reports
    /// unknown and repeated keys with a suggestion.
    pub(crate) fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> Option<Fields<'n>> {
        let Value::Map(entries) = &node.value else {
            let found = node.describe();
            let e = self.error(
                node.span.clone(),
                format!("expected {what} as a mapping of fields, found {found}"),
            );
            e.help.push(format!(
                "write it as `field: value` lines; the fields are {}",
                known.join(", ")
            ));
            return None;
        };
        for (i, (key, _)) in entries.iter().enumerate() {
            let Value::Scalar { text: name, .. } = &key.value else {
                self.error(key.span.clone(), "a field name must be a plain word");
                continue;
            };
            if !known.contains(&name.as_str()) {
                let suggestion = did_you_mean(name, known.iter().copied());
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the fields of {what} are: {}", known.join(", ")),
                };
                let message = match suggestion {
                    Some(s) => format!("unknown field `{name}` in {what}, did you mean `{s}`?"),
                    None => format!("unknown field `{name}` in {what}"),
                };
                self.error(key.span.clone(), message).help.push(help);
            } else if entries[..i]
                .iter()
                .any(|(k, _)| matches!(&k.value, Value::Scalar { text, .. } if text == name))
            {
                self.error(key.span.clone(), format!("field `{name}` appears twice"))
                    .help
                    .push("keep one of them".into());
            }
        }
        Some(Fields {
            entries,
            span: node.span.clone(),
        })
    }

    /// A scalar read as text (`title: 2019` is the string "2019").
    pub(crate) fn string(&mut self, node: &Node, field: &str) -> Option<Spanned<String>> {
        match &node.value {
            Value::Scalar { text, .. } => Some(Spanned {
                value: text.clone(),
                span: node.span.clone(),
            }),
            _ => {
                let found = node.describe();
                self.error(
                    node.span.clone(),
                    format!("`{field}` must be text, found {found}"),
                )
                .help
                .push(format!("write `{field}: \"...\"`"));
                None
            }
        }
    }

    pub(crate) fn opt_string(&mut self, fields: &Fields<'_>, name: &str) -> Option<String> {
        fields
            .get(name)
            .and_then(|n| self.string(n, name))
            .map(|s| s.value)
    }

    /// The node of a required field, or an error on the mapping that lacks
    /// it (`the incident has no `date``) with `how` as the help.
    pub(crate) fn required<'n>(
        &mut self,
        fields: &Fields<'n>,
        name: &str,
        what: &str,
        how: &str,
    ) -> Option<&'n Node> {
        let node = fields.get(name);
        if node.is_none() {
            self.error(fields.start(), format!("{what} has no `{name}`"))
                .help
                .push(how.to_string());
        }
        node
    }

    /// A required text field, not empty.
    pub(crate) fn required_string(
        &mut self,
        fields: &Fields<'_>,
        name: &str,
        what: &str,
    ) -> Option<Spanned<String>> {
        let node = self.required(fields, name, what, &format!("add a `{name}:` field"))?;
        let s = self.string(node, name)?;
        if s.value.trim().is_empty() {
            self.error(node.span.clone(), format!("`{name}` of {what} is empty"));
            return None;
        }
        Some(s)
    }

    /// A list of text values; a single value is accepted as a list of one.
    pub(crate) fn string_list(&mut self, fields: &Fields<'_>, name: &str) -> Vec<Spanned<String>> {
        let Some(node) = fields.get(name) else {
            return Vec::new();
        };
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|item| self.string(item, name))
                .collect(),
            Value::Scalar { .. } => self.string(node, name).into_iter().collect(),
            Value::Map(_) => {
                self.error(
                    node.span.clone(),
                    format!("`{name}` must be a list, found a mapping"),
                )
                .help
                .push(format!("write `{name}: [first, second]`"));
                Vec::new()
            }
        }
    }

    /// One of a fixed set of words, with a suggestion for a typo.
    pub(crate) fn choice<T: Copy>(
        &mut self,
        fields: &Fields<'_>,
        name: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        let node = fields.get(name)?;
        let text = self.string(node, name)?;
        let word = text.value.trim();
        if let Some((_, value)) = options.iter().find(|(n, _)| n.eq_ignore_ascii_case(word)) {
            return Some(*value);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let suggestion = did_you_mean(&word.to_ascii_lowercase(), names.iter().copied());
        let e = self.error(node.span.clone(), format!("unknown {name} `{word}`"));
        e.help.push(match suggestion {
            Some(s) => format!(
                "did you mean `{s}`? ({name} is one of: {})",
                names.join(", ")
            ),
            None => format!("{name} is one of: {}", names.join(", ")),
        });
        None
    }

    pub(crate) fn bool(&mut self, fields: &Fields<'_>, name: &str) -> Option<bool> {
        let node = fields.get(name)?;
        match &node.value {
            Value::Scalar { text, .. } if text == "true" || text == "false" => Some(text == "true"),
            _ => {
                self.error(
                    node.span.clone(),
                    format!("`{name}` must be `true` or `false`"),
                );
                None
            }
        }
    }

    /// An integer within `range`.
    /// A whole number within `range`.
    pub(crate) fn integer<T>(
        &mut self,
        fields: &Fields<'_>,
        name: &str,
        range: std::ops::RangeInclusive<T>,
    ) -> Option<T>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display,
    {
        let node = fields.get(name)?;
        let parsed = match &node.value {
            Value::Scalar { text, .. } => text.trim().parse::<T>().ok(),
            _ => None,
        };
        match parsed {
            Some(n) if range.contains(&n) => Some(n),
            _ => {
                self.error(
                    node.span.clone(),
                    format!(
                        "`{name}` must be a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                );
                None
            }
        }
    }
}

/// The byte offset inside a scalar's source where `needle` is written, for
/// errors about something inside a Markdown note (a bad `@id` link).
pub(crate) fn find_in_span(file: &SourceFile, span: &Range<usize>, needle: &str) -> Option<usize> {
    let end = span.end.min(file.text.len());
    let start = span.start.min(end);
    file.text.get(start..end)?.find(needle).map(|i| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> (Arc<SourceFile>, Result<Node, Diagnostic>) {
        let file = SourceFile::new("t.yaml", text);
        let node = parse(&file, 0, &file.text.clone());
        (file, node)
    }

    #[test]
    fn spans_point_at_values() {
        let (file, node) = parse_str("title: Sony\ntags: [a, “b”]\n");
        let node = node.unwrap();
        let Value::Map(entries) = &node.value else {
            panic!()
        };
        let Value::Seq(tags) = &entries[1].1.value else {
            panic!()
        };
        assert_eq!(file.line_col(tags[1].span.start), (2, 11));
        assert_eq!(&file.text[entries[0].1.span.clone()], "Sony");
    }

    #[test]
    fn unknown_field_suggests_the_closest() {
        let (file, node) = parse_str("incident: [a]\n");
        let mut d = Decoder::new(&file);
        d.fields(&node.unwrap(), "an annotation", &["incidents", "entities"]);
        assert_eq!(d.errors.len(), 1);
        assert_eq!(
            d.errors[0].message,
            "unknown field `incident` in an annotation, did you mean `incidents`?"
        );
        assert_eq!(d.errors[0].location().unwrap(), "t.yaml:1:1");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let (_, node) = parse_str("title: [a\nb: c\n");
        let err = node.unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        assert!(err.location().unwrap().starts_with("t.yaml:"));
    }

    #[test]
    fn aliases_resolve() {
        let (_, node) = parse_str("a: &x [1, 2]\nb: *x\n");
        let Value::Map(entries) = &node.unwrap().value else {
            panic!()
        };
        assert!(matches!(&entries[1].1.value, Value::Seq(items) if items.len() == 2));
    }
}
