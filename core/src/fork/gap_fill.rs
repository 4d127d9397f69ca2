//! Gap fill: which peer to ask for blocks we miss, and when.
//!
//! One request in flight at a time (the seed's "in-progress flag"), at most
//! [`GAP_FILL_MAX_BLOCKS`] blocks, no sooner than [`GAP_FILL_COOLDOWN_MS`] after the previous
//! request, and the flag clears [`GAP_FILL_TIMEOUT_MS`] after the request if our head has not
//! reached its end by then.
//!
//! Peer choice (the seed: "the node searches for another peer whose range covers the missing
//! blocks"): a candidate's range must contain the first missing block. Among candidates, the
//! peer that last timed out or stalled goes last (asking it again at once would repeat the
//! failure), then aligned peers first, then the one that can serve the most (highest range end),
//! then the lowest key, so the choice is deterministic.
//! When no peer covers the gap we say so once per gap start (the seed's "no bridging peer").

use crate::types::Millis;

use super::status::BlockRange;

/// Max blocks per gap-fill request (seed: GAP_FILL_MAX_BLOCKS = 100).
/// Example: missing #101..=#350 -> first request asks for #101..=#200.
pub const GAP_FILL_MAX_BLOCKS: u64 = 100;

/// Minimum interval between gap-fill requests (seed: GAP_FILL_COOLDOWN_SEC = 5).
/// Example: a request at t=1 000 completes at t=2 000 -> the next goes out at t=6 000.
pub const GAP_FILL_COOLDOWN_MS: Millis = 5_000;

/// How long the in-progress flag lives (seed: GAP_FILL_TIMEOUT_SEC = 15).
/// Example: a request at t=1 000 still unfinished -> timed out at t=16 000.
pub const GAP_FILL_TIMEOUT_MS: Millis = 15_000;

/// A peer that could serve blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate<P> {
    pub peer: P,
    pub range: BlockRange,
    pub aligned: bool,
}

/// A request on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight<P> {
    pub peer: P,
    pub from: u64,
    pub count: u64,
    pub sent_at: Millis,
}

impl<P> InFlight<P> {
    pub fn last(&self) -> u64 {
        self.from + self.count - 1
    }
}

/// What the gap filler decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GapStep<P> {
    Request { peer: P, from: u64, count: u64 },
    TimedOut { peer: P, from: u64 },
    NoBridgingPeer { from: u64 },
}

/// Limits, from the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GapLimits {
    pub max_blocks: u64,
    pub cooldown_ms: Millis,
    pub timeout_ms: Millis,
}

impl Default for GapLimits {
    fn default() -> Self {
        GapLimits {
            max_blocks: GAP_FILL_MAX_BLOCKS,
            cooldown_ms: GAP_FILL_COOLDOWN_MS,
            timeout_ms: GAP_FILL_TIMEOUT_MS,
        }
    }
}

/// The gap filler's state.
#[derive(Debug, Clone)]
pub struct GapFiller<P> {
    limits: GapLimits,
    in_flight: Option<InFlight<P>>,
    last_request_at: Option<Millis>,
    last_failed: Option<P>,
    unbridged_from: Option<u64>,
}

impl<P: Clone + Eq + Ord> GapFiller<P> {
    pub fn new(limits: GapLimits) -> Self {
        GapFiller {
            limits: GapLimits { max_blocks: limits.max_blocks.max(1), ..limits },
            in_flight: None,
            last_request_at: None,
            last_failed: None,
            unbridged_from: None,
        }
    }

    pub fn in_flight(&self) -> Option<&InFlight<P>> {
        self.in_flight.as_ref()
    }

    /// Our head moved: a request whose end we reached is done.
    pub fn head_reached(&mut self, head: u64) {
        if self.in_flight.as_ref().is_some_and(|r| head >= r.last()) {
            self.in_flight = None;
        }
    }

    /// The peer went away or stalled: drop its request and rank it last next time.
    pub fn abandon(&mut self, peer: &P) {
        if self.in_flight.as_ref().is_some_and(|r| &r.peer == peer) {
            self.in_flight = None;
            self.last_failed = Some(peer.clone());
        }
    }

    /// Decides at `now`. `missing` is the inclusive range of block numbers we lack, if any.
    pub fn drive(
        &mut self,
        now: Millis,
        missing: Option<(u64, u64)>,
        candidates: &[Candidate<P>],
    ) -> Vec<GapStep<P>> {
        let mut steps = Vec::new();
        if let Some(req) = &self.in_flight {
            if now >= req.sent_at + self.limits.timeout_ms {
                steps.push(GapStep::TimedOut { peer: req.peer.clone(), from: req.from });
                self.last_failed = Some(req.peer.clone());
                self.in_flight = None;
            }
        }
        let Some((from, to)) = missing.filter(|(from, to)| from <= to) else {
            self.unbridged_from = None;
            return steps;
        };
        if self.in_flight.is_some() || self.cooldown_until().is_some_and(|t| now < t) {
            return steps;
        }
        let best = candidates.iter().filter(|c| c.range.contains(from)).min_by(|a, b| {
            self.failed(&a.peer)
                .cmp(&self.failed(&b.peer))
                .then_with(|| b.aligned.cmp(&a.aligned))
                .then_with(|| b.range.latest.cmp(&a.range.latest))
                .then_with(|| a.peer.cmp(&b.peer))
        });
        match best {
            Some(c) => {
                let count = (to.min(c.range.latest) - from + 1).min(self.limits.max_blocks);
                self.in_flight = Some(InFlight { peer: c.peer.clone(), from, count, sent_at: now });
                self.last_request_at = Some(now);
                self.unbridged_from = None;
                steps.push(GapStep::Request { peer: c.peer.clone(), from, count });
            }
            None => {
                if self.unbridged_from != Some(from) {
                    self.unbridged_from = Some(from);
                    steps.push(GapStep::NoBridgingPeer { from });
                }
            }
        }
        steps
    }

    /// The next instant `drive` could act, given whether something is missing. A cooldown that
    /// already ended is no deadline: `drive` ran after it and found no peer, and only a new
    /// input (a status, a block) can change that.
    pub fn deadline(&self, missing: bool, now: Millis) -> Option<Millis> {
        match &self.in_flight {
            Some(req) => Some(req.sent_at + self.limits.timeout_ms),
            None if missing => self.cooldown_until().filter(|&t| t > now),
            None => None,
        }
    }

    fn cooldown_until(&self) -> Option<Millis> {
        self.last_request_at.map(|t| t + self.limits.cooldown_ms)
    }

    fn failed(&self, peer: &P) -> bool {
        self.last_failed.as_ref() == Some(peer)
    }
}
