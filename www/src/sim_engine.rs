//! The engine on a virtual clock, with no network: the sandbox, the stress run and the
//! teaching scenarios drive a `PeerManager` here and act as its host, carrying out each
//! command at once (a `Disconnect` closes the peer's simulated connections).

use peerkeeper_core::{
    fork::stats_lines::PeerLine, peer_map::PeerMap, Command, Config, ConnId, Direction, Millis,
    PeerAction, PeerManager, TrimSettings,
};

use crate::{
    state_frame::{Frame, Header},
    state_peers::PeerRow,
    state_recorder::{transports_in_use, Recorder},
};

/// Timeouts run per `advance_to` at most: a guard against an engine that keeps asking to be
/// woken at the same instant.
const MAX_WAKEUPS: usize = 100_000;

pub struct SimEngine {
    pm: PeerManager<String>,
    now: Millis,
    next_conn: u64,
    conns: PeerMap<String, Vec<ConnId>>,
    pub recorder: Recorder,
}

/// The report actions a learner can pick, by name.
pub const REPORT_ACTIONS: [&str; 4] = ["fatal", "low_tolerance", "mid_tolerance", "high_tolerance"];

pub fn parse_action(name: &str) -> Result<PeerAction, String> {
    match name {
        "fatal" => Ok(PeerAction::Fatal),
        "low_tolerance" => Ok(PeerAction::LowTolerance),
        "mid_tolerance" => Ok(PeerAction::MidTolerance),
        "high_tolerance" => Ok(PeerAction::HighTolerance),
        other => Err(format!("action: unknown report action {other:?}")),
    }
}

impl SimEngine {
    pub fn new(config: Config) -> Result<SimEngine, String> {
        let pm = PeerManager::new(config).map_err(|e| format!("config: {e}"))?;
        Ok(SimEngine::with_manager(pm))
    }

    /// Hosts an existing manager (a scenario's).
    pub fn with_manager(pm: PeerManager<String>) -> SimEngine {
        let now = pm.now();
        SimEngine { pm, now, next_conn: 1, conns: PeerMap::new(), recorder: Recorder::default() }
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    pub fn manager(&self) -> &PeerManager<String> {
        &self.pm
    }

    /// Runs `f` on the manager at the current time, then carries out what it asked for.
    pub fn with<T>(&mut self, f: impl FnOnce(&mut PeerManager<String>, Millis) -> T) -> T {
        let out = f(&mut self.pm, self.now);
        self.pump();
        out
    }

    /// A new connection from or to `peer`, unless the engine refuses it (a ban).
    pub fn connect(&mut self, peer: &str, direction: Direction) -> Result<(), String> {
        let key = peer.to_string();
        if let Err(denied) = self.pm.allow_connection(&key, self.now) {
            self.recorder.note(format!("refused {peer}: {denied}"));
            return Err(denied.to_string());
        }
        let conn = ConnId(self.next_conn);
        self.next_conn += 1;
        self.conns.get_or_default(key.clone()).push(conn);
        self.pm.connected(&key, conn, direction, self.now);
        self.pump();
        Ok(())
    }

    /// The remote side (or the host) closes every connection to `peer`.
    pub fn disconnect(&mut self, peer: &str) {
        self.close(peer);
        self.pump();
    }

    fn close(&mut self, peer: &str) {
        let key = peer.to_string();
        for conn in self.conns.remove(&key).unwrap_or_default() {
            self.pm.disconnected(&key, conn, self.now);
        }
    }

    pub fn report(&mut self, peer: &str, action: &str, name: &str) -> Result<(), String> {
        let action = parse_action(action)?;
        let key = peer.to_string();
        let result = self.pm.report_peer(&key, action, name, self.now);
        self.pump();
        result.map(|_| ()).map_err(|e| e.to_string())
    }

    pub fn set_settings(&mut self, settings: TrimSettings) -> Result<bool, String> {
        let r = self.pm.set_trim_settings(settings, self.now).map_err(|e| e.to_string());
        self.pump();
        r
    }

    /// Moves the virtual clock to `t`, running every timeout due on the way at its instant.
    pub fn advance_to(&mut self, t: Millis) {
        let mut wakeups = 0;
        while let Some(due) = self.pm.poll_timeout() {
            if due > t || wakeups >= MAX_WAKEUPS {
                break;
            }
            wakeups += 1;
            self.now = self.now.max(due);
            self.pm.handle_timeout(self.now);
            self.pump();
        }
        self.now = self.now.max(t);
    }

    /// Carries out every command and records every event, until both queues are empty.
    pub fn pump(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(cmd) = self.pm.poll_command() {
                progressed = true;
                match cmd {
                    Command::Disconnect { peer, .. } => self.close(&peer),
                    Command::Dial { peer } => {
                        let conn = ConnId(self.next_conn);
                        self.next_conn += 1;
                        self.conns.get_or_default(peer.clone()).push(conn);
                        self.pm.connected(&peer, conn, Direction::Outbound, self.now);
                    }
                    Command::Probe { peer } => {
                        self.pm.probe_result(&peer, true, self.now);
                    }
                    Command::RequestBlocks { .. } | Command::SwitchFork { .. } => {}
                }
            }
            while let Some(event) = self.pm.poll_event() {
                progressed = true;
                self.recorder.apply_engine(&event);
            }
            if !progressed {
                break;
            }
        }
    }

    /// Every peer the engine knows, as table rows.
    pub fn rows(&self) -> Vec<PeerRow> {
        engine_rows(&self.pm, self.now, &self.recorder)
    }

    pub fn header(&self, mode: &str, rows: &[PeerRow]) -> Header {
        engine_header(&self.pm, self.now, mode, rows)
    }

    /// Samples the histories and builds the views' frame.
    pub fn frame(&mut self, mode: &str, selected: Option<&str>) -> Frame {
        engine_frame(&self.pm, self.now, &mut self.recorder, mode, selected)
    }
}

/// Every peer `pm` knows, as table rows, with what `recorder` observed.
pub fn engine_rows(pm: &PeerManager<String>, now: Millis, recorder: &Recorder) -> Vec<PeerRow> {
    {
        let lines: PeerMap<String, PeerLine> = pm
            .stats(now)
            .map(|(_, peers)| peers.into_iter().map(|p| (p.address, p.line)).collect())
            .unwrap_or_default();
        let following = pm.fork_view().is_some();
        pm.peers(now)
            .into_iter()
            .zip(pm.score_stats(now))
            .map(|(p, s)| {
                let id = p.peer_id;
                let soft_ban = pm.soft_ban_of(&id).map(|b| b.until);
                let banned_until = s.banned_until.or(soft_ban);
                let state = if banned_until.is_some() { "banned" } else { p.state.as_str() };
                let peer_fork = match lines.get(&id) {
                    Some(PeerLine::Live { peer_fork, peer_node, .. }) => Some(format!(
                        "{}/{}",
                        peer_fork.map_or("?", |f| f.long()),
                        peer_node.map_or("?", |m| m.short())
                    )),
                    _ => None,
                };
                let mut row = PeerRow {
                    state: state.to_string(),
                    direction: p.direction.map(|d| d.as_str().to_string()),
                    transport: "virtual".into(),
                    address: p.last_seen_p2p_address.unwrap_or_default(),
                    agent: p.agent_version,
                    rtt_ms: None,
                    connected_since: None,
                    uptime_ms: 0,
                    score: Some(s.score),
                    tag_score: Some(s.tag_score),
                    behaviour_score: Some(s.behaviour_score),
                    application_score: Some(s.application_score),
                    tags: pm
                        .tags(&id)
                        .into_iter()
                        .map(|(n, v, d)| (n.as_str().to_string(), v, d))
                        .collect(),
                    protected: pm.is_protected(&id, None),
                    aligned: following.then(|| pm.is_aligned(&id)),
                    peer_fork,
                    strikes: pm.strikes(&id),
                    backoff_until: pm.next_dial_at(&id),
                    banned_until,
                    last_sent: None,
                    last_received: None,
                    last_action: s.last_action_name,
                    reason: p.disconnect_reason.map(|r| r.as_str().to_string()),
                    peer_id: id,
                    ..PeerRow::default()
                };
                recorder.enrich(&mut row);
                if row.is_connected() {
                    row.reason = None;
                }
                row
            })
            .collect()
    }
}

/// The header for `pm` at `now`.
pub fn engine_header(
    pm: &PeerManager<String>,
    now: Millis,
    mode: &str,
    rows: &[PeerRow],
) -> Header {
    let s = pm.trim_settings();
    let node = pm.stats(now).map(|(n, _)| n);
    Header {
        mode: mode.to_string(),
        node_mode: pm.node_mode().map(|m| m.long().to_string()),
        fork_status: pm.fork_status().map(|f| f.long().to_string()),
        head: node.as_ref().map(|n| n.head),
        lib: node.as_ref().map(|n| n.lib),
        connected: pm.connected_count(),
        low_water: s.low_water,
        high_water: s.high_water,
        grace_ms: s.grace_period,
        silence_ms: s.silence_period,
        uptime_ms: now,
        transports: transports_in_use(rows),
    }
}

/// Samples `recorder`'s histories and builds the views' frame for `pm` at `now`.
pub fn engine_frame(
    pm: &PeerManager<String>,
    now: Millis,
    recorder: &mut Recorder,
    mode: &str,
    selected: Option<&str>,
) -> Frame {
    let rows = engine_rows(pm, now, recorder);
    recorder.sample(now, pm.connected_count(), &rows);
    let header = engine_header(pm, now, mode, &rows);
    recorder.frame(now, header, rows, selected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox(low: usize, high: usize) -> SimEngine {
        let config = Config {
            low_water: low,
            high_water: high,
            grace_period: 0,
            silence_period: 0,
            ..Config::default()
        };
        SimEngine::new(config).unwrap()
    }

    #[test]
    fn crossing_the_high_water_trims_and_the_victims_stay_listed_with_their_reason() {
        let mut sim = sandbox(2, 3);
        for (i, p) in ["a", "b", "c", "d"].iter().enumerate() {
            sim.advance_to(i as u64 * 100);
            sim.with(|pm, _| pm.tag_peer(&p.to_string(), "value", i as i64));
            sim.connect(p, Direction::Inbound).unwrap();
        }
        let frame = sim.frame("sandbox", Some("a"));
        assert_eq!(frame.header.connected, 2);
        assert_eq!(frame.trims.len(), 1);
        let t = &frame.trims[0];
        let closed: Vec<_> =
            t.entries.iter().filter(|e| e.closed).map(|e| e.peer_id.as_str()).collect();
        assert_eq!(closed, ["a", "b"]);
        let a = frame.row("a").unwrap();
        assert_eq!(a.state, "disconnected");
        assert_eq!(a.reason.as_deref(), Some("too_many_peers"));
        assert_eq!(a.uptime_ms, 300);
        assert_eq!(frame.row("d").unwrap().state, "connected");
        let history = frame.selected.as_ref().unwrap();
        assert_eq!(history.tags, vec![("value".to_string(), vec![(0, 0.0)])]);
    }

    #[test]
    fn lowering_the_high_water_from_the_controls_trims_at_once() {
        let mut sim = sandbox(4, 6);
        for p in ["a", "b", "c", "d", "e"] {
            sim.connect(p, Direction::Outbound).unwrap();
        }
        let s = TrimSettings { low_water: 2, high_water: 3, ..sim.manager().trim_settings() };
        assert_eq!(sim.set_settings(s), Ok(true));
        assert_eq!(sim.manager().connected_count(), 2);
        let bad = TrimSettings { low_water: 9, ..s };
        assert!(sim.set_settings(bad).unwrap_err().contains("low_water"));
    }

    #[test]
    fn a_fatal_report_bans_the_peer_and_its_row_says_so() {
        let mut sim = sandbox(4, 6);
        sim.connect("x", Direction::Inbound).unwrap();
        sim.report("x", "fatal", "garbage").unwrap();
        let rows = sim.rows();
        assert_eq!(rows[0].state, "banned");
        assert!(rows[0].banned_until.is_some());
        assert!(sim.connect("x", Direction::Inbound).is_err());
        assert_eq!(
            sim.report("x", "nonsense", "n").unwrap_err(),
            "action: unknown report action \"nonsense\""
        );
    }

    #[test]
    fn advancing_the_clock_runs_decays_at_their_instants() {
        let mut sim = sandbox(4, 6);
        sim.connect("x", Direction::Inbound).unwrap();
        sim.with(|pm, now| {
            pm.tag_peer_decaying(
                &"x".to_string(),
                "fresh",
                10,
                1_000,
                peerkeeper_core::DecayFn::fixed(3),
                now,
            )
        });
        sim.advance_to(2_500);
        let h = sim.recorder.history("x").unwrap();
        assert_eq!(h.tags[0].1, vec![(0, 10.0), (1_000, 7.0), (2_000, 4.0)]);
        assert_eq!(sim.now(), 2_500);
    }
}
