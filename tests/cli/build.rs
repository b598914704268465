//! The example dossier (`content/` of the repository) builds cleanly into a
//! site that honours the HTML contract of SPEC.md section 3.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::{
    Resolver, SharedBuild, Site, Target, broken_links, check_xml, default_build,
    example_annotations, links_of, normalize_quote, parse_date, sel, sub_build, text_of, url_of,
    xml_attrs, xml_texts,
};

fn resolver(build: &SharedBuild) -> Resolver<'static> {
    Resolver {
        prefix: build.prefix,
        host: (build.prefix != "/").then_some("example.org"),
    }
}

/// Internal targets of every link on `page`: (file path, fragment).
fn link_targets(
    site: &Site,
    resolver: &Resolver<'_>,
    page: &str,
) -> BTreeSet<(String, Option<String>)> {
    links_of(&site.page(page))
        .into_iter()
        .filter_map(|(link, _)| match resolver.resolve(page, &link) {
            Target::Internal { path, fragment } => Some((path, fragment)),
            _ => None,
        })
        .collect()
}

fn pages_under<'a>(site: &'a Site, folder: &'a str) -> impl Iterator<Item = String> + 'a {
    site.html_pages().into_iter().filter(move |p| {
        p.strip_prefix(folder)
            .and_then(|rest| rest.strip_suffix("/index.html"))
            .is_some_and(|id| !id.is_empty() && !id.contains('/'))
    })
}

#[test]
fn build_prints_one_summary_line_with_pages_annotations_and_time() {
    let build = default_build();
    let site = build.site();
    let lines: Vec<&str> = build.output.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one summary line on stdout, got:\n{}",
        build.output.stdout
    );
    let words: Vec<&str> = lines[0].split(' ').collect();
    assert!(
        matches!(
            words.as_slice(),
            [
                "Built",
                _,
                "pages",
                "with",
                _,
                "annotations",
                "into",
                "public/",
                "in",
                _,
                "ms"
            ]
        ),
        "summary line `{}` is not `Built N pages with M annotations into public/ in T ms`",
        lines[0]
    );
    let pages: usize = words[1].parse().expect("a page count");
    let annotations: usize = words[4].parse().expect("an annotation count");
    words[9].parse::<u64>().expect("a time in ms");
    assert_eq!(
        pages,
        site.html_pages().len(),
        "pages counted = HTML pages written"
    );
    let published = example_annotations(&build.root)
        .iter()
        .filter(|a| a.published)
        .count();
    assert_eq!(
        annotations, published,
        "annotations counted = annotations published at the default level"
    );
}

#[test]
fn every_published_annotation_is_marked_with_its_quote_and_has_its_note() {
    let build = default_build();
    let site = build.site();
    let annotations = example_annotations(&build.root);
    assert!(
        annotations.iter().filter(|a| a.published).count() >= 10,
        "the example has annotations"
    );
    let mut problems = Vec::new();
    for a in annotations.iter().filter(|a| a.published) {
        let path = format!("articles/{}/index.html", a.article);
        let page = site.page(&path);
        let where_ = format!("{path} annotation `{}`", a.id);
        let marks: Vec<_> = page
            .select(&sel("mark[data-annotation]"))
            .filter(|m| m.value().attr("data-annotation") == Some(a.id.as_str()))
            .collect();
        let Some(first) = marks.first() else {
            problems.push(format!("{where_}: no <mark data-annotation>"));
            continue;
        };
        let with_id: Vec<_> = page
            .select(&sel("[id]"))
            .filter(|e| e.value().attr("id") == Some(a.id.as_str()))
            .collect();
        if with_id.len() != 1 {
            problems.push(format!(
                "{where_}: {} elements with id=\"{}\"",
                with_id.len(),
                a.id
            ));
        }
        if first.value().attr("id") != Some(a.id.as_str()) {
            problems.push(format!(
                "{where_}: the first mark does not carry id=\"{}\"",
                a.id
            ));
        }
        if !site.ids(&path).contains(&format!("note-{}", a.id)) {
            problems.push(format!("{where_}: no element with id=\"note-{}\"", a.id));
        }
        // Marks of one annotation may nest in marks of another, never in their own.
        let text: String = marks
            .iter()
            .filter(|m| {
                !m.ancestors()
                    .filter_map(scraper::ElementRef::wrap)
                    .any(|p| {
                        p.value().name() == "mark"
                            && p.value().attr("data-annotation") == Some(a.id.as_str())
                    })
            })
            .map(|m| m.text().collect::<String>())
            .collect();
        if normalize_quote(&text) != normalize_quote(&a.quote) {
            problems.push(format!(
                "{where_}: marked text {:?} != quote {:?}",
                normalize_quote(&text),
                a.quote
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn timeline_is_an_ordered_list_of_every_incident_and_article_in_date_order() {
    let build = default_build();
    let site = build.site();
    let resolver = resolver(build);
    let page = site.page("timeline/index.html");
    let list = page
        .select(&sel("ol"))
        .find(|ol| ol.select(&sel("li time[datetime]")).next().is_some())
        .expect("the timeline page has an <ol> of dated entries");
    let entries: Vec<_> = list
        .child_elements()
        .filter(|li| {
            li.value().name() == "li" && li.select(&sel("time[datetime]")).next().is_some()
        })
        .collect();
    let mut dates = Vec::new();
    let mut linked = BTreeSet::new();
    for entry in &entries {
        let time = entry.select(&sel("time[datetime]")).next().unwrap();
        let datetime = time.value().attr("datetime").unwrap();
        let date = parse_date(datetime).unwrap_or_else(|| panic!("bad datetime {datetime:?}"));
        dates.push((date, text_of(*entry)));
        let links: Vec<_> = entry
            .select(&sel("a[href]"))
            .filter_map(|a| {
                match resolver.resolve("timeline/index.html", a.value().attr("href").unwrap()) {
                    Target::Internal { path, .. }
                        if path.starts_with("incidents/") || path.starts_with("articles/") =>
                    {
                        Some(path)
                    }
                    _ => None,
                }
            })
            .collect();
        assert!(
            !links.is_empty(),
            "timeline entry `{}` links no incident or article",
            text_of(*entry)
        );
        linked.extend(links);
    }
    for pair in dates.windows(2) {
        assert!(
            pair[0].0 <= pair[1].0,
            "timeline out of order:\n{}\n{}",
            pair[0].1,
            pair[1].1
        );
    }
    let items: BTreeSet<String> = pages_under(&site, "incidents/")
        .chain(pages_under(&site, "articles/"))
        .collect();
    assert!(
        items.len() >= 8,
        "the example has incidents and articles: {items:?}"
    );
    let missing: Vec<_> = items.difference(&linked).collect();
    assert!(
        missing.is_empty(),
        "not linked from the timeline: {missing:?}"
    );
    assert_eq!(
        entries.len(),
        items.len(),
        "one timeline entry per incident and article"
    );
}

/// The front page chart is a named group of links, never an image (an image
/// cannot hold links: axe-core's `nested-interactive`), one link per item of
/// the timeline, each named by its kind, date and title.
#[test]
fn the_front_page_chart_is_a_named_group_of_named_links_to_every_item() {
    let build = default_build();
    let site = build.site();
    let resolver = resolver(build);
    let page = site.page("index.html");
    let chart = page
        .select(&sel("svg.timeline-chart"))
        .next()
        .expect("the front page has the chart");
    assert_eq!(chart.value().attr("role"), Some("group"));
    let label = chart.value().attr("aria-labelledby").expect("a name");
    let title = page
        .select(&sel(&format!("svg title#{label}")))
        .next()
        .expect("aria-labelledby names the chart's title");
    assert!(
        text_of(title).starts_with("Timeline of "),
        "{}",
        text_of(title)
    );
    let mut linked = BTreeSet::new();
    for mark in chart.select(&sel("a")) {
        let href = mark.value().attr("href").expect("a mark links its item");
        let name = mark
            .child_elements()
            .next()
            .filter(|t| t.value().name() == "title")
            .map(text_of)
            .unwrap_or_default();
        assert!(
            name.starts_with("Incident, ") || name.starts_with("Article, "),
            "the mark for {href} is named `{name}`"
        );
        if let Target::Internal { path, .. } = resolver.resolve("index.html", href) {
            linked.insert(path);
        }
    }
    let items: BTreeSet<String> = pages_under(&site, "incidents/")
        .chain(pages_under(&site, "articles/"))
        .collect();
    assert_eq!(linked, items, "one mark per incident and article");
    for hidden in chart.select(&sel("[aria-hidden=true]")) {
        assert!(
            hidden.select(&sel("a")).next().is_none(),
            "a link is hidden from assistive technology"
        );
    }
}

#[test]
fn every_page_links_the_timeline() {
    let build = default_build();
    let site = build.site();
    let resolver = resolver(build);
    let without: Vec<String> = site
        .html_pages()
        .into_iter()
        .filter(|page| {
            !link_targets(&site, &resolver, page)
                .iter()
                .any(|(path, _)| path == "timeline/index.html")
        })
        .collect();
    assert!(
        without.is_empty(),
        "pages without a link to the timeline: {without:?}"
    );
}

#[test]
fn incident_and_entity_pages_link_every_annotation_that_references_them() {
    let build = default_build();
    let site = build.site();
    let resolver = resolver(build);
    let mut expected: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for a in example_annotations(&build.root)
        .into_iter()
        .filter(|a| a.published)
    {
        for incident in &a.incidents {
            expected
                .entry(format!("incidents/{incident}/index.html"))
                .or_default()
                .push((a.article.clone(), a.id.clone()));
        }
        for entity in &a.entities {
            let page = format!("entities/{entity}/index.html");
            // Restricted entities have no page; that is checked in tlp.rs.
            if site.has(&page) {
                expected
                    .entry(page)
                    .or_default()
                    .push((a.article.clone(), a.id.clone()));
            }
        }
    }
    assert!(
        expected.keys().any(|p| p.starts_with("incidents/")),
        "the example has backlinks"
    );
    let mut missing = Vec::new();
    for (page, annotations) in &expected {
        assert!(site.has(page), "no page {page}");
        let targets = link_targets(&site, &resolver, page);
        for (article, id) in annotations {
            let target = (format!("articles/{article}/index.html"), Some(id.clone()));
            if !targets.contains(&target) {
                missing.push(format!("{page}: no link to /articles/{article}/#{id}"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

fn assert_links_resolve(build: &SharedBuild) {
    let site = build.site();
    let resolver = resolver(build);
    let broken = broken_links(&site, &resolver);
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
    // The checker must have seen real links, assets and fragments.
    let links: Vec<_> = site
        .html_pages()
        .iter()
        .flat_map(|p| links_of(&site.page(p)))
        .collect();
    assert!(
        links
            .iter()
            .any(|(l, e)| e == "link" && l.contains("style.css")),
        "a stylesheet link"
    );
    assert!(
        links
            .iter()
            .any(|(l, _)| l.contains("/articles/") && l.contains('#')),
        "links to annotations"
    );
}

#[test]
fn every_internal_link_and_asset_resolves() {
    assert_links_resolve(default_build());
}

#[test]
fn every_internal_link_resolves_under_a_base_url_path_prefix() {
    let build = sub_build();
    assert_links_resolve(build);
    let site = build.site();
    let mut wrong = Vec::new();
    for page in site.html_pages() {
        for (link, element) in links_of(&site.page(&page)) {
            let rooted = link.starts_with('/') && !link.starts_with("//");
            if rooted && !link.starts_with("/sub/") {
                wrong.push(format!("{page}: <{element}> {link}"));
            }
            if link.starts_with("https://example.org")
                && !link.starts_with("https://example.org/sub/")
            {
                wrong.push(format!("{page}: <{element}> {link}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "internal links outside /sub/:\n{}",
        wrong.join("\n")
    );
}

fn assert_feed_and_sitemap(build: &SharedBuild) {
    let site = build.site();
    let resolver = resolver(build);
    let articles: BTreeSet<String> = pages_under(&site, "articles/").collect();
    assert!(!articles.is_empty());
    for file in ["feed.xml", "sitemap.xml"] {
        let text = site.text(file);
        if let Err(e) = check_xml(&text) {
            panic!("{file} is not well-formed XML: {e}");
        }
    }
    let feed = site.text("feed.xml");
    let sitemap = site.text("sitemap.xml");
    let feed_links = xml_attrs(&feed, "link", "href");
    let locs = xml_texts(&sitemap, "loc");
    for (file, urls) in [("feed.xml", &feed_links), ("sitemap.xml", &locs)] {
        let mut listed = BTreeSet::new();
        for url in urls {
            match resolver.resolve(file, url) {
                Target::Internal { path, .. } => {
                    assert!(
                        site.has(&path),
                        "{file} lists {url}, which is not in the site"
                    );
                    listed.insert(path);
                }
                other => panic!("{file} lists {url}, outside the site: {other:?}"),
            }
        }
        let missing: Vec<_> = articles.difference(&listed).collect();
        assert!(missing.is_empty(), "{file} does not list {missing:?}");
    }
    if build.prefix != "/" {
        for loc in &locs {
            assert!(
                loc.starts_with("https://example.org/sub/"),
                "sitemap <loc> {loc} is not under the base URL"
            );
        }
        let expected = url_of("https://example.org/sub/", "articles/");
        assert!(locs.iter().any(|l| l.starts_with(&expected)));
    }
}

#[test]
fn feed_and_sitemap_are_xml_listing_every_article() {
    assert_feed_and_sitemap(default_build());
}

#[test]
fn feed_and_sitemap_honour_the_base_url() {
    assert_feed_and_sitemap(sub_build());
}

#[test]
fn partial_dates_sort_as_the_first_day_of_their_period_and_ties_by_title() {
    let root = tempfile::tempdir().unwrap();
    let incidents = root.path().join("content/incidents");
    std::fs::create_dir_all(&incidents).unwrap();
    for (id, title, date) in [
        ("zeta", "Beta event", "2020"),
        ("alpha", "Alpha event", "\"2020-01-01\""),
        ("mid", "Gamma event", "2019-12"),
        ("late", "Delta event", "2020-01-02"),
    ] {
        std::fs::write(
            incidents.join(format!("{id}.yaml")),
            format!("title: \"{title}\"\ndate: {date}\n"),
        )
        .unwrap();
    }
    crate::support::run(root.path(), &["build"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    let page = site.page("timeline/index.html");
    let entries: Vec<(String, String)> = page
        .select(&sel("ol li"))
        .filter_map(|li| {
            let time = li.select(&sel("time[datetime]")).next()?;
            let link = li.select(&sel("a[href]")).next()?;
            Some((time.value().attr("datetime")?.to_string(), text_of(link)))
        })
        .collect();
    let titles: Vec<&str> = entries.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        titles,
        ["Gamma event", "Alpha event", "Beta event", "Delta event"],
        "{entries:?}"
    );
    let datetimes: Vec<&str> = entries.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(
        datetimes,
        ["2019-12", "2020-01-01", "2020", "2020-01-02"],
        "dates keep their precision"
    );
}
