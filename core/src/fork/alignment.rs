//! Fork alignment: whether a peer shares our fork, so blocks and transactions may flow (the
//! seed's `exch=YES` and `+align`).
//!
//! The seed's three ways in, and the one way out:
//! 1. Hello: the peer's first status names a head we know (`is_block_known`).
//! 2. Block acceptance: a block relayed by the peer applies to our chain.
//! 3. FORWARD transition: a re-check when the peer reports SYNC -> FWD. We also re-check every
//!    peer when *we* go FWD: the seed tells operators whose peers are all `exch=no` while
//!    syncing to "wait for FORWARD transition to trigger re-evaluation", and after our own sync
//!    their heads are finally known to us.
//! - Out: a reported fork mismatch.
//!
//! Readings:
//! - "Known" means present in the header tree, which only holds our chain and its live
//!   branches above LIB. A peer on a live competing branch is therefore aligned: it shares our
//!   final history and its blocks apply to our fork DB. That is what makes branch support
//!   ("aligned active peers whose head descends from it") able to count both sides.
//! - A fork mismatch is a status that contradicts our final history: the peer's LIB is not the
//!   block we hold at that height, its head sits at or below our LIB on another block, or its
//!   head is a block we saw die (its branch forked below our LIB). The host may also report one
//!   it detected itself (`fork_mismatch_reported`).
//! - Peers reporting MINO are not canonical sources: a block they relay does not align them.

use serde::{Deserialize, Serialize};

use super::header_tree::HeaderTree;
use super::status::ChainStatus;

/// Why a peer's alignment changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlignmentCause {
    /// Path 1: the first status named a head we know.
    Handshake,
    /// Path 2: a block from the peer applied to our chain.
    BlockApplied,
    /// Path 3: a re-check on a FORWARD transition (the peer's, or ours).
    ForwardTransition,
    /// The peer's status contradicts our final history, or the host reported a mismatch.
    ForkMismatch,
}

/// What a peer's status says about its fork relative to ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Its head is a block we know.
    Known,
    /// It contradicts our final history.
    Mismatch,
    /// Nothing decisive (typically its head is ahead of us).
    Unknown,
}

/// Classifies a peer's status against our header tree.
pub fn classify(tree: &HeaderTree, status: &ChainStatus) -> Verdict {
    if let Some(ours) = tree.canonical_at(status.lib.number) {
        if ours != status.lib.id {
            return Verdict::Mismatch;
        }
    }
    if tree.is_dead(&status.head.id) {
        return Verdict::Mismatch;
    }
    // A head behind our LIB is pruned from the tree but still remembered on our chain.
    if tree.contains(&status.head.id) || tree.is_canonical(&status.head) {
        return Verdict::Known;
    }
    // At or below our LIB our chain is final: another block there is a dead fork. A height we
    // no longer remember proves nothing.
    if status.head.number <= tree.lib().number {
        if let Some(ours) = tree.canonical_at(status.head.number) {
            if ours != status.head.id {
                return Verdict::Mismatch;
            }
        }
    }
    Verdict::Unknown
}
