//! The facade's behaviour side: reports and application scores, the thresholds that turn
//! them into disconnects and bans, goodbyes in both directions, and the read-only views.

use std::fmt::Debug;
use std::hash::Hash;

use crate::behaviour_score::{LastAction, PeerAction, PeerExtras, ScoreInputError};
use crate::connection_denied::ConnectionDenied;
use crate::disconnect_record::DisconnectRecord;
use crate::downscore_reason::DownscoreReason;
use crate::events::{Command, Event};
use crate::manager::PeerManager;
use crate::manager_defence::DenialReason;
use crate::reasons::DisconnectReason;
use crate::score;
use crate::stable_order::stable_order;
use crate::types::Millis;
use crate::views::{NodePeer, PeerState, ScoreStat};

impl<P: Clone + Eq + Hash + Ord + Debug> PeerManager<P> {
    // ---- inputs -------------------------------------------------------------------------

    /// Reports something the peer did. The behaviour score moves by the action's delta
    /// (`fatal`: to the minimum), clamped to the configured range, and the last-action
    /// record becomes (`name`, the change after clamping, `now`). Then, on the behaviour
    /// score plus the weighted application score: at or below `ban_threshold` an unbanned
    /// peer is banned (`Banned` event; a connected peer gets a `banned` disconnect); at or
    /// below `disconnect_threshold` a connected peer gets a `bad_score` disconnect. Reports
    /// during a ban still count but do not extend it. Creates a record for an unknown peer
    /// (subject to retention). Returns the behaviour score after the report.
    pub fn report_peer(
        &mut self,
        peer: &P,
        action: PeerAction,
        name: &str,
        now: Millis,
    ) -> Result<f64, ScoreInputError> {
        if let PeerAction::Custom { delta } = action {
            if !delta.is_finite() {
                return Err(ScoreInputError::NotFinite { argument: "delta" });
            }
        }
        let now = self.advance(now);
        self.expire_bans(now);
        let slot = self.book.get_or_create(peer, now);
        let cfg = &self.config.behaviour;
        let x = extras_mut(&mut self.book.get_mut(slot).extras);
        let delta = x.behaviour.add(cfg.delta_of(action), now, cfg);
        x.last_action = Some(LastAction { name: name.into(), delta, at: now });
        let score = x.behaviour.at(now, cfg.half_life_ms);
        self.events.push_back(Event::BehaviourReported {
            peer: peer.clone(),
            action,
            name: name.to_owned(),
            delta,
            score,
            at: now,
        });
        self.apply_thresholds(slot, now);
        self.enforce_retention();
        Ok(score)
    }

    /// Sets the host's application score (e.g. gossipsub's), kept and shown apart from the
    /// behaviour score and weighted by `application_weight` in the total. It never touches
    /// the last-action record, so a periodic refresh cannot clobber it; it does count toward
    /// the disconnect and ban thresholds. Creates a record for an unknown peer.
    pub fn set_application_score(
        &mut self,
        peer: &P,
        score: f64,
        now: Millis,
    ) -> Result<(), ScoreInputError> {
        if !score.is_finite() {
            return Err(ScoreInputError::NotFinite { argument: "score" });
        }
        let now = self.advance(now);
        self.expire_bans(now);
        let slot = self.book.get_or_create(peer, now);
        extras_mut(&mut self.book.get_mut(slot).extras).application = score;
        self.apply_thresholds(slot, now);
        self.enforce_retention();
        Ok(())
    }

    /// Records the peer's identify agent string. Creates a record for an unknown peer.
    pub fn set_agent_version(&mut self, peer: &P, agent_version: String) {
        let slot = self.book.get_or_create(peer, self.now);
        extras_mut(&mut self.book.get_mut(slot).extras).agent_version =
            Some(agent_version.into_boxed_str());
        self.enforce_retention();
    }

    /// Records the multiaddress the peer was last seen at. Creates a record for an unknown
    /// peer.
    pub fn set_address(&mut self, peer: &P, address: String) {
        let slot = self.book.get_or_create(peer, self.now);
        extras_mut(&mut self.book.get_mut(slot).extras).address = Some(address.into_boxed_str());
        self.enforce_retention();
    }

    /// The peer sent us a goodbye with `code`: it becomes the peer's last disconnect
    /// (unrecognised codes read `unknown` and keep their code). Returns the reason. Creates
    /// a record for an unknown peer (subject to retention).
    pub fn goodbye_received(&mut self, peer: &P, code: u64, now: Millis) -> DisconnectReason {
        let now = self.advance(now);
        let slot = self.book.get_or_create(peer, now);
        let reason = DisconnectReason::from_goodbye_code(code);
        let record = DisconnectRecord { reason, code: Some(code), sent: false, at: now };
        self.disconnects.record(slot, record);
        self.enforce_retention();
        reason
    }

    /// We say goodbye to a connected peer: a `Disconnect` command with `reason` (its goodbye
    /// code is the one to send), the peer becomes `disconnecting` and the reason its last
    /// disconnect. Returns false, doing nothing, if the peer is not connected or is already
    /// being disconnected.
    pub fn disconnect_with_goodbye(
        &mut self,
        peer: &P,
        reason: DisconnectReason,
        now: Millis,
    ) -> bool {
        let now = self.advance(now);
        self.book.lookup(peer).is_some_and(|slot| self.command_disconnect(slot, reason, now))
    }

    // ---- getters ------------------------------------------------------------------------

    /// Whether a connection from `peer` may be accepted at `now`; the error says why not:
    /// a behaviour ban first, then a spam soft ban, then the blocklist.
    pub fn allow_connection(&self, peer: &P, now: Millis) -> Result<(), ConnectionDenied> {
        let now = now.max(self.now);
        if let Some(until) = self.bans.banned_until(peer, now) {
            return Err(ConnectionDenied::Banned { until, reason: DisconnectReason::Banned });
        }
        match self.defence_denial(peer, now) {
            Some(DenialReason::SoftBanned { until, reason }) => {
                Err(ConnectionDenied::SoftBanned { until, reason })
            }
            Some(DenialReason::Blocked { reason }) => Err(ConnectionDenied::Blocked { reason }),
            None => Ok(()),
        }
    }

    /// Whether the peer is banned at `now`.
    pub fn is_banned(&self, peer: &P, now: Millis) -> bool {
        self.bans.banned_until(peer, now.max(self.now)).is_some()
    }

    /// The peer's behaviour score at `now` (decayed, unweighted); 0 for an unknown peer.
    pub fn behaviour_score(&self, peer: &P, now: Millis) -> f64 {
        self.extras(peer)
            .map_or(0.0, |x| x.behaviour.at(now.max(self.now), self.config.behaviour.half_life_ms))
    }

    /// The peer's application score as last set; 0 for an unknown peer.
    pub fn application_score(&self, peer: &P) -> f64 {
        self.extras(peer).map_or(0.0, |x| x.application)
    }

    /// The peer's last disconnect, whatever its state (the views show it only while the
    /// peer is disconnected or disconnecting).
    pub fn last_disconnect(&self, peer: &P) -> Option<DisconnectRecord> {
        self.book.lookup(peer).and_then(|slot| self.disconnects.get(slot).copied())
    }

    /// Every known peer as the beacon API's `NodePeer`, ordered by peer key.
    pub fn peers(&self, now: Millis) -> Vec<NodePeer<P>> {
        self.sorted_slots().into_iter().map(|slot| self.node_peer(slot, now)).collect()
    }

    /// One peer as `NodePeer`; `None` (and nothing created) for an unknown peer.
    pub fn peer(&self, peer: &P, now: Millis) -> Option<NodePeer<P>> {
        self.book.lookup(peer).map(|slot| self.node_peer(slot, now))
    }

    /// Every known peer's score parts and last action, ordered by peer key.
    pub fn score_stats(&self, now: Millis) -> Vec<ScoreStat<P>> {
        let now = now.max(self.now);
        self.sorted_slots()
            .into_iter()
            .map(|slot| {
                let r = self.book.get(slot);
                let parts = score::score_parts(r, &self.config, now);
                let x = r.extras.as_deref();
                let last = x.and_then(|x| x.last_action.as_ref());
                ScoreStat {
                    peer_id: r.peer.clone(),
                    behaviour_score: parts.behaviour,
                    application_score: parts.application,
                    tag_score: parts.tags,
                    score: parts.total,
                    last_action_name: last.map(|a| a.name.to_string()),
                    last_action_delta: last.map(|a| a.delta),
                    last_action_time: last.map(|a| a.at),
                    banned_until: self.bans.banned_until(&r.peer, now),
                }
            })
            .collect()
    }

    // ---- hooks called from the core inputs ----------------------------------------------

    /// A connection opened: a new session clears the last disconnect, and a banned or
    /// badly scored peer is told to go at once (the host should have asked
    /// `allow_connection` first).
    pub(crate) fn behaviour_on_connected(&mut self, slot: u32, newly: bool, now: Millis) {
        if newly {
            self.disconnects.clear(slot);
        }
        self.expire_bans(now);
        self.apply_thresholds(slot, now);
    }

    /// The last connection closed: without a goodbye either way this session, the record
    /// says the remote just went (`inbound_disconnect`).
    pub(crate) fn behaviour_on_last_disconnect(&mut self, slot: u32, now: Millis) {
        let reason = DisconnectReason::InboundDisconnect;
        let record = DisconnectRecord { reason, code: None, sent: false, at: now };
        self.disconnects.record_if_absent(slot, record);
    }

    /// Lifts every ban that has ended by `now`.
    pub(crate) fn expire_bans(&mut self, now: Millis) {
        let half_life = self.config.behaviour.half_life_ms;
        while let Some(peer) = self.bans.pop_expired(now) {
            if let Some(x) =
                self.book.lookup(&peer).and_then(|s| self.book.get_mut(s).extras.as_deref_mut())
            {
                x.behaviour.unban(half_life);
            }
            self.events.push_back(Event::Unbanned { peer: peer.clone(), at: now });
            self.lift(&peer, now);
        }
    }

    /// The goodbyes a trim sends (`too_many_peers`), in the order its commands went out.
    pub(crate) fn record_trim_goodbyes(&mut self, victims: &[u32], now: Millis) {
        self.disconnects.record_all(victims, sent_goodbye(DisconnectReason::TooManyPeers, now));
    }

    // ---- internals ----------------------------------------------------------------------

    /// Bans or disconnects the peer if its threshold score (or an existing ban) calls for it.
    fn apply_thresholds(&mut self, slot: u32, now: Millis) {
        let cfg = &self.config.behaviour;
        let r = self.book.get(slot);
        // Thresholds are below 0 (validated), so a peer with no scores and no ban is fine:
        // the common connect path stops here without hashing or cloning the key.
        let banned = !self.bans.is_empty() && self.bans.banned_until(&r.peer, now).is_some();
        let score = r.extras.as_deref().map_or(0.0, |x| x.threshold_score(now, cfg));
        let reason = if banned {
            DisconnectReason::Banned
        } else if score <= cfg.ban_threshold {
            let until = now.saturating_add(cfg.ban_duration_ms);
            let half_life = cfg.half_life_ms;
            let peer = r.peer.clone();
            extras_mut(&mut self.book.get_mut(slot).extras).behaviour.ban(now, until, half_life);
            self.bans.insert(&peer, until);
            let reason = DisconnectReason::Banned;
            self.events.push_back(Event::Banned { peer: peer.clone(), until, reason, at: now });
            // Like a soft ban: no dial until it ends (the soak found the dialer redialling
            // behaviour-banned peers), and the lifecycle shows `banned`.
            self.hold(&peer, now);
            reason
        } else if score <= cfg.disconnect_threshold {
            DisconnectReason::BadScore
        } else {
            return;
        };
        self.command_disconnect(slot, reason, now);
    }

    /// Commands a disconnect of a counted peer and records our goodbye; false if the peer
    /// has no connection or is already being disconnected.
    fn command_disconnect(&mut self, slot: u32, reason: DisconnectReason, now: Millis) -> bool {
        if !self.book.counts(slot) {
            return false;
        }
        self.book.mark_closing(slot);
        self.disconnects.record(slot, sent_goodbye(reason, now));
        let peer = self.book.get(slot).peer.clone();
        self.commands.push_back(Command::Disconnect { peer, reason });
        true
    }

    fn extras(&self, peer: &P) -> Option<&PeerExtras> {
        self.book.lookup(peer).and_then(|slot| self.book.get(slot).extras.as_deref())
    }

    /// Every record's slot, in peer-key order.
    pub(crate) fn sorted_slots(&self) -> Vec<u32> {
        let slots: Vec<u32> = self.book.iter().map(|(slot, _)| slot).collect();
        let peer = |i: usize| &self.book.get(slots[i]).peer;
        stable_order(slots.len(), &|a, b| peer(a).cmp(peer(b)))
            .into_iter()
            .map(|i| slots[i])
            .collect()
    }

    fn node_peer(&self, slot: u32, now: Millis) -> NodePeer<P> {
        let now = now.max(self.now);
        let r = self.book.get(slot);
        let state = match (r.is_connected(), self.book.is_closing(slot)) {
            (true, false) => PeerState::Connected,
            (true, true) => PeerState::Disconnecting,
            (false, _) => PeerState::Disconnected,
        };
        let x = r.extras.as_deref();
        let disconnect_reason = match state {
            PeerState::Disconnected | PeerState::Disconnecting => {
                self.disconnects.get(slot).map(|d| d.reason)
            }
            PeerState::Connected | PeerState::Connecting => None,
        };
        NodePeer {
            peer_id: r.peer.clone(),
            enr: None,
            last_seen_p2p_address: x.and_then(|x| x.address.as_deref().map(str::to_owned)),
            state,
            direction: r.conns.first().map(|c| c.dir),
            agent_version: x.and_then(|x| x.agent_version.as_deref().map(str::to_owned)),
            score: score::peer_score(r, &self.config, now),
            disconnect_reason,
            downscore_reasons: x
                .and_then(|x| x.last_action.as_ref())
                .map(|a| vec![DownscoreReason::from_action_name(&a.name)])
                .unwrap_or_default(),
        }
    }
}

/// A goodbye we send, by our own decision (trim, score, ban, host request).
pub(crate) fn sent_goodbye(reason: DisconnectReason, now: Millis) -> DisconnectRecord {
    DisconnectRecord { reason, code: reason.goodbye_code(), sent: true, at: now }
}

fn extras_mut(extras: &mut Option<Box<PeerExtras>>) -> &mut PeerExtras {
    extras.get_or_insert_with(Box::default)
}
