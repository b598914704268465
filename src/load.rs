//! Reading a dossier folder: finds the files, reads them in parallel and
//! decodes each one on its own.
//!
//! Each file decodes independently into a [`Loaded`] value, so a later
//! incremental rebuild can re-read just the file that changed.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::graph::{Dossier, ItemRef};
use crate::model::{self, Annotation, Article, Entity, Incident};
use crate::yaml::{self, Decoder};

/// `^[a-z0-9]+(-[a-z0-9]+)*$`
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The front page text from `content/index.md`.
#[derive(Debug, Clone)]
pub(crate) struct IndexPage {
    pub(crate) file: Arc<SourceFile>,
    pub(crate) title: Option<String>,
    pub(crate) body_start: usize,
}

impl IndexPage {
    pub(crate) fn body(&self) -> &str {
        &self.file.text[self.body_start..]
    }
}

/// Everything read from disk, before ids are resolved.
#[derive(Debug, Default)]
pub(crate) struct Sources {
    pub(crate) config: Config,
    pub(crate) index: Option<IndexPage>,
    pub(crate) articles: Vec<Arc<Article>>,
    pub(crate) incidents: Vec<Arc<Incident>>,
    pub(crate) entities: Vec<Arc<Entity>>,
    /// Ids of items whose file has an error of its own.
    pub(crate) broken_ids: HashSet<String>,
}

/// What one file decodes to.
#[derive(Debug, Clone)]
pub(crate) enum Loaded {
    Article(Arc<Article>),
    Annotations {
        id: String,
        file: Arc<SourceFile>,
        annotations: Arc<[Annotation]>,
    },
    Incident(Arc<Incident>),
    Entity(Arc<Entity>),
    Index(IndexPage),
    /// A file that was found but could not be decoded; its id is known so
    /// that references to it do not pile up more errors.
    Failed {
        id: String,
    },
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum FileKind {
    Article,
    Annotations,
    Incident,
    Entity,
    Index,
}

/// Reads `dossier.yaml`; defaults when there is none.
pub(crate) fn load_config(root: &Path) -> (Config, Vec<Diagnostic>) {
    let config_path = root.join("dossier.yaml");
    if !config_path.exists() {
        return (Config::default(), Vec::new());
    }
    match read_source(root, &config_path) {
        Ok(file) => Config::parse(&file),
        Err(e) => (Config::default(), vec![e]),
    }
}

/// Articles with their annotations attached, by the versions of the two
/// files, so that repeating [`assemble`] copies nothing that did not change.
pub(crate) type Attached = FxHashMap<(u64, u64), Arc<Article>>;

/// Puts decoded files together: annotations onto their articles, orphan
/// annotation files reported.
pub(crate) fn assemble<'a>(
    config: Config,
    items: impl Iterator<Item = &'a Loaded>,
    attached: &mut Attached,
    diagnostics: &mut Diagnostics,
) -> Sources {
    let mut sources = Sources {
        config,
        ..Sources::default()
    };
    let mut annotation_files = Vec::new();
    for item in items {
        match item {
            Loaded::Article(a) => sources.articles.push(Arc::clone(a)),
            Loaded::Annotations {
                id,
                file,
                annotations,
            } => annotation_files.push((id, file, annotations)),
            Loaded::Incident(i) => sources.incidents.push(Arc::clone(i)),
            Loaded::Entity(e) => sources.entities.push(Arc::clone(e)),
            Loaded::Index(page) => sources.index = Some(page.clone()),
            Loaded::Failed { id } => {
                sources.broken_ids.insert(id.clone());
            }
            Loaded::Nothing => {}
        }
    }
    let index: FxHashMap<&str, usize> = sources
        .articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut attach = Vec::new();
    for (id, file, annotations) in annotation_files {
        match index.get(id.as_str()) {
            Some(&i) => attach.push((i, file, annotations)),
            // An article that failed to load has an error of its own.
            None if sources.broken_ids.contains(id) => {}
            None => diagnostics.push(
                Diagnostic::at(
                    file,
                    0..0,
                    format!("annotations for `{id}`, but there is no article `{id}`"),
                )
                .help(format!(
                    "create content/articles/{id}.md, or rename this file after the article it annotates"
                )),
            ),
        }
    }
    let mut reused = Attached::default();
    for (i, file, annotations) in attach {
        let article = &sources.articles[i];
        let key = (article.file.digest, file.digest);
        let with_notes = attached.remove(&key).unwrap_or_else(|| {
            let mut copy = Article::clone(article);
            copy.annotations = Arc::clone(annotations);
            copy.annotations_file = Some(Arc::clone(file));
            Arc::new(copy)
        });
        reused.insert(key, Arc::clone(&with_notes));
        sources.articles[i] = with_notes;
    }
    *attached = reused;
    sources
}

/// Items of a dossier that edits replaced, each with its index there.
#[derive(Debug, Default)]
pub(crate) struct Replaced {
    pub(crate) articles: Vec<(usize, Arc<Article>)>,
    pub(crate) incidents: Vec<(usize, Arc<Incident>)>,
    pub(crate) entities: Vec<(usize, Arc<Entity>)>,
}

/// What the files read again (`edited`) replace in `dossier`, when each
/// still decodes to an item it has (ids come from file names, so an edit
/// cannot rename one). None when the edit is of another shape: the front
/// page, or a file that no longer decodes. The caller has made sure no
/// file was added or removed.
pub(crate) fn replaced<'a>(
    dossier: &Dossier,
    edited: impl Iterator<Item = &'a Loaded>,
) -> Option<Replaced> {
    let mut articles: FxHashMap<usize, Arc<Article>> = FxHashMap::default();
    let mut notes = Vec::new();
    let mut out = Replaced::default();
    for loaded in edited {
        match loaded {
            Loaded::Article(a) => {
                let Some(&ItemRef::Article(i)) = dossier.ids.get(&a.id) else {
                    return None;
                };
                articles.insert(i, Arc::clone(a));
            }
            Loaded::Annotations {
                id,
                file,
                annotations,
            } => {
                let Some(&ItemRef::Article(i)) = dossier.ids.get(id) else {
                    return None;
                };
                notes.push((i, file, annotations));
            }
            Loaded::Incident(x) => match dossier.ids.get(&x.id) {
                Some(&ItemRef::Incident(i)) => out.incidents.push((i, Arc::clone(x))),
                _ => return None,
            },
            Loaded::Entity(x) => match dossier.ids.get(&x.id) {
                Some(&ItemRef::Entity(i)) => out.entities.push((i, Arc::clone(x))),
                _ => return None,
            },
            Loaded::Index(_) | Loaded::Failed { .. } | Loaded::Nothing => return None,
        }
    }
    // A re-read article keeps the annotations it had, unless they were
    // re-read too.
    let mut articles: FxHashMap<usize, Article> = articles
        .into_iter()
        .map(|(i, a)| {
            let old = &dossier.articles[i];
            let mut copy = Article::clone(&a);
            copy.annotations = Arc::clone(&old.annotations);
            copy.annotations_file = old.annotations_file.clone();
            (i, copy)
        })
        .collect();
    for (i, file, annotations) in notes {
        let article = articles
            .entry(i)
            .or_insert_with(|| Article::clone(&dossier.articles[i]));
        article.annotations = Arc::clone(annotations);
        article.annotations_file = Some(Arc::clone(file));
    }
    out.articles = articles
        .into_iter()
        .map(|(i, a)| (i, Arc::new(a)))
        .collect();
    out.articles.sort_unstable_by_key(|(i, _)| *i);
    out.incidents.sort_unstable_by_key(|(i, _)| *i);
    out.entities.sort_unstable_by_key(|(i, _)| *i);
    Some(out)
}

/// The `content/` folder, or why there is none.
pub(crate) fn content_dir(root: &Path) -> anyhow::Result<PathBuf> {
    let content = root.join("content");
    if !content.is_dir() {
        anyhow::bail!(
            "{} has no `content/` folder; run `dossier init` to start a dossier, or pass --root",
            root.display()
        );
    }
    Ok(content)
}

/// The files of `content/` that make up a dossier, in a stable order.
pub(crate) fn find_files(content: &Path) -> anyhow::Result<Vec<(PathBuf, FileKind)>> {
    let mut files = Vec::new();
    let index = content.join("index.md");
    if index.is_file() {
        files.push((index, FileKind::Index));
    }
    for folder in ["articles", "incidents", "entities"] {
        let dir = content.join(folder);
        if !dir.is_dir() {
            continue;
        }
        let entries = fs::read_dir(&dir)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.display()))?;
            let path = entry.path();
            // The entry's type comes with the directory listing: a stat
            // call per file only for symbolic links, which may point at one.
            let is_file = entry
                .file_type()
                .is_ok_and(|t| t.is_file() || (t.is_symlink() && path.is_file()));
            if let Some(kind) = kind_of(content, &path)
                && is_file
            {
                files.push((path, kind));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// What a path under `content/` holds, by its place and name; None for
/// anything that is not dossier content (editor leftovers, images, folders).
pub(crate) fn kind_of(content: &Path, path: &Path) -> Option<FileKind> {
    let relative = path.strip_prefix(content).ok()?;
    let mut parts = relative.iter().filter_map(|p| p.to_str());
    let (first, second, rest) = (parts.next()?, parts.next(), parts.next());
    if rest.is_some() {
        return None;
    }
    let Some(name) = second else {
        return (first == "index.md").then_some(FileKind::Index);
    };
    if is_ignored(name) {
        return None;
    }
    match first {
        "articles" if name.ends_with(".annotations.yaml") => Some(FileKind::Annotations),
        "articles" if name.ends_with(".md") => Some(FileKind::Article),
        "incidents" if name.ends_with(".yaml") => Some(FileKind::Incident),
        "entities" if name.ends_with(".yaml") => Some(FileKind::Entity),
        _ => None,
    }
}

/// Hidden files and editor leftovers (`.#x`, `x~`, `x.swp`) are not content.
pub(crate) fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

/// Reads a file as UTF-8 text; every failure is a diagnostic about that file.
pub(crate) fn read_source(root: &Path, path: &Path) -> Result<Arc<SourceFile>, Diagnostic> {
    let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let bytes = fs::read(path)
        .map_err(|e| Diagnostic::file(&shown, format!("cannot read this file: {e}")))?;
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.replace_range(..3, "");
            }
            Ok(SourceFile::new(shown, text))
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = SourceFile::new(shown, text);
            Err(
                Diagnostic::at(&file, valid..valid + 1, "this file is not valid UTF-8 text").help(
                    "save it as UTF-8 in your editor (most editors have an \"encoding\" menu)",
                ),
            )
        }
    }
}

pub(crate) fn load_file(root: &Path, path: &Path, kind: FileKind) -> (Loaded, Vec<Diagnostic>) {
    let (loaded, errors) = decode_file(root, path, kind);
    match loaded {
        Loaded::Nothing if !matches!(kind, FileKind::Index | FileKind::Annotations) => {
            let id = id_of(path, kind);
            let loaded = if is_valid_id(&id) {
                Loaded::Failed { id }
            } else {
                Loaded::Nothing
            };
            (loaded, errors)
        }
        loaded => (loaded, errors),
    }
}

/// The id a file gives its item: its name without the extension.
fn id_of(path: &Path, kind: FileKind) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let suffix = match kind {
        FileKind::Annotations => ".annotations.yaml",
        FileKind::Article | FileKind::Index => ".md",
        FileKind::Incident | FileKind::Entity => ".yaml",
    };
    name.strip_suffix(suffix).unwrap_or(name).to_string()
}

fn decode_file(root: &Path, path: &Path, kind: FileKind) -> (Loaded, Vec<Diagnostic>) {
    let file = match read_source(root, path) {
        Ok(file) => file,
        Err(e) => return (Loaded::Nothing, vec![e]),
    };
    let id = id_of(path, kind);
    if !matches!(kind, FileKind::Index) && !is_valid_id(&id) {
        let e = Diagnostic::at(&file, 0..0, format!("`{id}` is not a valid id (the id of an item is its file name)"))
            .help("rename the file using lowercase letters, digits and single hyphens, like `sony-pictures-2014`");
        return (Loaded::Nothing, vec![e]);
    }
    if file.text.trim().is_empty() {
        let e = Diagnostic::at(&file, 0..0, "this file is empty").help(match kind {
            FileKind::Article => {
                "an article starts with front matter: ---, title: ..., published: ..., ---"
            }
            FileKind::Annotations => {
                "write a list of annotations (`- quote: \"...\"`), or delete the file"
            }
            FileKind::Index => "write the front page's text in Markdown, or delete the file",
            FileKind::Incident => {
                "an incident needs at least `title:` and `date:`; see docs/format.md"
            }
            _ => "an entity needs at least `name:` and `kind:`; see docs/format.md",
        });
        return (Loaded::Nothing, vec![e]);
    }
    let mut d = Decoder::new(&file);
    let loaded = match kind {
        FileKind::Article | FileKind::Index => return load_markdown(&file, &id, kind),
        FileKind::Annotations => {
            let annotations = match yaml::parse(&file, 0, &file.text) {
                Ok(node) => model::decode_annotations(&mut d, &node),
                Err(e) => return (Loaded::Nothing, vec![e]),
            };
            Loaded::Annotations {
                id,
                file: Arc::clone(&file),
                annotations: annotations.into(),
            }
        }
        FileKind::Incident | FileKind::Entity => {
            let node = match yaml::parse(&file, 0, &file.text) {
                Ok(node) => node,
                Err(e) => return (Loaded::Nothing, vec![e]),
            };
            let item = if matches!(kind, FileKind::Incident) {
                model::decode_incident(&mut d, &id, &node).map(|x| Loaded::Incident(Arc::new(x)))
            } else {
                model::decode_entity(&mut d, &id, &node).map(|x| Loaded::Entity(Arc::new(x)))
            };
            item.unwrap_or(Loaded::Nothing)
        }
    };
    (loaded, d.errors)
}

fn load_markdown(file: &Arc<SourceFile>, id: &str, kind: FileKind) -> (Loaded, Vec<Diagnostic>) {
    let is_index = matches!(kind, FileKind::Index);
    let (front, body_start) = match split_front_matter(&file.text) {
        Ok(parts) => parts,
        Err(message) => {
            let e = Diagnostic::at(file, 0..3, message)
                .help("close the front matter with a line holding only `---`");
            return (Loaded::Nothing, vec![e]);
        }
    };
    let mut d = Decoder::new(file);
    let Some(front) = front else {
        if is_index {
            let page = IndexPage {
                file: Arc::clone(file),
                title: None,
                body_start,
            };
            return (Loaded::Index(page), Vec::new());
        }
        let e = Diagnostic::at(file, 0..0, "this article has no front matter")
            .help("start the file with a `---` line, then `title:` and `published:`, then another `---` line");
        return (Loaded::Nothing, vec![e]);
    };
    let node = match yaml::parse(file, front.start, &file.text[front.clone()]) {
        Ok(node) => node,
        Err(e) => return (Loaded::Nothing, vec![e]),
    };
    if is_index {
        let title = if node.is_null() {
            None
        } else {
            d.fields(&node, "the front page's front matter", &["title"])
                .and_then(|fields| d.opt_string(&fields, "title"))
        };
        let page = IndexPage {
            file: Arc::clone(file),
            title,
            body_start,
        };
        return (Loaded::Index(page), d.errors);
    }
    let article = model::decode_article(&mut d, id, &node, body_start);
    let loaded = article.map_or(Loaded::Nothing, |a| Loaded::Article(Arc::new(a)));
    (loaded, d.errors)
}

/// Splits `---\nyaml\n---\nbody`: the byte range of the YAML (None when the
/// file has no front matter) and where the body starts.
pub(crate) fn split_front_matter(
    text: &str,
) -> Result<(Option<std::ops::Range<usize>>, usize), String> {
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_line_end].trim_end() != "---" {
        return Ok((None, 0));
    }
    let mut offset = first_line_end;
    for line in text[first_line_end..].split_inclusive('\n') {
        let content = line.trim_end();
        if content == "---" || content == "..." {
            return Ok((Some(first_line_end..offset), offset + line.len()));
        }
        offset += line.len();
    }
    Err("the front matter that starts here is never closed".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["a", "sony-pictures-2014", "a1-b2"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "a b", "é"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn front_matter_splits() {
        let text = "---\ntitle: x\n---\nbody\n";
        let (front, body) = split_front_matter(text).unwrap();
        assert_eq!(&text[front.unwrap()], "title: x\n");
        assert_eq!(&text[body..], "body\n");
        assert_eq!(split_front_matter("body").unwrap(), (None, 0));
        assert_eq!(split_front_matter("---\r\na: b\r\n---\r\nx").unwrap().1, 16);
        assert!(split_front_matter("---\ntitle: x\n").is_err());
        let (front, body) = split_front_matter("---\n---\n").unwrap();
        assert_eq!(front, Some(4..4));
        assert_eq!(body, 8);
    }
}
