//! Traffic Light Protocol 2.0 levels, ordered from least to most restricted.

use serde::Serialize;
use serde::ser::SerializeStruct;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) enum Tlp {
    #[default]
    Clear,
    Green,
    Amber,
    AmberStrict,
    Red,
}

impl Tlp {
    /// The spellings accepted in files and on the command line.
    pub(crate) const NAMES: [(&'static str, Tlp); 5] = [
        ("clear", Tlp::Clear),
        ("green", Tlp::Green),
        ("amber", Tlp::Amber),
        ("amber+strict", Tlp::AmberStrict),
        ("red", Tlp::Red),
    ];

    pub(crate) fn parse(text: &str) -> Option<Tlp> {
        let text = text.trim().to_ascii_lowercase();
        let text = text.strip_prefix("tlp:").unwrap_or(&text);
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == text)
            .map(|(_, t)| *t)
    }

    pub(crate) fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("clear", |(n, _)| n)
    }

    /// A CSS-friendly name (`amber-strict`).
    pub(crate) fn css(self) -> &'static str {
        match self {
            Tlp::AmberStrict => "amber-strict",
            other => other.name(),
        }
    }

    /// The label as TLP 2.0 writes it: `TLP:AMBER+STRICT`.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }
}

impl Serialize for Tlp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Tlp", 2)?;
        s.serialize_field("level", self.css())?;
        s.serialize_field("label", &self.label())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_order_and_names() {
        assert!(Tlp::Clear < Tlp::Green && Tlp::Green < Tlp::Amber);
        assert!(Tlp::Amber < Tlp::AmberStrict && Tlp::AmberStrict < Tlp::Red);
        assert_eq!(Tlp::parse("TLP:AMBER+STRICT"), Some(Tlp::AmberStrict));
        assert_eq!(Tlp::parse("amber"), Some(Tlp::Amber));
        assert_eq!(Tlp::parse("white"), None);
        assert_eq!(Tlp::AmberStrict.label(), "TLP:AMBER+STRICT");
        assert_eq!(Tlp::AmberStrict.css(), "amber-strict");
    }

    #[test]
    fn every_label_is_its_name_in_capitals_and_parses_back() {
        for (name, tlp) in Tlp::NAMES {
            assert_eq!(tlp.label(), format!("TLP:{}", name.to_ascii_uppercase()));
            assert_eq!(Tlp::parse(tlp.label()), Some(tlp));
        }
    }
}
