//! Dates known only as precisely as the source gave them ("in 2022", "last month", "on Sunday").

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime, UtcOffset};

use crate::error::{Error, Result};

/// How precisely a [`PartialDate`] is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    /// Only the year ("in 2022").
    Year,
    /// Year and month ("last month", "in August").
    Month,
    /// A calendar day.
    Day,
    /// A moment, in UTC.
    Instant,
}

/// A date with its precision, as Wikidata keeps them: a month-precise date never turns into the 1st.
///
/// Written and read as reduced-precision ISO 8601: `2025`, `2025-06`, `2025-07-13`,
/// `2025-07-13T09:30:00Z` (instants are always normalised to UTC). Years run from 1 to 9999.
///
/// ```
/// use claimtrack::{DatePrecision, PartialDate};
/// let june: PartialDate = "2025-06".parse()?;
/// assert_eq!(june.precision(), DatePrecision::Month);
/// assert_eq!(june.to_string(), "2025-06");
/// assert!(june.contains(&"2025-06-20".parse()?));
/// # Ok::<(), claimtrack::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartialDate {
    /// A year.
    Year(i32),
    /// A month of a year.
    Month(i32, Month),
    /// A day.
    Day(Date),
    /// A moment, always in UTC.
    Instant(OffsetDateTime),
}

fn check_year(year: i32) -> Result<i32> {
    if (1..=9999).contains(&year) {
        Ok(year)
    } else {
        Err(Error::invalid("date", format!("year {year} is outside 1..=9999")))
    }
}

impl PartialDate {
    /// A year-precise date.
    pub fn year(year: i32) -> Result<Self> {
        Ok(Self::Year(check_year(year)?))
    }

    /// A month-precise date; `month` is 1–12.
    pub fn month(year: i32, month: u8) -> Result<Self> {
        let m = Month::try_from(month)
            .map_err(|_| Error::invalid("date", format!("month {month} is not 1..=12")))?;
        Ok(Self::Month(check_year(year)?, m))
    }

    /// A day-precise date.
    pub fn day(year: i32, month: u8, day: u8) -> Result<Self> {
        check_year(year)?;
        let m = Month::try_from(month)
            .map_err(|_| Error::invalid("date", format!("month {month} is not 1..=12")))?;
        let d = Date::from_calendar_date(year, m, day)
            .map_err(|e| Error::invalid("date", format!("{year}-{month:02}-{day:02}: {e}")))?;
        Ok(Self::Day(d))
    }

    /// An instant, converted to UTC. One that leaves the years 1 to 9999 once converted
    /// (`9999-12-31T23:59:59-23:59` is in the year 10000 in UTC) is refused with [`Error::Invalid`].
    ///
    /// ```
    /// use claimtrack::PartialDate;
    /// let late = time::macros::datetime!(9999-12-31 23:59:59 -23:59);
    /// assert!(matches!(PartialDate::instant(late), Err(claimtrack::Error::Invalid { field: "date", .. })));
    /// ```
    pub fn instant(at: OffsetDateTime) -> Result<Self> {
        let Some(utc) = at.checked_to_offset(UtcOffset::UTC) else {
            return Err(Error::invalid(
                "date",
                format!("{at} is outside the years 1 to 9999 once converted to UTC"),
            ));
        };
        check_year(utc.year()).map_err(|_| {
            Error::invalid(
                "date",
                format!("{at} is outside the years 1 to 9999 once converted to UTC"),
            )
        })?;
        Ok(Self::Instant(utc))
    }

    /// How precisely the date is known.
    pub fn precision(&self) -> DatePrecision {
        match self {
            Self::Year(_) => DatePrecision::Year,
            Self::Month(..) => DatePrecision::Month,
            Self::Day(_) => DatePrecision::Day,
            Self::Instant(_) => DatePrecision::Instant,
        }
    }

    /// The first moment the date can denote (inclusive), in UTC.
    pub fn start(&self) -> OffsetDateTime {
        match *self {
            Self::Year(y) => first_of(y, Month::January),
            Self::Month(y, m) => first_of(y, m),
            Self::Day(d) => d.midnight().assume_utc(),
            Self::Instant(t) => t,
        }
    }

    /// The moment just after the last one the date can denote (exclusive), in UTC.
    pub fn end(&self) -> OffsetDateTime {
        match *self {
            Self::Year(y) => first_of(y + 1, Month::January),
            Self::Month(y, m) => {
                let (y2, m2) = if m == Month::December {
                    (y + 1, Month::January)
                } else {
                    (y, m.next())
                };
                first_of(y2, m2)
            }
            // The last day and the last instant of 9999 end at the last representable moment.
            Self::Day(d) => saturating_add(d.midnight().assume_utc(), time::Duration::DAY),
            Self::Instant(t) => saturating_add(t, time::Duration::NANOSECOND),
        }
    }

    /// Whether every moment `other` can denote lies within `self` ("June 2025" contains "2025-06-20").
    pub fn contains(&self, other: &PartialDate) -> bool {
        self.start() <= other.start() && other.end() <= self.end()
    }

    /// Compares two dates only as far as their precision allows: `Some` when one is certainly before the
    /// other (or they are the same date), `None` when they overlap without being equal — "June 2025" and
    /// "2025-06-20" cannot be put in order.
    pub fn cmp_known(&self, other: &PartialDate) -> Option<Ordering> {
        if self == other {
            Some(Ordering::Equal)
        } else if self.end() <= other.start() {
            Some(Ordering::Less)
        } else if other.end() <= self.start() {
            Some(Ordering::Greater)
        } else {
            None
        }
    }

    /// A total order for sorting timelines: by the start of the period, and for periods that start
    /// together the longer (coarser) one first, so "June 2025" heads the days of June instead of posing
    /// as the 1st.
    pub fn timeline_cmp(&self, other: &PartialDate) -> Ordering {
        self.start()
            .cmp(&other.start())
            .then_with(|| other.end().cmp(&self.end()))
    }

    /// Resolves a relative month ("last month" = `months_back` 1) against a reference date, with month
    /// precision, never inventing a day.
    pub fn months_before(reference: Date, months_back: u32) -> Result<Self> {
        let total = i64::from(reference.year()) * 12 + i64::from(reference.month() as u8 - 1)
            - i64::from(months_back);
        let year = i32::try_from(total.div_euclid(12))
            .map_err(|_| Error::invalid("date", format!("{months_back} months before {reference}")))?;
        Self::month(year, (total.rem_euclid(12) + 1) as u8)
    }
}

/// The last moment `time` can represent: the end of the year 9999.
fn last_moment() -> OffsetDateTime {
    time::PrimitiveDateTime::MAX.assume_utc()
}

fn saturating_add(t: OffsetDateTime, d: time::Duration) -> OffsetDateTime {
    t.checked_add(d).unwrap_or_else(last_moment)
}

fn first_of(year: i32, month: Month) -> OffsetDateTime {
    // Years are checked to 1..=9999 on construction; the year after 9999 starts after the last moment
    // `time` can represent, so its start is that moment.
    match Date::from_calendar_date(year, month, 1) {
        Ok(d) => d.midnight().assume_utc(),
        Err(_) => last_moment(),
    }
}

const INSTANT_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]Z"
);

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(y) => write!(f, "{y:04}"),
            Self::Month(y, m) => write!(f, "{y:04}-{:02}", *m as u8),
            Self::Day(d) => write!(f, "{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()),
            Self::Instant(t) => {
                let s = t
                    .format(&time::format_description::well_known::Rfc3339)
                    .map_err(|_| fmt::Error)?;
                f.write_str(&s)
            }
        }
    }
}

impl FromStr for PartialDate {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad =
            |why: &str| Error::invalid("date", format!("{why}: {:?}", crate::model::text::shorten(s, 40)));
        let num = |t: &str| -> Result<u32> {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 4 {
                Err(bad("expected YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 instant"))
            } else {
                t.parse::<u32>().map_err(|_| bad("bad number"))
            }
        };
        if s.len() > 10 {
            let t = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .or_else(|_| time::PrimitiveDateTime::parse(s, INSTANT_FORMAT).map(|p| p.assume_utc()))
                .map_err(|e| bad(&format!("not an RFC 3339 instant ({e})")))?;
            return Self::instant(t);
        }
        let parts: Vec<&str> = s.split('-').collect();
        match parts.as_slice() {
            [y] if y.len() == 4 => Self::year(num(y)? as i32),
            [y, m] if y.len() == 4 && m.len() == 2 => Self::month(num(y)? as i32, num(m)? as u8),
            [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
                Self::day(num(y)? as i32, num(m)? as u8, num(d)? as u8)
            }
            _ => Err(bad("expected YYYY, YYYY-MM, YYYY-MM-DD or an RFC 3339 instant")),
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_precision_round_trips_as_text() {
        for s in [
            "2025",
            "2025-06",
            "2025-07-13",
            "2025-07-13T09:30:00Z",
            "2025-07-13T09:30:00.123456789Z",
        ] {
            let d: PartialDate = s.parse().unwrap();
            assert_eq!(d.to_string(), s);
        }
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let d: PartialDate = "2025-07-13T09:30:00+09:00".parse().unwrap();
        assert_eq!(d.to_string(), "2025-07-13T00:30:00Z");
    }

    #[test]
    fn impossible_dates_are_refused() {
        for s in [
            "2025-02-30",
            "2025-13",
            "0000",
            "20250",
            "2025-6",
            "",
            "June 2025",
            "2025-06-1x",
        ] {
            assert!(s.parse::<PartialDate>().is_err(), "{s}");
        }
    }

    #[test]
    fn last_month_from_the_article_date_is_june() {
        let article = Date::from_calendar_date(2025, Month::July, 13).unwrap();
        assert_eq!(
            PartialDate::months_before(article, 1).unwrap().to_string(),
            "2025-06"
        );
        let jan = Date::from_calendar_date(2025, Month::January, 5).unwrap();
        assert_eq!(PartialDate::months_before(jan, 1).unwrap().to_string(), "2024-12");
    }

    #[test]
    fn a_month_does_not_pose_as_its_first_day() {
        let june: PartialDate = "2025-06".parse().unwrap();
        let first: PartialDate = "2025-06-01".parse().unwrap();
        let twentieth: PartialDate = "2025-06-20".parse().unwrap();
        let july: PartialDate = "2025-07-01".parse().unwrap();
        assert_eq!(june.cmp_known(&twentieth), None);
        assert_eq!(june.cmp_known(&first), None);
        assert_eq!(june.cmp_known(&july), Some(Ordering::Less));
        assert_eq!(june.timeline_cmp(&first), Ordering::Less);
        assert_eq!(first.timeline_cmp(&june), Ordering::Greater);
    }
}
