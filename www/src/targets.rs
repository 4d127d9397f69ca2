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
}

/// Browser transports in the order the page prefers them: WebRTC-direct needs no TLS
/// certificate from a CA and works from any page; WebTransport next; WebSocket last.
const PREFERENCE: [&str; 3] = ["webrtc-direct", "webtransport", "websocket"];

/// The one bootstrap address to dial: the most preferred transport the node offers.
pub fn preferred(bootstrap: &Bootstrap) -> Option<String> {
    PREFERENCE.iter().find_map(|t| {
        bootstrap.addrs.iter().find(|a| a.transport == *t).map(|a| a.multiaddr.clone())
    })
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

    fn boot(transports: &[&str]) -> Bootstrap {
        Bootstrap {
            peer_id: "P".into(),
            addrs: transports
                .iter()
                .map(|t| BootstrapAddr { transport: t.to_string(), multiaddr: format!("/{t}") })
                .collect(),
        }
    }

    #[test]
    fn webrtc_direct_is_preferred_over_websocket_and_tcp_is_never_chosen() {
        assert_eq!(
            preferred(&boot(&["tcp", "websocket", "webrtc-direct"])).unwrap(),
            "/webrtc-direct"
        );
        assert_eq!(preferred(&boot(&["tcp", "websocket"])).unwrap(), "/websocket");
        assert_eq!(preferred(&boot(&["tcp"])), None);
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
