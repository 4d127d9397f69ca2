//! When a flapping demo peer is reachable: a pure function of the milliseconds since it
//! started, so the schedule is tested on an injected clock and the peer task only sleeps until
//! the next change.

/// Up for [`UP_MS`](FlapSchedule::UP_MS), then down for [`DOWN_MS`](FlapSchedule::DOWN_MS),
/// forever; the first up period is longer by a per-peer stagger so several flapping peers do
/// not all drop at once. Example (stagger 0): up 0..30 s, down 30..45 s, up 45..75 s, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlapSchedule {
    first_up_ms: u64,
    up_ms: u64,
    down_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Listening and accepting.
    Up,
    /// No listeners, no connections.
    Down,
}

/// The phase at some moment and the moment (ms since start) it next changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseAt {
    pub phase: Phase,
    pub next_change_ms: u64,
}

impl FlapSchedule {
    /// 30 s up: long enough for a page to connect, identify and ping the peer.
    pub const UP_MS: u64 = 30_000;
    /// 15 s down: long enough for a managing peer to notice (dials fail) and back off.
    pub const DOWN_MS: u64 = 15_000;
    /// The n-th flapping peer's first up period is `n * STAGGER_MS` longer (modulo one cycle).
    pub const STAGGER_MS: u64 = 7_000;

    /// The default schedule of the `nth` flapping peer (0-based).
    #[cfg(test)]
    pub fn staggered(nth: usize) -> Self {
        Self::staggered_with(nth, Self::UP_MS, Self::DOWN_MS)
    }

    /// The `nth` flapping peer's schedule with other phase lengths (`--demo-flap-up-ms`,
    /// `--demo-flap-down-ms`); panics on a zero-length phase like [`FlapSchedule::new`].
    pub fn staggered_with(nth: usize, up_ms: u64, down_ms: u64) -> Self {
        let cycle = up_ms.saturating_add(down_ms);
        let stagger = (nth as u64).wrapping_mul(Self::STAGGER_MS) % cycle.max(1);
        Self::new(up_ms + stagger, up_ms, down_ms)
    }

    /// Panics if `up_ms` or `down_ms` is 0 (a phase that never lasts is a programming error).
    pub fn new(first_up_ms: u64, up_ms: u64, down_ms: u64) -> Self {
        assert!(up_ms > 0 && down_ms > 0, "flap phases must last at least 1 ms");
        FlapSchedule { first_up_ms, up_ms, down_ms }
    }

    pub fn phase_at(&self, elapsed_ms: u64) -> PhaseAt {
        if elapsed_ms < self.first_up_ms {
            return PhaseAt { phase: Phase::Up, next_change_ms: self.first_up_ms };
        }
        let cycle = self.down_ms + self.up_ms;
        let since = elapsed_ms - self.first_up_ms;
        let cycle_start = self.first_up_ms + since / cycle * cycle;
        if since % cycle < self.down_ms {
            PhaseAt { phase: Phase::Down, next_change_ms: cycle_start + self.down_ms }
        } else {
            PhaseAt { phase: Phase::Up, next_change_ms: cycle_start + cycle }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &FlapSchedule, ms: u64) -> (Phase, u64) {
        let p = s.phase_at(ms);
        (p.phase, p.next_change_ms)
    }

    #[test]
    fn a_flapping_peer_starts_up_then_alternates_down_and_up_to_the_millisecond() {
        let s = FlapSchedule::new(1_000, 300, 200);
        assert_eq!(at(&s, 0), (Phase::Up, 1_000));
        assert_eq!(at(&s, 999), (Phase::Up, 1_000));
        assert_eq!(at(&s, 1_000), (Phase::Down, 1_200));
        assert_eq!(at(&s, 1_199), (Phase::Down, 1_200));
        assert_eq!(at(&s, 1_200), (Phase::Up, 1_500));
        assert_eq!(at(&s, 1_499), (Phase::Up, 1_500));
        assert_eq!(at(&s, 1_500), (Phase::Down, 1_700));
        assert_eq!(at(&s, 1_000 + 500 * 1_000 + 250), (Phase::Up, 1_000 + 500 * 1_001));
    }

    #[test]
    fn the_default_schedule_is_up_30_s_then_down_15_s() {
        let s = FlapSchedule::staggered(0);
        assert_eq!(at(&s, 29_999), (Phase::Up, 30_000));
        assert_eq!(at(&s, 30_000), (Phase::Down, 45_000));
        assert_eq!(at(&s, 45_000), (Phase::Up, 75_000));
    }

    #[test]
    fn later_flapping_peers_first_drop_later_by_the_stagger_modulo_one_cycle() {
        assert_eq!(FlapSchedule::staggered(1).phase_at(0).next_change_ms, 37_000);
        assert_eq!(FlapSchedule::staggered(2).phase_at(0).next_change_ms, 44_000);
        // 7 * 7 s = 49 s, one 45 s cycle wraps to 4 s.
        assert_eq!(FlapSchedule::staggered(7).phase_at(0).next_change_ms, 34_000);
    }

    #[test]
    fn phase_lengths_from_the_flags_replace_the_defaults() {
        let s = FlapSchedule::staggered_with(0, 10_000, 15_000);
        assert_eq!(at(&s, 9_999), (Phase::Up, 10_000));
        assert_eq!(at(&s, 10_000), (Phase::Down, 25_000));
        assert_eq!(at(&s, 25_000), (Phase::Up, 35_000));
        // The stagger wraps modulo the configured cycle.
        assert_eq!(
            FlapSchedule::staggered_with(4, 10_000, 15_000).phase_at(0).next_change_ms,
            13_000
        );
    }

    #[test]
    #[should_panic(expected = "at least 1 ms")]
    fn a_zero_length_phase_is_refused() {
        FlapSchedule::new(0, 0, 10);
    }
}
