//! One peer as the table shows it, and how the table arranges rows: sort, filter, and the
//! window of rows actually rendered. Pure, tested natively.

use std::cmp::Ordering;

use peerkeeper_core::Millis;

/// Everything the table and the details panel show about one peer. `None` means "not known
/// in this mode" (the live light peer reports fewer facts than the teaching engine).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PeerRow {
    pub peer_id: String,
    /// `connected`, `disconnecting`, `disconnected` or `banned`.
    pub state: String,
    pub direction: Option<String>,
    pub transport: String,
    pub address: String,
    pub agent: Option<String>,
    pub rtt_ms: Option<f64>,
    /// Start of the current connection run.
    pub connected_since: Option<Millis>,
    /// Time connected observed so far, over every run.
    pub uptime_ms: Millis,
    pub score: Option<f64>,
    pub tag_score: Option<f64>,
    pub behaviour_score: Option<f64>,
    pub application_score: Option<f64>,
    /// (name, value, decaying), in creation order.
    pub tags: Vec<(String, i64, bool)>,
    pub protected: bool,
    pub aligned: Option<bool>,
    /// The peer's own fork status and node mode, as it reported them (`NORMAL/FWD`).
    pub peer_fork: Option<String>,
    pub strikes: u32,
    /// When the engine will next dial the peer.
    pub backoff_until: Option<Millis>,
    pub banned_until: Option<Millis>,
    pub last_sent: Option<Millis>,
    pub last_received: Option<Millis>,
    pub last_action: Option<String>,
    /// Why it left (or why it is closing), while it is not connected.
    pub reason: Option<String>,
    /// From the peer's latest status (live mode): its network id, head and fork status.
    pub network_id: Option<u64>,
    pub peer_head: Option<u64>,
    pub peer_fork_status: Option<String>,
    /// The strike count that soft-banned it (live mode).
    pub banned_after_strikes: Option<u32>,
    /// The engine's redial plan, oldest first: (scheduled at, due, backoff, failures) in ms.
    pub dials_scheduled: Vec<(Millis, Millis, Millis, u32)>,
    /// When redials actually started (engine ms), oldest first.
    pub dials_started: Vec<Millis>,
}

/// Redial records kept per live peer.
pub const DIAL_HISTORY: usize = 16;

impl PeerRow {
    pub fn is_connected(&self) -> bool {
        self.state == "connected"
    }

    /// Greyed in the table: gone, going, or banned.
    pub fn is_greyed(&self) -> bool {
        !self.is_connected()
    }

    fn haystack_matches(&self, needle: &str) -> bool {
        let fields = [
            self.peer_id.as_str(),
            self.state.as_str(),
            self.transport.as_str(),
            self.agent.as_deref().unwrap_or(""),
            self.reason.as_deref().unwrap_or(""),
            self.direction.as_deref().unwrap_or(""),
        ];
        fields.iter().any(|f| f.to_lowercase().contains(needle))
            || self.tags.iter().any(|(t, _, _)| t.to_lowercase().contains(needle))
            || (self.protected && "protected".contains(needle))
    }
}

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Peer,
    State,
    Direction,
    Transport,
    Agent,
    Rtt,
    ConnectedFor,
    Score,
    Tags,
    Protected,
    Aligned,
    PeerFork,
    Strikes,
    Backoff,
    LastMessage,
    Uptime,
    Reason,
}

impl Column {
    pub const ALL: [Column; 17] = [
        Column::Peer,
        Column::State,
        Column::Direction,
        Column::Transport,
        Column::Agent,
        Column::Rtt,
        Column::ConnectedFor,
        Column::Score,
        Column::Tags,
        Column::Protected,
        Column::Aligned,
        Column::PeerFork,
        Column::Strikes,
        Column::Backoff,
        Column::LastMessage,
        Column::Uptime,
        Column::Reason,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Column::Peer => "peer",
            Column::State => "state",
            Column::Direction => "dir",
            Column::Transport => "transport",
            Column::Agent => "agent",
            Column::Rtt => "RTT",
            Column::ConnectedFor => "connected for",
            Column::Score => "score (tags/beh/app)",
            Column::Tags => "tags",
            Column::Protected => "protected",
            Column::Aligned => "aligned",
            Column::PeerFork => "peer fork/mode",
            Column::Strikes => "strikes",
            Column::Backoff => "backoff / ban",
            Column::LastMessage => "last sent/recv",
            Column::Uptime => "uptime",
            Column::Reason => "reason",
        }
    }

    /// Compares two rows by this column, ascending; unknown values sort last.
    pub fn compare(self, a: &PeerRow, b: &PeerRow, now: Millis) -> Ordering {
        fn opt<T: PartialOrd>(a: Option<T>, b: Option<T>) -> Ordering {
            match (a, b) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        }
        let connected_for = |r: &PeerRow| r.connected_since.map(|s| now.saturating_sub(s));
        let waiting = |r: &PeerRow| r.banned_until.or(r.backoff_until);
        let last = |r: &PeerRow| r.last_received.max(r.last_sent);
        match self {
            Column::Peer => a.peer_id.cmp(&b.peer_id),
            Column::State => a.state.cmp(&b.state),
            Column::Direction => a.direction.cmp(&b.direction),
            Column::Transport => a.transport.cmp(&b.transport),
            Column::Agent => opt(a.agent.as_ref(), b.agent.as_ref()),
            Column::Rtt => opt(a.rtt_ms, b.rtt_ms),
            Column::ConnectedFor => opt(connected_for(a), connected_for(b)),
            Column::Score => opt(a.score, b.score),
            Column::Tags => a.tags.len().cmp(&b.tags.len()),
            Column::Protected => b.protected.cmp(&a.protected),
            Column::Aligned => opt(a.aligned.map(|x| !x), b.aligned.map(|x| !x)),
            Column::PeerFork => opt(a.peer_fork.as_ref(), b.peer_fork.as_ref()),
            Column::Strikes => a.strikes.cmp(&b.strikes),
            Column::Backoff => opt(waiting(a), waiting(b)),
            Column::LastMessage => opt(last(a), last(b)),
            Column::Uptime => a.uptime_ms.cmp(&b.uptime_ms),
            Column::Reason => opt(a.reason.as_ref(), b.reason.as_ref()),
        }
    }
}

/// How the table is arranged: sort column and direction, and a filter.
#[derive(Debug, Clone, PartialEq)]
pub struct TableView {
    pub sort: Column,
    pub descending: bool,
    /// Case-insensitive substring of id, state, transport, agent, reason, direction or a tag
    /// name; `protected` matches protected peers.
    pub filter: String,
}

impl Default for TableView {
    fn default() -> Self {
        TableView { sort: Column::Peer, descending: false, filter: String::new() }
    }
}

impl TableView {
    /// Clicking a header: a new column sorts ascending, the same column flips direction.
    pub fn toggle(&mut self, column: Column) {
        if self.sort == column {
            self.descending = !self.descending;
        } else {
            self.sort = column;
            self.descending = false;
        }
    }

    /// The rows that pass the filter, sorted; ties keep peer-id order so the table is stable.
    pub fn arrange<'a>(&self, rows: &'a [PeerRow], now: Millis) -> Vec<&'a PeerRow> {
        let needle = self.filter.trim().to_lowercase();
        let mut out: Vec<&PeerRow> =
            rows.iter().filter(|r| needle.is_empty() || r.haystack_matches(&needle)).collect();
        out.sort_by(|a, b| {
            let o = self.sort.compare(a, b, now);
            let o = if self.descending { o.reverse() } else { o };
            o.then_with(|| a.peer_id.cmp(&b.peer_id))
        });
        out
    }
}

/// Height of one table row in CSS pixels; the stylesheet fixes rows at this height.
pub const ROW_HEIGHT: f64 = 30.0;
/// Extra rows rendered above and below the visible ones, so fast scrolling shows no gap.
pub const OVERSCAN: usize = 8;

/// Which of `total` rows to render when the body is scrolled to `scroll_top` and shows
/// `viewport` pixels: the visible rows plus the overscan, as a half-open range.
pub fn visible_window(total: usize, scroll_top: f64, viewport: f64) -> (usize, usize) {
    let first = (scroll_top.max(0.0) / ROW_HEIGHT).floor() as usize;
    let shown = (viewport.max(0.0) / ROW_HEIGHT).ceil() as usize;
    let start = first.saturating_sub(OVERSCAN).min(total);
    let end = (first + shown + OVERSCAN).min(total);
    (start, end.max(start))
}

/// `12.3 s`, `4 min 05 s`, `2 h 03 min`: durations as the table prints them.
pub fn format_duration(ms: Millis) -> String {
    let s = ms / 1000;
    if s < 60 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else if s < 3600 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    }
}

/// The short form of a peer id the table shows: its last eight characters.
pub fn short_id(id: &str) -> String {
    let n = id.chars().count();
    if n <= 10 {
        return id.to_string();
    }
    let tail: String = id.chars().skip(n - 8).collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, state: &str, score: Option<f64>) -> PeerRow {
        PeerRow { peer_id: id.into(), state: state.into(), score, ..PeerRow::default() }
    }

    #[test]
    fn sorting_by_score_puts_unknown_scores_last_and_flips_on_a_second_click() {
        let rows = vec![
            row("a", "connected", Some(3.0)),
            row("b", "connected", None),
            row("c", "connected", Some(-1.0)),
        ];
        let mut view = TableView::default();
        view.toggle(Column::Score);
        let ids: Vec<_> = view.arrange(&rows, 0).iter().map(|r| r.peer_id.as_str()).collect();
        assert_eq!(ids, ["c", "a", "b"]);
        view.toggle(Column::Score);
        let ids: Vec<_> = view.arrange(&rows, 0).iter().map(|r| r.peer_id.as_str()).collect();
        assert_eq!(ids, ["b", "a", "c"]);
    }

    #[test]
    fn the_filter_matches_state_tags_and_protection_case_insensitively() {
        let mut p = row("peer-1", "connected", None);
        p.tags = vec![("Useful".into(), 5, false)];
        let q = PeerRow { protected: true, ..row("peer-2", "disconnected", None) };
        let rows = vec![p, q];
        let ids = |f: &str| {
            let view = TableView { filter: f.into(), ..TableView::default() };
            view.arrange(&rows, 0).iter().map(|r| r.peer_id.clone()).collect::<Vec<_>>()
        };
        assert_eq!(ids("USEFUL"), ["peer-1"]);
        assert_eq!(ids("disconn"), ["peer-2"]);
        assert_eq!(ids("protected"), ["peer-2"]);
        assert_eq!(ids("  "), ["peer-1", "peer-2"]);
    }

    #[test]
    fn only_the_visible_rows_and_the_overscan_are_rendered() {
        assert_eq!(visible_window(1000, 0.0, 300.0), (0, 10 + OVERSCAN));
        assert_eq!(visible_window(1000, 3000.0, 300.0), (100 - OVERSCAN, 110 + OVERSCAN));
        assert_eq!(visible_window(5, 0.0, 300.0), (0, 5));
        assert_eq!(visible_window(1000, 1e9, 300.0), (1000, 1000));
    }

    #[test]
    fn durations_and_short_ids_print_compactly() {
        assert_eq!(format_duration(1_240), "1.2 s");
        assert_eq!(format_duration(125_000), "2 min 05 s");
        assert_eq!(format_duration(7_380_000), "2 h 03 min");
        assert_eq!(short_id("12D3KooWAbcdefgh12345678"), "…12345678");
        assert_eq!(short_id("peer-7"), "peer-7");
    }
}
