//! The analyst's model on the pages (SPEC.md section 2.8): relationships on
//! both ends, techniques with their sources, an entity's own timeline and
//! neighbourhood graph. Each is checked against the example's own YAML, by
//! parsing the HTML the real binary wrote.

use std::collections::BTreeSet;
use std::fs;

use crate::support::{Site, default_build, repo, sel, text_of};

/// An item file of the example: (`entities` or `incidents`, id, YAML).
fn items() -> Vec<(&'static str, String, serde_yaml::Value)> {
    let mut out = Vec::new();
    for folder in ["entities", "incidents"] {
        let dir = repo().join("content").join(folder);
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let id = path.file_stem().unwrap().to_string_lossy().into_owned();
            let yaml = serde_yaml::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            out.push((folder, id, yaml));
        }
    }
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out
}

fn page_of(folder: &str, id: &str) -> String {
    format!("{folder}/{id}/index.html")
}

fn strings(value: &serde_yaml::Value, key: &str) -> Vec<String> {
    value[key]
        .as_sequence()
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the default build (publish_tlp: clear) shows `yaml`'s item or
/// relation: no `tlp` above clear.
fn clear(yaml: &serde_yaml::Value) -> bool {
    yaml["tlp"].as_str().is_none_or(|t| t == "clear")
}

/// The (subject href, object href, citation count) of each relationship
/// row of `direction` on a page.
fn rows(site: &Site, page: &str, direction: &str) -> Vec<(String, String, usize)> {
    let html = site.page(page);
    let row_sel = sel(&format!(
        "section.relationships tr.relationship-{direction}"
    ));
    html.select(&row_sel)
        .map(|row| {
            let links: Vec<String> = row
                .select(&sel("th a"))
                .map(|a| a.value().attr("href").unwrap().to_string())
                .collect();
            assert_eq!(links.len(), 2, "{page}: {}", text_of(row));
            let cites = row.select(&sel("sup.cite")).count();
            (links[0].clone(), links[1].clone(), cites)
        })
        .collect()
}

#[test]
fn relationships_show_on_both_ends_with_their_sources() {
    let site = default_build().site();
    let mut checked = 0;
    for (folder, id, yaml) in items() {
        let subject = page_of(folder, &id);
        let Some(relations) = yaml["relations"].as_sequence() else {
            continue;
        };
        for relation in relations {
            let target = relation["target"].as_str().unwrap();
            let object = page_of("entities", target);
            let shown = clear(&yaml) && clear(relation) && site.has(&object);
            let subject_url = format!("/{folder}/{id}/");
            let object_url = format!("/entities/{target}/");
            let sources = relation["sources"].as_sequence().map_or(0, Vec::len);
            let outgoing = rows(&site, &subject, "outgoing");
            let found = outgoing
                .iter()
                .find(|(s, o, _)| *s == subject_url && *o == object_url);
            if !shown {
                assert!(found.is_none(), "{subject}: a withheld relation shows");
                continue;
            }
            let found = found.unwrap_or_else(|| panic!("{subject}: no row for {object_url}"));
            assert!(
                found.2 >= sources,
                "{subject}: {object_url} cites {}",
                found.2
            );
            let incoming = rows(&site, &object, "incoming");
            assert!(
                incoming
                    .iter()
                    .any(|(s, o, _)| *s == subject_url && *o == object_url),
                "{object}: no incoming row from {subject_url}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 5, "the example has relationships ({checked})");
    // Row ids are unique on each page, and the timeline links to them.
    for page in site.html_pages() {
        let html = site.page(&page);
        let ids: Vec<&str> = html
            .select(&sel("tr.relationship"))
            .map(|r| r.value().attr("id").unwrap())
            .collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(ids.len(), unique.len(), "{page}: {ids:?}");
    }
}

#[test]
fn incident_pages_show_their_techniques_with_sources() {
    let site = default_build().site();
    let mut checked = 0;
    for (folder, id, yaml) in items() {
        let techniques = strings(&yaml, "techniques");
        if folder != "incidents" || techniques.is_empty() || !clear(&yaml) {
            continue;
        }
        let page = site.page(&page_of(folder, &id));
        let table = page
            .select(&sel("section.techniques table"))
            .next()
            .unwrap_or_else(|| panic!("{id}: no techniques table"));
        for technique in &techniques {
            let row = table
                .select(&sel("tbody tr"))
                .find(|row| text_of(*row).contains(technique.as_str()))
                .unwrap_or_else(|| panic!("{id}: no row for {technique}"));
            let seen = row.select(&sel("td")).last().unwrap();
            let own = seen
                .select(&sel("a"))
                .any(|a| a.value().attr("href") == Some(&format!("/incidents/{id}/")));
            assert!(own, "{id}: {technique} is not seen in the incident itself");
            if yaml["sources"].as_sequence().is_some_and(|s| !s.is_empty()) {
                assert!(
                    seen.select(&sel("sup.cite")).next().is_some(),
                    "{id}: {technique} has no citation"
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 3,
        "the example's incidents name techniques ({checked})"
    );
}

#[test]
fn an_entity_timeline_lists_its_incidents_by_date() {
    let site = default_build().site();
    let incidents: Vec<(String, serde_yaml::Value)> = items()
        .into_iter()
        .filter(|(folder, _, yaml)| *folder == "incidents" && clear(yaml))
        .map(|(_, id, yaml)| (id, yaml))
        .collect();
    let mut checked = 0;
    for (folder, id, _) in items() {
        if folder != "entities" || !site.has(&page_of(folder, &id)) {
            continue;
        }
        let page = site.page(&page_of(folder, &id));
        let expected: BTreeSet<String> = incidents
            .iter()
            .filter(|(_, x)| {
                ["actors", "targets", "malware"]
                    .iter()
                    .any(|k| strings(x, k).contains(&id))
            })
            .map(|(x, _)| format!("/incidents/{x}/"))
            .collect();
        let entries = sel("section.entity-timeline li.entry-incident");
        let listed: Vec<(String, String)> = page
            .select(&entries)
            .map(|li| {
                let date = li.select(&sel("time")).next().unwrap();
                let link = li.select(&sel(".entry-title a")).next().unwrap();
                (
                    date.value().attr("datetime").unwrap().to_string(),
                    link.value().attr("href").unwrap().to_string(),
                )
            })
            .collect();
        let hrefs: BTreeSet<String> = listed.iter().map(|(_, h)| h.clone()).collect();
        assert_eq!(hrefs, expected, "{id}: the timeline's incidents");
        let dates: Vec<&String> = listed.iter().map(|(d, _)| d).collect();
        assert!(dates.is_sorted(), "{id}: not in date order: {dates:?}");
        // Each year heading holds the entries after it.
        for year in page.select(&sel("section.entity-timeline li.year")) {
            let y = text_of(year);
            assert_eq!(year.value().attr("id"), Some(&*format!("timeline-{y}")));
        }
        if !expected.is_empty() {
            let chart = page
                .select(&sel("section.entity-timeline svg.timeline-chart"))
                .next()
                .unwrap_or_else(|| panic!("{id}: no chart"));
            let marks: BTreeSet<String> = chart
                .select(&sel("a.chart-mark"))
                .map(|a| a.value().attr("href").unwrap().to_string())
                .filter(|h| h.starts_with("/incidents/"))
                .collect();
            assert_eq!(marks, expected, "{id}: the chart's incidents");
            checked += 1;
        }
    }
    assert!(checked >= 5, "entities with incidents ({checked})");
}

#[test]
fn the_neighbourhood_graph_links_every_related_item() {
    let site = default_build().site();
    let mut checked = 0;
    for (folder, id, yaml) in items() {
        if folder != "entities" || !clear(&yaml) {
            continue;
        }
        let page = site.page(&page_of(folder, &id));
        let targets: BTreeSet<String> = yaml["relations"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter(|r| clear(r))
            .filter_map(|r| r["target"].as_str())
            .filter(|t| site.has(&page_of("entities", t)))
            .map(|t| format!("/entities/{t}/"))
            .collect();
        let Some(graph) = page.select(&sel("svg.neighbourhood")).next() else {
            assert!(targets.is_empty(), "{id}: no graph");
            continue;
        };
        let title = graph.select(&sel("title#graph-title")).next().unwrap();
        assert_eq!(
            graph.value().attr("aria-labelledby"),
            Some("graph-title"),
            "{id}"
        );
        assert!(text_of(title).starts_with("Neighbourhood of "), "{id}");
        let mut nodes = BTreeSet::new();
        for node in graph.select(&sel("a.graph-node")) {
            let href = node.value().attr("href").unwrap();
            let file = format!("{}index.html", href.trim_start_matches('/'));
            assert!(site.has(&file), "{id}: a node links to {href}");
            let name = node.select(&sel("title")).next().unwrap();
            assert!(!text_of(name).trim().is_empty(), "{id}: an unnamed node");
            nodes.insert(href.to_string());
        }
        assert!(nodes.is_superset(&targets), "{id}: {nodes:?} ⊉ {targets:?}");
        checked += 1;
    }
    assert!(checked >= 5, "entities with a graph ({checked})");
}
