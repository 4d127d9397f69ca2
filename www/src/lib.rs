//! peerkeeper-www: the page. Built for the browser by scripts/build-page.sh; the pure parts (state, address
//! choice, components) also compile natively so their tests run without a browser.

pub mod components;
pub mod state;
pub mod targets;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
mod live;
#[cfg(target_arch = "wasm32")]
pub mod persistence;
#[cfg(target_arch = "wasm32")]
pub mod snapshot_store;
