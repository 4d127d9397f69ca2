//! The header: the compact status line made visual — mode, fork status, head/LIB, peers
//! against the watermarks, uptime and the transports in use.

use yew::prelude::*;

use crate::{state_frame::Header, state_peers::format_duration};

#[derive(Properties, PartialEq)]
pub struct HeaderBarProps {
    pub header: Header,
    pub local_peer_id: Option<String>,
}

#[function_component(HeaderBar)]
pub fn header_bar(props: &HeaderBarProps) -> Html {
    let h = &props.header;
    let dash = || "—".to_string();
    // The gauge spans 0..=high water plus a margin, so crossing it is visible.
    let span = (h.high_water as f64 * 1.25).max(1.0);
    let pct = |n: usize| format!("{:.1}%", (n as f64 / span * 100.0).min(100.0));
    let over = h.connected > h.high_water;
    let transports = if h.transports.is_empty() {
        "none".to_string()
    } else {
        h.transports.iter().map(|(t, n)| format!("{t} ×{n}")).collect::<Vec<_>>().join(", ")
    };
    html! {
        <section class="status" aria-label="status">
            <dl class="status-line">
                <div><dt>{ "mode" }</dt><dd id="status-mode">{ &h.mode }</dd></div>
                <div><dt>{ "node" }</dt><dd id="status-node-mode">{ h.node_mode.clone().unwrap_or_else(dash) }</dd></div>
                <div><dt>{ "fork" }</dt><dd id="status-fork">{ h.fork_status.clone().unwrap_or_else(dash) }</dd></div>
                <div><dt>{ "head / LIB" }</dt><dd>{ format!("{} / {}",
                    h.head.map_or_else(dash, |v| format!("#{v}")), h.lib.map_or_else(dash, |v| format!("#{v}"))) }</dd></div>
                <div><dt>{ "uptime" }</dt><dd id="status-uptime">{ format_duration(h.uptime_ms) }</dd></div>
                <div><dt>{ "transports" }</dt><dd id="status-transports">{ transports }</dd></div>
            </dl>
            <div class="gauge" role="meter" aria-label="connected peers against the watermarks"
                aria-valuemin="0" aria-valuemax={h.high_water.to_string()} aria-valuenow={h.connected.to_string()}>
                <div class={classes!("gauge-fill", over.then_some("over"))} style={format!("width:{}", pct(h.connected))}></div>
                <div class="gauge-mark low" style={format!("left:{}", pct(h.low_water))} title="low water"></div>
                <div class="gauge-mark high" style={format!("left:{}", pct(h.high_water))} title="high water"></div>
            </div>
            <p class="gauge-text">
                { "Connected peers: " }<strong id="connected-count">{ h.connected }</strong>
                { format!(" · low water {} · high water {} · grace {} · silence {}",
                    h.low_water, h.high_water, format_duration(h.grace_ms), format_duration(h.silence_ms)) }
            </p>
            if let (Some(head), Some(lib)) = (h.head, h.lib) {
                <p id="chain" class="chain" data-head={head.to_string()} data-lib={lib.to_string()}
                    data-fork-status={h.fork_status.clone().unwrap_or_default().to_lowercase()}
                    data-node-mode={h.node_mode.clone().unwrap_or_default().to_lowercase()}>
                    { format!("Chain: head #{head}, LIB #{lib}") }
                </p>
            }
            if let Some(id) = &props.local_peer_id {
                <p class="local">{ "Our peer id: " }<code id="local-peer-id">{ id }</code></p>
            }
        </section>
    }
}
