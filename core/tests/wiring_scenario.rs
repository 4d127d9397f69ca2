//! How the standalone components are meant to be wired, as one scenario on a clock that jumps
//! straight to the next deadline: a peer is dialled, spams, is soft-banned, waits out the ban
//! and is redialled with normal backoff. `PeerManager` now does this wiring itself
//! (`manager_defence.rs`); `tests/manager_defence.rs` runs the same story through the facade.

use peerkeeper_core::backoff::{BackoffConfig, BackoffOutput, DialScheduler};
use peerkeeper_core::lifecycle::{Lifecycle, LifecycleConfig, LifecycleEvent, PeerState};
use peerkeeper_core::strikes::{StrikeConfig, StrikeExpiry, StrikeKind, StrikeOutcome, Strikes};
use peerkeeper_core::{DisconnectReason, Millis};

struct Harness {
    now: Millis,
    lifecycle: Lifecycle<&'static str>,
    strikes: Strikes<&'static str>,
    scheduler: DialScheduler<&'static str>,
    log: Vec<String>,
    isolation_resets: Vec<Millis>,
}

impl Harness {
    fn new() -> Self {
        Harness {
            now: 0,
            lifecycle: Lifecycle::new(LifecycleConfig::default()).unwrap(),
            strikes: Strikes::new(StrikeConfig::default()).unwrap(),
            scheduler: DialScheduler::new(BackoffConfig::default()).unwrap(),
            log: Vec::new(),
            isolation_resets: Vec::new(),
        }
    }

    fn next_deadline(&self) -> Option<Millis> {
        [
            self.lifecycle.next_deadline(),
            self.strikes.next_deadline(),
            self.scheduler.next_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Jumps from deadline to deadline up to `until`, handling each component in a fixed order.
    fn progress(&mut self, until: Millis) {
        while let Some(at) = self.next_deadline().filter(|&at| at <= until) {
            self.now = self.now.max(at);
            self.tick();
        }
        self.now = until;
    }

    fn tick(&mut self) {
        let now = self.now;
        for ev in self.lifecycle.handle_timeout(now) {
            if let LifecycleEvent::TimedOut { peer, .. } = ev {
                self.scheduler.dial_failed(&peer, now);
            }
        }
        for StrikeExpiry::BanExpired { peer, .. } in self.strikes.handle_timeout(now) {
            self.log.push(format!("{now} ban_expired {peer}"));
            self.lifecycle.unbanned(&peer, now).unwrap();
            self.scheduler.resume(&peer, now);
        }
        for out in self.scheduler.handle_timeout(now) {
            match out {
                BackoffOutput::Dial { peer } => {
                    self.log.push(format!("{now} dial {peer}"));
                    self.lifecycle.dialing(peer, now).unwrap();
                }
                BackoffOutput::IsolationReset { at, .. } => self.isolation_resets.push(at),
            }
        }
    }

    fn connected(&mut self, peer: &'static str) {
        self.lifecycle.connected(peer, self.now).unwrap();
        self.scheduler.connected(peer, self.now);
        self.strikes.reconnected(&peer);
    }

    fn handshake_completed(&mut self, peer: &'static str) {
        self.lifecycle.handshake_completed(&peer, self.now).unwrap();
        self.scheduler.set_active_peers(self.lifecycle.active_count(), self.now);
    }

    fn strike(&mut self, peer: &'static str, kind: StrikeKind) {
        let now = self.now;
        if let StrikeOutcome::SoftBanned { reason, .. } = self.strikes.strike(peer, kind, now) {
            self.log.push(format!("{now} soft_banned {peer}: {reason}"));
            self.scheduler.suspend(peer);
            self.scheduler.disconnected(&peer, now);
            self.lifecycle.banned(peer, now);
            self.scheduler.set_active_peers(self.lifecycle.active_count(), now);
        }
    }
}

/// Dials and bans "a" while "b" (inbound) is active or not, so isolation can be switched off.
fn ban_a_at_1009(keep_b_active: bool) -> Harness {
    let mut h = Harness::new();
    h.lifecycle.add("a", 0);
    h.scheduler.add_peer("a", 0);
    if keep_b_active {
        h.connected("b");
        h.handshake_completed("b");
    }
    h.progress(100);
    h.connected("a");
    h.progress(200);
    h.handshake_completed("a");
    assert_eq!(h.lifecycle.state(&"a"), Some(PeerState::Active));
    for i in 0..10 {
        h.progress(1_000 + i);
        h.strike("a", StrikeKind::Deserialization);
    }
    assert_eq!(h.lifecycle.state(&"a"), Some(PeerState::Banned));
    assert!(h.scheduler.is_suspended(&"a"));
    h
}

#[test]
fn a_spamming_peer_is_banned_for_an_hour_then_redialled_with_normal_backoff() {
    let mut h = ban_a_at_1009(true);
    // The connection lasted 909 ms, far from stable: its drop counted as a failure (30 s, now
    // 60 s). The ban holds the redial back; when it ends the 60 s wait applies.
    h.progress(3_661_009);
    assert_eq!(
        h.log,
        [
            "0 dial a",
            "1009 soft_banned a: spam strike threshold exceeded",
            "3601009 ban_expired a",
            "3661009 dial a",
        ]
    );
    assert_eq!(h.lifecycle.state(&"a"), Some(PeerState::Connect));
    assert!(h.isolation_resets.is_empty());
}

#[test]
fn while_isolated_the_reset_every_60_s_redials_a_peer_as_soon_as_its_ban_ends() {
    let mut h = ban_a_at_1009(false);
    h.progress(3_661_009);
    // Isolated since the ban at 1009: resets at 61_009, 121_009, ... skip the banned peer. The
    // 60th lands on the ban expiry and redials at once; the dial times out at +5 s, the next
    // failure waits the cleared 30 s, and the 61st reset redials again.
    assert_eq!(
        h.log,
        [
            "0 dial a",
            "1009 soft_banned a: spam strike threshold exceeded",
            "3601009 ban_expired a",
            "3601009 dial a",
            "3636009 dial a",
            "3661009 dial a",
        ]
    );
    assert_eq!(h.isolation_resets.first(), Some(&61_009));
    assert_eq!(h.isolation_resets.len(), 61);
}

#[test]
fn a_connect_timeout_feeds_the_backoff() {
    let mut h = Harness::new();
    h.lifecycle.add("a", 0);
    h.scheduler.add_peer("a", 0);
    h.progress(100_000);
    // Dialled at 0, timed out at 5 s, redialled 30 s later, timed out again, redialled 60 s later.
    assert_eq!(h.log, ["0 dial a", "35000 dial a", "100000 dial a"]);
    assert_eq!(h.lifecycle.last_disconnect_reason(&"a"), Some(DisconnectReason::IoError));
}
