//! Pins lookups and messages against the shipped release (ATT&CK v18.1):
//! regenerating the data may legitimately change some of them.

use super::*;
use proptest::prelude::*;

fn ids(techniques: &[&Technique]) -> Vec<&'static str> {
    techniques.iter().map(|t| t.id).collect()
}

fn shortnames(technique: &Technique) -> Vec<&'static str> {
    technique.tactics.iter().map(|t| t.shortname).collect()
}

#[test]
fn the_embedded_release_parses_and_is_the_pinned_one() {
    parse(DATA).expect("embedded data is valid");
    assert_eq!(version(), "18.1");
    assert!(
        DATA.contains(NOTICE),
        "the data file carries ATT&CK's notice"
    );
    let shortnames: Vec<_> = tactics().iter().map(|t| t.shortname).collect();
    assert_eq!(
        shortnames,
        [
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
        ]
    );
    let impact = &tactics()[13];
    assert_eq!(
        (impact.id, impact.name, impact.url),
        (
            "TA0040",
            "Impact",
            "https://attack.mitre.org/tactics/TA0040"
        )
    );
}

#[test]
fn known_techniques() {
    struct Case {
        input: &'static str,
        id: &'static str,
        full_name: &'static str,
        tactics: &'static [&'static str],
        parent: Option<&'static str>,
        url: &'static str,
    }
    let cases = [
        Case {
            input: "T1486",
            id: "T1486",
            full_name: "Data Encrypted for Impact",
            tactics: &["impact"],
            parent: None,
            url: "https://attack.mitre.org/techniques/T1486",
        },
        Case {
            input: "T1566.001",
            id: "T1566.001",
            full_name: "Phishing: Spearphishing Attachment",
            tactics: &["initial-access"],
            parent: Some("T1566"),
            url: "https://attack.mitre.org/techniques/T1566/001",
        },
        Case {
            input: "T1210",
            id: "T1210",
            full_name: "Exploitation of Remote Services",
            tactics: &["lateral-movement"],
            parent: None,
            url: "https://attack.mitre.org/techniques/T1210",
        },
        // Several tactics, in kill-chain order.
        Case {
            input: "T1078.004",
            id: "T1078.004",
            full_name: "Valid Accounts: Cloud Accounts",
            tactics: &[
                "initial-access",
                "persistence",
                "privilege-escalation",
                "defense-evasion",
            ],
            parent: Some("T1078"),
            url: "https://attack.mitre.org/techniques/T1078/004",
        },
        // Surrounding whitespace and a lower-case `t` are accepted; the
        // canonical id comes back.
        Case {
            input: " t1486\n",
            id: "T1486",
            full_name: "Data Encrypted for Impact",
            tactics: &["impact"],
            parent: None,
            url: "https://attack.mitre.org/techniques/T1486",
        },
        Case {
            input: "\tt1566.001 ",
            id: "T1566.001",
            full_name: "Phishing: Spearphishing Attachment",
            tactics: &["initial-access"],
            parent: Some("T1566"),
            url: "https://attack.mitre.org/techniques/T1566/001",
        },
    ];
    for case in cases {
        let t = lookup(case.input).unwrap_or_else(|e| panic!("{}: {e:?}", case.input));
        assert_eq!(t.id, case.id, "{}", case.input);
        assert_eq!(t.full_name(), case.full_name, "{}", case.input);
        assert_eq!(shortnames(t), case.tactics, "{}", case.input);
        assert_eq!(t.parent, case.parent, "{}", case.input);
        assert_eq!(t.url, case.url, "{}", case.input);
    }
    let parent = lookup("T1566").unwrap();
    assert_eq!((parent.name, parent.parent), ("Phishing", None));
}

#[test]
fn revoked_ids_point_to_their_current_replacement() {
    // (revoked id, current replacement): T1073 was revoked by T1574.002,
    // itself revoked by T1574.001 in v17: the chain is followed to its end.
    let cases = [
        ("T1002", Some("T1560")),
        ("T1073", Some("T1574.001")),
        ("T1574.002", Some("T1574.001")),
        ("T1150", Some("T1647")),
    ];
    for (id, replacement) in cases {
        match lookup(id) {
            Err(TechniqueError::Revoked {
                technique,
                replaced_by,
            }) => {
                assert_eq!(technique.id, id);
                assert_eq!(replaced_by.map(|t| t.id), replacement, "{id}");
            }
            other => panic!("{id}: {other:?}"),
        }
    }
}

#[test]
fn deprecated_ids_offer_what_their_notice_names() {
    let cases: [(&str, &[&str]); 4] = [
        ("T1064", &["T1059"]),
        // The extract cut the third link's URL; the generator resolved it by name.
        ("T1034", &["T1574.007", "T1574.008", "T1574.009"]),
        ("T1026", &[]),
        ("T1053.004", &[]),
    ];
    for (id, instead) in cases {
        match lookup(id) {
            Err(TechniqueError::Deprecated {
                technique,
                instead: found,
            }) => {
                assert_eq!(technique.id, id);
                assert_eq!(ids(&found), instead, "{id}");
            }
            other => panic!("{id}: {other:?}"),
        }
    }
}

#[test]
fn unknown_ids_suggest_near_ids() {
    let cases: [(&str, &[&str]); 6] = [
        // Two neighbouring digits swapped: only those.
        ("T1468", &["T1486", "T1648"]),
        ("t1468", &["T1486", "T1648"]),
        // A missing sub-technique: its parent, then its siblings.
        ("T1566.005", &["T1566", "T1566.001", "T1566.002"]),
        // A parent without sub-techniques, then other ids one digit away.
        ("T1486.001", &["T1486", "T1480.001", "T1484.001"]),
        // Many ids are one digit away: the first few.
        ("T1000", &["T1001", "T1003", "T1005"]),
        ("T9999", &[]),
    ];
    for (input, expected) in cases {
        match lookup(input) {
            Err(TechniqueError::Unknown { id, suggestions }) => {
                assert_eq!(id, input.to_uppercase());
                assert_eq!(ids(&suggestions), expected, "{input}");
            }
            other => panic!("{input}: {other:?}"),
        }
    }
}

#[test]
fn malformed_entries_suggest_what_they_most_likely_mean() {
    let cases: [(&str, &[&str]); 16] = [
        ("T1486 Data Encrypted", &["T1486"]),
        ("T1486: Data Encrypted for Impact", &["T1486"]),
        ("T1486 (Data Encrypted for Impact)", &["T1486"]),
        ("Data Encrypted for Impact", &["T1486"]),
        ("data encrypted for impact", &["T1486"]),
        ("Data Encrypted", &["T1486"]),
        ("Spearphishing Atachment", &["T1566.001", "T1598.002"]),
        ("Phishing: Spearphishing Atachment", &["T1566.001"]),
        ("Phishing: Spearphishing Attachment", &["T1566.001"]),
        // Names repeat across sub-techniques: every one.
        ("Cloud Accounts", &["T1078.004", "T1585.003", "T1586.003"]),
        ("T1566.1", &["T1566.001"]),
        ("T1566/001", &["T1566.001"]),
        ("T-1486", &["T1486"]),
        ("1486", &["T1486"]),
        ("T14866", &["T1486"]),
        // A revoked id written loosely: its replacement.
        ("T1002 Data Compressed", &["T1560"]),
    ];
    for (input, expected) in cases {
        match lookup(input) {
            Err(TechniqueError::Malformed {
                input: got,
                suggestions,
            }) => {
                assert_eq!(got, input.trim());
                assert_eq!(ids(&suggestions), expected, "{input}");
            }
            other => panic!("{input}: {other:?}"),
        }
    }
    for input in [
        "",
        "   ",
        "T",
        "T1",
        "TA0040",
        "xyzzy",
        "T1486.0001",
        "T1486x",
    ] {
        assert!(
            matches!(lookup(input), Err(TechniqueError::Malformed { .. })),
            "{input:?}"
        );
    }
}

#[test]
fn messages() {
    let message = |input: &str| lookup(input).unwrap_err().message();
    let owned = |lines: &[&str]| lines.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let format_help = "a technique id looks like `T1486`, or `T1566.001` for a sub-technique";
    let cases: [(&str, &str, Vec<String>); 10] = [
        (" ", "empty ATT&CK technique id", owned(&[format_help])),
        (
            "T1468",
            "unknown ATT&CK technique `T1468`",
            owned(&[
                "did you mean one of: `T1486` (Data Encrypted for Impact), `T1648` (Serverless Execution)?",
                "dossier checks ids against ATT&CK Enterprise v18.1",
            ]),
        ),
        (
            "T0866",
            "unknown ATT&CK technique `T0866`",
            owned(&[
                "`T0…` ids are ATT&CK for ICS; dossier checks ids against ATT&CK Enterprise v18.1",
            ]),
        ),
        (
            "T1566.005",
            "unknown ATT&CK technique `T1566.005`",
            owned(&[
                "did you mean one of: `T1566` (Phishing), `T1566.001` (Phishing: Spearphishing Attachment), `T1566.002` (Phishing: Spearphishing Link)?",
                "dossier checks ids against ATT&CK Enterprise v18.1",
            ]),
        ),
        (
            "T1486 Data Encrypted",
            "`T1486 Data Encrypted` is not an ATT&CK technique id",
            owned(&[
                "did you mean `T1486` (Data Encrypted for Impact)?",
                format_help,
            ]),
        ),
        (
            "TA0040",
            "`TA0040` is not an ATT&CK technique id",
            owned(&[
                "`TA0040` is a tactic (Impact), not a technique",
                format_help,
            ]),
        ),
        (
            "T1002",
            "ATT&CK technique `T1002` (Data Compressed) is revoked",
            owned(&["use `T1560` (Archive Collected Data) instead"]),
        ),
        (
            "T1064",
            "ATT&CK technique `T1064` (Scripting) is deprecated",
            owned(&[
                "remove it, or use `T1059` (Command and Scripting Interpreter) where it applies",
            ]),
        ),
        (
            "T1175",
            "ATT&CK technique `T1175` (Component Object Model and Distributed COM) is deprecated",
            owned(&[
                "remove it, or use whichever applies of: `T1021.003` (Remote Services: Distributed Component Object Model), `T1559.001` (Inter-Process Communication: Component Object Model)",
            ]),
        ),
        (
            "T1026",
            "ATT&CK technique `T1026` (Multiband Communication) is deprecated",
            owned(&["ATT&CK no longer maintains it and names no replacement: remove it"]),
        ),
    ];
    for (input, headline, help) in cases {
        assert_eq!(message(input), (headline.to_string(), help), "{input}");
    }
}

#[test]
fn the_whole_release_is_consistent() {
    let release = &*RELEASE;
    for t in &release.techniques {
        match lookup(t.id) {
            Ok(found) => {
                assert_eq!(t.status, Status::Active);
                assert!(std::ptr::eq(found, t));
                assert!(!t.tactics.is_empty(), "{}", t.id);
                if let Some(parent) = t.parent {
                    assert!(lookup(parent).is_ok(), "{}'s parent", t.id);
                }
            }
            Err(TechniqueError::Revoked { replaced_by, .. }) => {
                assert_eq!(t.status, Status::Revoked);
                assert!(replaced_by.is_none_or(|r| r.status == Status::Active));
            }
            Err(TechniqueError::Deprecated { instead, .. }) => {
                assert_eq!(t.status, Status::Deprecated);
                assert!(instead.iter().all(|r| r.status == Status::Active));
            }
            Err(other) => panic!("{}: {other:?}", t.id),
        }
    }
    let active = release.active().count();
    assert!(active > 600, "{active} current techniques");
}

#[test]
fn helpers() {
    for (a, b, expected) in [
        ("T1468", "T1486", true),
        ("T1486", "T1486", false),
        ("T1468", "T1648", true),
        ("T1468", "T1846", false),
        ("T1486", "T148", false),
        ("T1566.010", "T1566.001", true),
    ] {
        assert_eq!(is_transposition(a, b), expected, "{a} {b}");
    }
    for (text, expected) in [
        ("T1486", Some(("T1486", ""))),
        ("t1486: Data", Some(("T1486", ": Data"))),
        ("T 1486", Some(("T1486", ""))),
        ("T1566.1 x", Some(("T1566.001", " x"))),
        ("T1566/01", Some(("T1566.001", ""))),
        ("T1566.", Some(("T1566", "."))),
        ("T14866", None),
        ("T1486abc", None),
        ("T148", None),
        ("Data", None),
    ] {
        assert_eq!(
            loose_id(text)
                .as_ref()
                .map(|(id, rest)| (id.as_str(), *rest)),
            expected,
            "{text}"
        );
    }
    for (id, expected) in [
        ("T1486", true),
        ("T1566.001", true),
        ("t1486", false),
        ("T148", false),
        ("T1566.01", false),
        ("T1566-001", false),
        ("TA040", false),
        ("T１４８６", false),
    ] {
        assert_eq!(is_id(id), expected, "{id}");
    }
}

#[test]
fn broken_data_is_refused_with_its_line() {
    let head = "version\t1\ntactic\tTA0040\timpact\tImpact\thttps://x\n";
    let cases = [
        ("technique\tT1486\tX\timpact\tu\tactive\t-\n", None),
        ("", None),
        ("tactic\tTA1\n", Some("line 3: not a version")),
        ("version\t2\n", Some("line 3: not a version")),
        (
            "technique\tT14\tX\timpact\tu\tactive\t-\n",
            Some("line 3: bad technique id `T14`"),
        ),
        (
            "technique\tT1486\tX\tfoo\tu\tactive\t-\n",
            Some("line 3: unknown tactic `foo`"),
        ),
        (
            "technique\tT1486\tX\t-\tu\tactive\t-\n",
            Some("line 3: T1486 is current but has no tactic"),
        ),
        (
            "technique\tT1486\tX\timpact\tu\tgone\t-\n",
            Some("line 3: bad status `gone`"),
        ),
        (
            "technique\tT1486\tX\timpact\tu\tactive\t-\ntechnique\tT1486\tY\timpact\tu\tactive\t-\n",
            Some("line 4: duplicate id T1486"),
        ),
        (
            "technique\tT1486\tX\timpact\tu\trevoked\tT1\n",
            Some("T1486: replacement T1 is not in the table"),
        ),
        (
            "technique\tT1486.001\tX\timpact\tu\tactive\t-\n",
            Some("T1486.001: parent T1486 is not in the table"),
        ),
        (
            "technique\tT1486\tX\timpact\tu\tdeprecated\t-\ntechnique\tT1486.001\tX\timpact\tu\tactive\t-\n",
            Some("T1486.001: parent T1486 is not current"),
        ),
    ];
    for (rows, expected) in cases {
        let text: &'static str = Box::leak(format!("{head}{rows}").into_boxed_str());
        match (parse(text), expected) {
            (Ok(_), None) => {}
            (Err(e), Some(expected)) => assert!(e.starts_with(expected), "{e} / {expected}"),
            (Ok(_), Some(expected)) => panic!("parsed, expected {expected}"),
            (Err(e), None) => panic!("{rows}: {e}"),
        }
    }
    assert!(
        parse("tactic\tTA1\ta\tA\tu\n")
            .unwrap_err()
            .contains("no version")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any entry gives a current technique with a canonical id, or an error
    /// that renders; suggestions are always current techniques.
    #[test]
    fn lookup_never_panics(input in "[Tt]?[0-9 .:/-]{0,10}[A-Za-z ]{0,12}|\\PC{0,24}") {
        match lookup(&input) {
            Ok(t) => {
                prop_assert!(is_id(t.id));
                prop_assert_eq!(t.status, Status::Active);
            }
            Err(e) => {
                let (message, help) = e.message();
                prop_assert!(!message.is_empty() && !help.is_empty());
                if let TechniqueError::Malformed { suggestions, .. }
                | TechniqueError::Unknown { suggestions, .. } = &e
                {
                    prop_assert!(suggestions.len() <= MAX_SUGGESTIONS);
                    prop_assert!(suggestions.iter().all(|t| t.status == Status::Active));
                }
            }
        }
    }
}
