//! The page's one reducer: the latest frame from the active driver plus what the user chose
//! (mode, sort, filter, selected peer, the trim shown as ranked). Pure: tested natively.

use std::rc::Rc;

use yew::Reducible;

use crate::{
    sim_teaching::StepView,
    state_frame::Frame,
    state_peers::{Column, TableView},
    state_trims::TrimRecord,
};

/// The page's views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Teaching,
    Sandbox,
    Stress,
    Playground,
}

impl Mode {
    pub const ALL: [Mode; 5] =
        [Mode::Live, Mode::Teaching, Mode::Sandbox, Mode::Stress, Mode::Playground];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Live => "live",
            Mode::Teaching => "teaching",
            Mode::Sandbox => "sandbox",
            Mode::Stress => "stress",
            Mode::Playground => "playground",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Mode::Live => "Live",
            Mode::Teaching => "Teaching",
            Mode::Sandbox => "Sandbox",
            Mode::Stress => "Stress",
            Mode::Playground => "Decay playground",
        }
    }

    /// The mode named by `?mode=` (live when absent or unknown); `?scenario=` implies teaching.
    pub fn from_query(query: &str) -> Mode {
        let mut mode = Mode::Live;
        for (k, v) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            match (k.as_ref(), v.as_ref()) {
                ("scenario", _) => mode = Mode::Teaching,
                ("mode", m) => {
                    if let Some(found) = Mode::ALL.iter().find(|x| x.as_str() == m) {
                        return *found;
                    }
                }
                _ => {}
            }
        }
        mode
    }

    /// Whether the engine runs in the page (every control works).
    pub fn is_simulated(self) -> bool {
        !matches!(self, Mode::Live | Mode::Playground)
    }
}

/// The lesson being played (teaching mode).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub steps: Vec<StepView>,
    /// Steps played.
    pub cursor: usize,
    pub now: u64,
}

/// The virtual clock's state, for the clock bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockState {
    pub playing: bool,
    pub speed: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageState {
    pub mode: Mode,
    pub frame: Rc<Frame>,
    pub table: TableView,
    pub selected: Option<String>,
    /// The trim whose ranking the table shows instead of the current rows.
    pub ranked: Option<TrimRecord>,
    pub local_peer_id: Option<String>,
    pub start_error: Option<String>,
    /// The last control's refusal, shown next to the controls.
    pub control_error: Option<String>,
    pub lesson: Option<Rc<Lesson>>,
    pub clock: ClockState,
}

impl PageState {
    pub fn new(mode: Mode) -> Self {
        PageState {
            mode,
            frame: Rc::new(Frame::default()),
            table: TableView::default(),
            selected: None,
            ranked: None,
            local_peer_id: None,
            start_error: None,
            control_error: None,
            lesson: None,
            clock: ClockState { playing: false, speed: 1.0 },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Frame(Rc<Frame>),
    Started {
        local_peer_id: String,
    },
    StartFailed(String),
    Sort(Column),
    Filter(String),
    Select(Option<String>),
    /// Show the table as this trim ranked it (`None`: back to the current table).
    ShowRanked(Option<TrimRecord>),
    ControlResult(Result<(), String>),
    Lesson(Rc<Lesson>),
    Clock(ClockState),
}

impl Reducible for PageState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Frame(frame) => next.frame = frame,
            Action::Started { local_peer_id } => next.local_peer_id = Some(local_peer_id),
            Action::StartFailed(e) => next.start_error = Some(e),
            Action::Sort(column) => next.table.toggle(column),
            Action::Filter(text) => next.table.filter = text,
            Action::Select(peer) => {
                next.selected = if next.selected == peer { None } else { peer };
            }
            Action::ShowRanked(trim) => next.ranked = trim,
            Action::ControlResult(r) => next.control_error = r.err(),
            Action::Lesson(l) => next.lesson = Some(l),
            Action::Clock(c) => next.clock = c,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(s: PageState, a: Action) -> PageState {
        (*Rc::new(s).reduce(a)).clone()
    }

    #[test]
    fn the_mode_comes_from_the_query_and_a_scenario_means_teaching() {
        assert_eq!(Mode::from_query(""), Mode::Live);
        assert_eq!(Mode::from_query("?mode=sandbox"), Mode::Sandbox);
        assert_eq!(Mode::from_query("?scenario=seed-001-trim&step=4"), Mode::Teaching);
        assert_eq!(Mode::from_query("?mode=bogus"), Mode::Live);
        assert_eq!(Mode::from_query("?peer=/ip4/1.2.3.4/tcp/1/ws"), Mode::Live);
    }

    #[test]
    fn selecting_the_selected_peer_again_closes_its_details() {
        let mut s = PageState::new(Mode::Sandbox);
        s = reduce(s, Action::Select(Some("a".into())));
        assert_eq!(s.selected.as_deref(), Some("a"));
        s = reduce(s, Action::Select(Some("b".into())));
        assert_eq!(s.selected.as_deref(), Some("b"));
        s = reduce(s, Action::Select(Some("b".into())));
        assert_eq!(s.selected, None);
    }

    #[test]
    fn sorting_twice_by_a_column_flips_it_and_a_control_error_clears_on_success() {
        let mut s = PageState::new(Mode::Live);
        s = reduce(s, Action::Sort(Column::Score));
        s = reduce(s, Action::Sort(Column::Score));
        assert_eq!((s.table.sort, s.table.descending), (Column::Score, true));
        s = reduce(s, Action::ControlResult(Err("high_water: must be at least 1".into())));
        assert_eq!(s.control_error.as_deref(), Some("high_water: must be at least 1"));
        s = reduce(s, Action::ControlResult(Ok(())));
        assert_eq!(s.control_error, None);
    }
}
