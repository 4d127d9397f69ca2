//! Draw the curve of any decay function, interval and bump pattern before using it: the
//! engine itself computes it (`decay_curve`).

use yew::prelude::*;

use super::{
    field::{set_value, value as read},
    line_chart::{LineChart, Series},
};
use crate::decay_curve::{curve, CurveSpec};

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
    // Hooks, so the refs stay the same objects across renders.
    let refs: [NodeRef; 9] = [
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    ];
    let result = use_state(|| curve(&CurveSpec::default()));
    let oninput = {
        let (refs, result) = (refs.clone(), result.clone());
        Callback::from(move |_: Event| result.set(spec_from(&refs).and_then(|s| curve(&s))))
    };
    let d = CurveSpec::default();
    {
        let refs = refs.clone();
        let d = d.clone();
        use_effect_with((), move |_| {
            let defaults = [
                d.decay.clone(),
                d.param.to_string(),
                d.interval.to_string(),
                d.initial.to_string(),
                d.bump.clone(),
                d.bound.to_string(),
                d.bump_every.to_string(),
                d.bump_by.to_string(),
                d.duration.to_string(),
            ];
            for (r, v) in refs.iter().zip(&defaults) {
                set_value(r, v);
            }
        });
    }
    let input = |i: usize, id: &str, label: &str| {
        html! {
            <label for={id.to_string()}>{ label }
                <input ref={refs[i].clone()} id={id.to_string()} size="8" onchange={oninput.clone()} />
            </label>
        }
    };
    let select = |i: usize, id: &str, label: &str, options: &[&str]| {
        html! {
            <label for={id.to_string()}>{ label }
                <select ref={refs[i].clone()} id={id.to_string()} onchange={oninput.clone()}>
                    { for options.iter().map(|o| html! { <option value={o.to_string()}>{ *o }</option> }) }
                </select>
            </label>
        }
    };
    html! {
        <section class="playground" aria-label="decay playground">
            <h2>{ "Decay playground" }</h2>
            <p class="hint">{ "param: the amount for fixed, the coefficient (0–1) for linear, the inactivity (ms) for expire. Times in ms." }</p>
            <form class="curve-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                { select(0, "pg-decay", "decay", &["none", "fixed", "linear", "expire"]) }
                { input(1, "pg-param", "param") }
                { input(2, "pg-interval", "interval") }
                { input(3, "pg-initial", "initial value") }
                { select(4, "pg-bump", "bump", &["sum", "bounded", "overwrite"]) }
                { input(5, "pg-bound", "bound") }
                { input(6, "pg-every", "bump every") }
                { input(7, "pg-by", "bump by") }
                { input(8, "pg-duration", "duration") }
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
