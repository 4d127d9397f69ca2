//! peerkeeper-www: the page. Built for the browser by scripts/build-page.sh; the pure parts (state, drivers'
//! engines, chart maths) also compile natively so their tests run without a browser.
//!
//! - `state*`: the one reducer (`state`), what views render (`state_frame`), the histories
//!   (`state_recorder`, `state_ring`), the table's arrangement (`state_peers`), trims
//!   (`state_trims`), chart geometry (`state_chart`) and the controls (`state_controls`);
//! - `sim_engine` / `sim_teaching`: the engine on a virtual clock (sandbox; lessons and the
//!   stress load through the core's scenario player); `decay_curve`: the playground's maths;
//! - `stored_snapshot`: the stored record, the engine's snapshot with its save's wall time;
//! - `components/`: one Yew function component per file;
//! - browser-only glue: `app`, `drivers` (which driver serves a mode in this build), `live`
//!   (the light peer, feature `live`), `sim` (the virtual clock's driver, feature `sim`), `raf`
//!   (one render per animation frame).

pub mod components;
pub mod decay_curve;
pub mod sim_engine;
pub mod sim_teaching;
pub mod state;
pub mod state_chart;
pub mod state_controls;
pub mod state_frame;
pub mod state_peers;
pub mod state_recorder;
pub mod state_ring;
pub mod state_trims;
pub mod stored_snapshot;
pub mod targets;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod drivers;
#[cfg(all(target_arch = "wasm32", feature = "live"))]
mod live;
#[cfg(target_arch = "wasm32")]
pub mod persistence;
#[cfg(target_arch = "wasm32")]
pub mod raf;
#[cfg(all(target_arch = "wasm32", feature = "sim"))]
mod sim;
#[cfg(target_arch = "wasm32")]
pub mod snapshot_store;
