//! Publishing by TLP level (SPEC.md section 4): nothing above the published
//! level reaches any output file, and references to withheld items render as
//! plain text.

use std::fs;

use crate::support::{
    RESTRICTED, Site, amber_build, assert_links_resolve_at_root, copy_fixture, default_build,
    example_annotations, fixture, run, sel, text_of,
};

/// Which output files contain `needle`, as bytes.
fn files_containing(site: &Site, needle: &str) -> Vec<String> {
    site.files
        .iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Elements of `page` whose whole text is exactly `label`.
fn labels(site: &Site, page: &str, label: &str) -> usize {
    site.page(page)
        .select(&sel("body *"))
        .filter(|e| text_of(*e) == label)
        .count()
}

#[test]
fn the_default_build_contains_no_byte_of_restricted_items() {
    let site = default_build().site();
    let leaks: Vec<String> = RESTRICTED
        .iter()
        .flat_map(|needle| {
            files_containing(&site, needle)
                .into_iter()
                .map(move |f| format!("`{needle}` in {f}"))
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "restricted content published:\n{}",
        leaks.join("\n")
    );
    assert!(!site.has("articles/grey-lantern-assessment/index.html"));
    assert!(!site.has("entities/analyst-source-x/index.html"));
    let pages_with_amber: Vec<_> = site
        .html_pages()
        .into_iter()
        .filter(|p| labels(&site, p, "TLP:AMBER") > 0)
        .collect();
    assert!(
        pages_with_amber.is_empty(),
        "TLP:AMBER labels in a clear build: {pages_with_amber:?}"
    );
}

#[test]
fn restricted_annotations_are_not_marked_in_the_default_build() {
    let build = default_build();
    let site = build.site();
    let hidden: Vec<_> = example_annotations(&build.root)
        .into_iter()
        .filter(|a| !a.published)
        .collect();
    assert!(
        hidden.iter().any(|a| a.id == "copper-wren-caveat"),
        "the example has an amber annotation"
    );
    for a in hidden {
        let page = format!("articles/{}/index.html", a.article);
        if site.has(&page) {
            let selector = format!("[data-annotation=\"{}\"], #note-{}", a.id, a.id);
            assert_eq!(
                site.page(&page).select(&sel(&selector)).count(),
                0,
                "{page} shows annotation {}",
                a.id
            );
        }
    }
}

#[test]
fn a_link_to_a_restricted_item_renders_as_plain_text() {
    let site = default_build().site();
    let page = site.page("articles/bangladesh-bank-heist/index.html");
    let body = text_of(page.root_element());
    assert!(
        body.contains("a restricted source note"),
        "the link text stays in the article"
    );
    let linked: Vec<_> = page
        .select(&sel("a"))
        .filter(|a| text_of(*a).contains("restricted source note"))
        .collect();
    assert!(
        linked.is_empty(),
        "the restricted link text is still a link: {:?}",
        linked[0].html()
    );
}

#[test]
fn an_amber_build_includes_the_restricted_items_with_their_labels() {
    let build = amber_build();
    let site = build.site();
    for needle in RESTRICTED {
        assert!(
            !files_containing(&site, needle).is_empty(),
            "`{needle}` is published with --tlp amber"
        );
    }
    assert!(
        site.has("entities/analyst-source-x/index.html"),
        "the amber entity has a page"
    );
    for page in [
        "articles/grey-lantern-assessment/index.html",
        "articles/un-panel-2bn-proceeds/index.html",
    ] {
        assert!(
            labels(&site, page, "TLP:AMBER") > 0,
            "{page} shows a TLP:AMBER label"
        );
    }
    let page = site.page("articles/un-panel-2bn-proceeds/index.html");
    assert!(
        page.select(&sel("mark#copper-wren-caveat"))
            .next()
            .is_some(),
        "the amber annotation is marked"
    );
    assert_links_resolve_at_root(&site);
}

#[test]
fn a_withheld_actor_renders_as_plain_text_without_its_name_or_id() {
    let root = copy_fixture(&fixture("withheld-actor"));
    run(root.path(), &["build"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    for needle in [
        "Velvet Mongoose",
        "Mongoose",
        "zz-hidden-actor",
        "Known to the desk only",
    ] {
        assert!(
            files_containing(&site, needle).is_empty(),
            "`{needle}` leaked into {:?}",
            files_containing(&site, needle)
        );
    }
    let page = site.page("incidents/quiet-heist/index.html");
    let withheld: Vec<_> = page
        .select(&sel("main *"))
        .filter(|e| text_of(*e).starts_with("withheld") && e.select(&sel("a")).next().is_none())
        .collect();
    assert!(
        !withheld.is_empty(),
        "the actor shows as plain `withheld` text:\n{}",
        site.text("incidents/quiet-heist/index.html")
    );
    for a in page.select(&sel("a")) {
        assert!(
            !text_of(a).contains("withheld"),
            "a withheld item is linked: {}",
            a.html()
        );
    }
    assert!(
        site.page("incidents/quiet-heist/index.html")
            .select(&sel("a[href*=\"open-bank\"]"))
            .next()
            .is_some()
    );

    // The same dossier published at amber names and links the actor.
    run(root.path(), &["build", "--tlp", "amber"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    let page = site.page("incidents/quiet-heist/index.html");
    assert!(
        page.select(&sel("a[href=\"/entities/zz-hidden-actor/\"]"))
            .next()
            .is_some()
    );
    assert!(text_of(page.root_element()).contains("Velvet Mongoose"));
}

#[test]
fn a_link_to_a_withheld_annotation_renders_as_plain_text_without_its_id() {
    let root = copy_fixture(&fixture("withheld-actor"));
    let content = root.path().join("content");
    let annotations = content.join("articles/report.annotations.yaml");
    let mut yaml = fs::read_to_string(&annotations).unwrap();
    yaml +=
        "- id: desk-only-caveat\n  quote: \"lost money\"\n  note: \"A caveat.\"\n  tlp: amber\n";
    fs::write(&annotations, yaml).unwrap();
    fs::write(
        content.join("entities/open-bank.yaml"),
        "name: \"Open Bank\"\nkind: organisation\nsummary: |\n  See [the caveat](@report#desk-only-caveat) \
         and [its note](@report#note-desk-only-caveat).\n",
    )
    .unwrap();
    run(root.path(), &["build"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    let leaked = files_containing(&site, "desk-only-caveat");
    assert!(
        leaked.is_empty(),
        "the withheld annotation's id is in {leaked:?}"
    );
    let page = site.page("entities/open-bank/index.html");
    assert!(text_of(page.root_element()).contains("See the caveat and its note."));

    run(root.path(), &["build", "--tlp", "amber"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    let page = site.page("entities/open-bank/index.html");
    for href in [
        "/articles/report/#desk-only-caveat",
        "/articles/report/#note-desk-only-caveat",
    ] {
        let link = sel(&format!("a[href=\"{href}\"]"));
        assert!(page.select(&link).next().is_some(), "no link to {href}");
    }
}
