//! The page's views, as links: each is a URL a teacher can share.

use yew::prelude::*;

use crate::state::Mode;

#[derive(Properties, PartialEq)]
pub struct ModeNavProps {
    pub mode: Mode,
}

#[function_component(ModeNav)]
pub fn mode_nav(props: &ModeNavProps) -> Html {
    html! {
        <nav class="modes" aria-label="views">
            { for Mode::ALL.iter().map(|m| {
                let current = *m == props.mode;
                html! {
                    <a href={format!("?mode={}", m.as_str())} class={classes!(current.then_some("current"))}
                        aria-current={current.then_some("page")} data-mode={m.as_str()}>{ m.label() }</a>
                }
            }) }
        </nav>
    }
}
