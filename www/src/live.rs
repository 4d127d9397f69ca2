//! Glue between the page and its one light peer. Browser-only.
//!
//! Light-peer events go straight into the recorder; a render is asked for at most once per
//! animation frame, however many events arrive in between.

use std::{
    cell::{OnceCell, RefCell},
    rc::Rc,
    time::Duration,
};

use peerkeeper_web::light_peer::{
    report_action, LightPeer, LightPeerConfig, LightPeerOptions, SettingsView,
};
use peerkeeper_web::light_peer_event::LightPeerEvent;
use yew::UseReducerDispatcher;

use crate::{
    persistence::{Persistence, RestoreOutcome},
    raf::{next_frame, page_ms, query},
    state::{Action, PageState},
    state_controls::Control,
    state_frame::Header,
    state_recorder::{transports_in_use, Recorder},
    targets::{initial_targets, peer_overrides, Bootstrap},
};

/// The IndexedDB database the page keeps its engine snapshot in.
const PERSISTENCE_DB: &str = "peerkeeper";

/// Time between the first dials to the node and its demo peers.
const DIAL_SPACING: Duration = Duration::from_millis(400);

#[derive(Default)]
struct Live {
    recorder: Recorder,
    selected: Option<String>,
    dispatch: Option<UseReducerDispatcher<PageState>>,
    pending: bool,
    /// An engine view is on its way (at most one at a time).
    viewing: bool,
}

thread_local! {
    // One swarm for the page's lifetime: a dropped browser swarm leaves callbacks firing.
    static LIGHT_PEER: OnceCell<LightPeer> = const { OnceCell::new() };
    static PERSISTENCE: OnceCell<Rc<Persistence>> = const { OnceCell::new() };
    static LIVE: RefCell<Live> = RefCell::new(Live::default());
}

fn now() -> u64 {
    page_ms() as u64
}

/// Starts the light peer (once per page), following the node's chain when `/bootstrap.json`
/// names one, and dials the first targets (`?peer=` overrides: those only, and no chain).
pub fn start(dispatch: UseReducerDispatcher<PageState>) {
    LIVE.with(|l| l.borrow_mut().dispatch = Some(dispatch.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        let overrides = peer_overrides(&query());
        let boot = if overrides.is_empty() { Some(fetch_bootstrap().await) } else { None };
        let chain = boot.as_ref().and_then(|b| b.as_ref().ok()).and_then(|b| b.chain.clone());
        if !start_light_peer(&dispatch, chain) {
            return;
        }
        restore_and_persist().await;
        match boot {
            None => overrides.into_iter().for_each(|a| drop(control(Control::Dial(a)))),
            Some(Ok(boot)) => dial_initial_targets(boot).await,
            Some(Err(e)) => note(format!("no bootstrap peers: {e}")),
        }
    });
}

fn start_light_peer(
    dispatch: &UseReducerDispatcher<PageState>,
    chain: Option<peerkeeper_web::light_peer_event::ChainStartView>,
) -> bool {
    let started = LIGHT_PEER.with(|cell| {
        if let Some(peer) = cell.get() {
            return Ok(peer.local_peer_id());
        }
        let options = LightPeerOptions { chain, ..LightPeerOptions::default() };
        let peer = LightPeer::start_with(LightPeerConfig::default(), options, move |e| {
            let changes_engine = changes_engine(&e);
            LIVE.with(|l| l.borrow_mut().recorder.apply_light(e, now()));
            if changes_engine {
                PERSISTENCE.with(|p| p.get().map(|p| p.changed()));
            }
            schedule();
        })?;
        let id = peer.local_peer_id();
        let _ = cell.set(peer);
        Ok::<_, String>(id)
    });
    match started {
        Ok(local_peer_id) => dispatch.dispatch(Action::Started { local_peer_id }),
        Err(e) => {
            dispatch.dispatch(Action::StartFailed(e));
            return false;
        }
    }
    // Uptime, connected-for and decaying scores move even when nothing happens.
    gloo_timers::callback::Interval::new(1_000, || {
        refresh_view();
        schedule();
    })
    .forget();
    schedule();
    true
}

/// Events after which the engine's snapshot differs (pings and dial attempts do not count).
fn changes_engine(e: &LightPeerEvent) -> bool {
    !matches!(
        e,
        LightPeerEvent::Dialing { .. }
            | LightPeerEvent::DialFailed { .. }
            | LightPeerEvent::Ping { .. }
            | LightPeerEvent::PeersLearned { .. }
            | LightPeerEvent::Restored { .. }
    )
}

/// Brings back the engine state the last visit stored (before any dial), then keeps storing
/// it. A refused snapshot is set aside and reported; storage trouble is reported and the page
/// runs on without persistence.
async fn restore_and_persist() {
    let Some(peer) = LIGHT_PEER.with(|cell| cell.get().cloned()) else { return };
    let importer = peer.clone();
    let (outcome, persistence) = Persistence::start(
        PERSISTENCE_DB,
        move |bytes, saved_ago| {
            Box::pin(async move { importer.import_snapshot(bytes, saved_ago).await.map(drop) })
        },
        move || {
            let peer = peer.clone();
            Box::pin(async move { peer.export_snapshot().await })
        },
        js_sys::Date::now() as u64,
    )
    .await;
    match outcome {
        RestoreOutcome::Fresh => note("no stored engine snapshot: starting fresh".into()),
        RestoreOutcome::Restored { bytes } => {
            note(format!("engine snapshot loaded ({bytes} bytes)"))
        }
        RestoreOutcome::SetAside { aside, error } => {
            note(format!("the stored engine snapshot was refused ({error}); set aside as {aside}"))
        }
        RestoreOutcome::Unavailable { error } => note(format!("snapshots not persisted: {error}")),
    }
    if let Some(p) = persistence {
        PERSISTENCE.with(|cell| drop(cell.set(p)));
    }
}

/// Asks the engine for its view of every peer (scores and their parts, tags, countdowns) and
/// folds it into the rows; skipped while an earlier request is still out.
fn refresh_view() {
    let Some(peer) = LIGHT_PEER.with(|cell| cell.get().cloned()) else { return };
    if LIVE.with(|l| std::mem::replace(&mut l.borrow_mut().viewing, true)) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let view = peer.engine_view().await;
        LIVE.with(|l| {
            let mut l = l.borrow_mut();
            l.viewing = false;
            if let Some(view) = &view {
                l.recorder.apply_engine_view(view, now());
            }
        });
        schedule();
    });
}

/// Asks for one render on the next animation frame (no-op if one is already asked for).
pub fn schedule() {
    let go = LIVE.with(|l| !std::mem::replace(&mut l.borrow_mut().pending, true));
    if go {
        next_frame(|_| flush());
    }
}

fn flush() {
    let now = now();
    let (dispatch, frame) = LIVE.with(|l| {
        let mut l = l.borrow_mut();
        l.pending = false;
        let rows = l.recorder.live_rows();
        let connected = rows.iter().filter(|r| r.is_connected()).count();
        l.recorder.sample(now, connected, &rows);
        let d = LightPeerConfig::default();
        let c = l.recorder.live_settings().unwrap_or(SettingsView {
            low_water: d.low_water,
            high_water: d.high_water,
            grace_period_ms: d.grace_period_ms,
            silence_period_ms: d.silence_period_ms,
        });
        let header = Header {
            mode: "live".into(),
            connected,
            low_water: c.low_water,
            high_water: c.high_water,
            grace_ms: c.grace_period_ms,
            silence_ms: c.silence_period_ms,
            uptime_ms: now,
            transports: transports_in_use(&rows),
            ..Header::default()
        };
        let header = match l.recorder.local_status() {
            Some(s) => Header {
                node_mode: Some(s.node_mode.clone()),
                fork_status: Some(s.fork_status.clone()),
                head: Some(s.head),
                lib: Some(s.lib),
                ..header
            },
            None => header,
        };
        let selected = l.selected.clone();
        (l.dispatch.clone(), l.recorder.frame(now, header, rows, selected.as_deref()))
    });
    if let Some(d) = dispatch {
        d.dispatch(Action::Frame(Rc::new(frame)));
    }
}

pub fn select(peer: Option<String>) {
    LIVE.with(|l| l.borrow_mut().selected = peer);
    schedule();
}

fn note(line: String) {
    LIVE.with(|l| l.borrow_mut().recorder.note(line));
    schedule();
}

/// The name the page's reports carry in the engine's last-action record.
const REPORT_NAME: &str = "page";

/// Carries out a control on the light peer's engine. Settings and disconnects are answered
/// by the engine later: their refusal reaches the controls then. Every control is followed by
/// a fresh engine view, so its effect shows in the table at once.
pub fn control(c: Control) -> Result<(), String> {
    let result = LIGHT_PEER.with(|cell| {
        let peer = cell.get().ok_or("the light peer has not started")?.clone();
        match c {
            Control::Dial(address) => peer.dial(&address).map_err(|e| format!("cannot dial: {e}")),
            Control::Protect { peer: id, tag } => {
                peer.protect(&id, &tag)?;
                LIVE.with(|l| l.borrow_mut().recorder.live_protected(&id));
                Ok(())
            }
            Control::Unprotect { peer: id, tag } => peer.unprotect(&id, &tag),
            Control::Tag { peer: id, tag, value } => peer.tag(&id, &tag, value),
            Control::Untag { peer: id, tag } => peer.untag(&id, &tag),
            Control::Report { peer: id, action } => {
                let action = report_action(&action)?;
                peer.report(&id, action, REPORT_NAME)
            }
            Control::Disconnect { peer: id } => {
                answer_later(async move { peer.disconnect(&id).await });
                Ok(())
            }
            Control::Settings(s) => {
                answer_later(async move { peer.set_trim_settings(s.into()).await.map(drop) });
                Ok(())
            }
            other => Err(format!(
                "the live light peer does not take this command ({}); try it in the sandbox",
                name(&other)
            )),
        }
    });
    if let Err(e) = &result {
        note(e.clone());
    }
    refresh_view();
    schedule();
    result
}

/// Waits for the engine's answer to a control; a refusal is logged and shown by the controls.
fn answer_later(answer: impl std::future::Future<Output = Result<(), String>> + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        let result = answer.await;
        if let Err(e) = &result {
            note(e.clone());
        }
        let dispatch = LIVE.with(|l| l.borrow().dispatch.clone());
        if let Some(d) = dispatch {
            d.dispatch(Action::ControlResult(result));
        }
        refresh_view();
    });
}

fn name(c: &Control) -> &'static str {
    match c {
        Control::Settings(_) => "settings",
        Control::Tag { .. } => "tag",
        Control::Untag { .. } => "untag",
        Control::Protect { .. } => "protect",
        Control::Unprotect { .. } => "unprotect",
        Control::Report { .. } => "report",
        Control::Disconnect { .. } => "disconnect",
        Control::Dial(_) => "dial",
        Control::AddPeers { .. } => "add peers",
        Control::TrimNow => "trim",
    }
}

async fn dial_initial_targets(boot: Bootstrap) {
    // The node the page came from stays, whatever the trims decide.
    let _ = control(Control::Protect { peer: boot.peer_id.clone(), tag: "bootstrap".into() });
    let targets = initial_targets(&boot);
    if targets.is_empty() {
        return note(format!("bootstrap peer {} offers no browser transport", boot.peer_id));
    }
    for (i, address) in targets.iter().enumerate() {
        // Staggered, so earlier peers leave their grace period and later ones cross the high
        // water one by one: each trim then has candidates to choose from.
        if i > 0 {
            gloo_timers::future::sleep(DIAL_SPACING).await;
        }
        let _ = control(Control::Dial(address.clone()));
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
