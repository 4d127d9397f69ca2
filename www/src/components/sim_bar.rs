//! The virtual clock's controls (play, pause, step, speed) and the sandbox's own: add peers,
//! trim now.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::state_controls::Control;

/// What the clock bar asks of the simulation driver.
#[derive(Debug, Clone, PartialEq)]
pub enum Clock {
    Play,
    Pause,
    /// Advance one step (a scenario step, or one second in the sandbox).
    Step,
    Speed(f64),
    Reset,
}

pub const SPEEDS: [f64; 5] = [0.5, 1.0, 2.0, 5.0, 20.0];

#[derive(Properties, PartialEq)]
pub struct SimBarProps {
    pub playing: bool,
    pub speed: f64,
    pub on_clock: Callback<Clock>,
    /// Sandbox controls (absent in teaching and stress).
    #[prop_or_default]
    pub on_control: Option<Callback<Control>>,
}

#[function_component(SimBar)]
pub fn sim_bar(props: &SimBarProps) -> Html {
    let clock = |c: Clock| {
        let on = props.on_clock.clone();
        Callback::from(move |_: MouseEvent| on.emit(c.clone()))
    };
    let on_speed = {
        let on = props.on_clock.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Ok(v) = s.value().parse::<f64>() {
                    on.emit(Clock::Speed(v));
                }
            }
        })
    };
    let control = |c: Control| {
        props.on_control.clone().map(|on| Callback::from(move |_: MouseEvent| on.emit(c.clone())))
    };
    html! {
        <div class="sim-bar" role="toolbar" aria-label="virtual clock">
            if props.playing {
                <button type="button" id="pause" onclick={clock(Clock::Pause)}>{ "Pause" }</button>
            } else {
                <button type="button" id="play" onclick={clock(Clock::Play)}>{ "Play" }</button>
            }
            <button type="button" id="step" onclick={clock(Clock::Step)}>{ "Step" }</button>
            <button type="button" id="reset" onclick={clock(Clock::Reset)}>{ "Reset" }</button>
            <label>{ "speed " }
                <select id="speed" onchange={on_speed}>
                    { for SPEEDS.iter().map(|s| html! {
                        <option value={s.to_string()} selected={(*s - props.speed).abs() < 1e-9}>{ format!("{s}×") }</option>
                    }) }
                </select>
            </label>
            if let (Some(add1), Some(add5), Some(trim)) = (
                control(Control::AddPeers { count: 1, outbound: false }),
                control(Control::AddPeers { count: 5, outbound: true }),
                control(Control::TrimNow),
            ) {
                <button type="button" id="add-peer" onclick={add1}>{ "Add an inbound peer" }</button>
                <button type="button" id="add-five" onclick={add5}>{ "Dial 5 peers" }</button>
                <button type="button" id="trim-now" onclick={trim}>{ "Trim now" }</button>
            }
        </div>
    }
}
