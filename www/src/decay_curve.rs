//! The decay playground's maths: the curve a decaying tag would follow, computed by the
//! engine itself (a throwaway `PeerManager` on a virtual clock), so what the learner sees is
//! exactly what the engine would do.

use peerkeeper_core::{BumpFn, Config, DecayFn, Millis, PeerManager};

/// Points at most, so a long run with a short interval stays drawable.
pub const MAX_POINTS: usize = 2_000;
/// Longest run drawn: one simulated day.
pub const MAX_DURATION: Millis = 86_400_000;

#[derive(Debug, Clone, PartialEq)]
pub struct CurveSpec {
    /// `none`, `fixed`, `linear` or `expire`.
    pub decay: String,
    /// The decay's parameter: the amount for `fixed`, the coefficient for `linear`, the
    /// inactivity in ms for `expire`.
    pub param: f64,
    pub interval: Millis,
    pub initial: i64,
    /// `sum`, `bounded` (0..=`bound`) or `overwrite`.
    pub bump: String,
    pub bound: i64,
    /// Bump every this many ms (0: never), by `bump_by`.
    pub bump_every: Millis,
    pub bump_by: i64,
    pub duration: Millis,
}

impl Default for CurveSpec {
    fn default() -> Self {
        CurveSpec {
            decay: "linear".into(),
            param: 0.8,
            interval: 1_000,
            initial: 100,
            bump: "sum".into(),
            bound: 100,
            bump_every: 5_000,
            bump_by: 30,
            duration: 20_000,
        }
    }
}

fn decay_fn(spec: &CurveSpec) -> Result<DecayFn, String> {
    let p = spec.param;
    if !p.is_finite() {
        return Err("param: must be a number".into());
    }
    Ok(match spec.decay.as_str() {
        "none" => DecayFn::none(),
        "fixed" if p >= 0.0 => DecayFn::fixed(p as i64),
        "fixed" => return Err("param: a fixed decay amount must not be negative".into()),
        "linear" if (0.0..=1.0).contains(&p) => DecayFn::linear(p),
        "linear" => return Err("param: a linear coefficient must be within 0..=1".into()),
        "expire" if p >= 0.0 => DecayFn::expire_when_inactive(p as Millis),
        "expire" => return Err("param: the inactivity must not be negative".into()),
        other => return Err(format!("decay: unknown decay function {other:?}")),
    })
}

fn bump_fn(spec: &CurveSpec) -> Result<BumpFn, String> {
    match spec.bump.as_str() {
        "sum" => Ok(BumpFn::sum()),
        "bounded" if spec.bound >= 0 => Ok(BumpFn::sum_bounded(0, spec.bound)),
        "bounded" => Err("bound: must not be negative".into()),
        "overwrite" => Ok(BumpFn::overwrite()),
        other => Err(format!("bump: unknown bump function {other:?}")),
    }
}

/// The tag's value over time: one point at the start, at every decay and every bump, and at
/// the end; 0 once the tag is gone. Refuses a bad spec naming the field.
pub fn curve(spec: &CurveSpec) -> Result<Vec<(Millis, f64)>, String> {
    let decay = decay_fn(spec)?;
    let bump = bump_fn(spec)?;
    if spec.interval == 0 {
        return Err("interval: must be at least 1 ms".into());
    }
    if spec.duration == 0 || spec.duration > MAX_DURATION {
        return Err(format!("duration: must be within 1..={MAX_DURATION} ms"));
    }
    if spec.initial <= 0 {
        return Err("initial: must be greater than 0".into());
    }
    // The tagged peer never connects: keep its record for the whole run.
    let config =
        Config { decay_resolution: 1, retention_ms: 2 * MAX_DURATION, ..Config::default() };
    let key = String::from("peer");
    let mut pm: PeerManager<String> = PeerManager::new(config).map_err(|e| e.to_string())?;
    let tag = |pm: &mut PeerManager<String>, value: i64, now: Millis| {
        pm.tag_peer_decaying_with_bump(&key, "t", value, spec.interval, decay.clone(), bump, now)
    };
    tag(&mut pm, spec.initial, 0);
    let mut points = vec![(0, spec.initial as f64)];
    let mut next_bump = if spec.bump_every > 0 { spec.bump_every } else { Millis::MAX };
    let value = |pm: &PeerManager<String>| pm.tag_value(&key, "t").unwrap_or(0) as f64;
    while points.len() < MAX_POINTS {
        let next_decay = pm.poll_timeout().unwrap_or(Millis::MAX);
        let t = next_decay.min(next_bump);
        if t > spec.duration {
            break;
        }
        if t == next_decay {
            pm.handle_timeout(t);
        }
        if t == next_bump {
            if !pm.bump_decaying_tag(&key, "t", spec.bump_by, t) {
                tag(&mut pm, spec.bump_by, t);
            }
            next_bump = next_bump.saturating_add(spec.bump_every);
        }
        while pm.poll_event().is_some() {}
        points.push((t, value(&pm)));
    }
    let end = value(&pm);
    if points.last().is_some_and(|p| p.0 < spec.duration) {
        points.push((spec.duration, end));
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linear_decay_multiplies_the_value_at_each_interval_and_a_bump_adds_to_it() {
        let spec = CurveSpec {
            decay: "linear".into(),
            param: 0.5,
            interval: 1_000,
            initial: 100,
            bump_every: 2_500,
            bump_by: 10,
            duration: 3_000,
            ..CurveSpec::default()
        };
        assert_eq!(
            curve(&spec).unwrap(),
            vec![(0, 100.0), (1_000, 50.0), (2_000, 25.0), (2_500, 35.0), (3_000, 17.0)]
        );
    }

    #[test]
    fn a_fixed_decay_runs_out_and_the_tag_is_gone() {
        let spec = CurveSpec {
            decay: "fixed".into(),
            param: 40.0,
            bump_every: 0,
            duration: 4_000,
            ..CurveSpec::default()
        };
        assert_eq!(
            curve(&spec).unwrap(),
            vec![(0, 100.0), (1_000, 60.0), (2_000, 20.0), (3_000, 0.0), (4_000, 0.0)]
        );
    }

    #[test]
    fn a_bad_spec_is_refused_naming_the_field() {
        let bad = |f: fn(&mut CurveSpec)| {
            let mut s = CurveSpec::default();
            f(&mut s);
            curve(&s).unwrap_err()
        };
        assert!(bad(|s| s.param = 1.5).starts_with("param:"));
        assert!(bad(|s| s.interval = 0).starts_with("interval:"));
        assert!(bad(|s| s.decay = "cubic".into()).starts_with("decay:"));
        assert!(bad(|s| s.duration = MAX_DURATION + 1).starts_with("duration:"));
        assert!(bad(|s| s.initial = 0).starts_with("initial:"));
    }
}
