//! `to_char` of numbers by PostgreSQL's numeric template patterns: `9`
//! (a digit, blank when a leading zero), `0` (a digit, always), `.`/`D`
//! (the decimal point), `,`/`G` (a group separator, blank before the first
//! digit), `S`, `MI`, `PR` (where the sign goes), `FM` (no padding, no
//! trailing zeros from `9`s), `L` (the currency symbol: a blank in the C
//! locale), `V` (shift by the `9`s after it), `EEEE` (scientific notation)
//! and `RN` (Roman numerals); `#` everywhere when the number does not fit.

use bigdecimal::{BigDecimal, RoundingMode, Signed, Zero};

/// One element of a numeric template.
#[derive(Clone, Copy, PartialEq)]
enum Item {
    Nine,
    Zero,
    Point,
    Group,
    Sign,
    Minus,
    Brackets,
    Literal(char),
}

fn template(fmt: &str) -> (Vec<Item>, bool) {
    let mut items = Vec::new();
    let mut fill = false;
    let upper = fmt.to_ascii_uppercase();
    let mut i = 0;
    let bytes = upper.as_bytes();
    while i < bytes.len() {
        let rest = &upper[i..];
        let (item, len) = if rest.starts_with("FM") {
            fill = true;
            i += 2;
            continue;
        } else if rest.starts_with("MI") {
            (Item::Minus, 2)
        } else if rest.starts_with("PR") {
            (Item::Brackets, 2)
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            let item = match c {
                '9' => Item::Nine,
                '0' => Item::Zero,
                '.' | 'D' => Item::Point,
                ',' | 'G' => Item::Group,
                'S' => Item::Sign,
                // The currency symbol, which is empty in the C locale.
                'L' => Item::Literal(' '),
                _ => Item::Literal(fmt[i..].chars().next().unwrap_or(c)),
            };
            (item, c.len_utf8())
        };
        items.push(item);
        i += len;
    }
    (items, fill)
}

/// `to_char(number, template)`; floats round half to even (as C's
/// printf does for them), numerics half away from zero.
pub fn format(value: &BigDecimal, fmt: &str, float: bool) -> String {
    let upper = fmt.to_ascii_uppercase();
    let fill = upper.contains("FM");
    let rounding = if float {
        RoundingMode::HalfEven
    } else {
        RoundingMode::HalfUp
    };
    if let Some(at) = upper.find("RN") {
        let lower = fmt.as_bytes()[at] == b'r';
        return roman(value, fill, lower, rounding);
    }
    if let Some(at) = upper.find("EEEE") {
        return scientific(value, &fmt[..at], fill, float);
    }
    if let Some(at) = upper.find('V') {
        // V: the 9s after it become integer digits of value · 10^n.
        let n = upper[at + 1..]
            .chars()
            .filter(|c| matches!(c, '9' | '0'))
            .count();
        let shifted = value * BigDecimal::from(10u64.pow(n as u32));
        let without = format!("{}{}", &fmt[..at], &fmt[at + 1..]);
        return positional(&shifted, &without, rounding);
    }
    positional(value, fmt, rounding)
}

/// RN: Roman numerals, right-aligned in 15 places (1 to 3999, else `#`s).
fn roman(value: &BigDecimal, fill: bool, lower: bool, rounding: RoundingMode) -> String {
    use bigdecimal::ToPrimitive;
    let n = value.with_scale_round(0, rounding).to_i64().unwrap_or(0);
    if !(1..=3999).contains(&n) {
        return "#".repeat(15);
    }
    const PARTS: [(i64, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut rest = n;
    let mut out = String::new();
    for (v, s) in PARTS {
        while rest >= v {
            out.push_str(s);
            rest -= v;
        }
    }
    if lower {
        out = out.to_ascii_lowercase();
    }
    if fill {
        out
    } else {
        format!("{out:>15}")
    }
}

/// EEEE: one digit, the template's fraction digits, `e`, a signed
/// exponent of at least two digits.
fn scientific(value: &BigDecimal, mantissa_fmt: &str, fill: bool, float: bool) -> String {
    let rounding = if float {
        RoundingMode::HalfEven
    } else {
        RoundingMode::HalfUp
    };
    let frac = mantissa_fmt
        .split_once(['.', 'D', 'd'])
        .map_or(0, |(_, f)| {
            f.chars().filter(|c| matches!(c, '9' | '0')).count()
        }) as i64;
    let negative = value.is_negative();
    let abs = value.abs();
    let (mut mantissa, mut exp) = if abs.is_zero() {
        (BigDecimal::from(0), 0i64)
    } else {
        let (digits, scale) = abs.as_bigint_and_exponent();
        let exp = digits.to_string().len() as i64 - scale - 1;
        (&abs / BigDecimal::new(1.into(), -exp), exp)
    };
    mantissa = mantissa.with_scale_round(frac, rounding);
    // A float goes through printf's %e, which carries into the exponent;
    // a numeric keeps the mantissa 10 (PostgreSQL prints 10.00e+00).
    if float && mantissa >= 10 {
        mantissa = (mantissa / BigDecimal::from(10)).with_scale_round(frac, rounding);
        exp += 1;
    }
    let sign = if negative {
        "-"
    } else if fill {
        ""
    } else {
        " "
    };
    let exp_sign = if exp < 0 { '-' } else { '+' };
    let mantissa = super::numeric::format(&mantissa);
    format!("{sign}{mantissa}e{exp_sign}{:02}", exp.abs())
}

fn positional(value: &BigDecimal, fmt: &str, rounding: RoundingMode) -> String {
    let (items, fill) = template(fmt);
    let point = items.iter().position(|i| *i == Item::Point);
    let digit = |i: &Item| matches!(i, Item::Nine | Item::Zero);
    let int_items = &items[..point.unwrap_or(items.len())];
    let frac_items: &[Item] = match point {
        Some(p) => &items[p + 1..],
        None => &[],
    };
    let int_count = int_items.iter().filter(|i| digit(i)).count();
    let frac_count = frac_items.iter().filter(|i| digit(i)).count();
    let negative = value.is_negative();
    let rounded = value.abs().with_scale_round(frac_count as i64, rounding);
    let text = rounded.to_string();
    let (int_text, frac_text) = text.split_once('.').unwrap_or((&text, ""));
    let int_digits = int_text.trim_start_matches('0');
    let overflow = int_digits.len() > int_count;
    let first_zero = int_items
        .iter()
        .filter(|i| digit(i))
        .position(|i| *i == Item::Zero)
        .unwrap_or(int_count);

    // The integer part, right-aligned into its digit places.
    let mut body = String::new();
    let mut place = 0;
    let mut started = false;
    for item in int_items {
        match item {
            Item::Nine | Item::Zero => {
                let from_end = int_count - place;
                let c = if overflow {
                    '#'
                } else if from_end <= int_digits.len() {
                    int_digits.as_bytes()[int_digits.len() - from_end] as char
                } else if place >= first_zero || (from_end == 1 && point.is_none()) {
                    '0'
                } else {
                    ' '
                };
                started |= c != ' ';
                body.push(c);
                place += 1;
            }
            Item::Group => body.push(if started { ',' } else { ' ' }),
            Item::Literal(c) => body.push(*c),
            _ => {}
        }
    }
    // The fraction, without FM's trailing zeros from `9` places.
    let mut fraction: Vec<char> = Vec::new();
    let mut digits = frac_text.chars();
    let mut kinds = Vec::new();
    for item in frac_items {
        match item {
            Item::Nine | Item::Zero => {
                fraction.push(if overflow {
                    '#'
                } else {
                    digits.next().unwrap_or('0')
                });
                kinds.push(*item);
            }
            Item::Literal(c) => {
                fraction.push(*c);
                kinds.push(*item);
            }
            _ => {}
        }
    }
    if fill {
        while kinds.last() == Some(&Item::Nine) && fraction.last() == Some(&'0') {
            fraction.pop();
            kinds.pop();
        }
    }
    if point.is_some() && !(fill && fraction.is_empty()) {
        body.push('.');
    }
    body.extend(fraction);

    let sign_at = |body: &str| body.find(|c| c != ' ').unwrap_or(body.len());
    let has = |x: Item| items.contains(&x);
    let mut out = if fill {
        body.trim_start().to_string()
    } else {
        body
    };
    if has(Item::Brackets) {
        let at = sign_at(&out);
        out.insert(at, if negative { '<' } else { ' ' });
        out.push(if negative { '>' } else { ' ' });
    } else if has(Item::Minus) {
        out.push(if negative { '-' } else { ' ' });
    } else if has(Item::Sign) {
        let at = sign_at(&out);
        out.insert(at, if negative { '-' } else { '+' });
    } else if negative || !fill {
        let at = sign_at(&out);
        out.insert(at, if negative { '-' } else { ' ' });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn prints_like_postgres() {
        let cases = [
            ("123.45", "999.99", " 123.45"),
            ("-123.45", "999.99", "-123.45"),
            ("1234", "9,999", " 1,234"),
            ("5", "000", " 005"),
            ("12345", "999", " ###"),
            ("123.4", "FM999.99", "123.4"),
            ("0.5", "9.99", "  .50"),
            ("0.5", "0.99", " 0.50"),
            ("-5", "999", "  -5"),
            ("5", "999", "   5"),
            ("-5", "000", "-005"),
            ("123.4", "FM999.990", "123.400"),
            ("5", "FM999.", "5"),
            ("1234567.891", "FM9,999,999.00", "1,234,567.89"),
            ("-0.1", "FM990.00", "-0.10"),
            ("42", "S999", " +42"),
            ("-42", "999MI", " 42-"),
            ("-42", "999PR", " <42>"),
            ("42", "999PR", "  42 "),
            ("1.5", "9D9", " 1.5"),
            ("1234", "9G999", " 1,234"),
            ("-1234.5", "FM9,999.0", "-1,234.5"),
            ("0", "999", "   0"),
            ("0", "FM999", "0"),
            ("0", "990.00", "   0.00"),
            ("12.345", "99.9", " 12.3"),
            ("99.99", "99.9", " ##.#"),
        ];
        for (n, fmt, want) in cases {
            assert_eq!(
                format(&BigDecimal::from_str(n).unwrap(), fmt, false),
                want,
                "{n} {fmt}"
            );
        }
    }
}
