//! Turns the `--demo-*` flags into the list of demo peers to start, refusing impossible mixes.

use anyhow::{bail, Result};

use super::BehaviourKind;

/// Upper bound on `--demo-peers`: each peer holds a WebRTC listener (a UDP socket and its
/// tasks) and a websocket listener; see docs/performance.md for the memory per peer.
pub const MAX_DEMO_PEERS: usize = 256;

/// Kinds in start order: honest peers first, then slow, then flapping. Explicit counts are
/// taken as given; an unset count (flapping first, then slow) means one such peer if that still
/// leaves an honest peer, else none, so `--demo-peers 1` is one honest peer.
pub fn plan(
    peers: usize,
    flapping: Option<usize>,
    slow: Option<usize>,
) -> Result<Vec<BehaviourKind>> {
    if peers > MAX_DEMO_PEERS {
        bail!("--demo-peers {peers} is more than the maximum of {MAX_DEMO_PEERS}");
    }
    let explicit = flapping.unwrap_or(0) + slow.unwrap_or(0);
    if explicit > peers {
        bail!(
            "--demo-flapping {} plus --demo-slow {} is more than --demo-peers {peers}",
            flapping.unwrap_or(0),
            slow.unwrap_or(0)
        );
    }
    let mut left = peers - explicit;
    let mut default_count = || {
        let n = usize::from(left > 1);
        left -= n;
        n
    };
    let flapping_n = flapping.unwrap_or_else(&mut default_count);
    let slow_n = slow.unwrap_or_else(&mut default_count);
    let honest_n = peers - flapping_n - slow_n;
    let mut kinds = vec![BehaviourKind::Honest; honest_n];
    kinds.extend(std::iter::repeat_n(BehaviourKind::Slow, slow_n));
    kinds.extend(std::iter::repeat_n(BehaviourKind::Flapping, flapping_n));
    Ok(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use BehaviourKind::{Flapping, Honest, Slow};

    fn err(peers: usize, flapping: Option<usize>, slow: Option<usize>) -> String {
        plan(peers, flapping, slow).unwrap_err().to_string()
    }

    #[test]
    fn defaults_give_ten_honest_one_slow_and_one_flapping_peer() {
        let kinds = plan(12, None, None).unwrap();
        let mut expected = vec![Honest; 10];
        expected.extend([Slow, Flapping]);
        assert_eq!(kinds, expected);
    }

    #[test]
    fn zero_demo_peers_disables_the_network_and_its_defaults() {
        assert_eq!(plan(0, None, None).unwrap(), vec![]);
        assert_eq!(plan(0, Some(0), Some(0)).unwrap(), vec![]);
    }

    #[test]
    fn default_special_peers_always_leave_one_honest_peer() {
        assert_eq!(plan(1, None, None).unwrap(), vec![Honest]);
        assert_eq!(plan(2, None, None).unwrap(), vec![Honest, Flapping]);
        assert_eq!(plan(3, None, None).unwrap(), vec![Honest, Slow, Flapping]);
        assert_eq!(plan(3, Some(2), None).unwrap(), vec![Honest, Flapping, Flapping]);
    }

    #[test]
    fn explicit_counts_are_honoured_in_start_order() {
        assert_eq!(plan(3, Some(2), Some(0)).unwrap(), vec![Honest, Flapping, Flapping]);
        assert_eq!(plan(2, Some(1), Some(1)).unwrap(), vec![Slow, Flapping]);
        assert_eq!(plan(1, Some(1), None).unwrap(), vec![Flapping]);
        assert_eq!(plan(1, None, Some(0)).unwrap(), vec![Honest]);
    }

    #[test]
    fn more_special_peers_than_demo_peers_is_refused_naming_the_flags() {
        assert_eq!(
            err(2, Some(2), Some(1)),
            "--demo-flapping 2 plus --demo-slow 1 is more than --demo-peers 2"
        );
        assert_eq!(
            err(0, None, Some(3)),
            "--demo-flapping 0 plus --demo-slow 3 is more than --demo-peers 0"
        );
    }

    #[test]
    fn more_than_the_maximum_is_refused() {
        assert!(plan(MAX_DEMO_PEERS, Some(0), Some(0)).is_ok());
        assert_eq!(
            err(MAX_DEMO_PEERS + 1, None, None),
            "--demo-peers 257 is more than the maximum of 256"
        );
    }
}
