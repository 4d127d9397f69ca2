//! Per-peer controls: tag, protect, report an action, disconnect.

use yew::prelude::*;

use super::field::{set_value, value};

use crate::{
    sim_engine::REPORT_ACTIONS,
    state_controls::{parse_tag_value, Control},
};

#[derive(Properties, PartialEq)]
pub struct PeerActionsProps {
    pub peer: String,
    pub protected: bool,
    pub on_control: Callback<Control>,
    /// False where the engine takes no tag, report or disconnect (a lesson plays its own
    /// steps): only protect is offered.
    pub full: bool,
}

#[function_component(PeerActions)]
pub fn peer_actions(props: &PeerActionsProps) -> Html {
    let tag_name = use_node_ref();
    let tag_value = use_node_ref();
    let action = use_node_ref();
    let error = use_state(|| None::<String>);
    let peer = props.peer.clone();
    {
        let (tag_name, tag_value, action) = (tag_name.clone(), tag_value.clone(), action.clone());
        use_effect_with(props.full, move |_| {
            set_value(&tag_name, "useful");
            set_value(&tag_value, "10");
            set_value(&action, "low_tolerance");
        });
    }
    let on_tag = {
        let (tag_name, tag_value, on, error, peer) = (
            tag_name.clone(),
            tag_value.clone(),
            props.on_control.clone(),
            error.clone(),
            peer.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = value(&tag_name);
            let text = value(&tag_value);
            if name.trim().is_empty() {
                return error.set(Some("tag: give the tag a name".into()));
            }
            match parse_tag_value(&text) {
                Ok(value) => {
                    error.set(None);
                    on.emit(Control::Tag {
                        peer: peer.clone(),
                        tag: name.trim().to_string(),
                        value,
                    });
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let simple = |make: fn(String) -> Control| {
        let (on, peer) = (props.on_control.clone(), peer.clone());
        Callback::from(move |_: MouseEvent| on.emit(make(peer.clone())))
    };
    let protect = if props.protected {
        simple(|peer| Control::Unprotect { peer, tag: "user".into() })
    } else {
        simple(|peer| Control::Protect { peer, tag: "user".into() })
    };
    let report = {
        let (on, peer, action) = (props.on_control.clone(), peer.clone(), action.clone());
        Callback::from(move |_: MouseEvent| {
            let a = value(&action);
            on.emit(Control::Report { peer: peer.clone(), action: a });
        })
    };
    let disconnect = simple(|peer| Control::Disconnect { peer });
    html! {
        <div class="peer-actions" aria-label="peer controls">
            <button type="button" id="peer-protect" onclick={protect}>
                { if props.protected { "Unprotect" } else { "Protect" } }
            </button>
            if props.full {
                <form class="inline" onsubmit={on_tag}>
                    <label>{ "tag " }<input ref={tag_name} id="peer-tag-name" size="10" /></label>
                    <label>{ "value " }<input ref={tag_value} id="peer-tag-value" size="5" inputmode="numeric" /></label>
                    <button type="submit" id="peer-tag">{ "Tag" }</button>
                </form>
                <label>{ "report " }
                    <select ref={action} id="peer-report-action">
                        { for REPORT_ACTIONS.iter().map(|a| html! { <option value={*a}>{ *a }</option> }) }
                    </select>
                </label>
                <button type="button" id="peer-report" onclick={report}>{ "Report" }</button>
                <button type="button" id="peer-disconnect" onclick={disconnect}>{ "Disconnect" }</button>
            } else {
                <p class="hint">{ "Tag, report and disconnect are available in the sandbox and live." }</p>
            }
            if let Some(e) = &*error { <p class="error" role="alert">{ e }</p> }
        </div>
    }
}
