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
    let join = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>().join(",");
    let aligned = p.aligned.map(|a| a.to_string()).unwrap_or_default();
    let fork_status = p.status.as_ref().map(|s| s.fork_status.clone()).unwrap_or_default();
    let network = p.status.as_ref().map(|s| s.network_id.to_string()).unwrap_or_default();
    let head = p.status.as_ref().map(|s| s.head.to_string()).unwrap_or_default();
    let banned_at = p.banned.map(|(_, strikes)| strikes.to_string()).unwrap_or_default();
    // The engine's redial plan and the dials that followed, for tests and the curious.
    let backoffs = join(&mut p.dials_scheduled.iter().map(|d| d.2.to_string()));
    let due = join(&mut p.dials_scheduled.iter().map(|d| d.1.to_string()));
    let started = join(&mut p.dials_started.iter().map(|t| t.to_string()));
    html! {
        <tr key={p.peer_id.clone()} class={state} data-peer-id={p.peer_id.clone()}
            data-state={state} data-transport={p.transport.clone()}
            data-reason={p.reason.clone().unwrap_or_default()}
            data-aligned={aligned} data-fork-status={fork_status} data-network-id={network}
            data-head={head} data-strikes={p.strikes.to_string()}
            data-banned-after-strikes={banned_at} data-dial-backoffs={backoffs}
            data-dial-due={due} data-dial-started={started}>
            <td class="id" title={p.address.clone()}><code>{ &p.peer_id }</code></td>
            <td>{ state }</td>
            <td>{ &p.transport }</td>
            <td class="agent">{ p.agent_version.clone().unwrap_or_else(|| "—".into()) }</td>
            <td class="rtt">{ rtt }</td>
            <td class="reason">{ p.reason.clone().unwrap_or_default() }</td>
        </tr>
    }
}
