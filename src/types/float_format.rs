//! PostgreSQL's float output (`float4out`/`float8out` with the default
//! `extra_float_digits = 1`): the shortest digits that round-trip, printed
//! in fixed notation when the decimal exponent is in `[-4, DIG)` and as
//! `d.ddde±XX` otherwise (DIG is 15 for float8 and 6 for float4).

/// Formats a float8 like PostgreSQL.
pub fn format_f64(v: f64) -> String {
    if let Some(special) = special(v) {
        return special.to_string();
    }
    layout(&format!("{v:e}"), 15)
}

/// Formats a float4 like PostgreSQL.
pub fn format_f32(v: f32) -> String {
    if let Some(special) = special(v as f64) {
        return special.to_string();
    }
    layout(&format!("{v:e}"), 6)
}

fn special(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v == f64::INFINITY {
        Some("Infinity")
    } else if v == f64::NEG_INFINITY {
        Some("-Infinity")
    } else {
        None
    }
}

/// Lays out Rust's shortest scientific form (`-1.2345e-5`) PostgreSQL's way.
fn layout(scientific: &str, dig: i32) -> String {
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if digits == "0" {
        out.push('0');
        return out;
    }
    if (-4..dig).contains(&exponent) {
        if exponent < 0 {
            out.push_str("0.");
            for _ in 0..(-exponent - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let int_len = exponent as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                for _ in digits.len()..int_len {
                    out.push('0');
                }
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exponent.abs()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float8_matches_postgres() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (100.0, "100"),
            (123456789012345.0, "123456789012345"),
            (1e15, "1e+15"),
            (1e20, "1e+20"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.0 / 3.0, "0.3333333333333333"),
            (-2.5e-7, "-2.5e-07"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
        ];
        for (v, want) in cases {
            assert_eq!(format_f64(*v), *want, "{v}");
        }
    }

    #[test]
    fn float4_matches_postgres() {
        assert_eq!(format_f32(1000000.0), "1e+06");
        assert_eq!(format_f32(123456.0), "123456");
        assert_eq!(format_f32(0.1), "0.1");
        assert_eq!(format_f32(1.23457), "1.23457");
    }
}
