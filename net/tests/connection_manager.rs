//! The connection manager on real swarms (in-memory transport, plaintext, yamux): trims close
//! real connections, limits and blocks refuse connections with a typed error, identify and
//! ping results reach the manager through the app. Native only: the swarms need tokio.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::time::Duration;

use futures::channel::mpsc;
use futures::StreamExt;
use libp2p::swarm::{DialError, ListenError, NetworkBehaviour, Swarm, SwarmEvent};
use libp2p::{identify, ping, Multiaddr, PeerId};
use libp2p_swarm_test::SwarmExt;
use peerkeeper_core::strikes::StrikeKind;
use peerkeeper_core::{
    ConnectionDenied as EngineDenied, Event as EngineEvent, TrimTrigger, Verdict,
};
use peerkeeper_net::connection_manager::Event;
use peerkeeper_net::connection_manager::{Behaviour, Config, ConnectionDenied};

type Node = Swarm<Behaviour>;

/// Watermarks 3/2 with no grace or silence, so a fourth peer triggers an immediate trim.
fn trim_config() -> Config {
    let mut c = Config::default();
    c.engine.high_water = 3;
    c.engine.low_water = 2;
    c.engine.grace_period = 0;
    c.engine.silence_period = 0;
    c
}

fn node(config: Config) -> Node {
    Swarm::new_ephemeral_tokio(|_| Behaviour::new(config).unwrap())
}

/// A swarm running in its own task: its events come out of `events`, and it dials every
/// address sent to `dial`.
struct Remote {
    id: PeerId,
    events: mpsc::UnboundedReceiver<SwarmEvent<Event>>,
    dial: mpsc::UnboundedSender<Multiaddr>,
}

fn spawn(mut swarm: Node) -> Remote {
    let id = *swarm.local_peer_id();
    let (event_tx, events) = mpsc::unbounded();
    let (dial, mut dial_rx) = mpsc::unbounded::<Multiaddr>();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(addr) = dial_rx.next() => { let _ = swarm.dial(addr); }
                event = swarm.select_next_some() => {
                    if event_tx.unbounded_send(event).is_err() {
                        break;
                    }
                }
            }
        }
    });
    Remote { id, events, dial }
}

impl Remote {
    /// Waits (at most 5 s) for the first event `pick` accepts.
    async fn wait<T>(&mut self, pick: impl Fn(SwarmEvent<Event>) -> Option<T>) -> T {
        let found = async {
            while let Some(e) = self.events.next().await {
                if let Some(t) = pick(e) {
                    return t;
                }
            }
            panic!("remote swarm stopped");
        };
        tokio::time::timeout(Duration::from_secs(5), found).await.expect("remote event in 5 s")
    }
}

/// Starts a remote that dials `hub_addr` and drives the hub until the connection is up.
async fn connect_remote(hub: &mut Node, hub_addr: &Multiaddr, swarm: Node) -> Remote {
    let remote = spawn(swarm);
    remote.dial.unbounded_send(hub_addr.clone()).unwrap();
    let id = remote.id;
    hub.wait(|e| match e {
        SwarmEvent::ConnectionEstablished { peer_id, .. } if peer_id == id => Some(()),
        _ => None,
    })
    .await;
    remote
}

/// Drives the hub until it has closed `n` connections itself; returns their peers and the
/// behaviour events seen meanwhile, in order.
async fn hub_until_closed(hub: &mut Node, n: usize) -> (BTreeSet<PeerId>, Vec<Event>) {
    let (mut closed, mut events) = (BTreeSet::new(), Vec::new());
    while closed.len() < n {
        match hub.next_swarm_event().await {
            SwarmEvent::ConnectionClosed { peer_id, cause, .. } => {
                // No cause means a local close; an idle timeout or remote close would have one.
                assert!(cause.is_none(), "{peer_id} closed by {cause:?}, not by the hub");
                closed.insert(peer_id);
            }
            SwarmEvent::Behaviour(e) => events.push(e),
            _ => {}
        }
    }
    (closed, events)
}

fn closed_by(hub: PeerId) -> impl Fn(SwarmEvent<Event>) -> Option<()> {
    move |e| match e {
        SwarmEvent::ConnectionClosed { peer_id, .. } if peer_id == hub => Some(()),
        _ => None,
    }
}

/// Four peers dial a 3/2 hub; peer i carries a static tag worth 10 * (i + 1), and the first is
/// protected if asked. Checks the trim report and that its victims are exactly the connections
/// the hub closed; returns the hub, the remotes and the closed peers.
async fn four_peers_dial_a_hub(protect_first: bool) -> (Node, Vec<Remote>, BTreeSet<PeerId>) {
    let mut hub = node(trim_config());
    let (hub_addr, _) = hub.listen().await;
    let swarms: Vec<Node> = (0..4).map(|_| node(Config::default())).collect();
    let ids: Vec<PeerId> = swarms.iter().map(|s| *s.local_peer_id()).collect();
    {
        let mut pm = hub.behaviour_mut().manager_mut();
        for (i, id) in ids.iter().enumerate() {
            pm.tag_peer(id, "useful", 10 * (i as i64 + 1));
        }
        if protect_first {
            pm.protect(&ids[0], "keep");
        }
    }
    let mut remotes = Vec::new();
    for swarm in swarms {
        remotes.push(connect_remote(&mut hub, &hub_addr, swarm).await);
    }
    let (closed, events) = hub_until_closed(&mut hub, 2).await;
    let trims: Vec<_> = events
        .into_iter()
        .filter_map(|e| match e {
            Event::Engine(EngineEvent::Trimmed { report, .. }) => Some(report),
            _ => None,
        })
        .collect();
    assert_eq!(trims.len(), 1, "exactly one trim");
    let report = &trims[0];
    assert_eq!(report.trigger, TrimTrigger::HighWaterCrossed);
    assert_eq!((report.connected, report.target, report.closed), (4, 2, 2));
    let victims: Vec<PeerId> = report.closed_in_order().iter().map(|e| e.peer).collect();
    assert_eq!(closed, victims.iter().copied().collect(), "the report's victims are the closed");
    if protect_first {
        assert_eq!(victims, vec![ids[1], ids[2]]);
        assert_eq!(report.entry(&ids[0]).unwrap().verdict, Verdict::KeptProtected);
    } else {
        assert_eq!(victims, vec![ids[0], ids[1]]);
    }
    (hub, remotes, closed)
}

#[tokio::test]
async fn a_hub_over_high_water_closes_its_lowest_scored_peers_and_they_see_the_close() {
    let (hub, mut remotes, closed) = four_peers_dial_a_hub(false).await;
    let hub_id = *hub.local_peer_id();
    for remote in remotes.iter_mut().filter(|r| closed.contains(&r.id)) {
        remote.wait(closed_by(hub_id)).await;
    }
    let kept = [remotes[2].id, remotes[3].id];
    assert!(kept.iter().all(|p| hub.is_connected(p)));
    assert!(closed.iter().all(|p| !hub.is_connected(p)));
    let pm = hub.behaviour().manager();
    assert_eq!(pm.connected_count(), 2);
    assert_eq!(pm.connected_peers().copied().collect::<BTreeSet<_>>(), kept.into());
    assert_eq!(hub.behaviour().established_connections(), 2);
}

#[tokio::test]
async fn a_peer_protected_through_the_manager_survives_the_trim() {
    let (hub, mut remotes, _) = four_peers_dial_a_hub(true).await;
    let hub_id = *hub.local_peer_id();
    remotes[1].wait(closed_by(hub_id)).await;
    remotes[2].wait(closed_by(hub_id)).await;
    assert!(hub.is_connected(&remotes[0].id), "the lowest-scored but protected peer stays");
    assert!(hub.is_connected(&remotes[3].id));
    assert_eq!(hub.behaviour().manager().connected_count(), 2);
}

fn limit_config() -> Config {
    let mut c = Config::default();
    c.engine.high_water = 1;
    c.engine.low_water = 1;
    // Peers stay in grace for a minute, so the trim the second peer triggers closes nobody.
    c.max_connections = Some(2);
    c
}

fn denied(cause: libp2p::swarm::ConnectionDenied) -> ConnectionDenied {
    cause.downcast::<ConnectionDenied>().expect("the manager's typed denial")
}

#[tokio::test]
async fn a_peer_dialling_a_hub_at_its_connection_limit_is_refused_with_a_typed_error() {
    let mut hub = node(limit_config());
    let (hub_addr, _) = hub.listen().await;
    let _a = connect_remote(&mut hub, &hub_addr, node(Config::default())).await;
    let _b = connect_remote(&mut hub, &hub_addr, node(Config::default())).await;

    let mut third = spawn(node(Config::default()));
    third.dial.unbounded_send(hub_addr.clone()).unwrap();
    let cause = hub
        .wait(|e| match e {
            SwarmEvent::IncomingConnectionError {
                error: ListenError::Denied { cause }, ..
            } => Some(cause),
            _ => None,
        })
        .await;
    assert_eq!(denied(cause), ConnectionDenied::LimitReached { limit: 2, established: 2 });
    third
        .wait(|e| match e {
            SwarmEvent::OutgoingConnectionError { .. } => Some(()),
            SwarmEvent::ConnectionEstablished { .. } => panic!("the refused dial connected"),
            _ => None,
        })
        .await;
    assert_eq!(hub.behaviour().established_connections(), 2);
    assert_eq!(hub.behaviour().manager().connected_count(), 2);
}

#[tokio::test]
async fn a_hub_at_its_connection_limit_refuses_to_dial_out() {
    let mut hub = node(limit_config());
    let (hub_addr, _) = hub.listen().await;
    let _a = connect_remote(&mut hub, &hub_addr, node(Config::default())).await;
    let _b = connect_remote(&mut hub, &hub_addr, node(Config::default())).await;
    let mut other = node(Config::default());
    let (other_addr, _) = other.listen().await;

    let Err(DialError::Denied { cause }) = hub.dial(other_addr) else {
        panic!("the dial was not denied");
    };
    assert_eq!(denied(cause), ConnectionDenied::LimitReached { limit: 2, established: 2 });
}

#[tokio::test]
async fn a_blocked_peer_is_disconnected_and_then_refused_both_ways() {
    let mut hub = node(Config::default());
    let (hub_addr, _) = hub.listen().await;
    let mut peer_swarm = node(Config::default());
    let (peer_addr, _) = peer_swarm.listen().await;
    let mut peer = connect_remote(&mut hub, &hub_addr, peer_swarm).await;
    let hub_id = *hub.local_peer_id();

    assert!(hub.behaviour_mut().block_peer(peer.id));
    assert!(!hub.behaviour_mut().block_peer(peer.id), "blocking twice reports no change");
    let (closed, _) = hub_until_closed(&mut hub, 1).await;
    assert_eq!(closed, BTreeSet::from([peer.id]));
    peer.wait(closed_by(hub_id)).await;

    peer.dial.unbounded_send(hub_addr).unwrap();
    let cause = hub
        .wait(|e| match e {
            SwarmEvent::IncomingConnectionError {
                error: ListenError::Denied { cause }, ..
            } => Some(cause),
            SwarmEvent::ConnectionEstablished { .. } => panic!("a blocked peer connected"),
            _ => None,
        })
        .await;
    assert_eq!(denied(cause), ConnectionDenied::Blocked { peer: peer.id });

    let dial = libp2p::swarm::dial_opts::DialOpts::peer_id(peer.id).addresses(vec![peer_addr]);
    let Err(DialError::Denied { cause }) = hub.dial(dial.build()) else {
        panic!("dialling a blocked peer was not denied");
    };
    assert_eq!(denied(cause), ConnectionDenied::Blocked { peer: peer.id });

    assert!(hub.behaviour_mut().unblock_peer(&peer.id));
    assert!(!hub.behaviour_mut().unblock_peer(&peer.id));
    assert_eq!(hub.behaviour().blocked_peers().count(), 0);
}

#[tokio::test]
async fn ten_spam_strikes_close_the_peer_and_the_engine_refuses_its_redial() {
    let mut hub = node(Config::default());
    let (hub_addr, _) = hub.listen().await;
    let mut peer = connect_remote(&mut hub, &hub_addr, node(Config::default())).await;
    let hub_id = *hub.local_peer_id();

    for _ in 0..9 {
        let now = hub.behaviour().now();
        hub.behaviour_mut().manager_mut().strike(&peer.id, StrikeKind::Deserialization, now);
    }
    assert_eq!(hub.behaviour().manager().soft_ban_of(&peer.id), None, "nine strikes do not ban");
    let now = hub.behaviour().now();
    hub.behaviour_mut().manager_mut().strike(&peer.id, StrikeKind::Deserialization, now);
    let (closed, events) = hub_until_closed(&mut hub, 1).await;
    assert_eq!(closed, BTreeSet::from([peer.id]));
    assert!(
        events.iter().any(
            |e| matches!(e, Event::Engine(EngineEvent::SoftBanned { peer: p, .. }) if *p == peer.id)
        ),
        "no soft-ban event in {events:?}"
    );
    peer.wait(closed_by(hub_id)).await;

    peer.dial.unbounded_send(hub_addr).unwrap();
    let cause = hub
        .wait(|e| match e {
            SwarmEvent::IncomingConnectionError {
                error: ListenError::Denied { cause }, ..
            } => Some(cause),
            SwarmEvent::ConnectionEstablished { .. } => panic!("a soft-banned peer connected"),
            _ => None,
        })
        .await;
    let ConnectionDenied::Refused { peer: refused, reason: EngineDenied::SoftBanned { .. } } =
        denied(cause)
    else {
        panic!("not refused for the soft ban");
    };
    assert_eq!(refused, peer.id);
}

#[derive(NetworkBehaviour)]
struct App {
    peers: Behaviour,
    identify: identify::Behaviour,
    ping: ping::Behaviour,
}

fn app_node(agent: &str) -> Swarm<App> {
    Swarm::new_ephemeral_tokio(|key| App {
        peers: Behaviour::new(Config::default()).unwrap(),
        identify: identify::Behaviour::new(
            identify::Config::new("/test/1".into(), key.public()).with_agent_version(agent.into()),
        ),
        ping: ping::Behaviour::default(),
    })
}

fn route(swarm: &mut Swarm<App>, event: SwarmEvent<AppEvent>) {
    let peers = &mut swarm.behaviour_mut().peers;
    match event {
        SwarmEvent::Behaviour(AppEvent::Identify(e)) => {
            peers.on_identify_event(&e);
        }
        SwarmEvent::Behaviour(AppEvent::Ping(e)) => {
            peers.on_ping_event(&e);
        }
        _ => {}
    }
}

#[tokio::test]
async fn an_app_composing_identify_and_ping_feeds_agent_version_and_rtt_to_the_manager() {
    let mut a = app_node("agent-a/1.0");
    let mut b = app_node("agent-b/2.0");
    b.listen().with_memory_addr_external().await;
    a.connect(&mut b).await;
    let b_id = *b.local_peer_id();

    let learned = async {
        loop {
            let info = a.behaviour().peers.peer_info(&b_id).cloned().unwrap_or_default();
            if info.agent_version.is_some() && info.rtt.is_some() {
                return info;
            }
            tokio::select! {
                e = a.select_next_some() => route(&mut a, e),
                e = b.select_next_some() => route(&mut b, e),
            }
        }
    };
    let info =
        tokio::time::timeout(Duration::from_secs(10), learned).await.expect("learned in 10 s");
    assert_eq!(info.agent_version.as_deref(), Some("agent-b/2.0"));
    assert!(a.behaviour().peers.manager().is_connected(&b_id));

    a.disconnect_peer_id(b_id).unwrap();
    a.wait(|e| matches!(e, SwarmEvent::ConnectionClosed { .. }).then_some(())).await;
    assert_eq!(a.behaviour().peers.peer_info(&b_id), None, "forgotten with the last connection");
    assert!(!a.behaviour_mut().peers.record_agent_version(&b_id, "late"));
}

async fn next(
    behaviour: &mut Behaviour,
) -> libp2p::swarm::ToSwarm<Event, libp2p::swarm::THandlerInEvent<Behaviour>> {
    std::future::poll_fn(|cx| NetworkBehaviour::poll(behaviour, cx)).await
}

#[tokio::test]
async fn the_behaviour_wakes_itself_when_an_engine_timer_falls_due() {
    let mut config = Config::default();
    config.engine.decay_resolution = 1;
    let mut behaviour = Behaviour::new(config).unwrap();
    let peer = PeerId::random();
    let now = behaviour.now();
    behaviour.manager_mut().tag_peer_decaying(
        &peer,
        "fresh",
        10,
        20,
        peerkeeper_core::DecayFn::fixed(4),
        now,
    );
    let first = tokio::time::timeout(Duration::from_secs(5), next(&mut behaviour)).await.unwrap();
    assert!(matches!(
        first,
        libp2p::swarm::ToSwarm::GenerateEvent(Event::Engine(EngineEvent::TagSet { .. }))
    ));
    // Nothing else is queued: only the armed timer can wake this future.
    let decayed = tokio::time::timeout(Duration::from_secs(5), next(&mut behaviour)).await.unwrap();
    let libp2p::swarm::ToSwarm::GenerateEvent(Event::Engine(EngineEvent::TagDecayed {
        old: 10,
        new: 6,
        at,
        ..
    })) = decayed
    else {
        panic!("expected the decay, got {decayed:?}");
    };
    assert!(at >= now + 20);
}

/// An app whose pings time out after 300 ms, connected to a remote that accepts ping streams
/// and never echoes (`speaks_ping`) or does not speak ping at all.
async fn pinged_by_app(config: Config, speaks_ping: bool) -> (Swarm<App>, PeerId) {
    let mut app = Swarm::new_ephemeral_tokio(|key| App {
        peers: Behaviour::new(config).unwrap(),
        identify: identify::Behaviour::new(identify::Config::new("/test/1".into(), key.public())),
        ping: ping::Behaviour::new(
            ping::Config::new()
                .with_interval(Duration::from_millis(100))
                .with_timeout(Duration::from_millis(300)),
        ),
    });
    let mut remote = Swarm::new_ephemeral_tokio(|_| libp2p_stream::Behaviour::new());
    let remote_id = *remote.local_peer_id();
    let protocol = if speaks_ping { "/ipfs/ping/1.0.0" } else { "/other/1" };
    let mut incoming =
        remote.behaviour().new_control().accept(libp2p::StreamProtocol::new(protocol)).unwrap();
    remote.listen().with_memory_addr_external().await;
    app.connect(&mut remote).await;
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            tokio::select! {
                Some(stream) = incoming.next() => held.push(stream),
                _ = remote.select_next_some() => {}
            }
        }
    });
    (app, remote_id)
}

#[tokio::test]
async fn a_connection_whose_ping_times_out_is_closed_as_unresponsive() {
    let (mut app, remote_id) = pinged_by_app(Config::default(), true).await;
    let mut unresponsive = None;
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match app.select_next_some().await {
                SwarmEvent::Behaviour(AppEvent::Ping(e)) => {
                    assert!(e.result.is_err(), "the remote never echoes: {e:?}");
                    app.behaviour_mut().peers.on_ping_event(&e);
                }
                SwarmEvent::Behaviour(AppEvent::Peers(Event::Unresponsive {
                    peer,
                    connection,
                    error,
                })) => {
                    assert!(unresponsive.is_none(), "reported once");
                    unresponsive = Some((peer, connection, error));
                }
                SwarmEvent::ConnectionClosed { peer_id, connection_id, .. } => {
                    return (peer_id, connection_id)
                }
                _ => {}
            }
        }
    })
    .await
    .expect("closed within 10 s");
    let (peer, connection, error) = unresponsive.expect("reported before the close");
    assert_eq!((peer, error.as_str()), (remote_id, "Ping timeout"));
    assert_eq!(closed, (remote_id, connection));
    assert!(!app.behaviour().peers.manager().is_connected(&remote_id));
}

#[tokio::test]
async fn a_failed_ping_leaves_the_connection_when_asked_to_or_when_ping_is_unsupported() {
    for (keep, speaks_ping) in [(true, true), (false, false)] {
        let config = Config { keep_unresponsive: keep, ..Config::default() };
        let (mut app, remote_id) = pinged_by_app(config, speaks_ping).await;
        let failure = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match app.select_next_some().await {
                    SwarmEvent::Behaviour(AppEvent::Ping(e)) => break e,
                    SwarmEvent::ConnectionClosed { .. } => panic!("closed before the ping failed"),
                    _ => {}
                }
            }
        })
        .await
        .expect("a ping failure within 10 s");
        let expected = if speaks_ping { "Ping timeout" } else { "Ping protocol not supported" };
        assert_eq!(failure.result.as_ref().unwrap_err().to_string(), expected);
        assert!(!app.behaviour_mut().peers.on_ping_event(&failure), "nothing recorded or closed");
        // Nothing queued: the connection stays.
        let quiet = tokio::time::timeout(Duration::from_millis(200), async {
            loop {
                match app.select_next_some().await {
                    SwarmEvent::ConnectionClosed { .. } => panic!("closed (keep {keep})"),
                    SwarmEvent::Behaviour(AppEvent::Peers(e)) => panic!("{e:?} (keep {keep})"),
                    _ => {}
                }
            }
        });
        assert!(quiet.await.is_err());
        assert!(app.behaviour().peers.manager().is_connected(&remote_id));
    }
}
