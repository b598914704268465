//! The index files (`/search-index/`), made from the records in parallel.
//!
//! The browser must fetch only what a query needs, however large the
//! dossier, so the index is split:
//!
//! - `meta.json`: how many records there are, where each group of records
//!   starts, which term shards exist, and every facet value with the records
//!   that carry it (so facet counts follow the results without a fetch).
//! - `terms/<hex>.json`: the terms that begin with the same two characters
//!   (their UTF-8 bytes in hex name the file), each with its postings; on a
//!   dossier of fewer than 20,000 distinct words, the same first character
//!   (`prefix` in `meta.json` says which).
//! - `records/<n>.json`: the records of group `n` (an article and its
//!   annotations, an incident, an entity): what a hit shows, excerpt text
//!   included, fetched only for the hits on screen.
//!
//! Lists of record ids are sorted and delta-coded: in a facet list a
//! positive `d` is the id `d` past the previous one (which starts at -1),
//! and `-k` stands for the next `k` ids in a row; in a posting list each
//! number is `delta * 32 + weight`. `static/search.js` decodes both.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::words::{each_word, fold};
use super::{FOLDER, Record};
use crate::output::Sink;

/// How the files are laid out; `search.js` checks it.
const FORMAT: u32 = 1;

/// A posting: `id << WEIGHT_BITS | weight`.
const WEIGHT_BITS: u32 = 5;
/// Weight for a word of the title, added to its count in the text (which
/// is capped below it).
const IN_TITLE: u32 = 16;
const MAX_COUNT: u32 = IN_TITLE - 1;

/// Units of parallel work per thread: enough to keep every core busy
/// when records differ in length.
const CHUNKS_PER_THREAD: usize = 8;
/// The fewest records per unit of work: merging the partial maps costs a
/// lookup per distinct word of each, so many small units cost more.
const MIN_CHUNK: usize = 512;

type Postings = FxHashMap<Box<str>, Vec<u32>>;
/// A term and its postings.
type Term = (Box<str>, Vec<u32>);
/// A shard's key and its terms.
type Shard = (String, Vec<Term>);

/// Writes every file of the index into `sink` as soon as it is encoded, so
/// the index is never held whole in memory.
pub(crate) fn write(
    records: &[Record],
    groups: &[u32],
    digest: u64,
    sink: &dyn Sink,
) -> anyhow::Result<()> {
    let mut timer = crate::timings::Timer::new();
    let terms = terms(records);
    let prefix = prefix_for(terms.len());
    let shards = shards(terms, prefix);
    timer.lap("  search: terms");
    sink.write(
        &format!("{FOLDER}/meta.json"),
        &meta(records, groups, &shards, prefix, digest),
    )?;
    shards.into_par_iter().try_for_each(|(key, terms)| {
        sink.write(&format!("{FOLDER}/terms/{key}.json"), &shard_json(&terms))
    })?;
    timer.lap("  search: terms written");
    (0..groups.len()).into_par_iter().try_for_each(|g| {
        let start = groups[g] as usize;
        let end = groups.get(g + 1).map_or(records.len(), |&e| e as usize);
        sink.write(
            &format!("{FOLDER}/records/{g}.json"),
            &group_json(&records[start..end]),
        )
    })?;
    timer.lap("  search: records written");
    Ok(())
}

/// Each term with its postings, ids ascending.
fn terms(records: &[Record]) -> Postings {
    let size = records
        .len()
        .div_ceil(rayon::current_num_threads() * CHUNKS_PER_THREAD)
        .max(MIN_CHUNK);
    let partial: Vec<Postings> = records
        .par_chunks(size)
        .enumerate()
        .map(|(chunk, records)| {
            let mut postings = Postings::default();
            for (offset, record) in records.iter().enumerate() {
                let id = (chunk * size + offset) as u32;
                for piece in record.text.pieces() {
                    each_word(&fold(&piece), |word| {
                        count(&mut postings, word, id, |weight| {
                            (weight + 1).min(MAX_COUNT)
                        });
                    });
                }
                each_word(&fold(&record.title), |word| {
                    count(&mut postings, word, id, |weight| {
                        if weight < IN_TITLE {
                            weight + IN_TITLE
                        } else {
                            weight
                        }
                    });
                });
            }
            postings
        })
        .collect();
    // Chunks are merged in order, so every list stays sorted by id.
    let mut all = Postings::default();
    for part in partial {
        for (word, list) in part {
            all.entry(word).or_default().extend(list);
        }
    }
    all
}

/// Counts one occurrence of `word` in record `id`: its posting for this
/// record is the last of its list (records are taken in order), so the
/// weight is updated there, with one lookup and no map per record.
fn count(postings: &mut Postings, word: &str, id: u32, weigh: impl Fn(u32) -> u32) {
    let posting = |weight| id << WEIGHT_BITS | weight;
    match postings.get_mut(word) {
        Some(list) => match list.last_mut() {
            Some(last) if *last >> WEIGHT_BITS == id => {
                *last = posting(weigh(*last & ((1 << WEIGHT_BITS) - 1)));
            }
            _ => list.push(posting(weigh(0))),
        },
        None => {
            postings.insert(word.into(), vec![posting(weigh(0))]);
        }
    }
}

/// Up to this many distinct words, terms are sharded by their first
/// character rather than their first two: a small dossier's index is then
/// a few dozen files rather than hundreds.
const SMALL_VOCABULARY: usize = 20_000;

/// How many leading characters name a term's shard, for `terms` words.
fn prefix_for(terms: usize) -> usize {
    if terms <= SMALL_VOCABULARY { 1 } else { 2 }
}

/// Terms grouped by shard key (the hex of their first `prefix`
/// characters), keys and terms sorted.
fn shards(terms: Postings, prefix: usize) -> Vec<Shard> {
    let mut sorted: Vec<Term> = terms.into_iter().collect();
    sorted.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut shards: BTreeMap<String, Vec<Term>> = BTreeMap::new();
    for (term, list) in sorted {
        shards
            .entry(shard_key(&term, prefix))
            .or_default()
            .push((term, list));
    }
    shards.into_iter().collect()
}

/// The file name of the shard that holds `term`.
pub(crate) fn shard_key(term: &str, prefix: usize) -> String {
    let end = term
        .char_indices()
        .nth(prefix)
        .map_or(term.len(), |(at, _)| at);
    let mut key = String::with_capacity(end * 2);
    for byte in &term.as_bytes()[..end] {
        let _ = write!(key, "{byte:02x}");
    }
    key
}

fn shard_json(terms: &[Term]) -> Vec<u8> {
    let mut out = Vec::with_capacity(terms.iter().map(|(_, l)| 8 + l.len() * 4).sum());
    separated(&mut out, terms, b"[", b"]", |out, (term, list)| {
        out.push(b'[');
        // A term is letters and digits only: nothing in it needs escaping,
        // but serde_json makes sure of it.
        serde_json::to_writer(&mut *out, term).expect("writing to a Vec");
        out.push(b',');
        let mut previous: i64 = -1;
        separated(out, list, b"[", b"]]", |out, posting| {
            let id = i64::from(posting >> WEIGHT_BITS);
            let weight = i64::from(posting & ((1 << WEIGHT_BITS) - 1));
            number(out, (id - previous) * (1 << WEIGHT_BITS) + weight);
            previous = id;
        });
    });
    out
}

/// Writes `items` between `open` and `close`, separated by commas.
fn separated<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    open: &[u8],
    close: &[u8],
    mut each: impl FnMut(&mut Vec<u8>, T),
) {
    out.extend_from_slice(open);
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(out, item);
    }
    out.extend_from_slice(close);
}

fn number(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A sorted id list in the facet coding: deltas, runs as `-k`.
fn encode_ids(ids: &[u32], out: &mut Vec<u8>) {
    out.push(b'[');
    let mut previous: i64 = -1;
    let mut i = 0;
    let mut first = true;
    while i < ids.len() {
        if !first {
            out.push(b',');
        }
        first = false;
        let id = i64::from(ids[i]);
        let mut run = 0;
        while i + run < ids.len() && i64::from(ids[i + run]) == previous + 1 + run as i64 {
            run += 1;
        }
        if run >= 2 {
            number(out, -(run as i64));
            previous += run as i64;
            i += run;
        } else {
            number(out, id - previous);
            previous = id;
            i += 1;
        }
    }
    out.push(b']');
}

fn meta(
    records: &[Record],
    groups: &[u32],
    shards: &[Shard],
    prefix: usize,
    digest: u64,
) -> Vec<u8> {
    let mut facets: BTreeMap<&str, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
    for (id, record) in records.iter().enumerate() {
        for (key, value) in &record.facets {
            let ids = facets.entry(key).or_default().entry(value).or_default();
            // A record lists a value once, but be sure.
            if ids.last() != Some(&(id as u32)) {
                ids.push(id as u32);
            }
        }
    }
    let mut out = Vec::new();
    out.extend_from_slice(
        format!(
            "{{\"format\":{FORMAT},\"version\":\"{digest:016x}\",\"records\":{},\"prefix\":{prefix},\"groups\":",
            records.len()
        )
        .as_bytes(),
    );
    encode_ids(groups, &mut out);
    out.extend_from_slice(b",\"shards\":");
    let keys: Vec<&str> = shards.iter().map(|(k, _)| k.as_str()).collect();
    serde_json::to_writer(&mut out, &keys).expect("writing to a Vec");
    out.extend_from_slice(b",\"facets\":");
    separated(&mut out, &facets, b"{", b"", |out, (key, values)| {
        serde_json::to_writer(&mut *out, key).expect("writing to a Vec");
        out.push(b':');
        separated(out, values, b"[", b"]", |out, (value, ids)| {
            out.push(b'[');
            serde_json::to_writer(&mut *out, value).expect("writing to a Vec");
            out.push(b',');
            encode_ids(ids, out);
            out.push(b']');
        });
    });
    out.extend_from_slice(b"}}");
    out
}

/// What `search.js` shows of a hit, under short keys: this is most of the
/// index's bytes.
#[derive(Serialize)]
struct Shown<'a> {
    /// URL relative to the site root.
    u: &'a str,
    /// Title.
    t: &'a str,
    /// Type: Article, Annotation, Incident or Entity.
    y: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<&'a str>,
    /// For an annotation, the title of its article.
    #[serde(skip_serializing_if = "Option::is_none")]
    c: Option<&'a str>,
    /// The text excerpts are cut from.
    #[serde(serialize_with = "serialize_display")]
    x: &'a super::Text,
}

fn serialize_display<S: serde::Serializer>(
    value: &&super::Text,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

fn group_json(records: &[Record]) -> Vec<u8> {
    let shown: Vec<Shown<'_>> = records
        .iter()
        .map(|r| Shown {
            u: &r.url,
            t: &r.title,
            y: r.kind,
            d: r.date.as_deref(),
            c: r.context.as_deref(),
            x: &r.text,
        })
        .collect();
    serde_json::to_vec(&shown).expect("records serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[u32]) -> String {
        let mut out = Vec::new();
        encode_ids(list, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn id_lists_are_deltas_with_runs() {
        assert_eq!(ids(&[]), "[]");
        assert_eq!(ids(&[0]), "[1]");
        assert_eq!(ids(&[0, 1, 2, 3]), "[-4]");
        assert_eq!(ids(&[3, 4, 5, 9, 11, 12]), "[4,-2,4,2,1]");
    }

    #[test]
    fn shard_keys_are_the_first_characters_in_hex() {
        assert_eq!(shard_key("the", 2), "7468");
        assert_eq!(shard_key("a", 2), "61");
        assert_eq!(shard_key("평양이", 2), "ed8f89ec9691");
        assert_eq!(shard_key("the", 1), "74");
        assert_eq!(prefix_for(SMALL_VOCABULARY), 1);
        assert_eq!(prefix_for(SMALL_VOCABULARY + 1), 2);
    }

    fn record(title: &str, text: &str) -> Record {
        Record {
            url: "x/".into(),
            title: title.into(),
            kind: "Article",
            date: None,
            context: None,
            text: crate::search::Text::Own(text.into()),
            facets: Vec::new(),
        }
    }

    /// A word's postings as (record id, weight).
    fn weights(terms: &Postings, word: &str) -> Vec<(u32, u32)> {
        terms[word]
            .iter()
            .map(|p| (p >> WEIGHT_BITS, p & ((1 << WEIGHT_BITS) - 1)))
            .collect()
    }

    #[test]
    fn counts_stop_below_the_title_weight_and_a_title_counts_once() {
        let text = "cobra ".repeat(40);
        let records = [
            record("Cobra cobra COBRA", &text),
            record("Other", &text),
            record("Cobra", ""),
        ];
        assert_eq!(
            weights(&terms(&records), "cobra"),
            [(0, IN_TITLE + MAX_COUNT), (1, MAX_COUNT), (2, IN_TITLE)]
        );
    }

    #[test]
    fn postings_weigh_the_title_and_count_the_text() {
        let records = [
            record("Lazarus", "lazarus lazarus and more"),
            record("Other", "lazarus"),
        ];
        let terms = terms(&records);
        assert_eq!(weights(&terms, "lazarus"), [(0, IN_TITLE + 2), (1, 1)]);
        assert_eq!(terms["other"].len(), 1);
        let shard = shard_json(&[("lazarus".into(), terms["lazarus"].clone())]);
        // Ids 0 and 1: deltas 1 and 1.
        assert_eq!(
            String::from_utf8(shard).unwrap(),
            format!("[[\"lazarus\",[{},{}]]]", 32 + IN_TITLE + 2, 32 + 1)
        );
    }
}
