//! The pages that gather things (SPEC.md section 3): tags, the annotation
//! ledger, year pages and paged lists, per-tag and per-entity feeds, the
//! print page. Each is checked against the dossier's own YAML, by parsing
//! the HTML the real binary wrote.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use crate::support::{
    Site, assert_links_resolve_at_root, check_xml, default_build, edit, example,
    example_annotations, run, sel, text_of, xml_texts,
};

/// Every published annotation of the example, as `/articles/<id>/#<id>`.
fn published_annotations() -> BTreeSet<String> {
    example_annotations(crate::support::repo())
        .into_iter()
        .filter(|a| a.published)
        .map(|a| format!("/articles/{}/#{}", a.article, a.id))
        .collect()
}

/// The quote links of every backlink on a page.
fn backlinks(site: &Site, path: &str) -> Vec<String> {
    site.page(path)
        .select(&sel(".backlink blockquote a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect()
}

#[test]
fn every_printed_tag_links_to_a_page_that_lists_its_item() {
    let site = default_build().site();
    let mut tagged = 0;
    for page in site.html_pages() {
        if page.starts_with("tags/") || page.starts_with("print/") {
            continue;
        }
        let html = site.page(&page);
        for list in html.select(&sel("ul.tags")) {
            for item in list.select(&sel("li")) {
                let link = item.select(&sel("a[rel=tag]")).next().unwrap_or_else(|| {
                    panic!("{page}: a tag that is not a link: {}", text_of(item))
                });
                let href = link.value().attr("href").unwrap();
                assert!(
                    href.starts_with("/tags/") && href.ends_with('/'),
                    "{page}: {href}"
                );
                let tag_page = format!("{}index.html", href.trim_start_matches('/'));
                assert!(site.has(&tag_page), "{page}: no page {tag_page}");
                tagged += 1;
            }
        }
    }
    assert!(tagged > 20, "the example prints its tags ({tagged})");
    // Each article on a tag page carries the tag on its own page.
    let tag_pages: Vec<String> = site
        .html_pages()
        .into_iter()
        .filter(|p| p.starts_with("tags/") && p != "tags/index.html")
        .collect();
    let index = site.page("tags/index.html");
    assert_eq!(
        index.select(&sel("ul.tag-index > li")).count(),
        tag_pages.len(),
        "the tag index lists every tag page"
    );
    for tag_page in &tag_pages {
        let href = format!("/{}", tag_page.trim_end_matches("index.html"));
        let html = site.page(tag_page);
        for a in html.select(&sel(
            ".related-articles a, .related-incidents a, .related-entities a",
        )) {
            let item = format!(
                "{}index.html",
                a.value().attr("href").unwrap().trim_start_matches('/')
            );
            let carries = site
                .page(&item)
                .select(&sel("ul.tags a"))
                .any(|t| t.value().attr("href") == Some(href.as_str()));
            assert!(
                carries,
                "{tag_page} lists {item}, which does not carry the tag"
            );
        }
        assert!(site.has(&format!("{}feed.xml", href.trim_start_matches('/'))));
    }
}

#[test]
fn the_ledger_holds_every_published_annotation_once_by_kind() {
    let site = default_build().site();
    let overview = site.page("annotations/index.html");
    let sections: Vec<(String, usize)> = overview
        .select(&sel(".ledger-section h2"))
        .map(|h| {
            let a = h.select(&sel("a")).next().unwrap();
            let count: usize = text_of(h.select(&sel(".count")).next().unwrap())
                .parse()
                .unwrap();
            (a.value().attr("href").unwrap().to_string(), count)
        })
        .collect();
    assert_eq!(
        sections.iter().map(|(h, _)| h.as_str()).collect::<Vec<_>>(),
        [
            "/annotations/questions/",
            "/annotations/corrections/",
            "/annotations/claims/",
            "/annotations/context/",
            "/annotations/notes/"
        ]
    );
    let mut listed = BTreeSet::new();
    for (href, count) in &sections {
        let page = format!("{}index.html", href.trim_start_matches('/'));
        let links = backlinks(&site, &page);
        assert_eq!(links.len(), *count, "{page}");
        for link in links {
            assert!(listed.insert(link.clone()), "{link} is listed twice");
        }
        // Every entry links its note too.
        for note in site.page(&page).select(&sel(".backlink-meta a.kind")) {
            let href = note.value().attr("href").unwrap();
            assert!(href.contains("#note-"), "{page}: {href}");
        }
    }
    assert_eq!(listed, published_annotations());
    // Claims are grouped by confidence, high first.
    let claims = site.page("annotations/claims/index.html");
    let groups: Vec<String> = claims
        .select(&sel(".ledger-group h2"))
        .map(text_of)
        .collect();
    let order = [
        "High confidence",
        "Moderate confidence",
        "Low confidence",
        "Unstated confidence",
    ];
    let mut at = 0;
    for group in &groups {
        let i = order
            .iter()
            .position(|o| o == group)
            .unwrap_or_else(|| panic!("{group}"));
        assert!(i >= at, "claims out of order: {groups:?}");
        at = i;
    }
}

/// The example built with two entries per page: the timeline splits into
/// year pages and every longer list is paged.
#[test]
fn small_pages_split_the_timeline_by_year_and_page_long_lists() {
    let dossier = example();
    let root = dossier.path();
    let config = root.join("dossier.yaml");
    let text = fs::read_to_string(&config).unwrap();
    run(root, &["build"]).assert_code(0);
    let whole = Site::load(&root.join("public"));
    fs::write(&config, format!("{text}\ntimeline_page_size: 2\n")).unwrap();
    fs::remove_dir_all(root.join("public")).unwrap();
    run(root, &["build"]).assert_code(0);
    let paged = Site::load(&root.join("public"));
    assert_links_resolve_at_root(&paged);

    // The whole timeline's entries by year.
    let mut by_year: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let timeline = whole.page("timeline/index.html");
    let mut year = String::new();
    for li in timeline.select(&sel("ol.timeline > li")) {
        if li.value().classes().any(|c| c == "year") {
            year = text_of(li);
        } else {
            let href = li.select(&sel(".entry-title a")).next().unwrap();
            by_year
                .entry(year.clone())
                .or_default()
                .push(href.value().attr("href").unwrap().into());
        }
    }

    // /timeline/ is an overview linking each year with its count.
    let overview = paged.page("timeline/index.html");
    assert_eq!(overview.select(&sel("ol.timeline")).count(), 0);
    let counts: BTreeMap<String, usize> = overview
        .select(&sel("ol.year-counts > li"))
        .map(|li| {
            let a = li.select(&sel("a")).next().unwrap();
            let n = text_of(li.select(&sel(".count")).next().unwrap());
            (text_of(a), n.split(' ').next().unwrap().parse().unwrap())
        })
        .collect();
    assert_eq!(
        counts,
        by_year.iter().map(|(y, e)| (y.clone(), e.len())).collect(),
        "the overview counts each year's entries"
    );
    assert!(overview.select(&sel("svg.timeline-chart a")).count() > 0);

    // Each year's pages hold exactly its entries, in order, two per page.
    for (year, entries) in &by_year {
        let mut seen = Vec::new();
        let mut page = format!("timeline/{year}/index.html");
        loop {
            let html = paged.page(&page);
            let here: Vec<String> = html
                .select(&sel("ol.timeline .entry-title a"))
                .map(|a| a.value().attr("href").unwrap().to_string())
                .collect();
            assert!(here.len() <= 2, "{page}: {here:?}");
            for head in html.select(&sel("ol.timeline .entry-head")) {
                let start = head.select(&sel("time")).next().unwrap();
                let datetime = start.value().attr("datetime").unwrap();
                assert!(datetime.starts_with(year.as_str()), "{page}: {datetime}");
            }
            seen.extend(here);
            let next = html.select(&sel("nav.pager a[rel=next]")).next();
            match next {
                Some(a) => {
                    page = format!(
                        "{}index.html",
                        a.value().attr("href").unwrap().trim_start_matches('/')
                    )
                }
                None => break,
            }
        }
        assert_eq!(&seen, entries, "{year}");
    }

    // An incident's annotations, paged, are the same as on one page.
    let incident = "incidents/bangladesh-bank-2016/";
    let all = backlinks(&whole, &format!("{incident}index.html"));
    assert!(
        all.len() > 2,
        "the example's Bangladesh incident has annotations"
    );
    let mut seen = Vec::new();
    let mut n = 1;
    loop {
        let page = if n == 1 {
            format!("{incident}index.html")
        } else {
            format!("{incident}page/{n}/index.html")
        };
        if !paged.has(&page) {
            break;
        }
        let here = backlinks(&paged, &page);
        assert!(here.len() <= 2, "{page}");
        seen.extend(here);
        n += 1;
    }
    assert_eq!(seen, all);

    // A later page of an entity or incident continues its lists only: the
    // overview (names, relationships, techniques, charts) stays on the
    // first page, as it was on one page, and the later page links it.
    // Every page of a paged list has a title of its own.
    let title =
        |site: &Site, page: &str| text_of(site.page(page).select(&sel("title")).next().unwrap());
    let inner = |site: &Site, page: &str, css: &str| -> Vec<String> {
        site.page(page)
            .select(&sel(css))
            .map(|e| e.html())
            .collect()
    };
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    let mut continued = 0;
    for page in paged.html_pages() {
        let Some((first_url, _)) = page.split_once("page/") else {
            continue;
        };
        let first = format!("{first_url}index.html");
        for p in [&page, &first] {
            if let Some(other) = titles.insert(title(&paged, p), p.clone()) {
                assert_eq!(&other, p, "two pages share a title");
            }
        }
        if !(first.starts_with("entities/") || first.starts_with("incidents/")) {
            continue;
        }
        continued += 1;
        let overview = [
            "section.names",
            "section.relationships",
            "section.techniques",
            "figure.chart",
        ];
        for css in overview {
            assert_eq!(
                inner(&paged, &page, css),
                Vec::<String>::new(),
                "{page}: {css}"
            );
            assert_eq!(
                inner(&paged, &first, css),
                inner(&whole, &first, css),
                "{first}: {css} as on one page"
            );
        }
        let html = paged.page(&page);
        let back = html.select(&sel("p.continued a")).next();
        let back = back.unwrap_or_else(|| panic!("{page} links its first page"));
        assert_eq!(
            back.value().attr("href"),
            Some(format!("/{first_url}").as_str())
        );
    }
    assert!(
        continued > 1,
        "the paged example has later pages of entities and incidents"
    );

    // So are a technique's entities, incidents and annotations: each page
    // holds its share of each list, in order.
    let uses = |site: &Site, page: &str| -> [Vec<String>; 3] {
        let html = site.page(page);
        let hrefs = |css: &str| -> Vec<String> {
            html.select(&sel(css))
                .map(|a| a.value().attr("href").unwrap().to_string())
                .collect()
        };
        [
            hrefs(".related-entities li a"),
            hrefs(".related-incidents li a"),
            hrefs(".backlink blockquote a"),
        ]
    };
    let techniques: Vec<String> = whole
        .html_pages()
        .into_iter()
        .filter(|p| p.starts_with("techniques/T"))
        .collect();
    let mut longest = 0;
    for first in &techniques {
        let all = uses(&whole, first);
        let mut seen: [Vec<String>; 3] = Default::default();
        let mut page = first.clone();
        let mut pages = 0;
        loop {
            pages += 1;
            let here = uses(&paged, &page);
            for (list, here) in seen.iter_mut().zip(here) {
                assert!(here.len() <= 2, "{page}: {here:?}");
                list.extend(here);
            }
            let html = paged.page(&page);
            let next = html.select(&sel("nav.pager a[rel=next]")).next();
            match next {
                Some(a) => {
                    let href = a.value().attr("href").unwrap().trim_start_matches('/');
                    page = format!("{href}index.html");
                }
                None => break,
            }
        }
        assert_eq!(seen, all, "{first}");
        longest = longest.max(pages);
    }
    assert!(
        longest > 1,
        "some technique of the example has more than two uses of a kind"
    );
}

#[test]
fn tags_and_entities_have_atom_feeds() {
    let site = default_build().site();
    let feed = site.text("entities/lazarus-group/feed.xml");
    check_xml(&feed).unwrap();
    assert!(xml_texts(&feed, "title")[0].contains("Lazarus Group"));
    assert!(
        !xml_texts(&feed, "entry").is_empty(),
        "the group's feed has entries"
    );
    let tag = site.text("tags/swift/feed.xml");
    check_xml(&tag).unwrap();
    assert!(!xml_texts(&tag, "entry").is_empty());
    let page = site.page("entities/lazarus-group/index.html");
    assert!(
        page.select(&sel("link[rel=alternate][type='application/atom+xml']"))
            .any(|l| l.value().attr("href") == Some("/entities/lazarus-group/feed.xml"))
    );
}

#[test]
fn the_print_page_holds_every_article_and_unique_ids() {
    let site = default_build().site();
    let print = site.page("print/index.html");
    let articles: BTreeSet<String> = print
        .select(&sel("article.print-item h2 a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    let listed: BTreeSet<String> = published_annotations()
        .iter()
        .map(|a| a.split('#').next().unwrap().to_string())
        .collect();
    assert!(listed.is_subset(&articles), "{listed:?} / {articles:?}");
    let mut ids = BTreeSet::new();
    for element in print.select(&sel("[id]")) {
        let id = element.value().attr("id").unwrap();
        assert!(
            ids.insert(id.to_string()),
            "id {id} appears twice on /print/"
        );
    }
}

/// A techniques table row names the first five places a technique was
/// seen and links the technique's page for the rest, so that an actor
/// named by thousands of annotations does not make its page that long.
#[test]
fn a_techniques_row_names_five_places_and_links_the_rest() {
    let dossier = example();
    let root = dossier.path();
    // Every incident the Lazarus Group acts in uses T1486 too.
    let incidents = [
        "bangladesh-bank-2016",
        "electricfish-advisory-2019",
        "hoplight-advisory-2019",
        "sony-pictures-2014",
        "un-panel-report-2019",
    ];
    for id in incidents {
        let file = format!("content/incidents/{id}.yaml");
        edit(root, &file, "\ntechniques: [", "\ntechniques: [T1486, ");
    }
    run(root, &["build"]).assert_code(0);
    let site = Site::load(&root.join("public"));
    let page = site.page("entities/lazarus-group/index.html");
    let row = page
        .select(&sel(".techniques tbody tr"))
        .find(|tr| {
            tr.select(&sel("th a"))
                .any(|a| a.value().attr("href") == Some("/techniques/T1486/"))
        })
        .expect("a T1486 row");
    let places: Vec<_> = row.select(&sel("td:last-child > a")).collect();
    let (more, shown) = places.split_last().unwrap();
    assert_eq!(
        shown.len(),
        5,
        "{:?}",
        places.iter().map(|a| text_of(*a)).collect::<Vec<_>>()
    );
    assert_eq!(more.value().attr("href"), Some("/techniques/T1486/"));
    let text = text_of(*more);
    let n: usize = text
        .strip_prefix("and ")
        .and_then(|t| t.strip_suffix(" more"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{text:?} says how many more"));
    assert!(n >= 1, "six incidents and the WannaCry annotations: {n}");
    // The technique's page lists every incident, the hidden ones too.
    let technique = site.page("techniques/T1486/index.html");
    let listed: BTreeSet<String> = technique
        .select(&sel(".related-incidents li a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    for id in incidents.iter().chain(&["wannacry-2017"]) {
        assert!(
            listed.contains(&format!("/incidents/{id}/")),
            "{id}: {listed:?}"
        );
    }
    // Every citation the row keeps has its reference on the page.
    for cite in row.select(&sel("sup.cite a")) {
        let target = cite.value().attr("href").unwrap().trim_start_matches('#');
        assert!(
            page.select(&sel(&format!("[id='{target}']")))
                .next()
                .is_some(),
            "{target}"
        );
    }
}
