//! Keeps the light peer's engine state across reloads: restores the stored snapshot at start,
//! saves again (at most once a second) after the engine changes and at once when the page is hidden or
//! closed. A snapshot the engine refuses is set aside, reported and never retried. Each record
//! keeps its save's wall-clock time (`stored_snapshot`), so the engine learns how long the page
//! was closed.

use std::{cell::RefCell, future::Future, pin::Pin, rc::Rc};

use gloo_timers::callback::Timeout;
use wasm_bindgen::{prelude::*, JsCast};

use crate::{snapshot_store::SnapshotStore, stored_snapshot};

/// The record the page keeps its engine snapshot under.
pub const SNAPSHOT_KEY: &str = "light-peer-engine";
/// Delay from a change to its save: a trim or a burst of strikes is one write.
pub const SAVE_DEBOUNCE_MS: u32 = 1_000;

/// What the page found in storage at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreOutcome {
    /// Nothing was stored (first visit, or storage cleared).
    Fresh,
    /// The stored snapshot (this many bytes) is back in the engine.
    Restored { bytes: usize },
    /// The stored snapshot was refused; it now lives under `aside` for inspection.
    SetAside { aside: String, error: String },
    /// IndexedDB could not be used; the page runs without persistence.
    Unavailable { error: String },
}

pub type ExportFuture = Pin<Box<dyn Future<Output = Option<Vec<u8>>>>>;
pub type ImportFuture = Pin<Box<dyn Future<Output = Result<(), String>>>>;

/// The page's persistence: one store, one debounce timer, one export function.
pub struct Persistence {
    store: Rc<SnapshotStore>,
    export: Rc<dyn Fn() -> ExportFuture>,
    timer: RefCell<Option<Timeout>>,
    _on_hide: Closure<dyn FnMut(web_sys::Event)>,
}

impl Persistence {
    /// Opens the store and hands any stored snapshot to `import` with how long ago it was
    /// saved (wall-clock ms before `now_ms`; 0 if the record predates that being kept);
    /// returns the outcome and, when storage works, the persistence handle that saves
    /// `export()`'s bytes from then on.
    pub async fn start(
        database: &str,
        import: impl FnOnce(Vec<u8>, u64) -> ImportFuture,
        export: impl Fn() -> ExportFuture + 'static,
        now_ms: u64,
    ) -> (RestoreOutcome, Option<Rc<Persistence>>) {
        let store = match SnapshotStore::open(database).await {
            Ok(store) => Rc::new(store),
            Err(e) => return (RestoreOutcome::Unavailable { error: e.to_string() }, None),
        };
        let outcome = match store.load(SNAPSHOT_KEY).await {
            Ok(None) => RestoreOutcome::Fresh,
            Ok(Some(record)) => {
                let (saved_at, snapshot) = stored_snapshot::decode(&record);
                let len = snapshot.len();
                match import(snapshot.to_vec(), stored_snapshot::saved_ago(saved_at, now_ms)).await
                {
                    Ok(()) => RestoreOutcome::Restored { bytes: len },
                    Err(error) => match store.set_aside(SNAPSHOT_KEY, now_ms).await {
                        Ok(aside) => {
                            RestoreOutcome::SetAside { aside: aside.unwrap_or_default(), error }
                        }
                        Err(e) => RestoreOutcome::Unavailable { error: e.to_string() },
                    },
                }
            }
            Err(e) => RestoreOutcome::Unavailable { error: e.to_string() },
        };
        let export: Rc<dyn Fn() -> ExportFuture> = Rc::new(export);
        let on_hide = {
            let (store, export) = (store.clone(), export.clone());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                let hidden = web_sys::window()
                    .and_then(|w| w.document())
                    .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden);
                if hidden {
                    save_now(store.clone(), export.clone());
                }
            })
        };
        if let Some(window) = web_sys::window() {
            // `pagehide` covers reload and close; `visibilitychange` covers a tab put away on a
            // phone, after which the page may be killed without any further event.
            let f = on_hide.as_ref().unchecked_ref();
            let _ = window.add_event_listener_with_callback("pagehide", f);
            if let Some(document) = window.document() {
                let _ = document.add_event_listener_with_callback("visibilitychange", f);
            }
        }
        let persistence =
            Rc::new(Persistence { store, export, timer: RefCell::new(None), _on_hide: on_hide });
        (outcome, Some(persistence))
    }

    /// The engine changed: save [`SAVE_DEBOUNCE_MS`] from the first change not yet saved. A
    /// busy engine never goes quiet, so later changes join the pending save instead of
    /// pushing it back: at most one write per interval, and none lost.
    pub fn changed(self: &Rc<Self>) {
        if self.timer.borrow().is_some() {
            return;
        }
        let this = self.clone();
        let timer = Timeout::new(SAVE_DEBOUNCE_MS, move || {
            this.timer.borrow_mut().take();
            save_now(this.store.clone(), this.export.clone());
        });
        self.timer.borrow_mut().replace(timer);
    }

    /// Saves right away, cancelling a pending save; resolves once committed.
    pub async fn flush(self: &Rc<Self>) {
        self.timer.borrow_mut().take();
        save(self.store.clone(), self.export.clone()).await;
    }
}

fn save_now(store: Rc<SnapshotStore>, export: Rc<dyn Fn() -> ExportFuture>) {
    wasm_bindgen_futures::spawn_local(save(store, export));
}

async fn save(store: Rc<SnapshotStore>, export: Rc<dyn Fn() -> ExportFuture>) {
    if let Some(bytes) = export().await {
        let record = stored_snapshot::encode(js_sys::Date::now() as u64, &bytes);
        if let Err(e) = store.save(SNAPSHOT_KEY, &record).await {
            web_sys::console::warn_1(&format!("saving the engine snapshot: {e}").into());
        }
    }
}
