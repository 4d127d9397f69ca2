//! The selected peer: score and its parts, each tag over time (the decay curves), last
//! action, its events, and the per-peer controls.

use std::rc::Rc;

use yew::prelude::*;

use super::{
    line_chart::{LineChart, Series},
    peer_actions::PeerActions,
};
use crate::{state_controls::Control, state_frame::PeerHistory, state_peers::PeerRow};

#[derive(Properties, PartialEq)]
pub struct PeerDetailsProps {
    pub row: Option<PeerRow>,
    pub history: Option<Rc<PeerHistory>>,
    pub on_control: Callback<Control>,
    pub on_close: Callback<()>,
    /// Whether tag, report and disconnect reach the engine in this mode.
    pub full_controls: bool,
    /// The driver's clock: each series is drawn up to it, holding its last value.
    pub now: u64,
}

/// `points` held at their last value until `now`, so a tag that has not changed since it was
/// set still draws a line.
fn held(points: &[(u64, f64)], now: u64) -> Vec<(u64, f64)> {
    let mut out = points.to_vec();
    if let Some(&(t, v)) = points.last() {
        if t < now {
            out.push((now, v));
        }
    }
    out
}

#[function_component(PeerDetails)]
pub fn peer_details(props: &PeerDetailsProps) -> Html {
    let Some(row) = &props.row else { return html! {} };
    let close = props.on_close.reform(|_: MouseEvent| ());
    let fmt = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.2}"));
    let (score_series, tag_series) = match &props.history {
        Some(h) => (
            vec![Series { name: "score".into(), points: held(&h.score, props.now), steps: false }],
            h.tags
                .iter()
                .map(|(name, pts)| Series {
                    name: name.clone(),
                    points: held(pts, props.now),
                    steps: true,
                })
                .collect::<Vec<_>>(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let events = props.history.as_ref().map(|h| h.events.clone()).unwrap_or_default();
    html! {
        <section class="details" aria-label="peer details" id="peer-details" data-peer-id={row.peer_id.clone()}>
            <header class="details-head">
                <h2>{ "Peer " }<code>{ &row.peer_id }</code></h2>
                <button type="button" onclick={close} aria-label="close the peer details">{ "Close" }</button>
            </header>
            <dl class="facts">
                <div><dt>{ "state" }</dt><dd>{ &row.state }</dd></div>
                <div><dt>{ "score" }</dt><dd id="details-score">{ fmt(row.score) }</dd></div>
                <div><dt>{ "tags part" }</dt><dd>{ fmt(row.tag_score) }</dd></div>
                <div><dt>{ "behaviour part" }</dt><dd>{ fmt(row.behaviour_score) }</dd></div>
                <div><dt>{ "application part" }</dt><dd>{ fmt(row.application_score) }</dd></div>
                <div><dt>{ "protected" }</dt><dd>{ if row.protected { "yes" } else { "no" } }</dd></div>
                <div><dt>{ "last action" }</dt><dd>{ row.last_action.clone().unwrap_or_else(|| "—".into()) }</dd></div>
                <div><dt>{ "reason" }</dt><dd>{ row.reason.clone().unwrap_or_else(|| "—".into()) }</dd></div>
            </dl>
            <div class="details-charts">
                if !score_series.iter().all(|s| s.points.is_empty()) {
                    <LineChart id="score-chart" title="Score over time" series={score_series} width={420.0} height={180.0} />
                }
                if !tag_series.is_empty() {
                    <LineChart id="tags-chart" title="Each tag over time (decay curves)" series={tag_series} width={420.0} height={180.0} />
                }
            </div>
            <PeerActions peer={row.peer_id.clone()} protected={row.protected}
                on_control={props.on_control.clone()} full={props.full_controls} />
            <h3>{ "History" }</h3>
            <ol class="peer-events">{ for events.iter().rev().map(|e| html! { <li>{ e }</li> }) }</ol>
        </section>
    }
}
