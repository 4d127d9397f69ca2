//! The page's engine snapshot in IndexedDB, so a reload loses nothing.
//!
//! One object store of byte records keyed by name. A record the engine refuses is never
//! deleted: it is moved aside under `<key>.corrupt.<ms>` so it can be inspected later, and the
//! page starts fresh.

use std::fmt;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode};

const STORE: &str = "snapshots";
const SCHEMA_VERSION: u32 = 1;

/// Why IndexedDB could not be used (private browsing, quota, a blocked upgrade ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "snapshot store: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

fn js_error(context: &str, value: JsValue) -> StoreError {
    let detail = value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.dyn_ref::<web_sys::DomException>().map(|e| e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"));
    StoreError(format!("{context}: {detail}"))
}

/// An open snapshot database.
pub struct SnapshotStore {
    db: IdbDatabase,
}

impl SnapshotStore {
    /// Opens (creating on first use) the database `name`.
    pub async fn open(name: &str) -> Result<Self, StoreError> {
        let factory = web_sys::window()
            .ok_or_else(|| StoreError("no window".into()))?
            .indexed_db()
            .map_err(|e| js_error("indexedDB", e))?
            .ok_or_else(|| StoreError("IndexedDB is not available".into()))?;
        let request: IdbOpenDbRequest =
            factory.open_with_u32(name, SCHEMA_VERSION).map_err(|e| js_error("open", e))?;
        let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new({
            let request = request.clone();
            move |_| {
                if let Ok(db) = request.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
                    if !db.object_store_names().contains(STORE) {
                        // A failure here surfaces as the open request's error event.
                        let _ = db.create_object_store(STORE);
                    }
                }
            }
        });
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let outcome = settle(request.unchecked_ref()).await;
        request.set_onupgradeneeded(None);
        drop(upgrade);
        let db = outcome
            .map_err(|e| js_error("open", e))?
            .dyn_into::<IdbDatabase>()
            .map_err(|e| js_error("open", e))?;
        Ok(Self { db })
    }

    /// The bytes stored under `key`, if any.
    pub async fn load(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readonly)?;
        let store = tx.object_store(STORE).map_err(|e| js_error("store", e))?;
        let request = store.get(&JsValue::from_str(key)).map_err(|e| js_error("get", e))?;
        let value = settle(&request).await.map_err(|e| js_error("get", e))?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        let bytes = value
            .dyn_into::<Uint8Array>()
            .map_err(|_| StoreError(format!("record {key:?} is not bytes")))?;
        Ok(Some(bytes.to_vec()))
    }

    /// Stores `bytes` under `key`, resolving once the write is committed.
    pub async fn save(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let store = tx.object_store(STORE).map_err(|e| js_error("store", e))?;
        store
            .put_with_key(&Uint8Array::from(bytes), &JsValue::from_str(key))
            .map_err(|e| js_error("put", e))?;
        committed(&tx).await
    }

    /// Moves the record under `key` to `<key>.corrupt.<now_ms>` in one transaction and returns
    /// the new key, or `None` when there was no record.
    pub async fn set_aside(&self, key: &str, now_ms: u64) -> Result<Option<String>, StoreError> {
        let Some(bytes) = self.load(key).await? else {
            return Ok(None);
        };
        let aside = format!("{key}.corrupt.{now_ms}");
        let tx = self.transaction(IdbTransactionMode::Readwrite)?;
        let store = tx.object_store(STORE).map_err(|e| js_error("store", e))?;
        store
            .put_with_key(&Uint8Array::from(bytes.as_slice()), &JsValue::from_str(&aside))
            .map_err(|e| js_error("put", e))?;
        store.delete(&JsValue::from_str(key)).map_err(|e| js_error("delete", e))?;
        committed(&tx).await?;
        Ok(Some(aside))
    }

    /// Every key in the store, sorted (IndexedDB orders string keys).
    pub async fn keys(&self) -> Result<Vec<String>, StoreError> {
        let tx = self.transaction(IdbTransactionMode::Readonly)?;
        let store = tx.object_store(STORE).map_err(|e| js_error("store", e))?;
        let request = store.get_all_keys().map_err(|e| js_error("keys", e))?;
        let value = settle(&request).await.map_err(|e| js_error("keys", e))?;
        Ok(js_sys::Array::from(&value).iter().filter_map(|k| k.as_string()).collect())
    }

    fn transaction(&self, mode: IdbTransactionMode) -> Result<IdbTransaction, StoreError> {
        self.db.transaction_with_str_and_mode(STORE, mode).map_err(|e| js_error("transaction", e))
    }
}

impl Drop for SnapshotStore {
    fn drop(&mut self) {
        self.db.close();
    }
}

type Handler = Closure<dyn FnMut(web_sys::Event)>;

/// Resolves with the request's result on `success`, rejects with its error on `error`. The
/// handlers are dropped once settled, so repeated saves leak nothing.
async fn settle(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let mut handlers: Option<(Handler, Handler)> = None;
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = request.clone();
        let on_success = Handler::new(move |_| {
            let _ = resolve.call1(&JsValue::UNDEFINED, &ok.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = request.clone();
        let on_error = Handler::new(move |_| {
            let error = failed.error().ok().flatten().map(JsValue::from).unwrap_or(JsValue::NULL);
            let _ = reject.call1(&JsValue::UNDEFINED, &error);
        });
        request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
        request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        handlers = Some((on_success, on_error));
    });
    let outcome = JsFuture::from(promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    drop(handlers);
    outcome
}

/// Resolves when `tx` commits; a write is durable only then, not at its request's success.
async fn committed(tx: &IdbTransaction) -> Result<(), StoreError> {
    let mut handlers: Option<(Handler, Handler)> = None;
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Handler::new(move |_| {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        });
        let failed = tx.clone();
        let on_abort = Handler::new(move |_| {
            let error = failed.error().map(JsValue::from).unwrap_or(JsValue::NULL);
            let _ = reject.call1(&JsValue::UNDEFINED, &error);
        });
        tx.set_oncomplete(Some(on_complete.as_ref().unchecked_ref()));
        tx.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
        handlers = Some((on_complete, on_abort));
    });
    let outcome = JsFuture::from(promise).await;
    tx.set_oncomplete(None);
    tx.set_onabort(None);
    drop(handlers);
    outcome.map(drop).map_err(|e| js_error("commit", e))
}
