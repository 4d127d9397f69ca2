//! A scenario on the virtual clock: the core's `Player` plays it, a `Recorder` keeps the
//! histories the views draw, and each step keeps its narration and checked expectations.
//! Also drives the stress load (the core's `stress` scenario). Pure, tested natively.

use peerkeeper_core::{
    scenarios::{self, Player, StepOutcome},
    Millis,
};

use crate::{sim_engine::engine_frame, state_frame::Frame, state_recorder::Recorder};

/// One expectation's verdict as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckView {
    pub expected: String,
    pub passed: bool,
    pub actual: String,
}

/// One step as the lesson lists it; `checks` is empty until it has been played.
#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    pub index: usize,
    pub at: Millis,
    pub label: String,
    pub narration: String,
    pub played: bool,
    pub checks: Vec<CheckView>,
}

pub struct Teaching {
    player: Player,
    recorder: Recorder,
    /// Verdicts of the steps played so far, by index.
    checks: Vec<Vec<CheckView>>,
}

impl Teaching {
    /// The scenario `id` (one of `scenarios::all()`, or `stress`), before its first step.
    pub fn new(id: &str) -> Result<Teaching, String> {
        let scenario =
            scenarios::by_id(id).ok_or_else(|| format!("scenario: no scenario {id:?}"))?;
        let player = Player::new(scenario).map_err(|e| format!("scenario {id}: {e}"))?;
        Ok(Teaching { player, recorder: Recorder::default(), checks: Vec::new() })
    }

    pub fn id(&self) -> &'static str {
        self.player.scenario().id
    }

    pub fn title(&self) -> &'static str {
        self.player.scenario().title
    }

    pub fn summary(&self) -> &'static str {
        self.player.scenario().summary
    }

    pub fn now(&self) -> Millis {
        self.player.now()
    }

    /// Index of the next step; the step count once finished.
    pub fn cursor(&self) -> usize {
        self.player.cursor()
    }

    pub fn step_count(&self) -> usize {
        self.player.scenario().steps.len()
    }

    pub fn is_finished(&self) -> bool {
        self.player.is_finished()
    }

    /// When the next step happens on the virtual clock.
    pub fn next_at(&self) -> Option<Millis> {
        self.player.scenario().steps.get(self.cursor()).map(|s| s.at)
    }

    fn absorb(&mut self, outcome: StepOutcome) {
        for e in &outcome.events {
            self.recorder.apply_engine(e);
        }
        let views = outcome
            .checks
            .iter()
            .map(|c| CheckView {
                expected: c.expectation.describe(),
                passed: c.passed,
                actual: c.actual.clone(),
            })
            .collect();
        self.checks.truncate(outcome.index);
        self.checks.push(views);
    }

    /// Plays the next step; false once finished.
    pub fn step(&mut self) -> bool {
        match self.player.step() {
            Some(outcome) => {
                let now = self.player.now();
                let connected = self.player.manager().connected_count();
                self.recorder.sample(now, connected, &[]);
                self.absorb(outcome);
                true
            }
            None => false,
        }
    }

    /// Plays every step due by virtual time `t`, at most `budget` of them (so one animation
    /// frame never stalls); returns how many ran.
    pub fn play_until(&mut self, t: Millis, budget: usize) -> usize {
        let mut ran = 0;
        while ran < budget && self.next_at().is_some_and(|at| at <= t) {
            self.step();
            ran += 1;
        }
        ran
    }

    /// Replays from the start so that step `index` is next (the histories are rebuilt).
    pub fn seek(&mut self, index: usize) {
        self.player.reset();
        self.recorder = Recorder::default();
        self.checks.clear();
        let index = index.min(self.step_count());
        for _ in 0..index {
            self.step();
        }
    }

    pub fn steps(&self) -> Vec<StepView> {
        self.player
            .scenario()
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| StepView {
                index: i,
                at: s.at,
                label: s.action.label(),
                narration: s.narration.clone(),
                played: i < self.cursor(),
                checks: self.checks.get(i).cloned().unwrap_or_default(),
            })
            .collect()
    }

    pub fn frame(&mut self, mode: &str, selected: Option<&str>) -> Frame {
        let now = self.player.now();
        engine_frame(self.player.manager(), now, &mut self.recorder, mode, selected)
    }
}

/// `?scenario=…&step=N` for a step link (N counts played steps).
pub fn step_query(id: &str, step: usize) -> String {
    format!("?scenario={id}&step={step}")
}

/// The scenario and step a URL names (`step` defaults to 0).
pub fn parse_step_query(query: &str) -> Option<(String, usize)> {
    let mut scenario = None;
    let mut step = 0;
    for (k, v) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
        match k.as_ref() {
            "scenario" => scenario = Some(v.into_owned()),
            "step" => step = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    scenario.map(|s| (s, step))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trim_lesson_played_to_the_end_passes_every_check_and_shows_a_trim() {
        let mut t = Teaching::new("seed-trim-on-high-water").unwrap();
        while t.step() {}
        let steps = t.steps();
        assert!(steps.iter().all(|s| s.played));
        assert!(steps.iter().flat_map(|s| &s.checks).all(|c| c.passed));
        assert!(steps.iter().map(|s| s.checks.len()).sum::<usize>() > 0);
        let frame = t.frame("teaching", None);
        assert!(!frame.trims.is_empty());
    }

    #[test]
    fn seeking_replays_to_the_step_and_keeps_only_the_verdicts_played() {
        let mut t = Teaching::new("seed-trim-on-high-water").unwrap();
        while t.step() {}
        t.seek(2);
        assert_eq!(t.cursor(), 2);
        let steps = t.steps();
        assert!(steps[1].played && !steps[2].played);
        assert!(steps[2].checks.is_empty());
    }

    #[test]
    fn an_unknown_scenario_is_refused_by_name_and_urls_round_trip() {
        assert_eq!(Teaching::new("nope").err().unwrap(), "scenario: no scenario \"nope\"");
        assert_eq!(
            parse_step_query(&step_query("seed-static-tags", 4)),
            Some(("seed-static-tags".into(), 4))
        );
        assert_eq!(parse_step_query("?mode=live"), None);
    }

    #[test]
    fn playing_until_a_time_runs_only_the_steps_due_and_respects_the_budget() {
        let mut t = Teaching::new("stress").unwrap();
        assert_eq!(t.play_until(0, 10), 1);
        assert_eq!(t.play_until(1_000_000, 50), 50);
        assert_eq!(t.cursor(), 51);
    }
}
