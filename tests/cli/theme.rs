//! The built-in theme: a folder with only `content/` builds, and the user's
//! `templates/` and `static/` override the built-in files by name.

use std::fs;

use crate::support::{
    Site, assert_links_resolve_at_root, copy_fixture, example, fixture, run, sel, text_of,
};

#[test]
fn a_folder_with_only_content_builds_with_the_built_in_theme() {
    let root = copy_fixture(&fixture("minimal"));
    assert!(!root.path().join("dossier.yaml").exists() && !root.path().join("templates").exists());
    assert!(!root.path().join("static").exists());
    run(root.path(), &["build"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    for file in [
        "index.html",
        "style.css",
        "syntax.css",
        "404.html",
        "timeline/index.html",
    ] {
        assert!(site.has(file), "the built-in theme writes {file}");
    }
    assert!(
        !site.text("style.css").trim().is_empty(),
        "style.css has rules"
    );
    let index = site.page("index.html");
    let title = index.select(&sel("head title")).next().expect("a <title>");
    assert!(
        text_of(title).contains("Dossier"),
        "default site title: {}",
        text_of(title)
    );
    assert!(
        text_of(index.root_element()).contains("Dossier"),
        "the title shows on the page"
    );
    assert_links_resolve_at_root(&site);
}

#[test]
fn user_templates_and_static_files_override_the_built_in_ones() {
    let root = copy_fixture(&fixture("minimal"));
    let templates = root.path().join("templates");
    let assets = root.path().join("static");
    fs::create_dir_all(&templates).unwrap();
    fs::create_dir_all(assets.join("docs")).unwrap();
    fs::write(
        templates.join("404.html"),
        "<!doctype html>\n<html lang=\"en\"><head><title>Lost</title></head>\
         <body><h1 id=\"custom-404\">Nothing here, sorry</h1></body></html>\n",
    )
    .unwrap();
    fs::write(assets.join("extra.txt"), "extra file\n").unwrap();
    fs::write(assets.join("docs/nested.txt"), "nested file\n").unwrap();
    let css = "/* the user's own stylesheet */\nbody { color: rebeccapurple; }\n";
    fs::write(assets.join("style.css"), css).unwrap();

    run(root.path(), &["build"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    let not_found = site.page("404.html");
    let heading = not_found
        .select(&sel("#custom-404"))
        .next()
        .expect("the user's 404 template is used");
    assert_eq!(text_of(heading), "Nothing here, sorry");
    assert_eq!(site.files["extra.txt"], b"extra file\n");
    assert_eq!(site.files["docs/nested.txt"], b"nested file\n");
    assert_eq!(
        site.files["style.css"],
        css.as_bytes(),
        "static/style.css replaces the built-in one"
    );
    assert!(
        site.has("syntax.css") && site.has("favicon.svg"),
        "other built-in assets stay"
    );
    // Pages without an override keep the built-in templates.
    assert!(site.page("index.html").select(&sel("a[href]")).count() > 2);
}

/// The classes on the spans of the highlighted code blocks of `page`.
fn code_classes(site: &Site, page: &str) -> Vec<String> {
    let page = site.page(page);
    page.select(&sel("pre.code span[class]"))
        .flat_map(|span| {
            span.value()
                .attr("class")
                .unwrap()
                .split(' ')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn code_carries_only_the_classes_its_stylesheet_uses_unless_the_dossier_has_its_own() {
    let root = copy_fixture(&fixture("minimal"));
    run(root.path(), &["build"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    let page = "articles/field-report/index.html";
    let classes = code_classes(&site, page);
    assert!(!classes.is_empty(), "the Rust block is highlighted");
    let css = site.text("syntax.css");
    for class in &classes {
        assert!(
            css.contains(&format!(".{class}")),
            "{class} is on a span but in no rule of syntax.css"
        );
    }
    // A whole-scope class no built-in rule names is left out.
    assert!(!classes.iter().any(|c| c == "hl-source"), "{classes:?}");

    // With a stylesheet of its own, any scope may be styled: all stay.
    let assets = root.path().join("static");
    fs::create_dir_all(&assets).unwrap();
    fs::write(assets.join("syntax.css"), ".hl-source { color: teal; }\n").unwrap();
    run(root.path(), &["build"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    let classes = code_classes(&site, page);
    assert!(classes.iter().any(|c| c == "hl-source"), "{classes:?}");
}

/// Gives the dossier at `root` the built-in components with `attribute`
/// added to the `backlink` component's element.
fn override_backlink(root: &std::path::Path, attribute: &str) {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = fs::read_to_string(manifest.join("templates/partials/components.html")).unwrap();
    let element = "<div class=\"backlink backlink-{{ b.kind }}\"";
    assert!(text.contains(element), "the built-in backlink component");
    let partials = root.join("templates/partials");
    fs::create_dir_all(&partials).unwrap();
    let text = text.replacen(element, &format!("{element} {attribute}"), 1);
    fs::write(partials.join("components.html"), text).unwrap();
}

#[test]
fn an_overridden_backlink_component_shows_on_every_page_that_lists_annotations() {
    let plain = example();
    run(plain.path(), &["build"]).assert_code(0);
    let before = Site::load(&plain.path().join("public"));

    let root = example();
    override_backlink(root.path(), "data-mine=\"{{ b.id }}\"");
    run(root.path(), &["build"]).assert_code(0);
    let after = Site::load(&root.path().join("public"));

    // Every listed annotation, on every page that lists one, is the
    // component's: the ids it prints are those of the built-in theme's
    // entries, page by page.
    let mut pages = 0;
    for page in before.html_pages() {
        let listed: Vec<String> = before
            .page(&page)
            .select(&sel("div.backlink blockquote a"))
            .map(|a| {
                a.value()
                    .attr("href")
                    .unwrap()
                    .rsplit('#')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let mine: Vec<String> = after
            .page(&page)
            .select(&sel("div.backlink[data-mine]"))
            .map(|d| d.value().attr("data-mine").unwrap().to_string())
            .collect();
        assert_eq!(mine, listed, "{page}");
        pages += usize::from(!listed.is_empty());
    }
    assert!(
        pages > 20,
        "entity, incident, tag, technique and ledger pages list annotations ({pages})"
    );
}

#[test]
fn a_failing_backlink_component_fails_the_build_and_names_it() {
    let root = example();
    run(root.path(), &["build"]).assert_code(0);
    let index = fs::read(root.path().join("public/index.html")).unwrap();
    override_backlink(root.path(), "data-n=\"{{ b.quote | int }}\"");
    let out = run(root.path(), &["build"]);
    assert_ne!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stderr.contains("`backlink` component") && out.stderr.contains("annotation"),
        "{}",
        out.stderr
    );
    assert_eq!(
        fs::read(root.path().join("public/index.html")).unwrap(),
        index,
        "the previous output stays"
    );
}
