//! The identify strings peerkeeper nodes announce.

/// Identify protocol version shared by every peerkeeper node; other libp2p nodes ignore it.
pub const PROTOCOL_VERSION: &str = "/peerkeeper/1.0.0";

/// Agent version for a node of the given kind, e.g. `peerkeeper-node/0.1.0` or
/// `peerkeeper-browser/0.1.0`; the page shows it so a user can tell our peers from others.
pub fn agent_version(kind: &str) -> String {
    format!("peerkeeper-{kind}/{}", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_version_names_kind_and_crate_version() {
        assert_eq!(agent_version("node"), format!("peerkeeper-node/{}", env!("CARGO_PKG_VERSION")));
    }
}
