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

/// The bytes of a site file as a reader would get them (gzipped files
/// decompressed), for scanning.
fn readable(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = bytes.to_vec();
        if flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .is_ok()
        {
            return out;
        }
    }
    bytes.to_vec()
}

/// Files of `site` holding `needle`, compressed ones included.
fn files_holding(site: &Site, needle: &str) -> Vec<String> {
    site.files
        .iter()
        .filter(|(_, bytes)| {
            readable(bytes)
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
        })
        .map(|(name, _)| name.clone())
        .collect()
}

#[test]
fn relations_and_techniques_of_a_withheld_item_leave_no_trace() {
    let root = copy_fixture(&fixture("withheld-actor"));
    let content = root.path().join("content");
    // A published entity with a relation to the withheld actor, and the
    // withheld actor with techniques, a relation of its own and named aliases.
    fs::write(
        content.join("entities/open-bank.yaml"),
        "name: \"Open Bank\"\nkind: organisation\nrelations:\n  - type: related-to\n    \
         target: zz-hidden-actor\n    note: \"Quillfeather ledger link.\"\n    sources:\n      \
         - { title: \"Quillfeather memo\", url: \"https://example.org/quillfeather\" }\n",
    )
    .unwrap();
    fs::write(
        content.join("entities/sable-loader.yaml"),
        "name: \"Sable Loader\"\nkind: malware\ntechniques: [T1059]\nrelations:\n  \
         - type: targets\n    target: open-bank\n    note: \"Seen at the bank.\"\n",
    )
    .unwrap();
    let actor = content.join("entities/zz-hidden-actor.yaml");
    let mut yaml = fs::read_to_string(&actor).unwrap();
    yaml = yaml.replace(
        "aliases: [\"Mongoose Collective\"]",
        "aliases:\n  - { name: \"Mongoose Collective\", by: \"Marbleglass Labs\", note: \"Marbleglass naming.\" }",
    );
    yaml += "techniques: [T1486]\nrelations:\n  - type: uses\n    target: sable-loader\n    \
             note: \"Quillfeather tooling.\"\n";
    fs::write(&actor, yaml).unwrap();
    let annotations = content.join("articles/report.annotations.yaml");
    let mut yaml = fs::read_to_string(&annotations).unwrap();
    yaml += "- id: desk-only-caveat\n  quote: \"lost money\"\n  note: \"Quillfeather caveat.\"\n  \
             techniques: [T1566.001]\n  entities: [sable-loader]\n  tlp: amber\n";
    fs::write(&annotations, yaml).unwrap();
    let incident = content.join("incidents/quiet-heist.yaml");
    let mut yaml = fs::read_to_string(&incident).unwrap();
    yaml += "malware: [sable-loader]\n";
    fs::write(&incident, yaml).unwrap();

    run(root.path(), &["build"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    for needle in [
        "Velvet Mongoose",
        "Mongoose",
        "zz-hidden-actor",
        "Known to the desk only",
        "Quillfeather",
        "quillfeather",
        "Marbleglass",
        "desk-only-caveat",
        "T1486",
        "Data Encrypted for Impact",
        "T1566",
        "Spearphishing Attachment",
    ] {
        let found = files_holding(&site, needle);
        assert!(found.is_empty(), "`{needle}` leaked into {found:?}");
    }
    // What is published is there: the malware, its technique, its layer,
    // and its relation to the bank.
    assert!(site.has("entities/sable-loader/attack-layer.json"));
    assert!(!site.has("entities/zz-hidden-actor/attack-layer.json"));
    let layer = site.text("attack-layer.json");
    assert!(layer.contains("\"T1059\""), "{layer}");
    let doc: serde_json::Value = serde_json::from_str(&site.text("dossier.json")).unwrap();
    let entity = |id: &str| {
        doc["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        entity("open-bank")["relations"],
        serde_json::json!([]),
        "the relation to the withheld actor disappears"
    );
    assert_eq!(entity("sable-loader")["relations"][0]["type"], "targets");
    let stix = site.text("stix.json");
    assert!(stix.contains("Seen at the bank."));
    assert!(stix.contains("\"attack-pattern\""));

    // Published at amber, all of it is there.
    run(root.path(), &["build", "--tlp", "amber"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    for needle in [
        "Velvet Mongoose",
        "Quillfeather",
        "Marbleglass",
        "T1486",
        "T1566.001",
    ] {
        assert!(
            !files_holding(&site, needle).is_empty(),
            "`{needle}` is published at amber"
        );
    }
    assert!(site.has("entities/zz-hidden-actor/attack-layer.json"));
    for path in ["attack-layer.json", "stix.json", "dossier.json"] {
        let text = site.text(path);
        assert!(
            text.contains("T1486") && text.contains("T1566.001"),
            "{path}"
        );
    }
}
