//! The live peer table: one row per peer ever connected, disconnected ones greyed.

use yew::prelude::*;

use crate::state::PeerRow;

#[derive(Properties, PartialEq)]
pub struct PeerTableProps {
    pub peers: Vec<PeerRow>,
}

#[function_component(PeerTable)]
pub fn peer_table(props: &PeerTableProps) -> Html {
    if props.peers.is_empty() {
        return html! { <p class="empty">{ "No peers yet." }</p> };
    }
    html! {
        <table class="peers">
            <thead>
                <tr>
                    <th>{ "peer" }</th>
                    <th>{ "state" }</th>
                    <th>{ "transport" }</th>
                    <th>{ "agent" }</th>
                    <th>{ "RTT" }</th>
                    <th>{ "reason" }</th>
                </tr>
            </thead>
            <tbody>
                { for props.peers.iter().map(row) }
            </tbody>
        </table>
    }
}

fn row(p: &PeerRow) -> Html {
    let state = if p.connections > 0 { "connected" } else { "disconnected" };
    let rtt = p
        .rtt_ms
        .map(|ms| if ms < 10.0 { format!("{ms:.1} ms") } else { format!("{ms:.0} ms") })
        .unwrap_or_else(|| "—".into());
    html! {
        <tr key={p.peer_id.clone()} class={state} data-peer-id={p.peer_id.clone()}
            data-state={state} data-transport={p.transport.clone()}
            data-reason={p.reason.clone().unwrap_or_default()}>
            <td class="id" title={p.address.clone()}><code>{ &p.peer_id }</code></td>
            <td>{ state }</td>
            <td>{ &p.transport }</td>
            <td class="agent">{ p.agent_version.clone().unwrap_or_else(|| "—".into()) }</td>
            <td class="rtt">{ rtt }</td>
            <td class="reason">{ p.reason.clone().unwrap_or_default() }</td>
        </tr>
    }
}
