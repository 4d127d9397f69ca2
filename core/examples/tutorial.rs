//! The nim-libp2p peer-scoring tutorial (seed 001) replayed on peerkeeper-core with an
//! injected clock: the same four scenarios, the same settings, the same printed lines.
//!
//! `cargo run -p peerkeeper-core --example tutorial`

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    for line in common::tutorial::run() {
        println!("{line}");
    }
}
