//! Numbered citations: sources get `[1]`, `[2]`... in order of first use on
//! a page, and the same source cited twice keeps its number.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::model::Source;

#[derive(Default)]
pub(crate) struct Citations {
    sources: Vec<Source>,
    numbers: HashMap<Source, usize>,
}

impl Citations {
    /// The number of `source` on this page, assigning the next one if new.
    pub(crate) fn cite(&mut self, source: &Source) -> usize {
        if let Some(&n) = self.numbers.get(source) {
            return n;
        }
        self.sources.push(source.clone());
        let n = self.sources.len();
        self.numbers.insert(source.clone(), n);
        n
    }

    /// The references list, in citation order.
    pub(crate) fn references(&self) -> Vec<Value> {
        self.sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                json!({
                    "n": i + 1,
                    "title": s.title,
                    "url": s.url,
                    "archived": s.archived,
                    "publisher": s.publisher,
                    "date": s.date,
                    "reliability": s.reliability.map(String::from),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(u: &str) -> Source {
        Source {
            title: None,
            url: Some(crate::model::WrittenUrl::new(u)),
            archived: None,
            publisher: None,
            date: None,
            reliability: None,
        }
    }

    #[test]
    fn numbers_follow_first_use() {
        let mut c = Citations::default();
        assert_eq!(c.cite(&url("b")), 1);
        assert_eq!(c.cite(&url("a")), 2);
        assert_eq!(c.cite(&url("b")), 1);
        let refs = c.references();
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[1]["url"], "a");
        assert_eq!(refs[1]["n"], 2);
    }
}
