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

/// Above this many items the chart draws one bar pair per year instead of
/// one mark per item: thousands of marks would neither read nor fit the
/// page budget.
const MAX_MARKS: usize = 150;

/// The chart of the published timeline; empty when there is nothing to show.
/// `years` gives where each year's bars link when the chart aggregates.
pub(crate) fn svg(view: &Published<'_>, years: &[(i16, String)]) -> String {
    let dossier = view.dossier;
    let dated: Vec<(ItemRef, PartialDate, &str)> = view
        .timeline()
        .iter()
        .filter_map(|&item| Some((item, view.date(item)?, view.title(item))))
        .collect();
    if dated.len() > MAX_MARKS {
        return by_year(&dated, years);
    }
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

/// One pair of bars per year (incidents above the axis, articles below),
/// each pair a link named by its year and counts.
fn by_year(dated: &[(ItemRef, PartialDate, &str)], years: &[(i16, String)]) -> String {
    let mut counts: Vec<(i16, usize, usize)> = Vec::new();
    for (item, date, _) in dated {
        let year = date.year();
        if counts.last().is_none_or(|(y, ..)| *y != year) {
            counts.push((year, 0, 0));
        }
        if let Some(last) = counts.last_mut() {
            match item {
                ItemRef::Incident(_) => last.1 += 1,
                _ => last.2 += 1,
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
        .map(|c| c.1.max(c.2))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let height = 80.0;
    let total_incidents: usize = counts.iter().map(|c| c.1).sum();
    let total_articles: usize = counts.iter().map(|c| c.2).sum();
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"timeline-chart timeline-chart-years\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} 220\" role=\"group\" aria-labelledby=\"chart-title\">\
         <title id=\"chart-title\">Timeline of {total_incidents} incidents and {total_articles} articles by year, {first_year} to {last_year}</title>\
         <g class=\"chart-frame\" aria-hidden=\"true\">\
         <line class=\"chart-axis\" x1=\"{MARGIN}\" y1=\"{AXIS_Y}\" x2=\"{}\" y2=\"{AXIS_Y}\" stroke=\"currentColor\"/>\
         <g class=\"chart-legend\" font-size=\"12\" fill=\"currentColor\">\
         <rect x=\"{MARGIN}\" y=\"9\" width=\"10\" height=\"10\" fill=\"#b3261e\"/><text x=\"{}\" y=\"18\">Incidents per year</text>\
         <rect x=\"{}\" y=\"9\" width=\"10\" height=\"10\" fill=\"#1d4f91\"/><text x=\"{}\" y=\"18\">Articles per year</text></g>",
        WIDTH - MARGIN,
        MARGIN + 15.0,
        MARGIN + 150.0,
        MARGIN + 165.0
    );
    let step = ((last_year - first_year) / 12).max(1) as usize;
    for (year, ..) in counts.iter().step_by(step) {
        let x = MARGIN + (*year as i32 - first_year) as f64 * slot + slot / 2.0;
        let _ = write!(
            svg,
            "<text class=\"chart-year\" x=\"{x:.1}\" y=\"205\" text-anchor=\"middle\" font-size=\"12\" fill=\"currentColor\">{year}</text>"
        );
    }
    svg.push_str("</g>");
    for (year, incidents, articles) in &counts {
        let x = MARGIN + (*year as i32 - first_year) as f64 * slot + (slot - bar) / 2.0;
        let up = *incidents as f64 / most * height;
        let down = *articles as f64 / most * height;
        let href = years
            .iter()
            .find(|(y, _)| y == year)
            .map_or(String::new(), |(_, url)| url.clone());
        let label = format!(
            "{year}: {incidents} incident{}, {articles} article{}",
            if *incidents == 1 { "" } else { "s" },
            if *articles == 1 { "" } else { "s" }
        );
        let _ = write!(
            svg,
            "<a class=\"chart-mark chart-year-bars\" href=\"{}\"><title>{}</title>\
             <rect class=\"chart-incident\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{up:.1}\" fill=\"#b3261e\"/>\
             <rect class=\"chart-article\" x=\"{x:.1}\" y=\"{AXIS_Y}\" width=\"{bar:.1}\" height=\"{down:.1}\" fill=\"#1d4f91\"/></a>",
            escape(&href),
            escape(&label),
            AXIS_Y - up
        );
    }
    svg.push_str("</svg>");
    svg
}
