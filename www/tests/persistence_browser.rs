//! The page's snapshot persistence in headless Chromium: restore at start, set a refused
//! snapshot aside, and coalesce saves.
#![cfg(target_arch = "wasm32")]

use std::{cell::Cell, cell::RefCell, rc::Rc};

use peerkeeper_www::persistence::{Persistence, RestoreOutcome, SNAPSHOT_KEY};
use peerkeeper_www::snapshot_store::SnapshotStore;
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

#[wasm_bindgen_test]
async fn a_stored_snapshot_is_handed_to_the_engine_at_start() {
    let store = SnapshotStore::open("pk-persist-restore").await.unwrap();
    store.save(SNAPSHOT_KEY, b"engine-state").await.unwrap();
    drop(store);
    let imported = Rc::new(RefCell::new(None));
    let sink = imported.clone();
    let (outcome, handle) = Persistence::start(
        "pk-persist-restore",
        move |bytes| {
            *sink.borrow_mut() = Some(bytes);
            Box::pin(async { Ok(()) })
        },
        exporting(b"", Rc::default()),
        7,
    )
    .await;
    assert_eq!(outcome, RestoreOutcome::Restored { bytes: 12 });
    assert_eq!(imported.borrow().as_deref(), Some(&b"engine-state"[..]));
    assert!(handle.is_some());
}

#[wasm_bindgen_test]
async fn a_refused_snapshot_is_set_aside_and_the_page_starts_fresh() {
    let store = SnapshotStore::open("pk-persist-corrupt").await.unwrap();
    store.save(SNAPSHOT_KEY, b"\x00garbage").await.unwrap();
    let (outcome, handle) = Persistence::start(
        "pk-persist-corrupt",
        |_| Box::pin(async { Err("snapshot: bad checksum".to_string()) }),
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
        |_| Box::pin(async { Ok(()) }),
        exporting(b"v2-bytes", calls.clone()),
        0,
    )
    .await;
    assert_eq!(outcome, RestoreOutcome::Fresh);
    let persistence = handle.unwrap();
    persistence.changed();
    persistence.changed();
    persistence.flush().await;
    assert_eq!(calls.get(), 1, "the flush replaced the pending save");
    let store = SnapshotStore::open("pk-persist-flush").await.unwrap();
    assert_eq!(store.load(SNAPSHOT_KEY).await.unwrap(), Some(b"v2-bytes".to_vec()));
}
