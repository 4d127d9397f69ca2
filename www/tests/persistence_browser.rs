//! The page's snapshot persistence in headless Chromium: restore at start, set a refused
//! snapshot aside, and coalesce saves.
#![cfg(target_arch = "wasm32")]

use std::{cell::Cell, cell::RefCell, rc::Rc};

use peerkeeper_www::persistence::{Persistence, RestoreOutcome, SNAPSHOT_KEY};
use peerkeeper_www::snapshot_store::SnapshotStore;
use peerkeeper_www::stored_snapshot;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn exporting(
    bytes: &'static [u8],
    calls: Rc<Cell<u32>>,
) -> impl Fn() -> peerkeeper_www::persistence::ExportFuture {
    move || {
        calls.set(calls.get() + 1);
        Box::pin(async move { Some(bytes.to_vec()) })
    }
}

/// Starts persistence on `database` holding `record` at wall time `now_ms`; returns the
/// outcome and what the engine was handed.
async fn start_with(
    database: &str,
    record: &[u8],
    now_ms: u64,
) -> (RestoreOutcome, Option<(Vec<u8>, u64)>) {
    let store = SnapshotStore::open(database).await.unwrap();
    store.save(SNAPSHOT_KEY, record).await.unwrap();
    drop(store);
    let imported = Rc::new(RefCell::new(None));
    let sink = imported.clone();
    let (outcome, handle) = Persistence::start(
        database,
        move |bytes, saved_ago| {
            *sink.borrow_mut() = Some((bytes, saved_ago));
            Box::pin(async { Ok(()) })
        },
        exporting(b"", Rc::default()),
        now_ms,
    )
    .await;
    assert!(handle.is_some());
    let imported = imported.borrow_mut().take();
    (outcome, imported)
}

#[wasm_bindgen_test]
async fn a_stored_snapshot_is_handed_to_the_engine_at_start_with_how_long_ago_it_was_saved() {
    let record = stored_snapshot::encode(1_700_000_007_000, b"engine-state");
    let (outcome, imported) = start_with("pk-persist-restore", &record, 1_700_000_010_250).await;
    assert_eq!(outcome, RestoreOutcome::Restored { bytes: 12 });
    assert_eq!(imported, Some((b"engine-state".to_vec(), 3_250)));
}

#[wasm_bindgen_test]
async fn a_record_from_an_earlier_build_is_handed_over_whole_as_saved_just_now() {
    let (outcome, imported) =
        start_with("pk-persist-bare", b"engine-state", 1_700_000_010_250).await;
    assert_eq!(outcome, RestoreOutcome::Restored { bytes: 12 });
    assert_eq!(imported, Some((b"engine-state".to_vec(), 0)));
}

#[wasm_bindgen_test]
async fn a_refused_snapshot_is_set_aside_and_the_page_starts_fresh() {
    let store = SnapshotStore::open("pk-persist-corrupt").await.unwrap();
    store.save(SNAPSHOT_KEY, b"\x00garbage").await.unwrap();
    let (outcome, handle) = Persistence::start(
        "pk-persist-corrupt",
        |_, _| Box::pin(async { Err("snapshot: bad checksum".to_string()) }),
        exporting(b"", Rc::default()),
        1_234,
    )
    .await;
    let aside = format!("{SNAPSHOT_KEY}.corrupt.1234");
    assert_eq!(
        outcome,
        RestoreOutcome::SetAside { aside: aside.clone(), error: "snapshot: bad checksum".into() }
    );
    assert!(handle.is_some());
    assert_eq!(store.load(SNAPSHOT_KEY).await.unwrap(), None);
    assert_eq!(store.load(&aside).await.unwrap(), Some(b"\x00garbage".to_vec()));
}

#[wasm_bindgen_test]
async fn changes_followed_by_a_flush_export_once_and_store_the_bytes() {
    let calls = Rc::new(Cell::new(0));
    let (outcome, handle) = Persistence::start(
        "pk-persist-flush",
        |_, _| Box::pin(async { Ok(()) }),
        exporting(b"v2-bytes", calls.clone()),
        0,
    )
    .await;
    assert_eq!(outcome, RestoreOutcome::Fresh);
    let persistence = handle.unwrap();
    persistence.changed();
    persistence.changed();
    let before = js_sys::Date::now() as u64;
    persistence.flush().await;
    let after = js_sys::Date::now() as u64;
    assert_eq!(calls.get(), 1, "the flush replaced the pending save");
    let store = SnapshotStore::open("pk-persist-flush").await.unwrap();
    let record = store.load(SNAPSHOT_KEY).await.unwrap().unwrap();
    let (saved_at, snapshot) = stored_snapshot::decode(&record);
    assert_eq!(snapshot, b"v2-bytes");
    let saved_at = saved_at.expect("the save's wall time is kept");
    assert!((before..=after).contains(&saved_at), "{before} <= {saved_at} <= {after}");
}
