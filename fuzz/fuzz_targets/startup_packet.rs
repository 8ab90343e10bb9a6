//! The startup packet parser: the first 4 bytes are the protocol version,
//! the rest the NUL-terminated parameter pairs. Any input gives a packet
//! or a BadStartup, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let version = [data[0], data[1], data[2], data[3]];
    let _ = flintdb::server::startup::parse(version, &data[4..]);
});
