//! `/timeline.json`: the timeline in Knight Lab's TimelineJS3 JSON format,
//! so the dossier can be shown with `new TL.Timeline(element, url)`.
//!
//! One event per published incident and article, in the order of the
//! timeline page. Dates keep their precision: TimelineJS reads a date with
//! only a year as a year, so the missing parts are left out, not defaulted.
//! Headlines and texts are HTML for TimelineJS, hence escaped here.

use serde::Serialize;

use crate::date::PartialDate;
use crate::graph::ItemRef;
use crate::highlight::escape;
use crate::publish::Published;

pub(crate) fn render(view: &Published<'_>, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    super::write_json(out, &timeline(view))
}

#[derive(Serialize)]
struct Timeline<'a> {
    title: Title,
    events: Vec<Event<'a>>,
}

#[derive(Serialize)]
struct Title {
    text: Text,
}

#[derive(Serialize)]
struct Event<'a> {
    start_date: Date,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<Date>,
    text: Text,
    group: &'static str,
    unique_id: &'a str,
}

#[derive(Serialize)]
struct Text {
    headline: String,
    text: String,
}

/// Only the parts the date has; TimelineJS takes numbers here.
#[derive(Serialize)]
struct Date {
    year: i16,
    #[serde(skip_serializing_if = "Option::is_none")]
    month: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    day: Option<u8>,
}

impl From<&PartialDate> for Date {
    fn from(date: &PartialDate) -> Self {
        let (year, month, day) = date.sort_key();
        // The ISO form is written at the date's precision: YYYY, YYYY-MM or YYYY-MM-DD.
        let parts = date.iso().split('-').count();
        Date {
            year,
            month: (parts >= 2).then_some(month),
            day: (parts == 3).then_some(day),
        }
    }
}

fn timeline<'a>(view: &Published<'a>) -> Timeline<'a> {
    let d = view.dossier;
    let events = view
        .timeline()
        .iter()
        .map(|&item| event(view, item))
        .collect();
    let description = d.config.description.as_deref().unwrap_or_default();
    Timeline {
        title: Title {
            text: Text {
                headline: escape(&d.config.title),
                text: if description.is_empty() {
                    String::new()
                } else {
                    format!("<p>{}</p>", escape(description))
                },
            },
        },
        events,
    }
}

fn event<'a>(view: &Published<'a>, item: ItemRef) -> Event<'a> {
    let (d, p) = (view.dossier, view.prepared);
    let url = view.url(item);
    match item {
        ItemRef::Incident(i) => {
            let x = &d.incidents[i];
            let summary = x.summary.as_ref().map_or("", |_| &*p.incident_summaries[i]);
            Event {
                start_date: Date::from(&x.date),
                end_date: x.end.as_ref().map(Date::from),
                text: Text {
                    headline: escape(&x.title),
                    text: format!(
                        "{summary}<p><a href=\"{}\">Read more about this incident</a></p>",
                        escape(&url)
                    ),
                },
                group: incident_group(x.kind),
                unique_id: &x.id,
            }
        }
        ItemRef::Article(i) => {
            let a = &d.articles[i];
            let mut text = String::new();
            let byline: Vec<&str> = [a.source.as_deref(), a.author.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if !byline.is_empty() {
                text.push_str(&format!("<p><em>{}</em></p>", escape(&byline.join(", "))));
            }
            if let Some(summary) = &a.summary {
                text.push_str(&format!("<p>{}</p>", escape(summary)));
            }
            text.push_str(&format!(
                "<p><a href=\"{}\">Read the annotated article</a></p>",
                escape(&url)
            ));
            Event {
                start_date: Date::from(&a.published),
                end_date: None,
                text: Text {
                    headline: escape(&a.title),
                    text,
                },
                group: "article",
                unique_id: &a.id,
            }
        }
        ItemRef::Entity(_) => unreachable!("the timeline holds incidents and articles"),
    }
}

fn incident_group(kind: crate::model::IncidentKind) -> &'static str {
    use crate::model::IncidentKind::*;
    match kind {
        Attack => "attack",
        Advisory => "advisory",
        Report => "report",
        Sanction => "sanction",
        Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_only_their_known_parts() {
        let json = |s: &str| serde_json::to_string(&Date::from(&PartialDate::parse(s).unwrap()));
        assert_eq!(json("2014").unwrap(), r#"{"year":2014}"#);
        assert_eq!(json("2014-11").unwrap(), r#"{"year":2014,"month":11}"#);
        assert_eq!(
            json("2014-11-24").unwrap(),
            r#"{"year":2014,"month":11,"day":24}"#
        );
    }
}
