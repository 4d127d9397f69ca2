//! One libp2p substream: a WebTransport bidirectional stream, read and written through the
//! `futures` I/O traits libp2p expects (wtransport speaks tokio's).

use std::{
    io,
    pin::Pin,
    task::{Context, Poll},
};

use futures::{AsyncRead, AsyncWrite};
use tokio::io::{AsyncRead as _, AsyncWrite as _, ReadBuf};
use wtransport::{RecvStream, SendStream};

pub struct Stream {
    send: SendStream,
    recv: RecvStream,
}

impl Stream {
    pub(crate) fn new((send, recv): (SendStream, RecvStream)) -> Stream {
        Stream { send, recv }
    }
}

/// Also for the dialing side of a wtransport session (tests, native clients).
impl From<(SendStream, RecvStream)> for Stream {
    fn from(halves: (SendStream, RecvStream)) -> Stream {
        Stream::new(halves)
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut buf = ReadBuf::new(buf);
        match Pin::new(&mut self.recv).poll_read(cx, &mut buf) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(buf.filled().len())),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.send).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.send).poll_flush(cx)
    }

    /// Finishes our sending half; the peer reads to its end.
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.send).poll_shutdown(cx)
    }
}
