//! A small SVG line chart: series, horizontal reference lines and vertical markers.

use yew::prelude::*;

use crate::state_chart::{thin, Scale, PAD};

/// Points drawn per series at most (about one per horizontal pixel).
const MAX_DRAWN: usize = 400;

#[derive(Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(u64, f64)>,
    /// Drawn as steps (a count, a tag) rather than slopes.
    pub steps: bool,
}

#[derive(Clone, PartialEq)]
pub struct HLine {
    pub label: String,
    pub y: f64,
    pub class: &'static str,
}

#[derive(Properties, PartialEq)]
pub struct LineChartProps {
    pub title: String,
    pub series: Vec<Series>,
    #[prop_or_default]
    pub hlines: Vec<HLine>,
    /// (time, label) markers, e.g. trims.
    #[prop_or_default]
    pub markers: Vec<(u64, String)>,
    #[prop_or(640.0)]
    pub width: f64,
    #[prop_or(220.0)]
    pub height: f64,
    #[prop_or_default]
    pub id: Option<String>,
}

#[function_component(LineChart)]
pub fn line_chart(props: &LineChartProps) -> Html {
    let thinned: Vec<Vec<(u64, f64)>> =
        props.series.iter().map(|s| thin(&s.points, MAX_DRAWN)).collect();
    let refs: Vec<&[(u64, f64)]> = thinned.iter().map(|v| v.as_slice()).collect();
    let ys: Vec<f64> = props.hlines.iter().map(|h| h.y).collect();
    let s = Scale::fit(props.width, props.height, &refs, &ys);
    let (w, h) = (props.width, props.height);
    let axis_y = h - PAD;
    html! {
        <figure class="chart" id={props.id.clone()}>
            <figcaption>{ &props.title }</figcaption>
            <svg viewBox={format!("0 0 {w} {h}")} role="img" aria-label={props.title.clone()} preserveAspectRatio="none">
                <line class="axis" x1={PAD.to_string()} y1={axis_y.to_string()} x2={(w - PAD).to_string()} y2={axis_y.to_string()} />
                <text class="tick" x="2" y={(s.y(s.y1) + 4.0).to_string()}>{ format!("{:.0}", s.y1) }</text>
                <text class="tick" x="2" y={(axis_y + 4.0).to_string()}>{ format!("{:.0}", s.y0) }</text>
                <text class="tick" x={PAD.to_string()} y={(h - 6.0).to_string()}>{ format!("{:.1} s", s.t0 as f64 / 1e3) }</text>
                <text class="tick end" x={(w - PAD).to_string()} y={(h - 6.0).to_string()}>{ format!("{:.1} s", s.t1 as f64 / 1e3) }</text>
                { for props.hlines.iter().map(|l| html! {
                    <g class={classes!("hline", l.class)}>
                        <line x1={PAD.to_string()} x2={(w - PAD).to_string()} y1={s.y(l.y).to_string()} y2={s.y(l.y).to_string()} />
                        <text x={(w - PAD - 2.0).to_string()} y={(s.y(l.y) - 3.0).to_string()} class="end">{ &l.label }</text>
                    </g>
                }) }
                { for props.markers.iter().map(|(t, label)| html! {
                    <line class="marker" x1={s.x(*t).to_string()} x2={s.x(*t).to_string()} y1={PAD.to_string()} y2={axis_y.to_string()}>
                        <title>{ label }</title>
                    </line>
                }) }
                { for props.series.iter().zip(&thinned).enumerate().map(|(i, (series, pts))| html! {
                    <polyline class={format!("series s{}", i % 6)} data-series={series.name.clone()}
                        data-points={pts.len().to_string()} points={s.polyline(pts, series.steps)} />
                }) }
            </svg>
            if props.series.len() > 1 {
                <ul class="legend">{ for props.series.iter().enumerate().map(|(i, se)| html! {
                    <li class={format!("s{}", i % 6)}>{ &se.name }</li>
                }) }</ul>
            }
        </figure>
    }
}
