//! A native WebTransport listener for rust-libp2p, which has none, so browsers running
//! `libp2p-webtransport-websys` can reach a native node at
//! `/ip4/<ip>/udp/<port>/quic-v1/webtransport/certhash/<current>/certhash/<next>`.
//!
//! Built on wtransport (QUIC + HTTP/3), following the libp2p WebTransport spec:
//! - self-signed ECDSA P-256 certificates valid 13 days (browsers allow at most 14), rotated
//!   every 6 days with the next one announced in advance ([`certificate`], [`Certificates`]);
//! - sessions accepted only on `/.well-known/libp2p-webtransport?type=noise`;
//! - the browser opens the first bidirectional stream and runs Noise XX as initiator; our
//!   handshake payload lists our certhashes (the `webtransport_certhashes` extension), and the
//!   handshake yields the browser's [`PeerId`](libp2p::PeerId);
//! - after that the session is the muxer: one bidirectional stream per libp2p substream.
//!
//! Handshakes are bounded in time and sessions in number ([`Config`]); bad input ends the
//! session with an error, never a panic. Dialing is refused (`MultiaddrNotSupported`).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use libp2p::{core::muxing::StreamMuxerBox, Transport as _};
//! use peerkeeper_net::webtransport::{Certificates, Transport};
//!
//! let key = libp2p::identity::Keypair::generate_ed25519();
//! let certificates = Certificates::load_or_create(".peerkeeper", std::time::SystemTime::now())?;
//! let transport = Transport::new(key, certificates)
//!     .map(|(peer, conn), _| (peer, StreamMuxerBox::new(conn)));
//! // SwarmBuilder::...with_other_transport(|_| transport), then
//! // swarm.listen_on("/ip4/127.0.0.1/udp/9093/quic-v1/webtransport".parse()?)
//! # let _ = transport; Ok(()) }
//! ```

pub mod certificate;
mod certificates;
mod connection;
mod error;
mod handshake;
mod stream;
mod transport;

pub use certificate::{Certificate, CertificateError};
pub use certificates::Certificates;
pub use connection::Connection;
pub use error::Error;
pub use handshake::{is_libp2p_request, LIBP2P_PATH};
pub use stream::Stream;
pub use transport::{listen_socket, Config, Transport};
