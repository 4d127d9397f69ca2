//! Everything that can go wrong in the WebTransport transport, by stage.

use std::time::Duration;

use super::certificate::CertificateError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("binding the WebTransport listener: {0}")]
    Bind(#[source] std::io::Error),
    #[error("WebTransport certificates: {0}")]
    Certificate(#[from] CertificateError),
    #[error("WebTransport session: {0}")]
    Session(#[from] wtransport::error::ConnectionError),
    #[error("opening a WebTransport stream: {0}")]
    StreamOpening(#[from] wtransport::error::StreamOpeningError),
    #[error("session requested for {0:?}, not /.well-known/libp2p-webtransport?type=noise")]
    WrongPath(String),
    #[error("noise handshake: {0}")]
    Noise(#[from] libp2p::noise::Error),
    #[error("handshake not finished within {0:?}")]
    HandshakeTimeout(Duration),
}
