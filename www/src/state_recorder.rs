//! The page's memory of what happened: bounded histories of the connected count, trims, log
//! lines and each peer's score and tags, fed by light-peer events (live) or engine events
//! (teaching, sandbox). Mutated in place by the driver; views get copies in a [`Frame`].

use std::rc::Rc;

use peerkeeper_core::{peer_map::PeerMap, Event, Millis};
use peerkeeper_web::light_peer_event::{EngineView, LightPeerEvent, SettingsView, StatusView};

use crate::{
    state_frame::{Frame, Header, PeerHistory},
    state_peers::PeerRow,
    state_ring::Ring,
    state_trims::TrimRecord,
};

/// Points of the connected-count chart.
pub const CONNECTED_POINTS: usize = 600;
/// Trims the timeline keeps.
pub const TRIM_CAPACITY: usize = 20;
/// Log lines the page keeps.
pub const LOG_CAPACITY: usize = 50;
/// Points per peer score or tag series.
pub const SERIES_POINTS: usize = 120;
/// Event lines per peer.
pub const PEER_EVENTS: usize = 30;
/// The connected count keeps one point per this many ms of the driver's clock (the latest
/// value wins), so the chart spans a minute even at 200 inputs per second.
pub const CONNECTED_SPACING_MS: Millis = 100;
/// Scores are sampled at most this often (ms of the driver's clock).
pub const SCORE_SAMPLE_MS: Millis = 1_000;

#[derive(Debug, Clone)]
struct Trace {
    since: Option<Millis>,
    uptime: Millis,
    score: Ring<(Millis, f64)>,
    tags: PeerMap<String, Ring<(Millis, f64)>>,
    events: Ring<String>,
    reason: Option<String>,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            since: None,
            uptime: 0,
            score: Ring::new(SERIES_POINTS),
            tags: PeerMap::new(),
            events: Ring::new(PEER_EVENTS),
            reason: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Recorder {
    connected: Ring<(Millis, f64)>,
    trims: Ring<TrimRecord>,
    log: Ring<String>,
    traces: PeerMap<String, Trace>,
    /// Rows of the live light peer, which has no engine snapshot to read them from.
    live: PeerMap<String, PeerRow>,
    /// Open connections per live peer: the light peer reports each one.
    live_conns: PeerMap<String, u32>,
    last_score_sample: Option<Millis>,
    events_seen: u64,
    /// The trims as the last frame got them: rebuilt only after a new trim, since a stress
    /// trim lists a thousand peers.
    trims_cache: Option<Rc<Vec<TrimRecord>>>,
    /// The live light peer's own chain status.
    local_status: Option<StatusView>,
    /// The live engine's trim settings, from its latest view or settings change.
    live_settings: Option<SettingsView>,
    /// Page time minus engine time (ms), from the latest engine view: converts the engine's
    /// deadlines to the page clock the table counts down on.
    engine_offset: i64,
}

fn push_bounded<T>(list: &mut Vec<T>, item: T) {
    list.push(item);
    if list.len() > crate::state_peers::DIAL_HISTORY {
        list.remove(0);
    }
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder {
            connected: Ring::new(CONNECTED_POINTS),
            trims: Ring::new(TRIM_CAPACITY),
            log: Ring::new(LOG_CAPACITY),
            traces: PeerMap::new(),
            live: PeerMap::new(),
            live_conns: PeerMap::new(),
            last_score_sample: None,
            events_seen: 0,
            trims_cache: None,
            local_status: None,
            live_settings: None,
            engine_offset: 0,
        }
    }
}

impl Recorder {
    pub fn note(&mut self, line: impl Into<String>) {
        self.log.push(line.into());
    }

    fn peer_note(&mut self, peer: &str, at: Millis, line: String) {
        let stamped = format!("{:.1} s {line}", at as f64 / 1000.0);
        self.traces.get_or_default(peer.to_string()).events.push(stamped);
        self.log.push(format!("{line} ({})", crate::state_peers::short_id(peer)));
    }

    /// A line in the peer's own history only (the log has its own line for it).
    fn trace_note(&mut self, peer: &str, at: Millis, line: String) {
        let stamped = format!("{:.1} s {line}", at as f64 / 1000.0);
        self.traces.get_or_default(peer.to_string()).events.push(stamped);
    }

    /// Page time `now` on the engine's clock, which the live events are stamped with.
    fn engine_ms(&self, now: Millis) -> Millis {
        now.saturating_add_signed(-self.engine_offset)
    }

    fn came(&mut self, peer: &str, at: Millis) {
        let t = self.traces.get_or_default(peer.to_string());
        if t.since.is_none() {
            t.since = Some(at);
        }
        t.reason = None;
    }

    fn left(&mut self, peer: &str, at: Millis) {
        if let Some(t) = self.traces.get_mut(peer) {
            if let Some(since) = t.since.take() {
                t.uptime += at.saturating_sub(since);
            }
        }
    }

    fn record_trim(&mut self, record: TrimRecord) {
        self.log.push(format!(
            "trim ({}): {} connected, closed {}, target {}",
            record.trigger,
            record.connected,
            record.closed(),
            record.target
        ));
        for e in &record.entries {
            let t = self.traces.get_or_default(e.peer_id.clone());
            t.score.push((record.at_ms, e.score));
            t.events.push(format!("{:.1} s trim: {}", record.at_ms as f64 / 1000.0, e.verdict));
            if e.closed {
                t.reason = Some(format!("too_many_peers ({})", e.verdict));
            }
        }
        self.trims.push(record);
        self.trims_cache = None;
    }

    /// One light-peer event at page time `now`.
    pub fn apply_light(&mut self, event: LightPeerEvent, now: Millis) {
        self.events_seen += 1;
        match event {
            LightPeerEvent::Dialing { address } => self.note(format!("dialing {address}")),
            LightPeerEvent::DialFailed { address, error } => {
                self.note(format!("dial failed {address}: {error}"))
            }
            LightPeerEvent::Connected { peer_id, transport, address } => {
                self.note(format!("connected {peer_id} over {transport}"));
                let row = self.live.get_or_insert_with(peer_id.clone(), || PeerRow {
                    peer_id: peer_id.clone(),
                    // A browser cannot listen: every connection is one the page dialled.
                    direction: Some("outbound".into()),
                    ..PeerRow::default()
                });
                row.state = "connected".into();
                row.direction = Some("outbound".into());
                row.transport = transport;
                row.address = address;
                row.reason = None;
                let first = {
                    let open = self.live_conns.get_or_default(peer_id.clone());
                    *open += 1;
                    *open == 1
                };
                self.came(&peer_id, now);
                if first {
                    let line = format!("connected over {}", self.live[&peer_id].transport);
                    self.trace_note(&peer_id, self.engine_ms(now), line);
                }
            }
            LightPeerEvent::Disconnected { peer_id, cause, .. } => {
                let why = cause.unwrap_or_else(|| "closed".into());
                self.note(format!("disconnected {peer_id}: {why}"));
                let Some(open) = self.live_conns.get_mut(&peer_id) else { return };
                *open = open.saturating_sub(1);
                if *open > 0 {
                    return;
                }
                self.left(&peer_id, now);
                self.trace_note(&peer_id, self.engine_ms(now), format!("disconnected: {why}"));
                if let Some(row) = self.live.get_mut(&peer_id) {
                    row.state = "disconnected".into();
                    row.rtt_ms = None;
                }
            }
            LightPeerEvent::Identified { peer_id, agent_version, .. } => {
                if let Some(row) = self.live.get_mut(&peer_id) {
                    row.agent = Some(agent_version);
                }
            }
            LightPeerEvent::Ping { peer_id, rtt_ms } => {
                if let Some(row) = self.live.get_mut(&peer_id) {
                    row.rtt_ms = Some(rtt_ms);
                    row.last_received = Some(now);
                    row.last_sent = Some(now);
                }
            }
            LightPeerEvent::Trimmed { at_ms, trigger, connected, target, shortfall, entries } => {
                let record =
                    TrimRecord::from_view(at_ms, trigger, connected, target, shortfall, entries);
                for e in &record.entries {
                    if let Some(row) = self.live.get_mut(&e.peer_id) {
                        row.score = Some(e.score);
                    }
                }
                self.record_trim(record);
            }
            LightPeerEvent::Dropped { peer_id, reason, at_ms } => {
                self.note(format!("dropping {peer_id}: {reason}"));
                self.trace_note(&peer_id, at_ms, format!("closing: {reason}"));
                // A trim's victims already carry their verdict.
                if reason != "too_many_peers" {
                    if let Some(row) = self.live.get_mut(&peer_id) {
                        row.reason = Some(reason.clone());
                    }
                    self.traces.get_or_default(peer_id).reason = Some(reason);
                }
            }
            LightPeerEvent::PeerStatus { peer_id, status } => {
                if let Some(row) = self.live.get_mut(&peer_id) {
                    row.last_received = Some(now);
                    row.network_id = Some(status.network_id);
                    row.peer_head = Some(status.head);
                    row.peer_fork =
                        Some(format!("{}/{}", status.fork_status, status.node_mode).to_uppercase());
                    row.peer_fork_status = Some(status.fork_status);
                }
            }
            LightPeerEvent::AlignmentChanged { peer_id, aligned, why, at_ms } => {
                let verb = if aligned { "aligned" } else { "not aligned" };
                self.note(format!("{peer_id} {verb} ({why})"));
                self.trace_note(&peer_id, at_ms, format!("{verb} ({why})"));
                if let Some(row) = self.live.get_mut(&peer_id) {
                    row.aligned = Some(aligned);
                }
            }
            LightPeerEvent::LocalStatus { status, .. } => self.local_status = Some(status),
            LightPeerEvent::Struck { peer_id, kind, strikes, threshold, at_ms, .. } => {
                self.trace_note(&peer_id, at_ms, format!("strike {kind}: {strikes}/{threshold}"));
                if let Some(row) = self.live.get_mut(&peer_id) {
                    row.strikes = strikes;
                }
            }
            LightPeerEvent::SoftBanned { peer_id, reason, until_ms, at_ms } => {
                self.note(format!("soft-banned {peer_id}: {reason}"));
                let line = format!("soft-banned until {:.1} s: {reason}", until_ms as f64 / 1e3);
                self.trace_note(&peer_id, at_ms, line);
                let until = self.to_page_ms(until_ms);
                if let Some(row) = self.live.get_mut(&peer_id) {
                    row.banned_until = Some(until);
                    row.banned_after_strikes = Some(row.strikes);
                    row.reason = Some("banned".into());
                }
                self.traces.get_or_default(peer_id).reason = Some("banned".into());
            }
            LightPeerEvent::BanExpired { peer_id, .. } => {
                if let Some(row) = self.live.get_mut(&peer_id) {
                    row.banned_until = None;
                }
            }
            LightPeerEvent::DialScheduled { peer_id, due_ms, backoff_ms, failures, at_ms } => {
                let line = format!("redial at {:.1} s (failures {failures})", due_ms as f64 / 1e3);
                self.trace_note(&peer_id, at_ms, line);
                let due = self.to_page_ms(due_ms);
                if let Some(row) = self.live.get_mut(&peer_id) {
                    row.backoff_until = Some(due);
                    push_bounded(&mut row.dials_scheduled, (at_ms, due_ms, backoff_ms, failures));
                }
            }
            LightPeerEvent::DialStarted { peer_id, at_ms } => {
                if let Some(row) = self.live.get_mut(&peer_id) {
                    row.backoff_until = None;
                    push_bounded(&mut row.dials_started, at_ms);
                }
            }
            LightPeerEvent::PeersLearned { from, addresses } => {
                self.note(format!("{from} shared {} peers", addresses.len()));
                if let Some(row) = self.live.get_mut(&from) {
                    row.last_received = Some(now);
                }
            }
            LightPeerEvent::SettingsChanged { settings, trimmed, at_ms } => {
                let s = settings;
                self.note(format!(
                    "{:.1} s settings: low {} high {} grace {:.1} s silence {:.1} s{}",
                    at_ms as f64 / 1e3,
                    s.low_water,
                    s.high_water,
                    s.grace_period_ms as f64 / 1e3,
                    s.silence_period_ms as f64 / 1e3,
                    if trimmed { "; over the high water: trimming" } else { "" }
                ));
                self.live_settings = Some(settings);
            }
            LightPeerEvent::Tagged { peer_id, tag, value, decaying, at_ms } => {
                self.tag_point(&peer_id, &tag, now, value as f64);
                let row = self.live_row(&peer_id);
                match row.tags.iter_mut().find(|(n, _, _)| *n == tag) {
                    Some(t) => t.1 = value,
                    None => row.tags.push((tag.clone(), value, decaying)),
                }
                self.peer_note(&peer_id, at_ms, format!("tag {tag} = {value}"));
            }
            LightPeerEvent::TagRemoved { peer_id, tag, cause, at_ms } => {
                self.tag_point(&peer_id, &tag, now, 0.0);
                self.live_row(&peer_id).tags.retain(|(n, _, _)| *n != tag);
                self.peer_note(&peer_id, at_ms, format!("tag {tag} removed ({cause})"));
            }
            LightPeerEvent::Protected { peer_id, tag, at_ms } => {
                self.live_row(&peer_id).protected = true;
                self.peer_note(&peer_id, at_ms, format!("protected ({tag})"));
            }
            LightPeerEvent::Unprotected { peer_id, tag, still_protected, at_ms } => {
                self.live_row(&peer_id).protected = still_protected;
                self.peer_note(&peer_id, at_ms, format!("unprotected ({tag})"));
            }
            LightPeerEvent::Reported { peer_id, action, name, delta, score, at_ms } => {
                self.live_row(&peer_id).last_action = Some(name.clone());
                let line = format!("reported {name} ({action}): {delta:+.1} → {score:.1}");
                self.peer_note(&peer_id, at_ms, line);
            }
            LightPeerEvent::Banned { peer_id, reason, until_ms, at_ms } => {
                let until = self.to_page_ms(until_ms);
                let row = self.live_row(&peer_id);
                row.banned_until = Some(until);
                row.reason = Some(reason.clone());
                self.traces.get_or_default(peer_id.clone()).reason = Some(reason.clone());
                let line = format!("banned until {:.1} s ({reason})", until_ms as f64 / 1e3);
                self.peer_note(&peer_id, at_ms, line);
            }
            LightPeerEvent::Restored { peers, at_ms } => {
                // The restored engine runs ahead of the new page's clock; its bans are in its time.
                self.engine_offset = now as i64 - at_ms as i64;
                self.note(format!("restored the engine snapshot: {} peers", peers.len()));
                for p in peers {
                    let banned_until = p.banned_until_ms.map(|u| self.to_page_ms(u));
                    let row = self.live.get_or_insert_with(p.peer_id.clone(), || PeerRow {
                        peer_id: p.peer_id.clone(),
                        state: "disconnected".into(),
                        ..PeerRow::default()
                    });
                    row.score = Some(p.score);
                    row.protected = p.protected;
                    row.agent = p.agent_version.or(row.agent.take());
                    row.banned_until = banned_until;
                    if banned_until.is_some() {
                        row.reason = Some("banned".into());
                    } else if let Some(reason) = p.reason {
                        self.traces.get_or_default(p.peer_id).reason = Some(reason);
                    }
                }
            }
        }
    }

    /// The light peer's own chain, from its latest status.
    pub fn local_status(&self) -> Option<&StatusView> {
        self.local_status.as_ref()
    }

    /// Marks a peer protected in the live rows (the page protected it).
    pub fn live_protected(&mut self, peer_id: &str) {
        self.live_row(peer_id).protected = true;
    }

    /// The live row of `peer_id`, made (not connected) if the page has not seen it yet.
    fn live_row(&mut self, peer_id: &str) -> &mut PeerRow {
        self.live.get_or_insert_with(peer_id.to_string(), || PeerRow {
            peer_id: peer_id.to_string(),
            state: "disconnected".into(),
            ..PeerRow::default()
        })
    }

    fn to_page_ms(&self, engine_ms: Millis) -> Millis {
        engine_ms.saturating_add_signed(self.engine_offset)
    }

    /// The live engine's trim settings, once it has reported them.
    pub fn live_settings(&self) -> Option<SettingsView> {
        self.live_settings
    }

    /// Brings the live rows up to the engine's view taken at page time `now`: score and its
    /// parts, tags, protection, strikes, redial and ban countdowns, last action, and the
    /// states the connection events cannot tell (`disconnecting`, `banned`). Connected or not
    /// stays with the connection events, which may be newer than the view.
    pub fn apply_engine_view(&mut self, view: &EngineView, now: Millis) {
        self.engine_offset = now as i64 - view.at_ms as i64;
        self.live_settings = Some(view.settings);
        for p in &view.peers {
            for t in &p.tags {
                let last = self
                    .traces
                    .get(&p.peer_id)
                    .and_then(|tr| tr.tags.get(&t.name))
                    .and_then(|ring| ring.last().map(|(_, v)| *v));
                if last != Some(t.value as f64) && self.traces.contains_key(&p.peer_id) {
                    self.tag_point(&p.peer_id, &t.name, now, t.value as f64);
                }
            }
            let row = self.live_row(&p.peer_id);
            let open = row.is_connected() || row.state == "disconnecting";
            row.state = match p.state.as_str() {
                "banned" => "banned".into(),
                "disconnecting" if open => "disconnecting".into(),
                _ if open => "connected".into(),
                _ => "disconnected".into(),
            };
            row.direction = p.direction.clone().or(row.direction.take());
            row.agent = p.agent_version.clone().or(row.agent.take());
            row.score = Some(p.score);
            row.tag_score = Some(p.tag_score);
            row.behaviour_score = Some(p.behaviour_score);
            row.application_score = Some(p.application_score);
            row.tags = p.tags.iter().map(|t| (t.name.clone(), t.value, t.decaying)).collect();
            row.protected = p.protected;
            row.aligned = p.aligned.or(row.aligned);
            row.strikes = p.strikes;
            row.backoff_until = p.redial_in_ms.map(|ms| now + ms);
            row.banned_until = p.ban_remaining_ms.map(|ms| now + ms);
            row.last_action = p.last_action.clone();
            if !open {
                if let Some(reason) = &p.disconnect_reason {
                    if row.reason.is_none() {
                        row.reason = Some(reason.clone());
                    }
                }
            }
        }
    }

    /// The live rows at page time `now`, with uptime and reasons filled in.
    pub fn live_rows(&self) -> Vec<PeerRow> {
        self.live
            .values()
            .map(|r| {
                let mut r = r.clone();
                self.enrich(&mut r);
                r
            })
            .collect()
    }

    /// Fills uptime, connection start and reason from what was observed.
    pub fn enrich(&self, row: &mut PeerRow) {
        if let Some(t) = self.traces.get(&row.peer_id) {
            row.connected_since = t.since;
            row.uptime_ms = t.uptime;
            if row.reason.is_none() && !row.is_connected() {
                row.reason = t.reason.clone();
            }
        }
    }

    /// One engine event (teaching mode, sandbox, stress).
    pub fn apply_engine(&mut self, event: &Event<String>) {
        self.events_seen += 1;
        match event {
            Event::Connected { peer, connections, direction, at, .. } => {
                if *connections == 1 {
                    self.came(peer, *at);
                    self.peer_note(peer, *at, format!("connected {}", direction.as_str()));
                }
            }
            Event::Disconnected { peer, connections, at, .. } => {
                if *connections == 0 {
                    self.left(peer, *at);
                    self.peer_note(peer, *at, "disconnected".into());
                }
            }
            Event::TagSet { peer, tag, new, at, .. }
            | Event::TagBumped { peer, tag, new, at, .. }
            | Event::TagDecayed { peer, tag, new, at, .. } => {
                self.tag_point(peer, tag.as_str(), *at, *new as f64);
            }
            Event::TagRemoved { peer, tag, cause, at, .. } => {
                self.tag_point(peer, tag.as_str(), *at, 0.0);
                let line = format!("tag {} removed ({cause:?})", tag.as_str());
                self.peer_note(peer, *at, line);
            }
            Event::Trimmed { report, at } => self.record_trim(TrimRecord::from_report(report, *at)),
            Event::Protected { peer, tag, at } => {
                self.peer_note(peer, *at, format!("protected ({})", tag.as_str()))
            }
            Event::Unprotected { peer, tag, at, .. } => {
                self.peer_note(peer, *at, format!("unprotected ({})", tag.as_str()))
            }
            Event::BehaviourReported { peer, name, delta, score, at, .. } => {
                self.peer_note(peer, *at, format!("reported {name}: {delta:+.1} → {score:.1}"))
            }
            Event::Banned { peer, until, reason, at } => {
                let line =
                    format!("banned until {:.1} s ({})", *until as f64 / 1e3, reason.as_str());
                if let Some(t) = self.traces.get_mut(peer) {
                    t.reason = Some(reason.as_str().to_string());
                }
                self.peer_note(peer, *at, line);
            }
            Event::SoftBanned { peer, reason, until, at } => {
                let line = format!("soft-banned until {:.1} s: {reason}", *until as f64 / 1e3);
                if let Some(t) = self.traces.get_mut(peer) {
                    t.reason = Some(format!("soft ban: {reason}"));
                }
                self.peer_note(peer, *at, line);
            }
            Event::Struck { peer, kind, strikes, threshold, at, .. } => {
                self.peer_note(peer, *at, format!("strike {kind:?}: {strikes}/{threshold}"))
            }
            Event::TrimDeferred { until, at } => self.note(format!(
                "{:.1} s trim deferred to {:.1} s (silence period)",
                *at as f64 / 1e3,
                *until as f64 / 1e3
            )),
            Event::ForkStatusChanged { from, to, at } => self.note(format!(
                "{:.1} s fork status {} → {}",
                *at as f64 / 1e3,
                from.long(),
                to.long()
            )),
            Event::PeerForgotten { peer, .. } | Event::PeerRemoved { peer, .. } => {
                self.traces.remove(peer);
            }
            Event::StrikesReset { peer, cleared, at } => {
                self.peer_note(peer, *at, format!("strikes reset ({cleared} cleared)"))
            }
            Event::BanExpired { peer, at, .. } => {
                self.peer_note(peer, *at, "soft ban expired".into())
            }
            Event::Unbanned { peer, at } => self.peer_note(peer, *at, "ban lifted".into()),
            Event::LifecycleChanged { peer, to, at, .. } => {
                self.peer_note(peer, *at, format!("lifecycle → {to:?}"))
            }
            Event::LifecycleTimedOut { peer, timeout, at, .. } => {
                self.peer_note(peer, *at, format!("timed out ({timeout:?})"))
            }
            Event::DialScheduled { peer, due, failures, at, .. } => self.peer_note(
                peer,
                *at,
                format!("dial scheduled at {:.1} s (failures {failures})", *due as f64 / 1e3),
            ),
            Event::IsolationReset { redialled, at, .. } => self.note(format!(
                "{:.1} s isolation reset: redialling {}",
                *at as f64 / 1e3,
                redialled.len()
            )),
            Event::Benched { peer, until, at, .. } => {
                self.peer_note(peer, *at, format!("benched until {:.1} s", *until as f64 / 1e3))
            }
            Event::Unbenched { peer, cause, at, .. } => {
                self.peer_note(peer, *at, format!("unbenched ({cause:?})"))
            }
            Event::Blocked { peer, reason, at, .. } => {
                if let Some(t) = self.traces.get_mut(peer) {
                    t.reason = Some(format!("blocked: {reason}"));
                }
                self.peer_note(peer, *at, format!("blocked: {reason}"))
            }
            Event::Unblocked { peer, cause, at } => {
                self.peer_note(peer, *at, format!("unblocked ({cause:?})"))
            }
            Event::PeerDisabled { peer, at } => self.peer_note(peer, *at, "disabled".into()),
            Event::EpochTransitioned { epoch, reblocked, dropped, at } => self.note(format!(
                "{:.1} s epoch {epoch}: {} blocks carried, {} dropped",
                *at as f64 / 1e3,
                reblocked.len(),
                dropped.len()
            )),
            Event::AlignmentChanged { peer, aligned, at, .. } => self.peer_note(
                peer,
                *at,
                if *aligned { "aligned".into() } else { "not aligned".into() },
            ),
            Event::NodeModeChanged { from, to, at, .. } => self.note(format!(
                "{:.1} s node mode {} → {}",
                *at as f64 / 1e3,
                from.long(),
                to.long()
            )),
            Event::SyncStalled { at } => {
                self.note(format!("{:.1} s sync stalled", *at as f64 / 1e3))
            }
            Event::GapFillTimedOut { peer, at, .. } => {
                self.peer_note(peer, *at, "gap fill timed out".into())
            }
            Event::NoBridgingPeer { from, at } => {
                self.note(format!("{:.1} s no peer covers block #{from}", *at as f64 / 1e3))
            }
        }
    }

    fn tag_point(&mut self, peer: &str, tag: &str, at: Millis, value: f64) {
        let t = self.traces.get_or_default(peer.to_string());
        t.tags.get_or_insert_with(tag.to_string(), || Ring::new(SERIES_POINTS)).push((at, value));
    }

    /// Records the connected count at `now` (one point per [`CONNECTED_SPACING_MS`]) and, at most every
    /// [`SCORE_SAMPLE_MS`], every row's score.
    pub fn sample(&mut self, now: Millis, connected: usize, rows: &[PeerRow]) {
        match self.connected.last_mut() {
            Some((t, n)) if now < *t + CONNECTED_SPACING_MS => *n = connected as f64,
            _ => self.connected.push((now, connected as f64)),
        }
        let due = self.last_score_sample.is_none_or(|t| now >= t + SCORE_SAMPLE_MS);
        if due {
            self.last_score_sample = Some(now);
            for r in rows {
                if let (Some(score), Some(t)) = (r.score, self.traces.get_mut(&r.peer_id)) {
                    t.score.push((now, score));
                }
            }
        }
    }

    pub fn history(&self, peer_id: &str) -> Option<PeerHistory> {
        let t = self.traces.get(peer_id)?;
        Some(PeerHistory {
            peer_id: peer_id.to_string(),
            score: t.score.to_vec(),
            tags: t.tags.iter().map(|(k, v)| (k.clone(), v.to_vec())).collect(),
            events: t.events.to_vec(),
        })
    }

    /// A frame for the views.
    pub fn frame(
        &mut self,
        now: Millis,
        header: Header,
        rows: Vec<PeerRow>,
        selected: Option<&str>,
    ) -> Frame {
        Frame {
            now,
            header,
            rows: Rc::new(rows),
            connected: Rc::new(self.connected.to_vec()),
            trims: Rc::clone(self.trims_cache.get_or_insert_with(|| Rc::new(self.trims.to_vec()))),
            log: Rc::new(self.log.to_vec()),
            selected: selected.and_then(|p| self.history(p)).map(Rc::new),
            events_seen: self.events_seen,
        }
    }

    pub fn trims(&self) -> impl Iterator<Item = &TrimRecord> {
        self.trims.iter()
    }
}

/// Connected peers per transport, most used first.
pub fn transports_in_use(rows: &[PeerRow]) -> Vec<(String, usize)> {
    let mut counts: PeerMap<String, usize> = PeerMap::new();
    for r in rows.iter().filter(|r| r.is_connected()) {
        *counts.get_or_insert_with(r.transport.clone(), || 0) += 1;
    }
    let mut out: Vec<(String, usize)> = counts.iter().map(|(k, &v)| (k.clone(), v)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}
