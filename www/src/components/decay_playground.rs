//! Draw the curve of any decay function, interval and bump pattern before using it: the
//! engine itself computes it (`decay_curve`).

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::line_chart::{LineChart, Series};
use crate::decay_curve::{curve, CurveSpec};

fn read(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .or_else(|| r.cast::<HtmlSelectElement>().map(|s| s.value()))
        .unwrap_or_default()
}

fn parse<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, String> {
    text.trim().parse().map_err(|_| format!("{field}: {:?} is not a number", text.trim()))
}

fn spec_from(refs: &[NodeRef; 9]) -> Result<CurveSpec, String> {
    Ok(CurveSpec {
        decay: read(&refs[0]),
        param: parse("param", &read(&refs[1]))?,
        interval: parse("interval", &read(&refs[2]))?,
        initial: parse("initial", &read(&refs[3]))?,
        bump: read(&refs[4]),
        bound: parse("bound", &read(&refs[5]))?,
        bump_every: parse("bump_every", &read(&refs[6]))?,
        bump_by: parse("bump_by", &read(&refs[7]))?,
        duration: parse("duration", &read(&refs[8]))?,
    })
}

#[function_component(DecayPlayground)]
pub fn decay_playground() -> Html {
    let refs: [NodeRef; 9] = Default::default();
    let result = use_state(|| curve(&CurveSpec::default()));
    let oninput = {
        let (refs, result) = (refs.clone(), result.clone());
        Callback::from(move |_: Event| result.set(spec_from(&refs).and_then(|s| curve(&s))))
    };
    let d = CurveSpec::default();
    let input = |i: usize, id: &str, label: &str, value: String| {
        html! {
            <label for={id.to_string()}>{ label }
                <input ref={refs[i].clone()} id={id.to_string()} value={value} size="8" onchange={oninput.clone()} />
            </label>
        }
    };
    let select = |i: usize, id: &str, label: &str, options: &[&str], value: &str| {
        html! {
            <label for={id.to_string()}>{ label }
                <select ref={refs[i].clone()} id={id.to_string()} onchange={oninput.clone()}>
                    { for options.iter().map(|o| html! { <option value={o.to_string()} selected={*o == value}>{ *o }</option> }) }
                </select>
            </label>
        }
    };
    html! {
        <section class="playground" aria-label="decay playground">
            <h2>{ "Decay playground" }</h2>
            <p class="hint">{ "param: the amount for fixed, the coefficient (0–1) for linear, the inactivity (ms) for expire. Times in ms." }</p>
            <form class="curve-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                { select(0, "pg-decay", "decay", &["none", "fixed", "linear", "expire"], &d.decay) }
                { input(1, "pg-param", "param", d.param.to_string()) }
                { input(2, "pg-interval", "interval", d.interval.to_string()) }
                { input(3, "pg-initial", "initial value", d.initial.to_string()) }
                { select(4, "pg-bump", "bump", &["sum", "bounded", "overwrite"], &d.bump) }
                { input(5, "pg-bound", "bound", d.bound.to_string()) }
                { input(6, "pg-every", "bump every", d.bump_every.to_string()) }
                { input(7, "pg-by", "bump by", d.bump_by.to_string()) }
                { input(8, "pg-duration", "duration", d.duration.to_string()) }
            </form>
            { match &*result {
                Ok(points) => html! {
                    <>
                        <LineChart id="decay-curve" title="The tag's value over time"
                            series={vec![Series { name: "value".into(), points: points.clone(), steps: true }]} />
                        <p class="curve-summary" id="curve-summary">{ format!("{} points, ends at {}", points.len(),
                            points.last().map_or(0.0, |p| p.1)) }</p>
                    </>
                },
                Err(e) => html! { <p class="error" role="alert" id="curve-error">{ e }</p> },
            } }
        </section>
    }
}
