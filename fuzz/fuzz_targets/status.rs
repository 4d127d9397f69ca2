//! `/peerkeeper/status/1` bytes off a stream, read as the swarm reads them; the contract is
//! `peerkeeper_net::fuzzing::check_status`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peerkeeper_net::fuzzing::check_status(data));
