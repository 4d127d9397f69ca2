//! The slow demo peer's ping responder: the standard `/ipfs/ping/1.0.0` echo, answered late.
//!
//! `libp2p::ping` always answers at once, so the slow peer runs this over `libp2p-stream`
//! instead of `ping::Behaviour`; a pinging peer measures an RTT of at least
//! [`SLOW_PING_DELAY`]. It never pings others itself.

use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use libp2p::{PeerId, Stream, StreamProtocol};
use libp2p_stream::IncomingStreams;

pub const PING_PROTOCOL: StreamProtocol = StreamProtocol::new("/ipfs/ping/1.0.0");

/// 2 s: far above any loopback RTT, well below the 20 s ping timeout of libp2p's pinger, so the
/// peer looks slow rather than dead.
pub const SLOW_PING_DELAY: Duration = Duration::from_secs(2);

/// Ping payloads are 32 bytes (the ping spec).
const PAYLOAD_LEN: usize = 32;

/// Answers every inbound ping stream until the swarm goes away.
pub async fn serve(mut incoming: IncomingStreams, delay: Duration) {
    while let Some((peer, stream)) = incoming.next().await {
        tokio::spawn(answer(peer, stream, delay));
    }
}

/// A pinger reuses one stream for all its pings: echo each payload after `delay`, until the
/// pinger closes the stream or sends garbage (a short read ends the stream, as libp2p's does).
async fn answer(peer: PeerId, mut stream: Stream, delay: Duration) {
    let mut payload = [0u8; PAYLOAD_LEN];
    loop {
        if stream.read_exact(&mut payload).await.is_err() {
            return;
        }
        tokio::time::sleep(delay).await;
        if let Err(e) = async {
            stream.write_all(&payload).await?;
            stream.flush().await
        }
        .await
        {
            tracing::debug!(%peer, %e, "slow ping answer failed");
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use libp2p::{ping, swarm::SwarmEvent};

    use super::*;
    use crate::{keys::NodeKeys, swarm};

    #[tokio::test]
    async fn a_standard_pinger_gets_every_answer_and_none_before_the_delay() {
        let delay = Duration::from_millis(300);
        let mut responder =
            swarm::build(NodeKeys::ephemeral().unwrap(), |_| libp2p_stream::Behaviour::new())
                .await
                .unwrap();
        let incoming = responder.behaviour().new_control().accept(PING_PROTOCOL).unwrap();
        tokio::spawn(serve(incoming, delay));
        responder.listen_on("/ip4/127.0.0.1/tcp/0".parse().unwrap()).unwrap();
        let addr = loop {
            if let SwarmEvent::NewListenAddr { address, .. } = responder.select_next_some().await {
                break address;
            }
        };
        tokio::spawn(async move {
            loop {
                responder.select_next_some().await;
            }
        });

        let config = ping::Config::new().with_interval(Duration::from_millis(50));
        let mut pinger =
            swarm::build(NodeKeys::ephemeral().unwrap(), |_| ping::Behaviour::new(config))
                .await
                .unwrap();
        pinger.dial(addr).unwrap();
        let rtts = tokio::time::timeout(Duration::from_secs(20), async {
            let mut rtts = Vec::new();
            while rtts.len() < 3 {
                if let SwarmEvent::Behaviour(ping::Event { result, .. }) =
                    pinger.select_next_some().await
                {
                    rtts.push(result.expect("the slow responder answers every ping"));
                }
            }
            rtts
        })
        .await
        .expect("three pings answered within 20 s");
        assert!(rtts.iter().all(|rtt| *rtt >= delay), "{rtts:?}");
    }
}
