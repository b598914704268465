//! Tests of the site as a whole: the template contexts against their
//! documentation, and page signatures against what they sign.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;

use super::pages::Pages;
use crate::output::MemorySink;
use crate::session::{Change, Overrides, Session};
use crate::tlp::Tlp;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every page's template and serialised context for the example dossier.
fn example_contexts(root: &Path, overrides: Overrides) -> Vec<(&'static str, Value)> {
    let mut session = Session::new(root, overrides, false);
    let current = session
        .load()
        .unwrap_or_else(|_| panic!("the example loads"));
    let view = current.view();
    let pages = Pages::new(&view, 0);
    let mut contexts: Vec<(&'static str, Value)> = pages
        .kinds()
        .into_iter()
        .map(|kind| {
            let (template, context) = pages.context(kind);
            (
                template,
                serde_json::to_value(&context).expect("contexts serialise"),
            )
        })
        .collect();
    // What the `backlink` component receives, as the documented shape.
    let shapes = pages.shapes();
    contexts.extend(view.all_annotations().map(|at| {
        let backlink = serde_json::to_value(shapes.backlink(at)).expect("backlinks serialise");
        ("Backlink", backlink)
    }));
    contexts
}

/// The fields `docs/templates.md` documents: per scope (a template file
/// name, `*` for every template, or a shape name), each field's type text.
struct Documented {
    scopes: BTreeMap<String, BTreeMap<String, String>>,
    shapes: BTreeSet<String>,
}

impl Documented {
    fn read() -> Documented {
        let text = std::fs::read_to_string(repo().join("docs/templates.md")).unwrap();
        let start = text.find("\n## Context").expect("a Context section");
        let end = text[start + 1..]
            .find("\n## ")
            .map_or(text.len(), |e| start + 1 + e);
        let mut scopes: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut shapes = BTreeSet::new();
        let mut scope: Option<String> = None;
        for line in text[start..end].lines() {
            if let Some(heading) = line.strip_prefix("### ") {
                scope = match heading.trim() {
                    "Every template" => Some("*".into()),
                    h if h.starts_with('`') => Some(h.trim_matches('`').into()),
                    _ => None,
                };
            } else if let Some(rest) = line.strip_prefix("**") {
                let name = rest.split("**").next().unwrap_or_default().to_string();
                shapes.insert(name.clone());
                scope = Some(name);
            } else if let (Some(scope), Some(row)) = (&scope, line.strip_prefix("| `")) {
                let cells: Vec<&str> = row.split(" | ").collect();
                let names = cells[0]
                    .split('`')
                    .enumerate()
                    .filter(|(i, _)| i % 2 == 0)
                    .map(|(_, name)| name.trim_matches(|c: char| c == ',' || c == ' '))
                    .filter(|name| !name.is_empty());
                let ty = cells.get(1).copied().unwrap_or_default().to_string();
                for name in names {
                    scopes
                        .entry(scope.clone())
                        .or_default()
                        .insert(name.to_string(), ty.clone());
                }
            }
        }
        Documented { scopes, shapes }
    }

    fn field(&self, scope: &str, name: &str) -> Option<(&str, &str)> {
        let (scope, fields) = self.scopes.get_key_value(scope)?;
        fields.get(name).map(|ty| (scope.as_str(), ty.as_str()))
    }

    /// The shape a type text names ("list of Ref" → "Ref").
    fn shape_in(&self, ty: &str) -> Option<&str> {
        ty.split(|c: char| !c.is_alphanumeric())
            .find(|word| self.shapes.contains(*word))
            .and_then(|word| self.shapes.get(word).map(String::as_str))
    }
}

struct Walk<'d> {
    docs: &'d Documented,
    seen: BTreeSet<(String, String)>,
    problems: Vec<String>,
}

impl Walk<'_> {
    fn object(&mut self, value: &Value, scopes: &[&str], path: &str) {
        let Value::Object(map) = value else { return };
        for (key, value) in map {
            let found = scopes.iter().find_map(|s| self.docs.field(s, key));
            let Some((scope, ty)) = found else {
                self.problems.push(format!(
                    "`{path}{key}` is in the context but not documented (under {})",
                    scopes.join(" or ")
                ));
                continue;
            };
            self.seen.insert((scope.to_string(), key.clone()));
            let ty = ty.to_string();
            self.value(value, &ty, &format!("{path}{key}."));
        }
    }

    fn value(&mut self, value: &Value, ty: &str, path: &str) {
        match value {
            Value::Array(items) => {
                for item in items {
                    self.value(item, ty, path);
                }
            }
            Value::Object(_) => match self.docs.shape_in(ty) {
                Some(shape) => {
                    let shape = shape.to_string();
                    self.object(value, &[&shape], path);
                }
                None => self.problems.push(format!(
                    "`{path}` holds an object but its documented type names no shape: {ty}"
                )),
            },
            _ => {}
        }
    }
}

/// `docs/templates.md` is a user contract: every field a template receives
/// is documented there, and every field documented there is received.
#[test]
fn the_documented_context_is_exactly_the_serialised_one() {
    let docs = Documented::read();
    assert!(docs.scopes.len() > 20, "the Context section is read");
    let mut walk = Walk {
        docs: &docs,
        seen: BTreeSet::new(),
        problems: Vec::new(),
    };
    let levels = [
        Overrides::default(),
        Overrides {
            tlp: Some(Tlp::Red),
            drafts: true,
            ..Overrides::default()
        },
    ];
    // Small pages, so that paging, the timeline's overview and year pages
    // occur too.
    let paged = example_copy();
    std::fs::write(
        paged.path().join("dossier.yaml"),
        "title: Paged\ntimeline_page_size: 2\n",
    )
    .unwrap();
    let roots = [repo(), repo(), paged.path()];
    for (root, overrides) in roots
        .into_iter()
        .zip(levels.into_iter().chain([Overrides::default()]))
    {
        for (template, context) in example_contexts(root, overrides) {
            walk.object(&context, &[template, "*"], "");
        }
    }
    for (scope, fields) in &docs.scopes {
        for name in fields.keys() {
            if !walk.seen.contains(&(scope.clone(), name.clone())) {
                walk.problems.push(format!(
                    "`{name}` is documented under {scope} but no context has it"
                ));
            }
        }
    }
    walk.problems.sort();
    walk.problems.dedup();
    assert!(
        walk.problems.is_empty(),
        "docs/templates.md and the contexts differ:\n{}",
        walk.problems.join("\n")
    );
}

// ---- signatures

/// A copy of the example dossier to edit.
fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    std::fs::copy(repo().join("dossier.yaml"), dir.path().join("dossier.yaml")).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target: PathBuf = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// One kind of edit an author makes: in `file`, the first `find` becomes
/// `replace` with `{}` standing for a fresh word.
const EDITS: &[(&str, &str, &str)] = &[
    // A note, a quote's neighbour, an annotation's level and links.
    (
        "content/articles/bangladesh-bank-heist.annotations.yaml",
        "  note: |\n",
        "  note: |\n    Edited {}.\n",
    ),
    (
        "content/articles/bangladesh-bank-heist.annotations.yaml",
        "  kind: context\n",
        "  kind: context\n  tlp: amber\n",
    ),
    // What the techniques tables of an incident and its entities show:
    // an annotation's techniques and what it cites.
    (
        "content/articles/bangladesh-bank-heist.annotations.yaml",
        "  techniques: [T1565.002]\n",
        "  techniques: [T1565.002, T1486]\n",
    ),
    (
        "content/articles/bangladesh-bank-heist.annotations.yaml",
        "  techniques: [T1566]\n  sources:\n",
        "  techniques: [T1566]\n  sources:\n    - https://example.org/{}\n",
    ),
    // An incident's techniques and sources show on its actors' pages.
    (
        "content/incidents/bangladesh-bank-2016.yaml",
        "techniques: [T1565.001, ",
        "techniques: [T1486, T1565.001, ",
    ),
    (
        "content/incidents/bangladesh-bank-2016.yaml",
        "sources:\n",
        "sources:\n  - https://example.org/{}\n",
    ),
    // What the ledger sorts by.
    (
        "content/articles/bangladesh-bank-heist.annotations.yaml",
        "  kind: correction\n",
        "  kind: question\n",
    ),
    (
        "content/articles/bangladesh-bank-heist.annotations.yaml",
        "  confidence: high\n",
        "  confidence: low\n",
    ),
    (
        "content/articles/bangladesh-bank-heist.annotations.yaml",
        "entities: [bangladesh-bank]",
        "entities: [bangladesh-bank, lazarus-group]",
    ),
    (
        "content/articles/wannacry-and-hidden-cobra.annotations.yaml",
        "  note: |\n",
        "  note: |\n    Revised {}.\n",
    ),
    // Tags: who carries one (every page of the tag lists its members),
    // and a new tag (every printed tag links to its page if it has one).
    (
        "content/articles/wannacry-and-hidden-cobra.md",
        "tags: [ransomware, ",
        "tags: [ransomware, banking, ",
    ),
    (
        "content/articles/bangladesh-bank-heist.annotations.yaml",
        "  tags: [swift]",
        "  tags: [swift, tag{}]",
    ),
    // Titles, names, dates and levels that other pages show.
    (
        "content/incidents/bangladesh-bank-2016.yaml",
        "title: \"",
        "title: \"{} ",
    ),
    (
        "content/incidents/wannacry-2017.yaml",
        "title: \"",
        "title: \"{} ",
    ),
    (
        "content/incidents/sony-pictures-2014.yaml",
        "title:",
        "tlp: green\ntitle:",
    ),
    (
        "content/entities/lazarus-group.yaml",
        "name: \"",
        "name: \"{} ",
    ),
    (
        "content/entities/lazarus-group.yaml",
        "aliases: [",
        "aliases: [\"{}\", ",
    ),
    (
        "content/entities/bangladesh-bank.yaml",
        "kind: organisation",
        "kind: other",
    ),
    (
        "content/entities/north-korea.yaml",
        "name:",
        "tlp: amber\nname:",
    ),
    // Articles: title, body, publication, draft status.
    (
        "content/articles/un-panel-2bn-proceeds.md",
        "title: \"",
        "title: \"{} ",
    ),
    (
        "content/articles/un-panel-2bn-proceeds.md",
        "\n---\n",
        "\n---\n\nA new first paragraph about {}.\n",
    ),
    (
        "content/articles/wannacry-and-hidden-cobra.md",
        "\npublished: ",
        "\ndraft: true\npublished: ",
    ),
    (
        "content/articles/bangladesh-bank-heist.md",
        "\nsummary: \"",
        "\nsummary: \"{} ",
    ),
    // Dates that reorder the timeline, and with it every list in date
    // order (an entity's articles and incidents).
    (
        "content/articles/bangladesh-bank-heist.md",
        "published: 2018-09-07",
        "published: 2019-12-01",
    ),
    (
        "content/incidents/bangladesh-bank-2016.yaml",
        "date: 2016-02-04",
        "date: 2019-12-01",
    ),
    // An incident's end, which entity pages show beside each incident.
    (
        "content/incidents/bangladesh-bank-2016.yaml",
        "end: 2016-02-05",
        "end: 2016-03-01",
    ),
    // The site itself.
    ("dossier.yaml", "title: \"", "title: \"{} "),
    (
        "content/index.md",
        "\n",
        "\n\nSee [the heist](@bangladesh-bank-2016), {}.\n",
    ),
];

/// A session keeps the references it resolved in an unchanged annotations
/// file from pass to pass; removing or restoring the item they name must
/// still be seen.
#[test]
fn references_in_an_unchanged_file_follow_the_items_they_name() {
    let dir = example_copy();
    let root = dir.path();
    let incident = root.join("content/incidents/bangladesh-bank-2016.yaml");
    let text = std::fs::read_to_string(&incident).unwrap();
    let mut session = Session::new(root, Overrides::default(), true);
    assert!(session.load().is_ok(), "the example loads");

    std::fs::remove_file(&incident).unwrap();
    session.invalidate(Change::Content(incident.clone()));
    let errors = match session.load() {
        Ok(_) => panic!("an annotation names a removed incident, yet the dossier loads"),
        Err(crate::session::Failure::Content(d)) => {
            d.0.iter().map(|d| d.render(false)).collect::<Vec<_>>()
        }
        Err(other) => panic!("unexpected failure: {other:?}"),
    };
    assert!(
        errors
            .iter()
            .any(|e| e.contains("unknown incident `bangladesh-bank-2016`")
                && e.contains("bangladesh-bank-heist.annotations.yaml")),
        "{errors:#?}"
    );

    std::fs::write(&incident, text).unwrap();
    session.invalidate(Change::Content(incident));
    assert!(
        session.load().is_ok(),
        "the restored incident is found again"
    );
}

/// Renders through `session` (incremental or not) into a map of the site.
fn render(session: &mut Session, site: &mut HashMap<String, Vec<u8>>) -> bool {
    if session.load().is_err() {
        return false;
    }
    let sink = MemorySink::default();
    let rendered = session.render(&sink).expect("renders");
    for path in rendered.removed {
        site.remove(&path);
    }
    for (path, bytes) in sink.files.into_inner().unwrap() {
        site.insert(path, bytes);
    }
    true
}

/// The paths whose values differ between two maps (or that one lacks).
fn differing<'m, V: PartialEq, S: std::hash::BuildHasher>(
    a: &'m HashMap<String, V, S>,
    b: &'m HashMap<String, V, S>,
) -> Vec<&'m String> {
    let mut differ: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|path| a.get(*path) != b.get(*path))
        .collect();
    differ.sort();
    differ.dedup();
    differ
}

/// The exports and the search index of the session's current state.
fn exports(session: &Session) -> HashMap<String, Vec<u8>> {
    let sink = MemorySink::default();
    session.render_exports(&sink).expect("exports");
    if let Some(search) = session.search_input() {
        search.write(&sink).expect("the search index");
    }
    sink.files.into_inner().unwrap().into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// `serve` renders only pages whose signature changed, from a state
    /// revised from the previous pass's. If a page could change while its
    /// signature did not, or a part of the state taken over from the
    /// previous pass was changed by the edit, the served site would be
    /// stale: after every edit it must equal a fresh full build.
    #[test]
    fn an_unchanged_signature_means_an_unchanged_page(
        edits in proptest::collection::vec((0..EDITS.len(), 0u32..1000), 1..8),
        paged in any::<bool>(),
    ) {
        let dir = example_copy();
        let root = dir.path();
        if paged {
            // Lists of two: every list of annotations runs to several
            // pages, and an edit changes some of them.
            let config = root.join("dossier.yaml");
            let text = std::fs::read_to_string(&config).unwrap();
            std::fs::write(&config, text + "timeline_page_size: 2\n").unwrap();
        }
        let mut incremental = Session::new(root, Overrides::default(), true);
        let mut served = HashMap::new();
        prop_assert!(render(&mut incremental, &mut served));
        for (edit, word) in edits {
            let (file, find, replace) = EDITS[edit];
            let path = root.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            let replace = replace.replace("{}", &format!("word{word}"));
            std::fs::write(&path, text.replacen(find, &replace, 1)).unwrap();
            // As the watcher reports it: a content edit lets the session
            // start from its previous pass (`Dossier::revise`).
            incremental.invalidate(if file == "dossier.yaml" {
                Change::Config
            } else {
                Change::Content(path.clone())
            });
            let mut fresh = HashMap::new();
            let mut build = Session::new(root, Overrides::default(), false);
            if !render(&mut build, &mut fresh) {
                // Some edits repeated make a file invalid (a field twice):
                // take it back, and check the served site once more.
                std::fs::write(&path, &text).unwrap();
                incremental.invalidate(Change::Content(path.clone()));
                fresh.clear();
                build = Session::new(root, Overrides::default(), false);
                prop_assert!(render(&mut build, &mut fresh));
            }
            prop_assert!(render(&mut incremental, &mut served), "the served site builds");
            // The pages signed again after an edit are all that changed.
            let (signed, _) = incremental.signatures().expect("signs");
            let kept = incremental.memo_signatures().expect("an incremental session");
            let differ = differing(&signed, kept);
            prop_assert!(differ.is_empty(), "after editing {}: signatures kept wrong {:?}", file, differ);
            // And they are those of a fresh build: what a pass carried over
            // from the one before (item signs, epochs, annotation digests)
            // is what it would have made anew.
            let (anew, _) = build.signatures().expect("signs");
            let differ = differing(&signed, &anew);
            prop_assert!(differ.is_empty(), "after editing {}: signatures differ from a fresh build's {:?}", file, differ);
            let (built, revised) = (exports(&build), exports(&incremental));
            let differ = differing(&built, &revised);
            prop_assert!(differ.is_empty(), "after editing {}: exports differ {:?}", file, differ);
            let mut stale: Vec<&String> = fresh
                .iter()
                .filter(|(path, bytes)| served.get(*path) != Some(*bytes))
                .map(|(path, _)| path)
                .collect();
            stale.sort();
            prop_assert!(stale.is_empty(), "after editing {}: stale pages {:?}", file, stale);
            let mut extra: Vec<&String> = served.keys().filter(|p| !fresh.contains_key(*p)).collect();
            extra.sort();
            prop_assert!(extra.is_empty(), "after editing {}: pages left over {:?}", file, extra);
        }
    }
}
