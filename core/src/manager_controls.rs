//! Live reconfiguration of the trim settings, for hosts (the page's controls, an operator's
//! console) that change them while peers are connected.
//!
//! A change is validated like a config at construction and refused whole, naming the field,
//! so a bad value never leaves the engine half-changed. Lowering the high water below the
//! connected count trims at once (subject to the silence period, as any trim request), since
//! a new connection would have done so at the lower mark anyway.

use std::fmt::Debug;
use std::hash::Hash;

use crate::config::ConfigError;
use crate::events::TrimTrigger;
use crate::manager::PeerManager;
use crate::types::Millis;

/// The four settings the trim policy reads, changed together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrimSettings {
    /// Peers kept after a trim. Example: 6.
    pub low_water: usize,
    /// More connected peers than this trims. Example: 8.
    pub high_water: usize,
    /// New connections are exempt from trims for this long (ms). Example: 2 000.
    pub grace_period: Millis,
    /// Minimum time between two trims (ms). Example: 1 000.
    pub silence_period: Millis,
}

impl<P: Clone + Eq + Hash + Ord + Debug> PeerManager<P> {
    /// The trim settings in force.
    pub fn trim_settings(&self) -> TrimSettings {
        TrimSettings {
            low_water: self.config.low_water,
            high_water: self.config.high_water,
            grace_period: self.config.grace_period,
            silence_period: self.config.silence_period,
        }
    }

    /// Replaces the trim settings; refuses an invalid set (naming the field) and changes
    /// nothing then. Returns whether a trim was requested because the connected count now
    /// exceeds the new high water.
    pub fn set_trim_settings(
        &mut self,
        settings: TrimSettings,
        now: Millis,
    ) -> Result<bool, ConfigError> {
        let mut next = self.config.clone();
        next.low_water = settings.low_water;
        next.high_water = settings.high_water;
        next.grace_period = settings.grace_period;
        next.silence_period = settings.silence_period;
        next.validate()?;
        let now = self.advance(now);
        self.config = next;
        let over = self.book.counted() > self.config.high_water;
        if over {
            self.request_trim(TrimTrigger::HighWaterCrossed, now);
            self.enforce_retention();
        }
        Ok(over)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, Config, ConnId, Direction, Event};

    fn manager(low: usize, high: usize) -> PeerManager<u32> {
        let config =
            Config { low_water: low, high_water: high, grace_period: 0, ..Config::default() };
        PeerManager::new(config).unwrap()
    }

    fn connect(pm: &mut PeerManager<u32>, peers: std::ops::Range<u32>, now: Millis) {
        for p in peers {
            pm.connected(&p, ConnId(p as u64), Direction::Inbound, now);
        }
    }

    #[test]
    fn lowering_the_high_water_below_the_count_trims_down_to_the_new_low_water() {
        let mut pm = manager(8, 10);
        connect(&mut pm, 0..6, 0);
        pm.tag_peer(&4, "keep", 5);
        pm.tag_peer(&5, "keep", 5);
        while pm.poll_event().is_some() {}
        let settings = TrimSettings { low_water: 2, high_water: 4, ..pm.trim_settings() };
        assert_eq!(pm.set_trim_settings(settings, 100), Ok(true));
        let mut closed: Vec<u32> = std::iter::from_fn(|| pm.poll_command())
            .map(|c| match c {
                Command::Disconnect { peer, .. } => peer,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        closed.sort();
        assert_eq!(closed, vec![0, 1, 2, 3]);
        let trimmed = std::iter::from_fn(|| pm.poll_event())
            .find_map(|e| match e {
                Event::Trimmed { report, at } => Some((report.trigger, report.target, at)),
                _ => None,
            })
            .unwrap();
        assert_eq!(trimmed, (TrimTrigger::HighWaterCrossed, 2, 100));
        assert_eq!(pm.trim_settings(), settings);
    }

    #[test]
    fn raising_the_watermarks_trims_nobody() {
        let mut pm = manager(2, 4);
        connect(&mut pm, 0..3, 0);
        let settings = TrimSettings { low_water: 5, high_water: 9, ..pm.trim_settings() };
        assert_eq!(pm.set_trim_settings(settings, 10), Ok(false));
        assert_eq!(pm.poll_command(), None);
        assert_eq!(pm.config().high_water, 9);
    }

    #[test]
    fn an_invalid_set_is_refused_naming_the_field_and_changes_nothing() {
        let mut pm = manager(2, 4);
        let before = pm.trim_settings();
        let bad = TrimSettings { low_water: 7, high_water: 3, ..before };
        assert_eq!(pm.set_trim_settings(bad, 0).unwrap_err().field(), "low_water");
        let zero = TrimSettings { high_water: 0, low_water: 0, ..before };
        assert_eq!(pm.set_trim_settings(zero, 0).unwrap_err().field(), "high_water");
        assert_eq!(pm.trim_settings(), before);
    }

    #[test]
    fn a_new_grace_period_applies_to_the_next_trim() {
        let mut pm = manager(1, 2);
        let settings = TrimSettings { grace_period: 1_000, ..pm.trim_settings() };
        pm.set_trim_settings(settings, 0).unwrap();
        connect(&mut pm, 0..3, 0);
        // All three are in grace: the high-water trim closes nobody.
        assert_eq!(pm.poll_command(), None);
    }

    #[test]
    fn a_trim_requested_by_a_change_inside_the_silence_period_is_deferred_to_its_end() {
        let mut pm = manager(1, 2);
        let settings = TrimSettings { silence_period: 500, ..pm.trim_settings() };
        pm.set_trim_settings(settings, 0).unwrap();
        connect(&mut pm, 0..3, 0);
        while pm.poll_command().is_some() {}
        while pm.poll_event().is_some() {}
        connect(&mut pm, 10..13, 100);
        while pm.poll_event().is_some() {}
        let lower = TrimSettings { low_water: 1, high_water: 1, ..pm.trim_settings() };
        assert_eq!(pm.set_trim_settings(lower, 200), Ok(true));
        assert_eq!(pm.poll_event(), None, "already deferred by the connects at 100");
        assert_eq!(pm.poll_timeout(), Some(500));
    }
}
