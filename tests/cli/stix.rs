//! `/stix.json` (SPEC.md section 3, docs/exports.md): a STIX 2.1 bundle whose
//! references all resolve, with deterministic ids and bytes, TLP markings on
//! every object, and nothing of a withheld item.

use std::collections::{BTreeMap, HashSet};
use std::fs;

use serde_json::Value;

use crate::support::{RESTRICTED, SharedBuild, amber_build, default_build, example, run};

const CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
const AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";

/// The official TLP 2.0 marking definition ids (OASIS cti-stix-common-objects).
const OFFICIAL: [(&str, &str); 5] = [
    ("TLP:CLEAR", CLEAR),
    (
        "TLP:GREEN",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    ),
    ("TLP:AMBER", AMBER),
    (
        "TLP:AMBER+STRICT",
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    ),
    (
        "TLP:RED",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    ),
];

/// The namespace docs/exports.md documents for every id.
const NAMESPACE: &str = "8e55ef1e-8cb0-4c69-bcff-24ff127404e8";

fn bundle_bytes(build: &SharedBuild) -> Vec<u8> {
    fs::read(build.root.join("public/stix.json")).expect("stix.json is written")
}

fn bundle(build: &SharedBuild) -> Value {
    serde_json::from_slice(&bundle_bytes(build)).expect("stix.json is JSON")
}

fn objects(bundle: &Value) -> &Vec<Value> {
    bundle["objects"].as_array().expect("a list of objects")
}

fn by_id(bundle: &Value) -> BTreeMap<&str, &Value> {
    objects(bundle)
        .iter()
        .map(|o| (o["id"].as_str().expect("an id"), o))
        .collect()
}

fn documented_id(stix_type: &str, name: &str) -> String {
    let namespace = uuid::Uuid::parse_str(NAMESPACE).unwrap();
    let uuid = uuid::Uuid::new_v5(&namespace, format!("{stix_type}/{name}").as_bytes());
    format!("{stix_type}--{uuid}")
}

/// Every `*_ref` and `*_refs` value anywhere in `value`, with its key.
fn references<'a>(value: &'a Value, out: &mut Vec<(&'a str, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match v {
                    Value::String(s) if key.ends_with("_ref") => out.push((key, s)),
                    Value::Array(items) if key.ends_with("_refs") => {
                        out.extend(items.iter().map(|i| (key.as_str(), i.as_str().unwrap())))
                    }
                    _ => references(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| references(i, out)),
        _ => {}
    }
}

fn is_timestamp_ms(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 24
        && text.ends_with('Z')
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[19] == b'.'
        && b.iter()
            .enumerate()
            .all(|(i, c)| [4, 7, 10, 13, 16, 19, 23].contains(&i) || c.is_ascii_digit())
}

#[test]
fn every_reference_resolves_inside_the_bundle() {
    for build in [default_build(), amber_build()] {
        let bundle = bundle(build);
        let ids = by_id(&bundle);
        assert_eq!(ids.len(), objects(&bundle).len(), "ids are unique");
        let mut refs = Vec::new();
        references(&bundle, &mut refs);
        assert!(refs.len() > 100, "the example has many references");
        let dangling: Vec<_> = refs.iter().filter(|(_, r)| !ids.contains_key(r)).collect();
        assert!(dangling.is_empty(), "dangling references: {dangling:?}");
    }
}

#[test]
fn objects_follow_the_stix_2_1_basics() {
    let bundle = bundle(default_build());
    assert_eq!(bundle["type"], "bundle");
    assert!(bundle["id"].as_str().unwrap().starts_with("bundle--"));
    for o in objects(&bundle) {
        let t = o["type"].as_str().expect("a type");
        let id = o["id"].as_str().expect("an id");
        let uuid = id
            .strip_prefix(&format!("{t}--"))
            .unwrap_or_else(|| panic!("{id} is not of the form {t}--uuid"));
        uuid::Uuid::parse_str(uuid).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(o["spec_version"], "2.1", "{id}");
        assert!(is_timestamp_ms(o["created"].as_str().unwrap()), "{id}");
        if t == "marking-definition" {
            let name = o["name"].as_str().unwrap();
            assert!(OFFICIAL.contains(&(name, id)), "{name} is {id}");
            continue;
        }
        assert!(is_timestamp_ms(o["modified"].as_str().unwrap()), "{id}");
        let markings = o["object_marking_refs"].as_array().expect("markings");
        assert!(!markings.is_empty(), "{id} is marked");
        if t == "report" {
            assert!(is_timestamp_ms(o["published"].as_str().unwrap()), "{id}");
        }
        for key in ["object_refs", "aliases", "labels", "external_references"] {
            if let Some(list) = o.get(key) {
                assert!(!list.as_array().unwrap().is_empty(), "{id}: empty {key}");
            }
        }
    }
}

#[test]
fn the_mapping_matches_the_documentation() {
    let bundle = bundle(default_build());
    let ids = by_id(&bundle);
    let lazarus = ids[documented_id("intrusion-set", "lazarus-group").as_str()];
    assert_eq!(lazarus["name"], "Lazarus Group");
    assert_eq!(
        lazarus["aliases"],
        serde_json::json!(["Hidden Cobra", "Guardians of Peace"])
    );
    let wannacry = ids[documented_id("malware", "wannacry").as_str()];
    assert_eq!(wannacry["is_family"], true);
    let nhs = ids[documented_id("identity", "nhs").as_str()];
    assert_eq!(nhs["identity_class"], "organization");
    let incident = ids[documented_id("incident", "wannacry-2017").as_str()];
    assert_eq!(incident["created"], "2017-05-12T00:00:00.000Z");

    let report_id = documented_id("report", "un-panel-2bn-proceeds");
    let report = ids[report_id.as_str()];
    assert_eq!(report["published"], "2019-08-05T00:00:00.000Z");
    let note_id = documented_id("note", "un-panel-2bn-proceeds#panel-2bn-estimate");
    let note = ids[note_id.as_str()];
    let report_refs = report["object_refs"].as_array().unwrap();
    assert!(report_refs.contains(&Value::from(note_id.clone())));
    let quote = "estimated that cyber operations had raised up to US$2 billion";
    assert!(note["abstract"].as_str().unwrap().starts_with(quote));
    let content = note["content"].as_str().unwrap();
    assert!(content.contains(quote) && content.contains("plausible upper bound"));
    let refs: Vec<&str> = note["object_refs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert_eq!(refs[0], report_id);
    for expected in [
        documented_id("incident", "un-panel-report-2019"),
        documented_id("identity", "un-panel-of-experts"),
        documented_id("identity", "north-korea"),
    ] {
        assert!(refs.contains(&expected.as_str()), "{expected} in {refs:?}");
    }

    let relationships: HashSet<(&str, &str, &str)> = objects(&bundle)
        .iter()
        .filter(|o| o["type"] == "relationship")
        .map(|o| {
            (
                o["relationship_type"].as_str().unwrap(),
                o["source_ref"].as_str().unwrap(),
                o["target_ref"].as_str().unwrap(),
            )
        })
        .collect();
    for (rel, source, target) in [
        (
            "uses",
            lazarus["id"].as_str().unwrap(),
            wannacry["id"].as_str().unwrap(),
        ),
        (
            "targets",
            lazarus["id"].as_str().unwrap(),
            nhs["id"].as_str().unwrap(),
        ),
        (
            "targets",
            wannacry["id"].as_str().unwrap(),
            nhs["id"].as_str().unwrap(),
        ),
        (
            "related-to",
            incident["id"].as_str().unwrap(),
            lazarus["id"].as_str().unwrap(),
        ),
    ] {
        assert!(
            relationships.contains(&(rel, source, target)),
            "{source} {rel} {target}"
        );
    }
}

#[test]
fn two_builds_write_identical_bytes() {
    let outputs: Vec<Vec<u8>> = (0..2)
        .map(|_| {
            let dir = example();
            run(dir.path(), &["build"]).assert_code(0);
            fs::read(dir.path().join("public/stix.json")).unwrap()
        })
        .collect();
    assert!(outputs[0] == outputs[1], "stix.json differs between builds");
    assert!(outputs[0] == bundle_bytes(default_build()));
}

#[test]
fn the_default_bundle_holds_nothing_withheld() {
    let text = String::from_utf8(bundle_bytes(default_build())).unwrap();
    for needle in RESTRICTED.into_iter().chain([AMBER]) {
        assert!(!text.contains(needle), "stix.json contains `{needle}`");
    }
    // No id of an object the amber build marks as restricted, not even
    // in a reference.
    let amber = bundle(amber_build());
    let restricted: Vec<&str> = objects(&amber)
        .iter()
        .filter(|o| o["object_marking_refs"] == serde_json::json!([AMBER]))
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert!(restricted.len() >= 5, "the example has restricted items");
    for id in restricted {
        assert!(!text.contains(id), "stix.json contains the restricted {id}");
    }
}

#[test]
fn an_amber_build_includes_restricted_items_marked_amber() {
    let amber = bundle(amber_build());
    let ids = by_id(&amber);
    assert_eq!(ids[AMBER]["name"], "TLP:AMBER");
    assert_eq!(ids[CLEAR]["name"], "TLP:CLEAR");
    let marked = |id: String| ids[id.as_str()]["object_marking_refs"].clone();
    let amber_only = serde_json::json!([AMBER]);
    assert_eq!(
        marked(documented_id("identity", "analyst-source-x")),
        amber_only
    );
    assert_eq!(
        marked(documented_id("report", "grey-lantern-assessment")),
        amber_only
    );
    let caveat = documented_id("note", "un-panel-2bn-proceeds#copper-wren-caveat");
    assert_eq!(marked(caveat.clone()), amber_only);
    assert!(
        ids[caveat.as_str()]["content"]
            .as_str()
            .unwrap()
            .contains("COPPER WREN")
    );
    assert_eq!(
        marked(documented_id("report", "un-panel-2bn-proceeds")),
        serde_json::json!([CLEAR])
    );
    // Everything that mentions a restricted string is marked amber.
    for o in objects(&amber) {
        let text = o.to_string();
        if ["COPPER WREN", "OPAL HARBOUR", "GREY LANTERN"]
            .iter()
            .any(|s| text.contains(s))
        {
            assert_eq!(o["object_marking_refs"], amber_only, "{}", o["id"]);
        }
    }
}
