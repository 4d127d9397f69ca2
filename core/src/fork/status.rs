//! What a peer says about its chain (seed 003: hello and `dlt_fork_status_message`), and the
//! labels both sides use for node mode and fork status.
//!
//! These types travel over the wire later (the `net` status protocol), so they are plain data
//! with serde and no behaviour beyond label rendering.

use serde::{Deserialize, Serialize};

/// A block id (hash). Opaque to the engine: only equality and parent links matter.
/// Human-readable formats (JSON, JS values) carry it as 64 lowercase hex digits; binary formats
/// as its 32 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId(pub [u8; 32]);

impl Serialize for BlockId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        hex_bytes::serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for BlockId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        hex_bytes::deserialize(d).map(BlockId)
    }
}

impl std::fmt::Debug for BlockId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Eight hex digits identify a block in a test failure; 64 only bury the diff.
        write!(f, "BlockId(")?;
        for b in &self.0[..4] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "..)")
    }
}

impl std::fmt::Display for BlockId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Which network a peer belongs to; a different one means the peer is useless to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NetworkId(pub u64);

/// Identifies the consensus rules a peer follows; an incompatible one makes its chain unviable.
/// Carried as 8 hex digits in human-readable formats, as 4 bytes otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ForkDigest(pub [u8; 4]);

impl Serialize for ForkDigest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        hex_bytes::serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for ForkDigest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        hex_bytes::deserialize(d).map(ForkDigest)
    }
}

/// Fixed-size byte arrays as hex text for people and JS, as raw bytes for binary codecs.
mod hex_bytes {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer, const N: usize>(
        bytes: &[u8; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            let mut text = String::with_capacity(2 * N);
            for b in bytes {
                text.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
                text.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
            }
            s.serialize_str(&text)
        } else {
            s.serialize_bytes(bytes)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            let text = text.strip_prefix("0x").unwrap_or(&text);
            if text.len() != 2 * N || !text.is_ascii() {
                return Err(D::Error::custom(format!("expected {} hex digits", 2 * N)));
            }
            let mut out = [0u8; N];
            for (i, byte) in out.iter_mut().enumerate() {
                *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
                    .map_err(|_| D::Error::custom("not a hex digit"))?;
            }
            Ok(out)
        } else {
            let bytes = <Vec<u8>>::deserialize(d)?;
            bytes.try_into().map_err(|_| D::Error::custom(format!("expected {N} bytes")))
        }
    }
}

/// A block by number and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BlockRef {
    pub number: u64,
    pub id: BlockId,
}

/// Inclusive block-number range a node can serve from its rolling block log (`earliest-latest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BlockRange {
    pub earliest: u64,
    pub latest: u64,
}

impl BlockRange {
    pub fn contains(&self, number: u64) -> bool {
        self.earliest <= number && number <= self.latest
    }
}

/// Whether a node is catching up or relaying in real time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeMode {
    /// Catching up: pulling blocks from peers; does not broadcast transactions.
    Sync,
    /// Caught up: producing and relaying blocks and transactions in real time.
    Forward,
}

impl NodeMode {
    /// The label of the full stats header and the per-peer `peer_node=` field.
    pub fn short(self) -> &'static str {
        match self {
            NodeMode::Sync => "SYNC",
            NodeMode::Forward => "FWD",
        }
    }

    /// The label of the compact `DLT Status` line.
    pub fn long(self) -> &'static str {
        match self {
            NodeMode::Sync => "SYNC",
            NodeMode::Forward => "FORWARD",
        }
    }
}

/// Fork status, ours or as a peer reports its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForkStatus {
    /// On the majority fork, no conflict.
    Normal,
    /// Competing tips seen; comparing branches.
    Looking,
    /// Confirmed on a minority fork; waiting to switch.
    Minority,
}

/// The seed calls the peer-reported value `peer_fork`; it is the same three states.
pub type PeerForkStatus = ForkStatus;

impl ForkStatus {
    /// The label of the full stats header (`fork=NORMAL`).
    pub fn long(self) -> &'static str {
        match self {
            ForkStatus::Normal => "NORMAL",
            ForkStatus::Looking => "LOOKING",
            ForkStatus::Minority => "MINORITY",
        }
    }

    /// The label of the per-peer `peer_fork=` field.
    pub fn short(self) -> &'static str {
        match self {
            ForkStatus::Normal => "NORM",
            ForkStatus::Looking => "LOOK",
            ForkStatus::Minority => "MINO",
        }
    }
}

/// A peer's report of its chain, from a hello or a fork-status message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainStatus {
    pub network_id: NetworkId,
    pub fork_digest: ForkDigest,
    pub head: BlockRef,
    /// Last irreversible block: at or below it the peer's chain is final.
    pub lib: BlockRef,
    /// Blocks the peer can serve; `None` when it keeps no block log.
    pub range: Option<BlockRange>,
    pub node_mode: NodeMode,
    pub fork_status: PeerForkStatus,
    /// `+emrg`: the peer reports emergency consensus is active.
    pub emergency: bool,
    /// `+ekey`: the peer holds the emergency committee key.
    pub emergency_key: bool,
}
