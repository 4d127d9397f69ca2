//! `/peerkeeper/headers/1`: gap fill. A request asks for `count` headers from block number
//! `from`; the response carries the ones the server has, in ascending order.
//!
//! Bounds: at most [`MAX_HEADERS`] (100, seed 003's `GAP_FILL_MAX_BLOCKS`) per request and per
//! response. A request is 4 KiB at most (it is 2-12 bytes). A response is at most
//! [`MAX_HEADERS_RESPONSE_BYTES`] = 16 KiB: a header is a varint number (up to 10 bytes), two
//! 33-byte block ids and a producer name of at most [`MAX_PRODUCER_BYTES`] (64) bytes plus its
//! length byte, so 100 headers fit in 100 x 141 + 1 = 14 101 bytes.
//!
//! A server answers from its [`HeaderSource`]; a node that keeps no headers answers with an
//! empty list, which is a valid answer ("I have none of those").

use libp2p::StreamProtocol;
use peerkeeper_core::fork::Header;
use serde::{Deserialize, Serialize};

use crate::codec::{BoundedCodec, WireProtocol};

pub const PROTOCOL: StreamProtocol = StreamProtocol::new("/peerkeeper/headers/1");

/// Most headers one request may ask for and one response may carry.
pub const MAX_HEADERS: u16 = 100;

/// Largest request read or written, in bytes.
pub const MAX_HEADERS_REQUEST_BYTES: usize = 4096;

/// Largest response read or written, in bytes (see the module docs for the arithmetic).
pub const MAX_HEADERS_RESPONSE_BYTES: usize = 16 * 1024;

/// Longest producer name a served header may carry, in bytes.
pub const MAX_PRODUCER_BYTES: usize = 64;

/// Asks for headers `from..from + count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadersRequest {
    pub from: u64,
    pub count: u16,
}

/// The headers the server has of those asked for, ascending.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HeadersResponse {
    pub headers: Vec<Header>,
}

/// Why a headers message breaks the protocol (a `ProtocolViolation` strike).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadersViolation {
    #[error("asked for {count} headers; 1 to {MAX_HEADERS} allowed")]
    BadCount { count: u16 },
    #[error("{got} headers answer a request for {asked}")]
    TooMany { got: usize, asked: u16 },
    #[error("header #{number} is outside the requested {from}..{end} or out of order")]
    OutOfRange { number: u64, from: u64, end: u64 },
    #[error("header #{number} has a producer name of {len} bytes; at most {MAX_PRODUCER_BYTES}")]
    ProducerTooLong { number: u64, len: usize },
}

impl HeadersRequest {
    pub fn check(&self) -> Result<(), HeadersViolation> {
        if self.count == 0 || self.count > MAX_HEADERS {
            return Err(HeadersViolation::BadCount { count: self.count });
        }
        Ok(())
    }

    /// One past the last number asked for.
    pub fn end(&self) -> u64 {
        self.from.saturating_add(self.count.into())
    }
}

impl HeadersResponse {
    /// Checks the response against its request: no more than asked, each header inside the
    /// range and strictly ascending, producer names within bounds.
    pub fn check(&self, request: &HeadersRequest) -> Result<(), HeadersViolation> {
        if self.headers.len() > usize::from(request.count) {
            return Err(HeadersViolation::TooMany {
                got: self.headers.len(),
                asked: request.count,
            });
        }
        let mut next = request.from;
        for h in &self.headers {
            if h.number < next || h.number >= request.end() {
                return Err(HeadersViolation::OutOfRange {
                    number: h.number,
                    from: request.from,
                    end: request.end(),
                });
            }
            if h.producer.len() > MAX_PRODUCER_BYTES {
                return Err(HeadersViolation::ProducerTooLong {
                    number: h.number,
                    len: h.producer.len(),
                });
            }
            next = h.number + 1;
        }
        Ok(())
    }
}

/// Where a node's served headers come from (its block log, a toy chain, nothing).
pub trait HeaderSource: Send + 'static {
    /// Up to `count` headers from number `from` on, ascending; fewer (or none) when missing.
    fn headers(&self, from: u64, count: u16) -> Vec<Header>;
}

/// Serves nothing: the source of a node that keeps no headers (a light peer).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHeaders;

impl HeaderSource for NoHeaders {
    fn headers(&self, _: u64, _: u16) -> Vec<Header> {
        Vec::new()
    }
}

impl<F: Fn(u64, u16) -> Vec<Header> + Send + 'static> HeaderSource for F {
    fn headers(&self, from: u64, count: u16) -> Vec<Header> {
        self(from, count)
    }
}

/// Builds the answer to a valid request from `source`, dropping whatever the source got
/// wrong (out of range, out of order, over-long producer, beyond the count) so that our own
/// answer never breaks the protocol.
pub fn serve(source: &dyn HeaderSource, request: &HeadersRequest) -> HeadersResponse {
    let mut headers: Vec<Header> = Vec::new();
    for h in source.headers(request.from, request.count) {
        if headers.len() == usize::from(request.count) {
            break;
        }
        let next = headers.last().map_or(request.from, |last| last.number + 1);
        if h.number >= next && h.number < request.end() && h.producer.len() <= MAX_PRODUCER_BYTES {
            headers.push(h);
        }
    }
    HeadersResponse { headers }
}

pub enum Headers {}

impl WireProtocol for Headers {
    const NAME: StreamProtocol = PROTOCOL;
    const MAX_REQUEST: usize = MAX_HEADERS_REQUEST_BYTES;
    const MAX_RESPONSE: usize = MAX_HEADERS_RESPONSE_BYTES;
    type Request = HeadersRequest;
    type Response = HeadersResponse;
}

pub type HeadersCodec = BoundedCodec<Headers>;

#[cfg(test)]
mod tests {
    use peerkeeper_core::fork::BlockId;

    use super::*;
    use crate::codec::encode;

    fn header(number: u64, producer: &str) -> Header {
        Header {
            number,
            id: BlockId([0xff; 32]),
            parent: BlockId([0xee; 32]),
            producer: producer.into(),
        }
    }

    #[test]
    fn a_hundred_worst_case_headers_fit_the_response_bound() {
        let long = "p".repeat(MAX_PRODUCER_BYTES);
        let response =
            HeadersResponse { headers: (0..100).map(|i| header(u64::MAX - i, &long)).collect() };
        assert_eq!(encode(&response).unwrap().len(), 14_101);
        assert!(encode(&response).unwrap().len() <= MAX_HEADERS_RESPONSE_BYTES);
    }

    #[test]
    fn a_request_for_zero_or_more_than_a_hundred_headers_is_a_violation() {
        assert_eq!(
            HeadersRequest { from: 1, count: 101 }.check(),
            Err(HeadersViolation::BadCount { count: 101 })
        );
        assert!(HeadersRequest { from: 1, count: 0 }.check().is_err());
        assert_eq!(HeadersRequest { from: 1, count: 100 }.check(), Ok(()));
    }

    #[test]
    fn a_response_must_stay_inside_the_request_and_ascend() {
        let request = HeadersRequest { from: 10, count: 3 };
        let ok = HeadersResponse { headers: vec![header(10, "a"), header(12, "b")] };
        assert_eq!(ok.check(&request), Ok(()));
        let outside = HeadersResponse { headers: vec![header(13, "a")] };
        assert_eq!(
            outside.check(&request),
            Err(HeadersViolation::OutOfRange { number: 13, from: 10, end: 13 })
        );
        let backwards = HeadersResponse { headers: vec![header(11, "a"), header(11, "b")] };
        assert!(matches!(backwards.check(&request), Err(HeadersViolation::OutOfRange { .. })));
        let many = HeadersResponse { headers: (10..14).map(|n| header(n, "a")).collect() };
        assert_eq!(many.check(&request), Err(HeadersViolation::TooMany { got: 4, asked: 3 }));
    }

    #[test]
    fn serving_drops_what_the_source_got_wrong() {
        let source = |_: u64, _: u16| {
            let long = "p".repeat(MAX_PRODUCER_BYTES + 1);
            vec![header(4, "x"), header(5, "a"), header(6, &long), header(7, "b"), header(9, "c")]
        };
        let served = serve(&source, &HeadersRequest { from: 5, count: 4 });
        let numbers: Vec<u64> = served.headers.iter().map(|h| h.number).collect();
        assert_eq!(numbers, vec![5, 7]);
        assert_eq!(serve(&NoHeaders, &HeadersRequest { from: 5, count: 4 }).headers, vec![]);
    }
}
