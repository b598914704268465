//! `/dossier.json` and `/timeline.json` (SPEC.md section 3): valid under the
//! shipped schema, published items only, the same bytes from the same files,
//! anchors that index the quotes, and one TimelineJS event per timeline entry.

use std::collections::BTreeSet;
use std::fs;

use serde_json::{Value, json};

use crate::support::{
    RESTRICTED, SharedBuild, amber_build, default_build, example, example_annotations,
    normalize_quote, repo, run, sub_build,
};

fn json_file(build: &SharedBuild, name: &str) -> Value {
    let site = build.site();
    serde_json::from_str(&site.text(name)).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

fn validator() -> jsonschema::Validator {
    let text = fs::read_to_string(repo().join("docs/dossier.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft202012::new(&schema).expect("the schema is a valid 2020-12 schema")
}

fn schema_errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn dossier_json_is_valid_under_the_shipped_schema() {
    let validator = validator();
    for build in [default_build(), amber_build(), sub_build()] {
        let doc = json_file(build, "dossier.json");
        let errors = schema_errors(&validator, &doc);
        assert!(
            errors.is_empty(),
            "dossier.json of `{}` breaks the schema:\n{}",
            build.prefix,
            errors.join("\n")
        );
        assert_eq!(doc["version"], 1);
    }
}

#[test]
fn the_schema_rejects_broken_documents() {
    let validator = validator();
    let good = json_file(default_build(), "dossier.json");
    let mut breakages: Vec<(&str, Value)> = Vec::new();
    let mut doc = good.clone();
    doc.as_object_mut().unwrap().remove("articles");
    breakages.push(("no articles", doc));
    let mut doc = good.clone();
    doc["version"] = json!(2);
    breakages.push(("another version", doc));
    let mut doc = good.clone();
    doc["articles"][0]["annotations"][0]["anchor"]["start"] = json!("12");
    breakages.push(("a string offset", doc));
    let mut doc = good.clone();
    doc["incidents"][0]["date"] = json!("24 November 2014");
    breakages.push(("a display date", doc));
    let mut doc = good.clone();
    doc["entities"][0]["tlp"] = json!("white");
    breakages.push(("a TLP 1.0 level", doc));
    let mut doc = good.clone();
    doc["incidents"][0]["actors"][0] = json!({ "withheld": true, "id": "x" });
    breakages.push(("a withheld reference with an id", doc));
    let mut doc = good.clone();
    doc["articles"][0]["extra"] = json!(1);
    breakages.push(("an unknown key", doc));
    let lazarus = entity_index(&good, "lazarus-group");
    let mut doc = good.clone();
    doc["entities"][lazarus]["relations"][0]["target"] = json!({ "withheld": true });
    breakages.push(("a relation to a withheld entity", doc));
    let mut doc = good.clone();
    doc["entities"][lazarus]["relations"][0]["type"] = json!("part_of");
    breakages.push(("an unknown relation type", doc));
    let mut doc = good.clone();
    doc["entities"][lazarus]
        .as_object_mut()
        .unwrap()
        .remove("names");
    breakages.push(("an entity without its names", doc));
    let wannacry = incident_index(&good, "wannacry-2017");
    let mut doc = good.clone();
    doc["incidents"][wannacry]["techniques"][0]["id"] = json!("T14");
    breakages.push(("a malformed technique id", doc));
    let mut doc = good;
    doc["incidents"][wannacry]["techniques"][0]["tactics"] = json!(["impact"]);
    breakages.push(("tactics as bare names", doc));
    for (what, doc) in breakages {
        assert!(!validator.is_valid(&doc), "the schema accepts {what}");
    }
}

fn entity_index(doc: &Value, id: &str) -> usize {
    doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no entity {id}"))
}

fn incident_index(doc: &Value, id: &str) -> usize {
    doc["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no incident {id}"))
}

#[test]
fn dossier_json_carries_relations_techniques_and_names() {
    let doc = json_file(default_build(), "dossier.json");
    let lazarus = &doc["entities"][entity_index(&doc, "lazarus-group")];
    let part_of = lazarus["relations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "part-of")
        .expect("Lazarus Group is part of the RGB");
    assert_eq!(part_of["target"]["id"], "reconnaissance-general-bureau");
    assert_eq!(
        part_of["target"]["url"],
        "/entities/reconnaissance-general-bureau/"
    );
    assert_eq!(part_of["confidence"], "high");
    assert!(part_of["note_html"].as_str().unwrap().contains("Treasury"));
    assert!(!part_of["sources"].as_array().unwrap().is_empty());
    assert_eq!(part_of["tlp"], "clear");
    let names = lazarus["names"].as_array().unwrap();
    let aliases = lazarus["aliases"].as_array().unwrap();
    assert_eq!(names.len(), aliases.len());
    for (n, a) in names.iter().zip(aliases) {
        assert_eq!(&n["name"], a);
    }
    let wannacry = &doc["incidents"][incident_index(&doc, "wannacry-2017")];
    let t1486 = wannacry["techniques"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "T1486")
        .expect("WannaCry encrypted data");
    assert_eq!(t1486["name"], "Data Encrypted for Impact");
    assert_eq!(t1486["url"], "https://attack.mitre.org/techniques/T1486");
    assert_eq!(
        t1486["tactics"],
        json!([{ "id": "TA0040", "shortname": "impact", "name": "Impact" }])
    );
}

#[test]
fn json_exports_publish_only_what_the_site_does() {
    for name in ["dossier.json", "timeline.json"] {
        let text = default_build().site().text(name);
        let leaks: Vec<&str> = RESTRICTED
            .iter()
            .copied()
            .filter(|s| text.contains(s))
            .collect();
        assert!(leaks.is_empty(), "{name} leaks {leaks:?}");
    }
    let amber = amber_build().site().text("dossier.json");
    let missing: Vec<&str> = RESTRICTED
        .iter()
        .copied()
        .filter(|s| !amber.contains(s))
        .collect();
    assert!(
        missing.is_empty(),
        "an amber build's dossier.json lacks {missing:?}"
    );
    assert!(
        amber_build()
            .site()
            .text("timeline.json")
            .contains("grey-lantern-assessment")
    );
}

#[test]
fn references_to_withheld_items_keep_their_place_without_their_id() {
    let dossier = example();
    let annotations = dossier
        .path()
        .join("content/articles/bangladesh-bank-heist.annotations.yaml");
    let text = fs::read_to_string(&annotations).unwrap();
    assert!(text.contains("  entities: ["), "the fixture changed");
    let text = text.replacen("  entities: [", "  entities: [analyst-source-x, ", 1);
    fs::write(&annotations, text).unwrap();
    run(dossier.path(), &["build"]).assert_code(0);
    let text = fs::read_to_string(dossier.path().join("public/dossier.json")).unwrap();
    assert!(!text.contains("analyst-source-x"), "a withheld id leaks");
    let doc: Value = serde_json::from_str(&text).unwrap();
    let article = doc["articles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "bangladesh-bank-heist")
        .unwrap();
    let named = article["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| !n["entities"].as_array().unwrap().is_empty())
        .unwrap();
    assert_eq!(named["entities"][0], json!({ "withheld": true }));
    assert!(validator().is_valid(&doc));
}

#[test]
fn json_exports_are_the_same_bytes_from_the_same_files() {
    let dossier = example();
    run(dossier.path(), &["build", "--output", "one"]).assert_code(0);
    run(dossier.path(), &["build", "--output", "two"]).assert_code(0);
    for name in ["dossier.json", "timeline.json"] {
        let one = fs::read(dossier.path().join("one").join(name)).unwrap();
        let two = fs::read(dossier.path().join("two").join(name)).unwrap();
        assert!(one == two, "{name} differs between two builds");
        let shared = default_build().site();
        assert!(
            shared.files[name] == one,
            "{name} differs between two copies of the example"
        );
    }
}

/// Checks that every annotation's anchor indexes its quote in its article's
/// text; returns the (article, annotation) ids seen.
fn check_anchors(doc: &Value) -> BTreeSet<(String, String)> {
    let mut seen = BTreeSet::new();
    for article in doc["articles"].as_array().unwrap() {
        let text: Vec<char> = article["text"].as_str().unwrap().chars().collect();
        for n in article["annotations"].as_array().unwrap() {
            let anchor = &n["anchor"];
            let (start, end) = (
                anchor["start"].as_u64().unwrap() as usize,
                anchor["end"].as_u64().unwrap() as usize,
            );
            assert!(start < end && end <= text.len(), "anchor {anchor}");
            let slice: String = text[start..end].iter().collect();
            assert_eq!(slice, anchor["exact"].as_str().unwrap());
            assert_eq!(
                normalize_quote(&slice),
                normalize_quote(n["quote"].as_str().unwrap()),
                "the anchor of {} does not hold its quote",
                n["url"]
            );
            let id = n["id"].as_str().unwrap();
            assert_eq!(
                n["url"],
                format!("{}#{id}", article["url"].as_str().unwrap())
            );
            seen.insert((article["id"].as_str().unwrap().to_string(), id.to_string()));
        }
    }
    seen
}

#[test]
fn dossier_json_holds_every_published_annotation_with_its_anchor() {
    let doc = json_file(default_build(), "dossier.json");
    let published: BTreeSet<(String, String)> = example_annotations(&default_build().root)
        .into_iter()
        .filter(|a| a.published)
        .map(|a| (a.article, a.id))
        .collect();
    assert_eq!(check_anchors(&doc), published);
}

#[test]
fn anchors_count_characters_not_bytes() {
    let dossier = example();
    let article = dossier
        .path()
        .join("content/articles/bangladesh-bank-heist.md");
    let text = fs::read_to_string(&article).unwrap();
    let heading = "## The night of 4 February 2016\n";
    assert!(text.contains(heading), "the fixture changed");
    let text = text.replacen(
        heading,
        "## The night of 4 February 2016 — “Dhaka” 🏦\n\nÜber-long ✓ text.\n",
        1,
    );
    fs::write(&article, text).unwrap();
    run(dossier.path(), &["build"]).assert_code(0);
    let doc: Value = serde_json::from_str(
        &fs::read_to_string(dossier.path().join("public/dossier.json")).unwrap(),
    )
    .unwrap();
    let seen = check_anchors(&doc);
    assert!(seen.iter().any(|(a, _)| a == "bangladesh-bank-heist"));
}

#[test]
fn dossier_json_backlinks_match_the_annotations() {
    let doc = json_file(default_build(), "dossier.json");
    let mut named: BTreeSet<(String, String, String)> = BTreeSet::new();
    for article in doc["articles"].as_array().unwrap() {
        for n in article["annotations"].as_array().unwrap() {
            for r in n["incidents"]
                .as_array()
                .unwrap()
                .iter()
                .chain(n["entities"].as_array().unwrap())
            {
                if let Some(id) = r["id"].as_str() {
                    named.insert((
                        id.to_string(),
                        article["id"].as_str().unwrap().to_string(),
                        n["id"].as_str().unwrap().to_string(),
                    ));
                }
            }
        }
    }
    let mut backlinks = BTreeSet::new();
    for item in doc["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .chain(doc["entities"].as_array().unwrap())
    {
        for b in item["annotations"].as_array().unwrap() {
            backlinks.insert((
                item["id"].as_str().unwrap().to_string(),
                b["article"].as_str().unwrap().to_string(),
                b["annotation"].as_str().unwrap().to_string(),
            ));
        }
    }
    assert_eq!(named, backlinks);
    let lazarus = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "lazarus-group")
        .expect("Lazarus Group is published");
    assert!(
        lazarus["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == "bangladesh-bank-2016")
    );
    assert!(!lazarus["articles"].as_array().unwrap().is_empty());
}

#[test]
fn dossier_json_urls_carry_the_base_path() {
    let doc = json_file(sub_build(), "dossier.json");
    assert_eq!(doc["config"]["base_path"], "/sub/");
    assert_eq!(doc["config"]["base_url"], "https://example.org/sub/");
    let site = sub_build().site();
    for kind in ["articles", "incidents", "entities"] {
        for item in doc[kind].as_array().unwrap() {
            let url = item["url"].as_str().unwrap();
            let path = url.strip_prefix("/sub/").expect("urls start with the base");
            assert!(site.has(&format!("{path}index.html")), "{url} has no page");
        }
    }
}

/// The published incidents and articles of a build's dossier.json, by id.
fn timeline_items(doc: &Value) -> BTreeSet<String> {
    ["incidents", "articles"]
        .iter()
        .flat_map(|k| doc[*k].as_array().unwrap())
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn timeline_json_has_one_event_per_incident_and_article() {
    let doc = json_file(sub_build(), "dossier.json");
    let timeline = json_file(sub_build(), "timeline.json");
    let events = timeline["events"].as_array().unwrap();
    let ids: Vec<String> = events
        .iter()
        .map(|e| e["unique_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), timeline_items(&doc).len(), "one event per item");
    assert_eq!(
        ids.iter().cloned().collect::<BTreeSet<_>>(),
        timeline_items(&doc)
    );
    assert!(timeline["title"]["text"]["headline"].is_string());

    let incidents: Vec<&Value> = doc["incidents"].as_array().unwrap().iter().collect();
    for event in events {
        let id = event["unique_id"].as_str().unwrap();
        let text = event["text"]["text"].as_str().unwrap();
        let (date, end, group, url) = match incidents.iter().find(|x| x["id"] == id) {
            Some(x) => (
                &x["date"],
                &x["end"],
                x["kind"].as_str().unwrap(),
                &x["url"],
            ),
            None => {
                let a = doc["articles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|a| a["id"] == id)
                    .unwrap();
                (&a["published"], &Value::Null, "article", &a["url"])
            }
        };
        assert_eq!(event["group"], group, "{id}");
        assert!(
            text.contains(&format!("href=\"{}\"", url.as_str().unwrap())),
            "{id}: no link back to its page in {text}"
        );
        assert!(url.as_str().unwrap().starts_with("/sub/"));
        assert_eq!(
            event["start_date"],
            timeline_date(date.as_str().unwrap()),
            "{id}"
        );
        match end.as_str() {
            Some(end) => assert_eq!(event["end_date"], timeline_date(end), "{id}"),
            None => assert!(event.get("end_date").is_none(), "{id}"),
        }
    }
    // Events come in the timeline's date order.
    let keys: Vec<(u64, u64, u64)> = events
        .iter()
        .map(|e| {
            let d = &e["start_date"];
            let part = |k: &str| d[k].as_u64().unwrap_or(1);
            (part("year"), part("month"), part("day"))
        })
        .collect();
    assert!(keys.is_sorted(), "events out of date order: {keys:?}");
}

/// `2014-11` as TimelineJS wants it: `{"year": 2014, "month": 11}`.
fn timeline_date(iso: &str) -> Value {
    let parts: Vec<u64> = iso.split('-').map(|p| p.parse().unwrap()).collect();
    let mut date = json!({ "year": parts[0] });
    for (key, value) in ["month", "day"].iter().zip(&parts[1..]) {
        date[*key] = json!(value);
    }
    date
}

#[test]
fn timeline_json_keeps_partial_dates_partial() {
    let dossier = example();
    let incident = dossier
        .path()
        .join("content/incidents/un-sanctions-2006.yaml");
    let text = fs::read_to_string(&incident).unwrap();
    let text = text.replacen("date: 2006-10-14", "date: 2006-10", 1);
    assert!(text.contains("date: 2006-10\n"), "the fixture changed");
    fs::write(&incident, text).unwrap();
    run(dossier.path(), &["build"]).assert_code(0);
    let timeline: Value = serde_json::from_str(
        &fs::read_to_string(dossier.path().join("public/timeline.json")).unwrap(),
    )
    .unwrap();
    let event = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["unique_id"] == "un-sanctions-2006")
        .unwrap();
    assert_eq!(event["start_date"], json!({ "year": 2006, "month": 10 }));
}
