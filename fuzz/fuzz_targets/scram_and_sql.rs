//! Text a client controls: stored SCRAM verifiers as ALTER ROLE … PASSWORD
//! may give them, and SQL statements (the parser must fail cleanly, never
//! overflow its stack).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = flintdb::security::scram::Verifier::parse(text);
    let _ = flintdb::sql::parser::parse(text);
});
