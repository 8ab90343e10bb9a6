//! Logarithms, exponentials and trigonometry: `ln`, `log`, `log10`, `exp`,
//! `cbrt`, `pi`, `degrees`, `radians`, `sin` … `atan2`, the hyperbolic
//! functions. float8 arguments use the platform's libm with PostgreSQL's
//! range errors; numeric `ln`, `log` and `exp` compute in fixed point to
//! the result scale PostgreSQL picks (at least 16 significant digits).

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::{BigDecimal, Signed, ToPrimitive, Zero};

use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::{BitwiseOp, Function, MathFunction as M};
use crate::types::{numeric, Value};

/// Evaluates a math function on non-NULL arguments, or None if `func` is
/// not one.
pub fn call(func: Function, v: &[Value]) -> Result<Option<Value>> {
    if let Function::Bitwise(op) = func {
        return Ok(Some(bitwise(op, &v[0], &v[1])));
    }
    let Function::Math(f) = func else {
        return Ok(None);
    };
    Ok(Some(match (f, v) {
        (M::Pi, _) => Value::Float8(std::f64::consts::PI),
        (M::Ln, [Value::Numeric(d)]) => Value::Numeric(ln_numeric(d)?),
        (M::Log10, [Value::Numeric(d)]) => Value::Numeric(log_numeric(&BigDecimal::from(10), d)?),
        (M::Log, [Value::Numeric(b), Value::Numeric(d)]) => Value::Numeric(log_numeric(b, d)?),
        (M::Exp, [Value::Numeric(d)]) => Value::Numeric(exp_numeric(d)?),
        (M::Atan2, [Value::Float8(y), Value::Float8(x)]) => Value::Float8(y.atan2(*x)),
        (f, [Value::Float8(x)]) => Value::Float8(float(f, *x)?),
        _ => Value::Null,
    }))
}

/// `& | # << >>` on two integers of the result's type (the shift count
/// an int4); shifts wrap within the type's width, as in C.
fn bitwise(op: BitwiseOp, a: &Value, b: &Value) -> Value {
    let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) else {
        return Value::Null;
    };
    let bits = match a {
        Value::Int2(_) => 16,
        Value::Int4(_) => 32,
        _ => 64,
    };
    let r = match op {
        BitwiseOp::And => x & y,
        BitwiseOp::Or => x | y,
        BitwiseOp::Xor => x ^ y,
        // Shifts by the count modulo the width (x86's behaviour, which
        // PostgreSQL's C shifts get).
        BitwiseOp::ShiftLeft | BitwiseOp::ShiftRight => {
            let n = (y as u32) % bits.max(32);
            match (op, bits) {
                (BitwiseOp::ShiftLeft, 16) => ((x as i32) << n) as i16 as i64,
                (BitwiseOp::ShiftLeft, 32) => ((x as i32).wrapping_shl(n)) as i64,
                (BitwiseOp::ShiftLeft, _) => x.wrapping_shl(n),
                (_, 16 | 32) => ((x as i32).wrapping_shr(n)) as i64,
                _ => x.wrapping_shr(n),
            }
        }
    };
    match a {
        Value::Int2(_) => Value::Int2(r as i16),
        Value::Int4(_) => Value::Int4(r as i32),
        _ => Value::Int8(r),
    }
}

fn out_of_range() -> crate::error::Error {
    errinput!(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        "input is out of range"
    )
}

fn overflow() -> crate::error::Error {
    errinput!(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        "value out of range: overflow"
    )
}

fn log_of_zero() -> crate::error::Error {
    errinput!(
        sqlstate::INVALID_ARGUMENT_FOR_LOG,
        "cannot take logarithm of zero"
    )
}

fn log_of_negative() -> crate::error::Error {
    errinput!(
        sqlstate::INVALID_ARGUMENT_FOR_LOG,
        "cannot take logarithm of a negative number"
    )
}

fn float(f: M, x: f64) -> Result<f64> {
    let r = match f {
        M::Ln | M::Log10 => {
            if x == 0.0 {
                return Err(log_of_zero());
            }
            if x < 0.0 {
                return Err(log_of_negative());
            }
            if f == M::Ln {
                x.ln()
            } else {
                x.log10()
            }
        }
        M::Exp => {
            let r = x.exp();
            if r.is_infinite() && x.is_finite() {
                return Err(overflow());
            }
            if r == 0.0 && x.is_finite() {
                return Err(errinput!(
                    sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                    "value out of range: underflow"
                ));
            }
            r
        }
        M::Cbrt => cbrt(x),
        M::Degrees => x.to_degrees(),
        M::Radians => x.to_radians(),
        M::Sin | M::Cos | M::Tan | M::Cot if x.is_infinite() => return Err(out_of_range()),
        M::Sin => x.sin(),
        M::Cos => x.cos(),
        M::Tan => x.tan(),
        M::Cot => 1.0 / x.tan(),
        M::Asin | M::Acos if !(-1.0..=1.0).contains(&x) => return Err(out_of_range()),
        M::Asin => x.asin(),
        M::Acos => x.acos(),
        M::Atan => x.atan(),
        M::Sinh => x.sinh(),
        M::Cosh => x.cosh(),
        M::Tanh => x.tanh(),
        M::Pi | M::Log | M::Atan2 => return Err(crate::errinternal!("{f:?} on one float")),
    };
    Ok(r)
}

/// glibc's cube root (`sysdeps/ieee754/dbl-64/s_cbrt.c`), which
/// PostgreSQL calls: a polynomial guess and one rational Newton step, so
/// `cbrt(27)` is 3.0000000000000004 there, and here too.
// The constants are glibc's, digit for digit.
#[allow(clippy::excessive_precision)]
fn cbrt(x: f64) -> f64 {
    const CBRT2: f64 = 1.2599210498948731648;
    const SQR_CBRT2: f64 = 1.5874010519681994748;
    const FACTOR: [f64; 5] = [1.0 / SQR_CBRT2, 1.0 / CBRT2, 1.0, CBRT2, SQR_CBRT2];
    if x == 0.0 || !x.is_finite() {
        return x + x;
    }
    let (xm, xe) = frexp(x.abs());
    let u = 0.354895765043919860
        + ((1.50819193781584896
            + ((-2.11499494167371287
                + ((2.44693122563534430
                    + ((-1.83469277483613086
                        + (0.784932344976639262 - 0.145263899385486377 * xm) * xm)
                        * xm))
                    * xm))
                * xm))
            * xm);
    let t2 = u * u * u;
    let ym = u * (t2 + 2.0 * xm) / (2.0 * t2 + xm) * FACTOR[(2 + xe % 3) as usize];
    ldexp(if x > 0.0 { ym } else { -ym }, xe / 3)
}

/// x = m·2^e with 0.5 ≤ m < 1 (finite, non-zero x ≥ 0).
fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale up first.
        let (m, e) = frexp(x * 2f64.powi(64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp - 1022)
}

fn ldexp(x: f64, e: i32) -> f64 {
    x * 2f64.powi(e)
}

/// Smallest and largest display scales PostgreSQL gives these results.
const MIN_SIG_DIGITS: i64 = 16;
const MAX_SCALE: i64 = 1000;
/// Digits computed beyond the result scale.
const GUARD: i64 = 30;

/// PostgreSQL's estimate of the decimal weight of ln(x), x > 0
/// (`estimate_ln_dweight`), which sets the result scale.
fn ln_dweight(x: &BigDecimal) -> i64 {
    let near_one = x >= &BigDecimal::new(9.into(), 1) && x <= &BigDecimal::new(11.into(), 1);
    if near_one {
        let d = x - BigDecimal::from(1);
        if d.is_zero() {
            return 0;
        }
        return decimal_weight(&d);
    }
    let l = match x.to_f64().filter(|f| f.is_normal()) {
        Some(f) => f.ln(),
        // Beyond a double: digits · 10^exponent.
        None => (decimal_weight(x) + 1) as f64 * std::f64::consts::LN_10,
    };
    if l == 0.0 || !l.is_finite() {
        0
    } else {
        l.abs().log10() as i64
    }
}

/// The decimal weight of a non-zero number: the power of ten of its first
/// digit, as PostgreSQL derives it from base-10000 digits.
fn decimal_weight(d: &BigDecimal) -> i64 {
    let (digits, scale) = d.abs().as_bigint_and_exponent();
    digits.to_string().len() as i64 - scale - 1
}

fn display_scale(d: &BigDecimal) -> i64 {
    d.fractional_digit_count().max(0)
}

/// `ln(numeric)`.
fn ln_numeric(x: &BigDecimal) -> Result<BigDecimal> {
    check_log_argument(x)?;
    let rscale = (MIN_SIG_DIGITS - ln_dweight(x))
        .max(display_scale(x))
        .clamp(0, MAX_SCALE);
    let s = rscale + GUARD;
    Ok(numeric::round(&BigDecimal::new(ln_fixed(x, s), s), rscale))
}

/// `log(base, x)` for numerics (and `log(x)`, `log10(x)` with base 10).
fn log_numeric(base: &BigDecimal, x: &BigDecimal) -> Result<BigDecimal> {
    check_log_argument(base)?;
    check_log_argument(x)?;
    let result_dweight = ln_dweight(x) - ln_dweight(base);
    let rscale = (MIN_SIG_DIGITS - result_dweight)
        .max(display_scale(base))
        .max(display_scale(x))
        .clamp(0, MAX_SCALE);
    let s = rscale + GUARD + 10;
    let ln_base = ln_fixed(base, s);
    if ln_base.is_zero() {
        return Err(errinput!(sqlstate::DIVISION_BY_ZERO, "division by zero"));
    }
    let ln_x = ln_fixed(x, s);
    let q = ln_x * BigInt::from(10).pow((rscale + 1) as u32) / ln_base;
    Ok(numeric::round(&BigDecimal::new(q, rscale + 1), rscale))
}

fn check_log_argument(x: &BigDecimal) -> Result<()> {
    if x.is_zero() {
        return Err(log_of_zero());
    }
    if x.is_negative() {
        return Err(log_of_negative());
    }
    Ok(())
}

/// ln(x), x > 0, as an integer scaled by 10^scale (the last few digits
/// uncertain): x = m·10^k with 1 ≤ m < 10, ln m by square roots down to
/// near 1 and the atanh series, plus k·ln 10.
fn ln_fixed(x: &BigDecimal, scale: i64) -> BigInt {
    let k = decimal_weight(x);
    let m = if k >= 0 {
        x / BigDecimal::from(BigInt::from(10).pow(k as u32))
    } else {
        x * BigDecimal::from(BigInt::from(10).pow((-k) as u32))
    };
    let s = scale + 10;
    let mut sum = ln_near(&to_fixed(&m, s), s);
    if k != 0 {
        let ln10 = ln_near(&to_fixed(&BigDecimal::from(10), s), s);
        sum += ln10 * BigInt::from(k);
    }
    sum / BigInt::from(10).pow(10)
}

/// A number as an integer scaled by 10^s (truncated).
fn to_fixed(x: &BigDecimal, s: i64) -> BigInt {
    let (digits, scale) = x.as_bigint_and_exponent();
    let shift = s - scale;
    if shift >= 0 {
        digits * BigInt::from(10).pow(shift as u32)
    } else {
        digits / BigInt::from(10).pow((-shift) as u32)
    }
}

/// ln of a fixed-point number (scale s), 0.1 ≤ x ≤ 10.
fn ln_near(x: &BigInt, s: i64) -> BigInt {
    let one = BigInt::from(10).pow(s as u32);
    let hi = &one + &one / 100;
    let lo = &one - &one / 100;
    let mut x = x.clone();
    let mut halvings = 0u32;
    while x > hi || x < lo {
        x = (&x * &one).sqrt();
        halvings += 1;
    }
    // ln x = 2 atanh z, z = (x - 1) / (x + 1).
    let z = (&x - &one) * &one / (&x + &one);
    let z2 = &z * &z / &one;
    let mut term = z.clone();
    let mut sum = z;
    let mut i = 1u32;
    loop {
        term = term * &z2 / &one;
        let t = &term / BigInt::from(2 * i + 1);
        if t.is_zero() {
            break;
        }
        sum += t;
        i += 1;
    }
    sum << (halvings + 1)
}

/// `power(numeric, numeric)` and numeric `^`: exact for an integer
/// exponent (rounded to at least 16 decimals), else exp(y · ln x) to the
/// scale of its result's first 16 significant digits.
pub fn power_numeric(x: &BigDecimal, y: &BigDecimal) -> Result<BigDecimal> {
    let complex = || {
        errinput!(
            sqlstate::INVALID_ARGUMENT_FOR_POWER,
            "a negative number raised to a non-integer power yields a complex result"
        )
    };
    if x.is_zero() && y.is_negative() {
        return Err(errinput!(
            sqlstate::INVALID_ARGUMENT_FOR_POWER,
            "zero raised to a negative power is undefined"
        ));
    }
    let overflows = || {
        errinput!(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "value overflows numeric format"
        )
    };
    let whole = y.with_scale_round(0, bigdecimal::RoundingMode::Down);
    if &whole == y {
        let rscale = MIN_SIG_DIGITS.max(display_scale(x)).clamp(0, MAX_SCALE);
        let n = whole
            .to_i64()
            .filter(|n| n.unsigned_abs() <= i32::MAX as u64)
            .ok_or_else(overflows)?;
        if x.is_zero() {
            let one_or_zero = if n == 0 { 1 } else { 0 };
            return Ok(BigDecimal::from(one_or_zero).with_scale(rscale));
        }
        // The result's decimal weight, roughly.
        let log10 = x
            .abs()
            .to_f64()
            .filter(|f| f.is_normal())
            .map_or(decimal_weight(x) as f64, f64::log10);
        let magnitude = log10 * n as f64;
        if magnitude > 131_072.0 {
            return Err(overflows());
        }
        if magnitude < -(rscale as f64 + 10.0) {
            return Ok(BigDecimal::zero().with_scale(rscale));
        }
        let (digits, scale) = x.as_bigint_and_exponent();
        let e = n.unsigned_abs() as u32;
        // The exact power would have too many digits (1.0000001 ^
        // 1000000000): exp(n · ln |x|) to the result scale instead.
        if digits.to_string().len() as u64 * e as u64 > 200_000 {
            let s = rscale + GUARD + (magnitude.max(0.0) as i64) + 10;
            let product = ln_fixed(&x.abs(), s) * BigInt::from(n);
            let mut r = exp_fixed(&product.abs(), s);
            if product.is_negative() {
                r = BigInt::from(10).pow(2 * s as u32) / r;
            }
            if x.is_negative() && n % 2 != 0 {
                r = -r;
            }
            return Ok(numeric::round(&BigDecimal::new(r, s), rscale));
        }
        let (d, s) = (digits.pow(e), scale * e as i64);
        let r = if n >= 0 {
            BigDecimal::new(d, s)
        } else {
            // 1 / (d / 10^s) to rscale + 1 decimals.
            let shift = s + rscale + 1;
            let q = if shift >= 0 {
                BigInt::from(10).pow(shift as u32) / d
            } else {
                BigInt::zero()
            };
            BigDecimal::new(q, rscale + 1)
        };
        return Ok(numeric::round(&r, rscale));
    }
    if x.is_negative() {
        return Err(complex());
    }
    let rscale_of = |dweight: i64| {
        (MIN_SIG_DIGITS - dweight)
            .max(display_scale(x))
            .max(display_scale(y))
            .clamp(0, MAX_SCALE)
    };
    if x.is_zero() {
        return Ok(BigDecimal::zero().with_scale(rscale_of(0)));
    }
    let approx = x.to_f64().map_or(f64::INFINITY, f64::ln) * y.to_f64().unwrap_or(f64::INFINITY);
    if !approx.is_finite() || approx > 300_000.0 {
        return Err(overflows());
    }
    let dweight = approx * std::f64::consts::LOG10_E;
    let rscale = rscale_of(dweight as i64);
    let s = rscale + GUARD + (dweight.max(0.0) as i64) + 10;
    // y · ln x in fixed point at scale s.
    // (Not an integer, so y has digits after the point: y_scale > 0.)
    let (y_digits, y_scale) = y.as_bigint_and_exponent();
    let y_scale = y_scale.max(0);
    let product = ln_fixed(x, s) * y_digits / BigInt::from(10).pow(y_scale as u32);
    let mut r = exp_fixed(&product.abs(), s);
    if product.is_negative() {
        r = BigInt::from(10).pow(2 * s as u32) / r;
    }
    Ok(numeric::round(&BigDecimal::new(r, s), rscale))
}

/// `exp(numeric)`.
fn exp_numeric(x: &BigDecimal) -> Result<BigDecimal> {
    let approx = x.to_f64().unwrap_or(f64::INFINITY);
    // numeric's limits: about 10^131072 before the point.
    if approx > 300_000.0 {
        return Err(errinput!(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "value overflows numeric format"
        ));
    }
    let dweight = (approx * std::f64::consts::LOG10_E).clamp(-(MAX_SCALE as f64), MAX_SCALE as f64);
    let rscale = (MIN_SIG_DIGITS - dweight as i64)
        .max(display_scale(x))
        .clamp(0, MAX_SCALE);
    if approx < -2.0 * MAX_SCALE as f64 * std::f64::consts::LN_10 {
        return Ok(BigDecimal::zero().with_scale(rscale));
    }
    // Enough digits for the integer part too (exp grows fast).
    let s = rscale + GUARD + (dweight.max(0.0) as i64);
    let mut r = exp_fixed(&to_fixed(&x.abs(), s), s);
    if x.is_negative() {
        r = BigInt::from(10).pow(2 * s as u32) / r;
    }
    Ok(numeric::round(&BigDecimal::new(r, s), rscale))
}

/// e^x for a fixed-point x ≥ 0 (scale s): the Taylor series of x / 2^k,
/// squared k times.
fn exp_fixed(x: &BigInt, s: i64) -> BigInt {
    let one = BigInt::from(10).pow(s as u32);
    let small = &one / 100;
    let mut k = 0u32;
    let mut r = x.clone();
    while r > small {
        r >>= 1;
        k += 1;
    }
    let mut sum = one.clone();
    let mut term = one.clone();
    let mut i = 1u32;
    loop {
        term = term * &r / &one / BigInt::from(i);
        if term.sign() == Sign::NoSign {
            break;
        }
        sum += &term;
        i += 1;
    }
    for _ in 0..k {
        sum = &sum * &sum / &one;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn n(s: &str) -> BigDecimal {
        BigDecimal::from_str(s).unwrap()
    }

    #[test]
    fn cube_roots_are_glibcs() {
        // Each pair as glibc 2.36 gives it.
        for (x, want) in [
            (27.0, 3.0000000000000004),
            (2.0, 1.2599210498948734),
            (3.0, 1.4422495703074083),
            (5.0, 1.7099759466766968),
            (0.001, 0.1),
            (1e300, 1e100),
            (123.456, 4.979327984674049),
            (7.0, 1.9129311827723894),
            (0.3, 0.6694329500821694),
            (64.0, 4.0),
            (1e-310, 4.641588833612775e-104),
            (9.99, 2.153716305620496),
            (-8.0, -2.0),
        ] {
            assert_eq!(cbrt(x), want, "cbrt({x})");
        }
    }

    #[test]
    fn numeric_results_match_postgresql() {
        assert_eq!(
            ln_numeric(&n("2.0")).unwrap().to_string(),
            "0.6931471805599453"
        );
        assert_eq!(
            exp_numeric(&n("1.0")).unwrap().to_string(),
            "2.7182818284590452"
        );
        assert_eq!(
            log_numeric(&n("10"), &n("100.0")).unwrap().to_string(),
            "2.0000000000000000"
        );
        assert_eq!(
            exp_numeric(&n("100")).unwrap().to_string(),
            "26881171418161354484126255515800135873611119"
        );
        let power = |x: &str, y: &str| numeric::format(&power_numeric(&n(x), &n(y)).unwrap());
        assert_eq!(power("2", "10"), "1024.0000000000000000");
        assert_eq!(power("2", "-2"), "0.2500000000000000");
        assert_eq!(power("1.5", "0.5"), "1.2247448713915890");
        assert_eq!(power("123.456", "1.5"), "1371.7289437796434");
        assert_eq!(power("0.1", "20"), "0.0000000000000000");
        assert_eq!(power("-8", "3"), "-512.0000000000000000");
        assert_eq!(power("0", "0"), "1.0000000000000000");
        assert_eq!(power("9", "0.5"), "3.0000000000000000");
        // Too many digits to raise exactly; PostgreSQL's figures.
        assert_eq!(power("1.0000001", "10000000"), "2.7182816925449663");
        assert_eq!(power("-1.0000001", "10000001"), "-2.7182819643731355");
    }
}
