//! The root component: state, the light peer, and the live view.

use peerkeeper_web::light_peer::LightPeerConfig;
use yew::prelude::*;

use crate::{
    components::{dial_form::DialForm, peer_table::PeerTable, trim_log::TrimLog},
    live,
    state::LiveState,
};

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(LiveState::default);
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| live::start(dispatch));
    }
    let on_dial = {
        let dispatch = state.dispatcher();
        Callback::from(move |address: String| live::dial(&address, &dispatch))
    };
    let local = state.local_peer_id.clone().unwrap_or_else(|| "starting…".into());
    html! {
        <main>
            <header>
                <h1>{ "peerkeeper" }</h1>
                <p class="tagline">{ "A light peer in your browser, keeping the peers worth keeping." }</p>
            </header>
            if let Some(e) = &state.start_error {
                <p class="error" role="alert">{ e }</p>
            }
            <section class="summary">
                <p>{ "Our peer id: " }<code id="local-peer-id">{ local }</code></p>
                <p>
                    { "Connected peers: " }<strong id="connected-count">{ state.connected_count() }</strong>
                    { format!(" (trims down to {} when a new peer pushes past {})", LightPeerConfig::default().low_water, LightPeerConfig::default().high_water) }
                </p>
                if let Some(chain) = &state.local_status {
                    <p id="chain" data-head={chain.head.to_string()} data-lib={chain.lib.to_string()}
                        data-fork-status={chain.fork_status.clone()} data-node-mode={chain.node_mode.clone()}>
                        { format!("Chain: head #{}, LIB #{}, {} / {}", chain.head, chain.lib, chain.fork_status, chain.node_mode) }
                    </p>
                }
            </section>
            <DialForm {on_dial} />
            <PeerTable peers={state.peers.values().cloned().collect::<Vec<_>>()} />
            <TrimLog trims={state.trims.clone()} />
            <section class="log" aria-label="log">
                <h2>{ "Log" }</h2>
                <ol>{ for state.log.iter().rev().map(|l| html! { <li>{ l }</li> }) }</ol>
            </section>
        </main>
    }
}
