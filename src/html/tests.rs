//! Table tests for the tokenizer, and the property that it takes anything.

use proptest::prelude::*;

use super::*;

/// Each token on one line: its kind, range, and what it holds.
fn tokens(html: &str) -> Vec<String> {
    Tokenizer::new(html)
        .map(|token| {
            let r = token.range();
            match token {
                Token::Text(_) => format!("text {r:?} {:?}", &html[r.clone()]),
                Token::RawText(_) => format!("raw {r:?} {:?}", &html[r.clone()]),
                Token::Comment(_) => format!("comment {r:?}"),
                Token::Declaration(_) => format!("declaration {r:?}"),
                Token::EndTag(tag) => format!("end {} {r:?}", tag.name),
                Token::StartTag(tag) => {
                    let attributes: Vec<String> = tag
                        .attributes()
                        .map(|a| match a.value() {
                            Some(v) => format!("{}={v:?}", a.name),
                            None => a.name.to_string(),
                        })
                        .collect();
                    let slash = if tag.self_closing { " /" } else { "" };
                    format!("start {} {r:?} [{}]{slash}", tag.name, attributes.join(" "))
                }
            }
        })
        .collect()
}

#[test]
fn tokens_of_well_formed_html() {
    let cases: &[(&str, &[&str])] = &[
        ("", &[]),
        ("plain", &[r#"text 0..5 "plain""#]),
        (
            "<p>One <em>two</em></p>",
            &[
                "start p 0..3 []",
                r#"text 3..7 "One ""#,
                "start em 7..11 []",
                r#"text 11..14 "two""#,
                "end em 14..19",
                "end p 19..23",
            ],
        ),
        (
            r#"<a href="/x?a=1&amp;b=2" id=top class='c d'>"#,
            &[r#"start a 0..44 [href="/x?a=1&b=2" id="top" class="c d"]"#],
        ),
        (
            "<br/><img src=a.png /><input disabled>",
            &[
                "start br 0..5 [] /",
                r#"start img 5..22 [src="a.png"] /"#,
                "start input 22..38 [disabled]",
            ],
        ),
        (
            "<!DOCTYPE html><!-- x --><?xml version=\"1.0\"?><![CDATA[a > b]]>é",
            &[
                "declaration 0..15",
                "comment 15..25",
                "declaration 25..46",
                "declaration 46..63",
                r#"text 63..65 "é""#,
            ],
        ),
        (
            "<script>if (a<b) x = '</p>';</script><style></style><p>",
            &[
                "start script 0..8 []",
                r#"raw 8..28 "if (a<b) x = '</p>';""#,
                "end script 28..37",
                "start style 37..44 []",
                "end style 44..52",
                "start p 52..55 []",
            ],
        ),
        (
            "<SCRIPT type=module>x</scripts></Script >",
            &[
                r#"start SCRIPT 0..20 [type="module"]"#,
                r#"raw 20..31 "x</scripts>""#,
                "end Script 31..41",
            ],
        ),
        (
            "<svg:a xlink:href=\"/s\"/>",
            &[r#"start svg:a 0..24 [xlink:href="/s"] /"#],
        ),
    ];
    for (html, expected) in cases {
        assert_eq!(tokens(html), *expected, "{html}");
    }
}

#[test]
fn tokens_of_malformed_html() {
    let cases: &[(&str, &[&str])] = &[
        // A `<` that starts no markup is text, joined to the text around it.
        ("a < b <3 <", &[r#"text 0..10 "a < b <3 <""#]),
        ("x</", &[r#"text 0..3 "x</""#]),
        ("<<p>", &[r#"text 0..1 "<""#, "start p 1..4 []"]),
        // Unclosed markup runs to the end: never text.
        ("<a href='/x", &[r#"start a 0..11 [href="/x"]"#]),
        ("<a href=\"x\" b", &[r#"start a 0..13 [href="x" b]"#]),
        ("<!-- open", &["comment 0..9"]),
        ("<![CDATA[ open", &["declaration 0..14"]),
        (
            "<script>open",
            &["start script 0..8 []", r#"raw 8..12 "open""#],
        ),
        // Quotes hide `>` and `<`; outside them `<` is part of a name.
        (
            r#"<p title="a > b">"#,
            &[r#"start p 0..17 [title="a > b"]"#],
        ),
        ("<a <b id=x>", &[r#"start a 0..11 [<b id="x"]"#]),
        // The standard's odd corners.
        ("<a =x>", &[r#"start a 0..6 [=x]"#]),
        ("<a href=x/>", &[r#"start a 0..11 [href="x/"]"#]),
        ("<a / >", &["start a 0..6 []"]),
        ("<a href\"=x>", &[r#"start a 0..11 [href"="x"]"#]),
        ("<a\u{a0}b>", &["start a\u{a0}b 0..6 []"]),
        ("</>x", &["declaration 0..3", r#"text 3..4 "x""#]),
        ("</ p>x", &["declaration 0..5", r#"text 5..6 "x""#]),
        ("</p class=\">\">", &["end p 0..14"]),
        (
            "<!-->x<!--->",
            &["comment 0..5", r#"text 5..6 "x""#, "comment 6..12"],
        ),
        ("<!-- a --!> b", &["comment 0..11", r#"text 11..13 " b""#]),
        ("<!x", &["declaration 0..3"]),
    ];
    for (html, expected) in cases {
        assert_eq!(tokens(html), *expected, "{html}");
    }
}

proptest! {
    /// User templates and raw HTML can hold anything: the tokenizer never
    /// panics, its tokens tile the input, text lies on char boundaries, and
    /// attributes can be read and decoded.
    #[test]
    fn arbitrary_input_tokenizes(html in prop_oneof![
        r#"([<>/!?=&;#x\-"' a-zA-Z0-9é“\n]|script|style|<!--|-->|\]\]>|&amp;|&#){0,60}"#,
        any::<String>(),
    ]) {
        let mut at = 0;
        for token in Tokenizer::new(&html) {
            let range = token.range();
            prop_assert_eq!(range.start, at, "gap or overlap in {:?}", html);
            prop_assert!(range.start < range.end, "empty token in {:?}", html);
            prop_assert!(html.is_char_boundary(range.start) && html.is_char_boundary(range.end));
            match &token {
                Token::Text(r) | Token::RawText(r) => {
                    let text = &html[r.clone()];
                    prop_assert_eq!(decoded_len(text), decode_entities(text).len());
                }
                Token::StartTag(tag) | Token::EndTag(tag) => {
                    for attribute in tag.attributes() {
                        let _ = attribute.value();
                    }
                }
                Token::Comment(_) | Token::Declaration(_) => {}
            }
            at = range.end;
        }
        prop_assert_eq!(at, html.len());
    }
}
