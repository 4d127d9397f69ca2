//! Names the transport a multiaddr uses, as shown to users and listed in `/bootstrap.json`.

use libp2p::{multiaddr::Protocol, Multiaddr};

/// `webrtc-direct`, `webtransport`, `websocket`, `tcp`, or `other`.
pub fn transport_name(addr: &Multiaddr) -> &'static str {
    let mut name = "other";
    for p in addr.iter() {
        match p {
            Protocol::WebRTCDirect => return "webrtc-direct",
            Protocol::WebTransport => return "webtransport",
            Protocol::Ws(_) | Protocol::Wss(_) => return "websocket",
            Protocol::Tcp(_) => name = "tcp",
            _ => {}
        }
    }
    name
}

/// Whether a browser can dial this address (browsers have no raw TCP or UDP sockets).
pub fn browser_dialable(addr: &Multiaddr) -> bool {
    matches!(transport_name(addr), "webrtc-direct" | "webtransport" | "websocket")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> &'static str {
        transport_name(&s.parse().unwrap())
    }

    #[test]
    fn each_listener_kind_is_named() {
        assert_eq!(name("/ip4/127.0.0.1/udp/9090/webrtc-direct"), "webrtc-direct");
        assert_eq!(name("/ip4/127.0.0.1/udp/9093/quic-v1/webtransport"), "webtransport");
        assert_eq!(name("/ip4/127.0.0.1/tcp/9091/ws"), "websocket");
        assert_eq!(name("/ip4/127.0.0.1/tcp/9092"), "tcp");
        assert_eq!(name("/ip4/127.0.0.1/udp/9094/quic-v1"), "other");
    }

    #[test]
    fn browsers_cannot_dial_raw_tcp() {
        assert!(!browser_dialable(&"/ip4/127.0.0.1/tcp/9092".parse().unwrap()));
        assert!(browser_dialable(&"/ip4/127.0.0.1/tcp/9091/ws".parse().unwrap()));
    }
}
