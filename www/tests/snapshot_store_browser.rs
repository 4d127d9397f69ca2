//! The IndexedDB snapshot store in headless Chromium.
#![cfg(target_arch = "wasm32")]

use peerkeeper_www::snapshot_store::SnapshotStore;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_saved_snapshot_is_loaded_back_byte_for_byte_after_reopening() {
    let store = SnapshotStore::open("pk-test-roundtrip").await.unwrap();
    assert_eq!(store.load("engine").await.unwrap(), None);
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    store.save("engine", &bytes).await.unwrap();
    drop(store);

    let reopened = SnapshotStore::open("pk-test-roundtrip").await.unwrap();
    assert_eq!(reopened.load("engine").await.unwrap(), Some(bytes));
}

#[wasm_bindgen_test]
async fn a_later_save_replaces_the_earlier_one() {
    let store = SnapshotStore::open("pk-test-replace").await.unwrap();
    store.save("engine", b"first").await.unwrap();
    store.save("engine", b"second").await.unwrap();
    assert_eq!(store.load("engine").await.unwrap(), Some(b"second".to_vec()));
    assert_eq!(store.keys().await.unwrap(), vec!["engine".to_string()]);
}

#[wasm_bindgen_test]
async fn a_set_aside_record_moves_under_a_corrupt_key_and_is_kept() {
    let store = SnapshotStore::open("pk-test-aside").await.unwrap();
    store.save("engine", b"\xffgarbage").await.unwrap();
    let aside = store.set_aside("engine", 1_700_000_000_123).await.unwrap();
    assert_eq!(aside.as_deref(), Some("engine.corrupt.1700000000123"));
    assert_eq!(store.load("engine").await.unwrap(), None);
    assert_eq!(
        store.load("engine.corrupt.1700000000123").await.unwrap(),
        Some(b"\xffgarbage".to_vec())
    );
    assert_eq!(store.set_aside("engine", 5).await.unwrap(), None);
}
