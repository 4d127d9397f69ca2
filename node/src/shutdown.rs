//! Stopping on SIGINT or SIGTERM.
//!
//! The signal streams are made once, before the event loop, and polled on every turn. A
//! `ctrl_c()` future made afresh on each turn misses a signal that lands while the loop is
//! busy between turns; that left the node running after a test's SIGINT during a burst of
//! connection events, and the test run waited on it until CI's limit.

use tokio::signal::unix::{signal, Signal, SignalKind};

pub struct Shutdown {
    interrupt: Signal,
    terminate: Signal,
}

impl Shutdown {
    /// Registers the handlers now, so a signal from this point on is kept until polled.
    pub fn listen() -> std::io::Result<Self> {
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Resolves with the signal's name once either has arrived. Cancel-safe: a signal that
    /// arrives while this future is not being polled is delivered on the next poll.
    pub async fn requested(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}
