//! date, timestamp and timestamptz: text input and output in PostgreSQL's
//! ISO style (`DateStyle = ISO, MDY`, `TimeZone = UTC`), and conversions to
//! the on-disk representation (days / microseconds since 2000-01-01).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::errinput;
use crate::error::{sqlstate, Error, Result};

/// Microseconds in a day.
pub const USECS_PER_DAY: i64 = 86_400_000_000;

fn epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2000, 1, 1)
        .unwrap_or_default()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
}

/// Days since 2000-01-01 of a calendar date.
pub fn date_to_days(d: NaiveDate) -> i32 {
    (d - epoch().date()).num_days() as i32
}

/// The calendar date of days since 2000-01-01.
pub fn days_to_date(days: i32) -> Option<NaiveDate> {
    epoch()
        .date()
        .checked_add_signed(Duration::days(days as i64))
}

/// Microseconds since 2000-01-01 of a date-time.
pub fn datetime_to_micros(dt: NaiveDateTime) -> Option<i64> {
    (dt - epoch()).num_microseconds()
}

/// The date-time of microseconds since 2000-01-01.
pub fn micros_to_datetime(us: i64) -> Option<NaiveDateTime> {
    epoch().checked_add_signed(Duration::microseconds(us))
}

/// The current time as microseconds since 2000-01-01 UTC.
pub fn now_micros() -> i64 {
    datetime_to_micros(chrono::Utc::now().naive_utc()).unwrap_or(0)
}

fn syntax_error(type_name: &str, text: &str) -> Error {
    errinput!(
        sqlstate::INVALID_DATETIME_FORMAT,
        "invalid input syntax for type {type_name}: \"{text}\""
    )
}

fn range_error(text: &str) -> Error {
    errinput!(
        sqlstate::DATETIME_FIELD_OVERFLOW,
        "date/time field value out of range: \"{text}\""
    )
}

/// Parses date text input.
pub fn parse_date(text: &str) -> Result<i32> {
    let t = text.trim().to_ascii_lowercase();
    let today = || date_to_days(chrono::Utc::now().date_naive());
    match t.as_str() {
        "epoch" => {
            return Ok(date_to_days(
                NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default(),
            ))
        }
        "today" | "now" => return Ok(today()),
        "tomorrow" => return Ok(today() + 1),
        "yesterday" => return Ok(today() - 1),
        _ => {}
    }
    let (date, _) = parse_parts(&t, text, "date")?;
    Ok(date_to_days(date))
}

/// Parses timestamp text input; a time zone in the text is ignored, as in
/// PostgreSQL.
pub fn parse_timestamp(text: &str) -> Result<i64> {
    let (dt, _) = parse_datetime(text, "timestamp without time zone")?;
    datetime_to_micros(dt).ok_or_else(|| range_error(text))
}

/// Parses timestamptz text input; no zone means the session zone (UTC).
pub fn parse_timestamptz(text: &str) -> Result<i64> {
    let (dt, offset_secs) = parse_datetime(text, "timestamp with time zone")?;
    let utc = dt - Duration::seconds(offset_secs.unwrap_or(0) as i64);
    datetime_to_micros(utc).ok_or_else(|| range_error(text))
}

fn parse_datetime(text: &str, type_name: &str) -> Result<(NaiveDateTime, Option<i32>)> {
    let t = text.trim().to_ascii_lowercase();
    match t.as_str() {
        "epoch" => {
            let e = NaiveDate::from_ymd_opt(1970, 1, 1)
                .unwrap_or_default()
                .and_time(NaiveTime::MIN);
            return Ok((e, Some(0)));
        }
        "now" => return Ok((chrono::Utc::now().naive_utc(), Some(0))),
        "today" => {
            return Ok((
                chrono::Utc::now().date_naive().and_time(NaiveTime::MIN),
                Some(0),
            ))
        }
        _ => {}
    }
    let (date, rest) = parse_parts(&t, text, type_name)?;
    let rest = rest.trim_start_matches(['t', ' ']);
    if rest.is_empty() {
        return Ok((date.and_time(NaiveTime::MIN), None));
    }
    let (time_text, zone_text) = split_zone(rest);
    let time = parse_time(time_text).ok_or_else(|| {
        if time_text
            .split(':')
            .any(|p| p.trim().parse::<f64>().is_ok())
        {
            range_error(text)
        } else {
            syntax_error(type_name, text)
        }
    })?;
    let offset = match zone_text.trim() {
        "" => None,
        zone => Some(parse_zone(zone).ok_or_else(|| syntax_error(type_name, text))?),
    };
    Ok((date.and_time(time), offset))
}

/// Splits "YYYY-MM-DD[ BC]" off the front; returns the date and the rest.
fn parse_parts<'a>(t: &'a str, original: &str, type_name: &str) -> Result<(NaiveDate, &'a str)> {
    let end = t.find([' ', 't']).unwrap_or(t.len());
    let (date_text, mut rest) = t.split_at(end);
    let mut fields = date_text.split('-');
    let (y, m, d) = match (fields.next(), fields.next(), fields.next(), fields.next()) {
        (Some(y), Some(m), Some(d), None) if !y.is_empty() => (y, m, d),
        _ => return Err(syntax_error(type_name, original)),
    };
    let all_digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !all_digits(y) || !all_digits(m) || !all_digits(d) {
        return Err(syntax_error(type_name, original));
    }
    let mut year: i32 = y.parse().map_err(|_| range_error(original))?;
    let month: u32 = m.parse().map_err(|_| range_error(original))?;
    let day: u32 = d.parse().map_err(|_| range_error(original))?;
    let trimmed = rest.trim_start();
    if let Some(after) = trimmed.strip_prefix("bc") {
        year = 1 - year;
        rest = after;
    } else if let Some(after) = trimmed.strip_prefix("ad") {
        rest = after;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| range_error(original))?;
    Ok((date, rest))
}

fn split_zone(rest: &str) -> (&str, &str) {
    if let Some(i) = rest.find(['+', '-', 'z', 'u']) {
        (&rest[..i], &rest[i..])
    } else {
        (rest, "")
    }
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    let mut parts = text.trim().split(':');
    let h: u32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let (s, us) = match parts.next() {
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let s: u32 = whole.parse().ok()?;
            let frac: String = frac.chars().chain(std::iter::repeat('0')).take(7).collect();
            let f7: u32 = frac.parse().ok()?;
            // round to microseconds, half up
            (s, (f7 + 5) / 10)
        }
        None => (0, 0),
    };
    if parts.next().is_some() {
        return None;
    }
    if h == 24 && m == 0 && s == 0 && us == 0 {
        return NaiveTime::from_hms_opt(23, 59, 59).map(|t| t + Duration::seconds(1));
    }
    NaiveTime::from_hms_micro_opt(h, m, s, us.min(999_999)).map(|t| {
        if us >= 1_000_000 {
            t + Duration::seconds(1)
        } else {
            t
        }
    })
}

fn parse_zone(zone: &str) -> Option<i32> {
    match zone {
        "z" | "utc" | "gmt" => return Some(0),
        _ => {}
    }
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &zone[1..];
    let (h, m) = if let Some((h, m)) = body.split_once(':') {
        (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?)
    } else if body.len() == 4 {
        (body[..2].parse().ok()?, body[2..].parse().ok()?)
    } else {
        (body.parse().ok()?, 0)
    };
    (h <= 15 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

fn format_year(year: i32, out: &mut String) -> bool {
    if year <= 0 {
        out.push_str(&format!("{:04}", 1 - year));
        true
    } else {
        out.push_str(&format!("{year:04}"));
        false
    }
}

/// Formats a date like PostgreSQL's ISO DateStyle.
pub fn format_date(days: i32) -> String {
    match days_to_date(days) {
        Some(d) => {
            let mut out = String::with_capacity(13);
            let bc = format_year(d.year(), &mut out);
            out.push_str(&format!("-{:02}-{:02}", d.month(), d.day()));
            if bc {
                out.push_str(" BC");
            }
            out
        }
        None => "infinity".to_string(),
    }
}

/// Formats a timestamp; `with_zone` appends the UTC offset `+00`.
pub fn format_timestamp(us: i64, with_zone: bool) -> String {
    let Some(dt) = micros_to_datetime(us) else {
        return "infinity".to_string();
    };
    let mut out = String::with_capacity(32);
    let bc = format_year(dt.year(), &mut out);
    out.push_str(&format!(
        "-{:02}-{:02} {:02}:{:02}:{:02}",
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    ));
    let micros = dt.nanosecond() / 1000;
    if micros > 0 {
        let frac = format!("{micros:06}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    if with_zone {
        out.push_str("+00");
    }
    if bc {
        out.push_str(" BC");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(format_date(parse_date("2024-02-29").unwrap()), "2024-02-29");
        assert_eq!(format_date(0), "2000-01-01");
        assert_eq!(
            format_timestamp(parse_timestamp("2024-01-02 03:04:05.250").unwrap(), false),
            "2024-01-02 03:04:05.25"
        );
        assert_eq!(
            format_timestamp(parse_timestamptz("2024-01-02 03:04:05+02").unwrap(), true),
            "2024-01-02 01:04:05+00"
        );
        assert_eq!(
            format_timestamp(parse_timestamp("2024-01-02T03:04").unwrap(), false),
            "2024-01-02 03:04:00"
        );
        assert!(parse_date("2024-13-01").is_err());
        assert!(parse_date("hello").is_err());
    }
}
