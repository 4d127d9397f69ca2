//! The header tree on its own: our chain, competing branches, pruning at LIB, dead blocks, and
//! its bound.

#[path = "fork_harness.rs"]
mod harness;

use harness::*;
use peerkeeper_core::fork::{
    BlockId, BlockRef, ChainStatus, ForkDigest, HeaderTree, Inserted, NodeMode,
};

/// a#90..=a#110 applied, LIB a#90; b forks off a#95 (b#96..=b#100), c off a#105 (c#106..=c#108).
fn forked_tree() -> HeaderTree {
    let mut tree = HeaderTree::new(a(90), at(A, 90), 4096, 0);
    for h in branch(A, at(A, 90), 110) {
        let r = h.block_ref();
        assert_eq!(tree.insert(h, 0), Inserted::New);
        tree.set_head(r);
    }
    for h in branch(B, at(A, 95), 100).into_iter().chain(branch(C, at(A, 105), 108)) {
        assert_eq!(tree.insert(h, 0), Inserted::New);
    }
    tree
}

#[test]
fn competing_branches_are_listed_by_height_with_fork_point_and_tip() {
    let tree = forked_tree();
    let branches = tree.competing_branches();
    assert_eq!(branches.len(), 2);
    assert_eq!(
        (branches[0].root, branches[0].fork_point, branches[0].tip),
        (at(B, 96).id, at(A, 95), at(B, 100))
    );
    assert_eq!(
        (branches[1].root, branches[1].fork_point, branches[1].tip),
        (at(C, 106).id, at(A, 105), at(C, 108))
    );
}

#[test]
fn our_chain_follows_the_head_when_it_moves_to_another_branch() {
    let mut tree = forked_tree();
    tree.set_head(at(C, 108));
    assert_eq!(tree.canonical_at(108), Some(at(C, 108).id));
    assert_eq!(tree.canonical_at(105), Some(at(A, 105).id));
    assert_eq!(tree.canonical_at(109), None);
    assert_eq!(tree.competing_branches().last().unwrap().root, at(A, 106).id);
}

#[test]
fn lib_prunes_blocks_below_it_and_branches_that_forked_below_it() {
    let mut tree = forked_tree();
    tree.set_lib(at(A, 100), 5_000);
    // a#100..=a#110 plus c#106..=c#108; b forked at #95 and died.
    assert_eq!(tree.len(), 11 + 3);
    assert!(!tree.contains(&at(B, 100).id));
    assert_eq!(tree.competing_branches().len(), 1);
    // Its descendants are refused as dead, dated to the pruning.
    assert_eq!(tree.insert(header(B, 101, at(B, 100)), 9_000), Inserted::Dead { died_at: 5_000 });
    assert_eq!(tree.insert(header(B, 102, at(B, 101)), 9_000), Inserted::Dead { died_at: 5_000 });
}

#[test]
fn a_block_beside_our_final_chain_is_dead_and_our_own_final_block_is_a_duplicate() {
    let mut tree = forked_tree();
    tree.set_lib(at(A, 100), 5_000);
    assert_eq!(tree.insert(a(99), 6_000), Inserted::Duplicate);
    assert_eq!(tree.insert(header(C, 99, at(C, 98)), 6_000), Inserted::Dead { died_at: 5_000 });
    assert_eq!(tree.insert(header(C, 101, at(C, 100)), 6_000), Inserted::Dead { died_at: 5_000 });
}

#[test]
fn a_block_below_anything_we_remember_is_stale_not_dead() {
    let mut tree = forked_tree();
    assert_eq!(tree.insert(header(C, 50, at(C, 49)), 0), Inserted::Stale);
}

#[test]
fn an_orphan_is_a_gap_not_a_branch() {
    let mut tree = forked_tree();
    tree.insert(header(A, 115, at(A, 114)), 0);
    tree.insert(header(A, 113, at(A, 112)), 0);
    assert_eq!(tree.competing_branches().len(), 2);
    assert_eq!(tree.highest_orphan_above(110), Some(115));
    tree.insert(header(A, 114, at(A, 113)), 0);
    assert_eq!(tree.highest_orphan_above(110), Some(113));
    // With our head at #112, a#113 is simply the next block.
    assert_eq!(tree.highest_orphan_above(112), None);
}

#[test]
fn ancestry_is_walked_through_known_parents() {
    let tree = forked_tree();
    assert_eq!(tree.ancestor_at(&at(B, 100).id, 95), Some(at(A, 95).id));
    assert!(tree.descends_from(&at(B, 100).id, &at(B, 97)));
    assert!(!tree.descends_from(&at(B, 100).id, &at(A, 97)));
    assert!(tree.descends_from(&at(A, 110).id, &at(A, 110)));
    assert_eq!(tree.ancestor_at(&at(A, 95).id, 96), None);
}

#[test]
fn the_tree_never_holds_more_than_its_capacity_and_keeps_our_head() {
    for capacity in [2usize, 3, 16, 64] {
        let mut tree = HeaderTree::new(a(1), at(A, 1), capacity, 0);
        for n in 2..=500u64 {
            if n % 3 == 0 {
                tree.apply(a(n), 0);
            } else {
                tree.insert(a(n), 0);
            }
            // A sibling at every height and a run of blocks far ahead.
            tree.insert(header(B, n, at(A, n - 1)), 0);
            tree.insert(header(C, n + 1_000, at(C, n + 999)), 0);
            assert!(tree.len() <= capacity, "capacity {capacity}: {} held", tree.len());
            assert!(tree.contains(&tree.head().id));
        }
    }
}

#[test]
fn chain_status_round_trips_through_json() {
    let s: ChainStatus = with_mode(status(at(A, 10), at(A, 5)), NodeMode::Sync);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["node_mode"], "sync");
    assert_eq!(json["fork_status"], "normal");
    assert_eq!(json["fork_digest"], "d1700001");
    // Branch byte 0, then the height big-endian: a#10 ends its ninth byte in 0a.
    assert_eq!(
        json["head"]["id"],
        "00000000000000000a0000000000000000000000000000000000000000000000"
    );
    assert_eq!(json["range"], serde_json::json!({"earliest": 5, "latest": 10}));
    let back: ChainStatus = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
    let r: BlockRef = serde_json::from_str(&serde_json::to_string(&at(B, 3)).unwrap()).unwrap();
    assert_eq!(r, at(B, 3));
    // A 0x prefix is accepted; a wrong length is refused.
    let d: ForkDigest = serde_json::from_str(r#""0xD1700001""#).unwrap();
    assert_eq!(d, DIGEST);
    assert!(serde_json::from_str::<ForkDigest>(r#""d17000""#).is_err());
    assert!(serde_json::from_str::<BlockId>(r#""zz""#).is_err());
}
