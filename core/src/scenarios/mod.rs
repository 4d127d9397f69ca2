//! Teaching scenarios as data: each one a config, an optional chain and a list of timed steps,
//! every step an engine input with a narration and the exact outcomes it must produce.
//!
//! The page's teaching mode and the test suite (`core/tests/scenarios.rs`) play the very same
//! values through one [`Player`], so what a learner is shown is what the tests check.
//!
//! Families, one file each: `seed_tutorial` (seed 001's four), `behaviour` (a ban and the decay
//! back), `spam` (strikes, soft ban, backoff ladder), `fork_split` (NORMAL, LOOKING, MINORITY and
//! back), `epoch` (seed 002's blocked backup), `benchlist`, and `stress` (a generated load for
//! the page's frame-rate measurement).

mod behaviour;
mod benchlist;
mod epoch;
mod expectation;
mod fork_split;
mod player;
mod rng;
mod seed_tutorial;
mod spam;
mod stress;

use crate::behaviour_score::PeerAction;
use crate::blocklist::Role;
use crate::config::Config;
use crate::fork::{BlockRef, ChainStatus, Header};
use crate::strikes::StrikeKind;
use crate::tags::DecayFn;
use crate::types::{Direction, Millis};

pub use expectation::Expectation;
pub use player::{CheckResult, Player, StepOutcome};
pub use rng::SplitMix64;
pub use stress::{stress, StressParams, STRESS_ID};

/// One lesson: a manager built from `config` (and `chain`, when it follows one) and the steps
/// played on it in order.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// URL-safe slug (`[a-z0-9-]`), unique among [`all`].
    pub id: &'static str,
    pub title: &'static str,
    /// One paragraph: what the lesson shows.
    pub summary: &'static str,
    pub config: Config,
    /// Our chain at t = 0 when `config.fork` is set: the manager is built with
    /// [`PeerManager::with_chain`](crate::PeerManager::with_chain) and these blocks applied.
    pub chain: Option<ChainStart>,
    pub steps: Vec<Step>,
}

/// Our chain when a fork scenario starts: final at `lib`, then `applied` on top of it, all at
/// t = 0.
#[derive(Debug, Clone)]
pub struct ChainStart {
    pub lib_header: Header,
    pub applied: Vec<Header>,
}

/// One input at virtual time `at` (absolute, ms). The player first runs the clock to `at`,
/// firing every timeout on the way, then applies `action`, then checks `expect`.
#[derive(Debug, Clone)]
pub struct Step {
    pub at: Millis,
    pub action: Action,
    /// What happens and why, for the learner.
    pub narration: String,
    pub expect: Vec<Expectation>,
}

impl Step {
    pub fn new(at: Millis, action: Action, narration: impl Into<String>) -> Step {
        Step { at, action, narration: narration.into(), expect: Vec::new() }
    }

    pub fn expect(mut self, e: impl IntoIterator<Item = Expectation>) -> Step {
        self.expect.extend(e);
        self
    }
}

/// The engine's inputs, as a host would feed them. Peers are named by strings.
#[derive(Debug, Clone)]
pub enum Action {
    /// Nothing but the clock moving to the step's time (timeouts fire on the way).
    Wait,
    /// A new connection from (inbound) or to (outbound) `peer`.
    Connect {
        peer: String,
        direction: Direction,
    },
    /// The remote side closes every connection to `peer`.
    Disconnect {
        peer: String,
    },
    Tag {
        peer: String,
        tag: String,
        value: i64,
    },
    Untag {
        peer: String,
        tag: String,
    },
    TagDecaying {
        peer: String,
        tag: String,
        value: i64,
        interval: Millis,
        decay: DecayFn,
    },
    Bump {
        peer: String,
        tag: String,
        delta: i64,
    },
    RemoveDecayingTag {
        peer: String,
        tag: String,
    },
    Protect {
        peer: String,
        tag: String,
    },
    Unprotect {
        peer: String,
        tag: String,
    },
    /// An explicit trim (`PeerManager::trim`).
    Trim,
    Report {
        peer: String,
        action: PeerAction,
        name: String,
    },
    ApplicationScore {
        peer: String,
        score: f64,
    },
    Strike {
        peer: String,
        kind: StrikeKind,
    },
    ValidPacket {
        peer: String,
    },
    /// A peer learnt from discovery, to be dialled (with `track_lifecycle`).
    AddPeer {
        peer: String,
    },
    HandshakeCompleted {
        peer: String,
    },
    /// The host's dial to `peer` failed.
    DialFailed {
        peer: String,
    },
    Status {
        peer: String,
        status: ChainStatus,
    },
    BlockApplied {
        header: Header,
        from: Option<String>,
    },
    /// Headers relayed by `peer`, one input per header (as relays arrive).
    Headers {
        peer: String,
        headers: Vec<Header>,
    },
    LibAdvanced {
        lib: BlockRef,
    },
    EpochTransition {
        peers: Vec<(String, Role)>,
    },
    Block {
        peer: String,
        reason: String,
    },
    ProbeResult {
        peer: String,
        ok: bool,
    },
    RegisterResponse {
        peer: String,
    },
    RegisterFailure {
        peer: String,
    },
}

impl Action {
    /// A short label for a step list, e.g. `connect c0 (inbound)`.
    pub fn label(&self) -> String {
        use Action::*;
        match self {
            Wait => "wait".into(),
            Connect { peer, direction } => format!("connect {peer} ({})", direction.as_str()),
            Disconnect { peer } => format!("{peer} disconnects"),
            Tag { peer, tag, value } => format!("tag {peer} {tag}={value}"),
            Untag { peer, tag } => format!("untag {peer} {tag}"),
            TagDecaying { peer, tag, value, interval, decay } => {
                format!("decaying tag {peer} {tag}={value} every {interval} ms, {decay:?}")
            }
            Bump { peer, tag, delta } => format!("bump {peer} {tag} by {delta}"),
            RemoveDecayingTag { peer, tag } => format!("remove decaying tag {peer} {tag}"),
            Protect { peer, tag } => format!("protect {peer} ({tag})"),
            Unprotect { peer, tag } => format!("unprotect {peer} ({tag})"),
            Trim => "trim".into(),
            Report { peer, action, name } => format!("report {peer} {} ({name})", action.as_str()),
            ApplicationScore { peer, score } => format!("application score {peer} = {score}"),
            Strike { peer, kind } => format!("strike {peer} ({kind:?})"),
            ValidPacket { peer } => format!("valid packet from {peer}"),
            AddPeer { peer } => format!("learn {peer}"),
            HandshakeCompleted { peer } => format!("{peer} completes the handshake"),
            DialFailed { peer } => format!("dial to {peer} fails"),
            Status { peer, status } => {
                format!("{peer} reports head #{} lib #{}", status.head.number, status.lib.number)
            }
            BlockApplied { header, .. } => format!("apply block #{}", header.number),
            Headers { peer, headers } => match (headers.first(), headers.last()) {
                (Some(f), Some(l)) if headers.len() > 1 => {
                    format!("{peer} relays #{}..#{}", f.number, l.number)
                }
                (Some(f), _) => format!("{peer} relays #{}", f.number),
                _ => format!("{peer} relays nothing"),
            },
            LibAdvanced { lib } => format!("LIB advances to #{}", lib.number),
            EpochTransition { peers } => format!("epoch transition ({} peers)", peers.len()),
            Block { peer, reason } => format!("block {peer} ({reason})"),
            ProbeResult { peer, ok } => {
                format!("probe of {peer} {}", if *ok { "passes" } else { "fails" })
            }
            RegisterResponse { peer } => format!("{peer} answers a request"),
            RegisterFailure { peer } => format!("{peer} fails a request"),
        }
    }
}

/// Every teaching scenario, in the order the page lists them. The stress load is not among
/// them: build it with [`stress`].
pub fn all() -> Vec<Scenario> {
    let mut out = seed_tutorial::scenarios();
    out.push(behaviour::ban_and_decay());
    out.push(spam::soft_ban_and_backoff());
    out.push(fork_split::split_and_back());
    out.push(epoch::blocked_backup());
    out.push(benchlist::bench_and_recover());
    out
}

/// The scenario named `id` in a URL: one of [`all`], or [`STRESS_ID`] for the default stress
/// load.
pub fn by_id(id: &str) -> Option<Scenario> {
    if id == STRESS_ID {
        return Some(stress(StressParams::default()));
    }
    all().into_iter().find(|s| s.id == id)
}

pub(crate) fn s(p: &str) -> String {
    p.to_string()
}
