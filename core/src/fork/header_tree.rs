//! A bounded tree of block headers above our last irreversible block (LIB).
//!
//! The host feeds it (`block_applied`, `headers_received`); it answers "is this block known",
//! "is it on our chain", "which branches compete with ours" and "which blocks are dead".
//!
//! Readings of the seed:
//! - "Our chain" is the parent chain from our head. It is kept as a number -> id map so that a
//!   peer's LIB far below the tree can still be checked against it (bounded like the tree).
//! - A branch whose fork point falls below our LIB is dead: LIB is final, so it can never win.
//!   Its ids are remembered (bounded) with the instant they died, so a later block building on a
//!   dead block is recognised even though its parent was pruned.
//! - Headers whose parent is unknown and above LIB are kept: they are usually a gap ahead of us
//!   (what gap fill is for), not a fork.
//! - When full, the lowest heights go first: they are closest to LIB and least useful.

use std::collections::{HashMap, VecDeque};

use crate::sorted_map::SortedMap;

use serde::{Deserialize, Serialize};

use super::status::{BlockId, BlockRef};
use crate::types::Millis;

/// A block header as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Header {
    pub number: u64,
    pub id: BlockId,
    pub parent: BlockId,
    /// The producer (validator) account; kept for hosts and the teaching view.
    pub producer: String,
}

impl Header {
    pub fn block_ref(&self) -> BlockRef {
        BlockRef { number: self.number, id: self.id }
    }
}

/// What happened to a header offered to the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    New,
    Duplicate,
    /// At or below LIB, at a height we no longer remember: ignored, never a strike.
    Stale,
    /// On a branch that forked below our LIB; `died_at` is when that branch became dead.
    Dead {
        died_at: Millis,
    },
}

/// A branch competing with our chain: rooted at a non-canonical block whose parent is on our
/// chain (the fork point).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Branch {
    pub root: BlockId,
    pub fork_point: BlockRef,
    /// The highest block of the branch.
    pub tip: BlockRef,
}

#[derive(Debug, Clone)]
struct Node {
    header: Header,
    children: Vec<BlockId>,
}

/// The header tree. Lookups go through a `HashMap`; everything that produces ordered output
/// walks `by_number`, so results never depend on hash order.
#[derive(Debug, Clone)]
pub struct HeaderTree {
    nodes: HashMap<BlockId, Node>,
    by_number: SortedMap<u64, Vec<BlockId>>,
    canonical: SortedMap<u64, BlockId>,
    head: BlockRef,
    lib: BlockRef,
    capacity: usize,
    dead: HashMap<BlockId, Millis>,
    dead_order: VecDeque<BlockId>,
    /// When our LIB first reached each value, to date the death of a branch we never saw.
    lib_history: VecDeque<(u64, Millis)>,
}

impl HeaderTree {
    /// A tree holding our current head, with `lib` as our last irreversible block.
    /// `capacity` bounds headers, canonical entries, dead ids and LIB history alike.
    pub fn new(head: Header, lib: BlockRef, capacity: usize, now: Millis) -> Self {
        let mut tree = HeaderTree {
            nodes: HashMap::new(),
            by_number: SortedMap::new(),
            canonical: SortedMap::new(),
            head: head.block_ref(),
            lib,
            capacity: capacity.max(2),
            dead: HashMap::new(),
            dead_order: VecDeque::new(),
            lib_history: VecDeque::new(),
        };
        tree.canonical.insert(lib.number, lib.id);
        tree.lib_history.push_back((lib.number, now));
        tree.insert_node(head.clone());
        tree.set_head(head.block_ref());
        tree
    }

    pub fn head(&self) -> BlockRef {
        self.head
    }

    pub fn lib(&self) -> BlockRef {
        self.lib
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn get(&self, id: &BlockId) -> Option<&Header> {
        self.nodes.get(id).map(|n| &n.header)
    }

    pub fn contains(&self, id: &BlockId) -> bool {
        self.nodes.contains_key(id)
    }

    /// Whether `id` is remembered as a block of a dead branch.
    pub fn is_dead(&self, id: &BlockId) -> bool {
        self.dead.contains_key(id)
    }

    /// The id on our chain at `number`, if remembered.
    pub fn canonical_at(&self, number: u64) -> Option<BlockId> {
        self.canonical.get(number).copied()
    }

    pub fn is_canonical(&self, block: &BlockRef) -> bool {
        self.canonical_at(block.number) == Some(block.id)
    }

    /// Offers a header. Headers at or below LIB that are not on our chain, or that build on a
    /// dead block, are refused as dead and remembered so their descendants are refused too.
    pub fn insert(&mut self, header: Header, now: Millis) -> Inserted {
        let inserted = self.insert_unbounded(header, now);
        self.enforce_capacity();
        inserted
    }

    /// Offers a header our node applied and makes it our head. The bound is enforced only once
    /// it is the head, so a full tree cannot evict the block it is about to hang off.
    pub fn apply(&mut self, header: Header, now: Millis) -> Inserted {
        let head = header.block_ref();
        let inserted = self.insert_unbounded(header, now);
        if let Inserted::New | Inserted::Duplicate = inserted {
            self.set_head(head);
        }
        self.enforce_capacity();
        inserted
    }

    fn insert_unbounded(&mut self, header: Header, now: Millis) -> Inserted {
        if self.nodes.contains_key(&header.id) {
            return Inserted::Duplicate;
        }
        if let Some(&died_at) = self.dead.get(&header.id) {
            return Inserted::Dead { died_at };
        }
        if let Some(&died_at) = self.dead.get(&header.parent) {
            self.remember_dead(header.id, died_at);
            return Inserted::Dead { died_at };
        }
        if header.number <= self.lib.number {
            return match self.canonical_at(header.number) {
                Some(ours) if ours == header.id => Inserted::Duplicate,
                Some(_) => {
                    let died_at = self.lib_reached_at(header.number).unwrap_or(now);
                    self.remember_dead(header.id, died_at);
                    Inserted::Dead { died_at }
                }
                // Older than anything we remember: final, but we cannot tell whose.
                None => Inserted::Stale,
            };
        }
        if header.number == self.lib.number + 1 && header.parent != self.lib.id {
            let died_at = self.lib_reached_at(self.lib.number).unwrap_or(now);
            self.remember_dead(header.id, died_at);
            return Inserted::Dead { died_at };
        }
        self.insert_node(header);
        Inserted::New
    }

    /// Makes `head` (already inserted) our head and recomputes our chain back to where it
    /// meets the old one.
    pub fn set_head(&mut self, head: BlockRef) {
        self.head = head;
        self.canonical.drop_from(head.number + 1);
        let mut cursor = Some(head.id);
        while let Some(id) = cursor {
            let Some(node) = self.nodes.get(&id) else { break };
            let number = node.header.number;
            if self.canonical.get(number) == Some(&id) {
                break;
            }
            self.canonical.insert(number, id);
            cursor = Some(node.header.parent);
        }
        self.canonical.keep_highest(self.capacity);
    }

    /// Advances LIB and prunes everything that can no longer matter: blocks below it, and
    /// branches that do not descend from it (they die now).
    pub fn set_lib(&mut self, lib: BlockRef, now: Millis) {
        if lib.number < self.lib.number {
            return;
        }
        self.lib = lib;
        self.canonical.insert(lib.number, lib.id);
        if self.lib_history.back().map(|&(n, _)| n) != Some(lib.number) {
            self.lib_history.push_back((lib.number, now));
            while self.lib_history.len() > self.capacity {
                self.lib_history.pop_front();
            }
        }
        for (number, ids) in self.by_number.take_below(lib.number) {
            for id in ids {
                let canonical = self.canonical_at(number) == Some(id);
                self.nodes.remove(&id);
                if !canonical {
                    self.remember_dead(id, now);
                }
            }
        }
        // Ascending order means a parent's verdict is known before its children's.
        let mut doomed: Vec<BlockId> = Vec::new();
        let mut doomed_set: std::collections::HashSet<BlockId> = Default::default();
        for &(number, ref ids) in self.by_number.from(lib.number) {
            for id in ids {
                let header = &self.nodes[id].header;
                let dies = if number == lib.number {
                    *id != lib.id
                } else if number == lib.number + 1 {
                    header.parent != lib.id
                } else {
                    doomed_set.contains(&header.parent)
                };
                if dies {
                    doomed.push(*id);
                    doomed_set.insert(*id);
                }
            }
        }
        for id in doomed {
            self.remove_node(&id);
            self.remember_dead(id, now);
        }
    }

    /// Whether `id` is `ancestor` or descends from it, walking known parents.
    pub fn descends_from(&self, id: &BlockId, ancestor: &BlockRef) -> bool {
        self.ancestor_at(id, ancestor.number) == Some(ancestor.id)
    }

    /// The ancestor of `id` at height `number` (or `id` itself), if the links are known.
    pub fn ancestor_at(&self, id: &BlockId, number: u64) -> Option<BlockId> {
        let mut header = self.get(id)?;
        if number > header.number {
            return None;
        }
        while header.number > number {
            if header.number == number + 1 {
                return Some(header.parent);
            }
            header = self.get(&header.parent)?;
        }
        Some(header.id)
    }

    /// Branches competing with our chain, in height-then-arrival order: rooted beside a block of
    /// our chain, at or below our head. Orphans (unknown parent) are a gap, not a fork.
    pub fn competing_branches(&self) -> Vec<Branch> {
        let mut branches = Vec::new();
        for &(number, ref ids) in self.by_number.iter() {
            for id in ids {
                if self.canonical_at(number) == Some(*id) {
                    continue;
                }
                // Above our head there is nothing to compete with: a block there extends us.
                if number > self.head.number || self.canonical_at(number).is_none() {
                    continue;
                }
                let parent = self.nodes[id].header.parent;
                if number == 0 || self.canonical_at(number - 1) != Some(parent) {
                    continue;
                }
                let fork_point = BlockRef { number: number - 1, id: parent };
                branches.push(Branch { root: *id, fork_point, tip: self.subtree_tip(id) });
            }
        }
        branches
    }

    /// The highest header above `number + 1` whose parent we lack: proof of a gap behind it.
    pub fn highest_orphan_above(&self, number: u64) -> Option<u64> {
        self.by_number
            .from(number + 2)
            .rev()
            .find(|(_, ids)| ids.iter().any(|id| !self.contains(&self.nodes[id].header.parent)))
            .map(|&(n, _)| n)
    }

    /// The highest block in the subtree rooted at `root`; ties go to the first arrival.
    pub fn subtree_tip(&self, root: &BlockId) -> BlockRef {
        let mut best = self.nodes[root].header.block_ref();
        let mut stack = vec![*root];
        while let Some(id) = stack.pop() {
            let node = &self.nodes[&id];
            if node.header.number > best.number {
                best = node.header.block_ref();
            }
            stack.extend(node.children.iter().rev().copied());
        }
        best
    }

    fn insert_node(&mut self, header: Header) {
        if let Some(parent) = self.nodes.get_mut(&header.parent) {
            parent.children.push(header.id);
        }
        let children: Vec<BlockId> = self
            .by_number
            .get(header.number + 1)
            .map(|ids| {
                ids.iter().copied().filter(|c| self.nodes[c].header.parent == header.id).collect()
            })
            .unwrap_or_default();
        self.by_number.or_default(header.number).push(header.id);
        self.nodes.insert(header.id, Node { header, children });
    }

    fn remove_node(&mut self, id: &BlockId) {
        let Some(node) = self.nodes.remove(id) else { return };
        if let Some(ids) = self.by_number.get_mut(node.header.number) {
            ids.retain(|x| x != id);
            if ids.is_empty() {
                self.by_number.remove(node.header.number);
            }
        }
        if let Some(parent) = self.nodes.get_mut(&node.header.parent) {
            parent.children.retain(|x| x != id);
        }
    }

    fn enforce_capacity(&mut self) {
        while self.nodes.len() > self.capacity {
            let (Some(lowest), Some(highest)) =
                (self.by_number.first_key(), self.by_number.last_key())
            else {
                break;
            };
            // Old heights go first; when everything left is at or above our head, the blocks
            // furthest ahead go instead (they can be fetched again). Our head always stays.
            let level = if lowest < self.head.number { lowest } else { highest };
            let victims: Vec<BlockId> = self
                .by_number
                .get(level)
                .into_iter()
                .flatten()
                .copied()
                .filter(|id| *id != self.head.id)
                .collect();
            if victims.is_empty() {
                break;
            }
            for id in victims {
                self.remove_node(&id);
            }
        }
    }

    fn remember_dead(&mut self, id: BlockId, died_at: Millis) {
        if self.dead.insert(id, died_at).is_none() {
            self.dead_order.push_back(id);
            while self.dead_order.len() > self.capacity {
                if let Some(old) = self.dead_order.pop_front() {
                    self.dead.remove(&old);
                }
            }
        }
    }

    /// When our LIB first reached `number` or beyond, if still remembered.
    fn lib_reached_at(&self, number: u64) -> Option<Millis> {
        self.lib_history.iter().find(|&&(n, _)| n >= number).map(|&(_, at)| at)
    }
}
