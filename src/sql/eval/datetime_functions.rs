//! Date/time functions: `extract` (numeric) and `date_part` (float8) of
//! timestamps, dates and intervals, `date_trunc`, `age`, the `justify_*`
//! family, `make_interval`, `gen_random_uuid` and `random`, with PostgreSQL 15's
//! results, scales and errors (0A000 for a unit a type lacks, 22023 for an
//! unknown unit).

use bigdecimal::BigDecimal;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::super::expr::Function;
use crate::errinput;
use crate::error::{sqlstate, Error, Result};
use crate::types::datetime::{self, USECS_PER_DAY};
use crate::types::datetime_format;
use crate::types::interval::{self, Interval, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC};
use crate::types::Value;

/// Microseconds from 2000-01-01 back to 1970-01-01.
const UNIX_EPOCH_MICROS: i64 = 946_684_800 * USECS_PER_SEC;

/// The date/time functions; None for any other function.
pub fn call(func: Function, v: &[Value]) -> Result<Option<Value>> {
    Ok(Some(match func {
        Function::Extract => extract(text(&v[0]), &v[1])?,
        Function::DatePart => {
            let n = extract(text(&v[0]), &v[1])?;
            Value::Float8(n.as_f64().unwrap_or_default())
        }
        Function::DateTrunc => date_trunc(text(&v[0]), &v[1])?,
        Function::Age => match (&v[0], &v[1]) {
            (
                Value::Timestamp(a) | Value::Timestamptz(a),
                Value::Timestamp(b) | Value::Timestamptz(b),
            ) => Value::Interval(interval::age(*a, *b)?),
            _ => return Err(crate::errinternal!("age of non-timestamps")),
        },
        Function::JustifyDays => Value::Interval(as_interval(&v[0])?.justify_days()?),
        Function::JustifyHours => Value::Interval(as_interval(&v[0])?.justify_hours()?),
        Function::JustifyInterval => Value::Interval(as_interval(&v[0])?.justify()?),
        Function::MakeInterval => make_interval(v)?,
        Function::GenRandomUuid => Value::Uuid(crate::types::uuid::random()?),
        // 53 random bits: every float8 in [0, 1) a multiple of 2^-53.
        Function::Random => {
            // (The low bits: a v4 uuid's version and variant bits are high.)
            let bits = crate::types::uuid::random()? & ((1u128 << 53) - 1);
            Value::Float8(bits as f64 / (1u64 << 53) as f64)
        }
        Function::ToChar => {
            let fmt = match &v[1] {
                Value::Text(s) => s.as_str(),
                _ => "",
            };
            Value::Text(match &v[0] {
                Value::Timestamp(t) => datetime_format::format_timestamp(*t, false, fmt)?,
                Value::Timestamptz(t) => datetime_format::format_timestamp(*t, true, fmt)?,
                Value::Interval(i) => datetime_format::format_interval(*i, fmt),
                number => {
                    let decimal = match number.as_decimal() {
                        Some(d) => d,
                        None => crate::types::text::format(number)
                            .and_then(|t| t.parse().ok())
                            .ok_or_else(|| crate::errunsupported!("to_char of NaN or infinity"))?,
                    };
                    let float = matches!(number, Value::Float4(_) | Value::Float8(_));
                    crate::types::number_format::format(&decimal, fmt, float)
                }
            })
        }
        Function::ToDate | Function::ToTimestamp if v.len() == 2 => {
            let (Value::Text(t), Value::Text(fmt)) = (&v[0], &v[1]) else {
                return Err(crate::errinternal!("to_date of non-text"));
            };
            let dt = datetime_format::parse(t, fmt)?;
            let range = || errinput!(sqlstate::DATETIME_FIELD_OVERFLOW, "timestamp out of range");
            if func == Function::ToDate {
                Value::Date(datetime::date_to_days(dt.date()))
            } else {
                Value::Timestamptz(datetime::datetime_to_micros(dt).ok_or_else(range)?)
            }
        }
        Function::ToTimestamp => {
            let secs = v[0].as_f64().unwrap_or(f64::NAN);
            let micros = (secs * USECS_PER_SEC as f64).round() - UNIX_EPOCH_MICROS as f64;
            if !micros.is_finite()
                || micros.abs() > 9.2e18
                || datetime::micros_to_datetime(micros as i64).is_none()
            {
                return Err(errinput!(
                    sqlstate::DATETIME_FIELD_OVERFLOW,
                    "timestamp out of range: \"{}\"",
                    crate::types::text::format(&v[0]).unwrap_or_default()
                ));
            }
            Value::Timestamptz(micros as i64)
        }
        _ => return Ok(None),
    }))
}

fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.to_ascii_lowercase(),
        _ => String::new(),
    }
}

fn as_interval(v: &Value) -> Result<Interval> {
    match v {
        Value::Interval(i) => Ok(*i),
        _ => Err(crate::errinternal!("not an interval")),
    }
}

/// The type name used in unit errors.
fn type_name(v: &Value) -> &'static str {
    v.data_type().sql_name()
}

fn not_supported(unit: &str, v: &Value) -> Error {
    errinput!(
        sqlstate::FEATURE_NOT_SUPPORTED,
        "unit \"{unit}\" not supported for type {}",
        type_name(v)
    )
}

fn not_recognized(unit: &str, v: &Value) -> Error {
    errinput!(
        sqlstate::INVALID_PARAMETER_VALUE,
        "unit \"{unit}\" not recognized for type {}",
        type_name(v)
    )
}

/// A unit of extract/date_part, by PostgreSQL's spellings.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Unit(interval::Unit),
    Epoch,
    Dow,
    Isodow,
    Doy,
    Isoyear,
    Julian,
    Timezone,
    TimezoneHour,
    TimezoneMinute,
}

fn field(name: &str) -> Option<Field> {
    Some(match name {
        "epoch" => Field::Epoch,
        "dow" => Field::Dow,
        "isodow" => Field::Isodow,
        "doy" => Field::Doy,
        "isoyear" => Field::Isoyear,
        "julian" | "j" => Field::Julian,
        "timezone" => Field::Timezone,
        "timezone_h" | "timezone_hour" => Field::TimezoneHour,
        "timezone_m" | "timezone_minute" => Field::TimezoneMinute,
        _ => Field::Unit(interval::Unit::parse(name)?),
    })
}

/// A number with a given count of decimals (extract's numeric results).
fn scaled(units: i64, scale: i64) -> Value {
    Value::Numeric(BigDecimal::new(units.into(), scale))
}

fn whole(n: i64) -> Value {
    scaled(n, 0)
}

/// `extract(unit FROM value)`.
fn extract(unit: String, v: &Value) -> Result<Value> {
    let Some(f) = field(&unit) else {
        return Err(not_recognized(&unit, v));
    };
    match v {
        Value::Timestamp(us) | Value::Timestamptz(us) => {
            let dt = datetime::micros_to_datetime(*us)
                .ok_or_else(|| crate::errinternal!("timestamp out of range"))?;
            let zoned = matches!(v, Value::Timestamptz(_));
            Ok(match f {
                Field::Epoch => scaled(us + UNIX_EPOCH_MICROS, 6),
                Field::Timezone | Field::TimezoneHour | Field::TimezoneMinute if zoned => whole(0),
                Field::Timezone | Field::TimezoneHour | Field::TimezoneMinute => {
                    return Err(not_supported(&unit, v))
                }
                Field::Julian => {
                    let days = date_part_of(dt.date(), Field::Julian).unwrap_or(0);
                    let micros = time_micros(&dt);
                    Value::Numeric(
                        BigDecimal::from(days)
                            + BigDecimal::new(micros.into(), 0) / BigDecimal::from(USECS_PER_DAY),
                    )
                }
                Field::Unit(u) => match time_part(&dt, u) {
                    Some(value) => value,
                    None => {
                        whole(date_part_of(dt.date(), f).ok_or_else(|| not_supported(&unit, v))?)
                    }
                },
                _ => whole(date_part_of(dt.date(), f).ok_or_else(|| not_supported(&unit, v))?),
            })
        }
        Value::Date(days) => {
            let date = datetime::days_to_date(*days)
                .ok_or_else(|| crate::errinternal!("date out of range"))?;
            match f {
                Field::Epoch => Ok(whole(
                    *days as i64 * 86400 + UNIX_EPOCH_MICROS / USECS_PER_SEC,
                )),
                _ => date_part_of(date, f)
                    .map(whole)
                    .ok_or_else(|| not_supported(&unit, v)),
            }
        }
        Value::Interval(iv) => extract_interval(&unit, f, *iv, v),
        _ => Err(crate::errinternal!("extract from {}", type_name(v))),
    }
}

fn time_micros(dt: &NaiveDateTime) -> i64 {
    dt.num_seconds_from_midnight() as i64 * USECS_PER_SEC + (dt.nanosecond() / 1000) as i64
}

/// The time-of-day units of a timestamp (None for the date units).
fn time_part(dt: &NaiveDateTime, u: interval::Unit) -> Option<Value> {
    use interval::Unit as U;
    let second_micros = dt.second() as i64 * USECS_PER_SEC + (dt.nanosecond() / 1000) as i64;
    Some(match u {
        U::Microsecond => whole(second_micros),
        U::Millisecond => scaled(second_micros, 3),
        U::Second => scaled(second_micros, 6),
        U::Minute => whole(dt.minute() as i64),
        U::Hour => whole(dt.hour() as i64),
        _ => return None,
    })
}

/// A date unit of a calendar date (None for units a date lacks).
fn date_part_of(d: NaiveDate, f: Field) -> Option<i64> {
    use interval::Unit as U;
    let year = d.year() as i64;
    Some(match f {
        Field::Unit(U::Day) => d.day() as i64,
        Field::Unit(U::Month) => d.month() as i64,
        Field::Unit(U::Quarter) => (d.month() as i64 - 1) / 3 + 1,
        Field::Unit(U::Week) => d.iso_week().week() as i64,
        Field::Unit(U::Year) => {
            if year > 0 {
                year
            } else {
                year - 1
            }
        }
        Field::Unit(U::Decade) => {
            if year >= 0 {
                year / 10
            } else {
                -((8 - (year - 1)) / 10)
            }
        }
        Field::Unit(U::Century) => {
            if year > 0 {
                (year + 99) / 100
            } else {
                -((99 - (year - 1)) / 100)
            }
        }
        Field::Unit(U::Millennium) => {
            if year > 0 {
                (year + 999) / 1000
            } else {
                -((999 - (year - 1)) / 1000)
            }
        }
        Field::Isoyear => d.iso_week().year() as i64,
        Field::Dow => d.weekday().num_days_from_sunday() as i64,
        Field::Isodow => d.weekday().number_from_monday() as i64,
        Field::Doy => d.ordinal() as i64,
        // Days since 4714-11-24 BC (2000-01-01 is day 2451545).
        Field::Julian => datetime::date_to_days(d) as i64 + 2_451_545,
        _ => return None,
    })
}

fn extract_interval(unit: &str, f: Field, iv: Interval, v: &Value) -> Result<Value> {
    use interval::Unit as U;
    let (years, months) = ((iv.months / 12) as i64, (iv.months % 12) as i64);
    let second_micros = iv.micros % USECS_PER_MINUTE;
    Ok(match f {
        Field::Unit(U::Microsecond) => whole(second_micros),
        Field::Unit(U::Millisecond) => scaled(second_micros, 3),
        Field::Unit(U::Second) => scaled(second_micros, 6),
        Field::Unit(U::Minute) => whole(iv.micros % USECS_PER_HOUR / USECS_PER_MINUTE),
        Field::Unit(U::Hour) => whole(iv.micros / USECS_PER_HOUR),
        Field::Unit(U::Day) => whole(iv.days as i64),
        Field::Unit(U::Month) => whole(months),
        Field::Unit(U::Quarter) => whole(months / 3 + 1),
        Field::Unit(U::Year) => whole(years),
        Field::Unit(U::Decade) => whole(years / 10),
        Field::Unit(U::Century) => whole(years / 100),
        Field::Unit(U::Millennium) => whole(years / 1000),
        Field::Epoch => {
            // A year is 365.25 days here, a month 30.
            let seconds =
                years as i128 * 31_557_600 + (30 * months + iv.days as i64) as i128 * 86_400;
            let micros = seconds * USECS_PER_SEC as i128 + iv.micros as i128;
            Value::Numeric(BigDecimal::new(micros.into(), 6))
        }
        _ => return Err(not_supported(unit, v)),
    })
}

/// `date_trunc(unit, value)` for timestamps and intervals.
fn date_trunc(unit: String, v: &Value) -> Result<Value> {
    use interval::Unit as U;
    let Some(Field::Unit(u)) = field(&unit) else {
        return Err(match field(&unit) {
            Some(_) => not_supported(&unit, v),
            None => not_recognized(&unit, v),
        });
    };
    match v {
        Value::Timestamp(us) | Value::Timestamptz(us) => {
            let dt = datetime::micros_to_datetime(*us)
                .ok_or_else(|| crate::errinternal!("timestamp out of range"))?;
            let day_start = us - time_micros(&dt);
            let truncated = match u {
                U::Microsecond => *us,
                U::Millisecond => us - us.rem_euclid(1000),
                U::Second => us - us.rem_euclid(USECS_PER_SEC),
                U::Minute => us - us.rem_euclid(USECS_PER_MINUTE),
                U::Hour => us - us.rem_euclid(USECS_PER_HOUR),
                U::Day => day_start,
                U::Week => day_start - dt.weekday().num_days_from_monday() as i64 * USECS_PER_DAY,
                _ => {
                    let (year, month) = (dt.year(), dt.month());
                    let (year, month) = match u {
                        U::Month => (year, month),
                        U::Quarter => (year, (month - 1) / 3 * 3 + 1),
                        U::Year => (year, 1),
                        U::Decade if year > 0 => (year / 10 * 10, 1),
                        U::Decade => (-((8 - (year - 1)) / 10) * 10, 1),
                        U::Century if year > 0 => ((year + 99) / 100 * 100 - 99, 1),
                        U::Century => (-((99 - (year - 1)) / 100) * 100 + 1, 1),
                        U::Millennium if year > 0 => ((year + 999) / 1000 * 1000 - 999, 1),
                        _ => (-((999 - (year - 1)) / 1000) * 1000 + 1, 1),
                    };
                    NaiveDate::from_ymd_opt(year, month, 1)
                        .and_then(|d| {
                            datetime::datetime_to_micros(d.and_time(chrono::NaiveTime::MIN))
                        })
                        .ok_or_else(|| {
                            errinput!(sqlstate::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
                        })?
                }
            };
            Ok(match v {
                Value::Timestamptz(_) => Value::Timestamptz(truncated),
                _ => Value::Timestamp(truncated),
            })
        }
        Value::Interval(iv) => {
            let mut out = *iv;
            let keep_micros = |per: i64| iv.micros - iv.micros % per;
            match u {
                U::Microsecond => {}
                U::Millisecond => out.micros = keep_micros(1000),
                U::Second => out.micros = keep_micros(USECS_PER_SEC),
                U::Minute => out.micros = keep_micros(USECS_PER_MINUTE),
                U::Hour => out.micros = keep_micros(USECS_PER_HOUR),
                U::Day => out.micros = 0,
                U::Week => {
                    return Err(not_supported(&unit, v)
                        .with_detail("Months usually have fractional weeks."))
                }
                _ => {
                    let per = match u {
                        U::Month => 1,
                        U::Quarter => 3,
                        U::Year => 12,
                        U::Decade => 120,
                        U::Century => 1200,
                        _ => 12000,
                    };
                    out = Interval {
                        months: iv.months - iv.months % per,
                        days: 0,
                        micros: 0,
                    };
                }
            }
            Ok(Value::Interval(out))
        }
        _ => Err(crate::errinternal!("date_trunc of {}", type_name(v))),
    }
}

/// `make_interval(years, months, weeks, days, hours, mins, secs)`.
fn make_interval(v: &[Value]) -> Result<Value> {
    let int = |i: usize| v.get(i).and_then(Value::as_i64).unwrap_or(0);
    let secs = v.get(6).and_then(Value::as_f64).unwrap_or(0.0);
    let overflow = || errinput!(sqlstate::DATETIME_FIELD_OVERFLOW, "interval out of range");
    let months = int(0)
        .checked_mul(12)
        .and_then(|m| m.checked_add(int(1)))
        .ok_or_else(overflow)?;
    let days = int(2)
        .checked_mul(7)
        .and_then(|d| d.checked_add(int(3)))
        .ok_or_else(overflow)?;
    let micros = (secs * USECS_PER_SEC as f64).round();
    if !micros.is_finite() {
        return Err(overflow());
    }
    let micros = int(4)
        .checked_mul(USECS_PER_HOUR)
        .and_then(|h| h.checked_add(int(5).checked_mul(USECS_PER_MINUTE)?))
        .and_then(|t| t.checked_add(micros as i64))
        .ok_or_else(overflow)?;
    Ok(Value::Interval(Interval {
        months: i32::try_from(months).map_err(|_| overflow())?,
        days: i32::try_from(days).map_err(|_| overflow())?,
        micros,
    }))
}
