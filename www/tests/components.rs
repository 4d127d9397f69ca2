//! The page's components rendered in headless Chromium: the table renders only the rows in
//! view and sorts on a header click, the charts draw their data, the timeline lists a trim's
//! ranked report and offers it to the table, and the controls emit exactly what was typed.
#![cfg(target_arch = "wasm32")]

use std::{cell::RefCell, rc::Rc, time::Duration};

use peerkeeper_core::TrimSettings;
use peerkeeper_web::light_peer_event::TrimEntryView;
use peerkeeper_www::{
    components::{
        connected_chart::{ConnectedChart, ConnectedChartProps},
        peer_actions::{PeerActions, PeerActionsProps},
        peer_table::{PeerTable, PeerTableProps},
        settings_form::{SettingsForm, SettingsFormProps},
        trim_timeline::{TrimTimeline, TrimTimelineProps},
    },
    state_controls::Control,
    state_frame::Header,
    state_peers::{Column, PeerRow, TableView},
    state_trims::TrimRecord,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::{BaseComponent, Callback};

wasm_bindgen_test_configure!(run_in_browser);

async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(20)).await;
}

async fn mount<C: BaseComponent>(props: C::Properties) -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    settle().await;
    root
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length()).map(|i| list.item(i).unwrap().dyn_into::<Element>().unwrap()).collect()
}

fn click(root: &Element, selector: &str) {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

fn recorder<T: 'static>() -> (Rc<RefCell<Vec<T>>>, Callback<T>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let s = seen.clone();
    (seen, Callback::from(move |v| s.borrow_mut().push(v)))
}

fn rows(n: usize) -> Rc<Vec<PeerRow>> {
    Rc::new(
        (0..n)
            .map(|i| PeerRow {
                peer_id: format!("peer-{i:04}"),
                state: if i % 10 == 0 { "disconnected".into() } else { "connected".into() },
                transport: "virtual".into(),
                score: Some((n - i) as f64),
                reason: (i % 10 == 0).then(|| "too_many_peers".into()),
                ..PeerRow::default()
            })
            .collect(),
    )
}

fn table_props(
    rows: Rc<Vec<PeerRow>>,
    view: TableView,
    on_sort: Callback<Column>,
) -> PeerTableProps {
    PeerTableProps {
        rows,
        now: 0,
        view,
        selected: None,
        ranked: None,
        on_sort,
        on_filter: Callback::noop(),
        on_select: Callback::noop(),
        on_back: Callback::noop(),
    }
}

#[wasm_bindgen_test]
async fn a_thousand_peer_table_renders_only_the_rows_in_view() {
    let (_, on_sort) = recorder();
    let root = mount::<PeerTable>(table_props(rows(1_000), TableView::default(), on_sort)).await;
    let shown = all(&root, "tr[data-peer-id]");
    // 480 px of 30 px rows plus 8 rows of overscan below; none above at the top.
    assert_eq!(shown.len(), 24);
    assert_eq!(shown[0].get_attribute("data-peer-id").unwrap(), "peer-0000");
    assert_eq!(
        root.query_selector("#shown-count").unwrap().unwrap().text_content().unwrap(),
        "1000 of 1000 peers"
    );
    // Disconnected peers stay, greyed, with their reason.
    let first = &shown[0];
    assert_eq!(first.get_attribute("data-state").unwrap(), "disconnected");
    assert!(first.get_attribute("class").unwrap().split(' ').any(|c| c == "greyed"));
    assert_eq!(first.get_attribute("data-reason").unwrap(), "too_many_peers");
}

#[wasm_bindgen_test]
async fn a_live_row_shows_every_column_the_engine_fills() {
    let row = PeerRow {
        peer_id: "12D3KooWLivePeer0001".into(),
        state: "banned".into(),
        direction: Some("outbound".into()),
        transport: "webrtc-direct".into(),
        agent: Some("peerkeeper-demo/0.1".into()),
        rtt_ms: Some(3.5),
        score: Some(40.5),
        tag_score: Some(50.0),
        behaviour_score: Some(-9.5),
        application_score: Some(0.0),
        tags: vec![("useful".into(), 50, false), ("px".into(), 3, true)],
        protected: true,
        aligned: Some(false),
        peer_fork: Some("MINORITY/FWD".into()),
        strikes: 4,
        banned_until: Some(61_000),
        last_sent: Some(500),
        last_received: Some(1_000),
        uptime_ms: 2_000,
        reason: Some("banned".into()),
        ..PeerRow::default()
    };
    let (_, on_sort) = recorder();
    let mut props = table_props(Rc::new(vec![row]), TableView::default(), on_sort);
    props.now = 1_000;
    let root = mount::<PeerTable>(props).await;
    let cells: Vec<String> = all(&root, "tr[data-peer-id] td")
        .iter()
        .map(|c| c.text_content().unwrap().replace("copy", "").trim().to_string())
        .collect();
    assert_eq!(
        cells,
        [
            "…Peer0001",
            "banned",
            "outbound",
            "webrtc-direct",
            "peerkeeper-demo/0.1",
            "3.5 ms",
            "—",
            "40.5 (50/-9.5/0)",
            "useful=50 px~=3",
            "yes",
            "no",
            "MINORITY/FWD",
            "4",
            "ban 1 min 00 s",
            "0.5 s ago / 0.0 s ago",
            "2.0 s",
            "banned",
        ]
    );
    let score = root.query_selector("td.score").unwrap().unwrap();
    let attr = |n: &str| score.get_attribute(n).unwrap();
    assert_eq!(
        (attr("data-tag-score"), attr("data-behaviour-score"), attr("data-application-score")),
        ("50".to_string(), "-9.5".to_string(), "0".to_string())
    );
}

#[wasm_bindgen_test]
async fn a_header_click_asks_for_that_column_and_a_sorted_view_orders_the_rows() {
    let (sorts, on_sort) = recorder();
    let view = TableView { sort: Column::Score, descending: false, filter: String::new() };
    let root = mount::<PeerTable>(table_props(rows(5), view, on_sort)).await;
    let ids: Vec<String> = all(&root, "tr[data-peer-id]")
        .iter()
        .map(|r| r.get_attribute("data-peer-id").unwrap())
        .collect();
    assert_eq!(ids, ["peer-0004", "peer-0003", "peer-0002", "peer-0001", "peer-0000"]);
    let score_header = all(&root, "th button.sort")
        [Column::ALL.iter().position(|c| *c == Column::Score).unwrap()]
    .clone();
    score_header.dyn_into::<HtmlElement>().unwrap().click();
    assert_eq!(*sorts.borrow(), vec![Column::Score]);
}

fn trim() -> TrimRecord {
    let e = |id: &str, rank: Option<u32>, verdict: &str, closed: bool| TrimEntryView {
        peer_id: id.into(),
        score: 1.0,
        rank,
        verdict: verdict.into(),
        closed,
    };
    TrimRecord::from_view(
        4_000,
        "high_water_crossed".into(),
        3,
        2,
        0,
        vec![
            e("kept", Some(2), "kept_above_cut", false),
            e("gone", Some(1), "closed_lowest_score", true),
            e("boot", None, "kept_protected", false),
        ],
    )
}

#[wasm_bindgen_test]
async fn the_timeline_lists_the_ranked_report_and_offers_the_trim_to_the_table() {
    let (shown, on_show) = recorder();
    let props = TrimTimelineProps { trims: Rc::new(vec![trim()]), on_show, shown: None };
    let root = mount::<TrimTimeline>(props).await;
    let li = all(&root, "li.trim");
    assert_eq!(li.len(), 1);
    assert_eq!(li[0].get_attribute("data-closed").unwrap(), "1");
    let verdicts: Vec<String> = all(&root, "tr[data-verdict]")
        .iter()
        .map(|r| r.get_attribute("data-verdict").unwrap())
        .collect();
    assert_eq!(verdicts, ["closed_lowest_score", "kept_above_cut", "kept_protected"]);
    assert!(li[0]
        .text_content()
        .unwrap()
        .contains("4.0 s · high_water_crossed · 3 connected → target 2 · closed 1"));
    click(&root, "button.show-ranked");
    assert_eq!(*shown.borrow(), vec![trim()]);
}

#[wasm_bindgen_test]
async fn a_ranked_table_lists_victims_first_in_closing_order() {
    let (_, on_sort) = recorder();
    let mut props = table_props(rows(0), TableView::default(), on_sort);
    props.ranked = Some(trim());
    let root = mount::<PeerTable>(props).await;
    let verdicts: Vec<String> = all(&root, "tr[data-ranked-verdict]")
        .iter()
        .map(|r| r.get_attribute("data-ranked-verdict").unwrap())
        .collect();
    assert_eq!(verdicts, ["closed_lowest_score", "kept_above_cut", "kept_protected"]);
}

#[wasm_bindgen_test]
async fn the_connected_chart_draws_every_point_the_watermarks_and_a_marker_per_trim() {
    let points = Rc::new(vec![(0, 1.0), (1_000, 5.0), (4_000, 9.0), (4_001, 2.0)]);
    let props =
        ConnectedChartProps { points, trims: Rc::new(vec![trim()]), low_water: 2, high_water: 8 };
    let root = mount::<ConnectedChart>(props).await;
    let line = root.query_selector("polyline[data-series=connected]").unwrap().unwrap();
    assert_eq!(line.get_attribute("data-points").unwrap(), "4");
    // A step line: each point but the first adds a corner.
    assert_eq!(line.get_attribute("points").unwrap().split(' ').count(), 7);
    let labels: Vec<String> =
        all(&root, ".hline text").iter().map(|t| t.text_content().unwrap()).collect();
    assert_eq!(labels, ["high water 8", "low water 2"]);
    assert_eq!(all(&root, "line.marker").len(), 1);
}

fn set(root: &Element, selector: &str, value: &str) {
    let input: HtmlInputElement =
        root.query_selector(selector).unwrap().unwrap().dyn_into().unwrap();
    input.set_value(value);
}

#[wasm_bindgen_test]
async fn the_settings_form_emits_the_typed_settings_and_names_a_bad_field() {
    let (controls, on_control) = recorder();
    let header = Header {
        low_water: 4,
        high_water: 6,
        grace_ms: 3_000,
        silence_ms: 1_000,
        ..Header::default()
    };
    let props = SettingsFormProps { header, on_control, error: None, enabled: true };
    let root = mount::<SettingsForm>(props).await;
    set(&root, "#set-high", "3");
    set(&root, "#set-low", "2");
    set(&root, "#set-grace", "0.5");
    click(&root, "#apply-settings");
    settle().await;
    assert_eq!(
        *controls.borrow(),
        vec![Control::Settings(TrimSettings {
            low_water: 2,
            high_water: 3,
            grace_period: 500,
            silence_period: 1_000
        })]
    );
    set(&root, "#set-low", "7");
    click(&root, "#apply-settings");
    settle().await;
    assert_eq!(controls.borrow().len(), 1, "a bad set is not sent");
    let error = root.query_selector("#settings-error").unwrap().unwrap().text_content().unwrap();
    assert_eq!(error, "low_water: must not exceed high_water (7 > 3)");
}

#[wasm_bindgen_test]
async fn the_peer_controls_emit_tag_protect_report_and_disconnect_for_their_peer() {
    let (controls, on_control) = recorder();
    let props = PeerActionsProps { peer: "p1".into(), protected: false, on_control, full: true };
    let root = mount::<PeerActions>(props).await;
    set(&root, "#peer-tag-name", "helper");
    set(&root, "#peer-tag-value", "12");
    click(&root, "#peer-tag");
    click(&root, "#peer-protect");
    click(&root, "#peer-report");
    click(&root, "#peer-disconnect");
    settle().await;
    assert_eq!(
        *controls.borrow(),
        vec![
            Control::Tag { peer: "p1".into(), tag: "helper".into(), value: 12 },
            Control::Protect { peer: "p1".into(), tag: "user".into() },
            Control::Report { peer: "p1".into(), action: "low_tolerance".into() },
            Control::Disconnect { peer: "p1".into() },
        ]
    );
}
