//! Seed 001's four scenarios with its exact settings (low 2, high 3, grace 100 ms, silence
//! 50 ms, decay resolution 50 ms) and timings (5 ms between connections, 200 ms waits), on
//! the injected clock. Each asserts what the seed's summary table and printed lines state,
//! plus the trim reports that explain them.

mod common;

use common::{s, Host, POST_STAGE_WAIT, TRIM_WAIT};
use peerkeeper_core::{
    Command, DecayFn, DisconnectReason, Event, RemovalCause, TrimTrigger, Verdict,
};

/// A trim report's entries (in peer-book order) as (peer, rank, verdict).
fn verdicts(host: &Host, trim: usize) -> Vec<(String, Option<u32>, Verdict)> {
    host.trims()[trim].entries.iter().map(|e| (e.peer.clone(), e.rank, e.verdict)).collect()
}

#[test]
fn crossing_high_water_trims_to_low_water_closing_the_oldest_of_equal_scores() {
    let mut host = Host::seed();
    for c in ["c0", "c1", "c2"] {
        host.connect_client(c);
    }
    assert_eq!(host.connected_ids().len(), 3, "1a: at highWater, no trim yet");
    assert!(host.trims().is_empty());

    host.sleep(POST_STAGE_WAIT);
    assert_eq!(host.now, 215);
    host.connect_client("c3");
    host.sleep(TRIM_WAIT);

    assert_eq!(host.connected_ids(), vec![s("c2"), s("c3")], "1b: back to lowWater = 2");
    assert_eq!(
        host.commands,
        vec![
            Command::Disconnect { peer: s("c0"), reason: DisconnectReason::TooManyPeers },
            Command::Disconnect { peer: s("c1"), reason: DisconnectReason::TooManyPeers },
        ]
    );
    let trims = host.trims();
    assert_eq!(trims.len(), 1);
    let r = trims[0];
    assert_eq!(r.trigger, TrimTrigger::HighWaterCrossed);
    assert_eq!((r.connected, r.target, r.closed, r.shortfall), (4, 2, 2, 0));
    assert_eq!(r.cut_score, Some(0.0));
    assert_eq!(
        verdicts(&host, 0),
        vec![
            (s("c0"), Some(1), Verdict::ClosedTieOldest),
            (s("c1"), Some(2), Verdict::ClosedTieOldest),
            (s("c2"), Some(3), Verdict::KeptAboveCut),
            (s("c3"), None, Verdict::KeptInGrace),
        ]
    );
}

#[test]
fn a_protected_peer_survives_a_trim_and_is_dropped_by_the_next_once_unprotected() {
    let mut host = Host::seed();
    let vip = s("c0");
    for c in ["c0", "c1", "c2"] {
        host.connect_client(c);
    }
    host.pm.protect(&vip, "vip");
    assert!(host.pm.is_protected(&vip, None), "2a");
    assert!(host.pm.is_protected(&vip, Some("vip")));

    host.sleep(POST_STAGE_WAIT);
    host.connect_client("c3");
    host.sleep(TRIM_WAIT);
    assert!(host.is_in(&vip), "2b: vip survived the first trim");
    assert_eq!(host.connected_ids(), vec![s("c0"), s("c3")]);
    assert_eq!(
        verdicts(&host, 0),
        vec![
            (s("c0"), None, Verdict::KeptProtected),
            (s("c1"), Some(1), Verdict::ClosedLowestScore),
            (s("c2"), Some(2), Verdict::ClosedLowestScore),
            (s("c3"), None, Verdict::KeptInGrace),
        ],
        "with no eligible peer kept there is no cut; c1 and c2 are simply the lowest"
    );

    assert!(!host.pm.unprotect(&vip, "vip"), "2c: no protection tag remains");
    assert!(!host.pm.is_protected(&vip, None));

    host.sleep(POST_STAGE_WAIT);
    host.connect_client("c4");
    assert_eq!(host.trims().len(), 1, "three peers: still at highWater");
    host.connect_client("c5");
    host.sleep(TRIM_WAIT);
    assert!(!host.is_in(&vip), "2d: vip dropped by the second trim");
    assert_eq!(host.connected_ids(), vec![s("c4"), s("c5")]);
    assert_eq!(
        verdicts(&host, 1),
        vec![
            (s("c0"), Some(1), Verdict::ClosedLowestScore),
            (s("c3"), Some(2), Verdict::ClosedLowestScore),
            (s("c4"), None, Verdict::KeptInGrace),
            (s("c5"), None, Verdict::KeptInGrace),
        ]
    );
}

#[test]
fn static_tags_keep_the_high_scoring_peer_and_the_trigger_survives_on_grace() {
    let mut host = Host::seed();
    host.connect_client("vip");
    host.pm.tag_peer(&s("vip"), "vip", 100);
    host.connect_client("plain1");
    host.connect_client("plain2");
    host.sleep(POST_STAGE_WAIT);
    host.connect_client("trigger");
    host.sleep(TRIM_WAIT);

    assert_eq!(host.connected_ids(), vec![s("trigger"), s("vip")], "3: survivors = 2");
    assert_eq!(host.score("vip"), 100.0);
    let r = host.trims()[0];
    assert_eq!(r.cut_score, Some(100.0));
    assert_eq!(
        verdicts(&host, 0),
        vec![
            (s("vip"), Some(3), Verdict::KeptAboveCut),
            (s("plain1"), Some(1), Verdict::ClosedLowestScore),
            (s("plain2"), Some(2), Verdict::ClosedLowestScore),
            (s("trigger"), None, Verdict::KeptInGrace),
        ]
    );
}

#[test]
fn a_decaying_tag_loses_twenty_per_tick_is_removed_at_zero_and_bumps_only_while_live() {
    let mut host = Host::seed();
    let (p1, p2, p3, p4) = (s("p1"), s("p2"), s("p3"), s("p4"));
    for c in ["p1", "p2", "p3"] {
        host.connect_client(c);
    }
    assert_eq!(host.now, 15);
    host.pm.tag_peer_decaying(&p1, "boost", 100, 50, DecayFn::fixed(20), 15);
    host.pm.tag_peer_decaying(&p2, "boost", 100, 50, DecayFn::fixed(20), 15);
    let scores = |h: &Host| [h.score("p1"), h.score("p2"), h.score("p3")];
    assert_eq!(scores(&host), [100.0, 100.0, 0.0], "4a");
    // 15 + 50 rounded up to the 50 ms grid: the first tick is at 100, then every 50 ms.
    assert_eq!(host.pm.poll_timeout(), Some(100));
    host.progress();
    host.take_events();

    host.advance_to(250);
    assert_eq!(scores(&host), [20.0, 20.0, 0.0], "four ticks: 100 -> 20");
    assert!(!host.pm.bump_decaying_tag(&p3, "boost", 5, 250), "p3 never had the tag");
    host.advance_to(300);
    assert_eq!(scores(&host), [0.0, 0.0, 0.0], "the fifth tick takes it to 0");
    assert_eq!(host.pm.tag_value(&p1, "boost"), None, "and the tag is removed");
    let p1_events: Vec<_> =
        host.take_events().into_iter().filter(|e| format!("{e:?}").contains("\"p1\"")).collect();
    let boost = || "boost".into();
    assert_eq!(
        p1_events,
        vec![
            Event::TagDecayed { peer: s("p1"), tag: boost(), old: 100, new: 80, at: 100 },
            Event::TagDecayed { peer: s("p1"), tag: boost(), old: 80, new: 60, at: 150 },
            Event::TagDecayed { peer: s("p1"), tag: boost(), old: 60, new: 40, at: 200 },
            Event::TagDecayed { peer: s("p1"), tag: boost(), old: 40, new: 20, at: 250 },
            Event::TagRemoved {
                peer: s("p1"),
                tag: boost(),
                old: 20,
                cause: RemovalCause::Decayed,
                at: 300
            },
        ]
    );
    host.advance_to(15 + 350);
    assert_eq!(scores(&host), [0.0, 0.0, 0.0], "4b");
    assert!(!host.pm.bump_decaying_tag(&p1, "boost", 50, host.now), "a removed tag: no-op");
    assert_eq!(host.score("p1"), 0.0);

    let now = host.now;
    host.pm.tag_peer_decaying(&p1, "boost", 100, 50, DecayFn::none(), now);
    assert_eq!(host.score("p1"), 100.0, "4c");
    host.connect_client("p4");
    host.sleep(TRIM_WAIT);
    assert_eq!(host.connected_ids(), vec![s("p1"), s("p4")], "4d: survivors = 2");
    assert!(!host.is_in(&p2) && !host.is_in(&p3));
    assert_eq!(host.score("p1"), 100.0, "decayNone holds its value");
    assert_eq!(
        verdicts(&host, 0),
        vec![
            (s("p1"), Some(3), Verdict::KeptAboveCut),
            (s("p2"), Some(1), Verdict::ClosedLowestScore),
            (s("p3"), Some(2), Verdict::ClosedLowestScore),
            (s("p4"), None, Verdict::KeptInGrace),
        ]
    );

    assert!(host.pm.bump_decaying_tag(&p1, "boost", 50, host.now));
    assert_eq!(host.score("p1"), 150.0, "4e");
    let _ = p4;
}

#[test]
fn the_tutorial_prints_the_seeds_lines() {
    assert_eq!(
        common::tutorial::run(),
        vec![
            "1a. before trigger: connected = 3",
            "1b. after trigger:  connected = 2 (lowWater = 2)",
            "2a. isProtected(vip) = true",
            "2b. first trim:  vip survived = true, connected = 2",
            "2c. unprotect:   still-protected = false",
            "2d. second trim: vip survived = false, connected = 2",
            "3. survivors = 2 (lowWater = 2), vip(100) in = true, plain1(0) in = false, plain2(0) in = false, trigger(grace) in = true",
            "   peerScore(vip) = 100",
            "4a. initial scores: p1 = 100, p2 = 100, p3 = 0",
            "4b. after decay:    p1 = 0, p2 = 0, p3 = 0",
            "4c. after re-tag:   p1 = 100",
            "4d. survivors = 2, p1(100) in = true, p2(0) in = false, p3(0) in = false, p4(grace) in = true",
            "   peerScore(p1) = 100",
            "4e. after bump:    p1 = 150",
        ]
    );
}
