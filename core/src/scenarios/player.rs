//! Plays a [`Scenario`] on a `PeerManager<String>` step by step, acting as the host: it owns the
//! virtual clock (jumping from one `poll_timeout` to the next), carries out `Disconnect`
//! commands by closing the peer's connections, and records every other command for the
//! scenario's next steps to answer (a `Dial` is answered by a scripted `Connect` or
//! `DialFailed`, a `Probe` by a `ProbeResult`).

use std::collections::BTreeMap;

use crate::config::ConfigError;
use crate::events::{Command, Event};
use crate::manager::PeerManager;
use crate::types::{ConnId, Millis};

use super::{Action, Expectation, Scenario};

/// One expectation's verdict after a step.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub expectation: Expectation,
    pub passed: bool,
    /// The value found, in the expectation's terms.
    pub actual: String,
}

/// What one step did: every event and command that came out while the clock ran to the step's
/// time and the action was applied, in order, and the verdict on each expectation.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    pub index: usize,
    pub at: Millis,
    pub events: Vec<Event<String>>,
    pub commands: Vec<Command<String>>,
    /// The action's return value as `{:?}` prints it, when it has one.
    pub returned: Option<String>,
    pub checks: Vec<CheckResult>,
}

impl StepOutcome {
    pub fn all_passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

pub struct Player {
    scenario: Scenario,
    pm: PeerManager<String>,
    now: Millis,
    conns: BTreeMap<String, Vec<ConnId>>,
    next_conn: u64,
    cursor: usize,
    last_returned: Option<String>,
}

impl Player {
    /// Builds the scenario's manager; refuses its config as `PeerManager::new` would.
    pub fn new(scenario: Scenario) -> Result<Player, ConfigError> {
        let pm = Self::build(&scenario)?;
        let mut p = Player {
            scenario,
            pm,
            now: 0,
            conns: BTreeMap::new(),
            next_conn: 0,
            cursor: 0,
            last_returned: None,
        };
        p.drain(&mut Vec::new(), &mut Vec::new());
        Ok(p)
    }

    fn build(scenario: &Scenario) -> Result<PeerManager<String>, ConfigError> {
        let Some(chain) = &scenario.chain else {
            return PeerManager::new(scenario.config.clone());
        };
        let lib = chain.lib_header.block_ref();
        let mut pm =
            PeerManager::with_chain(scenario.config.clone(), chain.lib_header.clone(), lib, 0)?;
        for h in &chain.applied {
            pm.block_applied(h.clone(), None, 0);
        }
        Ok(pm)
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The engine, for the page's views (peer table, scores, fork status ...).
    pub fn manager(&self) -> &PeerManager<String> {
        &self.pm
    }

    /// The virtual clock.
    pub fn now(&self) -> Millis {
        self.now
    }

    /// Index of the next step to play; equals the step count once finished.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_finished(&self) -> bool {
        self.cursor >= self.scenario.steps.len()
    }

    /// What the last step's call returned, as `{:?}` prints it.
    pub fn last_returned(&self) -> Option<&str> {
        self.last_returned.as_deref()
    }

    /// Connections the host holds, per peer, in key order.
    pub fn connections(&self) -> &BTreeMap<String, Vec<ConnId>> {
        &self.conns
    }

    /// Plays the next step; `None` once finished.
    pub fn step(&mut self) -> Option<StepOutcome> {
        let index = self.cursor;
        let step = self.scenario.steps.get(index)?.clone();
        let (mut events, mut commands) = (Vec::new(), Vec::new());
        self.advance_to(step.at, &mut events, &mut commands);
        self.last_returned = self.apply(&step.action, &mut events, &mut commands);
        self.drain(&mut events, &mut commands);
        self.cursor += 1;
        let checks = step
            .expect
            .iter()
            .map(|e| {
                let (passed, actual) = e.check(self, &events, &commands);
                CheckResult { expectation: e.clone(), passed, actual }
            })
            .collect();
        Some(StepOutcome {
            index,
            at: self.now,
            events,
            commands,
            returned: self.last_returned.clone(),
            checks,
        })
    }

    /// Plays every remaining step.
    pub fn play_to_end(&mut self) -> Vec<StepOutcome> {
        std::iter::from_fn(|| self.step()).collect()
    }

    /// Back to before the first step.
    pub fn reset(&mut self) {
        self.pm =
            Self::build(&self.scenario).expect("the config was valid when the player was built");
        self.now = 0;
        self.conns.clear();
        self.next_conn = 0;
        self.cursor = 0;
        self.last_returned = None;
        self.drain(&mut Vec::new(), &mut Vec::new());
    }

    /// Replays from the start so that `index` is the next step to play (clamped to the step
    /// count); returns the outcomes of the steps played on the way, for histories.
    pub fn seek(&mut self, index: usize) -> Vec<StepOutcome> {
        self.reset();
        let index = index.min(self.scenario.steps.len());
        (0..index).filter_map(|_| self.step()).collect()
    }

    fn advance_to(
        &mut self,
        t: Millis,
        ev: &mut Vec<Event<String>>,
        cmd: &mut Vec<Command<String>>,
    ) {
        while let Some(due) = self.pm.poll_timeout().filter(|&d| d <= t) {
            self.now = self.now.max(due);
            self.pm.handle_timeout(self.now);
            self.drain(ev, cmd);
        }
        self.now = self.now.max(t);
    }

    fn drain(&mut self, events: &mut Vec<Event<String>>, commands: &mut Vec<Command<String>>) {
        loop {
            let mut idle = true;
            while let Some(c) = self.pm.poll_command() {
                idle = false;
                if let Command::Disconnect { peer, .. } = &c {
                    for conn in self.conns.remove(peer).unwrap_or_default() {
                        self.pm.disconnected(peer, conn, self.now);
                    }
                }
                commands.push(c);
            }
            while let Some(e) = self.pm.poll_event() {
                idle = false;
                events.push(e);
            }
            if idle {
                break;
            }
        }
    }

    fn apply(
        &mut self,
        action: &Action,
        ev: &mut Vec<Event<String>>,
        cmd: &mut Vec<Command<String>>,
    ) -> Option<String> {
        let now = self.now;
        let pm = &mut self.pm;
        let shown = |v: &dyn std::fmt::Debug| Some(format!("{v:?}"));
        match action {
            Action::Wait => None,
            Action::Connect { peer, direction } => {
                self.next_conn += 1;
                let conn = ConnId(self.next_conn);
                self.conns.entry(peer.clone()).or_default().push(conn);
                pm.connected(peer, conn, *direction, now);
                None
            }
            Action::Disconnect { peer } => {
                for conn in self.conns.remove(peer).unwrap_or_default() {
                    pm.disconnected(peer, conn, now);
                }
                None
            }
            Action::Tag { peer, tag, value } => {
                pm.tag_peer(peer, tag, *value);
                None
            }
            Action::Untag { peer, tag } => shown(&pm.untag_peer(peer, tag)),
            Action::TagDecaying { peer, tag, value, interval, decay } => {
                pm.tag_peer_decaying(peer, tag, *value, *interval, decay.clone(), now);
                None
            }
            Action::Bump { peer, tag, delta } => {
                shown(&pm.bump_decaying_tag(peer, tag, *delta, now))
            }
            Action::RemoveDecayingTag { peer, tag } => shown(&pm.remove_decaying_tag(peer, tag)),
            Action::Protect { peer, tag } => {
                pm.protect(peer, tag);
                None
            }
            Action::Unprotect { peer, tag } => shown(&pm.unprotect(peer, tag)),
            Action::Trim => {
                pm.trim(now);
                None
            }
            Action::Report { peer, action, name } => match pm.report_peer(peer, *action, name, now)
            {
                Ok(score) => shown(&score),
                Err(e) => Some(format!("error: {e}")),
            },
            Action::ApplicationScore { peer, score } => {
                match pm.set_application_score(peer, *score, now) {
                    Ok(v) => shown(&v),
                    Err(e) => Some(format!("error: {e}")),
                }
            }
            Action::Strike { peer, kind } => shown(&pm.strike(peer, *kind, now)),
            Action::ValidPacket { peer } => {
                pm.valid_packet(peer, now);
                None
            }
            Action::AddPeer { peer } => shown(&pm.add_peer(peer, now)),
            Action::HandshakeCompleted { peer } => shown(&pm.handshake_completed(peer, now)),
            Action::DialFailed { peer } => shown(&pm.dial_failed(peer, now)),
            Action::Status { peer, status } => {
                pm.status_received(peer, status.clone(), now);
                None
            }
            Action::BlockApplied { header, from } => {
                pm.block_applied(header.clone(), from.clone(), now);
                None
            }
            Action::Headers { peer, headers } => {
                for h in headers {
                    self.pm.headers_received(peer, vec![h.clone()], now);
                    self.drain(ev, cmd);
                }
                None
            }
            Action::LibAdvanced { lib } => {
                pm.lib_advanced(*lib, now);
                None
            }
            Action::EpochTransition { peers } => {
                shown(&pm.epoch_transition(peers.iter().cloned(), now))
            }
            Action::Block { peer, reason } => shown(&pm.block(peer, reason, now)),
            Action::ProbeResult { peer, ok } => shown(&pm.probe_result(peer, *ok, now)),
            Action::RegisterResponse { peer } => {
                pm.register_response(peer, now);
                None
            }
            Action::RegisterFailure { peer } => {
                pm.register_failure(peer, now);
                None
            }
        }
    }
}
