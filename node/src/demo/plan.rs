//! Turns the `--demo-*` flags into the list of demo peers to start, refusing impossible mixes.

use anyhow::{bail, Result};

use super::BehaviourKind;

/// Upper bound on `--demo-peers`: each peer holds a WebRTC listener (a UDP socket and its
/// tasks) and a websocket listener; see docs/performance.md for the memory per peer.
pub const MAX_DEMO_PEERS: usize = 256;

/// How many peers of each special kind the flags ask for; `None` is "the default".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindCounts {
    pub flapping: Option<usize>,
    pub slow: Option<usize>,
    pub spamming: Option<usize>,
    pub minority_fork: Option<usize>,
    pub irrelevant_network: Option<usize>,
}

impl KindCounts {
    /// The special kinds in the order their defaults are handed out, with their flags.
    fn special(&self) -> [(BehaviourKind, Option<usize>, &'static str); 5] {
        [
            (BehaviourKind::Flapping, self.flapping, "--demo-flapping"),
            (BehaviourKind::Slow, self.slow, "--demo-slow"),
            (BehaviourKind::Spamming, self.spamming, "--demo-spamming"),
            (BehaviourKind::MinorityFork, self.minority_fork, "--demo-minority-fork"),
            (
                BehaviourKind::IrrelevantNetwork,
                self.irrelevant_network,
                "--demo-irrelevant-network",
            ),
        ]
    }
}

/// Start order of the kinds: honest first, then as listed.
const START_ORDER: [BehaviourKind; 6] = [
    BehaviourKind::Honest,
    BehaviourKind::Slow,
    BehaviourKind::Flapping,
    BehaviourKind::Spamming,
    BehaviourKind::MinorityFork,
    BehaviourKind::IrrelevantNetwork,
];

/// Kinds in start order: honest peers first, then slow, flapping, spamming, minority-fork and
/// irrelevant-network ones. Explicit counts are taken as given; an unset count (flapping first,
/// then slow, spamming, minority fork, irrelevant network) means one such peer if that still
/// leaves an honest peer, else none, so `--demo-peers 1` is one honest peer and the default
/// 12 has one of each special kind and 7 honest peers.
pub fn plan(peers: usize, counts: KindCounts) -> Result<Vec<BehaviourKind>> {
    if peers > MAX_DEMO_PEERS {
        bail!("--demo-peers {peers} is more than the maximum of {MAX_DEMO_PEERS}");
    }
    let special = counts.special();
    let explicit: usize = special.iter().filter_map(|(_, n, _)| *n).sum();
    if explicit > peers {
        let named: Vec<String> = special
            .iter()
            .filter_map(|(_, n, flag)| n.filter(|&n| n > 0).map(|n| format!("{flag} {n}")))
            .collect();
        bail!("{} is more than --demo-peers {peers}", named.join(" plus "));
    }
    let mut left = peers - explicit;
    let mut chosen = Vec::new();
    for (kind, n, _) in special {
        let n = n.unwrap_or_else(|| {
            let n = usize::from(left > 1);
            left -= n;
            n
        });
        chosen.push((kind, n));
    }
    let honest = peers - chosen.iter().map(|(_, n)| n).sum::<usize>();
    chosen.push((BehaviourKind::Honest, honest));
    let mut kinds = Vec::with_capacity(peers);
    for kind in START_ORDER {
        let n = chosen.iter().find(|(k, _)| *k == kind).map_or(0, |(_, n)| *n);
        kinds.extend(std::iter::repeat_n(kind, n));
    }
    Ok(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use BehaviourKind::{Flapping, Honest, IrrelevantNetwork, MinorityFork, Slow, Spamming};

    fn counts(flapping: Option<usize>, slow: Option<usize>) -> KindCounts {
        KindCounts { flapping, slow, ..KindCounts::default() }
    }

    fn err(peers: usize, c: KindCounts) -> String {
        plan(peers, c).unwrap_err().to_string()
    }

    #[test]
    fn defaults_give_one_peer_of_each_special_kind_and_seven_honest_ones() {
        let kinds = plan(12, KindCounts::default()).unwrap();
        let mut expected = vec![Honest; 7];
        expected.extend([Slow, Flapping, Spamming, MinorityFork, IrrelevantNetwork]);
        assert_eq!(kinds, expected);
    }

    #[test]
    fn zero_demo_peers_disables_the_network_and_its_defaults() {
        assert_eq!(plan(0, KindCounts::default()).unwrap(), vec![]);
        assert_eq!(plan(0, counts(Some(0), Some(0))).unwrap(), vec![]);
    }

    #[test]
    fn default_special_peers_always_leave_one_honest_peer() {
        assert_eq!(plan(1, KindCounts::default()).unwrap(), vec![Honest]);
        assert_eq!(plan(2, KindCounts::default()).unwrap(), vec![Honest, Flapping]);
        assert_eq!(plan(3, KindCounts::default()).unwrap(), vec![Honest, Slow, Flapping]);
        assert_eq!(
            plan(5, KindCounts::default()).unwrap(),
            vec![Honest, Slow, Flapping, Spamming, MinorityFork]
        );
        assert_eq!(
            plan(6, KindCounts::default()).unwrap(),
            vec![Honest, Slow, Flapping, Spamming, MinorityFork, IrrelevantNetwork]
        );
        assert_eq!(plan(3, counts(Some(2), None)).unwrap(), vec![Honest, Flapping, Flapping]);
    }

    #[test]
    fn explicit_counts_are_honoured_in_start_order() {
        assert_eq!(plan(3, counts(Some(2), Some(0))).unwrap(), vec![Honest, Flapping, Flapping]);
        assert_eq!(plan(2, counts(Some(1), Some(1))).unwrap(), vec![Slow, Flapping]);
        assert_eq!(plan(1, counts(Some(1), None)).unwrap(), vec![Flapping]);
        assert_eq!(plan(1, counts(None, Some(0))).unwrap(), vec![Honest]);
        let only_forks = KindCounts {
            flapping: Some(0),
            slow: Some(0),
            spamming: Some(0),
            minority_fork: Some(2),
            irrelevant_network: Some(0),
        };
        assert_eq!(plan(3, only_forks).unwrap(), vec![Honest, MinorityFork, MinorityFork]);
    }

    #[test]
    fn more_special_peers_than_demo_peers_is_refused_naming_the_flags() {
        assert_eq!(
            err(2, counts(Some(2), Some(1))),
            "--demo-flapping 2 plus --demo-slow 1 is more than --demo-peers 2"
        );
        assert_eq!(
            err(0, KindCounts { spamming: Some(3), ..KindCounts::default() }),
            "--demo-spamming 3 is more than --demo-peers 0"
        );
    }

    #[test]
    fn more_than_the_maximum_is_refused() {
        assert!(plan(MAX_DEMO_PEERS, counts(Some(0), Some(0))).is_ok());
        assert_eq!(
            err(MAX_DEMO_PEERS + 1, KindCounts::default()),
            "--demo-peers 257 is more than the maximum of 256"
        );
    }
}
