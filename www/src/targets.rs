//! Which addresses the page dials first: `?peer=` overrides, else the node's `/bootstrap.json`.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct BootstrapAddr {
    pub transport: String,
    pub multiaddr: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Bootstrap {
    pub peer_id: String,
    pub addrs: Vec<BootstrapAddr>,
    /// The node's embedded demo network (absent from nodes that run none).
    #[serde(default)]
    pub demo_peers: Vec<DemoPeer>,
    /// The chain the node follows, for the page's light node to start from.
    #[serde(default)]
    pub chain: Option<peerkeeper_web::light_peer_event::ChainStartView>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DemoPeer {
    pub peer_id: String,
    pub kind: String,
    pub addrs: Vec<BootstrapAddr>,
}

/// Browser transports in the order the page prefers them: WebRTC-direct needs no TLS
/// certificate from a CA and works from any page; WebTransport next; WebSocket last.
const PREFERENCE: [&str; 3] = ["webrtc-direct", "webtransport", "websocket"];

/// The address to dial among `addrs`: the most preferred browser transport offered.
pub fn preferred(addrs: &[BootstrapAddr]) -> Option<String> {
    PREFERENCE
        .iter()
        .find_map(|t| addrs.iter().find(|a| a.transport == *t).map(|a| a.multiaddr.clone()))
}

/// One address per peer to dial first: the node itself, then each demo peer in the node's order.
pub fn initial_targets(bootstrap: &Bootstrap) -> Vec<String> {
    std::iter::once(&bootstrap.addrs)
        .chain(bootstrap.demo_peers.iter().map(|d| &d.addrs))
        .filter_map(|addrs| preferred(addrs))
        .collect()
}

/// `?peer=A&peer=B` from a query string (with or without the leading `?`), decoded, in order.
pub fn peer_overrides(query: &str) -> Vec<String> {
    form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .filter(|(k, v)| k == "peer" && !v.is_empty())
        .map(|(_, v)| v.into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(transports: &[&str]) -> Vec<BootstrapAddr> {
        transports
            .iter()
            .map(|t| BootstrapAddr { transport: t.to_string(), multiaddr: format!("/{t}") })
            .collect()
    }

    #[test]
    fn webrtc_direct_is_preferred_over_websocket_and_tcp_is_never_chosen() {
        assert_eq!(
            preferred(&addrs(&["tcp", "websocket", "webrtc-direct"])).unwrap(),
            "/webrtc-direct"
        );
        assert_eq!(preferred(&addrs(&["tcp", "websocket"])).unwrap(), "/websocket");
        assert_eq!(preferred(&addrs(&["tcp"])), None);
    }

    #[test]
    fn the_node_comes_first_then_each_demo_peer_once() {
        let json = r#"{"peer_id":"N","addrs":[{"transport":"tcp","multiaddr":"/n-tcp"},
            {"transport":"webrtc-direct","multiaddr":"/n-rtc"}],
            "demo_peers":[{"peer_id":"A","kind":"honest","addrs":[
              {"transport":"websocket","multiaddr":"/a-ws"},
              {"transport":"webrtc-direct","multiaddr":"/a-rtc"}]},
            {"peer_id":"B","kind":"slow","addrs":[{"transport":"websocket","multiaddr":"/b-ws"}]}]}"#;
        let boot: Bootstrap = serde_json::from_str(json).unwrap();
        assert_eq!(initial_targets(&boot), ["/n-rtc", "/a-rtc", "/b-ws"]);
    }

    #[test]
    fn a_bootstrap_without_demo_peers_still_parses() {
        let json = r#"{"peer_id":"N","addrs":[{"transport":"websocket","multiaddr":"/w"}]}"#;
        let boot: Bootstrap = serde_json::from_str(json).unwrap();
        assert_eq!(initial_targets(&boot), ["/w"]);
    }

    #[test]
    fn peer_overrides_are_read_in_order_and_decoded() {
        assert_eq!(
            peer_overrides("?x=1&peer=%2Fip4%2F127.0.0.1%2Ftcp%2F9%2Fws&peer=/dns/a/tcp/1/ws"),
            vec!["/ip4/127.0.0.1/tcp/9/ws".to_string(), "/dns/a/tcp/1/ws".to_string()]
        );
        assert!(peer_overrides("").is_empty());
        assert!(peer_overrides("?peer=").is_empty());
    }

    #[test]
    fn broken_percent_escapes_pass_through_verbatim_and_fail_later_as_multiaddrs() {
        assert_eq!(peer_overrides("?peer=%zz"), vec!["%zz".to_string()]);
    }
}
