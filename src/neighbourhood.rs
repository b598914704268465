//! An entity's neighbourhood as a build-time SVG graph: the entity in the
//! middle and, one hop out, the items it has relationships with and the
//! entities it shares incidents with. Every node is a link; no script.
//!
//! Like the timeline chart, the graph is a named group of links for
//! assistive technology, each named by what ties it to the entity; the
//! lines and labels only repeat those names. The relationships table on the
//! same page is the full text alternative.

use std::fmt::Write as _;

use crate::highlight::escape;

/// Nodes drawn around the centre; more would not read. The rest are
/// counted in the title and listed in the page's tables.
pub(crate) const MAX_NEIGHBOURS: usize = 16;

// Two columns of nodes, one each side of the entity, labels outward: with
// room for about 26 characters of label on each side, no two labels can
// meet, however many nodes there are.
const WIDTH: f64 = 860.0;
const COLUMN: f64 = 210.0;
/// Vertical room per node: its name and its tie, one under the other.
const ROW: f64 = 44.0;
const PAD: f64 = 24.0;
/// Longest name drawn in full; the link's title always has all of it.
const NAME_CHARS: usize = 26;
/// One item one hop from the entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Neighbour<'a> {
    pub(crate) name: &'a str,
    pub(crate) href: String,
    /// Its entity kind (`actor`) or `incident`: the node's class and colour.
    pub(crate) kind: &'static str,
    /// What ties it to the entity, from the entity's side, in a few words:
    /// `uses`, `part of this`, `2 shared incidents`.
    pub(crate) tie: String,
    /// The whole tie in words, for its link's name.
    pub(crate) sentence: String,
    /// Tied only by shared incidents (drawn dashed).
    pub(crate) shared: bool,
}

/// The graph of `centre`: its neighbours, strongest ties first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Neighbourhood<'a> {
    pub(crate) centre: &'a str,
    pub(crate) centre_kind: &'static str,
    pub(crate) neighbours: Vec<Neighbour<'a>>,
}

fn colour(kind: &str) -> &'static str {
    match kind {
        "actor" => "#b3261e",
        "malware" => "#8a4b00",
        "organisation" => "#1d4f91",
        "person" => "#2e6b30",
        "incident" => "#6a3d9a",
        _ => "#5f6368",
    }
}

/// `name`, or its first words and an ellipsis when it is long.
fn short(name: &str) -> String {
    if name.chars().count() <= NAME_CHARS {
        return name.to_string();
    }
    let cut: String = name.chars().take(NAME_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

/// The SVG; empty when the entity has no neighbours.
pub(crate) fn svg(graph: &Neighbourhood<'_>) -> String {
    if graph.neighbours.is_empty() {
        return String::new();
    }
    let drawn = &graph.neighbours[..graph.neighbours.len().min(MAX_NEIGHBOURS)];
    let hidden = graph.neighbours.len() - drawn.len();
    // The first half (the strongest ties) on the right, the rest on the
    // left, each column bowed towards the entity at its ends.
    let right = drawn.len().div_ceil(2);
    let rows = right.max(1) as f64;
    let height = (rows * ROW + 2.0 * PAD).max(160.0);
    let (cx, cy) = (WIDTH / 2.0, height / 2.0);
    let place = |k: usize| {
        let (side, row, count) = if k < right {
            (1.0, k, right)
        } else {
            (-1.0, k - right, drawn.len() - right)
        };
        let slot = (height - 2.0 * PAD) / count as f64;
        let y = PAD + (row as f64 + 0.5) * slot;
        let bow = ((y - cy).abs() / (height / 2.0)).powi(2);
        (cx + side * COLUMN * (1.0 - 0.25 * bow), y, side)
    };
    let mut title = format!(
        "Neighbourhood of {}: {} related item{}",
        graph.centre,
        graph.neighbours.len(),
        if graph.neighbours.len() == 1 { "" } else { "s" }
    );
    if hidden > 0 {
        let _ = write!(title, ", {} drawn", drawn.len());
    }
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"neighbourhood\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"group\" aria-labelledby=\"graph-title\">\
         <title id=\"graph-title\">{}</title>",
        escape(&title)
    );
    svg.push_str("<g class=\"graph-edges\" aria-hidden=\"true\" stroke=\"currentColor\">");
    for (k, n) in drawn.iter().enumerate() {
        let (x, y, _) = place(k);
        let dash = if n.shared {
            " stroke-dasharray=\"5 4\""
        } else {
            ""
        };
        let _ = write!(
            svg,
            "<line x1=\"{cx:.1}\" y1=\"{cy:.1}\" x2=\"{x:.1}\" y2=\"{y:.1}\" stroke-opacity=\"0.45\"{dash}/>"
        );
    }
    svg.push_str("</g>");
    let _ = write!(
        svg,
        "<g class=\"graph-centre\" aria-hidden=\"true\"><circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"13\" fill=\"{}\"/>\
         <text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\" fill=\"currentColor\">{}</text></g>",
        colour(graph.centre_kind),
        cy + 32.0,
        escape(&short(graph.centre))
    );
    for (k, n) in drawn.iter().enumerate() {
        let (x, y, side) = place(k);
        // Labels read outward, away from the entity.
        let (anchor, dx) = if side > 0.0 {
            ("start", 12.0)
        } else {
            ("end", -12.0)
        };
        let dy = -2.0;
        let shape = if n.kind == "incident" {
            format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"14\" height=\"14\" fill=\"{}\"/>",
                x - 7.0,
                y - 7.0,
                colour(n.kind)
            )
        } else {
            format!(
                "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"8\" fill=\"{}\"/>",
                colour(n.kind)
            )
        };
        let _ = write!(
            svg,
            "<a class=\"graph-node graph-{}\" href=\"{}\"><title>{}</title>{shape}\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"14\" fill=\"currentColor\">{}</text>\
             <text class=\"graph-tie\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"12\" fill=\"currentColor\">{}</text></a>",
            n.kind,
            escape(&n.href),
            escape(&n.sentence),
            x + dx,
            y + dy,
            escape(&short(n.name)),
            x + dx,
            y + dy + 15.0,
            escape(&n.tie)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neighbour(name: &'static str, shared: bool) -> Neighbour<'static> {
        Neighbour {
            name,
            href: format!("/entities/{}/", name.to_lowercase()),
            kind: "malware",
            tie: "uses".into(),
            sentence: format!("X uses {name}"),
            shared,
        }
    }

    #[test]
    fn every_drawn_neighbour_is_a_named_link() {
        let graph = Neighbourhood {
            centre: "X & Co",
            centre_kind: "actor",
            neighbours: vec![neighbour("Alpha", false), neighbour("Beta", true)],
        };
        let svg = svg(&graph);
        assert_eq!(svg.matches("<a class=\"graph-node").count(), 2);
        assert!(svg.contains("<title>X uses Alpha</title>"));
        assert!(svg.contains("href=\"/entities/beta/\""));
        assert!(svg.contains("Neighbourhood of X &amp; Co: 2 related items"));
        assert_eq!(svg.matches("stroke-dasharray").count(), 1);
    }

    #[test]
    fn a_crowd_is_capped_and_counted() {
        let names: Vec<&'static str> = (0..40)
            .map(|i| &*Box::leak(format!("N{i}").into_boxed_str()))
            .collect();
        let graph = Neighbourhood {
            centre: "X",
            centre_kind: "actor",
            neighbours: names.iter().map(|n| neighbour(n, false)).collect(),
        };
        let svg = svg(&graph);
        assert_eq!(svg.matches("<a class=\"graph-node").count(), MAX_NEIGHBOURS);
        assert!(svg.contains("40 related items, 16 drawn"));
    }

    #[test]
    fn long_names_are_cut_at_a_word() {
        assert_eq!(
            short("Reconnaissance General Bureau of the Korean People's Army"),
            "Reconnaissance General…"
        );
        assert_eq!(short("Lazarus Group"), "Lazarus Group");
        assert!(
            svg(&Neighbourhood {
                centre: "X",
                centre_kind: "actor",
                neighbours: Vec::new()
            })
            .is_empty()
        );
    }
}
