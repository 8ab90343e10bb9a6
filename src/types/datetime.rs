//! date, timestamp and timestamptz: text input and output in PostgreSQL's
//! ISO style (`DateStyle = ISO, MDY`, `TimeZone = UTC`), and conversions to
//! the on-disk representation (days / microseconds since 2000-01-01).

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::errinput;
use crate::error::{sqlstate, Error, Result};

/// Microseconds in a day.
pub const USECS_PER_DAY: i64 = 86_400_000_000;

/// Days since 2000-01-01 of a proleptic Gregorian date (year 0 is 1 BC),
/// for any year: PostgreSQL's dates reach 5874897 AD, beyond chrono's.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468 - 10_957
}

/// The (year, month, day) of days since 2000-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 10_957 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// The first day PostgreSQL's dates and timestamps hold: 4714-11-24 BC.
pub fn min_days() -> i64 {
    days_from_civil(-4713, 11, 24)
}

/// The last date: 5874897-12-31.
pub fn max_date_days() -> i64 {
    days_from_civil(5_874_897, 12, 31)
}

/// The first microsecond after the last timestamp (294277-01-01).
pub fn timestamp_end_micros() -> i64 {
    days_from_civil(294_277, 1, 1) * USECS_PER_DAY
}

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
    let (days, _) = parse_parts(&t, text, "date")?;
    if days < min_days() || days > max_date_days() {
        return Err(errinput!(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            "date out of range: \"{text}\""
        ));
    }
    Ok(days as i32)
}

/// A timestamp's microseconds, if within PostgreSQL's range.
fn timestamp_in_range(us: i128, text: &str) -> Result<i64> {
    let min = min_days() as i128 * USECS_PER_DAY as i128;
    if us < min || us >= timestamp_end_micros() as i128 {
        return Err(errinput!(
            sqlstate::DATETIME_FIELD_OVERFLOW,
            "timestamp out of range: \"{text}\""
        ));
    }
    Ok(us as i64)
}

/// Parses timestamp text input; a time zone in the text is ignored, as in
/// PostgreSQL.
pub fn parse_timestamp(text: &str) -> Result<i64> {
    let (days, time, _) = parse_datetime(text, "timestamp without time zone")?;
    timestamp_in_range(days as i128 * USECS_PER_DAY as i128 + time as i128, text)
}

/// Parses timestamptz text input; no zone means the session zone (UTC).
pub fn parse_timestamptz(text: &str) -> Result<i64> {
    let (days, time, offset_secs) = parse_datetime(text, "timestamp with time zone")?;
    let local = days as i128 * USECS_PER_DAY as i128 + time as i128;
    timestamp_in_range(local - offset_secs.unwrap_or(0) as i128 * 1_000_000, text)
}

/// Days and microseconds of the day of a chrono date-time.
fn split_datetime(dt: NaiveDateTime) -> (i64, i64) {
    let days = date_to_days(dt.date()) as i64;
    let time = dt.time() - NaiveTime::MIN;
    (days, time.num_microseconds().unwrap_or(0))
}

/// A date-time's days since 2000-01-01, microseconds into the day (up to
/// a whole day for 24:00:00) and the zone offset written, if any.
fn parse_datetime(text: &str, type_name: &str) -> Result<(i64, i64, Option<i32>)> {
    let t = text.trim().to_ascii_lowercase();
    let special = match t.as_str() {
        "epoch" => Some(
            NaiveDate::from_ymd_opt(1970, 1, 1)
                .unwrap_or_default()
                .and_time(NaiveTime::MIN),
        ),
        "now" => Some(chrono::Utc::now().naive_utc()),
        "today" => Some(chrono::Utc::now().date_naive().and_time(NaiveTime::MIN)),
        _ => None,
    };
    if let Some(dt) = special {
        let (days, time) = split_datetime(dt);
        return Ok((days, time, Some(0)));
    }
    // "… 00:00:00 BC" (as dates print): the era goes with the date.
    let moved;
    let t = match t.strip_suffix(" bc") {
        Some(body) if body.contains(':') => {
            let end = body.find([' ', 't']).unwrap_or(body.len());
            moved = format!("{} bc{}", &body[..end], &body[end..]);
            moved.as_str()
        }
        _ => t.as_str(),
    };
    let (days, rest) = parse_parts(t, text, type_name)?;
    let rest = rest.trim_start_matches(['t', ' ']);
    if rest.is_empty() {
        return Ok((days, 0, None));
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
    Ok((days, time, offset))
}

/// Splits "YYYY-MM-DD[ BC]" off the front; returns the date and the rest.
fn parse_parts<'a>(t: &'a str, original: &str, type_name: &str) -> Result<(i64, &'a str)> {
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
    let mut year: i64 = y.parse().map_err(|_| range_error(original))?;
    let month: u32 = m.parse().map_err(|_| range_error(original))?;
    let day: u32 = d.parse().map_err(|_| range_error(original))?;
    let trimmed = rest.trim_start();
    if let Some(after) = trimmed.strip_prefix("bc") {
        year = 1 - year;
        rest = after;
    } else if let Some(after) = trimmed.strip_prefix("ad") {
        rest = after;
    }
    if year.abs() > 10_000_000 || !(1..=12).contains(&month) || day == 0 {
        return Err(range_error(original));
    }
    if day > days_in_month(year, month) {
        return Err(range_error(original));
    }
    Ok((days_from_civil(year, month, day), rest))
}

fn split_zone(rest: &str) -> (&str, &str) {
    if let Some(i) = rest.find(['+', '-', 'z', 'u']) {
        (&rest[..i], &rest[i..])
    } else {
        (rest, "")
    }
}

/// Microseconds into the day of "HH:MM[:SS[.ffffff]]" (24:00:00 is a
/// whole day, as PostgreSQL allows).
fn parse_time(text: &str) -> Option<i64> {
    let mut parts = text.trim().split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let (s, us) = match parts.next() {
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let s: i64 = whole.parse().ok()?;
            let frac: String = frac.chars().chain(std::iter::repeat('0')).take(7).collect();
            let f7: i64 = frac.parse().ok()?;
            // round to microseconds, half up
            (s, (f7 + 5) / 10)
        }
        None => (0, 0),
    };
    if parts.next().is_some() {
        return None;
    }
    if h == 24 && m == 0 && s == 0 && us == 0 {
        return Some(USECS_PER_DAY);
    }
    if !(0..24).contains(&h) || !(0..60).contains(&m) || !(0..60).contains(&s) {
        return None;
    }
    Some(((h * 60 + m) * 60 + s) * 1_000_000 + us)
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

fn format_year(year: i64, out: &mut String) -> bool {
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
    let (year, month, day) = civil_from_days(days as i64);
    let mut out = String::with_capacity(13);
    let bc = format_year(year, &mut out);
    out.push_str(&format!("-{month:02}-{day:02}"));
    if bc {
        out.push_str(" BC");
    }
    out
}

/// Formats a timestamp; `with_zone` appends the UTC offset `+00`.
pub fn format_timestamp(us: i64, with_zone: bool) -> String {
    let days = us.div_euclid(USECS_PER_DAY);
    let time = us.rem_euclid(USECS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(32);
    let bc = format_year(year, &mut out);
    let secs = time / 1_000_000;
    out.push_str(&format!(
        "-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ));
    let micros = time % 1_000_000;
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
        for (text, ok) in [
            ("5874897-12-31", true),
            ("5874898-01-01", false),
            ("4714-11-24 BC", true),
            ("4714-11-23 BC", false),
            ("2023-02-29", false),
            ("2024-02-29", true),
        ] {
            assert_eq!(parse_date(text).is_ok(), ok, "{text}");
            if ok {
                assert_eq!(format_date(parse_date(text).unwrap()), text);
            }
        }
        for (text, ok) in [
            ("294276-12-31 23:59:59.999999", true),
            ("294277-01-01 00:00:00", false),
            ("4714-11-24 00:00:00 BC", true),
            ("4714-11-23 23:59:59.999999 BC", false),
        ] {
            assert_eq!(parse_timestamp(text).is_ok(), ok, "{text}");
            if ok {
                assert_eq!(
                    format_timestamp(parse_timestamp(text).unwrap(), false),
                    text
                );
            }
        }
        for d in [-2_451_545i64, -1, 0, 1, 59, 60, 365, 2_145_031_948] {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
        }
        assert!(parse_date("hello").is_err());
    }
}
