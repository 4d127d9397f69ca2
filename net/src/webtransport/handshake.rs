//! Accepting one browser: the HTTP/3 session request on the libp2p path, then a Noise XX
//! handshake (we respond) on the first bidirectional stream the browser opens, whose payload
//! carries our certhashes so the browser can check it reached the certificate it was told of.

use std::{collections::HashSet, time::Duration};

use libp2p::{
    core::upgrade::InboundConnectionUpgrade, identity::Keypair, multihash::Multihash, noise, PeerId,
};
use wtransport::{endpoint::IncomingSession, VarInt};

use super::{
    connection::{Connection, SessionSlot},
    stream::Stream,
    Error,
};

/// The path browsers request (libp2p WebTransport spec).
pub const LIBP2P_PATH: &str = "/.well-known/libp2p-webtransport";

/// Whether a session request's `:path` (path and query) asks for libp2p over Noise.
pub fn is_libp2p_request(path: &str) -> bool {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    path == LIBP2P_PATH && query.split('&').any(|pair| pair == "type=noise")
}

/// Everything a handshake needs, cloned per incoming session.
#[derive(Clone)]
pub(crate) struct Handshake {
    pub keypair: Keypair,
    pub certhashes: HashSet<Multihash<64>>,
    pub timeout: Duration,
}

impl Handshake {
    /// Runs the whole acceptance within the timeout; the session slot is held meanwhile and
    /// moves into the connection.
    pub(crate) async fn accept(
        self,
        incoming: IncomingSession,
        slot: SessionSlot,
    ) -> Result<(PeerId, Connection), Error> {
        let timeout = self.timeout;
        match tokio::time::timeout(timeout, self.run(incoming, slot)).await {
            Ok(result) => result,
            // Dropping the session's last handle closes it.
            Err(_) => Err(Error::HandshakeTimeout(timeout)),
        }
    }

    async fn run(
        self,
        incoming: IncomingSession,
        slot: SessionSlot,
    ) -> Result<(PeerId, Connection), Error> {
        let request = incoming.await?;
        if !is_libp2p_request(request.path()) {
            let path = request.path().to_string();
            request.not_found().await;
            return Err(Error::WrongPath(path));
        }
        let session = request.accept().await?;
        match self.authenticate(&session).await {
            Ok(peer) => Ok((peer, Connection::new(session, slot))),
            Err(e) => {
                session.close(VarInt::from_u32(1), b"noise handshake failed");
                Err(e)
            }
        }
    }

    async fn authenticate(self, session: &wtransport::Connection) -> Result<PeerId, Error> {
        let stream = Stream::new(session.accept_bi().await?);
        let noise =
            noise::Config::new(&self.keypair)?.with_webtransport_certhashes(self.certhashes);
        // The handshake stream carries nothing after Noise; dropping it is all the spec asks.
        let (peer, _io) = noise.upgrade_inbound(stream, "/noise").await?;
        Ok(peer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_libp2p_noise_path_is_accepted() {
        assert!(is_libp2p_request("/.well-known/libp2p-webtransport?type=noise"));
        assert!(is_libp2p_request("/.well-known/libp2p-webtransport?x=1&type=noise"));
        assert!(!is_libp2p_request("/.well-known/libp2p-webtransport"));
        assert!(!is_libp2p_request("/.well-known/libp2p-webtransport?type=tls"));
        assert!(!is_libp2p_request("/.well-known/libp2p-webtransport/x?type=noise"));
        assert!(!is_libp2p_request("/"));
    }
}
