//! The front page's timeline chart: an inline SVG with one linked mark per
//! incident (above the axis) and article (below it), no script needed.
//!
//! For assistive technology the chart is a named group of links, one per
//! mark, each named by its kind, date and title; the axis, years and legend
//! only repeat what those names say, so they are hidden from it. (A
//! `role="img"` would flatten the links away: an image has no interactive
//! parts, which axe-core reports as `nested-interactive`.)

use std::fmt::Write as _;

use crate::date::PartialDate;
use crate::graph::ItemRef;
use crate::highlight::escape;
use crate::publish::Published;

const WIDTH: f64 = 960.0;
const MARGIN: f64 = 40.0;
const AXIS_Y: f64 = 110.0;
const LANE: f64 = 16.0;
const MAX_LANES: usize = 5;

/// The chart of the published timeline; empty when there is nothing to show.
pub(crate) fn svg(view: &Published<'_>) -> String {
    let dossier = view.dossier;
    let dated: Vec<(ItemRef, PartialDate, &str)> = view
        .timeline()
        .iter()
        .filter_map(|&item| Some((item, view.date(item)?, view.title(item))))
        .collect();
    let (Some(first), Some(last)) = (dated.first(), dated.last()) else {
        return String::new();
    };
    let first_year = first.1.year() as i32;
    let last_year = last.1.year() as i32 + 1;
    let span = (last_year - first_year).max(1) as f64;
    let x_of = |d: &PartialDate| {
        let (y, m, day) = d.sort_key();
        let t = y as f64 + (m as f64 - 1.0) / 12.0 + (day as f64 - 1.0) / 366.0;
        MARGIN + (t - first_year as f64) / span * (WIDTH - 2.0 * MARGIN)
    };

    let incidents = dated
        .iter()
        .filter(|d| matches!(d.0, ItemRef::Incident(_)))
        .count();
    let articles = dated.len() - incidents;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"timeline-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} 220\" role=\"group\" aria-labelledby=\"chart-title\">\
         <title id=\"chart-title\">Timeline of {incidents} incidents and {articles} articles, {first_year} to {}</title>\
         <g class=\"chart-frame\" aria-hidden=\"true\">",
        last_year - 1
    );
    let _ = write!(
        svg,
        "<line class=\"chart-axis\" x1=\"{MARGIN}\" y1=\"{AXIS_Y}\" x2=\"{}\" y2=\"{AXIS_Y}\" stroke=\"currentColor\"/>",
        WIDTH - MARGIN
    );
    let _ = write!(
        svg,
        "<g class=\"chart-legend\" font-size=\"12\" fill=\"currentColor\">\
         <circle cx=\"{MARGIN}\" cy=\"14\" r=\"5\" fill=\"#b3261e\"/><text x=\"{}\" y=\"18\">Incidents</text>\
         <rect x=\"{}\" y=\"9\" width=\"10\" height=\"10\" fill=\"#1d4f91\"/><text x=\"{}\" y=\"18\">Articles</text></g>",
        MARGIN + 10.0,
        MARGIN + 85.0,
        MARGIN + 100.0
    );
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
    for (item, date, title) in &dated {
        let x = x_of(date);
        let side = usize::from(matches!(item, ItemRef::Article(_)));
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
        // The shape tells incidents from articles at a glance; the name says it.
        let (kind, shape) = match item {
            ItemRef::Incident(i) => (
                "Incident",
                format!(
                    "<circle class=\"chart-incident chart-{}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"#b3261e\"/>",
                    serde_json::to_value(dossier.incidents[*i].kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ),
            ),
            _ => (
                "Article",
                format!(
                    "<rect class=\"chart-article\" x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"#1d4f91\"/>",
                    x - 5.0,
                    y - 5.0
                ),
            ),
        };
        // A `<title>` as the link's first child is both its accessible name
        // and the tooltip a pointer shows.
        let label = format!("{kind}, {}: {title}", date.display());
        let _ = write!(
            svg,
            "<a class=\"chart-mark\" href=\"{}\"><title>{}</title>{shape}</a>",
            escape(&view.url(*item)),
            escape(&label)
        );
    }
    svg.push_str("</svg>");
    svg
}
