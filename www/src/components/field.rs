//! Uncontrolled form fields. Yew re-applies a rendered `value` on every render, which would
//! wipe what the user is typing whenever a frame arrives (sixty times a second while the
//! clock plays); these fields are rendered without one and filled by an effect instead.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::NodeRef;

/// Sets an input's or a select's value.
pub fn set_value(r: &NodeRef, value: &str) {
    if let Some(i) = r.cast::<HtmlInputElement>() {
        i.set_value(value);
    } else if let Some(s) = r.cast::<HtmlSelectElement>() {
        s.set_value(value);
    }
}

/// An input's or a select's value ("" when not mounted).
pub fn value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| r.cast::<HtmlSelectElement>().map(|s| s.value()))
        .unwrap_or_default()
}
