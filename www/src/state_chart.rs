//! Chart geometry: series in engine units scaled into an SVG box. Pure, so the charts' data is
//! tested without a browser.

use peerkeeper_core::Millis;

/// Inner padding of every chart, in SVG units.
pub const PAD: f64 = 28.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    pub width: f64,
    pub height: f64,
    pub t0: Millis,
    pub t1: Millis,
    pub y0: f64,
    pub y1: f64,
}

impl Scale {
    /// A scale covering every series point and every extra y value (e.g. watermark lines),
    /// with a little headroom; a flat or empty range still has height.
    pub fn fit(width: f64, height: f64, series: &[&[(Millis, f64)]], extra_y: &[f64]) -> Scale {
        let points = series.iter().flat_map(|s| s.iter());
        let (mut t0, mut t1) = (Millis::MAX, 0);
        let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
        for &(t, y) in points {
            t0 = t0.min(t);
            t1 = t1.max(t);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        for &y in extra_y {
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        if t0 == Millis::MAX {
            (t0, t1) = (0, 1);
        }
        if t1 <= t0 {
            t1 = t0 + 1;
        }
        if !y0.is_finite() || !y1.is_finite() {
            (y0, y1) = (0.0, 1.0);
        }
        y0 = y0.min(0.0);
        if y1 - y0 < 1.0 {
            y1 = y0 + 1.0;
        }
        let head = (y1 - y0) * 0.08;
        Scale { width, height, t0, t1, y0, y1: y1 + head }
    }

    pub fn x(&self, t: Millis) -> f64 {
        let f = (t.saturating_sub(self.t0)) as f64 / (self.t1 - self.t0) as f64;
        PAD + f.clamp(0.0, 1.0) * (self.width - 2.0 * PAD)
    }

    pub fn y(&self, v: f64) -> f64 {
        let f = (v - self.y0) / (self.y1 - self.y0);
        self.height - PAD - f.clamp(0.0, 1.0) * (self.height - 2.0 * PAD)
    }

    /// An SVG `points` attribute for a polyline; a step line when `steps` (values hold until
    /// the next point, as a count or a tag does).
    pub fn polyline(&self, series: &[(Millis, f64)], steps: bool) -> String {
        let mut out = String::with_capacity(series.len() * 16);
        let mut prev_y: Option<f64> = None;
        for &(t, v) in series {
            let (x, y) = (self.x(t), self.y(v));
            if let (true, Some(py)) = (steps, prev_y) {
                out.push_str(&format!("{x:.1},{py:.1} "));
            }
            out.push_str(&format!("{x:.1},{y:.1} "));
            prev_y = Some(y);
        }
        out.pop();
        out
    }
}

/// At most `max` points of `series`, evenly picked, always keeping the last: a long history
/// costs the chart no more than its width in pixels.
pub fn thin(series: &[(Millis, f64)], max: usize) -> Vec<(Millis, f64)> {
    if series.len() <= max || max < 2 {
        return series.to_vec();
    }
    let step = series.len() as f64 / (max - 1) as f64;
    let mut out: Vec<_> = (0..max - 1).map(|i| series[(i as f64 * step) as usize]).collect();
    out.push(*series.last().expect("non-empty"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_fits_the_series_and_the_watermarks_with_headroom() {
        let s = Scale::fit(400.0, 200.0, &[&[(1_000, 3.0), (3_000, 9.0)]], &[6.0, 8.0]);
        assert_eq!((s.t0, s.t1, s.y0), (1_000, 3_000, 0.0));
        assert!((s.y1 - 9.72).abs() < 1e-9);
        assert_eq!(s.x(1_000), PAD);
        assert_eq!(s.x(3_000), 400.0 - PAD);
        assert_eq!(s.y(0.0), 200.0 - PAD);
    }

    #[test]
    fn a_step_polyline_holds_each_value_until_the_next_point() {
        let s = Scale {
            width: 100.0 + 2.0 * PAD,
            height: 100.0 + 2.0 * PAD,
            t0: 0,
            t1: 10,
            y0: 0.0,
            y1: 10.0,
        };
        assert_eq!(s.polyline(&[(0, 0.0), (10, 10.0)], false), "28.0,128.0 128.0,28.0");
        assert_eq!(s.polyline(&[(0, 0.0), (10, 10.0)], true), "28.0,128.0 128.0,128.0 128.0,28.0");
    }

    #[test]
    fn an_empty_chart_still_has_a_range() {
        let s = Scale::fit(100.0, 100.0, &[&[]], &[]);
        assert_eq!((s.t0, s.t1, s.y0), (0, 1, 0.0));
    }

    #[test]
    fn thinning_keeps_the_last_point_and_at_most_the_budget() {
        let series: Vec<_> = (0..1000).map(|i| (i as u64, i as f64)).collect();
        let t = thin(&series, 100);
        assert_eq!(t.len(), 100);
        assert_eq!(t[0], (0, 0.0));
        assert_eq!(*t.last().unwrap(), (999, 999.0));
    }
}
