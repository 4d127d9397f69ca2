//! Each trim the engine made: when, why, and every peer's verdict, closed ones first.

use yew::prelude::*;

use crate::state::TrimRecord;

#[derive(Properties, PartialEq)]
pub struct TrimLogProps {
    /// Newest last.
    pub trims: Vec<TrimRecord>,
}

#[function_component(TrimLog)]
pub fn trim_log(props: &TrimLogProps) -> Html {
    html! {
        <section class="trims" aria-label="trims">
            <h2>{ "Trims" }</h2>
            if props.trims.is_empty() {
                <p class="empty">{ "No trim yet: the engine trims when a new peer pushes the count above the high water." }</p>
            }
            <ol reversed=true>
                { for props.trims.iter().rev().map(trim) }
            </ol>
        </section>
    }
}

fn trim(t: &TrimRecord) -> Html {
    let summary = format!(
        "{:.1} s · {} · {} connected → target {} · closed {}{}",
        t.at_ms as f64 / 1000.0,
        t.trigger,
        t.connected,
        t.target,
        t.closed(),
        if t.shortfall > 0 { format!(" · short by {}", t.shortfall) } else { String::new() },
    );
    html! {
        <li class="trim" data-closed={t.closed().to_string()}>
            <p class="trim-summary">{ summary }</p>
            <table class="trim-entries">
                <thead><tr><th>{ "rank" }</th><th>{ "peer" }</th><th>{ "score" }</th><th>{ "verdict" }</th></tr></thead>
                <tbody>
                    { for t.entries.iter().map(|e| html! {
                        <tr class={if e.closed { "closed" } else { "kept" }} data-verdict={e.verdict.clone()}>
                            <td>{ e.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()) }</td>
                            <td><code>{ short(&e.peer_id) }</code></td>
                            <td>{ format!("{}", e.score) }</td>
                            <td>{ &e.verdict }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </li>
    }
}

/// The last eight characters identify a peer among a page's worth.
fn short(id: &str) -> String {
    let tail: String = id.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}
