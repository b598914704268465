//! Partial calendar dates: `2014`, `2014-11` or `2014-11-24`.
//!
//! Sources often give only a year or a month, so a date keeps its
//! precision: it sorts as the first day of its period and is displayed at
//! its own precision ("November 2014").

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Precision {
    Year,
    Month,
    Day,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PartialDate {
    year: i16,
    /// 1-12; 1 when the precision is a year.
    month: u8,
    /// 1-31; 1 when the precision is a year or a month.
    day: u8,
    precision: Precision,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking the day exists.
    pub(crate) fn parse(text: &str) -> Result<PartialDate, String> {
        let text = text.trim();
        let shape = "expected a date written YYYY, YYYY-MM or YYYY-MM-DD (like 2014-11-24)";
        let parts: Vec<&str> = text.split('-').collect();
        let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        let ok_shape = match parts.as_slice() {
            [y] => digits(y, 4),
            [y, m] => digits(y, 4) && digits(m, 2),
            [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
            _ => false,
        };
        if !ok_shape {
            return Err(format!("`{text}` is not a date: {shape}"));
        }
        let year: i16 = parts[0].parse().map_err(|_| shape.to_string())?;
        let month: u8 = parts
            .get(1)
            .map_or(Ok(1), |m| m.parse())
            .map_err(|_| shape.to_string())?;
        let day: u8 = parts
            .get(2)
            .map_or(Ok(1), |d| d.parse())
            .map_err(|_| shape.to_string())?;
        if !(1..=12).contains(&month) {
            return Err(format!(
                "`{text}` is not a date: month {month} does not exist"
            ));
        }
        if jiff::civil::Date::new(year, month as i8, day as i8).is_err() {
            return Err(format!(
                "`{text}` is not a date: {} has no day {day}",
                MONTHS[month as usize - 1]
            ));
        }
        let precision = match parts.len() {
            1 => Precision::Year,
            2 => Precision::Month,
            _ => Precision::Day,
        };
        Ok(PartialDate {
            year,
            month,
            day,
            precision,
        })
    }

    pub(crate) fn year(&self) -> i16 {
        self.year
    }

    /// The key dates sort by: the first day of the period.
    pub(crate) fn sort_key(&self) -> (i16, u8, u8) {
        (self.year, self.month, self.day)
    }

    /// The last day of the period, to check that an `end` is not before a `date`.
    pub(crate) fn last_day(&self) -> (i16, u8, u8) {
        match self.precision {
            Precision::Year => (self.year, 12, 31),
            Precision::Month => {
                let first = jiff::civil::Date::new(self.year, self.month as i8, 1);
                let days = first.map_or(28, |d| d.days_in_month() as u8);
                (self.year, self.month, days)
            }
            Precision::Day => self.sort_key(),
        }
    }

    /// Machine-readable form at the date's own precision (valid for `<time datetime>`).
    pub(crate) fn iso(&self) -> String {
        // Written by hand rather than with `format!`: every listed item
        // shows a date, and the formatting machinery was a visible part of
        // rendering a large dossier.
        let mut iso = String::with_capacity(10);
        push_number(&mut iso, self.year, 4);
        if self.precision != Precision::Year {
            iso.push('-');
            push_number(&mut iso, self.month, 2);
        }
        if self.precision == Precision::Day {
            iso.push('-');
            push_number(&mut iso, self.day, 2);
        }
        iso
    }

    /// RFC 3339 timestamp of the first moment of the period, for feeds.
    pub(crate) fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T00:00:00Z",
            self.year, self.month, self.day
        )
    }

    /// "24 November 2014", "November 2014" or "2014".
    pub(crate) fn display(&self) -> String {
        let month = MONTHS[self.month as usize - 1];
        let mut display = String::with_capacity(17);
        if self.precision == Precision::Day {
            push_number(&mut display, self.day, 1);
            display.push(' ');
        }
        if self.precision != Precision::Year {
            display.push_str(month);
            display.push(' ');
        }
        push_number(&mut display, self.year, 1);
        display
    }
}

/// Appends `n` in decimal, zero-padded to `width` digits (dates are
/// parsed from digits, so never negative).
fn push_number(out: &mut String, n: impl itoa::Integer, width: usize) {
    let mut buffer = itoa::Buffer::new();
    let digits = buffer.format(n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(digits);
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

/// What templates receive for a date.
#[derive(Serialize)]
pub(crate) struct DateView {
    iso: String,
    display: String,
    year: i16,
}

impl From<&PartialDate> for DateView {
    fn from(date: &PartialDate) -> Self {
        DateView {
            iso: date.iso(),
            display: date.display(),
            year: date.year,
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        DateView::from(self).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_precision() {
        let cases = [
            ("2014", "2014", "2014"),
            ("2014-11", "2014-11", "November 2014"),
            ("2014-11-24", "2014-11-24", "24 November 2014"),
            (" 2016-02-04 ", "2016-02-04", "4 February 2016"),
            ("2016-02-29", "2016-02-29", "29 February 2016"),
            ("0987-03-05", "0987-03-05", "5 March 987"),
            ("0042", "0042", "42"),
        ];
        for (input, iso, display) in cases {
            let date = PartialDate::parse(input).unwrap();
            assert_eq!(date.iso(), iso, "{input}");
            assert_eq!(date.display(), display, "{input}");
        }
    }

    #[test]
    fn rejects_bad_dates_with_a_reason() {
        let cases = [
            (
                "2014-13",
                "`2014-13` is not a date: month 13 does not exist",
            ),
            (
                "2015-02-29",
                "`2015-02-29` is not a date: February has no day 29",
            ),
            (
                "14-11-24",
                "`14-11-24` is not a date: expected a date written YYYY, YYYY-MM or YYYY-MM-DD (like 2014-11-24)",
            ),
            (
                "2014/11/24",
                "`2014/11/24` is not a date: expected a date written YYYY, YYYY-MM or YYYY-MM-DD (like 2014-11-24)",
            ),
            (
                "2014-1-2",
                "`2014-1-2` is not a date: expected a date written YYYY, YYYY-MM or YYYY-MM-DD (like 2014-11-24)",
            ),
            (
                "",
                "`` is not a date: expected a date written YYYY, YYYY-MM or YYYY-MM-DD (like 2014-11-24)",
            ),
        ];
        for (input, message) in cases {
            assert_eq!(PartialDate::parse(input).unwrap_err(), message);
        }
    }

    #[test]
    fn partial_dates_sort_as_the_first_day_and_end_on_the_last() {
        let year = PartialDate::parse("2019").unwrap();
        let month = PartialDate::parse("2019-08").unwrap();
        let day = PartialDate::parse("2019-08-05").unwrap();
        assert!(year.sort_key() < month.sort_key());
        assert!(month.sort_key() < day.sort_key());
        assert_eq!(month.last_day(), (2019, 8, 31));
        assert_eq!(year.last_day(), (2019, 12, 31));
        assert_eq!(
            PartialDate::parse("2016-02").unwrap().last_day(),
            (2016, 2, 29)
        );
    }
}
