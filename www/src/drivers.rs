//! Which driver serves a mode, in this build of the page.
//!
//! The page is built twice (scripts/build-page.sh): with the `live` feature (the light peer)
//! and with the `sim` feature (the engine on a virtual clock: lessons, sandbox, stress and
//! the decay playground), and `index.html` loads the one its URL's mode needs, so a visitor
//! never downloads libp2p for a lesson nor a second engine for the live view. A build with
//! both features (the default, used by the tests) serves every mode. A mode this build lacks
//! is reported on the page instead of started.

use yew::{Html, UseReducerDispatcher};

use crate::{
    components::sim_bar::Clock,
    state::{Action, Mode, PageState},
    state_controls::Control,
};

/// Whether this build can start `mode`.
pub fn serves(mode: Mode) -> bool {
    let (live, sim) = (cfg!(feature = "live"), cfg!(feature = "sim"));
    if mode == Mode::Live {
        live
    } else {
        sim
    }
}

fn missing(mode: Mode) -> String {
    format!("this build of the page has no {} view: open it from the page's own link", mode.label())
}

pub fn start(mode: Mode, dispatch: UseReducerDispatcher<PageState>) {
    if !serves(mode) {
        dispatch.dispatch(Action::StartFailed(missing(mode)));
        return;
    }
    match mode {
        #[cfg(feature = "live")]
        Mode::Live => crate::live::start(dispatch),
        Mode::Playground => {}
        #[cfg(feature = "sim")]
        m => crate::sim::start(m, dispatch),
        #[cfg(not(feature = "sim"))]
        _ => {}
    }
}

pub fn control(mode: Mode, c: Control) -> Result<(), String> {
    match mode {
        #[cfg(feature = "live")]
        Mode::Live => crate::live::control(c),
        #[cfg(feature = "sim")]
        m if m != Mode::Live => crate::sim::control(c),
        m => {
            let _ = c;
            Err(missing(m))
        }
    }
}

pub fn select(mode: Mode, peer: Option<String>) {
    match mode {
        #[cfg(feature = "live")]
        Mode::Live => crate::live::select(peer),
        #[cfg(feature = "sim")]
        m if m != Mode::Live => crate::sim::select(peer),
        _ => {
            let _ = peer;
        }
    }
}

/// The lessons' ids and titles (none without the `sim` feature).
pub fn scenario_list() -> Vec<(String, String)> {
    #[cfg(feature = "sim")]
    return crate::sim::scenario_list();
    #[cfg(not(feature = "sim"))]
    Vec::new()
}

pub fn clock(c: Clock) {
    #[cfg(feature = "sim")]
    crate::sim::clock(c);
    #[cfg(not(feature = "sim"))]
    let _ = c;
}

pub fn pick(id: &str) -> Result<(), String> {
    #[cfg(feature = "sim")]
    return crate::sim::pick(id);
    #[cfg(not(feature = "sim"))]
    Err(format!("no lesson {id} in this build of the page"))
}

pub fn seek(index: usize) {
    #[cfg(feature = "sim")]
    crate::sim::seek(index);
    #[cfg(not(feature = "sim"))]
    let _ = index;
}

/// The decay playground, which runs the engine itself.
pub fn playground() -> Html {
    #[cfg(feature = "sim")]
    return yew::html! { <crate::components::decay_playground::DecayPlayground /> };
    #[cfg(not(feature = "sim"))]
    Html::default()
}
