//! PostgreSQL's date/time template patterns: `to_char` of timestamps,
//! dates and intervals (`YYYY-MM-DD HH24:MI:SS`, `FMDay, DDth Month`,
//! `AM`, `TZ`, quoted text, …) and `to_date` / `to_timestamp` reading text
//! by such a template.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::datetime;
use super::interval::{Interval, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC};
use crate::errinput;
use crate::error::{sqlstate, Result};

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const DAYS: [&str; 7] = [
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];

/// Template patterns, longest first so `HH24` wins over `HH`.
const PATTERNS: &[&str] = &[
    "a.m.", "A.M.", "p.m.", "P.M.", "HH24", "HH12", "YYYY", "IYYY", "MONTH", "Month", "month",
    "Y,YYY", "YYY", "IYY", "DAY", "Day", "day", "MON", "Mon", "mon", "DDD", "IDDD", "HH", "MI",
    "SS", "MS", "US", "AM", "am", "PM", "pm", "YY", "IY", "MM", "DD", "DY", "Dy", "dy", "ID", "IW",
    "WW", "CC", "TZ", "tz", "OF", "Y", "I", "D", "W", "Q", "J",
];

/// One piece of a template.
#[derive(Debug, PartialEq)]
enum Piece {
    /// A pattern, with FM (no padding) and TH/th (ordinal suffix).
    Pattern {
        name: &'static str,
        fill: bool,
        suffix: Option<bool>,
    },
    Literal(String),
}

fn parse_template(fmt: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = fmt;
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            out.push(Piece::Literal(quoted[..end].replace("\\\"", "\"")));
            rest = quoted.get(end + 1..).unwrap_or("");
            continue;
        }
        let mut fill = false;
        let mut body = rest;
        if let Some(after) = rest.strip_prefix("FM").or_else(|| rest.strip_prefix("fm")) {
            fill = true;
            body = after;
        }
        if let Some(name) = PATTERNS.iter().find(|p| body.starts_with(**p)) {
            let mut after = &body[name.len()..];
            let suffix = if let Some(a) = after.strip_prefix("TH") {
                after = a;
                Some(true)
            } else if let Some(a) = after.strip_prefix("th") {
                after = a;
                Some(false)
            } else {
                None
            };
            out.push(Piece::Pattern { name, fill, suffix });
            rest = after;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        let (c, len) = if c == '\\' {
            let next = rest[1..].chars().next().unwrap_or('\\');
            (next, 1 + next.len_utf8())
        } else {
            (c, c.len_utf8())
        };
        match out.last_mut() {
            Some(Piece::Literal(s)) => s.push(c),
            _ => out.push(Piece::Literal(c.to_string())),
        }
        rest = &rest[len.min(rest.len())..];
    }
    out
}

fn ordinal(n: i64, upper: bool) -> &'static str {
    let s = match (n % 100, n % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    };
    match (upper, s) {
        (false, s) => s,
        (true, "st") => "ST",
        (true, "nd") => "ND",
        (true, "rd") => "RD",
        (true, _) => "TH",
    }
}

/// A name in the case the pattern is written in (`MONTH`, `Month`,
/// `month`), padded to 9 unless FM.
fn cased(name: &str, pattern: &str, fill: bool, pad: usize) -> String {
    let text = if pattern.chars().all(|c| c.is_ascii_uppercase()) {
        name.to_uppercase()
    } else if pattern.starts_with(|c: char| c.is_ascii_uppercase()) {
        let mut s = name.to_string();
        s[..1].make_ascii_uppercase();
        s
    } else {
        name.to_string()
    };
    if fill {
        text
    } else {
        format!("{text:<pad$}")
    }
}

/// The fields to_char prints, from a timestamp or an interval.
struct Fields {
    year: i64,
    month: u32,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    micros: i64,
    date: Option<NaiveDate>,
    zone: bool,
}

/// `to_char(timestamp[tz], template)`.
pub fn format_timestamp(us: i64, zone: bool, fmt: &str) -> Result<String> {
    let dt = datetime::micros_to_datetime(us)
        .ok_or_else(|| errinput!(sqlstate::DATETIME_FIELD_OVERFLOW, "timestamp out of range"))?;
    let year = dt.year() as i64;
    Ok(render(
        &Fields {
            year: if year <= 0 { year - 1 } else { year },
            month: dt.month(),
            day: dt.day() as i64,
            hour: dt.hour() as i64,
            minute: dt.minute() as i64,
            second: dt.second() as i64,
            micros: (dt.nanosecond() / 1000) as i64,
            date: Some(dt.date()),
            zone,
        },
        fmt,
    ))
}

/// `to_char(interval, template)`: years, months, days and time as
/// fields (hours not reduced to a day).
pub fn format_interval(iv: Interval, fmt: &str) -> String {
    let time = iv.micros;
    render(
        &Fields {
            year: (iv.months / 12) as i64,
            month: (iv.months % 12).unsigned_abs(),
            day: iv.days as i64,
            hour: time / USECS_PER_HOUR,
            minute: time % USECS_PER_HOUR / USECS_PER_MINUTE,
            second: time % USECS_PER_MINUTE / USECS_PER_SEC,
            micros: time % USECS_PER_SEC,
            date: None,
            zone: false,
        },
        fmt,
    )
}

fn render(f: &Fields, fmt: &str) -> String {
    let mut out = String::new();
    for piece in parse_template(fmt) {
        let (name, fill, suffix) = match piece {
            Piece::Literal(s) => {
                out.push_str(&s);
                continue;
            }
            Piece::Pattern { name, fill, suffix } => (name, fill, suffix),
        };
        let number = |n: i64, width: usize| -> (String, Option<i64>) {
            let text = if fill {
                n.to_string()
            } else if n < 0 {
                format!("-{:0width$}", -n)
            } else {
                format!("{n:0width$}")
            };
            (text, Some(n))
        };
        let hour12 = match f.hour % 12 {
            0 => 12,
            h => h,
        };
        let date = f.date;
        let weekday = date.map_or(0, |d| d.weekday().num_days_from_sunday() as i64);
        let doy = date.map_or(0, |d| d.ordinal() as i64);
        let (text, n) = match name {
            "YYYY" => number(f.year, 4),
            "Y,YYY" => {
                let y = f.year;
                (format!("{},{:03}", y / 1000, y % 1000), Some(y))
            }
            "YYY" => number(f.year % 1000, 3),
            "YY" => number(f.year % 100, 2),
            "Y" => number(f.year % 10, 1),
            "IYYY" => number(date.map_or(0, |d| d.iso_week().year() as i64), 4),
            "IYY" => number(date.map_or(0, |d| d.iso_week().year() as i64) % 1000, 3),
            "IY" => number(date.map_or(0, |d| d.iso_week().year() as i64) % 100, 2),
            "I" => number(date.map_or(0, |d| d.iso_week().year() as i64) % 10, 1),
            "MM" => number(f.month as i64, 2),
            "DD" => number(f.day, 2),
            "DDD" => number(doy, 3),
            "IDDD" => number(
                date.map_or(0, |d| {
                    (d.iso_week().week() as i64 - 1) * 7 + d.weekday().number_from_monday() as i64
                }),
                3,
            ),
            "D" => number(weekday + 1, 1),
            "ID" => number(
                date.map_or(0, |d| d.weekday().number_from_monday() as i64),
                1,
            ),
            "W" => number((f.day - 1) / 7 + 1, 1),
            "WW" => number((doy - 1) / 7 + 1, 2),
            "IW" => number(date.map_or(0, |d| d.iso_week().week() as i64), 2),
            "Q" => number((f.month as i64 - 1) / 3 + 1, 1),
            "CC" => number(
                if f.year > 0 {
                    (f.year + 99) / 100
                } else {
                    -((99 - f.year) / 100)
                },
                2,
            ),
            "J" => number(
                date.map_or(0, |d| datetime::date_to_days(d) as i64 + 2_451_545),
                1,
            ),
            "HH24" => number(f.hour, 2),
            "HH" | "HH12" => number(hour12, 2),
            "MI" => number(f.minute, 2),
            "SS" => number(f.second, 2),
            "MS" => number(f.micros / 1000, 3),
            "US" => number(f.micros, 6),
            "AM" | "PM" => ((if f.hour < 12 { "AM" } else { "PM" }).to_string(), None),
            "am" | "pm" => ((if f.hour < 12 { "am" } else { "pm" }).to_string(), None),
            "A.M." | "P.M." => (
                (if f.hour < 12 { "A.M." } else { "P.M." }).to_string(),
                None,
            ),
            "a.m." | "p.m." => (
                (if f.hour < 12 { "a.m." } else { "p.m." }).to_string(),
                None,
            ),
            "MONTH" | "Month" | "month" => {
                let m = MONTHS[(f.month as usize).clamp(1, 12) - 1];
                (cased(m, name, fill, 9), None)
            }
            "MON" | "Mon" | "mon" => {
                let m = &MONTHS[(f.month as usize).clamp(1, 12) - 1][..3];
                (cased(m, name, true, 0), None)
            }
            "DAY" | "Day" | "day" => (cased(DAYS[weekday as usize], name, fill, 9), None),
            "DY" | "Dy" | "dy" => (cased(&DAYS[weekday as usize][..3], name, true, 0), None),
            "TZ" => ((if f.zone { "UTC" } else { "" }).to_string(), None),
            "tz" => ((if f.zone { "utc" } else { "" }).to_string(), None),
            "OF" => ((if f.zone { "+00" } else { "" }).to_string(), None),
            _ => (String::new(), None),
        };
        out.push_str(&text);
        if let (Some(upper), Some(n)) = (suffix, n) {
            out.push_str(ordinal(n, upper));
        }
    }
    out
}

/// `to_date(text, template)` and `to_timestamp(text, template)`: the
/// date-time the text gives by the template (a missing field is its
/// lowest value), with PostgreSQL's errors.
pub fn parse(text: &str, fmt: &str) -> Result<NaiveDateTime> {
    let mut year: Option<i64> = None;
    let (mut month, mut day) = (1u32, 1u32);
    let (mut hour, mut minute, mut second, mut micros) = (0i64, 0i64, 0i64, 0i64);
    let mut pm: Option<bool> = None;
    let mut rest = text;
    let pieces = parse_template(fmt);
    for (i, piece) in pieces.iter().enumerate() {
        // A year runs to the next non-digit, unless a pattern follows at
        // once (`YYYYMMDD`): then it is four digits.
        let year_width = match pieces.get(i + 1) {
            Some(Piece::Pattern { .. }) => 4,
            _ => usize::MAX,
        };
        match piece {
            Piece::Literal(lit) => {
                // Each template character skips one input character
                // (spaces in the template skip any run of spaces).
                for c in lit.chars() {
                    if c == ' ' {
                        rest = rest.trim_start();
                    } else if let Some(ch) = rest.chars().next() {
                        if !ch.is_ascii_alphanumeric() || ch == c {
                            rest = &rest[ch.len_utf8()..];
                        }
                    }
                }
            }
            Piece::Pattern { name, .. } => {
                let name = *name;
                rest = rest.trim_start();
                let digits = |max: usize, rest: &mut &str| -> Result<i64> {
                    let (sign, body) = match rest.strip_prefix('-') {
                        Some(b) => (-1, b),
                        None => (1, *rest),
                    };
                    let end = body
                        .char_indices()
                        .take_while(|(i, c)| c.is_ascii_digit() && *i < max)
                        .count();
                    if end == 0 {
                        let found: String =
                            body.chars().take_while(|c| !c.is_whitespace()).collect();
                        return Err(errinput!(
                            sqlstate::INVALID_DATETIME_FORMAT,
                            "invalid value \"{found}\" for \"{name}\""
                        )
                        .with_detail("Value must be an integer."));
                    }
                    let n: i64 = body[..end].parse().unwrap_or(0);
                    *rest = &body[end..];
                    Ok(sign * n)
                };
                let word = |names: &[&str], len: Option<usize>, rest: &mut &str| -> Result<usize> {
                    let lower = rest.to_ascii_lowercase();
                    for (i, n) in names.iter().enumerate() {
                        let n = len.map_or(*n, |l| &n[..l]);
                        if lower.starts_with(n) {
                            *rest = &rest[n.len()..];
                            return Ok(i);
                        }
                    }
                    let found: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
                    Err(errinput!(
                        sqlstate::INVALID_DATETIME_FORMAT,
                        "invalid value \"{found}\" for \"{name}\""
                    )
                    .with_detail(
                        "The given value did not match any of the allowed values for this field.",
                    ))
                };
                match name {
                    "YYYY" | "IYYY" => year = Some(digits(year_width, &mut rest)?),
                    "YYY" | "IYY" => year = Some(2000 + digits(3, &mut rest)?),
                    "YY" | "IY" => {
                        let y = digits(2, &mut rest)?;
                        year = Some(if y < 70 { 2000 + y } else { 1900 + y });
                    }
                    "MM" => month = digits(2, &mut rest)? as u32,
                    "DD" => day = digits(2, &mut rest)? as u32,
                    "HH24" => hour = digits(2, &mut rest)?,
                    "HH" | "HH12" => hour = digits(2, &mut rest)?,
                    "MI" => minute = digits(2, &mut rest)?,
                    "SS" => second = digits(2, &mut rest)?,
                    "MS" => micros = digits(3, &mut rest)? * 1000,
                    "US" => micros = digits(6, &mut rest)?,
                    "MONTH" | "Month" | "month" => {
                        month = word(&MONTHS, None, &mut rest)? as u32 + 1
                    }
                    "MON" | "Mon" | "mon" => month = word(&MONTHS, Some(3), &mut rest)? as u32 + 1,
                    "DAY" | "Day" | "day" => {
                        word(&DAYS, None, &mut rest)?;
                    }
                    "DY" | "Dy" | "dy" => {
                        word(&DAYS, Some(3), &mut rest)?;
                    }
                    "AM" | "am" | "PM" | "pm" | "A.M." | "a.m." | "P.M." | "p.m." => {
                        let lower = rest.to_ascii_lowercase();
                        let (is_pm, len) = if lower.starts_with("a.m.") {
                            (false, 4)
                        } else if lower.starts_with("p.m.") {
                            (true, 4)
                        } else if lower.starts_with("am") {
                            (false, 2)
                        } else if lower.starts_with("pm") {
                            (true, 2)
                        } else {
                            return Err(errinput!(
                                sqlstate::INVALID_DATETIME_FORMAT,
                                "invalid value \"{}\" for \"{name}\"",
                                rest.chars().take(2).collect::<String>()
                            ));
                        };
                        pm = Some(is_pm);
                        rest = &rest[len..];
                    }
                    _ => {
                        return Err(crate::errunsupported!(
                            "template pattern \"{name}\" in to_date/to_timestamp"
                        ))
                    }
                }
            }
        }
    }
    if let Some(is_pm) = pm {
        if !(1..=12).contains(&hour) {
            return Err(errinput!(
                sqlstate::INVALID_DATETIME_FORMAT,
                "hour \"{hour}\" is invalid for the 12-hour clock"
            )
            .with_hint("Use the 24-hour clock, or give an hour between 1 and 12."));
        }
        hour = hour % 12 + if is_pm { 12 } else { 0 };
    }
    let year = year.unwrap_or(1);
    let range = || {
        errinput!(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            "date/time field value out of range: \"{text}\""
        )
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).map_err(|_| range())?, month, day)
        .ok_or_else(range)?;
    let time =
        NaiveTime::from_hms_micro_opt(hour as u32, minute as u32, second as u32, micros as u32)
            .ok_or_else(range)?;
    Ok(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_postgres() {
        let ts = datetime::parse_timestamp("2024-03-05 14:07:09.123456").unwrap();
        assert_eq!(
            format_timestamp(ts, false, "YYYY-MM-DD HH24:MI:SS.MS US").unwrap(),
            "2024-03-05 14:07:09.123 123456"
        );
        assert_eq!(
            format_timestamp(ts, false, "Day, DD Month YYYY HH12:MI AM").unwrap(),
            "Tuesday  , 05 March     2024 02:07 PM"
        );
        let dec = datetime::parse_timestamp("2024-12-01").unwrap();
        assert_eq!(
            format_timestamp(dec, false, "FMDDth \"of\" month").unwrap(),
            "1st of december "
        );
    }

    #[test]
    fn reads_like_postgres() {
        let t = parse("5/3/2024 2:07 PM", "DD/MM/YYYY HH:MI AM").unwrap();
        assert_eq!(t.to_string(), "2024-03-05 14:07:00");
        assert!(parse("2024-13-05", "YYYY-MM-DD").is_err());
        assert!(parse("abc", "YYYY").is_err());
    }
}
