//! interval: months, days and microseconds kept apart, as PostgreSQL keeps
//! them (a month is no fixed number of days). Text input (`1 year 2 mons`,
//! `3 days 04:05:06`, `@ 1 hour ago`, `1-2`, ISO 8601 `P1Y2M3DT4H`),
//! output in IntervalStyle `postgres`, the order (a month counts 30 days,
//! a day 24 hours), and the arithmetic: with timestamps, numbers, `age`
//! and the `justify_*` functions.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::datetime::{self, USECS_PER_DAY};
use crate::errinput;
use crate::error::{sqlstate, Error, Result};

pub const USECS_PER_SEC: i64 = 1_000_000;
pub const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
pub const USECS_PER_HOUR: i64 = 60 * USECS_PER_MINUTE;
pub const DAYS_PER_MONTH: i64 = 30;

/// An interval value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub micros: i64,
}

/// A unit of interval input, `extract` and `date_trunc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Microsecond,
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Decade,
    Century,
    Millennium,
}

impl Unit {
    /// A unit by any of PostgreSQL's spellings (`mins`, `hr`, `mon`, …).
    pub fn parse(word: &str) -> Option<Unit> {
        Some(match word {
            "microsecond" | "microseconds" | "us" | "usec" | "usecs" | "useconds" => {
                Unit::Microsecond
            }
            "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" | "mseconds" => {
                Unit::Millisecond
            }
            "second" | "seconds" | "s" | "sec" | "secs" => Unit::Second,
            "minute" | "minutes" | "m" | "min" | "mins" => Unit::Minute,
            "hour" | "hours" | "h" | "hr" | "hrs" => Unit::Hour,
            "day" | "days" | "d" => Unit::Day,
            "week" | "weeks" | "w" => Unit::Week,
            "month" | "months" | "mon" | "mons" => Unit::Month,
            "quarter" | "qtr" => Unit::Quarter,
            "year" | "years" | "y" | "yr" | "yrs" => Unit::Year,
            "decade" | "decades" | "dec" | "decs" => Unit::Decade,
            "century" | "centuries" | "c" | "cent" => Unit::Century,
            "millennium" | "millennia" | "mil" | "mils" => Unit::Millennium,
            _ => return None,
        })
    }
}

fn out_of_range() -> Error {
    errinput!(sqlstate::DATETIME_FIELD_OVERFLOW, "interval out of range")
}

impl Interval {
    pub const ZERO: Interval = Interval {
        months: 0,
        days: 0,
        micros: 0,
    };

    /// The length used to order and compare: a month is 30 days, a day 24
    /// hours (so `'1 mon' = '30 days'`, as in PostgreSQL).
    pub fn span(self) -> i128 {
        (self.months as i128 * DAYS_PER_MONTH as i128 + self.days as i128) * USECS_PER_DAY as i128
            + self.micros as i128
    }

    pub fn checked_add(self, o: Interval) -> Result<Interval> {
        Ok(Interval {
            months: self.months.checked_add(o.months).ok_or_else(out_of_range)?,
            days: self.days.checked_add(o.days).ok_or_else(out_of_range)?,
            micros: self.micros.checked_add(o.micros).ok_or_else(out_of_range)?,
        })
    }

    pub fn checked_neg(self) -> Result<Interval> {
        Ok(Interval {
            months: self.months.checked_neg().ok_or_else(out_of_range)?,
            days: self.days.checked_neg().ok_or_else(out_of_range)?,
            micros: self.micros.checked_neg().ok_or_else(out_of_range)?,
        })
    }

    pub fn checked_sub(self, o: Interval) -> Result<Interval> {
        self.checked_add(o.checked_neg()?)
    }

    /// `interval * float8`, spilling fractions of months into days and of
    /// days into time as PostgreSQL's `interval_mul` does.
    pub fn times(self, factor: f64) -> Result<Interval> {
        self.scale(|x| x * factor)
    }

    /// `interval / float8` (22012 on zero), as `interval_div`.
    pub fn divided_by(self, divisor: f64) -> Result<Interval> {
        if divisor == 0.0 {
            return Err(errinput!(sqlstate::DIVISION_BY_ZERO, "division by zero"));
        }
        self.scale(|x| x / divisor)
    }

    /// Each field scaled by `f`, the fractions cascading down, rounded to
    /// microseconds on the way as PostgreSQL's TSROUND does.
    fn scale(self, f: impl Fn(f64) -> f64) -> Result<Interval> {
        let ts_round = |x: f64| (x * USECS_PER_SEC as f64).round() / USECS_PER_SEC as f64;
        let months = f(self.months as f64);
        if !months.is_finite() || months.abs() >= i32::MAX as f64 + 1.0 {
            return Err(out_of_range());
        }
        let whole_months = months.trunc();
        let month_remainder_days = ts_round((months - whole_months) * DAYS_PER_MONTH as f64);
        let days = f(self.days as f64);
        if !days.is_finite() || days.abs() >= i32::MAX as f64 + 1.0 {
            return Err(out_of_range());
        }
        let whole_days = days.trunc();
        let sec_remainder =
            ts_round(((days - whole_days) + month_remainder_days.fract()) * 86400.0);
        let mut sec_remainder = sec_remainder;
        let mut day_total = whole_days as i64;
        if sec_remainder.abs() >= 86400.0 {
            let extra = (sec_remainder / 86400.0).trunc();
            day_total += extra as i64;
            sec_remainder -= extra * 86400.0;
        }
        day_total += month_remainder_days.trunc() as i64;
        let micros = (f(self.micros as f64) + sec_remainder * USECS_PER_SEC as f64).round();
        if !micros.is_finite() || micros.abs() >= i64::MAX as f64 {
            return Err(out_of_range());
        }
        Ok(Interval {
            months: whole_months as i32,
            days: i32::try_from(day_total).map_err(|_| out_of_range())?,
            micros: micros as i64,
        })
    }

    /// `justify_hours`: whole 24-hour periods of the time become days.
    pub fn justify_hours(self) -> Result<Interval> {
        let (days, micros) = carry(self.days as i64, self.micros, USECS_PER_DAY, 0);
        Ok(Interval {
            months: self.months,
            days: i32::try_from(days).map_err(|_| out_of_range())?,
            micros,
        })
    }

    /// `justify_days`: whole 30-day periods become months.
    pub fn justify_days(self) -> Result<Interval> {
        let (months, days) = carry(self.months as i64, self.days as i64, DAYS_PER_MONTH, 0);
        Ok(Interval {
            months: i32::try_from(months).map_err(|_| out_of_range())?,
            days: days as i32,
            micros: self.micros,
        })
    }

    /// `justify_interval`: both, with one sign throughout.
    pub fn justify(self) -> Result<Interval> {
        let days = self.days as i64 + self.micros / USECS_PER_DAY;
        let micros = self.micros % USECS_PER_DAY;
        let (months, days) = carry(self.months as i64, days, DAYS_PER_MONTH, micros.signum());
        let (days, micros) = carry(days, micros, USECS_PER_DAY, 0);
        Ok(Interval {
            months: i32::try_from(months).map_err(|_| out_of_range())?,
            days: days as i32,
            micros,
        })
    }
}

/// Moves whole `per`s of the lower field `lo` into the higher `hi`, then
/// gives both one sign (PostgreSQL's justify rules); `below` is the sign
/// of the field under `lo`, which decides when `lo` is zero.
fn carry(hi: i64, lo: i64, per: i64, below: i64) -> (i64, i64) {
    let (mut hi, mut lo) = (hi + lo / per, lo % per);
    if hi > 0 && (lo < 0 || (lo == 0 && below < 0)) {
        lo += per;
        hi -= 1;
    } else if hi < 0 && (lo > 0 || (lo == 0 && below > 0)) {
        lo -= per;
        hi += 1;
    }
    (hi, lo)
}

fn timestamp_out_of_range() -> Error {
    errinput!(sqlstate::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
}

/// Adds whole months to a date-time, keeping the time of day and moving
/// the day back to the month's last where it has fewer days.
fn add_months(dt: NaiveDateTime, months: i32) -> Option<NaiveDateTime> {
    let total = dt.year() as i64 * 12 + dt.month0() as i64 + months as i64;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = total.rem_euclid(12) as u32 + 1;
    let last = days_in_month(year, month);
    NaiveDate::from_ymd_opt(year, month, dt.day().min(last)).map(|d| d.and_time(dt.time()))
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    match (next, NaiveDate::from_ymd_opt(year, month, 1)) {
        (Some(n), Some(f)) => (n - f).num_days() as u32,
        _ => 31,
    }
}

/// `timestamp + interval`: months by the calendar, then days, then time.
pub fn add_to_timestamp(us: i64, iv: Interval) -> Result<i64> {
    let mut us = us;
    if iv.months != 0 {
        let dt = datetime::micros_to_datetime(us).ok_or_else(timestamp_out_of_range)?;
        let moved = add_months(dt, iv.months).ok_or_else(timestamp_out_of_range)?;
        us = datetime::datetime_to_micros(moved).ok_or_else(timestamp_out_of_range)?;
    }
    us = (iv.days as i64)
        .checked_mul(USECS_PER_DAY)
        .and_then(|d| us.checked_add(d))
        .and_then(|u| u.checked_add(iv.micros))
        .ok_or_else(timestamp_out_of_range)?;
    datetime::micros_to_datetime(us).ok_or_else(timestamp_out_of_range)?;
    Ok(us)
}

/// `timestamp - timestamp`: the difference as days and time.
pub fn between(a: i64, b: i64) -> Result<Interval> {
    let micros = a.checked_sub(b).ok_or_else(out_of_range)?;
    Interval {
        months: 0,
        days: 0,
        micros,
    }
    .justify_hours()
}

/// `age(a, b)`: the symbolic difference in years, months and days, then
/// time, borrowing from the next field up as PostgreSQL's
/// `timestamp_age` does.
pub fn age(a: i64, b: i64) -> Result<Interval> {
    let t1 = datetime::micros_to_datetime(a).ok_or_else(timestamp_out_of_range)?;
    let t2 = datetime::micros_to_datetime(b).ok_or_else(timestamp_out_of_range)?;
    let fields = |t: &NaiveDateTime| {
        [
            (t.nanosecond() / 1000) as i64,
            t.second() as i64,
            t.minute() as i64,
            t.hour() as i64,
            t.day() as i64,
            t.month() as i64,
            t.year() as i64,
        ]
    };
    let (f1, f2) = (fields(&t1), fields(&t2));
    let mut d: [i64; 7] = std::array::from_fn(|i| f1[i] - f2[i]);
    let flip = a < b;
    if flip {
        d.iter_mut().for_each(|x| *x = -*x);
    }
    let limits = [USECS_PER_SEC, 60, 60, 24];
    for i in 0..4 {
        while d[i] < 0 {
            d[i] += limits[i];
            d[i + 1] -= 1;
        }
    }
    let borrow_from = if flip { &t1 } else { &t2 };
    while d[4] < 0 {
        d[4] += days_in_month(borrow_from.year(), borrow_from.month()) as i64;
        d[5] -= 1;
    }
    while d[5] < 0 {
        d[5] += 12;
        d[6] -= 1;
    }
    if flip {
        d.iter_mut().for_each(|x| *x = -*x);
    }
    let months = d[6] * 12 + d[5];
    let micros = d[3] * USECS_PER_HOUR + d[2] * USECS_PER_MINUTE + d[1] * USECS_PER_SEC + d[0];
    Ok(Interval {
        months: i32::try_from(months).map_err(|_| out_of_range())?,
        days: d[4] as i32,
        micros,
    })
}

/// PostgreSQL's output in IntervalStyle `postgres`:
/// `1 year 2 mons -3 days +04:05:06.5`, `00:00:00` for zero.
pub fn format(iv: Interval) -> String {
    let mut out = String::new();
    let mut is_zero = true;
    let mut is_before = false;
    let mut part = |value: i64, unit: &str, out: &mut String| {
        if value == 0 {
            return;
        }
        if !is_zero {
            out.push(' ');
        }
        if is_before && value > 0 {
            out.push('+');
        }
        out.push_str(&format!("{value} {unit}"));
        if value != 1 {
            out.push('s');
        }
        is_before = value < 0;
        is_zero = false;
    };
    part((iv.months / 12) as i64, "year", &mut out);
    part((iv.months % 12) as i64, "mon", &mut out);
    part(iv.days as i64, "day", &mut out);
    if is_zero || iv.micros != 0 {
        let abs = iv.micros.unsigned_abs();
        let sign = if iv.micros < 0 {
            "-"
        } else if is_before {
            "+"
        } else {
            ""
        };
        let space = if is_zero { "" } else { " " };
        let (hours, minutes) = (abs / 3_600_000_000, abs / 60_000_000 % 60);
        let (seconds, fraction) = (abs / 1_000_000 % 60, abs % 1_000_000);
        out.push_str(&format!(
            "{space}{sign}{hours:02}:{minutes:02}:{seconds:02}"
        ));
        if fraction > 0 {
            let digits = format!("{fraction:06}");
            out.push('.');
            out.push_str(digits.trim_end_matches('0'));
        }
    }
    out
}

/// Parses interval text input; a bare number counts in `bare_unit`
/// (seconds, or the field of `INTERVAL '5' DAY`).
pub fn parse(text: &str, bare_unit: Unit) -> Result<Interval> {
    let syntax = || {
        errinput!(
            sqlstate::INVALID_DATETIME_FORMAT,
            "invalid input syntax for type interval: \"{text}\""
        )
    };
    let lower = text.trim().to_ascii_lowercase();
    let mut sum = Sum::default();
    if let Some(iso) = lower.strip_prefix('p') {
        parse_iso(iso, &mut sum).ok_or_else(syntax)?;
    } else {
        parse_words(&lower, bare_unit, &mut sum).ok_or_else(syntax)?;
    }
    sum.finish().ok_or_else(|| {
        errinput!(
            sqlstate::INTERVAL_FIELD_OVERFLOW,
            "interval field value out of range: \"{text}\""
        )
    })
}

/// The fields being added up, wide enough to notice overflow at the end.
#[derive(Default)]
struct Sum {
    months: i128,
    days: i128,
    micros: i128,
}

impl Sum {
    /// Adds `value` (whole part and fraction of one sign) of a unit,
    /// spilling the fraction down: years to months, months to days (30),
    /// days to time.
    fn add(&mut self, whole: i128, fraction: f64, unit: Unit) {
        let micros = |f: f64, per: i64| (f * per as f64).round() as i128;
        match unit {
            Unit::Millennium | Unit::Century | Unit::Decade | Unit::Year | Unit::Quarter => {
                let months_per = match unit {
                    Unit::Millennium => 12000,
                    Unit::Century => 1200,
                    Unit::Decade => 120,
                    Unit::Quarter => 3,
                    _ => 12,
                };
                self.months += whole * months_per + (fraction * months_per as f64).round() as i128;
            }
            Unit::Month => {
                self.months += whole;
                self.add_fractional_days(fraction * DAYS_PER_MONTH as f64);
            }
            Unit::Week => {
                self.days += whole * 7;
                self.add_fractional_days(fraction * 7.0);
            }
            Unit::Day => {
                self.days += whole;
                self.micros += micros(fraction, USECS_PER_DAY);
            }
            Unit::Hour => {
                self.micros += whole * USECS_PER_HOUR as i128 + micros(fraction, USECS_PER_HOUR)
            }
            Unit::Minute => {
                self.micros += whole * USECS_PER_MINUTE as i128 + micros(fraction, USECS_PER_MINUTE)
            }
            Unit::Second => {
                self.micros += whole * USECS_PER_SEC as i128 + micros(fraction, USECS_PER_SEC)
            }
            Unit::Millisecond => self.micros += whole * 1000 + micros(fraction, 1000),
            Unit::Microsecond => self.micros += whole + fraction.round() as i128,
        }
    }

    fn add_fractional_days(&mut self, days: f64) {
        let whole = days.trunc();
        self.days += whole as i128;
        self.micros += ((days - whole) * USECS_PER_DAY as f64).round() as i128;
    }

    fn negate(&mut self) {
        self.months = -self.months;
        self.days = -self.days;
        self.micros = -self.micros;
    }

    fn finish(self) -> Option<Interval> {
        Some(Interval {
            months: i32::try_from(self.months).ok()?,
            days: i32::try_from(self.days).ok()?,
            micros: i64::try_from(self.micros).ok()?,
        })
    }
}

/// A signed decimal number: its whole part and its fraction (one sign).
fn parse_number(token: &str) -> Option<(i128, f64)> {
    let (negative, digits) = match token.as_bytes().first()? {
        b'-' => (true, &token[1..]),
        b'+' => (false, &token[1..]),
        _ => (false, token),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().ok()?
    };
    let fraction: f64 = if frac_part.is_empty() {
        0.0
    } else {
        format!("0.{frac_part}").parse().ok()?
    };
    Some(if negative {
        (-whole, -fraction)
    } else {
        (whole, fraction)
    })
}

/// `[+-]h:m[:s[.f]]` (or `m:s.f`) as microseconds.
fn parse_time(token: &str) -> Option<i128> {
    let (negative, body) = match token.as_bytes().first()? {
        b'-' => (true, &token[1..]),
        b'+' => (false, &token[1..]),
        _ => (false, token),
    };
    let parts: Vec<&str> = body.split(':').collect();
    let int = |s: &str| -> Option<i128> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    let seconds = |s: &str| -> Option<i128> {
        let (whole, fraction) = parse_number(s)?;
        (whole >= 0 && !s.starts_with(['+', '-'])).then_some(())?;
        Some(whole * USECS_PER_SEC as i128 + (fraction * USECS_PER_SEC as f64).round() as i128)
    };
    let micros = match parts.as_slice() {
        [m, s] if s.contains('.') => int(m)? * USECS_PER_MINUTE as i128 + seconds(s)?,
        [h, m] => int(h)? * USECS_PER_HOUR as i128 + int(m)? * USECS_PER_MINUTE as i128,
        [h, m, s] => {
            int(h)? * USECS_PER_HOUR as i128 + int(m)? * USECS_PER_MINUTE as i128 + seconds(s)?
        }
        _ => return None,
    };
    Some(if negative { -micros } else { micros })
}

/// Splits input into number-like tokens (digits, signs, `.`, `:`, `-`)
/// and words, so `1day` reads as `1 day`.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() || c == b',' {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_alphabetic() {
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
        } else if c == b'@' {
            i += 1;
        } else {
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || b".:-".contains(&bytes[i])) {
                i += 1;
            }
        }
        out.push(&text[start..i]);
    }
    out
}

fn parse_words(text: &str, bare_unit: Unit, sum: &mut Sum) -> Option<()> {
    let tokens = tokens(text);
    if tokens.is_empty() {
        return None;
    }
    let mut i = 0;
    if tokens[0] == "@" {
        i = 1;
    }
    let mut seen = false;
    while i < tokens.len() {
        let token = tokens[i];
        i += 1;
        if token.as_bytes()[0].is_ascii_alphabetic() {
            // Only `ago`, last, after something to negate.
            if token == "ago" && i == tokens.len() && seen {
                sum.negate();
                return Some(());
            }
            return None;
        }
        seen = true;
        if token.contains(':') {
            sum.micros += parse_time(token)?;
            continue;
        }
        if let Some((years, months)) = token[1..]
            .split_once('-')
            .map(|(y, m)| (&token[..y.len() + 1], m))
        {
            // SQL-standard year-month: `1-2` is 1 year 2 months.
            let (y, _) = parse_number(years)?;
            let m: i128 = months.parse().ok()?;
            let sign = if years.starts_with('-') { -1 } else { 1 };
            sum.months += y * 12 + sign * m;
            continue;
        }
        let (whole, fraction) = parse_number(token)?;
        match tokens.get(i) {
            Some(word) if word.as_bytes()[0].is_ascii_alphabetic() && *word != "ago" => {
                sum.add(whole, fraction, Unit::parse(word)?);
                i += 1;
            }
            // SQL-standard day-time: `1 2:03:04` is 1 day 02:03:04.
            Some(next) if next.contains(':') && fraction == 0.0 => sum.days += whole,
            _ => sum.add(whole, fraction, bare_unit),
        }
    }
    Some(())
}

/// ISO 8601 `P[nY][nM][nW][nD][T[nH][nM][nS]]` (after the `P`).
fn parse_iso(text: &str, sum: &mut Sum) -> Option<()> {
    let (date, time) = match text.split_once('t') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    if date.is_empty() && time.is_none_or(str::is_empty) {
        return None;
    }
    let mut fields = |part: &str, in_time: bool| -> Option<()> {
        let mut rest = part;
        while !rest.is_empty() {
            let end = rest.find(|c: char| c.is_ascii_alphabetic())?;
            let (whole, fraction) = parse_number(&rest[..end])?;
            let unit = match (rest.as_bytes()[end], in_time) {
                (b'y', false) => Unit::Year,
                (b'm', false) => Unit::Month,
                (b'w', false) => Unit::Week,
                (b'd', false) => Unit::Day,
                (b'h', true) => Unit::Hour,
                (b'm', true) => Unit::Minute,
                (b's', true) => Unit::Second,
                _ => return None,
            };
            sum.add(whole, fraction, unit);
            rest = &rest[end + 1..];
        }
        Some(())
    };
    fields(date, false)?;
    if let Some(time) = time {
        fields(time, true)?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(text: &str) -> String {
        format(parse(text, Unit::Second).unwrap())
    }

    #[test]
    fn reads_and_prints_like_postgres() {
        assert_eq!(iv("1 day"), "1 day");
        assert_eq!(iv("2 hours 30 minutes"), "02:30:00");
        assert_eq!(
            iv("1 year 2 months 3 days 04:05:06.5"),
            "1 year 2 mons 3 days 04:05:06.5"
        );
        assert_eq!(iv("-1 days 2 hours"), "-1 days +02:00:00");
        assert_eq!(iv("@ 1 hour ago"), "-01:00:00");
        assert_eq!(iv("1.5 days"), "1 day 12:00:00");
        assert_eq!(iv("1.5 months"), "1 mon 15 days");
        assert_eq!(iv("1-2"), "1 year 2 mons");
        assert_eq!(iv("1 2:03:04"), "1 day 02:03:04");
        assert_eq!(iv("P1Y2M3DT4H5M6S"), "1 year 2 mons 3 days 04:05:06");
        assert_eq!(iv("0"), "00:00:00");
        assert_eq!(iv("90"), "00:01:30");
        assert_eq!(iv("10day"), "10 days");
        assert!(parse("1 fortnight", Unit::Second).is_err());
        assert!(parse("", Unit::Second).is_err());
    }

    #[test]
    fn compares_by_span_and_multiplies() {
        let month = parse("1 mon", Unit::Second).unwrap();
        let days = parse("30 days", Unit::Second).unwrap();
        assert_eq!(month.span(), days.span());
        assert_eq!(format(month.times(1.5).unwrap()), "1 mon 15 days");
        assert_eq!(
            format(
                parse("1 day", Unit::Second)
                    .unwrap()
                    .divided_by(3.0)
                    .unwrap()
            ),
            "08:00:00"
        );
    }

    #[test]
    fn ages_like_postgres() {
        let ts = |t| datetime::parse_timestamp(t).unwrap();
        assert_eq!(
            format(age(ts("2024-03-01"), ts("2024-01-31")).unwrap()),
            "1 mon 1 day"
        );
        assert_eq!(
            format(age(ts("2001-04-10"), ts("1957-06-13")).unwrap()),
            "43 years 9 mons 27 days"
        );
        assert_eq!(
            format(
                add_to_timestamp(ts("2024-01-31"), parse("1 month", Unit::Second).unwrap())
                    .map(|t| Interval {
                        micros: t - ts("2024-01-31"),
                        ..Interval::ZERO
                    })
                    .unwrap()
            ),
            "696:00:00"
        );
    }
}
