//! Spam strikes and soft bans on the injected clock (seed 003).

use peerkeeper_core::strikes::{
    StrikeConfig, StrikeExpiry, StrikeKind, StrikeOutcome, Strikes, SPAM_BAN_REASON,
};

fn strikes() -> Strikes<&'static str> {
    Strikes::new(StrikeConfig::default()).unwrap()
}

#[test]
fn defaults_are_the_seed_constants() {
    let c = StrikeConfig::default();
    assert_eq!(c.threshold, 10);
    assert_eq!(c.ban_duration, 3_600_000);
}

#[test]
fn tenth_strike_soft_bans_and_ninth_does_not() {
    let mut s = strikes();
    for i in 1..=9u32 {
        let out = s.strike("p", StrikeKind::Deserialization, 1_000 + u64::from(i));
        assert_eq!(
            out,
            StrikeOutcome::Counted {
                peer: "p",
                kind: StrikeKind::Deserialization,
                strikes: i,
                threshold: 10
            }
        );
    }
    assert!(!s.is_banned(&"p"));
    assert_eq!(s.next_deadline(), None);

    let out = s.strike("p", StrikeKind::ProtocolViolation, 2_000);
    assert_eq!(
        out,
        StrikeOutcome::SoftBanned {
            peer: "p",
            kind: StrikeKind::ProtocolViolation,
            strikes: 10,
            since: 2_000,
            until: 3_602_000,
            reason: SPAM_BAN_REASON.to_string(),
        }
    );
    assert!(s.is_banned(&"p"));
    assert_eq!(s.ban_remaining(&"p", 1_802_000), Some(1_800_000));
    assert_eq!(s.next_deadline(), Some(3_602_000));
}

#[test]
fn a_valid_packet_resets_the_counter() {
    let mut s = strikes();
    for t in 0..9 {
        s.strike("p", StrikeKind::DeadForkBlock, t);
    }
    assert_eq!(s.strikes(&"p"), 9);
    s.valid_packet(&"p");
    assert_eq!(s.strikes(&"p"), 0);
    assert_eq!(s.tracked(), 0);
    for t in 10..19 {
        assert!(matches!(
            s.strike("p", StrikeKind::Deserialization, t),
            StrikeOutcome::Counted { .. }
        ));
    }
    assert!(!s.is_banned(&"p"));
}

#[test]
fn a_successful_reconnection_resets_the_counter() {
    let mut s = strikes();
    s.strike("p", StrikeKind::Deserialization, 0);
    s.reconnected(&"p");
    assert_eq!(s.strikes(&"p"), 0);
}

#[test]
fn duplicates_out_of_order_in_range_and_in_grace_dead_fork_blocks_do_not_count() {
    let mut s = strikes();
    for t in 0..50 {
        for kind in [
            StrikeKind::DuplicateBlock,
            StrikeKind::OutOfOrderBlockInRange,
            StrikeKind::DeadForkBlockInGrace,
        ] {
            assert_eq!(s.strike("p", kind, t), StrikeOutcome::NotCounted { peer: "p", kind });
        }
    }
    assert_eq!(s.strikes(&"p"), 0);
    // Nothing is kept for a peer whose packets never counted.
    assert_eq!(s.tracked(), 0);
    let counting: Vec<_> = StrikeKind::ALL.into_iter().filter(|k| k.counts()).collect();
    assert_eq!(
        counting,
        [StrikeKind::Deserialization, StrikeKind::ProtocolViolation, StrikeKind::DeadForkBlock]
    );
}

#[test]
fn ban_expires_exactly_after_3600_s_and_clears_the_counter() {
    let mut s = strikes();
    for t in 0..10 {
        s.strike("p", StrikeKind::Deserialization, t);
    }
    // Banned at t = 9.
    assert_eq!(s.handle_timeout(3_600_008), vec![]);
    assert!(s.is_banned(&"p"));
    assert_eq!(
        s.handle_timeout(3_600_009),
        vec![StrikeExpiry::BanExpired {
            peer: "p",
            since: 9,
            at: 3_600_009,
            reason: SPAM_BAN_REASON.to_string()
        }]
    );
    assert!(!s.is_banned(&"p"));
    assert_eq!(s.strikes(&"p"), 0);
    assert_eq!(s.next_deadline(), None);
}

#[test]
fn strikes_while_banned_change_nothing() {
    let mut s = strikes();
    for t in 0..10 {
        s.strike("p", StrikeKind::Deserialization, t);
    }
    assert_eq!(
        s.strike("p", StrikeKind::Deserialization, 100),
        StrikeOutcome::AlreadyBanned { peer: "p", until: 3_600_009 }
    );
    assert_eq!(s.next_deadline(), Some(3_600_009));
}

#[test]
fn a_valid_packet_does_not_lift_a_ban() {
    let mut s = strikes();
    for t in 0..10 {
        s.strike("p", StrikeKind::Deserialization, t);
    }
    s.valid_packet(&"p");
    assert!(s.is_banned(&"p"));
}

#[test]
fn manual_soft_ban_carries_its_own_reason_and_unban_lifts_it() {
    let mut s = strikes();
    let ban = s.soft_ban("q", "operator: flooding gossip", 50);
    assert_eq!(ban.until, 3_600_050);
    assert_eq!(s.ban(&"q").unwrap().reason, "operator: flooding gossip");
    assert!(s.unban(&"q"));
    assert!(!s.is_banned(&"q"));
    assert_eq!(s.next_deadline(), None);
}

#[test]
fn expiries_come_out_in_time_order_whatever_the_peer_order() {
    let mut s = strikes();
    s.soft_ban("z", "r", 0);
    s.soft_ban("a", "r", 5);
    let out = s.handle_timeout(10_000_000);
    let peers: Vec<_> = out
        .iter()
        .map(|e| match e {
            StrikeExpiry::BanExpired { peer, .. } => *peer,
        })
        .collect();
    assert_eq!(peers, ["z", "a"]);
}

#[test]
fn config_validation_names_the_field() {
    let err = Strikes::<u32>::new(StrikeConfig { threshold: 0, ..Default::default() }).unwrap_err();
    assert_eq!(err.field(), "threshold");
    let err =
        Strikes::<u32>::new(StrikeConfig { ban_duration: 0, ..Default::default() }).unwrap_err();
    assert_eq!(err.field(), "ban_duration");
}

#[test]
fn state_round_trips_through_json_and_outcomes_are_tagged() {
    let mut s: Strikes<String> = Strikes::new(StrikeConfig::default()).unwrap();
    s.strike("a".into(), StrikeKind::Deserialization, 1);
    s.soft_ban("b".into(), "r", 2);
    let json = serde_json::to_string(&s).unwrap();
    let back: Strikes<String> = serde_json::from_str(&json).unwrap();
    assert_eq!(back.strikes(&"a".to_string()), 1);
    assert!(back.is_banned(&"b".to_string()));
    assert_eq!(back.next_deadline(), Some(3_600_002));

    let out = StrikeOutcome::NotCounted { peer: "p", kind: StrikeKind::DuplicateBlock };
    assert_eq!(
        serde_json::to_value(&out).unwrap(),
        serde_json::json!({"type": "not_counted", "peer": "p", "kind": "duplicate_block"})
    );
}
