//! Bounded framing shared by the peerkeeper protocols.
//!
//! Wire format of every message, request or response: an unsigned-varint (LEB128, at most 5
//! bytes) byte length, then that many bytes of [postcard](https://docs.rs/postcard) encoding of
//! the message. Postcard is compact and not self-describing, so a message's shape is fixed by
//! its protocol id: a change of shape is a new protocol version (`/peerkeeper/status/3`), and
//! both versions can be offered side by side through multistream-select.
//!
//! Each protocol states a hard bound per direction ([`WireProtocol::MAX_REQUEST`],
//! [`WireProtocol::MAX_RESPONSE`]). A length prefix above the bound is refused before a byte
//! of the body is read, so a 5 MB message costs the reader a few bytes, never 5 MB of memory.
//! The body is read through `take(len)`, so nothing past the frame is consumed, and bytes left
//! over after decoding make the message malformed.
//!
//! Errors travel inside `io::Error` (that is what `request_response` carries) as a
//! [`FrameError`]; [`FrameError::from_io`] gets it back so the behaviour can strike the peer.

use std::io;
use std::marker::PhantomData;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::request_response;
use libp2p::StreamProtocol;
use peerkeeper_core::strikes::StrikeKind;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why a frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The length prefix announced more than the protocol allows.
    #[error("message of {len} bytes exceeds the {max}-byte bound")]
    TooLarge { len: u64, max: usize },
    /// The length prefix itself was not a valid varint (too long or overflowing).
    #[error("invalid length prefix")]
    BadPrefix,
    /// The stream ended inside the frame.
    #[error("stream ended {missing} bytes short of the announced length")]
    Truncated { missing: usize },
    /// The body did not decode as the protocol's message, or left bytes over.
    #[error("malformed message: {0}")]
    Malformed(String),
    /// A message we were about to send does not fit its own bound (a local bug, never sent).
    #[error("refusing to send {len} bytes over a {max}-byte bound")]
    OutgoingTooLarge { len: usize, max: usize },
    /// A message we were about to send could not be encoded (a local bug, never sent).
    #[error("cannot encode message: {0}")]
    Encode(String),
}

impl FrameError {
    /// The spam strike this error earns the remote peer; `None` for our own outgoing errors.
    /// Oversized input breaks the protocol's stated bound (a violation); anything that does
    /// not decode is a deserialization failure (seed 003's two strike triggers).
    pub fn strike(&self) -> Option<StrikeKind> {
        match self {
            FrameError::TooLarge { .. } => Some(StrikeKind::ProtocolViolation),
            FrameError::BadPrefix | FrameError::Truncated { .. } | FrameError::Malformed(_) => {
                Some(StrikeKind::Deserialization)
            }
            FrameError::OutgoingTooLarge { .. } | FrameError::Encode(_) => None,
        }
    }

    /// The frame error inside an `io::Error`, if it carries one.
    pub fn from_io(error: &io::Error) -> Option<&FrameError> {
        error.get_ref().and_then(|e| e.downcast_ref::<FrameError>())
    }

    fn into_io(self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, self)
    }
}

/// Reads one length-prefixed frame of at most `max` bytes. The outer error is the stream's
/// own (reset, closed connection); the inner one is what the peer sent wrong.
pub async fn read_checked<R: AsyncRead + Unpin + Send>(
    io: &mut R,
    max: usize,
) -> io::Result<Result<Vec<u8>, FrameError>> {
    let len = match unsigned_varint::aio::read_u64(&mut *io).await {
        Ok(len) => len,
        Err(unsigned_varint::io::ReadError::Io(e)) => {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                return Ok(Err(FrameError::Truncated { missing: 1 }));
            }
            return Err(e);
        }
        Err(_) => return Ok(Err(FrameError::BadPrefix)),
    };
    if len > max as u64 {
        return Ok(Err(FrameError::TooLarge { len, max }));
    }
    let len = len as usize;
    let mut body = Vec::with_capacity(len);
    io.take(len as u64).read_to_end(&mut body).await?;
    if body.len() < len {
        return Ok(Err(FrameError::Truncated { missing: len - body.len() }));
    }
    Ok(Ok(body))
}

/// [`read_checked`] with the peer's mistakes folded into the `io::Error` (as a [`FrameError`]).
pub async fn read_frame<R: AsyncRead + Unpin + Send>(
    io: &mut R,
    max: usize,
) -> io::Result<Vec<u8>> {
    read_checked(io, max).await?.map_err(FrameError::into_io)
}

/// Writes one length-prefixed frame; refuses a body over `max` without writing anything.
pub async fn write_frame<W: AsyncWrite + Unpin + Send>(
    io: &mut W,
    body: &[u8],
    max: usize,
) -> io::Result<()> {
    if body.len() > max {
        return Err(FrameError::OutgoingTooLarge { len: body.len(), max }.into_io());
    }
    let mut prefix = unsigned_varint::encode::u64_buffer();
    io.write_all(unsigned_varint::encode::u64(body.len() as u64, &mut prefix)).await?;
    io.write_all(body).await?;
    io.flush().await
}

/// Encodes a message as a frame body.
pub fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, FrameError> {
    // Fails only for shapes postcard cannot represent; the protocol messages have none.
    postcard::to_allocvec(message).map_err(|e| FrameError::Encode(e.to_string()))
}

/// Decodes a whole frame body; trailing bytes make it malformed.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, FrameError> {
    match postcard::take_from_bytes(body) {
        Ok((message, [])) => Ok(message),
        Ok((_, rest)) => Err(FrameError::Malformed(format!("{} trailing bytes", rest.len()))),
        Err(e) => Err(FrameError::Malformed(e.to_string())),
    }
}

/// A request-response protocol's id, message types and bounds.
pub trait WireProtocol: Send + Sync + 'static {
    const NAME: StreamProtocol;
    const MAX_REQUEST: usize;
    const MAX_RESPONSE: usize;
    type Request: Serialize + DeserializeOwned + Send;
    type Response: Serialize + DeserializeOwned + Send;
}

/// The `request_response` codec for any [`WireProtocol`]: bounded frames of postcard.
pub struct BoundedCodec<P>(PhantomData<fn() -> P>);

impl<P> Default for BoundedCodec<P> {
    fn default() -> Self {
        BoundedCodec(PhantomData)
    }
}

impl<P> Clone for BoundedCodec<P> {
    fn clone(&self) -> Self {
        BoundedCodec(PhantomData)
    }
}

/// An inbound request as read: the message, or what was wrong with it.
///
/// `request_response` (0.30) drops a stream whose request fails to read without telling the
/// behaviour who sent it, so a broken request is delivered as a value, with the peer, to be
/// struck. Responses need no such wrapper: their read errors are reported per request.
pub type Inbound<T> = Result<T, FrameError>;

async fn read_message<T: DeserializeOwned, R: AsyncRead + Unpin + Send>(
    io: &mut R,
    max: usize,
) -> io::Result<Inbound<T>> {
    Ok(read_checked(io, max).await?.and_then(|body| decode(&body)))
}

impl<P: WireProtocol> request_response::Codec for BoundedCodec<P> {
    type Protocol = StreamProtocol;
    type Request = Inbound<P::Request>;
    type Response = P::Response;

    async fn read_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<Inbound<P::Request>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_message(io, P::MAX_REQUEST).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<P::Response>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_message(io, P::MAX_RESPONSE).await?.map_err(FrameError::into_io)
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: Inbound<P::Request>,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        // Only `Ok` requests are sent; an `Err` is an inbound diagnosis, never outgoing.
        let request = request.map_err(FrameError::into_io)?;
        let body = encode(&request).map_err(FrameError::into_io)?;
        write_frame(io, &body, P::MAX_REQUEST).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        response: P::Response,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let body = encode(&response).map_err(FrameError::into_io)?;
        write_frame(io, &body, P::MAX_RESPONSE).await
    }
}

/// A `request_response` behaviour speaking protocol `P` both ways.
pub fn behaviour<P: WireProtocol>(
    config: request_response::Config,
) -> request_response::Behaviour<BoundedCodec<P>> {
    request_response::Behaviour::new([(P::NAME, request_response::ProtocolSupport::Full)], config)
}

#[cfg(test)]
mod tests {
    use futures::executor::block_on;
    use futures::io::Cursor;

    use super::*;

    fn framed(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        block_on(write_frame(&mut out, body, usize::MAX)).unwrap();
        out
    }

    fn frame_error(result: io::Result<Vec<u8>>) -> FrameError {
        FrameError::from_io(&result.unwrap_err()).cloned().expect("a frame error")
    }

    #[test]
    fn a_frame_round_trips_and_the_reader_stops_at_its_end() {
        let mut bytes = framed(b"hello");
        bytes.extend_from_slice(b"next");
        assert_eq!(bytes[0], 5, "a one-byte varint length");
        let mut io = Cursor::new(bytes);
        assert_eq!(block_on(read_frame(&mut io, 5)).unwrap(), b"hello");
        assert_eq!(io.position(), 6, "nothing past the frame was consumed");
    }

    #[test]
    fn an_announced_length_over_the_bound_is_refused_after_reading_only_the_prefix() {
        let mut io = Cursor::new(framed(&vec![7u8; 5 * 1024 * 1024]));
        let err = frame_error(block_on(read_frame(&mut io, 4096)));
        assert_eq!(err, FrameError::TooLarge { len: 5 * 1024 * 1024, max: 4096 });
        assert_eq!(io.position(), 4, "only the 4-byte prefix of 5 MiB was read");
        assert_eq!(err.strike(), Some(StrikeKind::ProtocolViolation));
    }

    #[test]
    fn a_stream_ending_inside_the_frame_or_its_prefix_is_truncated() {
        let err = frame_error(block_on(read_frame(&mut Cursor::new(vec![10, 1, 2, 3]), 64)));
        assert_eq!(err, FrameError::Truncated { missing: 7 });
        let err = frame_error(block_on(read_frame(&mut Cursor::new(vec![0x80]), 64)));
        assert_eq!(err, FrameError::Truncated { missing: 1 });
        assert_eq!(err.strike(), Some(StrikeKind::Deserialization));
    }

    #[test]
    fn an_overlong_varint_prefix_is_refused() {
        let err = frame_error(block_on(read_frame(&mut Cursor::new(vec![0xff; 12]), 64)));
        assert_eq!(err, FrameError::BadPrefix);
    }

    #[test]
    fn trailing_bytes_or_garbage_do_not_decode() {
        let body = encode(&(7u64, true)).unwrap();
        assert_eq!(decode::<(u64, bool)>(&body), Ok((7, true)));
        let mut longer = body.clone();
        longer.push(0);
        assert_eq!(
            decode::<(u64, bool)>(&longer),
            Err(FrameError::Malformed("1 trailing bytes".into()))
        );
        assert!(matches!(decode::<(u64, bool)>(&[7, 9]), Err(FrameError::Malformed(_))));
    }

    #[test]
    fn an_outgoing_body_over_the_bound_is_not_written() {
        let mut out = Vec::new();
        let err = block_on(write_frame(&mut out, &[0; 10], 9)).unwrap_err();
        assert_eq!(
            FrameError::from_io(&err),
            Some(&FrameError::OutgoingTooLarge { len: 10, max: 9 })
        );
        assert!(out.is_empty());
        assert_eq!(FrameError::OutgoingTooLarge { len: 10, max: 9 }.strike(), None);
    }
}
