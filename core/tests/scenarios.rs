//! The teaching scenarios, played headless exactly as the page plays them: every expectation of
//! every step must pass, and the outcomes the lessons are about are asserted here again.

mod common;

use peerkeeper_core::fork::ForkStatus;
use peerkeeper_core::scenarios::{
    self, stress, Action, Expectation, Player, Scenario, Step, StepOutcome, StressParams,
};
use peerkeeper_core::{Command, Config, Event, TrimTrigger};

fn play(scenario: Scenario) -> (Player, Vec<StepOutcome>) {
    let mut player = Player::new(scenario).expect("scenario configs are valid");
    let outcomes = player.play_to_end();
    (player, outcomes)
}

fn events(outcomes: &[StepOutcome]) -> Vec<Event<String>> {
    outcomes.iter().flat_map(|o| o.events.iter().cloned()).collect()
}

fn by_id(id: &str) -> Scenario {
    scenarios::by_id(id).unwrap_or_else(|| panic!("no scenario {id}"))
}

#[test]
fn every_scenario_plays_to_the_end_with_every_expectation_passing() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for scenario in scenarios::all() {
        let id = scenario.id;
        let steps = scenario.steps.len();
        let (player, outcomes) = play(scenario);
        assert!(player.is_finished());
        assert_eq!(outcomes.len(), steps, "{id}");
        for o in &outcomes {
            for c in &o.checks {
                checked += 1;
                if !c.passed {
                    failures.push(format!(
                        "{id} step {} (t={}): expected {}, got {}",
                        o.index,
                        o.at,
                        c.expectation.describe(),
                        c.actual
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 100, "only {checked} expectations checked");
}

#[test]
fn the_page_lists_nine_scenarios_with_unique_url_safe_ids_and_narrated_steps() {
    let all = scenarios::all();
    let ids: Vec<&str> = all.iter().map(|s| s.id).collect();
    assert_eq!(
        ids,
        vec![
            "seed-trim-on-high-water",
            "seed-protect-unprotect",
            "seed-static-tags",
            "seed-decaying-tags",
            "behaviour-ban-and-decay",
            "spam-soft-ban-backoff",
            "fork-split",
            "epoch-blocked-backup",
            "benchlist",
        ]
    );
    for s in &all {
        assert!(s.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        assert!(s.steps.iter().all(|st| !st.narration.is_empty()), "{}", s.id);
        assert!(s.steps.windows(2).all(|w| w[0].at <= w[1].at), "{}: time runs forward", s.id);
        assert!(s.steps.iter().any(|st| !st.expect.is_empty()), "{}", s.id);
        assert_eq!(scenarios::by_id(s.id).map(|f| f.id), Some(s.id));
    }
    assert!(scenarios::by_id("no-such-lesson").is_none());
    assert_eq!(scenarios::by_id(scenarios::STRESS_ID).map(|s| s.steps.len()), Some(13_000));
}

#[test]
fn the_seed_scenarios_print_seed_001s_lines_exactly_as_the_tutorial_does() {
    let mut lines = Vec::new();
    for scenario in scenarios::all().into_iter().filter(|s| s.id.starts_with("seed-")) {
        let (_, outcomes) = play(scenario);
        for o in outcomes {
            for c in o.checks {
                if let Expectation::SeedLine { .. } = c.expectation {
                    assert!(c.passed, "{}", c.actual);
                    lines.push(c.actual);
                }
            }
        }
    }
    assert_eq!(lines, common::tutorial::run());
    assert_eq!(lines[1], "1b. after trigger:  connected = 2 (lowWater = 2)");
    assert_eq!(lines[5], "2d. second trim: vip survived = false, connected = 2");
    assert_eq!(lines[13], "4e. after bump:    p1 = 150");
}

#[test]
fn the_first_seed_scenario_trims_the_two_oldest_peers_when_the_fourth_connects() {
    let (player, outcomes) = play(by_id("seed-trim-on-high-water"));
    let trim = &outcomes[3];
    assert_eq!(trim.at, 215);
    let closed: Vec<&Command<String>> = trim.commands.iter().collect();
    assert_eq!(closed.len(), 2);
    let report = trim
        .events
        .iter()
        .find_map(|e| match e {
            Event::Trimmed { report, .. } => Some(report),
            _ => None,
        })
        .expect("a trim ran");
    assert_eq!(report.trigger, TrimTrigger::HighWaterCrossed);
    let order: Vec<&str> = report.closed_in_order().iter().map(|e| e.peer.as_str()).collect();
    assert_eq!(order, vec!["c0", "c1"]);
    let mut left: Vec<String> = player.manager().connected_peers().cloned().collect();
    left.sort();
    assert_eq!(left, vec!["c2", "c3"]);
}

#[test]
fn the_ban_scenario_freezes_the_score_then_decays_it_back_above_minus_twenty() {
    let (player, outcomes) = play(by_id("behaviour-ban-and-decay"));
    let all = events(&outcomes);
    let bans: Vec<&Event<String>> =
        all.iter().filter(|e| matches!(e, Event::Banned { .. } | Event::Unbanned { .. })).collect();
    assert_eq!(bans.len(), 2);
    assert!(matches!(bans[0], Event::Banned { until: 1_801_000, at: 1_000, .. }));
    assert!(matches!(bans[1], Event::Unbanned { at: 1_801_000, .. }));
    let now = player.now();
    assert_eq!(now, 1_801_000 + 793_157);
    let score = player.manager().behaviour_score(&"p".to_string(), now);
    assert!(score > -20.0 && score < -19.99, "{score}");
    assert!(player.manager().is_connected(&"p".to_string()));
}

#[test]
fn the_spam_scenario_climbs_the_backoff_ladder_to_the_cap() {
    let (_, outcomes) = play(by_id("spam-soft-ban-backoff"));
    let ladder: Vec<u64> = events(&outcomes)
        .iter()
        .filter_map(|e| match e {
            Event::DialScheduled { peer, backoff, .. } if peer == "a" => Some(backoff / 1_000),
            _ => None,
        })
        .collect();
    // The resume spends the 60 s the unstable drop earned; the first failed dial waits 60 s
    // again, then every failure doubles the wait up to the cap.
    assert_eq!(ladder, vec![60, 60, 120, 240, 480, 960, 1_920, 3_600, 3_600]);
    // No dial of the peer between the ban and its expiry.
    let dials: Vec<u64> = outcomes
        .iter()
        .filter(|o| o.commands.contains(&Command::Dial { peer: "a".into() }))
        .map(|o| o.at)
        .collect();
    assert_eq!(dials[0], 0);
    assert!(dials[1..].iter().all(|&t| t >= 3_601_009 + 60_000), "{dials:?}");
}

#[test]
fn the_fork_scenario_goes_looking_minority_and_back_to_normal() {
    let (player, outcomes) = play(by_id("fork-split"));
    let changes: Vec<(ForkStatus, ForkStatus, u64)> = events(&outcomes)
        .iter()
        .filter_map(|e| match e {
            Event::ForkStatusChanged { from, to, at } => Some((*from, *to, *at)),
            _ => None,
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            (ForkStatus::Normal, ForkStatus::Looking, 1_000),
            (ForkStatus::Looking, ForkStatus::Minority, 1_000),
            (ForkStatus::Minority, ForkStatus::Normal, 2_000),
        ]
    );
    let view = player.manager().fork_view().expect("a chain is followed");
    assert_eq!(view.head().number, 147);
    assert_eq!(
        player.manager().status_line(player.now()).unwrap(),
        "DLT Status | FORWARD | head=#147 lib=#90 | dlt_range=none | peers=4active/4conn | uptime=0h00m08s | flags=none"
    );
}

#[test]
fn the_epoch_scenario_carries_the_blocked_backup_and_drops_the_departed_primary() {
    let (player, outcomes) = play(by_id("epoch-blocked-backup"));
    let m = player.manager();
    assert!(!m.is_blocked(&"b".to_string()));
    assert!(!m.is_blocked(&"x".to_string()));
    assert_eq!(m.blocklist_epoch(), 2);
    let probes: Vec<u64> = outcomes
        .iter()
        .filter(|o| o.commands.contains(&Command::Probe { peer: "b".into() }))
        .map(|o| o.at)
        .collect();
    assert_eq!(probes, vec![2_000]);
}

#[test]
fn seeking_replays_to_the_same_state_as_stepping() {
    for scenario in scenarios::all() {
        let mid = scenario.steps.len() / 2;
        let mut stepped = Player::new(scenario.clone()).unwrap();
        let first: Vec<StepOutcome> = (0..mid).filter_map(|_| stepped.step()).collect();
        let mut sought = Player::new(scenario).unwrap();
        sought.play_to_end();
        let replayed = sought.seek(mid);
        assert_eq!(sought.cursor(), mid);
        assert_eq!(sought.now(), stepped.now());
        assert_eq!(events(&replayed), events(&first));
        assert_eq!(sought.manager().peers(sought.now()), stepped.manager().peers(stepped.now()));
        assert_eq!(sought.step().map(|o| o.events), stepped.step().map(|o| o.events));
    }
}

#[test]
fn reset_returns_to_before_the_first_step() {
    let mut p = Player::new(by_id("seed-static-tags")).unwrap();
    p.play_to_end();
    p.reset();
    assert_eq!((p.cursor(), p.now(), p.manager().connected_count()), (0, 0, 0));
    assert!(p.connections().is_empty());
    assert_eq!(p.step().map(|o| o.index), Some(0));
}

#[test]
fn a_wrong_expectation_fails_and_shows_the_actual_value() {
    let scenario = Scenario {
        id: "wrong",
        title: "wrong",
        summary: "",
        config: Config::default(),
        chain: None,
        steps: vec![Step::new(
            0,
            Action::Tag { peer: "p".into(), tag: "t".into(), value: 5 },
            "tag",
        )
        .expect([
            Expectation::Score { peer: "p".into(), value: 6.0 },
            Expectation::TagValue { peer: "p".into(), tag: "t".into(), value: Some(5) },
            Expectation::NoCommand,
        ])],
    };
    let (_, outcomes) = play(scenario);
    let checks: Vec<(bool, &str)> =
        outcomes[0].checks.iter().map(|c| (c.passed, c.actual.as_str())).collect();
    assert_eq!(checks, vec![(false, "5"), (true, "Some(5)"), (true, "commands []")]);
    assert!(!outcomes[0].all_passed());
}

#[test]
fn an_invalid_scenario_config_is_refused_naming_the_field() {
    let mut scenario = by_id("benchlist");
    scenario.config.high_water = 0;
    let err = Player::new(scenario).err().expect("refused");
    assert_eq!(err.path(), "high_water");
}

#[test]
fn the_stress_scenario_is_deterministic_and_keeps_a_thousand_peers_under_high_water() {
    let params = StressParams { seconds: 10, ..StressParams::default() };
    let a = stress(params);
    let b = stress(params);
    let labels = |s: &Scenario| s.steps.iter().map(|st| st.action.label()).collect::<Vec<_>>();
    assert_eq!(labels(&a), labels(&b));
    assert_ne!(labels(&a), labels(&stress(StressParams { seed: 2, ..params })));
    assert_eq!(a.steps.len(), 1_000 + 10 * 200);
    assert_eq!(a.steps.last().unwrap().at, 15_000 - 5);

    let mut player = Player::new(a).unwrap();
    let mut trims = 0;
    let mut events = 0;
    while let Some(o) = player.step() {
        events += o.events.len();
        trims += o.events.iter().filter(|e| matches!(e, Event::Trimmed { .. })).count();
        assert!(player.manager().connected_count() <= 1_000, "step {}", o.index);
    }
    assert_eq!(player.now(), 14_995);
    assert!(trims >= 2, "{trims} trims");
    // About 200 inputs per second, most of which change something observable.
    assert!(events >= 2_500, "{events} events");
}
