//! The browser driver of the engine on a virtual clock: the sandbox, the teaching scenarios
//! and the stress load. Browser-only glue over `sim_engine` and `sim_teaching`.
//!
//! While playing, each animation frame moves the virtual clock by the real time elapsed times
//! the speed, runs what became due, and renders once.

use std::{cell::RefCell, rc::Rc};

use peerkeeper_core::{scenarios, Config, Direction};
use yew::UseReducerDispatcher;

use crate::{
    components::sim_bar::Clock,
    raf::{next_frame, query, replace_query},
    sim_engine::SimEngine,
    sim_teaching::{parse_step_query, step_query, Teaching},
    state::{Action, ClockState, Lesson, Mode, PageState},
    state_controls::Control,
};

/// Real time a playing lesson waits at most between two steps: quiet stretches are skipped.
const MAX_QUIET_MS: f64 = 2_000.0;
/// Steps run per animation frame at most, so a frame never stalls.
const STEPS_PER_FRAME: usize = 2_000;
/// A frame longer than this (a background tab) advances the clock by this much only.
const MAX_FRAME_MS: f64 = 250.0;
/// What Step advances the sandbox's clock by.
const SANDBOX_STEP_MS: u64 = 1_000;

enum Engine {
    // Both boxed: each holds a whole engine (kilobytes), and the driver moves them around.
    Sandbox(Box<SimEngine>),
    Teaching(Box<Teaching>),
}

struct Sim {
    engine: Engine,
    mode: Mode,
    playing: bool,
    speed: f64,
    /// The virtual time the clock has reached (ms), ahead of the engine between steps.
    virtual_ms: f64,
    last_ts: Option<f64>,
    selected: Option<String>,
    dispatch: UseReducerDispatcher<PageState>,
    pending: bool,
    next_peer: u64,
}

thread_local! {
    static SIM: RefCell<Option<Sim>> = const { RefCell::new(None) };
}

/// The sandbox's engine: small watermarks and a few peers with tags, so a trim is one click
/// away.
fn sandbox() -> SimEngine {
    let config = Config {
        low_water: 4,
        high_water: 6,
        grace_period: 3_000,
        silence_period: 1_000,
        ..Config::default()
    };
    let mut sim = SimEngine::new(config).expect("the sandbox config is valid");
    for (i, value) in [5_i64, 1, 8, 3, 0].iter().enumerate() {
        let peer = format!("peer-{i}");
        let dir = if i % 2 == 0 { Direction::Inbound } else { Direction::Outbound };
        let _ = sim.connect(&peer, dir);
        sim.with(|pm, _| pm.tag_peer(&peer, "useful", *value));
    }
    sim
}

/// Every teaching scenario as (id, title), for the picker.
pub fn scenario_list() -> Vec<(String, String)> {
    scenarios::all().into_iter().map(|s| (s.id.to_string(), s.title.to_string())).collect()
}

pub fn start(mode: Mode, dispatch: UseReducerDispatcher<PageState>) {
    let engine = match mode {
        Mode::Sandbox => Engine::Sandbox(Box::new(sandbox())),
        Mode::Stress => {
            Engine::Teaching(Box::new(Teaching::new(scenarios::STRESS_ID).expect("stress exists")))
        }
        _ => {
            let (id, step) = parse_step_query(&query())
                .unwrap_or_else(|| (scenarios::all()[0].id.to_string(), 0));
            let mut t = match Teaching::new(&id) {
                Ok(t) => t,
                Err(e) => {
                    dispatch.dispatch(Action::StartFailed(e));
                    Teaching::new(scenarios::all()[0].id).expect("the first scenario exists")
                }
            };
            t.seek(step);
            Engine::Teaching(Box::new(t))
        }
    };
    let autoplay = mode == Mode::Stress;
    SIM.with(|s| {
        *s.borrow_mut() = Some(Sim {
            engine,
            mode,
            playing: false,
            speed: 1.0,
            virtual_ms: 0.0,
            last_ts: None,
            selected: None,
            dispatch,
            pending: false,
            next_peer: 5,
        })
    });
    publish_lesson();
    if autoplay {
        clock(Clock::Play);
    } else {
        schedule();
    }
}

fn with_sim<T>(f: impl FnOnce(&mut Sim) -> T) -> Option<T> {
    SIM.with(|s| s.borrow_mut().as_mut().map(f))
}

/// One render on the next animation frame; while playing, the frame also moves the clock.
fn schedule() {
    let go = with_sim(|s| !std::mem::replace(&mut s.pending, true)).unwrap_or(false);
    if go {
        next_frame(on_frame);
    }
}

fn on_frame(ts: f64) {
    let out = with_sim(|s| {
        s.pending = false;
        let stepped = if s.playing { s.tick(ts) } else { false };
        let mode = s.mode.as_str();
        let selected = s.selected.clone();
        let frame = match &mut s.engine {
            Engine::Sandbox(e) => e.frame(mode, selected.as_deref()),
            Engine::Teaching(t) => t.frame(mode, selected.as_deref()),
        };
        (s.dispatch.clone(), frame, stepped, s.playing)
    });
    let Some((dispatch, frame, stepped, playing)) = out else { return };
    dispatch.dispatch(Action::Frame(Rc::new(frame)));
    if stepped {
        publish_lesson();
    }
    if playing {
        schedule();
    }
}

impl Sim {
    /// Moves the virtual clock by the frame's real time × speed; true if a lesson step ran.
    fn tick(&mut self, ts: f64) -> bool {
        let dt = self.last_ts.map_or(0.0, |last| (ts - last).clamp(0.0, MAX_FRAME_MS));
        self.last_ts = Some(ts);
        self.virtual_ms += dt * self.speed;
        match &mut self.engine {
            Engine::Sandbox(e) => {
                e.advance_to(self.virtual_ms as u64);
                false
            }
            Engine::Teaching(t) => {
                if t.is_finished() {
                    if self.mode == Mode::Stress {
                        // The load repeats, so a measurement can run as long as it likes.
                        t.seek(0);
                        self.virtual_ms = 0.0;
                    } else {
                        self.playing = false;
                    }
                    return true;
                }
                if let Some(next) = t.next_at() {
                    let floor = next as f64 - MAX_QUIET_MS * self.speed;
                    self.virtual_ms = self.virtual_ms.max(floor);
                }
                t.play_until(self.virtual_ms as u64, STEPS_PER_FRAME) > 0
            }
        }
    }
}

/// Sends the lesson (teaching mode) and the clock state to the page; updates the URL.
fn publish_lesson() {
    let out = with_sim(|s| {
        let clock = ClockState { playing: s.playing, speed: s.speed };
        let lesson = match &s.engine {
            Engine::Teaching(t) if s.mode == Mode::Teaching => {
                replace_query(&step_query(t.id(), t.cursor()));
                Some(Lesson {
                    id: t.id().to_string(),
                    title: t.title().to_string(),
                    summary: t.summary().to_string(),
                    steps: t.steps(),
                    cursor: t.cursor(),
                    now: t.now(),
                })
            }
            _ => None,
        };
        (s.dispatch.clone(), clock, lesson)
    });
    let Some((dispatch, clock, lesson)) = out else { return };
    dispatch.dispatch(Action::Clock(clock));
    if let Some(l) = lesson {
        dispatch.dispatch(Action::Lesson(Rc::new(l)));
    }
}

pub fn clock(c: Clock) {
    with_sim(|s| match c {
        Clock::Play => {
            s.playing = true;
            s.last_ts = None;
            if let Engine::Teaching(t) = &s.engine {
                s.virtual_ms = s.virtual_ms.max(t.now() as f64);
            }
        }
        Clock::Pause => s.playing = false,
        Clock::Speed(v) => s.speed = v.clamp(0.1, 100.0),
        Clock::Step => match &mut s.engine {
            Engine::Sandbox(e) => {
                let to = e.now() + SANDBOX_STEP_MS;
                e.advance_to(to);
                s.virtual_ms = to as f64;
            }
            Engine::Teaching(t) => {
                t.step();
                s.virtual_ms = t.now() as f64;
            }
        },
        Clock::Reset => {
            s.playing = false;
            s.virtual_ms = 0.0;
            match &mut s.engine {
                Engine::Sandbox(e) => **e = sandbox(),
                Engine::Teaching(t) => t.seek(0),
            }
        }
    });
    publish_lesson();
    schedule();
}

/// Picks another scenario (teaching mode), from its start.
pub fn pick(id: &str) -> Result<(), String> {
    let t = Teaching::new(id)?;
    with_sim(|s| {
        s.engine = Engine::Teaching(Box::new(t));
        s.playing = false;
        s.virtual_ms = 0.0;
    });
    publish_lesson();
    schedule();
    Ok(())
}

/// Replays the lesson so that `index` steps have been played.
pub fn seek(index: usize) {
    with_sim(|s| {
        if let Engine::Teaching(t) = &mut s.engine {
            t.seek(index);
            s.virtual_ms = t.now() as f64;
        }
    });
    publish_lesson();
    schedule();
}

pub fn select(peer: Option<String>) {
    with_sim(|s| s.selected = peer);
    schedule();
}

/// Carries out a control on the sandbox's engine. Lessons are data: they take none.
pub fn control(c: Control) -> Result<(), String> {
    let result = with_sim(|s| {
        let Engine::Sandbox(e) = &mut s.engine else {
            return Err(
                "a lesson plays its own steps: use the sandbox to change the engine".to_string()
            );
        };
        match c {
            Control::Settings(settings) => e.set_settings(settings).map(|_| ()),
            Control::Tag { peer, tag, value } => {
                e.with(|pm, _| pm.tag_peer(&peer, &tag, value));
                Ok(())
            }
            Control::Untag { peer, tag } => {
                e.with(|pm, _| pm.untag_peer(&peer, &tag));
                Ok(())
            }
            Control::Protect { peer, tag } => {
                e.with(|pm, _| pm.protect(&peer, &tag));
                Ok(())
            }
            Control::Unprotect { peer, tag } => {
                e.with(|pm, _| pm.unprotect(&peer, &tag));
                Ok(())
            }
            Control::Report { peer, action } => e.report(&peer, &action, "sandbox"),
            Control::Disconnect { peer } => {
                e.disconnect(&peer);
                Ok(())
            }
            Control::Dial(address) => e.connect(&address, Direction::Outbound),
            Control::AddPeers { count, outbound } => {
                let dir = if outbound { Direction::Outbound } else { Direction::Inbound };
                for _ in 0..count {
                    let peer = format!("peer-{}", s.next_peer);
                    s.next_peer += 1;
                    let _ = e.connect(&peer, dir);
                }
                Ok(())
            }
            Control::TrimNow => {
                e.with(|pm, now| pm.trim(now));
                Ok(())
            }
        }
    })
    .unwrap_or_else(|| Err("the engine has not started".into()));
    schedule();
    result
}
