//! Connected peers over time, with the low and high water lines and a marker at each trim.

use std::rc::Rc;

use yew::prelude::*;

use super::line_chart::{HLine, LineChart, Series};
use crate::state_trims::TrimRecord;

#[derive(Properties, PartialEq)]
pub struct ConnectedChartProps {
    pub points: Rc<Vec<(u64, f64)>>,
    pub trims: Rc<Vec<TrimRecord>>,
    pub low_water: usize,
    pub high_water: usize,
}

#[function_component(ConnectedChart)]
pub fn connected_chart(props: &ConnectedChartProps) -> Html {
    let first = props.points.first().map_or(0, |p| p.0);
    let markers: Vec<(u64, String)> = props
        .trims
        .iter()
        .filter(|t| t.at_ms >= first)
        .map(|t| (t.at_ms, format!("trim at {:.1} s: closed {}", t.at_ms as f64 / 1e3, t.closed())))
        .collect();
    html! {
        <LineChart id="connected-chart" title="Connected peers over time"
            series={vec![Series { name: "connected".into(), points: (*props.points).clone(), steps: true }]}
            hlines={vec![
                HLine { label: format!("high water {}", props.high_water), y: props.high_water as f64, class: "high" },
                HLine { label: format!("low water {}", props.low_water), y: props.low_water as f64, class: "low" },
            ]}
            {markers} />
    }
}
