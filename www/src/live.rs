//! Glue between the page and its one light peer. Browser-only.

use std::cell::OnceCell;

use std::time::Duration;

use peerkeeper_web::light_peer::{LightPeer, LightPeerConfig, LightPeerOptions};
use yew::UseReducerDispatcher;

use crate::{
    state::{Action, LiveState},
    targets::{initial_targets, peer_overrides, Bootstrap},
};

/// Time between the first dials to the node and its demo peers.
const DIAL_SPACING: Duration = Duration::from_millis(400);

thread_local! {
    // One swarm for the page's lifetime: a dropped browser swarm leaves callbacks firing.
    static LIGHT_PEER: OnceCell<LightPeer> = const { OnceCell::new() };
}

/// Starts the light peer (once per page), following the node's chain when `/bootstrap.json`
/// names one, and dials the first targets.
pub fn start(dispatch: UseReducerDispatcher<LiveState>) {
    wasm_bindgen_futures::spawn_local(async move {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        let overrides = peer_overrides(&search);
        // With ?peer= the page dials only what it is told and follows no chain.
        let boot = if overrides.is_empty() { Some(fetch_bootstrap().await) } else { None };
        let chain = boot.as_ref().and_then(|b| b.as_ref().ok()).and_then(|b| b.chain.clone());
        if !start_light_peer(&dispatch, chain) {
            return;
        }
        match boot {
            None => overrides.iter().for_each(|address| dial(address, &dispatch)),
            Some(Ok(boot)) => dial_initial_targets(boot, dispatch).await,
            Some(Err(e)) => dispatch.dispatch(Action::Note(format!("no bootstrap peers: {e}"))),
        }
    });
}

fn start_light_peer(
    dispatch: &UseReducerDispatcher<LiveState>,
    chain: Option<peerkeeper_web::light_peer_event::ChainStartView>,
) -> bool {
    let started = LIGHT_PEER.with(|cell| {
        if let Some(peer) = cell.get() {
            return Ok(peer.local_peer_id());
        }
        let events = dispatch.clone();
        let options = LightPeerOptions { chain, ..LightPeerOptions::default() };
        let peer = LightPeer::start_with(LightPeerConfig::default(), options, move |e| {
            events.dispatch(Action::Peer(e))
        })?;
        let id = peer.local_peer_id();
        let _ = cell.set(peer);
        Ok::<_, String>(id)
    });
    match started {
        Ok(local_peer_id) => {
            dispatch.dispatch(Action::Started { local_peer_id });
            true
        }
        Err(e) => {
            dispatch.dispatch(Action::StartFailed(e));
            false
        }
    }
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

fn protect(peer_id: &str, tag: &str, dispatch: &UseReducerDispatcher<LiveState>) {
    let result = LIGHT_PEER.with(|cell| match cell.get() {
        Some(peer) => peer.protect(peer_id, tag),
        None => Err("the light peer has not started".to_string()),
    });
    if let Err(e) = result {
        dispatch.dispatch(Action::Note(format!("cannot protect: {e}")));
    }
}

async fn dial_initial_targets(boot: Bootstrap, dispatch: UseReducerDispatcher<LiveState>) {
    // The node the page came from stays, whatever the trims decide.
    protect(&boot.peer_id, "bootstrap", &dispatch);
    let targets = initial_targets(&boot);
    if targets.is_empty() {
        let note = format!("bootstrap peer {} offers no browser transport", boot.peer_id);
        return dispatch.dispatch(Action::Note(note));
    }
    for (i, address) in targets.iter().enumerate() {
        // Staggered, so earlier peers leave their grace period and later ones cross the high
        // water one by one: each trim then has candidates to choose from.
        if i > 0 {
            gloo_timers::future::sleep(DIAL_SPACING).await;
        }
        dial(address, &dispatch);
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
