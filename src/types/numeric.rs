//! Exact decimal arithmetic with PostgreSQL's `numeric` rules: display scale
//! carried through `+ - *`, the division scale of `select_div_scale`,
//! rounding half away from zero, typmod coercion with "numeric field
//! overflow", and the base-10000 binary wire format.

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::{BigDecimal, RoundingMode, Signed, ToPrimitive, Zero};

use crate::errinput;
use crate::error::{sqlstate, Result};

/// Minimum significant digits of a division result (NUMERIC_MIN_SIG_DIGITS).
const MIN_SIG_DIGITS: i64 = 16;
/// Largest display scale a computed result gets (NUMERIC_MAX_DISPLAY_SCALE).
const MAX_DISPLAY_SCALE: i64 = 1000;
/// Largest number of digits before the decimal point (NUMERIC_MAX_PRECISION
/// is 1000 for typmods; values may have up to 131072 integer digits).
const MAX_INTEGER_DIGITS: i64 = 131_072;

/// The numeric values that are not numbers: PostgreSQL 14+ has NaN (equal
/// to itself and above every other value, as in sorting), Infinity and
/// -Infinity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Special {
    /// Sorts below every number.
    NegInf,
    /// Sorts above every number.
    PosInf,
    /// Sorts above everything, Infinity included.
    NaN,
}

impl Special {
    /// A sum's special value after adding `next` to what it was: NaN
    /// wins, opposite infinities make NaN.
    pub fn sum(so_far: Option<Special>, next: Special) -> Special {
        match (so_far, next) {
            (None, n) => n,
            (Some(Special::NaN), _) | (_, Special::NaN) => Special::NaN,
            (Some(a), b) if a == b => a,
            _ => Special::NaN,
        }
    }

    /// The text form.
    pub fn text(self) -> &'static str {
        match self {
            Special::NaN => "NaN",
            Special::PosInf => "Infinity",
            Special::NegInf => "-Infinity",
        }
    }

    /// The special value a text input names, as numeric_in reads it.
    pub fn parse(text: &str) -> Option<Special> {
        match text.trim().to_ascii_lowercase().as_str() {
            "nan" => Some(Special::NaN),
            "infinity" | "+infinity" | "inf" | "+inf" => Some(Special::PosInf),
            "-infinity" | "-inf" => Some(Special::NegInf),
            _ => None,
        }
    }

    /// As a float8.
    pub fn to_f64(self) -> f64 {
        match self {
            Special::NaN => f64::NAN,
            Special::PosInf => f64::INFINITY,
            Special::NegInf => f64::NEG_INFINITY,
        }
    }

    /// The special value a non-finite float is.
    pub fn of_float(f: f64) -> Option<Special> {
        if f.is_nan() {
            Some(Special::NaN)
        } else if f == f64::INFINITY {
            Some(Special::PosInf)
        } else if f == f64::NEG_INFINITY {
            Some(Special::NegInf)
        } else {
            None
        }
    }
}

/// Parses numeric text input (`' 12.50 '`, `-1e3`, `.5`).
pub fn parse(text: &str) -> Result<BigDecimal> {
    let t = text.trim();
    let valid = !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && t.chars().any(|c| c.is_ascii_digit());
    let parsed = if valid {
        t.parse::<BigDecimal>().ok()
    } else {
        None
    };
    match parsed {
        Some(mut d) => {
            // "1e3" is 1000 with scale 0, like PostgreSQL.
            if d.fractional_digit_count() < 0 {
                d = d.with_scale(0);
            }
            check_size(d)
        }
        None => Err(errinput!(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type numeric: \"{text}\""
        )),
    }
}

fn check_size(d: BigDecimal) -> Result<BigDecimal> {
    let (digits, scale) = d.as_bigint_and_exponent();
    let integer_digits = digits.to_string().trim_start_matches('-').len() as i64 - scale;
    if integer_digits > MAX_INTEGER_DIGITS || scale > 16383 {
        return Err(errinput!(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "value overflows numeric format"
        ));
    }
    Ok(d)
}

/// Formats a numeric with its display scale, never in exponent notation.
pub fn format(d: &BigDecimal) -> String {
    let (digits, scale) = d.as_bigint_and_exponent();
    if scale <= 0 {
        let mut s = digits.to_string();
        if !digits.is_zero() {
            s.extend(std::iter::repeat_n('0', (-scale) as usize));
        }
        return s;
    }
    let negative = digits.sign() == Sign::Minus;
    let mut abs = digits.magnitude().to_string();
    let scale = scale as usize;
    if abs.len() <= scale {
        abs = format!("{}{}", "0".repeat(scale - abs.len() + 1), abs);
    }
    let point = abs.len() - scale;
    format!(
        "{}{}.{}",
        if negative { "-" } else { "" },
        &abs[..point],
        &abs[point..]
    )
}

/// Rounds to `scale` fractional digits, half away from zero.
pub fn round(d: &BigDecimal, scale: i64) -> BigDecimal {
    d.with_scale_round(scale, RoundingMode::HalfUp)
}

/// Coerces a value to numeric(precision, scale), as on assignment or cast.
/// A negative scale rounds left of the decimal point (PostgreSQL 15).
pub fn apply_typmod(d: &BigDecimal, precision: u32, scale: i32) -> Result<BigDecimal> {
    let rounded = round(d, scale as i64);
    let rounded = if scale < 0 {
        rounded.with_scale(0)
    } else {
        rounded
    };
    let max_integer_digits = precision as i64 - scale as i64;
    let (digits, s) = rounded.as_bigint_and_exponent();
    let integer_digits = if digits.is_zero() {
        i64::MIN
    } else {
        digits.magnitude().to_string().len() as i64 - s
    };
    if integer_digits > max_integer_digits {
        let limit = if max_integer_digits == 0 {
            "1".to_string()
        } else {
            format!("10^{max_integer_digits}")
        };
        return Err(errinput!(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow").with_detail(format!(
            "A field with precision {precision}, scale {scale} must round to an absolute value less than {limit}."
        )));
    }
    Ok(rounded)
}

/// Weight (base-10000 exponent) and first base-10000 digit of a value.
fn weight_and_first_digit(d: &BigDecimal) -> (i64, u32) {
    if d.is_zero() {
        return (0, 0);
    }
    let (digits, scale) = d.as_bigint_and_exponent();
    let text = digits.magnitude().to_string();
    // Decimal exponent of the leading digit.
    let lead_exp = text.len() as i64 - 1 - scale;
    let weight = lead_exp.div_euclid(4);
    // The leading base-10000 group holds decimal exponents weight*4 .. weight*4+3.
    let group_digits = (lead_exp - weight * 4 + 1) as usize;
    let first: u32 = text[..group_digits.min(text.len())].parse().unwrap_or(0);
    let first = first * 10u32.pow((group_digits.saturating_sub(text.len())) as u32);
    (weight, first)
}

/// The result scale PostgreSQL picks for `a / b` (`select_div_scale`).
pub fn division_scale(a: &BigDecimal, b: &BigDecimal) -> i64 {
    let (w1, f1) = weight_and_first_digit(a);
    let (w2, f2) = weight_and_first_digit(b);
    let mut qweight = w1 - w2;
    if f1 <= f2 {
        qweight -= 1;
    }
    let rscale = (MIN_SIG_DIGITS - qweight * 4)
        .max(a.fractional_digit_count().max(0))
        .max(b.fractional_digit_count().max(0))
        .max(0);
    rscale.min(MAX_DISPLAY_SCALE)
}

/// `a / b` with PostgreSQL's result scale; 22012 on a zero divisor.
pub fn divide(a: &BigDecimal, b: &BigDecimal) -> Result<BigDecimal> {
    if b.is_zero() {
        return Err(errinput!(sqlstate::DIVISION_BY_ZERO, "division by zero"));
    }
    let rscale = division_scale(a, b);
    Ok(divide_to_scale(a, b, rscale))
}

/// `a / b` rounded half away from zero to exactly `rscale` digits.
pub fn divide_to_scale(a: &BigDecimal, b: &BigDecimal, rscale: i64) -> BigDecimal {
    let (ma, sa) = a.as_bigint_and_exponent();
    let (mb, sb) = b.as_bigint_and_exponent();
    // a/b * 10^r = ma * 10^(sb - sa + r) / mb
    let shift = sb - sa + rscale;
    let (num, den) = if shift >= 0 {
        (ma * pow10(shift as u32), mb)
    } else {
        (ma, mb * pow10((-shift) as u32))
    };
    let (q, r) = (&num / &den, &num % &den);
    let twice_r: BigInt = r.abs() * 2;
    let q = if twice_r >= den.abs() {
        if (num.sign() == Sign::Minus) != (den.sign() == Sign::Minus) {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    };
    BigDecimal::new(q, rscale)
}

/// Truncating integer division and remainder for `numeric % numeric`.
pub fn modulo(a: &BigDecimal, b: &BigDecimal) -> Result<BigDecimal> {
    if b.is_zero() {
        return Err(errinput!(sqlstate::DIVISION_BY_ZERO, "division by zero"));
    }
    let quotient = divide_to_scale(a, b, 0);
    // divide_to_scale rounds; PostgreSQL's mod truncates toward zero.
    let mut q = quotient;
    let product = &q * b;
    if (product.abs()) > a.abs() {
        q -= if (a.sign() == Sign::Minus) != (b.sign() == Sign::Minus) {
            -1
        } else {
            1
        };
    }
    Ok(a - &q * b)
}

fn pow10(n: u32) -> BigInt {
    BigInt::from(10u32).pow(n)
}

/// The BigDecimal for a finite float, with the 15 (float8) or 6 (float4)
/// significant digits PostgreSQL uses for float-to-numeric casts.
pub fn from_float(f: f64, significant_digits: usize) -> Result<BigDecimal> {
    if !f.is_finite() {
        return Err(errinput!(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "cannot convert infinity or NaN to numeric"
        ));
    }
    let text = format!("{:.*e}", significant_digits - 1, f);
    let d: BigDecimal = text
        .parse()
        .map_err(|_| errinput!(sqlstate::INTERNAL_ERROR, "bad float"))?;
    let d = d.normalized();
    Ok(if d.fractional_digit_count() < 0 {
        d.with_scale(0)
    } else {
        d
    })
}

/// The float value of a numeric.
pub fn to_f64(d: &BigDecimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

/// Encodes PostgreSQL's binary numeric: ndigits, weight, sign, dscale, digits.
pub fn to_binary(d: &BigDecimal, out: &mut Vec<u8>) {
    let (digits, scale) = d.as_bigint_and_exponent();
    let dscale = scale.max(0);
    let negative = digits.sign() == Sign::Minus;
    let mut text = digits.magnitude().to_string();
    if scale < 0 {
        text.extend(std::iter::repeat_n('0', (-scale) as usize));
    }
    let dscale_usize = dscale as usize;
    if text.len() <= dscale_usize {
        text = format!("{}{}", "0".repeat(dscale_usize - text.len() + 1), text);
    }
    let (int_part, frac_part) = text.split_at(text.len() - dscale_usize);
    // Pad the integer part on the left and the fraction on the right to groups of 4.
    let int_pad = (4 - int_part.len() % 4) % 4;
    let frac_pad = (4 - frac_part.len() % 4) % 4;
    let int_s = format!("{}{}", "0".repeat(int_pad), int_part);
    let frac_s = format!("{}{}", frac_part, "0".repeat(frac_pad));
    let mut groups: Vec<u16> = Vec::new();
    for chunk in int_s
        .as_bytes()
        .chunks(4)
        .chain(frac_s.as_bytes().chunks(4))
    {
        groups.push(
            std::str::from_utf8(chunk)
                .unwrap_or("0")
                .parse()
                .unwrap_or(0),
        );
    }
    let mut weight = (int_s.len() / 4) as i32 - 1;
    // Strip leading and trailing zero groups.
    while groups.first() == Some(&0) {
        groups.remove(0);
        weight -= 1;
    }
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    out.extend_from_slice(&(groups.len() as i16).to_be_bytes());
    out.extend_from_slice(&(weight as i16).to_be_bytes());
    out.extend_from_slice(&(if negative { 0x4000u16 } else { 0 }).to_be_bytes());
    out.extend_from_slice(&(dscale as u16).to_be_bytes());
    for g in groups {
        out.extend_from_slice(&g.to_be_bytes());
    }
}

/// PostgreSQL's binary numeric of a special value (NaN 0xC000, Infinity
/// 0xD000, -Infinity 0xF000 in the sign word).
pub fn special_to_binary(s: Special, out: &mut Vec<u8>) {
    let sign: u16 = match s {
        Special::NaN => 0xC000,
        Special::PosInf => 0xD000,
        Special::NegInf => 0xF000,
    };
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
}

/// Decodes a binary numeric, special values included.
pub fn value_from_binary(buf: &[u8]) -> Result<crate::types::Value> {
    if buf.len() == 8 {
        let special = match u16::from_be_bytes([buf[4], buf[5]]) {
            0xC000 => Some(Special::NaN),
            0xD000 => Some(Special::PosInf),
            0xF000 => Some(Special::NegInf),
            _ => None,
        };
        if let Some(s) = special {
            return Ok(crate::types::Value::NumericSpecial(s));
        }
    }
    from_binary(buf).map(crate::types::Value::Numeric)
}

/// Parses numeric text input, special values included.
pub fn parse_value(text: &str) -> Result<crate::types::Value> {
    match Special::parse(text) {
        Some(s) => Ok(crate::types::Value::NumericSpecial(s)),
        None => parse(text).map(crate::types::Value::Numeric),
    }
}

/// Decodes PostgreSQL's binary numeric.
pub fn from_binary(buf: &[u8]) -> Result<BigDecimal> {
    let bad = || {
        errinput!(
            sqlstate::INVALID_BINARY_REPRESENTATION,
            "invalid binary numeric value"
        )
    };
    if buf.len() < 8 {
        return Err(bad());
    }
    let ndigits = i16::from_be_bytes([buf[0], buf[1]]);
    let weight = i16::from_be_bytes([buf[2], buf[3]]) as i64;
    let sign = u16::from_be_bytes([buf[4], buf[5]]);
    let dscale = u16::from_be_bytes([buf[6], buf[7]]) as i64;
    if ndigits < 0 || buf.len() != 8 + ndigits as usize * 2 || dscale > 16383 {
        return Err(bad());
    }
    if sign == 0xC000 {
        return Err(errinput!(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "numeric NaN is not supported"
        ));
    }
    if sign != 0 && sign != 0x4000 {
        return Err(bad());
    }
    let mut mantissa = BigInt::zero();
    for i in 0..ndigits as usize {
        let g = u16::from_be_bytes([buf[8 + 2 * i], buf[9 + 2 * i]]);
        if g >= 10000 {
            return Err(bad());
        }
        mantissa = mantissa * 10000 + g;
    }
    if sign == 0x4000 {
        mantissa = -mantissa;
    }
    // value = mantissa * 10000^(weight - ndigits + 1)
    let exp4 = weight - ndigits as i64 + 1;
    let value = BigDecimal::new(mantissa, -exp4 * 4);
    Ok(value.with_scale_round(dscale, RoundingMode::HalfUp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> BigDecimal {
        parse(s).unwrap()
    }

    #[test]
    fn division_scale_matches_postgres() {
        assert_eq!(
            format(&divide(&d("1"), &d("3")).unwrap()),
            "0.33333333333333333333"
        );
        assert_eq!(
            format(&divide(&d("3"), &d("2")).unwrap()),
            "1.5000000000000000"
        );
        assert_eq!(
            format(&divide(&d("10"), &d("4")).unwrap()),
            "2.5000000000000000"
        );
        assert_eq!(
            format(&divide(&d("100"), &d("7")).unwrap()),
            "14.2857142857142857"
        );
        assert_eq!(
            format(&divide(&d("-2"), &d("3")).unwrap()),
            "-0.66666666666666666667"
        );
    }

    #[test]
    fn typmod_rounds_and_overflows() {
        assert_eq!(format(&apply_typmod(&d("1.005"), 5, 2).unwrap()), "1.01");
        assert_eq!(format(&apply_typmod(&d("-1.005"), 5, 2).unwrap()), "-1.01");
        assert!(apply_typmod(&d("1000"), 5, 2).is_err());
    }

    #[test]
    fn binary_round_trip() {
        for s in [
            "0",
            "1",
            "-1.50",
            "12345.6789",
            "0.0001",
            "100000000",
            "3.14159265358979",
        ] {
            let mut buf = Vec::new();
            to_binary(&d(s), &mut buf);
            assert_eq!(format(&from_binary(&buf).unwrap()), format(&d(s)), "{s}");
        }
    }

    #[test]
    fn modulo_truncates() {
        assert_eq!(format(&modulo(&d("7.5"), &d("2")).unwrap()), "1.5");
        assert_eq!(format(&modulo(&d("-7"), &d("3")).unwrap()), "-1");
    }
}
