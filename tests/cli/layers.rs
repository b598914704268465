//! ATT&CK Navigator layers (SPEC.md section 3, docs/exports.md): the shape
//! the Navigator's layer format 4.5 documents, one layer per published actor
//! and malware, and exactly the techniques of their published uses.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::support::{SharedBuild, amber_build, default_build, sub_build};

/// The tactics of ATT&CK Enterprise, by shortname (the values `tactic` may take).
const TACTICS: [&str; 14] = [
    "reconnaissance",
    "resource-development",
    "initial-access",
    "execution",
    "persistence",
    "privilege-escalation",
    "defense-evasion",
    "credential-access",
    "discovery",
    "lateral-movement",
    "collection",
    "command-and-control",
    "exfiltration",
    "impact",
];

fn layers(build: &SharedBuild) -> BTreeMap<String, Value> {
    let site = build.site();
    site.files
        .keys()
        .filter(|name| name.ends_with("attack-layer.json"))
        .map(|name| {
            let layer = serde_json::from_str(&site.text(name))
                .unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
            (name.clone(), layer)
        })
        .collect()
}

/// The problems of `value` against the layer format 4.5 property tables:
/// required keys, types, allowed values and no undocumented key.
fn shape_errors(layer: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let mut err = |e: String| errors.push(e);
    let obj =
        |v: &Value, at: &str, keys: &[&str], required: &[&str], err: &mut dyn FnMut(String)| {
            let Some(map) = v.as_object() else {
                err(format!("{at} is not an object"));
                return;
            };
            for key in map.keys() {
                if !keys.contains(&key.as_str()) {
                    err(format!("{at}.{key} is not a documented key"));
                }
            }
            for key in required {
                if !map.contains_key(*key) {
                    err(format!("{at} lacks the required `{key}`"));
                }
            }
        };
    let is_str = |v: &Value| v.is_string();
    let is_bool = |v: &Value| v.is_boolean();
    let is_num = |v: &Value| v.is_number();
    let check =
        |v: Option<&Value>, ok: &dyn Fn(&Value) -> bool, at: &str, err: &mut dyn FnMut(String)| {
            if let Some(v) = v
                && !ok(v)
            {
                err(format!("{at} has the wrong type or value: {v}"));
            }
        };
    obj(
        layer,
        "layer",
        &[
            "versions",
            "name",
            "description",
            "domain",
            "customDataURL",
            "filters",
            "sorting",
            "layout",
            "hideDisabled",
            "techniques",
            "gradient",
            "legendItems",
            "showTacticRowBackground",
            "tacticRowBackground",
            "selectTechniquesAcrossTactics",
            "selectSubtechniquesWithParent",
            "selectVisibleTechniques",
            "metadata",
            "links",
        ],
        &["name", "domain"],
        &mut err,
    );
    check(layer.get("name"), &is_str, "name", &mut err);
    check(layer.get("description"), &is_str, "description", &mut err);
    check(
        layer.get("domain"),
        &|v| {
            ["enterprise-attack", "mobile-attack", "ics-attack"].contains(&v.as_str().unwrap_or(""))
        },
        "domain",
        &mut err,
    );
    check(
        layer.get("sorting"),
        &|v| v.as_u64().is_some_and(|n| n <= 3),
        "sorting",
        &mut err,
    );
    for key in [
        "hideDisabled",
        "showTacticRowBackground",
        "selectTechniquesAcrossTactics",
        "selectSubtechniquesWithParent",
        "selectVisibleTechniques",
    ] {
        check(layer.get(key), &is_bool, key, &mut err);
    }
    check(
        layer.get("tacticRowBackground"),
        &is_str,
        "tacticRowBackground",
        &mut err,
    );
    if let Some(v) = layer.get("versions") {
        obj(
            v,
            "versions",
            &["attack", "navigator", "layer"],
            &["navigator", "layer"],
            &mut err,
        );
        check(v.get("layer"), &|v| v == "4.5", "versions.layer", &mut err);
        check(v.get("attack"), &is_str, "versions.attack", &mut err);
        check(
            v.get("navigator"),
            &|v| {
                let parts: Vec<u64> = v
                    .as_str()
                    .unwrap_or("")
                    .split('.')
                    .filter_map(|p| p.parse().ok())
                    .collect();
                parts.len() == 3 && parts.as_slice() >= [4, 9, 0].as_slice()
            },
            "versions.navigator (at least 4.9.0)",
            &mut err,
        );
    }
    if let Some(v) = layer.get("layout") {
        obj(
            v,
            "layout",
            &[
                "layout",
                "showID",
                "showName",
                "showAggregateScores",
                "countUnscored",
                "aggregateFunction",
                "expandedSubtechniques",
            ],
            &[],
            &mut err,
        );
        let one_of = |allowed: &'static [&'static str]| {
            move |v: &Value| allowed.contains(&v.as_str().unwrap_or(""))
        };
        check(
            v.get("layout"),
            &one_of(&["side", "flat", "mini"]),
            "layout.layout",
            &mut err,
        );
        check(
            v.get("aggregateFunction"),
            &one_of(&["average", "min", "max", "sum"]),
            "layout.aggregateFunction",
            &mut err,
        );
        check(
            v.get("expandedSubtechniques"),
            &one_of(&["none", "all", "annotated"]),
            "layout.expandedSubtechniques",
            &mut err,
        );
        for key in ["showID", "showName", "showAggregateScores", "countUnscored"] {
            check(v.get(key), &is_bool, key, &mut err);
        }
    }
    let metadata_errors = |v: &Value, at: &str, err: &mut dyn FnMut(String)| {
        for (i, m) in v
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            let at = format!("{at}[{i}]");
            if m.get("divider").is_some() {
                obj(m, &at, &["divider"], &["divider"], err);
            } else {
                obj(m, &at, &["name", "value"], &["name", "value"], err);
                if !(m["name"].is_string() && m["value"].is_string()) {
                    err(format!("{at}: name and value are strings"));
                }
            }
        }
        if !v.is_array() {
            err(format!("{at} is not an array"));
        }
    };
    let link_errors = |v: &Value, at: &str, err: &mut dyn FnMut(String)| {
        for (i, l) in v
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            let at = format!("{at}[{i}]");
            if l.get("divider").is_some() {
                obj(l, &at, &["divider"], &["divider"], err);
                continue;
            }
            obj(l, &at, &["label", "url"], &["label", "url"], err);
            let url = l["url"].as_str().unwrap_or("");
            if !(l["label"].is_string()
                && (url.starts_with("https://") || url.starts_with("http://")))
            {
                err(format!("{at}: a label and a URL with a protocol: {l}"));
            }
        }
        if !v.is_array() {
            err(format!("{at} is not an array"));
        }
    };
    if let Some(v) = layer.get("metadata") {
        metadata_errors(v, "metadata", &mut err);
    }
    if let Some(v) = layer.get("links") {
        link_errors(v, "links", &mut err);
    }
    let hex = |v: &Value| {
        v.as_str().is_some_and(|s| {
            s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
        })
    };
    if let Some(g) = layer.get("gradient") {
        obj(
            g,
            "gradient",
            &["colors", "minValue", "maxValue"],
            &["colors", "minValue", "maxValue"],
            &mut err,
        );
        let colors = g["colors"].as_array().map_or(&[][..], Vec::as_slice);
        if colors.len() < 2 || !colors.iter().all(hex) {
            err(format!(
                "gradient.colors: at least two colours: {}",
                g["colors"]
            ));
        }
        match (g["minValue"].as_f64(), g["maxValue"].as_f64()) {
            (Some(min), Some(max)) if max > min => {}
            _ => err("gradient: maxValue must be a number above minValue".into()),
        }
    }
    for (i, item) in layer["legendItems"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .enumerate()
    {
        let at = format!("legendItems[{i}]");
        obj(
            item,
            &at,
            &["label", "color"],
            &["label", "color"],
            &mut err,
        );
        if !(item["label"].is_string() && hex(&item["color"])) {
            err(format!("{at}: a label and a colour"));
        }
    }
    let techniques = layer["techniques"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    for (i, t) in techniques.iter().enumerate() {
        let at = format!("techniques[{i}]");
        obj(
            t,
            &at,
            &[
                "techniqueID",
                "tactic",
                "comment",
                "enabled",
                "score",
                "color",
                "metadata",
                "links",
                "showSubtechniques",
            ],
            &["techniqueID"],
            &mut err,
        );
        let id = t["techniqueID"].as_str().unwrap_or("");
        let well_formed = id.len() >= 5
            && id.starts_with('T')
            && id[1..5].bytes().all(|b| b.is_ascii_digit())
            && (id.len() == 5
                || (id.len() == 9
                    && &id[5..6] == "."
                    && id[6..].bytes().all(|b| b.is_ascii_digit())));
        if !well_formed {
            err(format!("{at}.techniqueID is not T#### or T####.###: {id}"));
        }
        check(
            t.get("tactic"),
            &|v| TACTICS.contains(&v.as_str().unwrap_or("")),
            &format!("{at}.tactic"),
            &mut err,
        );
        check(
            t.get("comment"),
            &is_str,
            &format!("{at}.comment"),
            &mut err,
        );
        check(
            t.get("enabled"),
            &is_bool,
            &format!("{at}.enabled"),
            &mut err,
        );
        check(t.get("score"), &is_num, &format!("{at}.score"), &mut err);
        check(t.get("color"), &hex, &format!("{at}.color"), &mut err);
        check(
            t.get("showSubtechniques"),
            &is_bool,
            &format!("{at}.showSubtechniques"),
            &mut err,
        );
        if let Some(v) = t.get("metadata") {
            metadata_errors(v, &format!("{at}.metadata"), &mut err);
        }
        if let Some(v) = t.get("links") {
            link_errors(v, &format!("{at}.links"), &mut err);
        }
    }
    if !layer["techniques"].is_array() {
        err("techniques is not an array".into());
    }
    errors
}

#[test]
fn layers_have_the_documented_shape() {
    for build in [default_build(), amber_build(), sub_build()] {
        let layers = layers(build);
        assert!(
            layers.contains_key("attack-layer.json"),
            "the dossier's layer"
        );
        for (name, layer) in &layers {
            let errors = shape_errors(layer);
            assert!(
                errors.is_empty(),
                "{name} of `{}` breaks layer format 4.5:\n{}",
                build.prefix,
                errors.join("\n")
            );
            assert_eq!(layer["domain"], "enterprise-attack", "{name}");
            assert_eq!(layer["versions"]["attack"], "18", "{name}");
        }
    }
}

#[test]
fn the_shape_check_catches_broken_layers() {
    let good = layers(default_build())["attack-layer.json"].clone();
    assert!(shape_errors(&good).is_empty());
    let mut broken: Vec<(&str, Value)> = Vec::new();
    let mut l = good.clone();
    l.as_object_mut().unwrap().remove("name");
    broken.push(("no name", l));
    let mut l = good.clone();
    l["versions"]["layer"] = "4.4".into();
    broken.push(("another format", l));
    let mut l = good.clone();
    l["domain"] = "enterprise".into();
    broken.push(("an unknown domain", l));
    let mut l = good.clone();
    l["techniques"][0]["tactic"] = "Impact".into();
    broken.push(("a tactic name instead of a shortname", l));
    let mut l = good.clone();
    l["techniques"][0]["techniqueId"] = "T1486".into();
    broken.push(("a misspelt key", l));
    let mut l = good.clone();
    l["gradient"]["maxValue"] = 0.into();
    broken.push(("an empty gradient", l));
    let mut l = good;
    l["links"] = serde_json::json!([{ "label": "x", "url": "/entities/x/" }]);
    broken.push(("a link without a protocol", l));
    for (what, layer) in broken {
        assert!(!shape_errors(&layer).is_empty(), "the check accepts {what}");
    }
}

/// (technique id, tactic) pairs a layer should hold for these technique
/// objects of dossier.json.
fn entries(techniques: &[&Value]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for t in techniques {
        let id = t["id"].as_str().unwrap().to_string();
        for tactic in t["tactics"].as_array().unwrap() {
            out.insert((
                id.clone(),
                tactic["shortname"].as_str().unwrap().to_string(),
            ));
        }
    }
    out
}

fn layer_entries(layer: &Value) -> BTreeSet<(String, String)> {
    layer["techniques"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["techniqueID"].as_str().unwrap().to_string(),
                t["tactic"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn each_actor_and_malware_has_a_layer_of_its_published_uses() {
    for build in [default_build(), amber_build()] {
        let site = build.site();
        let doc: Value = serde_json::from_str(&site.text("dossier.json")).unwrap();
        let layers = layers(build);
        let entities = doc["entities"].as_array().unwrap();
        let incidents = doc["incidents"].as_array().unwrap();
        let annotations: Vec<&Value> = doc["articles"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| a["annotations"].as_array().unwrap())
            .collect();
        let mut expected_layers = BTreeSet::from(["attack-layer.json".to_string()]);
        let mut all: Vec<&Value> = Vec::new();
        for e in entities {
            let id = e["id"].as_str().unwrap();
            let names = |list: &Value| list.as_array().unwrap().iter().any(|r| r["id"] == id);
            let mut uses: Vec<&Value> = e["techniques"].as_array().unwrap().iter().collect();
            for x in incidents {
                if names(&x["actors"]) || names(&x["malware"]) {
                    uses.extend(x["techniques"].as_array().unwrap());
                }
            }
            for n in &annotations {
                if names(&n["entities"]) {
                    uses.extend(n["techniques"].as_array().unwrap());
                }
            }
            all.extend(e["techniques"].as_array().unwrap());
            if !["actor", "malware"].contains(&e["kind"].as_str().unwrap()) {
                continue;
            }
            let path = format!("entities/{id}/attack-layer.json");
            expected_layers.insert(path.clone());
            let layer = layers.get(&path).unwrap_or_else(|| panic!("no {path}"));
            assert_eq!(
                layer_entries(layer),
                entries(&uses),
                "{path} of `{}`",
                build.prefix
            );
            assert!(
                layer["name"]
                    .as_str()
                    .unwrap()
                    .contains(e["name"].as_str().unwrap())
            );
        }
        for x in incidents {
            all.extend(x["techniques"].as_array().unwrap());
        }
        for n in &annotations {
            all.extend(n["techniques"].as_array().unwrap());
        }
        assert_eq!(
            layers.keys().cloned().collect::<BTreeSet<_>>(),
            expected_layers,
            "a layer for each published actor and malware, and the dossier's"
        );
        assert_eq!(layer_entries(&layers["attack-layer.json"]), entries(&all));
    }
    // The example records techniques of the Lazarus Group.
    let lazarus = &layers(default_build())["entities/lazarus-group/attack-layer.json"];
    assert!(!lazarus["techniques"].as_array().unwrap().is_empty());
}

#[test]
fn a_layer_entry_says_where_its_technique_is_recorded() {
    let layers = layers(sub_build());
    let layer = &layers["attack-layer.json"];
    for t in layer["techniques"].as_array().unwrap() {
        let id = t["techniqueID"].as_str().unwrap();
        let metadata = t["metadata"].as_array().unwrap();
        assert_eq!(
            t["score"].as_u64().unwrap() as usize,
            metadata.len(),
            "{id}"
        );
        let links = t["links"].as_array().unwrap();
        assert!(
            links[0]["url"]
                .as_str()
                .unwrap()
                .starts_with("https://attack.mitre.org/techniques/T"),
            "{id} links ATT&CK first"
        );
        assert!(
            links.iter().any(|l| l["url"]
                .as_str()
                .unwrap()
                .starts_with("https://example.org/sub/")),
            "{id} links its places on the site with an absolute base URL"
        );
    }
    assert_eq!(layer["links"][0]["url"], "https://example.org/sub/");
}
