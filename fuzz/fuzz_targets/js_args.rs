//! A JS value given as a decay, a bump, a config or a number; the contract is
//! `peerkeeper_web::fuzzing::check_js_args`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peerkeeper_web::fuzzing::check_js_args(data));
