//! Fuzzes the event parser both Lambda functions run first: any bytes that are JSON must give a
//! trigger, an ignore or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = vpce_guard_core::events::parse_event(&value);
    }
});
