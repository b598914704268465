//! Character references (`&amp;`, `&#8217;`, `&#x27;`): decoding them, and
//! splitting escaped text into the characters a reader sees.

use std::borrow::Cow;
use std::ops::Range;

/// What a browser shows for a reference it cannot map to a character.
const REPLACEMENT: char = '\u{fffd}';

/// Decodes every character reference of `text`. A reference we do not know
/// stays as written, which is how a browser shows most of them too.
pub(crate) fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    decode_into(text, &mut out);
    Cow::Owned(out)
}

/// [`decode_entities`] appending to `out`, copying the spans between
/// references whole rather than character by character.
pub(crate) fn decode_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        match reference(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// One character a reader sees in escaped text: a character as written, or
/// a reference and the character it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unit {
    /// Where it is written, relative to the text given to [`units`].
    pub(crate) raw: Range<usize>,
    pub(crate) text: char,
}

/// Splits escaped text into [`Unit`]s, so that a position in the decoded
/// text can be mapped back to a position between units of the source.
pub(crate) fn units(raw: &str) -> impl Iterator<Item = Unit> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let rest = &raw[i..];
        let start = i;
        let reference = rest.starts_with('&').then(|| reference(rest)).flatten();
        let (text, len) = match reference {
            Some(decoded) => decoded,
            None => {
                let c = rest.chars().next()?;
                (c, c.len_utf8())
            }
        };
        i += len;
        Some(Unit {
            raw: start..i,
            text,
        })
    })
}

/// The length in bytes of `raw` once decoded, without building it.
pub(crate) fn decoded_len(raw: &str) -> usize {
    units(raw).map(|u| u.text.len_utf8()).sum()
}

/// The reference at the start of `s` (which starts with `&`): the character
/// it stands for and its length. Only references closed by `;` count: the
/// forms without one are legacy, and guessing where they end would misread
/// ordinary text such as `AT&T`.
fn reference(s: &str) -> Option<(char, usize)> {
    let bytes = s.as_bytes();
    if bytes.get(1) == Some(&b'#') {
        let (start, radix) = match bytes.get(2) {
            Some(b'x' | b'X') => (3, 16),
            _ => (2, 10),
        };
        let digits = bytes[start.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || (radix == 16 && b.is_ascii_hexdigit()))
            .count();
        if digits == 0 || bytes.get(start + digits) != Some(&b';') {
            return None;
        }
        // More digits than a u32 holds is out of range like any other
        // too-large code point.
        let code = u32::from_str_radix(&s[start..start + digits], radix).unwrap_or(u32::MAX);
        return Some((numeric(code), start + digits + 1));
    }
    // The longest name in the HTML standard has 31 characters; looking no
    // further keeps a long run of letters after a stray `&` cheap.
    let name = bytes[1..]
        .iter()
        .take(32)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if bytes.get(1 + name) != Some(&b';') {
        return None;
    }
    named(&s[1..1 + name]).map(|c| (c, name + 2))
}

/// The character of a numeric reference, mapped as browsers do: nothing
/// unprintable or invalid gets through, and the C1 range means the
/// Windows-1252 characters that old documents meant by it (`&#146;` is an
/// apostrophe).
fn numeric(code: u32) -> char {
    const C1: [char; 32] = [
        '\u{20ac}', '\u{81}', '\u{201a}', '\u{192}', '\u{201e}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2c6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8d}', '\u{17d}',
        '\u{8f}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2dc}', '\u{2122}', '\u{161}', '\u{203a}', '\u{153}', '\u{9d}', '\u{17e}',
        '\u{178}',
    ];
    match code {
        0 => REPLACEMENT,
        0x80..=0x9f => C1[(code - 0x80) as usize],
        _ => char::from_u32(code).unwrap_or(REPLACEMENT),
    }
}

/// Named references: the ones our templates and Markdown write, and the
/// punctuation and symbols a contributor is likely to type in raw HTML.
/// Not the standard's 2,231 names: an unknown one stays as written.
fn named(name: &str) -> Option<char> {
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "shy" => '\u{ad}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "zwnj" => '\u{200c}',
        "zwj" => '\u{200d}',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "sbquo" => '\u{201a}',
        "ldquo" => '\u{201c}',
        "rdquo" => '\u{201d}',
        "bdquo" => '\u{201e}',
        "laquo" => '\u{ab}',
        "raquo" => '\u{bb}',
        "lsaquo" => '\u{2039}',
        "rsaquo" => '\u{203a}',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "hellip" => '\u{2026}',
        "bull" => '\u{2022}',
        "middot" => '\u{b7}',
        "dagger" => '\u{2020}',
        "Dagger" => '\u{2021}',
        "prime" => '\u{2032}',
        "Prime" => '\u{2033}',
        "sect" => '\u{a7}',
        "para" => '\u{b6}',
        "copy" => '\u{a9}',
        "reg" => '\u{ae}',
        "trade" => '\u{2122}',
        "deg" => '\u{b0}',
        "plusmn" => '\u{b1}',
        "times" => '\u{d7}',
        "divide" => '\u{f7}',
        "minus" => '\u{2212}',
        "permil" => '\u{2030}',
        "euro" => '\u{20ac}',
        "pound" => '\u{a3}',
        "yen" => '\u{a5}',
        "cent" => '\u{a2}',
        _ => return None,
    };
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_decode_as_a_browser_shows_them() {
        let cases = [
            // Every reference `marks.rs` and `links.rs` decoded before.
            ("&amp; &lt; &gt; &quot; &apos;", "& < > \" '"),
            (
                "&#39; &#x27; &#X27; &#34; &#x22; &#38; &#x26;",
                "' ' ' \" \" & &",
            ),
            ("&#60;&#x3c;&#x3C;&#62;&#x3e;&#x3E;", "<<<>>>"),
            ("&nbsp;&#160;&#xa0;&#xA0;", "\u{a0}\u{a0}\u{a0}\u{a0}"),
            (
                "&lsquo;&rsquo;&ldquo;&rdquo;&ndash;&mdash;&hellip;",
                "‘’“”–—…",
            ),
            ("x&#45;y &#x1F600;", "x-y 😀"),
            // Any number of digits, and leading zeros.
            ("&#0000000000065;", "A"),
            // Invalid code points become U+FFFD, as in a browser.
            (
                "&#0; &#xD800; &#x110000; &#99999999999999;",
                "\u{fffd} \u{fffd} \u{fffd} \u{fffd}",
            ),
            // Windows-1252 in the C1 range.
            ("&#146;&#150;&#x80;&#x81;", "’–€\u{81}"),
            // Not references: no `;`, unknown names, no digits, stray `&`.
            (
                "AT&T &amp &bogus; &#; &#x; &#xg; &#12a; && &",
                "AT&T &amp &bogus; &#; &#x; &#xg; &#12a; && &",
            ),
            ("&a&amp;", "&a&"),
            ("&#+5; &#-5;", "&#+5; &#-5;"),
            ("&AMP;", "&AMP;"),
            ("", ""),
            ("é&eacute;“", "é&eacute;“"),
        ];
        for (raw, decoded) in cases {
            assert_eq!(decode_entities(raw), decoded, "{raw}");
            assert_eq!(decoded_len(raw), decoded.len(), "{raw}");
            let joined: String = units(raw).map(|u| u.text).collect();
            assert_eq!(joined, decoded, "{raw}");
        }
    }

    #[test]
    fn units_cover_the_source_one_reader_character_each() {
        let units: Vec<Unit> = units("a&amp;é&#x1F600;&x").collect();
        let expected = [
            (0..1, 'a'),
            (1..6, '&'),
            (6..8, 'é'),
            (8..17, '😀'),
            (17..18, '&'),
            (18..19, 'x'),
        ];
        let got: Vec<(Range<usize>, char)> = units.into_iter().map(|u| (u.raw, u.text)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn text_without_references_is_borrowed() {
        assert!(matches!(
            decode_entities("plain é"),
            Cow::Borrowed("plain é")
        ));
    }
}
