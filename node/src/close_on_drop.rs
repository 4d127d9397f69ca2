//! A stream muxer that is closed when the swarm drops it without closing it.
//!
//! libp2p closes a connection's muxer (`poll_close`) only when the connection ends on our
//! side. When it ends in an error (the remote closed or vanished: for WebRTC-direct, an SCTP
//! error such as `ErrPayloadDataStateNotExist`), the swarm just drops the muxer. A dropped
//! `libp2p_webrtc` connection never closes its `RTCPeerConnection`, whose ICE agent, mDNS
//! socket (with a 64 KiB receive buffer), DTLS, SCTP and SRTP state live on in their own
//! tasks: about 300 KB and one UDP socket per connection, for the life of the process.
//! Wrapping the muxer closes it on drop instead, on the tokio runtime, within
//! [`CLOSE_TIMEOUT`].

use std::{
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use libp2p::core::muxing::{StreamMuxer, StreamMuxerEvent};

/// How long a close started on drop may take before it is abandoned.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

/// `M`, closed on drop unless it was closed already. Needs a tokio runtime at drop time
/// (without one nothing can be driven, and the muxer is dropped as before).
pub struct CloseOnDrop<M: StreamMuxer + Unpin + Send + 'static> {
    inner: Option<M>,
    closed: bool,
}

impl<M: StreamMuxer + Unpin + Send + 'static> CloseOnDrop<M> {
    pub fn new(inner: M) -> Self {
        CloseOnDrop { inner: Some(inner), closed: false }
    }

    fn inner(&mut self) -> Pin<&mut M> {
        Pin::new(self.inner.as_mut().expect("taken only on drop"))
    }
}

impl<M: StreamMuxer + Unpin + Send + 'static> StreamMuxer for CloseOnDrop<M> {
    type Substream = M::Substream;
    type Error = M::Error;

    fn poll_inbound(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Self::Substream, Self::Error>> {
        self.get_mut().inner().poll_inbound(cx)
    }

    fn poll_outbound(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Self::Substream, Self::Error>> {
        self.get_mut().inner().poll_outbound(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        let this = self.get_mut();
        let result = this.inner().poll_close(cx);
        if result.is_ready() {
            // Failed or not, a finished close is not retried on drop.
            this.closed = true;
        }
        result
    }

    fn poll(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<StreamMuxerEvent, Self::Error>> {
        self.get_mut().inner().poll(cx)
    }
}

impl<M: StreamMuxer + Unpin + Send + 'static> Drop for CloseOnDrop<M> {
    fn drop(&mut self) {
        let Some(mut inner) = self.inner.take() else { return };
        if self.closed {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        runtime.spawn(async move {
            let close = futures::future::poll_fn(|cx| Pin::new(&mut inner).poll_close(cx));
            // An error or a timeout leaves nothing more to do: the muxer is dropped either way.
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, close).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use super::*;

    /// A muxer that counts `poll_close` calls and closes at once.
    struct Counted(Arc<AtomicUsize>);

    impl StreamMuxer for Counted {
        type Substream = futures::io::Cursor<Vec<u8>>;
        type Error = std::io::Error;

        fn poll_inbound(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Result<Self::Substream, Self::Error>> {
            Poll::Pending
        }

        fn poll_outbound(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Result<Self::Substream, Self::Error>> {
            Poll::Pending
        }

        fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Poll::Ready(Ok(()))
        }

        fn poll(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Result<StreamMuxerEvent, Self::Error>> {
            Poll::Pending
        }
    }

    /// Lets tasks spawned on the current-thread runtime run to completion.
    async fn settle() {
        for _ in 0..8 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn a_muxer_dropped_without_a_close_is_closed_exactly_once() {
        let closes = Arc::new(AtomicUsize::new(0));
        drop(CloseOnDrop::new(Counted(closes.clone())));
        settle().await;
        assert_eq!(closes.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_muxer_the_swarm_closed_is_not_closed_again_on_drop() {
        let closes = Arc::new(AtomicUsize::new(0));
        let mut muxer = CloseOnDrop::new(Counted(closes.clone()));
        let closed = futures::future::poll_fn(|cx| Pin::new(&mut muxer).poll_close(cx)).await;
        assert!(closed.is_ok());
        drop(muxer);
        settle().await;
        assert_eq!(closes.load(Ordering::SeqCst), 1);
    }
}
