//! Glue between the page and its one light peer. Browser-only.

use std::cell::OnceCell;

use peerkeeper_web::light_peer::LightPeer;
use yew::UseReducerDispatcher;

use crate::{
    state::{Action, LiveState},
    targets::{peer_overrides, preferred, Bootstrap},
};

thread_local! {
    // One swarm for the page's lifetime: a dropped browser swarm leaves callbacks firing.
    static LIGHT_PEER: OnceCell<LightPeer> = const { OnceCell::new() };
}

/// Starts the light peer (once per page) and dials the first targets.
pub fn start(dispatch: UseReducerDispatcher<LiveState>) {
    let started = LIGHT_PEER.with(|cell| {
        if let Some(peer) = cell.get() {
            return Ok(peer.local_peer_id());
        }
        let events = dispatch.clone();
        let peer = LightPeer::start(move |e| events.dispatch(Action::Peer(e)))?;
        let id = peer.local_peer_id();
        let _ = cell.set(peer);
        Ok::<_, String>(id)
    });
    match started {
        Ok(local_peer_id) => dispatch.dispatch(Action::Started { local_peer_id }),
        Err(e) => return dispatch.dispatch(Action::StartFailed(e)),
    }
    wasm_bindgen_futures::spawn_local(dial_initial_targets(dispatch));
}

/// Dials `address`, reporting a refusal (bad multiaddr, raw TCP) in the log.
pub fn dial(address: &str, dispatch: &UseReducerDispatcher<LiveState>) {
    let result = LIGHT_PEER.with(|cell| match cell.get() {
        Some(peer) => peer.dial(address).map_err(|e| e.to_string()),
        None => Err("the light peer has not started".to_string()),
    });
    if let Err(e) = result {
        dispatch.dispatch(Action::Note(format!("cannot dial: {e}")));
    }
}

async fn dial_initial_targets(dispatch: UseReducerDispatcher<LiveState>) {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    let overrides = peer_overrides(&search);
    if !overrides.is_empty() {
        for address in overrides {
            dial(&address, &dispatch);
        }
        return;
    }
    match fetch_bootstrap().await {
        Ok(boot) => match preferred(&boot) {
            Some(address) => dial(&address, &dispatch),
            None => dispatch.dispatch(Action::Note(format!(
                "bootstrap peer {} offers no browser transport",
                boot.peer_id
            ))),
        },
        Err(e) => dispatch.dispatch(Action::Note(format!("no bootstrap peers: {e}"))),
    }
}

async fn fetch_bootstrap() -> Result<Bootstrap, String> {
    let response = gloo_net::http::Request::get("/bootstrap.json")
        .send()
        .await
        .map_err(|e| format!("fetching /bootstrap.json: {e}"))?;
    if !response.ok() {
        return Err(format!("/bootstrap.json answered {}", response.status()));
    }
    response.json().await.map_err(|e| format!("/bootstrap.json: {e}"))
}
