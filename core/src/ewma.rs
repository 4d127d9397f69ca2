//! A continuous-time exponentially weighted average with a half-life (AvalancheGo's
//! `math.Averager`, the one behind its benchlist and its send-fail rate).
//!
//! Each observation `x_i` made at `t_i` carries weight `w_i = 2^(-(t - t_i) / h)` at time `t`,
//! where `h` is the half-life, and the value is `sum(w_i * x_i) / sum(w_i)`. Incrementally, an
//! observation `x` at `t` after the last update `t0` does
//!
//! ```text
//! d   = 2^(-(t - t0) / h)
//! sum = x + d * sum
//! den = 1 + d * den
//! ```
//!
//! so an observation one half-life old counts half as much as a fresh one. Reading does not
//! decay the value: without new observations the average holds (both sums decay alike). The
//! first observation sets the value outright (no invented prior).
//!
//! Worked example, `h` = 60 s: success at 0 s (value 0), failure at 60 s:
//! `d = 0.5`, `sum = 1 + 0.5 * 0 = 1`, `den = 1 + 0.5 * 1 = 1.5`, value `2/3`.

use serde::{Deserialize, Serialize};

use crate::types::Millis;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecayingAverage {
    half_life: Millis,
    sum: f64,
    den: f64,
    last: Option<Millis>,
}

impl DecayingAverage {
    /// `half_life` in ms; must be non-zero (configs validate it).
    pub fn new(half_life: Millis) -> Self {
        DecayingAverage { half_life, sum: 0.0, den: 0.0, last: None }
    }

    pub fn observe(&mut self, value: f64, now: Millis) {
        let Some(last) = self.last else {
            self.sum = value;
            self.den = 1.0;
            self.last = Some(now);
            return;
        };
        if now >= last {
            let d = self.decay(now - last);
            self.sum = value + d * self.sum;
            self.den = 1.0 + d * self.den;
            self.last = Some(now);
        } else {
            // A late report of an earlier event weighs what it would have weighed had it
            // arrived in order; the clock does not move back.
            let w = self.decay(last - now);
            self.sum += w * value;
            self.den += w;
        }
    }

    fn decay(&self, elapsed: Millis) -> f64 {
        (-(elapsed as f64) / self.half_life as f64).exp2()
    }

    /// The average, or `None` before the first observation.
    pub fn value(&self) -> Option<f64> {
        self.last.map(|_| self.sum / self.den)
    }

    pub fn half_life(&self) -> Millis {
        self.half_life
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worked_example_in_the_docs_holds() {
        let mut a = DecayingAverage::new(60_000);
        assert_eq!(a.value(), None);
        a.observe(0.0, 0);
        a.observe(1.0, 60_000);
        assert!((a.value().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn simultaneous_observations_are_a_plain_mean() {
        let mut a = DecayingAverage::new(60_000);
        for v in [1.0, 0.0, 0.0, 1.0] {
            a.observe(v, 5);
        }
        assert_eq!(a.value(), Some(0.5));
    }
}
