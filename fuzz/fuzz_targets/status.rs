//! `/peerkeeper/status/3` bytes off a stream, read frame by frame as its handler reads them;
//! the contract is `peerkeeper_net::fuzzing::check_status`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peerkeeper_net::fuzzing::check_status(data));
