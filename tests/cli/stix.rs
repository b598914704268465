//! `/stix.json` (SPEC.md section 3, docs/exports.md): a STIX 2.1 bundle whose
//! references all resolve, with deterministic ids and bytes, TLP markings on
//! every object, and nothing of a withheld item.

use std::collections::{BTreeMap, HashSet};
use std::fs;

use serde_json::Value;

use crate::support::{
    RESTRICTED, SharedBuild, Site, amber_build, copy_fixture, default_build, example, fixture, run,
};

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

/// The bundle is written object by object as it is made; what comes out
/// must be the document a JSON printer writes for the whole bundle: keys
/// in order, two spaces per level, one line break at the end.
#[test]
fn the_streamed_bundle_is_the_pretty_printed_document() {
    for build in [default_build(), amber_build()] {
        let bytes = bundle_bytes(build);
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        let mut printed = serde_json::to_vec_pretty(&value).unwrap();
        printed.push(b'\n');
        assert!(
            bytes == printed,
            "stix.json differs from its pretty-printed self"
        );
        let markings = objects(&value)
            .iter()
            .take_while(|o| o["type"] == "marking-definition")
            .count();
        assert!(markings >= 1, "the marking definitions come first");
    }
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

#[test]
fn techniques_are_attack_patterns_used_by_their_actors() {
    let bundle = bundle(default_build());
    let ids = by_id(&bundle);
    let doc: Value = serde_json::from_str(&default_build().site().text("dossier.json")).unwrap();
    // Every technique a published item names is an attack-pattern.
    let mut named: HashSet<String> = HashSet::new();
    let mut collect = |list: &Value| {
        for t in list.as_array().unwrap() {
            named.insert(t["id"].as_str().unwrap().to_string());
        }
    };
    for x in doc["incidents"].as_array().unwrap() {
        collect(&x["techniques"]);
    }
    for x in doc["entities"].as_array().unwrap() {
        collect(&x["techniques"]);
    }
    for a in doc["articles"].as_array().unwrap() {
        for n in a["annotations"].as_array().unwrap() {
            collect(&n["techniques"]);
        }
    }
    assert!(!named.is_empty(), "the example names techniques");
    let patterns: Vec<&Value> = objects(&bundle)
        .iter()
        .filter(|o| o["type"] == "attack-pattern")
        .collect();
    assert_eq!(
        patterns.len(),
        named.len(),
        "one attack-pattern per technique"
    );
    for technique in &named {
        let id = documented_id("attack-pattern", technique);
        let pattern = ids
            .get(id.as_str())
            .unwrap_or_else(|| panic!("no attack-pattern for {technique}"));
        let mitre = &pattern["external_references"][0];
        assert_eq!(mitre["source_name"], "mitre-attack");
        assert_eq!(mitre["external_id"], technique.as_str());
        assert!(
            mitre["url"]
                .as_str()
                .unwrap()
                .starts_with("https://attack.mitre.org/techniques/")
        );
        let phases = pattern["kill_chain_phases"].as_array().unwrap();
        assert!(!phases.is_empty(), "{technique} has its tactics");
        for phase in phases {
            assert_eq!(phase["kill_chain_name"], "mitre-attack");
            assert!(phase["phase_name"].is_string());
        }
    }
    // WannaCry's incident names T1486: its actor and its malware use it.
    let t1486 = documented_id("attack-pattern", "T1486");
    let uses: HashSet<(&str, &str)> = objects(&bundle)
        .iter()
        .filter(|o| o["type"] == "relationship" && o["relationship_type"] == "uses")
        .map(|o| {
            (
                o["source_ref"].as_str().unwrap(),
                o["target_ref"].as_str().unwrap(),
            )
        })
        .collect();
    for user in [
        documented_id("intrusion-set", "lazarus-group"),
        documented_id("malware", "wannacry"),
    ] {
        assert!(
            uses.contains(&(user.as_str(), t1486.as_str())),
            "{user} uses T1486"
        );
    }
}

#[test]
fn written_relations_are_described_relationships() {
    let bundle = bundle(default_build());
    let lazarus = documented_id("intrusion-set", "lazarus-group");
    let rgb = documented_id("identity", "reconnaissance-general-bureau");
    let relationships: Vec<&Value> = objects(&bundle)
        .iter()
        .filter(|o| o["type"] == "relationship")
        .collect();
    // `part-of` has no STIX type: `related-to`, the type in words.
    let part_of = relationships
        .iter()
        .find(|o| o["source_ref"] == lazarus.as_str() && o["target_ref"] == rgb.as_str())
        .expect("Lazarus Group is part of the RGB");
    assert_eq!(part_of["relationship_type"], "related-to");
    let description = part_of["description"].as_str().unwrap();
    assert!(description.contains("is part of"), "{description}");
    assert!(description.contains("`part-of`"), "{description}");
    assert!(description.contains("Treasury"), "the note: {description}");
    assert_eq!(part_of["confidence"], 85);
    assert!(
        !part_of["external_references"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        part_of["id"],
        documented_id(
            "relationship",
            &format!("related-to/{lazarus}/{rgb}/part-of")
        )
    );
    // Every relationship from or to an entity says what it states.
    let described = relationships
        .iter()
        .filter(|o| o["description"].is_string())
        .count();
    assert!(described >= 3, "{described} described relationships");
    for o in &relationships {
        if let (Some(start), Some(stop)) = (o["start_time"].as_str(), o["stop_time"].as_str()) {
            assert!(is_timestamp_ms(start) && is_timestamp_ms(stop));
            assert!(start < stop, "{}: stop_time after start_time", o["id"]);
        }
    }
}

#[test]
fn written_relations_carry_their_dates_and_fall_back_to_related_to() {
    let dossier = example();
    let lazarus = dossier.path().join("content/entities/lazarus-group.yaml");
    let text = fs::read_to_string(&lazarus).unwrap();
    assert!(text.contains("\nrelations:\n"), "the fixture changed");
    let text = text.replacen(
        "\nrelations:\n",
        "\nrelations:\n  - type: targets\n    target: nhs\n    first_seen: 2017\n    last_seen: 2019-02\n    confidence: low\n    note: Named in the NHS report.\n  - type: located-at\n    target: north-korea\n",
        1,
    );
    fs::write(&lazarus, text).unwrap();
    run(dossier.path(), &["build"]).assert_code(0);
    let bundle: Value =
        serde_json::from_slice(&fs::read(dossier.path().join("public/stix.json")).unwrap())
            .unwrap();
    let ids = by_id(&bundle);
    let lazarus = documented_id("intrusion-set", "lazarus-group");
    let nhs = documented_id("identity", "nhs");
    let korea = documented_id("identity", "north-korea");
    // It takes the place of the `targets` read from the WannaCry incident.
    let uses = ids[documented_id("relationship", &format!("targets/{lazarus}/{nhs}")).as_str()];
    assert_eq!(uses["relationship_type"], "targets");
    assert_eq!(uses["start_time"], "2017-01-01T00:00:00.000Z");
    assert_eq!(uses["stop_time"], "2019-02-28T23:59:59.999Z");
    assert_eq!(uses["confidence"], 15);
    assert!(
        uses["description"]
            .as_str()
            .unwrap()
            .ends_with("Named in the NHS report.")
    );
    let located = ids[documented_id(
        "relationship",
        &format!("related-to/{lazarus}/{korea}/located-at"),
    )
    .as_str()];
    assert_eq!(located["relationship_type"], "related-to");
    assert!(
        located["description"]
            .as_str()
            .unwrap()
            .contains("`located-at`")
    );
    let mut refs = Vec::new();
    references(&bundle, &mut refs);
    assert!(refs.iter().all(|(_, r)| ids.contains_key(r)));
}

/// The STIX type docs/exports.md gives an item of dossier.json.
fn stix_type_of(doc: &Value, id: &str) -> &'static str {
    if doc["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == id)
    {
        return "incident";
    }
    let entity = doc["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no item {id}"));
    match entity["kind"].as_str().unwrap() {
        "actor" => "intrusion-set",
        "malware" => "malware",
        _ => "identity",
    }
}

#[test]
fn every_relation_type_between_every_pair_follows_the_mapping_table() {
    let root = copy_fixture(&fixture("stix-relations"));
    run(root.path(), &["build"]).assert_code(0);
    let site = Site::load(&root.path().join("public"));
    let doc: Value = serde_json::from_str(&site.text("dossier.json")).unwrap();
    let bundle: Value = serde_json::from_str(&site.text("stix.json")).unwrap();
    let ids = by_id(&bundle);
    assert_eq!(ids.len(), objects(&bundle).len(), "ids are unique");
    let mut refs = Vec::new();
    references(&bundle, &mut refs);
    let dangling: Vec<_> = refs.iter().filter(|(_, r)| !ids.contains_key(r)).collect();
    assert!(dangling.is_empty(), "dangling references: {dangling:?}");
    let relationships: Vec<&Value> = objects(&bundle)
        .iter()
        .filter(|o| o["type"] == "relationship")
        .collect();
    let mut written = 0;
    for item in doc["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .chain(doc["entities"].as_array().unwrap())
    {
        let from = item["id"].as_str().unwrap();
        for r in item["relations"].as_array().unwrap() {
            written += 1;
            let kind = r["type"].as_str().unwrap();
            let to = r["target"]["id"].as_str().unwrap();
            let (s, t) = (stix_type_of(&doc, from), stix_type_of(&doc, to));
            // The table of docs/exports.md, written out again.
            let stix = match (kind, s, t) {
                ("uses", "intrusion-set" | "malware", "malware") => "uses",
                ("targets", "intrusion-set" | "malware", "identity") => "targets",
                _ => "related-to",
            };
            let fallback = stix != kind;
            let (source, target) = (documented_id(s, from), documented_id(t, to));
            let found = relationships.iter().any(|o| {
                let description = o["description"].as_str().unwrap_or("");
                o["relationship_type"] == stix
                    && o["source_ref"] == source.as_str()
                    && o["target_ref"] == target.as_str()
                    && (!fallback || description.contains(&format!("`{kind}`")))
            });
            assert!(found, "{from} {kind} {to}: no {stix} relationship");
        }
    }
    assert!(written >= 20, "the fixture writes every type: {written}");
    // Identities name who uses each alias in words; intrusion-sets too,
    // besides their `aliases`.
    let bank = ids[documented_id("identity", "harbour-bank").as_str()];
    assert!(
        bank["description"]
            .as_str()
            .unwrap()
            .contains("Also known as: HB (used by the press).")
    );
    let crew = ids[documented_id("intrusion-set", "grey-crew").as_str()];
    assert_eq!(crew["aliases"], serde_json::json!(["Crew Nine", "SLATE"]));
    assert!(
        crew["description"]
            .as_str()
            .unwrap()
            .contains("SLATE (used by Example Security)")
    );
    // An identity's own techniques are related-to, never `uses`.
    let t1486 = documented_id("attack-pattern", "T1486");
    assert!(
        relationships
            .iter()
            .any(|o| o["relationship_type"] == "related-to"
                && o["source_ref"] == bank["id"]
                && o["target_ref"] == t1486.as_str())
    );
    assert!(
        !relationships
            .iter()
            .any(|o| o["relationship_type"] == "uses" && o["source_ref"] == bank["id"])
    );
    // The annotation's technique carries its article and sources.
    let t1204 = ids[documented_id("attack-pattern", "T1204.002").as_str()];
    let urls: Vec<&str> = t1204["external_references"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["url"].as_str())
        .collect();
    for url in [
        "https://example.org/report",
        "https://example.org/fixture/articles/heist-report/#phishing",
        "https://example.org/bank-statement",
    ] {
        assert!(urls.contains(&url), "{url} in {urls:?}");
    }
}
