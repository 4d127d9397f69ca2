//! The facade: wires the peer book, tags, decay schedule, protection and trim policy into
//! one sans-I/O state machine.

use std::collections::VecDeque;
use std::fmt::Debug;
use std::hash::Hash;

use crate::behaviour_score::BanList;
use crate::config::{Config, ConfigError};
use crate::decay_schedule::{align_up, DecaySchedule, NEVER};
use crate::disconnect_record::DisconnectLog;
use crate::events::{Command, Event, TrimTrigger};
use crate::fork::ForkView;
use crate::hash::SeededState;
use crate::manager_defence::Defence;
use crate::peer_book::{push_boxed, remove_boxed, PeerBook};
use crate::protection;
use crate::score;
use crate::tags::{
    BumpFn, DecayFn, DecayPolicy, Interner, PolicyTable, RemovalCause, TagId, TagName, TagSlot,
    STATIC,
};
use crate::trim;
use crate::types::{ConnId, Direction, Millis};

/// A go-libp2p-style connection manager that does no I/O and reads no clock.
///
/// Peer keys `P` are opaque to the manager (a libp2p `PeerId`, a string, a number). Every
/// time-dependent input takes `now` in milliseconds from any epoch; an input earlier than
/// one already seen is treated as happening at the latest time seen, and inputs without a
/// `now` (`tag_peer`, `protect`, ...) are stamped with that latest time.
///
/// # Driving it
///
/// 1. Feed every input: `connected`, `disconnected`, tag and protection calls, `trim`, and
///    the wired components' inputs (`strike`, `valid_packet`, `handshake_completed`,
///    `dial_failed`, `block`, `epoch_transition`, `status_received`, `block_applied`, ...;
///    see the `manager_defence` and `manager_fork` method groups).
/// 2. After every input, drain [`poll_command`](Self::poll_command) until `None` and carry
///    each command out (a `Disconnect` closes all of the peer's connections, reported back
///    with `disconnected`; a `Dial` is answered with `connected` or `dial_failed`; a `Probe`
///    with `probe_result`; `RequestBlocks` with `headers_received`), then drain
///    [`poll_event`](Self::poll_event) until `None`.
/// 3. Sleep until [`poll_timeout`](Self::poll_timeout) (or the next input, whichever comes
///    first), then call [`handle_timeout`](Self::handle_timeout) with the current time and
///    go back to step 2.
///
/// ```no_run
/// use peerkeeper_core::{Command, Config, ConnId, Direction, PeerManager};
///
/// # fn clock() -> u64 { 0 }
/// # fn close_all_connections(_peer: &str) {}
/// # fn carry_out(_cmd: Command<String>) {}
/// # fn sleep_until(_t: Option<u64>) {}
/// let mut pm: PeerManager<String> = PeerManager::new(Config::default()).unwrap();
/// pm.connected(&"peer-a".to_string(), ConnId(1), Direction::Inbound, clock());
/// loop {
///     while let Some(cmd) = pm.poll_command() {
///         match cmd {
///             Command::Disconnect { peer, .. } => close_all_connections(&peer),
///             other => carry_out(other),
///         }
///     }
///     while let Some(event) = pm.poll_event() {
///         println!("{event:?}");
///     }
///     sleep_until(pm.poll_timeout());
///     pm.handle_timeout(clock());
/// }
/// ```
#[derive(Clone)]
pub struct PeerManager<P: Clone + Eq + Hash + Ord + Debug> {
    pub(crate) config: Config,
    pub(crate) book: PeerBook<P>,
    pub(crate) names: Interner,
    pub(crate) policies: PolicyTable,
    pub(crate) schedule: DecaySchedule,
    pub(crate) events: VecDeque<Event<P>>,
    pub(crate) commands: VecDeque<Command<P>>,
    pub(crate) now: Millis,
    pub(crate) last_trim: Option<Millis>,
    pub(crate) pending_trim: Option<Millis>,
    /// Issue 4: behaviour bans in force (see `manager_behaviour`).
    pub(crate) bans: BanList<P>,
    /// Issue 4: each peer's last disconnect, bounded FIFO.
    pub(crate) disconnects: DisconnectLog,
    /// Issue 5: strikes, lifecycle, dials, benchlist, blocklist, rate limits, health.
    pub(crate) defence: Defence<P>,
    /// Issue 6: the fork view, when a chain is followed (`Config::fork`).
    pub(crate) fork: Option<ForkView<P>>,
}

impl<P: Clone + Eq + Hash + Ord + Debug> PeerManager<P> {
    /// A manager with no peers; refuses an invalid config, and a config with a `fork`
    /// section (that needs our chain: use [`with_chain`](Self::with_chain)).
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        if config.fork.is_some() {
            config.validate()?;
            return Err(ConfigError::invalid(
                "fork",
                "a fork view needs our head and LIB: build with PeerManager::with_chain",
            ));
        }
        Self::build(config)
    }

    pub(crate) fn build(config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        let defence = Defence::new(&config)?;
        let hasher = SeededState::new(config.hash_seed);
        Ok(PeerManager {
            book: PeerBook::new(hasher.clone()),
            names: Interner::new(hasher.clone()),
            policies: PolicyTable::new(hasher.clone()),
            bans: BanList::new(hasher),
            disconnects: DisconnectLog::new(config.behaviour.max_disconnect_records),
            schedule: DecaySchedule::default(),
            events: VecDeque::new(),
            commands: VecDeque::new(),
            now: 0,
            last_trim: None,
            pending_trim: None,
            defence,
            fork: None,
            config,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    // ---- inputs -------------------------------------------------------------------------

    /// A connection to `peer` opened. A peer's first connection starts its grace period, and
    /// if it makes the connected count exceed `high_water` a trim runs (or is deferred, see
    /// [`Config::silence_period`]). A connection id the peer already has is ignored.
    pub fn connected(&mut self, peer: &P, conn: ConnId, direction: Direction, now: Millis) {
        let now = self.advance(now);
        let slot = self.book.get_or_create(peer, now);
        let Some(newly) = self.book.add_conn(slot, conn, direction, now) else {
            return;
        };
        let r = self.book.get(slot);
        self.events.push_back(Event::Connected {
            peer: r.peer.clone(),
            conn,
            direction,
            connections: r.conns.len(),
            at: now,
        });
        if newly {
            self.peer_connected(peer, now);
        }
        self.behaviour_on_connected(slot, newly, now);
        if newly && self.book.counted() > self.config.high_water {
            self.request_trim(TrimTrigger::HighWaterCrossed, now);
        }
        self.enforce_retention();
    }

    /// A connection closed. Returns false if the manager did not know it. When the last one
    /// closes the peer keeps its tags and protections until retention forgets it.
    pub fn disconnected(&mut self, peer: &P, conn: ConnId, now: Millis) -> bool {
        let now = self.advance(now);
        let Some(slot) = self.book.lookup(peer) else {
            return false;
        };
        let was_closing = self.book.is_closing(slot);
        let Some(left) = self.book.remove_conn(slot, conn, now) else {
            return false;
        };
        self.events.push_back(Event::Disconnected {
            peer: peer.clone(),
            conn,
            connections: left,
            at: now,
        });
        if left == 0 {
            self.peer_disconnected(peer, was_closing, now);
            self.behaviour_on_last_disconnect(slot, now);
        }
        self.enforce_retention();
        true
    }

    /// Runs whatever is due at `now`: decays, lifting behaviour bans, a deferred trim,
    /// forgetting departed peers, then every wired component (soft-ban expiries, lifecycle
    /// timeouts, dials, the isolation reset, bench expiries, the fork view's timers).
    pub fn handle_timeout(&mut self, now: Millis) {
        let now = self.advance(now);
        self.run_decays(now);
        self.expire_bans(now);
        if self.pending_trim.is_some_and(|t| t <= now) {
            self.pending_trim = None;
            self.run_trim(TrimTrigger::DeferredAfterSilence, now);
        }
        self.fork_timeout(now);
        self.settle(now);
        self.enforce_retention();
    }

    /// Trims now, down to `low_water` (or defers to the end of the silence period).
    pub fn trim(&mut self, now: Millis) {
        let now = self.advance(now);
        self.request_trim(TrimTrigger::Explicit, now);
        self.enforce_retention();
    }

    /// Sets a static tag, replacing any tag of that name (a decaying one stops decaying).
    /// Creates a record for an unknown peer (subject to retention).
    pub fn tag_peer(&mut self, peer: &P, tag: &str, value: i64) {
        let slot = self.book.get_or_create(peer, self.now);
        let name = self.names.intern(tag);
        self.set_static(slot, name, value);
        self.enforce_retention();
    }

    /// Removes a static tag; returns whether there was one (decaying tags are untouched).
    pub fn untag_peer(&mut self, peer: &P, tag: &str) -> bool {
        let Some((slot, pos)) = self.find_tag(peer, tag) else {
            return false;
        };
        if self.book.get(slot).tags()[pos].is_decaying() {
            return false;
        }
        self.remove_tag_at(slot, pos, RemovalCause::Removed);
        true
    }

    /// Sets a static tag to `f(current)`, where current is the tag's value (static or
    /// decaying) or 0 if absent.
    pub fn upsert_tag(&mut self, peer: &P, tag: &str, f: impl FnOnce(i64) -> i64) {
        let slot = self.book.get_or_create(peer, self.now);
        let name = self.names.intern(tag);
        let current = self.book.get(slot).tag(name).map_or(0, |t| t.value);
        self.set_static(slot, name, f(current));
        self.enforce_retention();
    }

    /// Sets a decaying tag (bumped by summing), replacing any tag of that name. See
    /// [`tag_peer_decaying_with_bump`](Self::tag_peer_decaying_with_bump).
    pub fn tag_peer_decaying(
        &mut self,
        peer: &P,
        tag: &str,
        value: i64,
        interval: Millis,
        decay: DecayFn,
        now: Millis,
    ) {
        self.tag_peer_decaying_with_bump(peer, tag, value, interval, decay, BumpFn::Sum, now);
    }

    /// Sets a decaying tag, replacing any tag of that name. `interval` is rounded up to a
    /// multiple of `decay_resolution` (0 counts as 1 ms), and the first decay happens at
    /// `now + interval` rounded up to that grid. A value of 0 or less sets nothing and
    /// removes an existing tag of that name.
    #[allow(clippy::too_many_arguments)]
    pub fn tag_peer_decaying_with_bump(
        &mut self,
        peer: &P,
        tag: &str,
        value: i64,
        interval: Millis,
        decay: DecayFn,
        bump: BumpFn,
        now: Millis,
    ) {
        let now = self.advance(now);
        let slot = self.book.get_or_create(peer, now);
        let name = self.names.intern(tag);
        let existing = self.book.get(slot).tag_pos(name);
        if value <= 0 {
            if let Some(pos) = existing {
                self.remove_tag_at(slot, pos, RemovalCause::BumpedToZero);
            }
            self.enforce_retention();
            return;
        }
        let res = self.config.decay_resolution;
        let interval = align_up(interval.max(1), res);
        let due = if matches!(decay, DecayFn::None) {
            NEVER
        } else {
            align_up(now.saturating_add(interval), res)
        };
        let policy = self.policies.acquire(DecayPolicy { interval, decay, bump });
        let idx = self.schedule.insert(slot, name, policy, now, due);
        let new = TagSlot { name, decay: idx, value };
        let old = match existing {
            Some(pos) => {
                let prev = self.book.get(slot).tags()[pos];
                if prev.is_decaying() {
                    self.drop_decay(prev.decay);
                }
                self.book.get_mut(slot).edit_tags(|tags| tags[pos] = new);
                Some(prev.value)
            }
            None => {
                self.book.get_mut(slot).edit_tags(|tags| push_boxed(tags, new));
                None
            }
        };
        self.emit_tag_set(slot, name, old, value, true);
        self.enforce_retention();
    }

    /// Adds `delta` to a live decaying tag through its bump function. Returns false (and
    /// does nothing) if the peer has no decaying tag of that name, e.g. once it decayed
    /// away: re-tag it instead. A result of 0 or less removes the tag.
    pub fn bump_decaying_tag(&mut self, peer: &P, tag: &str, delta: i64, now: Millis) -> bool {
        let now = self.advance(now);
        let Some((slot, pos)) = self.find_tag(peer, tag) else {
            return false;
        };
        let t = self.book.get(slot).tags()[pos];
        if !t.is_decaying() {
            return false;
        }
        let entry = self.schedule.get_mut(t.decay);
        entry.last_bump = now;
        let new = self.policies.get(entry.policy).bump.apply(t.value, delta);
        if new <= 0 {
            self.remove_tag_at(slot, pos, RemovalCause::BumpedToZero);
            return true;
        }
        self.book.get_mut(slot).edit_tags(|tags| tags[pos].value = new);
        let peer = self.book.get(slot).peer.clone();
        let tag = self.names.name(t.name).clone();
        self.events.push_back(Event::TagBumped { peer, tag, old: t.value, new, at: now });
        true
    }

    /// Removes a decaying tag; returns whether there was one (static tags are untouched).
    pub fn remove_decaying_tag(&mut self, peer: &P, tag: &str) -> bool {
        let Some((slot, pos)) = self.find_tag(peer, tag) else {
            return false;
        };
        if !self.book.get(slot).tags()[pos].is_decaying() {
            return false;
        }
        self.remove_tag_at(slot, pos, RemovalCause::Removed);
        true
    }

    /// Protects `peer` from trimming under the reason `tag`. Idempotent; a peer holds any
    /// number of reasons. Creates a record for an unknown peer (subject to retention).
    pub fn protect(&mut self, peer: &P, tag: &str) {
        let slot = self.book.get_or_create(peer, self.now);
        let name = self.names.intern(tag);
        if self.book.get_mut(slot).edit_tags(|tags| protection::add(tags, name)) {
            let peer = peer.clone();
            let tag = self.names.name(name).clone();
            self.events.push_back(Event::Protected { peer, tag, at: self.now });
        }
        self.enforce_retention();
    }

    /// Withdraws one protection reason. Returns whether the peer is still protected (by
    /// other reasons); false for an unknown peer.
    pub fn unprotect(&mut self, peer: &P, tag: &str) -> bool {
        let Some(slot) = self.book.lookup(peer) else {
            return false;
        };
        let Some(name) = self.names.get(tag) else {
            return self.book.get(slot).is_protected();
        };
        let r = self.book.get_mut(slot);
        let removed = r.edit_tags(|tags| protection::remove(tags, name));
        let still_protected = r.is_protected();
        if removed {
            let peer = peer.clone();
            let tag = self.names.name(name).clone();
            self.events.push_back(Event::Unprotected { peer, tag, still_protected, at: self.now });
        }
        still_protected
    }

    // ---- outputs ------------------------------------------------------------------------

    /// The next observable change, oldest first.
    pub fn poll_event(&mut self) -> Option<Event<P>> {
        self.events.pop_front()
    }

    /// The next thing the caller must do, oldest first.
    pub fn poll_command(&mut self) -> Option<Command<P>> {
        self.commands.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) next has work: a decay, a deferred trim,
    /// a peer to forget, a behaviour ban to lift, or any wired component's deadline. `None`
    /// when nothing is scheduled.
    pub fn poll_timeout(&self) -> Option<Millis> {
        let retention = if self.book.retained_count() > 0 {
            self.book.next_expiry(self.config.retention_ms)
        } else {
            None
        };
        [
            self.schedule.next_due(),
            self.pending_trim,
            retention,
            self.bans.next_expiry(),
            self.defence_deadline(),
            self.fork.as_ref().and_then(|f| f.poll_timeout()),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    // ---- getters ------------------------------------------------------------------------

    /// The peer's score at the latest time seen: static tags + live decaying tags + the
    /// outbound bonus while it has an outbound connection + the weighted behaviour and
    /// application scores. 0 for an unknown peer.
    pub fn peer_score(&self, peer: &P) -> f64 {
        self.book
            .lookup(peer)
            .map_or(0.0, |slot| score::peer_score(self.book.get(slot), &self.config, self.now))
    }

    /// Whether the peer holds protection reason `tag`, or any reason when `tag` is `None`.
    pub fn is_protected(&self, peer: &P, tag: Option<&str>) -> bool {
        let Some(slot) = self.book.lookup(peer) else {
            return false;
        };
        let list = self.book.get(slot).tags();
        match tag {
            None => protection::contains(list, None),
            Some(t) => self.names.get(t).is_some_and(|id| protection::contains(list, Some(id))),
        }
    }

    /// The value of one tag (static or decaying).
    pub fn tag_value(&self, peer: &P, tag: &str) -> Option<i64> {
        let slot = self.book.lookup(peer)?;
        let name = self.names.get(tag)?;
        self.book.get(slot).tag(name).map(|t| t.value)
    }

    /// All of a peer's tags as (name, value, decaying), in the order they were created.
    pub fn tags(&self, peer: &P) -> Vec<(TagName, i64, bool)> {
        let Some(slot) = self.book.lookup(peer) else {
            return Vec::new();
        };
        let r = self.book.get(slot);
        r.tags()
            .iter()
            .filter(|t| t.is_tag())
            .map(|t| (self.names.name(t.name).clone(), t.value, t.is_decaying()))
            .collect()
    }

    /// The peer's id as the manager stores it, while it has a record: the very value every
    /// command and event about the peer carries a clone of (for `Rc` keys, the same
    /// allocation, which a host can recognise by address).
    pub fn stored_key(&self, peer: &P) -> Option<&P> {
        self.book.lookup(peer).map(|slot| &self.book.get(slot).peer)
    }

    /// Whether the peer counts as connected: it has a connection and no trim is closing it.
    pub fn is_connected(&self, peer: &P) -> bool {
        self.book.lookup(peer).is_some_and(|slot| self.book.counts(slot))
    }

    /// Whether the manager asked the host to close this peer (a trim, a ban, a block, a fork
    /// verdict) and its connections have not all closed yet.
    pub fn is_closing(&self, peer: &P) -> bool {
        self.book.lookup(peer).is_some_and(|slot| self.book.is_closing(slot))
    }

    /// Open connections to the peer (including one being closed).
    pub fn connection_count(&self, peer: &P) -> usize {
        self.book.lookup(peer).map_or(0, |slot| self.book.get(slot).conns.len())
    }

    /// Peers counted toward the watermarks.
    pub fn connected_count(&self) -> usize {
        self.book.counted()
    }

    /// The peers counted toward the watermarks, in peer-book order.
    pub fn connected_peers(&self) -> impl Iterator<Item = &P> + '_ {
        self.book.iter().filter(|&(slot, _)| self.book.counts(slot)).map(|(_, r)| &r.peer)
    }

    /// Every peer with a record: connected, being closed, or retained.
    pub fn known_peers(&self) -> usize {
        self.book.known()
    }

    /// The latest time the manager has been given.
    pub fn now(&self) -> Millis {
        self.now
    }

    // ---- internals ----------------------------------------------------------------------

    pub(crate) fn advance(&mut self, now: Millis) -> Millis {
        self.now = self.now.max(now);
        self.now
    }

    fn find_tag(&mut self, peer: &P, tag: &str) -> Option<(u32, usize)> {
        let slot = self.book.lookup(peer)?;
        let name = self.names.lookup(tag)?;
        let pos = self.book.get(slot).tag_pos(name)?;
        Some((slot, pos))
    }

    fn set_static(&mut self, slot: u32, name: TagId, value: i64) {
        let r = self.book.get_mut(slot);
        let old = match r.tag_pos(name) {
            Some(pos) => {
                let prev = r.tags()[pos];
                r.edit_tags(|tags| tags[pos] = TagSlot { name, decay: STATIC, value });
                if prev.is_decaying() {
                    self.drop_decay(prev.decay);
                } else if prev.value == value {
                    return;
                }
                Some(prev.value)
            }
            None => {
                r.edit_tags(|tags| push_boxed(tags, TagSlot { name, decay: STATIC, value }));
                None
            }
        };
        self.emit_tag_set(slot, name, old, value, false);
    }

    fn emit_tag_set(&mut self, slot: u32, name: TagId, old: Option<i64>, new: i64, decaying: bool) {
        let peer = self.book.get(slot).peer.clone();
        let tag = self.names.name(name).clone();
        self.events.push_back(Event::TagSet { peer, tag, old, new, decaying, at: self.now });
    }

    fn remove_tag_at(&mut self, slot: u32, pos: usize, cause: RemovalCause) {
        let t = self.book.get_mut(slot).edit_tags(|tags| remove_boxed(tags, pos));
        if t.is_decaying() {
            self.drop_decay(t.decay);
        }
        let peer = self.book.get(slot).peer.clone();
        let tag = self.names.name(t.name).clone();
        self.events.push_back(Event::TagRemoved { peer, tag, old: t.value, cause, at: self.now });
    }

    fn drop_decay(&mut self, idx: u32) {
        let e = self.schedule.remove(idx);
        self.policies.release(e.policy);
    }

    pub(crate) fn run_decays(&mut self, now: Millis) {
        while let Some((due, idxs)) = self.schedule.pop_due(now) {
            for idx in idxs {
                let e = *self.schedule.get(idx);
                let policy = self.policies.get(e.policy);
                let interval = policy.interval;
                let ticks = (now - due) / interval + 1;
                let r = self.book.get_mut(e.slot);
                let pos = r
                    .tags()
                    .iter()
                    .position(|t| t.decay == idx)
                    .expect("a live schedule entry has its tag");
                let old = r.tags()[pos].value;
                match policy.decay.apply(old, ticks, due, interval, e.last_bump) {
                    Ok(new) => {
                        r.edit_tags(|tags| tags[pos].value = new);
                        self.schedule.reschedule(idx, due + ticks * interval);
                        if new != old {
                            let peer = r.peer.clone();
                            let tag = self.names.name(e.name).clone();
                            self.events.push_back(Event::TagDecayed {
                                peer,
                                tag,
                                old,
                                new,
                                at: now,
                            });
                        }
                    }
                    Err(cause) => self.remove_tag_at(e.slot, pos, cause),
                }
            }
        }
    }

    pub(crate) fn request_trim(&mut self, trigger: TrimTrigger, now: Millis) {
        if let Some(last) = self.last_trim {
            let until = last.saturating_add(self.config.silence_period);
            if now < until {
                if self.pending_trim.is_none() {
                    self.pending_trim = Some(until);
                    self.events.push_back(Event::TrimDeferred { until, at: now });
                }
                return;
            }
        }
        self.run_trim(trigger, now);
    }

    fn run_trim(&mut self, trigger: TrimTrigger, now: Millis) {
        // Rank on current values: apply decays that are due but not yet handled.
        self.run_decays(now);
        let plan = trim::plan(&self.book, &self.config, now, trigger);
        for &slot in &plan.victims {
            self.book.mark_closing(slot);
        }
        // The plan wrote the commands while each victim's report entry was in hand; an empty
        // queue takes its buffer over as is (no copy of 50 000 commands at 100 000 peers).
        if self.commands.is_empty() {
            self.commands = plan.commands.into();
        } else {
            self.commands.extend(plan.commands);
        }
        self.record_trim_goodbyes(&plan.victims, now);
        self.last_trim = Some(now);
        self.pending_trim = None;
        self.events.push_back(Event::Trimmed { report: plan.report, at: now });
    }

    pub(crate) fn enforce_retention(&mut self) {
        let (retention, max) = (self.config.retention_ms, self.config.max_retained_peers);
        while let Some(slot) = self.book.pop_forgettable(self.now, retention, max) {
            let r = self.book.forget(slot);
            self.disconnects.clear(slot);
            for t in r.tags().iter().filter(|t| t.is_decaying()) {
                self.drop_decay(t.decay);
            }
            self.events.push_back(Event::PeerForgotten { peer: r.peer, at: self.now });
        }
    }
}
