//! Bytes given to `restore(bytes)`, restored into a fresh manager; the contract is
//! `peerkeeper_web::fuzzing::check_snapshot`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peerkeeper_web::fuzzing::check_snapshot(data));
