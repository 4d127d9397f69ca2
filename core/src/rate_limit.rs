//! Rate limits and throttles (seeds 003 and 004): the peer-exchange sliding window, the inbound
//! connection-upgrade throttle, and per-peer token buckets for inbound messages.
//!
//! All three answer a question about one event at `now` and record it only when they allow it,
//! so a refused attempt never pushes a peer's next chance further away. None needs waking to
//! stay correct; the two keyed limiters expose `next_deadline` / `handle_timeout` only to drop
//! state for keys that went quiet, so memory follows active keys rather than every key ever seen.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::config_error::{require_nonzero, ConfigError};
use crate::deadlines::Deadlines;
use crate::hash::{SeededMap, SeededState};
use crate::peer_key::PeerKey;
use crate::peer_map::PeerMap;
use crate::types::Millis;

/// The answer of the two admission limiters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RateDecision {
    Allow,
    /// Refused; the same request would be allowed from `retry_at` on.
    Deny {
        retry_at: Millis,
    },
}

impl RateDecision {
    pub fn is_allowed(self) -> bool {
        self == RateDecision::Allow
    }
}

/// A log of admitted events in one sliding window: an event at `t` counts against every request
/// in `[t, t + window)` and no longer at `t + window`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct WindowLog {
    admitted: VecDeque<Millis>,
}

impl WindowLog {
    fn expire(&mut self, window: Millis, now: Millis) {
        while self.admitted.front().is_some_and(|&t| t.saturating_add(window) <= now) {
            self.admitted.pop_front();
        }
    }

    fn admit(&mut self, max: u32, window: Millis, now: Millis) -> RateDecision {
        self.expire(window, now);
        if self.admitted.len() >= max as usize {
            let oldest = self.admitted.front().copied().unwrap_or(now);
            return RateDecision::Deny { retry_at: oldest.saturating_add(window) };
        }
        self.admitted.push_back(now);
        RateDecision::Allow
    }
}

/// Peer-exchange request limit (seed 003).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlidingWindowConfig {
    /// Requests admitted per key in any window. Seed `PEER_EXCHANGE_MAX_REQUESTS` = 3.
    pub max_requests: u32,
    /// Window length in ms. Seed `PEER_EXCHANGE_WINDOW_SEC` = 300: requests at 0, 1 and 2 s are
    /// admitted, one at 3 s is refused with `retry_at` 300_000, and one at 300 s is admitted.
    pub window: Millis,
}

impl Default for SlidingWindowConfig {
    fn default() -> Self {
        SlidingWindowConfig { max_requests: 3, window: 300_000 }
    }
}

impl SlidingWindowConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_nonzero("max_requests", u64::from(self.max_requests))?;
        require_nonzero("window", self.window)
    }
}

/// At most `max_requests` per key in any sliding `window` (peer exchange: per peer).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(
    serialize = "K: PeerKey + Serialize",
    deserialize = "K: PeerKey + Deserialize<'de>"
))]
pub struct SlidingWindowLimiter<K: PeerKey> {
    config: SlidingWindowConfig,
    logs: PeerMap<K, WindowLog>,
    /// When each key's newest admission leaves the window, i.e. when its log is empty.
    idle_at: Deadlines<K>,
}

impl<K: PeerKey> SlidingWindowLimiter<K> {
    pub fn new(config: SlidingWindowConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(SlidingWindowLimiter { config, logs: PeerMap::new(), idle_at: Deadlines::new() })
    }

    pub fn config(&self) -> &SlidingWindowConfig {
        &self.config
    }

    /// Admits and records a request from `key`, or refuses it.
    pub fn check(&mut self, key: K, now: Millis) -> RateDecision {
        let SlidingWindowConfig { max_requests, window } = self.config;
        let decision = self.logs.get_or_default(key.clone()).admit(max_requests, window, now);
        if decision.is_allowed() {
            self.idle_at.set(key, now.saturating_add(window));
        }
        decision
    }

    /// Requests from `key` still inside the window at `now`.
    pub fn in_window(&self, key: &K, now: Millis) -> usize {
        let window = self.config.window;
        self.logs
            .get(key)
            .map_or(0, |l| l.admitted.iter().filter(|&&t| t.saturating_add(window) > now).count())
    }

    pub fn remove(&mut self, key: &K) {
        self.logs.remove(key);
        self.idle_at.cancel(key);
    }

    pub fn next_deadline(&self) -> Option<Millis> {
        self.idle_at.next()
    }

    /// Forgets keys whose every request has left the window.
    pub fn handle_timeout(&mut self, now: Millis) {
        while let Some((_, key)) = self.idle_at.pop_due(now) {
            self.logs.remove(&key);
        }
    }

    pub fn tracked_keys(&self) -> usize {
        self.logs.len()
    }
}

/// Inbound connection-upgrade throttle (AvalancheGo `InboundConnUpgradeThrottler`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpgradeThrottleConfig {
    /// Minimum ms between two upgrades from one IP. AvalancheGo's upgrade cooldown, 10 s: an IP
    /// upgraded at t = 0 is refused until t = 10_000 and admitted at 10_000.
    pub per_ip_cooldown: Millis,
    /// Upgrades admitted across all IPs in any `global_window`. 256.
    pub global_max: u32,
    /// The global window in ms. 1_000, making the default a rate of 256 upgrades per second.
    pub global_window: Millis,
}

impl Default for UpgradeThrottleConfig {
    fn default() -> Self {
        UpgradeThrottleConfig { per_ip_cooldown: 10_000, global_max: 256, global_window: 1_000 }
    }
}

impl UpgradeThrottleConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_nonzero("per_ip_cooldown", self.per_ip_cooldown)?;
        require_nonzero("global_max", u64::from(self.global_max))?;
        require_nonzero("global_window", self.global_window)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UpgradeDecision {
    Allow,
    /// This IP upgraded less than `per_ip_cooldown` ago.
    DenyIp {
        retry_at: Millis,
    },
    /// The global rate is exhausted.
    DenyGlobal {
        retry_at: Millis,
    },
}

/// One upgrade per IP per cooldown, and a global cap per window. `I` is the caller's IP type
/// (`std::net::IpAddr` natively, a string in JS).
///
/// Every cooldown lasts the same `per_ip_cooldown` from a `now` that never goes back (a
/// smaller `now` counts as the latest one seen), so cooldowns end in the order they started:
/// a queue in start order is also the expiry order, and no ordered tree is needed (the
/// engine's wasm carried two B-trees over `IpAddr` for this).
#[derive(Debug, Clone)]
pub struct UpgradeThrottle<I: PeerKey> {
    config: UpgradeThrottleConfig,
    /// IPs in cooldown, to when the cooldown ends.
    cooldowns: SeededMap<I, Millis>,
    /// The same cooldowns, soonest end first.
    ends: VecDeque<(Millis, I)>,
    latest: Millis,
    global: WindowLog,
}

impl<I: PeerKey> UpgradeThrottle<I> {
    /// `hash_seed` keys the IP map's hasher (the manager passes `Config::hash_seed`), so
    /// addresses cannot be chosen to collide without knowing it.
    pub fn new(config: UpgradeThrottleConfig, hash_seed: u64) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(UpgradeThrottle {
            config,
            cooldowns: SeededMap::with_hasher(SeededState::new(hash_seed)),
            ends: VecDeque::new(),
            latest: 0,
            global: WindowLog::default(),
        })
    }

    pub fn config(&self) -> &UpgradeThrottleConfig {
        &self.config
    }

    /// AvalancheGo's `ShouldUpgrade(ip)`: admits and records, or refuses without recording.
    pub fn should_upgrade(&mut self, ip: I, now: Millis) -> UpgradeDecision {
        // Ended cooldowns go first, so an IP admitted again never leaves its old end queued.
        self.handle_timeout(now);
        let now = self.latest;
        if let Some(&until) = self.cooldowns.get(&ip) {
            return UpgradeDecision::DenyIp { retry_at: until };
        }
        let UpgradeThrottleConfig { per_ip_cooldown, global_max, global_window } = self.config;
        match self.global.admit(global_max, global_window, now) {
            RateDecision::Deny { retry_at } => UpgradeDecision::DenyGlobal { retry_at },
            RateDecision::Allow => {
                let until = now.saturating_add(per_ip_cooldown);
                self.cooldowns.insert(ip.clone(), until);
                self.ends.push_back((until, ip));
                UpgradeDecision::Allow
            }
        }
    }

    pub fn next_deadline(&self) -> Option<Millis> {
        self.ends.front().map(|&(until, _)| until)
    }

    /// Forgets IPs whose cooldown is over.
    pub fn handle_timeout(&mut self, now: Millis) {
        self.latest = self.latest.max(now);
        while let Some((until, _)) = self.ends.front() {
            if *until > self.latest {
                break;
            }
            if let Some((_, ip)) = self.ends.pop_front() {
                self.cooldowns.remove(&ip);
            }
        }
    }

    pub fn ips_in_cooldown(&self) -> usize {
        self.cooldowns.len()
    }
}

/// A token bucket in integer milli-tokens, so refill is exact to the millisecond and identical on
/// every platform: `rate_per_sec` tokens per second is `rate_per_sec` milli-tokens per ms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBucket {
    rate_per_sec: u64,
    capacity: u64,
    /// Milli-tokens; negative while reservations for delayed messages are outstanding.
    level: i64,
    last: Millis,
}

impl TokenBucket {
    /// A full bucket at `now`.
    pub fn new(rate_per_sec: u64, capacity: u64, now: Millis) -> Self {
        TokenBucket { rate_per_sec, capacity, level: Self::milli(capacity), last: now }
    }

    fn milli(tokens: u64) -> i64 {
        i64::try_from(tokens.saturating_mul(1_000)).unwrap_or(i64::MAX)
    }

    fn refill(&mut self, now: Millis) {
        if now > self.last {
            let gained = (now - self.last).saturating_mul(self.rate_per_sec);
            let gained = i64::try_from(gained).unwrap_or(i64::MAX);
            self.level = self.level.saturating_add(gained).min(Self::milli(self.capacity));
            self.last = now;
        }
    }

    /// Ms from `now` until `cost` tokens are available (0 if now), or `None` if `cost` exceeds
    /// the capacity and never will be.
    pub fn wait_for(&mut self, cost: u64, now: Millis) -> Option<Millis> {
        if cost > self.capacity {
            return None;
        }
        self.refill(now);
        let deficit = Self::milli(cost).saturating_sub(self.level);
        if deficit <= 0 {
            return Some(0);
        }
        Some((deficit as u64).div_ceil(self.rate_per_sec))
    }

    /// Takes `cost` tokens, going into debt if needed (a reservation for a delayed message).
    pub fn take(&mut self, cost: u64, now: Millis) {
        self.refill(now);
        self.level = self.level.saturating_sub(Self::milli(cost));
    }

    /// Whole tokens available at `now` (negative while in debt).
    pub fn available(&mut self, now: Millis) -> i64 {
        self.refill(now);
        self.level.div_euclid(1_000)
    }
}

/// Inbound message throttle settings (seed 004's bandwidth and message-count dimensions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InboundThrottleConfig {
    /// Sustained bytes per second per peer. 524_288 (512 KiB/s).
    pub bytes_per_sec: u64,
    /// Byte bucket capacity. 2_097_152 (2 MiB): a quiet peer may send 2 MiB at once; the next
    /// 512 KiB then waits exactly 1 s.
    pub byte_burst: u64,
    /// Sustained messages per second per peer. Not in the seeds: 256.
    pub messages_per_sec: u64,
    /// Message bucket capacity. Not in the seeds: 1_024.
    pub message_burst: u64,
    /// Longest delay the throttle hands out, in ms; a message that would wait longer is
    /// dropped. Not in the seeds: 1_000, so a peer can be at most one second of traffic ahead.
    pub max_delay: Millis,
}

impl Default for InboundThrottleConfig {
    fn default() -> Self {
        InboundThrottleConfig {
            bytes_per_sec: 512 * 1024,
            byte_burst: 2 * 1024 * 1024,
            messages_per_sec: 256,
            message_burst: 1_024,
            max_delay: 1_000,
        }
    }
}

impl InboundThrottleConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_nonzero("bytes_per_sec", self.bytes_per_sec)?;
        require_nonzero("byte_burst", self.byte_burst)?;
        require_nonzero("messages_per_sec", self.messages_per_sec)?;
        require_nonzero("message_burst", self.message_burst)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// Larger than the byte bucket: no amount of waiting admits it.
    TooLarge,
    /// The peer is more than `max_delay` ahead of its allowance.
    TooFarAhead,
}

/// What the host does with one inbound message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ThrottleDecision {
    /// Process it now.
    Allow,
    /// Process it at `at` (its tokens are reserved, so later messages queue behind it).
    DelayUntil { at: Millis },
    /// Discard it; nothing was charged.
    Drop { reason: DropReason },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PeerBuckets {
    bytes: TokenBucket,
    messages: TokenBucket,
}

/// Per-peer byte and message-count buckets. Buckets start full; `remove` a peer on disconnect.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound(
    serialize = "P: PeerKey + Serialize",
    deserialize = "P: PeerKey + Deserialize<'de>"
))]
pub struct InboundThrottle<P: PeerKey> {
    config: InboundThrottleConfig,
    peers: PeerMap<P, PeerBuckets>,
}

impl<P: PeerKey> InboundThrottle<P> {
    pub fn new(config: InboundThrottleConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(InboundThrottle { config, peers: PeerMap::new() })
    }

    pub fn config(&self) -> &InboundThrottleConfig {
        &self.config
    }

    /// Decides on one message of `bytes` bytes from `peer` and charges it unless dropped.
    pub fn check(&mut self, peer: P, bytes: u64, now: Millis) -> ThrottleDecision {
        let c = &self.config;
        let buckets = self.peers.get_or_insert_with(peer, || PeerBuckets {
            bytes: TokenBucket::new(c.bytes_per_sec, c.byte_burst, now),
            messages: TokenBucket::new(c.messages_per_sec, c.message_burst, now),
        });
        let Some(byte_wait) = buckets.bytes.wait_for(bytes, now) else {
            return ThrottleDecision::Drop { reason: DropReason::TooLarge };
        };
        let message_wait = buckets.messages.wait_for(1, now).unwrap_or(Millis::MAX);
        let wait = byte_wait.max(message_wait);
        if wait > c.max_delay {
            return ThrottleDecision::Drop { reason: DropReason::TooFarAhead };
        }
        buckets.bytes.take(bytes, now);
        buckets.messages.take(1, now);
        if wait == 0 {
            ThrottleDecision::Allow
        } else {
            ThrottleDecision::DelayUntil { at: now.saturating_add(wait) }
        }
    }

    pub fn remove(&mut self, peer: &P) {
        self.peers.remove(peer);
    }

    /// Whole bytes and messages `peer` may send at `now` without delay (negative in debt).
    pub fn available(&mut self, peer: &P, now: Millis) -> Option<(i64, i64)> {
        let b = self.peers.get_mut(peer)?;
        Some((b.bytes.available(now), b.messages.available(now)))
    }
}
