//! The root component: one reducer, the driver the mode asks for, and the views.

use std::rc::Rc;

use yew::prelude::*;

use crate::{
    components::{
        connected_chart::ConnectedChart, dial_form::DialForm, header_bar::HeaderBar,
        log_view::LogView, mode_nav::ModeNav, peer_details::PeerDetails, peer_table::PeerTable,
        settings_form::SettingsForm, sim_bar::SimBar, teaching_panel::TeachingPanel,
        trim_timeline::TrimTimeline,
    },
    drivers,
    raf::query,
    state::{Action, Mode, PageState},
    state_controls::Control,
};

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| PageState::new(Mode::from_query(&query())));
    let mode = state.mode;
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| drivers::start(mode, dispatch));
    }
    let scenarios = use_memo((), |_| drivers::scenario_list());
    let on_control = {
        let dispatch = state.dispatcher();
        Callback::from(move |c: Control| {
            let r = drivers::control(mode, c);
            dispatch.dispatch(Action::ControlResult(r));
        })
    };
    let on_select = {
        let dispatch = state.dispatcher();
        let current = state.selected.clone();
        Callback::from(move |peer: String| {
            let next =
                if current.as_deref() == Some(peer.as_str()) { None } else { Some(peer.clone()) };
            drivers::select(mode, next);
            dispatch.dispatch(Action::Select(Some(peer)));
        })
    };
    let on_close = {
        let (dispatch, current) = (state.dispatcher(), state.selected.clone());
        Callback::from(move |_| {
            drivers::select(mode, None);
            dispatch.dispatch(Action::Select(current.clone()));
        })
    };
    let dispatcher = state.dispatcher();
    let d = dispatcher.clone();
    let on_sort = Callback::from(move |c| d.dispatch(Action::Sort(c)));
    let d = dispatcher.clone();
    let on_filter = Callback::from(move |f| d.dispatch(Action::Filter(f)));
    let d = dispatcher.clone();
    let on_show = Callback::from(move |t| d.dispatch(Action::ShowRanked(Some(t))));
    let d = dispatcher.clone();
    let on_back = Callback::from(move |_| d.dispatch(Action::ShowRanked(None)));
    let on_clock = Callback::from(drivers::clock);
    let d = dispatcher.clone();
    let on_pick = Callback::from(move |id: String| {
        if let Err(e) = drivers::pick(&id) {
            d.dispatch(Action::StartFailed(e));
        }
    });
    let on_seek = Callback::from(drivers::seek);
    let on_dial = on_control.reform(Control::Dial);

    let f = &state.frame;
    let selected_row = state.selected.as_deref().and_then(|p| f.row(p)).cloned();
    html! {
        <main class={format!("mode-{}", mode.as_str())}>
            <header class="top">
                <h1>{ "peerkeeper" }</h1>
                <p class="tagline">{ "A peer manager you can watch: every score, tag, decay and trim, live or as a lesson." }</p>
                <ModeNav {mode} />
            </header>
            if let Some(e) = &state.start_error {
                <p class="error" role="alert">{ e }</p>
            }
            if mode == Mode::Playground {
                { drivers::playground() }
            } else if !drivers::serves(mode) {
            } else {
                <HeaderBar header={f.header.clone()} local_peer_id={state.local_peer_id.clone()} />
                if mode.is_simulated() {
                    <SimBar playing={state.clock.playing} speed={state.clock.speed} on_clock={on_clock.clone()}
                        on_control={(mode == Mode::Sandbox).then(|| on_control.clone())} />
                }
                if let (Mode::Teaching, Some(lesson)) = (mode, &state.lesson) {
                    <TeachingPanel lesson={Rc::clone(lesson)} scenarios={Rc::clone(&scenarios)} {on_pick} {on_seek} />
                }
                if mode == Mode::Live {
                    <DialForm {on_dial} />
                }
                if matches!(mode, Mode::Live | Mode::Sandbox) {
                    <SettingsForm header={f.header.clone()} on_control={on_control.clone()}
                        error={state.control_error.clone()} enabled=true />
                }
                <div class="board">
                    <div class="main-col">
                        <ConnectedChart points={Rc::clone(&f.connected)} trims={Rc::clone(&f.trims)}
                            low_water={f.header.low_water} high_water={f.header.high_water} />
                        <PeerTable rows={Rc::clone(&f.rows)} now={f.now} view={state.table.clone()}
                            selected={state.selected.clone()} ranked={state.ranked.clone()}
                            {on_sort} {on_filter} {on_select} {on_back} />
                    </div>
                    <div class="side-col">
                        <PeerDetails row={selected_row} history={f.selected.clone()} on_control={on_control.clone()}
                            {on_close} full_controls={matches!(mode, Mode::Live | Mode::Sandbox)} now={f.now} />
                        <TrimTimeline trims={Rc::clone(&f.trims)} {on_show} shown={state.ranked.as_ref().map(|t| t.at_ms)} />
                        <LogView lines={Rc::clone(&f.log)} />
                    </div>
                </div>
            }
        </main>
    }
}
