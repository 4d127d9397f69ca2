//! The peer table's cells, one function per column, and the ranked view's rows.

use peerkeeper_web::light_peer_event::TrimEntryView;
use yew::prelude::*;

use crate::state_peers::{format_duration, short_id, Column, PeerRow};

fn dash() -> String {
    "—".into()
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(dash, |v| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") })
}

fn ago(now: u64, at: Option<u64>) -> String {
    at.map_or_else(dash, |t| format!("{} ago", format_duration(now.saturating_sub(t))))
}

/// Copies `text` to the clipboard; a refusal (no permission) is ignored, not an error.
fn copy(text: String) {
    let Some(window) = web_sys::window() else { return };
    let nav = window.navigator();
    let clip = js_sys::Reflect::get(&nav, &"clipboard".into()).unwrap_or_default();
    let Ok(write) = js_sys::Reflect::get(&clip, &"writeText".into()) else { return };
    let Ok(write) = write.dyn_into::<js_sys::Function>() else { return };
    if let Ok(p) = write.call1(&clip, &text.into()) {
        if let Ok(p) = p.dyn_into::<js_sys::Promise>() {
            wasm_bindgen_futures::spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(p).await;
            });
        }
    }
}

use wasm_bindgen::JsCast;

pub fn cell(
    c: Column,
    r: &PeerRow,
    now: u64,
    on_select: &Callback<String>,
    selected: bool,
) -> Html {
    match c {
        Column::Peer => {
            let id = r.peer_id.clone();
            let select = on_select.reform(move |_: MouseEvent| id.clone());
            let full = r.peer_id.clone();
            let copy_cb = Callback::from(move |_: MouseEvent| copy(full.clone()));
            html! {
                <td class="id" title={format!("{} {}", r.peer_id, r.address)}>
                    <button type="button" class="peer-link" aria-expanded={selected.to_string()} onclick={select}>
                        <code>{ short_id(&r.peer_id) }</code>
                    </button>
                    <button type="button" class="copy" aria-label={format!("copy peer id {}", r.peer_id)} title="copy the full peer id" onclick={copy_cb}>{ "copy" }</button>
                </td>
            }
        }
        Column::State => html! { <td class="state">{ &r.state }</td> },
        Column::Direction => html! { <td>{ r.direction.clone().unwrap_or_else(dash) }</td> },
        Column::Transport => html! { <td class="transport">{ &r.transport }</td> },
        Column::Agent => html! { <td class="agent">{ r.agent.clone().unwrap_or_else(dash) }</td> },
        Column::Rtt => html! { <td class="rtt">{ r.rtt_ms.map_or_else(dash, |ms|
        if ms < 10.0 { format!("{ms:.1} ms") } else { format!("{ms:.0} ms") }) }</td> },
        Column::ConnectedFor => {
            html! { <td>{ r.connected_since.map_or_else(dash, |s| format_duration(now.saturating_sub(s))) }</td> }
        }
        Column::Score => {
            let parts = match (r.tag_score, r.behaviour_score, r.application_score) {
                (None, None, None) => String::new(),
                (t, b, a) => format!(" ({}/{}/{})", num(t), num(b), num(a)),
            };
            let raw = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
            html! {
                <td class="score" data-score={num(r.score)} data-tag-score={raw(r.tag_score)}
                    data-behaviour-score={raw(r.behaviour_score)} data-application-score={raw(r.application_score)}>
                    <strong>{ num(r.score) }</strong><small>{ parts }</small>
                </td>
            }
        }
        Column::Tags => html! { <td class="tags">{ r.tags.iter().map(|(n, v, d)|
        format!("{n}{}={v}", if *d { "~" } else { "" })).collect::<Vec<_>>().join(" ") }</td> },
        Column::Protected => {
            html! { <td class="protected">{ if r.protected { "yes" } else { "" } }</td> }
        }
        Column::Aligned => {
            html! { <td>{ r.aligned.map_or_else(dash, |a| if a { "yes".into() } else { "no".into() }) }</td> }
        }
        Column::PeerFork => html! { <td>{ r.peer_fork.clone().unwrap_or_else(dash) }</td> },
        Column::Strikes => html! { <td class="strikes">{ r.strikes }</td> },
        Column::Backoff => {
            let text = match (r.banned_until, r.backoff_until) {
                (Some(u), _) => format!("ban {}", format_duration(u.saturating_sub(now))),
                (None, Some(u)) => format!("dial in {}", format_duration(u.saturating_sub(now))),
                (None, None) => dash(),
            };
            html! { <td class="backoff">{ text }</td> }
        }
        Column::LastMessage => {
            html! { <td>{ format!("{} / {}", ago(now, r.last_sent), ago(now, r.last_received)) }</td> }
        }
        Column::Uptime => {
            let live = r.connected_since.map_or(0, |s| now.saturating_sub(s));
            html! { <td>{ format_duration(r.uptime_ms + live) }</td> }
        }
        Column::Reason => {
            html! { <td class="reason">{ r.reason.clone().unwrap_or_default() }</td> }
        }
    }
}

/// One line of the table as a trim ranked it: rank, verdict, the score it was ranked on, and
/// what became of the peer since.
pub fn ranked_row(e: &TrimEntryView, now: Option<&PeerRow>) -> Html {
    let class = if e.closed { "closed" } else { "kept" };
    html! {
        <tr {class} data-ranked-verdict={e.verdict.clone()} data-peer-id={e.peer_id.clone()}>
            <td>{ e.rank.map_or_else(dash, |r| r.to_string()) }</td>
            <td>{ &e.verdict }</td>
            <td><code title={e.peer_id.clone()}>{ short_id(&e.peer_id) }</code></td>
            <td>{ num(Some(e.score)) }</td>
            <td>{ now.map_or_else(dash, |r| r.state.clone()) }</td>
            <td>{ now.map_or_else(String::new, |r| r.tags.iter().map(|(n, v, _)| format!("{n}={v}")).collect::<Vec<_>>().join(" ")) }</td>
        </tr>
    }
}
