//! The lesson: pick a scenario, read what the current step does and why, and see each
//! expectation checked. Every step is a link (`?scenario=…&step=N`) a teacher can share.

use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::{
    sim_teaching::{step_query, StepView},
    state::Lesson,
};

#[derive(Properties, PartialEq)]
pub struct TeachingPanelProps {
    pub lesson: Rc<Lesson>,
    /// (id, title) of every scenario.
    pub scenarios: Rc<Vec<(String, String)>>,
    pub on_pick: Callback<String>,
    pub on_seek: Callback<usize>,
}

#[function_component(TeachingPanel)]
pub fn teaching_panel(props: &TeachingPanelProps) -> Html {
    let l = &props.lesson;
    let on_pick = {
        let on = props.on_pick.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                on.emit(s.value());
            }
        })
    };
    let current = l.cursor.checked_sub(1).and_then(|i| l.steps.get(i));
    let passed = l.steps.iter().flat_map(|s| &s.checks).filter(|c| c.passed).count();
    let failed = l.steps.iter().flat_map(|s| &s.checks).filter(|c| !c.passed).count();
    html! {
        <section class="lesson" aria-label="lesson" data-scenario={l.id.clone()} data-cursor={l.cursor.to_string()}
            data-finished={(l.cursor >= l.steps.len()).to_string()}>
            <label for="scenario-pick">{ "Scenario " }</label>
            <select id="scenario-pick" onchange={on_pick}>
                { for props.scenarios.iter().map(|(id, title)| html! {
                    <option value={id.clone()} selected={*id == l.id}>{ title }</option>
                }) }
            </select>
            <h2>{ &l.title }</h2>
            <p class="summary">{ &l.summary }</p>
            <p class="progress" id="lesson-progress">
                { format!("step {} of {} · t = {:.1} s · {passed} checks passed, {failed} failed", l.cursor, l.steps.len(), l.now as f64 / 1e3) }
            </p>
            <div class="narration" role="status" aria-live="polite" id="narration">
                { match current {
                    Some(s) => html! { <><strong>{ format!("{}. {}", s.index + 1, s.label) }</strong><p>{ &s.narration }</p></> },
                    None => html! { <p>{ "Press Step or Play to begin." }</p> },
                } }
            </div>
            <ol class="steps">{ for l.steps.iter().map(|s| step(s, &l.id, l.cursor, &props.on_seek)) }</ol>
        </section>
    }
}

fn step(s: &StepView, id: &str, cursor: usize, on_seek: &Callback<usize>) -> Html {
    let target = s.index + 1;
    let seek = on_seek.reform(move |e: MouseEvent| {
        e.prevent_default();
        target
    });
    let class = classes!(
        "step",
        s.played.then_some("played"),
        (s.index + 1 == cursor).then_some("current"),
        s.checks.iter().any(|c| !c.passed).then_some("failed")
    );
    html! {
        <li {class} data-step={s.index.to_string()}>
            <a href={step_query(id, target)} onclick={seek}>{ format!("{:.1} s · {}", s.at as f64 / 1e3, s.label) }</a>
            if !s.checks.is_empty() {
                <ul class="checks">{ for s.checks.iter().map(|c| html! {
                    <li class={if c.passed { "check passed" } else { "check failed" }} data-passed={c.passed.to_string()}>
                        { if c.passed { "✓ " } else { "✗ " } }{ &c.expected }
                        if !c.passed { <span class="actual">{ format!(" (got {})", c.actual) }</span> }
                    </li>
                }) }</ul>
            }
        </li>
    }
}
