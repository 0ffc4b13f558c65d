//! See `shared/tests/support/fuzz_checks.rs` for what is checked; the same check replays
//! this target's corpus in `shared/tests/fuzz_regressions.rs`.
#![no_main]

#[path = "../../shared/tests/support/fuzz_checks.rs"]
mod fuzz_checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzz_checks::client_frame(data));
