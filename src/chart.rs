//! Timeline charts: an inline SVG with one linked mark per dated event
//! (incidents and relationships above the axis, articles below it), no
//! script needed. The front page charts the whole timeline; an entity page
//! charts its own incidents and relationships.
//!
//! For assistive technology a chart is a named group of links, one per
//! mark, each named by its kind, date and title; the axis, years and legend
//! only repeat what those names say, so they are hidden from it. (A
//! `role="img"` would flatten the links away: an image has no interactive
//! parts, which axe-core reports as `nested-interactive`.)

use std::fmt::Write as _;

use crate::date::PartialDate;
use crate::graph::ItemRef;
use crate::highlight::escape;
use crate::model::IncidentKind;
use crate::publish::Published;

const WIDTH: f64 = 960.0;
const MARGIN: f64 = 40.0;
const AXIS_Y: f64 = 110.0;
const LANE: f64 = 16.0;
const MAX_LANES: usize = 5;

/// Above this many items the chart draws one bar pair per year instead of
/// one mark per item: thousands of marks would neither read nor fit the
/// page budget.
const MAX_MARKS: usize = 150;

/// What a mark stands for; it decides the mark's side, shape and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum MarkKind {
    Incident(IncidentKind),
    Relationship,
    Article,
}

impl MarkKind {
    fn above(self) -> bool {
        !matches!(self, MarkKind::Article)
    }

    fn noun(self) -> &'static str {
        match self {
            MarkKind::Incident(_) => "incident",
            MarkKind::Relationship => "relationship",
            MarkKind::Article => "article",
        }
    }
}

/// One dated event on a chart, in date order.
#[derive(Debug, Clone, Hash)]
pub(crate) struct Mark<'a> {
    pub(crate) kind: MarkKind,
    pub(crate) date: PartialDate,
    pub(crate) title: &'a str,
    pub(crate) href: String,
}

/// A chart: its marks (sorted by date), the id of its title element (unique
/// on its page), and where each year's bars link when it aggregates.
pub(crate) struct Chart<'c, 'a> {
    pub(crate) id: &'c str,
    pub(crate) marks: &'c [Mark<'a>],
    pub(crate) years: &'c [(i16, String)],
}

const INCIDENT: &str = "#b3261e";
const RELATIONSHIP: &str = "#6a3d9a";
const ARTICLE: &str = "#1d4f91";

/// The marks of the published timeline: its incidents and articles.
pub(crate) fn timeline_marks<'a>(view: &Published<'a>) -> Vec<Mark<'a>> {
    let dossier = view.dossier;
    view.timeline()
        .iter()
        .filter_map(|&item| {
            let kind = match item {
                ItemRef::Incident(i) => MarkKind::Incident(dossier.incidents[i].kind),
                _ => MarkKind::Article,
            };
            Some(Mark {
                kind,
                date: view.date(item)?,
                title: view.title(item),
                href: view.url(item),
            })
        })
        .collect()
}

/// "3 incidents and 2 articles": the counts of the kinds present.
fn counted(marks: &[Mark<'_>]) -> String {
    let nouns = ["incident", "relationship", "article"];
    let parts: Vec<String> = nouns
        .iter()
        .filter_map(|noun| {
            let n = marks.iter().filter(|m| m.kind.noun() == *noun).count();
            (n > 0).then(|| format!("{n} {noun}{}", if n == 1 { "" } else { "s" }))
        })
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The legend: a swatch and a word for each kind present, left to right.
fn legend(marks: &[Mark<'_>], per_year: bool) -> String {
    let mut svg = String::from("<g class=\"chart-legend\" font-size=\"12\" fill=\"currentColor\">");
    let mut x = MARGIN;
    let kinds = [
        (
            "Incidents",
            INCIDENT,
            MarkKind::Incident(IncidentKind::Other),
        ),
        ("Relationships", RELATIONSHIP, MarkKind::Relationship),
        ("Articles", ARTICLE, MarkKind::Article),
    ];
    for (word, colour, kind) in kinds {
        if !marks.iter().any(|m| m.kind.noun() == kind.noun()) {
            continue;
        }
        let swatch = match kind {
            _ if per_year => {
                format!("<rect x=\"{x}\" y=\"9\" width=\"10\" height=\"10\" fill=\"{colour}\"/>")
            }
            MarkKind::Incident(_) => {
                format!(
                    "<circle cx=\"{}\" cy=\"14\" r=\"5\" fill=\"{colour}\"/>",
                    x + 5.0
                )
            }
            MarkKind::Relationship => diamond(x + 5.0, 14.0, 6.0, colour, ""),
            MarkKind::Article => {
                format!("<rect x=\"{x}\" y=\"9\" width=\"10\" height=\"10\" fill=\"{colour}\"/>")
            }
        };
        let text = if per_year {
            format!("{word} per year")
        } else {
            word.to_string()
        };
        let _ = write!(
            svg,
            "{swatch}<text x=\"{}\" y=\"18\">{text}</text>",
            x + 15.0
        );
        x += 15.0 + 8.0 * text.len() as f64 + 20.0;
    }
    svg.push_str("</g>");
    svg
}

fn diamond(x: f64, y: f64, r: f64, colour: &str, class: &str) -> String {
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(" class=\"{class}\"")
    };
    format!(
        "<path{class} d=\"M{x:.1} {:.1}L{:.1} {y:.1}L{x:.1} {:.1}L{:.1} {y:.1}Z\" fill=\"{colour}\"/>",
        y - r,
        x + r,
        y + r,
        x - r
    )
}

/// The chart's height: without articles, nothing goes below the years.
fn chart_height(marks: &[Mark<'_>]) -> f64 {
    if marks.iter().any(|m| !m.kind.above()) {
        220.0
    } else {
        AXIS_Y + 30.0
    }
}

/// The chart; empty when there is nothing dated to show.
pub(crate) fn svg(chart: &Chart<'_, '_>) -> String {
    let dated = chart.marks;
    if dated.len() > MAX_MARKS {
        return by_year(chart);
    }
    let (Some(first), Some(last)) = (dated.first(), dated.last()) else {
        return String::new();
    };
    let id = chart.id;
    let first_year = first.date.year() as i32;
    let last_year = last.date.year() as i32 + 1;
    let span = (last_year - first_year).max(1) as f64;
    let x_of = |d: &PartialDate| {
        let (y, m, day) = d.sort_key();
        let t = y as f64 + (m as f64 - 1.0) / 12.0 + (day as f64 - 1.0) / 366.0;
        MARGIN + (t - first_year as f64) / span * (WIDTH - 2.0 * MARGIN)
    };

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"timeline-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {}\" role=\"group\" aria-labelledby=\"{id}\">\
         <title id=\"{id}\">Timeline of {}, {first_year} to {}</title>\
         <g class=\"chart-frame\" aria-hidden=\"true\">",
        chart_height(dated),
        counted(dated),
        last_year - 1
    );
    let _ = write!(
        svg,
        "<line class=\"chart-axis\" x1=\"{MARGIN}\" y1=\"{AXIS_Y}\" x2=\"{}\" y2=\"{AXIS_Y}\" stroke=\"currentColor\"/>",
        WIDTH - MARGIN
    );
    svg.push_str(&legend(dated, false));
    let step = ((last_year - first_year) / 12).max(1);
    for year in (first_year..=last_year).step_by(step as usize) {
        let x = MARGIN + (year - first_year) as f64 / span * (WIDTH - 2.0 * MARGIN);
        let _ = write!(
            svg,
            "<line class=\"chart-tick\" x1=\"{x:.1}\" y1=\"{}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"currentColor\"/>\
             <text class=\"chart-year\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"currentColor\">{year}</text>",
            AXIS_Y - 4.0,
            AXIS_Y + 4.0,
            AXIS_Y + 20.0
        );
    }
    svg.push_str("</g>");
    // Marks that would overlap move to the next lane away from the axis.
    let mut lane_ends: [Vec<f64>; 2] = [vec![f64::MIN; MAX_LANES], vec![f64::MIN; MAX_LANES]];
    for mark in dated {
        let x = x_of(&mark.date);
        let side = usize::from(!mark.kind.above());
        let lane = lane_ends[side]
            .iter()
            .position(|&end| x - end > 13.0)
            .unwrap_or(MAX_LANES - 1);
        lane_ends[side][lane] = x;
        // Articles sit below the year labels.
        let y = if side == 0 {
            AXIS_Y - 16.0 - lane as f64 * LANE
        } else {
            AXIS_Y + 36.0 + lane as f64 * LANE
        };
        // The shape tells the kinds apart at a glance; the name says it.
        let shape = match mark.kind {
            MarkKind::Incident(kind) => format!(
                "<circle class=\"chart-incident chart-{}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"{INCIDENT}\"/>",
                kind.name()
            ),
            MarkKind::Relationship => diamond(x, y, 7.0, RELATIONSHIP, "chart-relationship"),
            MarkKind::Article => format!(
                "<rect class=\"chart-article\" x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{ARTICLE}\"/>",
                x - 5.0,
                y - 5.0
            ),
        };
        // A `<title>` as the link's first child is both its accessible name
        // and the tooltip a pointer shows.
        let noun = mark.kind.noun();
        let label = format!(
            "{}{}, {}: {}",
            noun[..1].to_uppercase(),
            &noun[1..],
            mark.date.display(),
            mark.title
        );
        let _ = write!(
            svg,
            "<a class=\"chart-mark\" href=\"{}\"><title>{}</title>{shape}</a>",
            escape(&mark.href),
            escape(&label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One pair of bars per year (incidents and relationships above the axis,
/// articles below), each pair a link named by its year and counts.
fn by_year(chart: &Chart<'_, '_>) -> String {
    let (id, dated, years) = (chart.id, chart.marks, chart.years);
    // (year, incidents, relationships, articles)
    let mut counts: Vec<(i16, usize, usize, usize)> = Vec::new();
    for mark in dated {
        let year = mark.date.year();
        if counts.last().is_none_or(|(y, ..)| *y != year) {
            counts.push((year, 0, 0, 0));
        }
        if let Some(last) = counts.last_mut() {
            match mark.kind {
                MarkKind::Incident(_) => last.1 += 1,
                MarkKind::Relationship => last.2 += 1,
                MarkKind::Article => last.3 += 1,
            }
        }
    }
    let (Some(first), Some(last)) = (counts.first(), counts.last()) else {
        return String::new();
    };
    let (first_year, last_year) = (first.0 as i32, last.0 as i32);
    let slots = (last_year - first_year + 1).max(1) as f64;
    let slot = (WIDTH - 2.0 * MARGIN) / slots;
    let bar = (slot * 0.7).clamp(2.0, 40.0);
    let most = counts
        .iter()
        .map(|c| (c.1 + c.2).max(c.3))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let height = 80.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"timeline-chart timeline-chart-years\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {}\" role=\"group\" aria-labelledby=\"{id}\">\
         <title id=\"{id}\">Timeline of {} by year, {first_year} to {last_year}</title>\
         <g class=\"chart-frame\" aria-hidden=\"true\">\
         <line class=\"chart-axis\" x1=\"{MARGIN}\" y1=\"{AXIS_Y}\" x2=\"{}\" y2=\"{AXIS_Y}\" stroke=\"currentColor\"/>",
        chart_height(dated),
        counted(dated),
        WIDTH - MARGIN,
    );
    svg.push_str(&legend(dated, true));
    let step = ((last_year - first_year) / 12).max(1) as usize;
    for (year, ..) in counts.iter().step_by(step) {
        let x = MARGIN + (*year as i32 - first_year) as f64 * slot + slot / 2.0;
        let _ = write!(
            svg,
            "<text class=\"chart-year\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" fill=\"currentColor\">{year}</text>",
            chart_height(dated) - 15.0
        );
    }
    svg.push_str("</g>");
    for (year, incidents, relationships, articles) in &counts {
        let x = MARGIN + (*year as i32 - first_year) as f64 * slot + (slot - bar) / 2.0;
        let up = *incidents as f64 / most * height;
        let side = *relationships as f64 / most * height;
        let down = *articles as f64 / most * height;
        let href = years
            .iter()
            .find(|(y, _)| y == year)
            .map_or(String::new(), |(_, url)| url.clone());
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut label = format!("{year}: {incidents} incident{}", plural(*incidents));
        if *relationships > 0 {
            let _ = write!(
                label,
                ", {relationships} relationship{}",
                plural(*relationships)
            );
        }
        let _ = write!(label, ", {articles} article{}", plural(*articles));
        let _ = write!(
            svg,
            "<a class=\"chart-mark chart-year-bars\" href=\"{}\"><title>{}</title>\
             <rect class=\"chart-incident\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{up:.1}\" fill=\"{INCIDENT}\"/>\
             <rect class=\"chart-relationship\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{side:.1}\" fill=\"{RELATIONSHIP}\"/>\
             <rect class=\"chart-article\" x=\"{x:.1}\" y=\"{AXIS_Y}\" width=\"{bar:.1}\" height=\"{down:.1}\" fill=\"{ARTICLE}\"/></a>",
            escape(&href),
            escape(&label),
            AXIS_Y - up,
            AXIS_Y - up - side
        );
    }
    svg.push_str("</svg>");
    svg
}
