//! Content diagnostics: errors a user can cause and fix in their files.
//!
//! A diagnostic points at a byte span of one source file. They are collected
//! across the whole dossier and printed together, in the style of rustc and
//! `just` (path:line:col, the source line, a caret, then help lines), so one
//! run shows every problem instead of the first.

use std::fmt;
use std::hash::{Hash as _, Hasher as _};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// One file of the dossier as read from disk, kept for error reporting.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// Path relative to the dossier root, as shown to the user.
    pub(crate) path: PathBuf,
    pub(crate) text: String,
    /// A hash of the path and the text: caches and page signatures tell
    /// versions of a file apart by it, within one run (`serve`) and across
    /// builds (`.dossier-cache/site.json`), without keeping the text.
    pub(crate) digest: u64,
}

impl SourceFile {
    pub(crate) fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Self> {
        let (path, text) = (path.into(), text.into());
        let mut h = rustc_hash::FxHasher::default();
        (&path, &text).hash(&mut h);
        Arc::new(SourceFile {
            digest: h.finish(),
            path,
            text,
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }
}

pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A problem in the user's content, with where it is and how to fix it.
#[derive(Debug, Clone)]
pub(crate) struct Diagnostic {
    pub(crate) message: String,
    /// The file the problem is in, when it is in a file.
    pub(crate) file: Option<Arc<SourceFile>>,
    /// Path to show when there is no readable source (a non-UTF-8 file).
    pub(crate) path: Option<PathBuf>,
    pub(crate) span: Range<usize>,
    pub(crate) label: Option<String>,
    pub(crate) help: Vec<String>,
}

impl Diagnostic {
    /// An error at `span` (byte offsets) of `file`.
    pub(crate) fn at(
        file: &Arc<SourceFile>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let len = file.text.len();
        // A position after the final newline (an error at the end of the
        // file) belongs to the end of the last line, not to a line of its own.
        let last = if file.text.ends_with('\n') {
            len - 1
        } else {
            len
        };
        let start = floor_char_boundary(&file.text, span.start.min(last));
        let end = floor_char_boundary(&file.text, span.end.clamp(start, len));
        Diagnostic {
            message: message.into(),
            file: Some(Arc::clone(file)),
            path: None,
            span: start..end,
            label: None,
            help: Vec::new(),
        }
    }

    /// An error about a whole file that could not be read as text.
    pub(crate) fn file(path: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            file: None,
            path: Some(path.to_path_buf()),
            span: 0..0,
            label: None,
            help: Vec::new(),
        }
    }

    /// An error with no file at all (for example a bad command-line value).
    pub(crate) fn general(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            file: None,
            path: None,
            span: 0..0,
            label: None,
            help: Vec::new(),
        }
    }

    pub(crate) fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// `path:line:col`, the location every message starts from.
    #[cfg(test)]
    pub(crate) fn location(&self) -> Option<String> {
        if let Some(file) = &self.file {
            let (line, col) = file.line_col(self.span.start);
            Some(format!("{}:{line}:{col}", file.path.display()))
        } else {
            self.path.as_ref().map(|p| format!("{}:1:1", p.display()))
        }
    }

    /// Renders the diagnostic, with ANSI colour when `color` is set.
    pub(crate) fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let path_text;
        let mut elements: Vec<annotate_snippets::Element<'_>> = Vec::new();
        if let Some(file) = &self.file {
            path_text = file.path.display().to_string();
            let mut annotation = AnnotationKind::Primary.span(self.span.clone());
            if let Some(label) = &self.label {
                annotation = annotation.label(label.as_str());
            }
            elements.push(
                Snippet::source(file.text.as_str())
                    .path(path_text.as_str())
                    .fold(true)
                    .annotation(annotation)
                    .into(),
            );
        } else if let Some(path) = &self.path {
            path_text = format!("{}:1:1", path.display());
            elements.push(Level::NOTE.message(format!("in {path_text}")).into());
        }
        elements.extend(
            self.help
                .iter()
                .map(|h| Level::HELP.message(h.as_str()).into()),
        );
        let group = Level::ERROR
            .primary_title(self.message.as_str())
            .elements(elements);
        let report: [Group<'_>; 1] = [group];
        renderer.render(&report)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

/// Every content problem of one run, reported together.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics(pub(crate) Vec<Diagnostic>);

impl Diagnostics {
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// Sorts by file and position so the output is stable across parallel runs.
    pub(crate) fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                let path = d
                    .file
                    .as_ref()
                    .map(|f| f.path.clone())
                    .or_else(|| d.path.clone())
                    .unwrap_or_default();
                (path, d.span.start)
            };
            key(a).cmp(&key(b))
        });
    }
}

/// The closest of `candidates` to `name`, when it is close enough to be a
/// plausible typo (`incident` for `incidents`).
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_chars() {
        let file = SourceFile::new("a.yaml", "ab\n“é” x\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        let x = file.text.find('x').unwrap();
        assert_eq!(file.line_col(x), (2, 5));
    }

    #[test]
    fn suggestions_prefer_close_names() {
        let fields = ["incidents", "entities", "quote"];
        assert_eq!(did_you_mean("incident", fields), Some("incidents"));
        assert_eq!(did_you_mean("qoute", fields), Some("quote"));
        assert_eq!(did_you_mean("zzzzzz", fields), None);
    }

    #[test]
    fn rendered_error_names_file_line_and_column() {
        let file = SourceFile::new("content/x.yaml", "title: a\nkind: atack\n");
        let d =
            Diagnostic::at(&file, 15..20, "unknown kind `atack`").help("did you mean `attack`?");
        let text = d.render(false);
        assert!(text.contains("content/x.yaml:2:7"), "{text}");
        assert!(text.contains("kind: atack"), "{text}");
        assert!(text.contains("did you mean `attack`?"), "{text}");
        assert_eq!(d.location().unwrap(), "content/x.yaml:2:7");
    }
}
