//! uuid: 128 bits, printed as PostgreSQL prints them
//! (`a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11`), read in every form `uuid_in`
//! takes (upper or lower case, braces, hyphens after any group of four
//! digits), ordered as unsigned big-endian bytes; version-4 generation for
//! `gen_random_uuid()`.

use ring::rand::SecureRandom;

use crate::errinput;
use crate::error::{sqlstate, Result};

/// Formats 8-4-4-4-12 lowercase hex.
pub fn format(value: u128) -> String {
    let hex = format!("{value:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Parses uuid text input: 32 hex digits, optionally in braces, with a
/// hyphen allowed after each group of four.
pub fn parse(text: &str) -> Result<u128> {
    let syntax = || {
        errinput!(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type uuid: \"{text}\""
        )
    };
    let body = match text.strip_prefix('{') {
        Some(inner) => inner.strip_suffix('}').ok_or_else(syntax)?,
        None => text,
    };
    let mut value: u128 = 0;
    let mut digits = 0;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'-' {
            // Only after a group of four digits, never twice, never last.
            if digits == 0
                || digits % 4 != 0
                || digits == 32
                || i + 1 == bytes.len()
                || bytes[i + 1] == b'-'
            {
                return Err(syntax());
            }
            i += 1;
            continue;
        }
        let d = (c as char).to_digit(16).ok_or_else(syntax)?;
        if digits == 32 {
            return Err(syntax());
        }
        value = (value << 4) | d as u128;
        digits += 1;
        i += 1;
    }
    if digits != 32 {
        return Err(syntax());
    }
    Ok(value)
}

/// A random (version 4, variant 1) uuid.
pub fn random() -> Result<u128> {
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| crate::error::Error::Internal("no randomness for gen_random_uuid".into()))?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Ok(u128::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form_and_prints_one() {
        let canonical = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
        for form in [
            canonical,
            "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}",
            "a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
        ] {
            assert_eq!(format(parse(form).unwrap()), canonical, "{form}");
        }
        for bad in [
            "",
            "a0eebc99",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
            "{a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "-a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0eebc99--9c0b4ef8bb6d6bb9bd380a11",
            "g0eebc999c0b4ef8bb6d6bb9bd380a11",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let r = random().unwrap();
        assert_eq!(format(r).as_bytes()[14], b'4');
    }
}
