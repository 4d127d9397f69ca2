//! The newest log lines, newest first.

use std::rc::Rc;

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LogViewProps {
    pub lines: Rc<Vec<String>>,
}

#[function_component(LogView)]
pub fn log_view(props: &LogViewProps) -> Html {
    html! {
        <section class="log" aria-label="log">
            <h2>{ "Log" }</h2>
            <ol>{ for props.lines.iter().rev().map(|l| html! { <li>{ l }</li> }) }</ol>
        </section>
    }
}
