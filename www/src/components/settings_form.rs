//! Watermarks, grace and silence, applied to the running engine.

use yew::prelude::*;

use super::field::{set_value, value};

use crate::{
    state_controls::{parse_settings, Control},
    state_frame::Header,
};

#[derive(Properties, PartialEq)]
pub struct SettingsFormProps {
    pub header: Header,
    pub on_control: Callback<Control>,
    /// A refusal from the engine (or the mode) to show under the form.
    pub error: Option<String>,
    pub enabled: bool,
}

#[function_component(SettingsForm)]
pub fn settings_form(props: &SettingsFormProps) -> Html {
    let refs = [use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref()];
    let local_error = use_state(|| None::<String>);
    let onsubmit = {
        let (refs, on, local_error) = (refs.clone(), props.on_control.clone(), local_error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let v: Vec<String> = refs.iter().map(value).collect();
            match parse_settings(&v[0], &v[1], &v[2], &v[3]) {
                Ok(s) => {
                    local_error.set(None);
                    on.emit(Control::Settings(s));
                }
                Err(e) => local_error.set(Some(e)),
            }
        })
    };
    let h = &props.header;
    let secs = |ms: u64| format!("{}", ms as f64 / 1000.0);
    {
        // Refill the fields only when the engine's settings change.
        let refs = refs.clone();
        let shown = [
            h.low_water.to_string(),
            h.high_water.to_string(),
            secs(h.grace_ms),
            secs(h.silence_ms),
        ];
        use_effect_with(shown, move |shown| {
            for (r, v) in refs.iter().zip(shown) {
                set_value(r, v);
            }
        });
    }
    let field = |i: usize, id: &str, label: &str| {
        html! {
            <label for={id.to_string()}>{ label }
                <input ref={refs[i].clone()} id={id.to_string()} inputmode="decimal" size="6" disabled={!props.enabled} />
            </label>
        }
    };
    let error = (*local_error).clone().or_else(|| props.error.clone());
    html! {
        <form class="settings" {onsubmit} aria-label="engine settings">
            { field(0, "set-low", "low water") }
            { field(1, "set-high", "high water") }
            { field(2, "set-grace", "grace (s)") }
            { field(3, "set-silence", "silence (s)") }
            <button type="submit" id="apply-settings" disabled={!props.enabled}>{ "Apply" }</button>
            if !props.enabled {
                <span class="hint">{ "A lesson plays its own settings; change them in the sandbox or live." }</span>
            }
            if let Some(e) = error { <p class="error" role="alert" id="settings-error">{ e }</p> }
        </form>
    }
}
