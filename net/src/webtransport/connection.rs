//! An authenticated WebTransport session as a libp2p stream muxer: every substream is one
//! bidirectional WebTransport stream (no yamux on top, no unidirectional streams), as the
//! libp2p WebTransport spec has it.

use std::{
    pin::Pin,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    task::{Context, Poll},
};

use futures::{future::BoxFuture, FutureExt};
use libp2p::core::muxing::{StreamMuxer, StreamMuxerEvent};
use wtransport::{error::ConnectionError, RecvStream, SendStream, VarInt};

use super::{stream::Stream, Error};

type Opening<E> = BoxFuture<'static, Result<(SendStream, RecvStream), E>>;

/// One of the listener's bounded session slots, given back when dropped.
pub(crate) struct SessionSlot(Arc<AtomicUsize>);

impl SessionSlot {
    /// Takes a slot if fewer than `max` are taken.
    pub(crate) fn try_take(count: &Arc<AtomicUsize>, max: usize) -> Option<SessionSlot> {
        count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < max).then_some(n + 1))
            .ok()
            .map(|_| SessionSlot(count.clone()))
    }
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

pub struct Connection {
    session: wtransport::Connection,
    inbound: Option<Opening<ConnectionError>>,
    outbound: Option<Opening<Error>>,
    closed: BoxFuture<'static, ConnectionError>,
    _slot: SessionSlot,
}

impl Connection {
    pub(crate) fn new(session: wtransport::Connection, slot: SessionSlot) -> Connection {
        let watched = session.clone();
        Connection {
            closed: async move { watched.closed().await }.boxed(),
            session,
            inbound: None,
            outbound: None,
            _slot: slot,
        }
    }
}

impl StreamMuxer for Connection {
    type Substream = Stream;
    type Error = Error;

    fn poll_inbound(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Self::Substream, Self::Error>> {
        let session = self.session.clone();
        let accepting =
            self.inbound.get_or_insert_with(|| async move { session.accept_bi().await }.boxed());
        let result = futures::ready!(accepting.poll_unpin(cx));
        self.inbound = None;
        Poll::Ready(result.map(Stream::new).map_err(Error::from))
    }

    fn poll_outbound(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Self::Substream, Self::Error>> {
        let session = self.session.clone();
        let opening = self
            .outbound
            .get_or_insert_with(|| async move { Ok(session.open_bi().await?.await?) }.boxed());
        let result = futures::ready!(opening.poll_unpin(cx));
        self.outbound = None;
        Poll::Ready(result.map(Stream::new))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.session.close(VarInt::from_u32(0), b"");
        Poll::Ready(Ok(()))
    }

    /// Reports the session's end (the browser closed the tab, the idle timeout fired), so the
    /// swarm drops the connection even while no substream is being accepted.
    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<StreamMuxerEvent, Self::Error>> {
        self.closed.poll_unpin(cx).map(|e| Err(Error::Session(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_slots_are_bounded_and_given_back_on_drop() {
        let count = Arc::new(AtomicUsize::new(0));
        let first = SessionSlot::try_take(&count, 2).unwrap();
        let _second = SessionSlot::try_take(&count, 2).unwrap();
        assert!(SessionSlot::try_take(&count, 2).is_none());
        drop(first);
        assert_eq!(count.load(Ordering::Acquire), 1);
        assert!(SessionSlot::try_take(&count, 2).is_some());
    }
}
