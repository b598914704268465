//! Numbered citations: sources get `[1]`, `[2]`... in order of first use on
//! a page, and the same source cited twice keeps its number.

use std::collections::HashMap;

use serde::Serialize;

use crate::date::PartialDate;
use crate::model::{Source, WrittenUrl};

#[derive(Default)]
pub(crate) struct Citations<'a> {
    sources: Vec<&'a Source>,
    numbers: HashMap<&'a Source, usize>,
}

/// One entry of a page's references list (the template's `Source`).
#[derive(Serialize)]
pub(crate) struct Reference<'a> {
    pub(crate) n: usize,
    pub(crate) title: Option<&'a str>,
    pub(crate) url: Option<&'a WrittenUrl>,
    pub(crate) archived: Option<&'a WrittenUrl>,
    pub(crate) publisher: Option<&'a str>,
    pub(crate) date: Option<PartialDate>,
    pub(crate) reliability: Option<String>,
}

impl<'a> Citations<'a> {
    /// The number of `source` on this page, assigning the next one if new.
    pub(crate) fn cite(&mut self, source: &'a Source) -> usize {
        if let Some(&n) = self.numbers.get(source) {
            return n;
        }
        self.sources.push(source);
        let n = self.sources.len();
        self.numbers.insert(source, n);
        n
    }

    /// The numbers of `sources`, citing each.
    pub(crate) fn cite_all(&mut self, sources: &'a [Source]) -> Vec<usize> {
        sources.iter().map(|s| self.cite(s)).collect()
    }

    /// The references list, in citation order.
    pub(crate) fn references(&self) -> Vec<Reference<'a>> {
        self.sources
            .iter()
            .enumerate()
            .map(|(i, s)| Reference {
                n: i + 1,
                title: s.title.as_deref(),
                url: s.url.as_ref(),
                archived: s.archived.as_ref(),
                publisher: s.publisher.as_deref(),
                date: s.date,
                reliability: s.reliability.map(String::from),
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
            url: Some(WrittenUrl::new(u)),
            archived: None,
            publisher: None,
            date: None,
            reliability: None,
        }
    }

    #[test]
    fn numbers_follow_first_use() {
        let (a, b) = (url("a"), url("b"));
        let b_again = url("b");
        let mut c = Citations::default();
        assert_eq!(c.cite(&b), 1);
        assert_eq!(c.cite(&a), 2);
        assert_eq!(c.cite(&b_again), 1);
        let refs = c.references();
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[1].url.map(|u| &**u), Some("a"));
        assert_eq!(refs[1].n, 2);
    }
}
