//! The peer table: every peer the engine knows, sortable and filterable; disconnected and
//! banned peers stay, greyed, with their reason. Only the rows in view are rendered, so a
//! thousand peers cost what thirty do. With a trim selected it shows that trim's ranking.

use std::rc::Rc;

use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use super::peer_cells::{cell, ranked_row};
use crate::{
    state_peers::{visible_window, Column, PeerRow, TableView, ROW_HEIGHT},
    state_trims::TrimRecord,
};

#[derive(Properties, PartialEq)]
pub struct PeerTableProps {
    pub rows: Rc<Vec<PeerRow>>,
    pub now: u64,
    pub view: TableView,
    pub selected: Option<String>,
    pub ranked: Option<TrimRecord>,
    pub on_sort: Callback<Column>,
    pub on_filter: Callback<String>,
    pub on_select: Callback<String>,
    pub on_back: Callback<()>,
}

/// Until the first scroll, assume a body this tall (px).
const DEFAULT_VIEWPORT: f64 = 480.0;

#[function_component(PeerTable)]
pub fn peer_table(props: &PeerTableProps) -> Html {
    let scroll = use_state(|| (0.0_f64, DEFAULT_VIEWPORT));
    let onscroll = {
        let scroll = scroll.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target_dyn_into::<Element>() {
                scroll.set((el.scroll_top() as f64, el.client_height().max(1) as f64));
            }
        })
    };
    let oninput = {
        let on_filter = props.on_filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                on_filter.emit(input.value());
            }
        })
    };
    if let Some(trim) = &props.ranked {
        let back = props.on_back.reform(|_: MouseEvent| ());
        return html! {
            <section class="peers-section" aria-label="peers">
                <p class="ranked-banner" role="status">
                    { format!("The table as the trim at {:.1} s ranked it ({}): closed first, in closing order.",
                        trim.at_ms as f64 / 1000.0, trim.trigger) }
                    <button type="button" onclick={back}>{ "Back to the current table" }</button>
                </p>
                <table class="peers ranked">
                    <thead><tr><th>{ "rank" }</th><th>{ "verdict" }</th><th>{ "peer" }</th><th>{ "score then" }</th>
                        <th>{ "state now" }</th><th>{ "tags now" }</th></tr></thead>
                    <tbody>{ for trim.entries.iter().map(|e| ranked_row(e, props.rows.iter().find(|r| r.peer_id == e.peer_id))) }</tbody>
                </table>
            </section>
        };
    }
    let arranged = props.view.arrange(&props.rows, props.now);
    let (start, end) = visible_window(arranged.len(), scroll.0, scroll.1);
    let top = start as f64 * ROW_HEIGHT;
    let bottom = (arranged.len() - end) as f64 * ROW_HEIGHT;
    let header = |c: Column| {
        let on_sort = props.on_sort.clone();
        let sorted = props.view.sort == c;
        let aria = match (sorted, props.view.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        };
        html! {
            <th aria-sort={aria} class={format!("col-{}", c.label().split(' ').next().unwrap_or("x").to_lowercase())}>
                <button type="button" class="sort" onclick={Callback::from(move |_| on_sort.emit(c))}>
                    { c.label() }{ if sorted { if props.view.descending { " ▼" } else { " ▲" } } else { "" } }
                </button>
            </th>
        }
    };
    html! {
        <section class="peers-section" aria-label="peers">
            <div class="table-tools">
                <label for="peer-filter">{ "Filter" }</label>
                <input id="peer-filter" type="search" value={props.view.filter.clone()} {oninput}
                    placeholder="id, state, transport, agent, tag, reason…" />
                <span class="count" id="shown-count">{ format!("{} of {} peers", arranged.len(), props.rows.len()) }</span>
            </div>
            if props.rows.is_empty() {
                <p class="empty">{ "No peers yet." }</p>
            }
            <div class="table-scroll" {onscroll} tabindex="0" aria-label="peer table, scrollable">
                <table class="peers">
                    <thead><tr>{ for Column::ALL.iter().map(|c| header(*c)) }</tr></thead>
                    <tbody>
                        if top > 0.0 { <tr class="spacer" style={format!("height:{top}px")} aria-hidden="true"></tr> }
                        { for arranged[start..end].iter().map(|r| row(r, props)) }
                        if bottom > 0.0 { <tr class="spacer" style={format!("height:{bottom}px")} aria-hidden="true"></tr> }
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn row(r: &PeerRow, props: &PeerTableProps) -> Html {
    let selected = props.selected.as_deref() == Some(r.peer_id.as_str());
    let class = classes!(
        r.state.clone(),
        r.is_greyed().then_some("greyed"),
        selected.then_some("selected")
    );
    let join = |v: &mut dyn Iterator<Item = String>| v.collect::<Vec<_>>().join(",");
    let opt = |v: Option<String>| v.unwrap_or_default();
    // The engine's view of the peer and its redial plan, for tests and the curious.
    let backoffs = join(&mut r.dials_scheduled.iter().map(|d| d.2.to_string()));
    let due = join(&mut r.dials_scheduled.iter().map(|d| d.1.to_string()));
    let started = join(&mut r.dials_started.iter().map(|t| t.to_string()));
    html! {
        <tr key={r.peer_id.clone()} {class} data-peer-id={r.peer_id.clone()} data-state={r.state.clone()}
            data-transport={r.transport.clone()} data-reason={r.reason.clone().unwrap_or_default()}
            data-aligned={opt(r.aligned.map(|a| a.to_string()))}
            data-fork-status={opt(r.peer_fork_status.clone())}
            data-network-id={opt(r.network_id.map(|n| n.to_string()))}
            data-head={opt(r.peer_head.map(|n| n.to_string()))} data-strikes={r.strikes.to_string()}
            data-banned-after-strikes={opt(r.banned_after_strikes.map(|n| n.to_string()))}
            data-dial-backoffs={backoffs} data-dial-due={due} data-dial-started={started}>
            { for Column::ALL.iter().map(|c| cell(*c, r, props.now, &props.on_select, selected)) }
        </tr>
    }
}
