//! Each trim the engine made: time, trigger, victims, and the ranked report of who was kept
//! and why. Choosing a trim shows the peer table as it was ranked.

use std::rc::Rc;

use yew::prelude::*;

use crate::{state_peers::short_id, state_trims::TrimRecord};

/// Report lines shown per trim; the ranked table shows them all.
pub const MAX_ENTRIES: usize = 40;

#[derive(Properties, PartialEq)]
pub struct TrimTimelineProps {
    /// Newest last.
    pub trims: Rc<Vec<TrimRecord>>,
    pub on_show: Callback<TrimRecord>,
    /// `at_ms` of the trim the table shows, if any.
    pub shown: Option<u64>,
}

#[function_component(TrimTimeline)]
pub fn trim_timeline(props: &TrimTimelineProps) -> Html {
    html! {
        <section class="trims" aria-label="trims">
            <h2>{ "Trims" }</h2>
            if props.trims.is_empty() {
                <p class="empty">{ "No trim yet: the engine trims when a new peer pushes the count above the high water." }</p>
            }
            <ol reversed=true>
                { for props.trims.iter().rev().map(|t| trim(t, props)) }
            </ol>
        </section>
    }
}

fn trim(t: &TrimRecord, props: &TrimTimelineProps) -> Html {
    let summary = format!(
        "{:.1} s · {} · {} connected → target {} · closed {}{}",
        t.at_ms as f64 / 1000.0,
        t.trigger,
        t.connected,
        t.target,
        t.closed(),
        if t.shortfall > 0 { format!(" · short by {}", t.shortfall) } else { String::new() },
    );
    let why = t
        .verdict_counts()
        .into_iter()
        .map(|(v, n)| format!("{v} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let show = {
        let on_show = props.on_show.clone();
        let record = t.clone();
        Callback::from(move |_: MouseEvent| on_show.emit(record.clone()))
    };
    let shown = props.shown == Some(t.at_ms);
    html! {
        <li class={classes!("trim", shown.then_some("shown"))} data-closed={t.closed().to_string()} data-at={t.at_ms.to_string()}>
            <p class="trim-summary">{ summary }</p>
            <p class="trim-why">{ why }</p>
            <button type="button" class="show-ranked" aria-pressed={shown.to_string()} onclick={show}>
                { "Show the table as ranked" }
            </button>
            <details open={props.trims.last().map(|l| l.at_ms) == Some(t.at_ms)}>
                <summary>{ "Ranked report" }</summary>
                <table class="trim-entries">
                    <thead><tr><th>{ "rank" }</th><th>{ "peer" }</th><th>{ "score" }</th><th>{ "verdict" }</th></tr></thead>
                    <tbody>
                        { for t.entries.iter().take(MAX_ENTRIES).map(|e| html! {
                            <tr class={if e.closed { "closed" } else { "kept" }} data-verdict={e.verdict.clone()}>
                                <td>{ e.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()) }</td>
                                <td><code title={e.peer_id.clone()}>{ short_id(&e.peer_id) }</code></td>
                                <td>{ format!("{}", e.score) }</td>
                                <td>{ &e.verdict }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                if t.entries.len() > MAX_ENTRIES {
                    <p class="more">{ format!("… and {} more: show the table as ranked to see every peer", t.entries.len() - MAX_ENTRIES) }</p>
                }
            </details>
        </li>
    }
}
