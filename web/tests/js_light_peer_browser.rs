//! The light peer's JS class in a real browser: every control checks its arguments by name
//! (a TypeError for a wrong type, a RangeError for a bad value) and the engine answers.
#![cfg(all(target_arch = "wasm32", feature = "js-light-peer"))]

use js_sys::{Function, Object, Promise, Reflect};
use peerkeeper_web::js_light_peer::JsLightPeer;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn light_peer() -> JsLightPeer {
    JsLightPeer::new(JsValue::UNDEFINED, Function::new_no_args("")).expect("started")
}

fn other_peer() -> JsValue {
    libp2p::identity::Keypair::generate_ed25519().public().to_peer_id().to_string().into()
}

/// The error's class name and message.
fn error(e: JsValue) -> (String, String) {
    let e: js_sys::Error = e.dyn_into().expect("an Error");
    (e.name().into(), e.message().into())
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

#[wasm_bindgen_test]
fn a_wrong_type_is_a_type_error_and_a_bad_value_a_range_error_each_naming_the_argument() {
    let lp = light_peer();
    let peer = other_peer();
    let cases = [
        (
            lp.tag(JsValue::from(7), "t".into(), 1.into()),
            "TypeError",
            "tag: peer must be a string, got 7",
        ),
        (lp.tag(peer.clone(), "".into(), 1.into()), "RangeError", "tag: tag must not be empty"),
        (
            lp.tag(peer.clone(), "t".into(), JsValue::from(1.5)),
            "RangeError",
            "tag: value must be a finite integer, got 1.5",
        ),
        (
            lp.untag(peer.clone(), JsValue::NULL),
            "TypeError",
            "untag: tag must be a string, got null",
        ),
        (
            lp.unprotect("nope".into(), "user".into()),
            "RangeError",
            "unprotect: peer_id: \"nope\" is not a peer id",
        ),
        (
            lp.report(peer.clone(), "mild".into(), JsValue::UNDEFINED),
            "RangeError",
            "report: action: unknown report action \"mild\"",
        ),
    ];
    for (result, class, start) in cases {
        let (name, message) = error(result.expect_err(start));
        assert_eq!(name, class, "{message}");
        assert!(message.starts_with(start), "{message} (expected {start}…)");
    }
    let (name, message) = error(lp.set_trim_settings(JsValue::from(3)).unwrap_err());
    assert_eq!(
        (name.as_str(), message.as_str()),
        ("TypeError", "setTrimSettings: settings must be an object, got 3")
    );
    let bad = object(&[("highWater", JsValue::from(-1))]);
    let (name, message) = error(lp.set_trim_settings(bad).unwrap_err());
    assert_eq!(name, "RangeError");
    assert!(message.starts_with("setTrimSettings: settings.highWater"), "{message}");
    let unknown = object(&[("highwater", JsValue::from(3))]);
    let (name, message) = error(lp.set_trim_settings(unknown).unwrap_err());
    assert_eq!(name, "TypeError");
    assert!(
        message.starts_with("setTrimSettings: unknown settings field \"highwater\""),
        "{message}"
    );
}

#[wasm_bindgen_test]
async fn set_trim_settings_keeps_absent_fields_and_the_engine_view_shows_the_change() {
    let lp = light_peer();
    let peer = other_peer();
    lp.tag(peer.clone(), "useful".into(), 5.into()).unwrap();
    let p: Promise =
        lp.set_trim_settings(object(&[("highWater", 3.into()), ("lowWater", 2.into())])).unwrap();
    assert_eq!(JsFuture::from(p).await.unwrap(), JsValue::FALSE);
    let view = JsFuture::from(lp.engine_view()).await.unwrap();
    let settings = Reflect::get(&view, &"settings".into()).unwrap();
    let get = |o: &JsValue, k: &str| Reflect::get(o, &k.into()).unwrap().as_f64().unwrap();
    assert_eq!(
        (get(&settings, "lowWater"), get(&settings, "highWater"), get(&settings, "gracePeriodMs")),
        (2.0, 3.0, 2_000.0)
    );
    let peers: js_sys::Array = Reflect::get(&view, &"peers".into()).unwrap().dyn_into().unwrap();
    let mine = peers
        .iter()
        .find(|p| Reflect::get(p, &"peerId".into()).unwrap() == peer)
        .expect("the tagged peer");
    assert_eq!(get(&mine, "tagScore"), 5.0);

    let refused = lp.set_trim_settings(object(&[("lowWater", 9.into())])).unwrap();
    let (name, message) = error(JsFuture::from(refused).await.unwrap_err());
    assert_eq!(name, "RangeError");
    assert!(message.contains("`low_water`: must not exceed high_water (9 > 3)"), "{message}");
    let (name, message) =
        error(JsFuture::from(lp.disconnect(peer.clone()).unwrap()).await.unwrap_err());
    assert_eq!(name, "RangeError");
    assert_eq!(
        message,
        format!("disconnect: peer_id: {} is not connected", peer.as_string().unwrap())
    );
}
