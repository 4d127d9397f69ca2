//! A field to dial any multiaddr the browser can reach.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DialFormProps {
    pub on_dial: Callback<String>,
}

#[function_component(DialForm)]
pub fn dial_form(props: &DialFormProps) -> Html {
    let input = use_node_ref();
    let onsubmit = {
        let input = input.clone();
        let on_dial = props.on_dial.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let value = el.value().trim().to_string();
                if !value.is_empty() {
                    on_dial.emit(value);
                    el.set_value("");
                }
            }
        })
    };
    html! {
        <form class="dial" {onsubmit}>
            <label for="dial-addr">{ "Dial a multiaddr" }</label>
            <input id="dial-addr" ref={input} type="text" spellcheck="false"
                placeholder="/ip4/127.0.0.1/udp/9090/webrtc-direct/certhash/…/p2p/…" />
            <button type="submit">{ "Dial" }</button>
        </form>
    }
}
