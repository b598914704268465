//! Helpers shared by the end-to-end tests: running the real binary on a copy
//! of a fixture dossier, loading the site it wrote, resolving and checking
//! its links, and reading the example dossier's own YAML.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;
use std::sync::OnceLock;

use scraper::{ElementRef, Html, Selector};
use tempfile::TempDir;

/// Strings that only occur in the example's restricted (amber) items: no
/// byte of them may reach a default build.
pub(crate) const RESTRICTED: [&str; 7] = [
    "COPPER WREN",
    "copper-wren",
    "OPAL HARBOUR",
    "analyst-source-x",
    "GREY LANTERN",
    "grey-lantern",
    "liaison",
];

/// The repository, which is also the example dossier.
pub(crate) fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// What one run of the binary did.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) code: i32,
}

impl Output {
    /// Panics with everything the run printed unless it exited with `code`.
    #[track_caller]
    pub(crate) fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit code {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }
}

/// Runs `dossier ARGS` with `root` as the working directory, without colour.
pub(crate) fn run(root: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("the dossier binary runs");
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Copies the folder `from` into `to` (created), recursively.
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
}

/// A temporary copy of the fixture dossier at `from`.
pub(crate) fn copy_fixture(from: &Path) -> TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    copy_dir(from, dir.path());
    dir
}

/// A temporary copy of the example dossier: `content/` and `dossier.yaml` only.
pub(crate) fn example() -> TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    copy_example(dir.path());
    dir
}

fn copy_example(to: &Path) {
    copy_dir(&repo().join("content"), &to.join("content"));
    fs::copy(repo().join("dossier.yaml"), to.join("dossier.yaml")).expect("copy dossier.yaml");
}

/// Replaces the first `from` in `file` (under `root`) with `to`.
#[track_caller]
pub(crate) fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} contains {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Every file under `dir` by `/`-separated relative path, with its bytes.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                let name = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(format!("{name}/"), Vec::new());
                walk(base, &path, out);
            } else {
                let name = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts two snapshots are identical, naming the files that differ.
#[track_caller]
pub(crate) fn assert_same_files(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    let mut differences = Vec::new();
    for (name, bytes) in before {
        match after.get(name) {
            None => differences.push(format!("removed: {name}")),
            Some(b) if b != bytes => differences.push(format!("changed: {name}")),
            Some(_) => {}
        }
    }
    for name in after.keys().filter(|n| !before.contains_key(*n)) {
        differences.push(format!("added: {name}"));
    }
    assert!(
        differences.is_empty(),
        "{what}:\n{}",
        differences.join("\n")
    );
}

/// One build of the example dossier, shared by every test that only reads it.
pub(crate) struct SharedBuild {
    pub(crate) root: PathBuf,
    pub(crate) output: Output,
    /// The site prefix the build was made with (`/` or `/sub/`).
    pub(crate) prefix: &'static str,
}

impl SharedBuild {
    pub(crate) fn site(&self) -> Site {
        Site::load(&self.root.join("public"))
    }
}

fn shared_build(args: &[&str], prefix: &'static str) -> SharedBuild {
    shared_build_with(args, prefix, "")
}

/// A shared build of the example with `settings` appended to its
/// `dossier.yaml`.
fn shared_build_with(args: &[&str], prefix: &'static str, settings: &str) -> SharedBuild {
    let parent = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-shared");
    fs::create_dir_all(&parent).unwrap();
    clean_stale(&parent);
    // Kept for the life of the test process; later runs remove it.
    let root = tempfile::Builder::new()
        .prefix("example-")
        .tempdir_in(&parent)
        .unwrap()
        .keep();
    copy_example(&root);
    if !settings.is_empty() {
        let yaml = root.join("dossier.yaml");
        let text = fs::read_to_string(&yaml).unwrap();
        fs::write(&yaml, format!("{text}{settings}")).unwrap();
    }
    let output = run(&root, args);
    output.assert_code(0);
    SharedBuild {
        root,
        output,
        prefix,
    }
}

/// Removes shared builds left by earlier test runs (older than an hour).
fn clean_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if old {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// `dossier build` of the example with default settings.
pub(crate) fn default_build() -> &'static SharedBuild {
    static BUILD: OnceLock<SharedBuild> = OnceLock::new();
    BUILD.get_or_init(|| shared_build(&["build"], "/"))
}

/// `dossier build --base-url https://example.org/sub/` of the example.
pub(crate) fn sub_build() -> &'static SharedBuild {
    static BUILD: OnceLock<SharedBuild> = OnceLock::new();
    BUILD.get_or_init(|| {
        shared_build(
            &["build", "--base-url", "https://example.org/sub/"],
            "/sub/",
        )
    })
}

/// Pages of [`paged_build`] that the browser checks (axe-core, widths)
/// look at: the timeline's overview by year (chart and year counts), a
/// year page, a later page of a paged list with its pager, and lists side
/// by side, each its share of every page.
pub(crate) const PAGED_PAGES: &[&str] = &[
    "timeline/",
    "timeline/2019/",
    "annotations/claims/page/2/",
    "entities/lazarus-group/",
    "entities/lazarus-group/page/2/",
    "incidents/bangladesh-bank-2016/page/2/",
    "techniques/T1090/page/2/",
];

/// `dossier build` of the example with `timeline_page_size: 2`: the
/// timeline becomes an overview by year, with year pages, some of them
/// paged.
pub(crate) fn paged_build() -> &'static SharedBuild {
    static BUILD: OnceLock<SharedBuild> = OnceLock::new();
    BUILD.get_or_init(|| shared_build_with(&["build"], "/", "timeline_page_size: 2\n"))
}

/// `dossier build --tlp amber` of the example.
pub(crate) fn amber_build() -> &'static SharedBuild {
    static BUILD: OnceLock<SharedBuild> = OnceLock::new();
    BUILD.get_or_init(|| shared_build(&["build", "--tlp", "amber"], "/"))
}

pub(crate) fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e:?}"))
}

/// Text of an element with runs of whitespace collapsed to one space.
pub(crate) fn text_of(element: ElementRef<'_>) -> String {
    normalize_ws(&element.text().collect::<String>())
}

pub(crate) fn normalize_ws(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whitespace collapsed and typographic quotes made straight, as anchoring compares.
pub(crate) fn normalize_quote(text: &str) -> String {
    normalize_ws(text)
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => '"',
            other => other,
        })
        .collect()
}

/// A generated site: every file of an output folder, HTML parsed on demand.
pub(crate) struct Site {
    pub(crate) files: BTreeMap<String, Vec<u8>>,
    parsed: RefCell<HashMap<String, Rc<Html>>>,
    ids: RefCell<HashMap<String, Rc<HashSet<String>>>>,
}

impl Site {
    pub(crate) fn load(dir: &Path) -> Site {
        assert!(dir.is_dir(), "no site at {}", dir.display());
        let files = snapshot(dir)
            .into_iter()
            .filter(|(name, _)| !name.ends_with('/'))
            .collect();
        Site {
            files,
            parsed: RefCell::default(),
            ids: RefCell::default(),
        }
    }

    /// Paths of every HTML page (`articles/x/index.html`).
    pub(crate) fn html_pages(&self) -> Vec<String> {
        self.files
            .keys()
            .filter(|p| p.ends_with(".html"))
            .cloned()
            .collect()
    }

    pub(crate) fn has(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub(crate) fn text(&self, path: &str) -> String {
        let bytes = self
            .files
            .get(path)
            .unwrap_or_else(|| panic!("no file {path} in the site"));
        String::from_utf8(bytes.clone()).unwrap_or_else(|_| panic!("{path} is not UTF-8"))
    }

    /// The parsed page at `path` (a file path like `timeline/index.html`).
    pub(crate) fn page(&self, path: &str) -> Rc<Html> {
        if let Some(html) = self.parsed.borrow().get(path) {
            return Rc::clone(html);
        }
        let html = Rc::new(Html::parse_document(&self.text(path)));
        self.parsed
            .borrow_mut()
            .insert(path.to_string(), Rc::clone(&html));
        html
    }

    /// Every `id` on the page at `path`.
    pub(crate) fn ids(&self, path: &str) -> Rc<HashSet<String>> {
        if let Some(ids) = self.ids.borrow().get(path) {
            return Rc::clone(ids);
        }
        let page = self.page(path);
        let ids: HashSet<String> = page
            .select(&sel("[id]"))
            .filter_map(|e| e.value().attr("id"))
            .map(str::to_string)
            .collect();
        let ids = Rc::new(ids);
        self.ids
            .borrow_mut()
            .insert(path.to_string(), Rc::clone(&ids));
        ids
    }
}

/// The URL path of the file at `path` under `prefix` (`/sub/articles/x/`).
pub(crate) fn url_of(prefix: &str, path: &str) -> String {
    let path = path.strip_suffix("index.html").unwrap_or(path);
    format!("{prefix}{path}")
}

/// Where a link inside the site points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Another site: not checked.
    External,
    /// A file of the site (`articles/x/index.html`) and an optional fragment.
    Internal {
        path: String,
        fragment: Option<String>,
    },
    /// An internal-looking link that cannot be inside the site.
    Outside(String),
}

/// How links of a site are resolved: its URL path prefix and its host, if any.
pub(crate) struct Resolver<'a> {
    pub(crate) prefix: &'a str,
    pub(crate) host: Option<&'a str>,
}

impl Resolver<'_> {
    /// Resolves `link` found on the page at file path `page`.
    pub(crate) fn resolve(&self, page: &str, link: &str) -> Target {
        let link = link.trim();
        let lower = link.to_ascii_lowercase();
        if ["mailto:", "tel:", "data:"]
            .iter()
            .any(|s| lower.starts_with(s))
        {
            return Target::External;
        }
        let (link, fragment) = match link.split_once('#') {
            Some((l, f)) => (l, Some(percent_decode(f))),
            None => (link, None),
        };
        let link = link.split_once('?').map_or(link, |(l, _)| l);
        let scheme = ["http://", "https://"]
            .into_iter()
            .find(|s| lower.starts_with(s));
        let absolute = if let Some(scheme) = scheme {
            let rest = &link[scheme.len()..];
            let host = rest.split('/').next().unwrap_or("");
            if !self.host.is_some_and(|h| h.eq_ignore_ascii_case(host)) {
                return Target::External;
            }
            let path = &rest[host.len()..];
            if path.is_empty() {
                "/".to_string()
            } else {
                path.to_string()
            }
        } else if let Some(rest) = link.strip_prefix("//") {
            let host = rest.split('/').next().unwrap_or("");
            if Some(host) != self.host {
                return Target::External;
            }
            rest[host.len()..].to_string()
        } else if link.contains(':')
            && !link.starts_with('/')
            && link.split(':').next().is_some_and(is_scheme)
        {
            return Target::Outside(format!("unknown scheme in {link}"));
        } else if link.starts_with('/') {
            link.to_string()
        } else {
            // Relative to the page's own URL, or the page itself.
            let base = url_of(self.prefix, page);
            if link.is_empty() {
                base
            } else {
                let dir = &base[..base.rfind('/').map_or(0, |i| i + 1)];
                format!("{dir}{link}")
            }
        };
        let absolute = normalize_path(&percent_decode(&absolute));
        let Some(inside) = absolute.strip_prefix(self.prefix) else {
            return Target::Outside(absolute);
        };
        let path = if inside.is_empty() || inside.ends_with('/') {
            format!("{inside}index.html")
        } else {
            inside.to_string()
        };
        Target::Internal { path, fragment }
    }
}

fn is_scheme(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// Removes `.` and `..` segments of an absolute URL path.
fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "." => {}
            ".." => {
                parts.pop();
            }
            "" if i > 0 && i + 1 < segments.len() => {}
            other => parts.push(other),
        }
    }
    let mut out = parts.join("/");
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    if (path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..")) && !out.ends_with('/')
    {
        out.push('/');
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every link and asset reference of an HTML page: (attribute value, element name).
pub(crate) fn links_of(page: &Html) -> Vec<(String, String)> {
    let mut links = Vec::new();
    for element in page.select(&sel("[href], [src]")) {
        for attr in ["href", "src"] {
            if let Some(value) = element.value().attr(attr) {
                links.push((value.to_string(), element.value().name().to_string()));
            }
        }
    }
    links
}

/// Checks every `href`/`src` of every HTML page resolves to a file of the
/// site, and every fragment to an element id of its page. Returns the broken
/// links, one line each.
pub(crate) fn broken_links(site: &Site, resolver: &Resolver<'_>) -> Vec<String> {
    let mut broken = Vec::new();
    for page in site.html_pages() {
        for (link, element) in links_of(&site.page(&page)) {
            if let Some(problem) = check_link(site, resolver, &page, &link) {
                broken.push(format!("{page}: <{element}> {link}: {problem}"));
            }
        }
    }
    broken
}

/// Asserts every internal link of a site published at `/` resolves.
#[track_caller]
pub(crate) fn assert_links_resolve_at_root(site: &Site) {
    let root = Resolver {
        prefix: "/",
        host: None,
    };
    let broken = broken_links(site, &root);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Why `link` on `page` does not resolve, if it does not.
pub(crate) fn check_link(
    site: &Site,
    resolver: &Resolver<'_>,
    page: &str,
    link: &str,
) -> Option<String> {
    match resolver.resolve(page, link) {
        Target::External => None,
        Target::Outside(why) => Some(format!(
            "outside the site prefix `{}` ({why})",
            resolver.prefix
        )),
        Target::Internal { path, fragment } => {
            if !site.has(&path) {
                return Some(format!("no file {path}"));
            }
            match fragment {
                Some(fragment) if !fragment.is_empty() => {
                    if !path.ends_with(".html") {
                        return Some(format!("fragment #{fragment} on a non-HTML file {path}"));
                    }
                    (!site.ids(&path).contains(&fragment))
                        .then(|| format!("no id `{fragment}` on {path}"))
                }
                _ => None,
            }
        }
    }
}

/// A crude XML well-formedness check: balanced, properly nested tags, one
/// root element, quoted attributes and valid entity references.
pub(crate) fn check_xml(text: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = text;
    let mut offset = 0;
    let advance = |rest: &mut &str, offset: &mut usize, n: usize| {
        *rest = &rest[n..];
        *offset += n;
    };
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let (end_marker, skip) = if after.starts_with("?") {
                ("?>", true)
            } else if after.starts_with("!--") {
                ("-->", true)
            } else if after.starts_with("![CDATA[") {
                ("]]>", true)
            } else if after.starts_with('!') {
                (">", true)
            } else {
                (">", false)
            };
            let end = rest
                .find(end_marker)
                .ok_or_else(|| format!("unterminated markup at byte {offset}"))?;
            let tag = &rest[1..end];
            advance(&mut rest, &mut offset, end + end_marker.len());
            if skip {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let name = name.trim();
                match stack.pop() {
                    Some(open) if open == name => {}
                    other => return Err(format!("`</{name}>` closes {other:?} at byte {offset}")),
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name: String = tag.chars().take_while(|c| !c.is_whitespace()).collect();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || ":_-.".contains(c))
            {
                return Err(format!("bad tag name `{name}` at byte {offset}"));
            }
            check_attributes(&tag[name.len()..])
                .map_err(|e| format!("<{name}> at byte {offset}: {e}"))?;
            if stack.is_empty() {
                roots += 1;
            }
            if !self_closing {
                stack.push(name);
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let chunk = &rest[..end];
            if stack.is_empty() && !chunk.trim().is_empty() {
                return Err(format!("text outside the root element at byte {offset}"));
            }
            check_entities(chunk).map_err(|e| format!("{e} at byte {offset}"))?;
            advance(&mut rest, &mut offset, end);
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements: {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

fn check_attributes(mut text: &str) -> Result<(), String> {
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return Ok(());
        }
        let eq = text.find('=').ok_or("attribute without a value")?;
        let value = text[eq + 1..].trim_start();
        let quote = value.chars().next().ok_or("attribute without a value")?;
        if quote != '"' && quote != '\'' {
            return Err("unquoted attribute".into());
        }
        let close = value[1..].find(quote).ok_or("unterminated attribute")?;
        let inner = &value[1..1 + close];
        if inner.contains('<') {
            return Err("`<` in an attribute".into());
        }
        check_entities(inner)?;
        text = &value[close + 2..];
    }
}

fn check_entities(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        rest = &rest[i + 1..];
        let end = rest.find(';').ok_or("`&` without `;`")?;
        let name = &rest[..end];
        let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
            || name
                .strip_prefix("#x")
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || name
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            return Err(format!("bad entity `&{name};`"));
        }
        rest = &rest[end + 1..];
    }
    Ok(())
}

/// The text content of every `<tag>...</tag>` in an XML document.
pub(crate) fn xml_texts(text: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        rest = &rest[i + open.len()..];
        let Some(end) = rest.find(&close) else { break };
        out.push(rest[..end].trim().replace("&amp;", "&"));
        rest = &rest[end..];
    }
    out
}

/// The value of attribute `attr` of every `<tag ...>` in an XML document.
pub(crate) fn xml_attrs(text: &str, tag: &str, attr: &str) -> Vec<String> {
    let open = format!("<{tag} ");
    let needle = format!("{attr}=\"");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(&open) {
        rest = &rest[i + open.len()..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag_text = &rest[..end];
        if let Some(j) = tag_text.find(&needle) {
            let value = &tag_text[j + needle.len()..];
            if let Some(k) = value.find('"') {
                out.push(value[..k].replace("&amp;", "&"));
            }
        }
    }
    out
}

/// One annotation of the example dossier, read straight from its YAML.
#[derive(Debug, Clone)]
pub(crate) struct ExampleAnnotation {
    pub(crate) article: String,
    pub(crate) id: String,
    pub(crate) quote: String,
    pub(crate) incidents: Vec<String>,
    pub(crate) entities: Vec<String>,
    /// Published at the default level: its own and its article's TLP are clear
    /// and the article is not a draft.
    pub(crate) published: bool,
}

/// Front matter of `content/articles/<id>.md` as YAML.
pub(crate) fn front_matter(markdown: &str) -> serde_yaml::Value {
    let rest = markdown
        .strip_prefix("---")
        .expect("front matter starts with ---");
    let end = rest.find("\n---").expect("front matter ends with ---");
    serde_yaml::from_str(&rest[..end]).expect("front matter parses")
}

fn is_clear(value: Option<&serde_yaml::Value>) -> bool {
    value
        .and_then(|v| v.as_str())
        .is_none_or(|tlp| tlp.eq_ignore_ascii_case("clear"))
}

fn strings(value: Option<&serde_yaml::Value>) -> Vec<String> {
    value
        .and_then(|v| v.as_sequence())
        .map(|s| {
            s.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every annotation of every article in `root/content/articles`.
pub(crate) fn example_annotations(root: &Path) -> Vec<ExampleAnnotation> {
    let dir = root.join("content/articles");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".annotations.yaml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let article = name.strip_suffix(".annotations.yaml").unwrap().to_string();
        let markdown = fs::read_to_string(dir.join(format!("{article}.md"))).unwrap();
        let matter = front_matter(&markdown);
        let article_public = is_clear(matter.get("tlp"))
            && matter.get("draft").and_then(|d| d.as_bool()) != Some(true);
        let items: serde_yaml::Value =
            serde_yaml::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
        for (position, item) in items
            .as_sequence()
            .expect("an annotations file is a list")
            .iter()
            .enumerate()
        {
            let id = item
                .get("id")
                .and_then(|v| v.as_str())
                .map_or_else(|| format!("a{}", position + 1), str::to_string);
            out.push(ExampleAnnotation {
                article: article.clone(),
                id,
                quote: item
                    .get("quote")
                    .and_then(|v| v.as_str())
                    .expect("a quote")
                    .to_string(),
                incidents: strings(item.get("incidents")),
                entities: strings(item.get("entities")),
                published: article_public && is_clear(item.get("tlp")),
            });
        }
    }
    out
}

/// A date of the form `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, partial dates at the
/// first day of their period.
pub(crate) fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.trim().split('-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let day = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    if parts.next().is_some() {
        return None;
    }
    Some((year, month, day))
}

/// The helpers above decide what the other tests accept: they get tests too.
mod selftest {
    use super::*;

    #[test]
    fn links_resolve_against_the_page_and_the_prefix() {
        let r = Resolver {
            prefix: "/sub/",
            host: Some("example.org"),
        };
        let internal = |path: &str, fragment: Option<&str>| Target::Internal {
            path: path.into(),
            fragment: fragment.map(str::to_string),
        };
        let page = "articles/x/index.html";
        assert_eq!(
            r.resolve(page, "/sub/timeline/"),
            internal("timeline/index.html", None)
        );
        assert_eq!(r.resolve(page, "#a1"), internal(page, Some("a1")));
        assert_eq!(
            r.resolve(page, "../y/#n%2D1"),
            internal("articles/y/index.html", Some("n-1"))
        );
        assert_eq!(
            r.resolve(page, "https://example.org/sub/style.css?v=1"),
            internal("style.css", None)
        );
        assert_eq!(
            r.resolve("404.html", "style.css"),
            internal("style.css", None)
        );
        assert_eq!(r.resolve(page, "https://example.com/x"), Target::External);
        assert_eq!(r.resolve(page, "mailto:desk@example.org"), Target::External);
        assert!(matches!(r.resolve(page, "/timeline/"), Target::Outside(_)));
        assert!(matches!(
            r.resolve(page, "https://example.org/other/"),
            Target::Outside(_)
        ));
        assert!(matches!(
            r.resolve(page, "../../../../etc/"),
            Target::Outside(_)
        ));
    }

    #[test]
    fn the_link_checker_reports_missing_files_and_fragments() {
        let dir = tempfile::tempdir().unwrap();
        let page = r##"<!doctype html><html><head><link rel="stylesheet" href="/style.css"></head>
            <body><p id="here"><a href="#here">ok</a> <a href="#gone">bad</a> <a href="/a/">ok</a>
            <a href="/missing/">bad</a> <img src="/logo.svg"> <a href="https://else.org/">ext</a></p></body></html>"##;
        fs::write(dir.path().join("index.html"), page).unwrap();
        fs::create_dir_all(dir.path().join("a")).unwrap();
        fs::write(
            dir.path().join("a/index.html"),
            "<html><a href='/#here'>back</a></html>",
        )
        .unwrap();
        fs::write(dir.path().join("style.css"), "").unwrap();
        let site = Site::load(dir.path());
        let broken = broken_links(
            &site,
            &Resolver {
                prefix: "/",
                host: None,
            },
        );
        assert_eq!(broken.len(), 3, "{broken:#?}");
        assert!(
            broken[0].contains("#gone")
                && broken[1].contains("/missing/")
                && broken[2].contains("logo.svg")
        );
    }

    #[test]
    fn the_xml_check_rejects_malformed_documents() {
        assert_eq!(
            check_xml(
                "<?xml version=\"1.0\"?>\n<a x=\"1 &amp; 2\"><b/><c>&#39;</c><!-- - --></a>\n"
            ),
            Ok(())
        );
        for bad in [
            "<a><b></a></b>",
            "<a>",
            "<a></a><b></b>",
            "<a>&nbsp;</a>",
            "<a x=1></a>",
            "<a>x & y</a>",
        ] {
            assert!(check_xml(bad).is_err(), "{bad} is accepted");
        }
        assert_eq!(
            xml_texts("<u><loc> /x/ </loc><loc>/y/</loc></u>", "loc"),
            ["/x/", "/y/"]
        );
        assert_eq!(
            xml_attrs("<f><link rel=\"a\" href=\"/x/\"/></f>", "link", "href"),
            ["/x/"]
        );
    }

    #[test]
    fn quotes_compare_across_whitespace_and_typographic_quotes() {
        assert_eq!(
            normalize_quote("the \u{201C}panel\u{201D}\n  said it\u{2019}s"),
            "the \"panel\" said it's"
        );
        assert_eq!(parse_date("2019-08"), Some((2019, 8, 1)));
        assert!(parse_date("2019") < parse_date("2019-01-02"));
    }
}
