//! Our fork status: NORMAL -> LOOKING -> MINORITY -> (switch) -> NORMAL.
//!
//! - NORMAL -> LOOKING: the tree holds a branch beside our chain (two producers at one height,
//!   a partition, or any alternative-fork block).
//! - LOOKING -> MINORITY: a branch has diverged by [`FORK_RESOLUTION_BLOCK_THRESHOLD`] blocks and
//!   has more support than ours.
//! - LOOKING -> NORMAL: every competing branch is gone (LIB pruned it) or has diverged by the
//!   threshold with less support than ours. A tie keeps us LOOKING: the seed lists "fork persists
//!   > 42 blocks without clear majority" as LOOKING not resolving.
//! - MINORITY -> NORMAL: [`FORK_RESOLUTION_CONFIRMATION_BLOCKS`] consecutive new blocks extend
//!   the majority branch (a block on our side resets the count); we then tell the host to switch.
//!   Or our own branch became final (LIB), which kills the other one.
//! - MINORITY -> LOOKING (or NORMAL): the other branch no longer has more support than ours
//!   (its peers left or came over); "confirmed" no longer holds, so the branches are compared
//!   afresh and the confirmation count starts over.
//!
//! Readings:
//! - Divergence is the longer side's length since the fork point: the seed's threshold is "2
//!   full rounds", and the majority side is the one producing most of them.
//! - Support is the summed weight of aligned, active, non-MINO peers whose head descends from
//!   the side; a peer's weight is its stake when the host supplies one, otherwise 1. A peer whose
//!   head we do not know supports neither side.
//! - A branch decided in our favour, and both sides of a switch, are "settled": they no longer
//!   make us LOOKING until LIB prunes them.

use super::header_tree::{Branch, Header, HeaderTree};
use super::status::{BlockId, BlockRef, ForkStatus};

/// Blocks of divergence before a fork is resolved (2 x CHAIN_MAX_VALIDATORS = 2 x 21).
/// Example: fork point #100, competing tip #142 -> divergence 42 -> resolution runs.
pub const FORK_RESOLUTION_BLOCK_THRESHOLD: u64 = 42;

/// Consecutive majority-branch blocks that confirm a resolution before we switch.
/// Example: MINORITY at majority tip #142; blocks #143..=#148 arrive -> switch.
pub const FORK_RESOLUTION_CONFIRMATION_BLOCKS: u32 = 6;

/// A peer counted for branch support: its head and its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supporter {
    pub head: BlockId,
    pub weight: u64,
}

/// What an evaluation decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolverStep {
    Changed {
        from: ForkStatus,
        to: ForkStatus,
    },
    /// Confirmed on a minority fork: the host should switch to the majority tip.
    Switch {
        fork_point: BlockRef,
        to: BlockRef,
    },
}

#[derive(Debug, Clone, Copy)]
struct MinorityWait {
    branch: Branch,
    confirmations: u32,
    majority_tip: u64,
}

/// The fork-status state machine. Pure: the tree and supporters are passed in.
#[derive(Debug, Clone)]
pub struct ForkResolver {
    status: ForkStatus,
    /// Settled branch roots still in the tree (pruned with it, so a linear scan is enough).
    settled: Vec<BlockId>,
    minority: Option<MinorityWait>,
    threshold: u64,
    confirmations_needed: u32,
}

impl ForkResolver {
    pub fn new(threshold: u64, confirmations_needed: u32) -> Self {
        ForkResolver {
            status: ForkStatus::Normal,
            settled: Vec::new(),
            minority: None,
            threshold,
            confirmations_needed: confirmations_needed.max(1),
        }
    }

    pub fn status(&self) -> ForkStatus {
        self.status
    }

    /// The branch we are waiting to switch to, with confirmations so far.
    pub fn minority_wait(&self) -> Option<(Branch, u32)> {
        self.minority.map(|m| (m.branch, m.confirmations))
    }

    /// Re-evaluates after the tree or the peers changed.
    pub fn evaluate(&mut self, tree: &HeaderTree, supporters: &[Supporter]) -> Vec<ResolverStep> {
        let mut steps = Vec::new();
        self.settled.retain(|id| tree.contains(id));
        if let Some(wait) = self.minority {
            if !tree.contains(&wait.branch.root) {
                self.minority = None;
                self.set(ForkStatus::Normal, &mut steps);
                return steps;
            }
            let (ours, theirs) = supports(tree, supporters, &wait.branch);
            if theirs > ours {
                return steps;
            }
            // The majority we were waiting to join is gone: compare the branches afresh.
            self.minority = None;
        }
        let open: Vec<Branch> = tree
            .competing_branches()
            .into_iter()
            .filter(|b| !self.settled.contains(&b.root))
            .collect();
        if open.is_empty() {
            self.set(ForkStatus::Normal, &mut steps);
            return steps;
        }
        self.set(ForkStatus::Looking, &mut steps);
        let head = tree.head().number;
        let mut strongest: Option<(Branch, u64)> = None;
        let mut still_open = 0;
        for branch in open {
            let divergence = branch.tip.number.max(head) - branch.fork_point.number;
            if divergence < self.threshold {
                still_open += 1;
                continue;
            }
            let (ours, theirs) = supports(tree, supporters, &branch);
            if theirs > ours {
                if strongest.is_none_or(|(_, s)| theirs > s) {
                    strongest = Some((branch, theirs));
                }
            } else if ours > theirs {
                self.settle(branch.root);
            } else {
                still_open += 1;
            }
        }
        if let Some((branch, _)) = strongest {
            self.minority =
                Some(MinorityWait { branch, confirmations: 0, majority_tip: branch.tip.number });
            self.set(ForkStatus::Minority, &mut steps);
        } else if still_open == 0 {
            self.set(ForkStatus::Normal, &mut steps);
        }
        steps
    }

    fn settle(&mut self, root: BlockId) {
        if !self.settled.contains(&root) {
            self.settled.push(root);
        }
    }

    /// Counts a newly known header toward (or against) the switch we are waiting for.
    pub fn header_added(&mut self, tree: &HeaderTree, header: &Header) -> Vec<ResolverStep> {
        let mut steps = Vec::new();
        let Some(mut wait) = self.minority else { return steps };
        let root = BlockRef { number: wait.branch.fork_point.number + 1, id: wait.branch.root };
        if tree.descends_from(&header.id, &root) {
            if header.number > wait.majority_tip {
                wait.confirmations += 1;
                wait.majority_tip = header.number;
            }
        } else if let Some(ours) = tree.canonical_at(root.number) {
            if tree.descends_from(&header.id, &BlockRef { number: root.number, id: ours }) {
                // A block on our side: the majority's run is no longer consecutive.
                wait.confirmations = 0;
            }
        }
        self.minority = Some(wait);
        if wait.confirmations >= self.confirmations_needed {
            self.minority = None;
            self.settle(wait.branch.root);
            if let Some(ours) = tree.canonical_at(wait.branch.fork_point.number + 1) {
                self.settle(ours);
            }
            self.set(ForkStatus::Normal, &mut steps);
            steps.push(ResolverStep::Switch {
                fork_point: wait.branch.fork_point,
                to: tree.subtree_tip(&wait.branch.root),
            });
        }
        steps
    }

    fn set(&mut self, to: ForkStatus, steps: &mut Vec<ResolverStep>) {
        if self.status != to {
            steps.push(ResolverStep::Changed { from: self.status, to });
            self.status = to;
        }
    }
}

/// Support for our side and for `branch`, each counted from the block after the fork point.
fn supports(tree: &HeaderTree, supporters: &[Supporter], branch: &Branch) -> (u64, u64) {
    let fork_number = branch.fork_point.number;
    let theirs = support_of(tree, supporters, branch.root, fork_number);
    let ours = tree
        .canonical_at(fork_number + 1)
        .map(|root| support_of(tree, supporters, root, fork_number))
        .unwrap_or(0);
    (ours, theirs)
}

/// Summed weight of supporters whose head descends from `root` (the block after `fork_number`).
fn support_of(tree: &HeaderTree, supporters: &[Supporter], root: BlockId, fork_number: u64) -> u64 {
    let root = BlockRef { number: fork_number + 1, id: root };
    supporters.iter().filter(|s| tree.descends_from(&s.head, &root)).map(|s| s.weight).sum()
}
