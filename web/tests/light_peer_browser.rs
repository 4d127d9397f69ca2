//! The light peer in a real browser (headless Chromium through wasm-bindgen-test-runner).
#![cfg(all(target_arch = "wasm32", feature = "light-peer"))]

use std::{cell::RefCell, rc::Rc, time::Duration};

use peerkeeper_core::PeerAction;
use peerkeeper_web::light_peer::{
    parse_dialable, DialError, LightPeer, LightPeerConfig, LightPeerEvent, SettingsView,
};
use peerkeeper_web::light_peer_event::TagView;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn a_config_with_low_water_above_high_water_is_refused_naming_the_field() {
    let config = LightPeerConfig { low_water: 9, high_water: 8, ..LightPeerConfig::default() };
    let err = LightPeer::start(config, |_| {}).err().expect("refused");
    assert!(err.starts_with("light peer config:"), "{err}");
    assert!(err.contains("low_water"), "{err}");
}

#[wasm_bindgen_test]
fn malformed_addresses_are_refused_with_the_address_named() {
    let err = parse_dialable("not-a-multiaddr").unwrap_err();
    assert!(matches!(err, DialError::Malformed { .. }));
    assert!(err.to_string().starts_with("address: \"not-a-multiaddr\""), "{err}");
}

#[wasm_bindgen_test]
fn raw_tcp_is_refused_because_browsers_cannot_dial_it() {
    let err = parse_dialable("/ip4/127.0.0.1/tcp/9092").unwrap_err();
    assert_eq!(err, DialError::NotBrowserDialable { address: "/ip4/127.0.0.1/tcp/9092".into() });
}

#[wasm_bindgen_test]
fn browser_transports_parse() {
    for a in [
        "/ip4/127.0.0.1/tcp/9091/ws",
        "/ip4/127.0.0.1/udp/9090/webrtc-direct",
        "/ip4/127.0.0.1/udp/9093/quic-v1/webtransport",
    ] {
        assert_eq!(parse_dialable(a).unwrap().to_string(), a);
    }
}

#[wasm_bindgen_test]
async fn a_started_light_peer_reports_a_dial_failure_to_a_closed_port() {
    let events: Rc<RefCell<Vec<LightPeerEvent>>> = Rc::default();
    let sink = events.clone();
    let peer =
        LightPeer::start(LightPeerConfig::default(), move |e| sink.borrow_mut().push(e)).unwrap();
    assert!(peer.local_peer_id().starts_with("12D3KooW"), "{}", peer.local_peer_id());

    // Port 9 (discard) is closed on loopback: the websocket dial fails fast.
    peer.dial("/ip4/127.0.0.1/tcp/9/ws").unwrap();
    for _ in 0..200 {
        if events.borrow().iter().any(|e| matches!(e, LightPeerEvent::DialFailed { .. })) {
            break;
        }
        gloo_timers::future::sleep(Duration::from_millis(50)).await;
    }
    let seen = events.borrow();
    assert_eq!(seen[0], LightPeerEvent::Dialing { address: "/ip4/127.0.0.1/tcp/9/ws".into() });
    assert!(
        seen.iter().any(|e| matches!(e, LightPeerEvent::DialFailed { .. })),
        "no dial failure within 10 s: {seen:?}"
    );
    assert!(!seen.iter().any(|e| matches!(e, LightPeerEvent::Connected { .. })));
}

/// Waits up to 5 s for `f` to find what it looks for among the events.
async fn wait_for<T>(
    events: &Rc<RefCell<Vec<LightPeerEvent>>>,
    f: impl Fn(&[LightPeerEvent]) -> Option<T>,
) -> T {
    for _ in 0..100 {
        if let Some(t) = f(&events.borrow()) {
            return t;
        }
        gloo_timers::future::sleep(Duration::from_millis(50)).await;
    }
    panic!("not seen within 5 s: {:?}", events.borrow());
}

#[wasm_bindgen_test]
async fn tag_protect_and_report_reach_the_engine_and_show_in_its_view_and_events() {
    let events: Rc<RefCell<Vec<LightPeerEvent>>> = Rc::default();
    let sink = events.clone();
    let peer =
        LightPeer::start(LightPeerConfig::default(), move |e| sink.borrow_mut().push(e)).unwrap();
    let other = libp2p::identity::Keypair::generate_ed25519().public().to_peer_id().to_string();
    peer.tag(&other, "useful", 25).unwrap();
    peer.protect(&other, "user").unwrap();
    peer.report(&other, PeerAction::LowTolerance, "test").unwrap();

    let view = peer.engine_view().await.expect("a view");
    let p = view.peers.iter().find(|p| p.peer_id == other).expect("the engine knows the peer");
    assert_eq!(p.tags, vec![TagView { name: "useful".into(), value: 25, decaying: false }]);
    assert!(p.protected);
    assert_eq!(p.tag_score, 25.0);
    // -10, then decaying on the wall clock (halving every 10 min); exact values are tested
    // natively on an injected clock.
    assert!((-10.0..=-9.99).contains(&p.behaviour_score), "{}", p.behaviour_score);
    assert_eq!(p.last_action.as_deref(), Some("test"));
    assert_eq!(p.state, "disconnected");

    let shown = wait_for(&events, |seen| {
        let mine: Vec<&LightPeerEvent> = seen
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    LightPeerEvent::Tagged { .. }
                        | LightPeerEvent::Protected { .. }
                        | LightPeerEvent::Reported { .. }
                )
            })
            .collect();
        (mine.len() == 3).then(|| mine.into_iter().cloned().collect::<Vec<_>>())
    })
    .await;
    assert!(
        matches!(&shown[0], LightPeerEvent::Tagged { peer_id, tag, value: 25, decaying: false, .. }
            if *peer_id == other && tag == "useful"),
        "{shown:?}"
    );
    assert!(matches!(&shown[1], LightPeerEvent::Protected { tag, .. } if tag == "user"));
    assert!(
        matches!(&shown[2], LightPeerEvent::Reported { action, name, delta, score, .. }
            if action == "low_tolerance" && name == "test" && *delta == -10.0 && *score <= -9.99),
        "{shown:?}"
    );
}

#[wasm_bindgen_test]
async fn trim_settings_change_live_and_a_bad_set_is_refused_whole_naming_the_field() {
    let events: Rc<RefCell<Vec<LightPeerEvent>>> = Rc::default();
    let sink = events.clone();
    let peer =
        LightPeer::start(LightPeerConfig::default(), move |e| sink.borrow_mut().push(e)).unwrap();
    let before = peer.engine_view().await.unwrap().settings;
    assert_eq!(
        before,
        SettingsView {
            low_water: 6,
            high_water: 8,
            grace_period_ms: 2_000,
            silence_period_ms: 1_000
        }
    );
    let bad = SettingsView { low_water: 9, ..before };
    let err = peer.set_trim_settings(bad).await.unwrap_err();
    assert!(err.contains("`low_water`: must not exceed high_water (9 > 8)"), "{err}");
    assert_eq!(peer.engine_view().await.unwrap().settings, before);

    let next =
        SettingsView { low_water: 2, high_water: 3, grace_period_ms: 0, silence_period_ms: 500 };
    // Nobody is connected, so nothing is over the new high water.
    assert_eq!(peer.set_trim_settings(next).await, Ok(false));
    assert_eq!(peer.engine_view().await.unwrap().settings, next);
    let changed: Vec<LightPeerEvent> = events
        .borrow()
        .iter()
        .filter(|e| matches!(e, LightPeerEvent::SettingsChanged { .. }))
        .cloned()
        .collect();
    assert!(
        matches!(changed.as_slice(), [LightPeerEvent::SettingsChanged { settings, trimmed: false, .. }] if *settings == next),
        "{changed:?}"
    );
}

#[wasm_bindgen_test]
async fn controls_name_a_bad_argument_and_disconnect_refuses_a_peer_that_is_not_connected() {
    let peer = LightPeer::start(LightPeerConfig::default(), |_| {}).unwrap();
    let other = libp2p::identity::Keypair::generate_ed25519().public().to_peer_id().to_string();
    let err = peer.tag("not-a-peer", "useful", 1).unwrap_err();
    assert!(err.starts_with("peer_id: \"not-a-peer\" is not a peer id"), "{err}");
    assert_eq!(peer.tag(&other, "  ", 1).unwrap_err(), "tag: must not be empty");
    assert_eq!(
        peer.report(&other, PeerAction::Custom { delta: f64::NAN }, "x").unwrap_err(),
        "delta: must be a finite number, got NaN"
    );
    assert_eq!(
        peer.disconnect(&other).await.unwrap_err(),
        format!("peer_id: {other} is not connected")
    );
}

mod callback_guard {
    use peerkeeper_web::callback_guard::install_callback_guard;
    use wasm_bindgen::{prelude::*, JsCast};
    use wasm_bindgen_test::*;

    #[wasm_bindgen(inline_js = r#"
    export function dispatch_on_fresh_channel(handler) {
      const pc = new RTCPeerConnection();
      const dc = pc.createDataChannel('t');
      dc.onmessage = handler;
      // Errors thrown by event handlers are reported to the window, as for real events.
      let thrown = null;
      const record = (e) => { thrown = e.message; e.preventDefault(); };
      window.addEventListener('error', record);
      dc.dispatchEvent(new MessageEvent('message', { data: 'x' }));
      window.removeEventListener('error', record);
      const detached = dc.onmessage === null;
      pc.close();
      return [thrown, detached];
    }
    "#)]
    extern "C" {
        fn dispatch_on_fresh_channel(handler: &js_sys::Function) -> js_sys::Array;
    }

    fn throwing(message: &'static str) -> js_sys::Function {
        Closure::<dyn Fn()>::new(move || wasm_bindgen::throw_str(message))
            .into_js_value()
            .unchecked_into()
    }

    #[wasm_bindgen_test]
    fn a_handler_whose_closure_was_dropped_detaches_instead_of_throwing() {
        install_callback_guard();
        let out = dispatch_on_fresh_channel(&throwing(
            "closure invoked recursively or after being dropped",
        ));
        assert!(out.get(0).is_null(), "the guard let the error through");
        assert_eq!(out.get(1).as_bool(), Some(true), "the dead handler stayed attached");
    }

    #[wasm_bindgen_test]
    fn other_errors_from_handlers_still_throw_and_stay_attached() {
        install_callback_guard();
        let out = dispatch_on_fresh_channel(&throwing("something else broke"));
        let reported = out.get(0).as_string().unwrap_or_default();
        assert!(reported.ends_with("something else broke"), "{reported}");
        assert_eq!(out.get(1).as_bool(), Some(false));
    }

    #[wasm_bindgen_test]
    fn installing_twice_wraps_nothing_the_second_time() {
        install_callback_guard();
        assert_eq!(install_callback_guard(), 0);
    }
}
