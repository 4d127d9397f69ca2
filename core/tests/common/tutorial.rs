//! The seed's tutorial program (nim-libp2p "Peer Scoring, Protection, and Trimming"),
//! scenario by scenario, on the simulated host. Returns the lines the seed prints.

use peerkeeper_core::DecayFn;

use super::{s, Host, POST_STAGE_WAIT, TRIM_WAIT};

pub fn run() -> Vec<String> {
    let mut out = Vec::new();

    // 1. Trim fires when highWater is crossed.
    {
        let mut host = Host::seed();
        for c in ["c0", "c1", "c2"] {
            host.connect_client(c);
        }
        out.push(format!("1a. before trigger: connected = {}", host.connected_ids().len()));
        host.sleep(POST_STAGE_WAIT);
        host.connect_client("c3");
        host.sleep(TRIM_WAIT);
        out.push(format!(
            "1b. after trigger:  connected = {} (lowWater = {})",
            host.connected_ids().len(),
            host.pm.config().low_water
        ));
    }

    // 2. Protect / Unprotect.
    {
        let mut host = Host::seed();
        let vip = s("c0");
        for c in ["c0", "c1", "c2"] {
            host.connect_client(c);
        }
        host.pm.protect(&vip, "vip");
        out.push(format!("2a. isProtected(vip) = {}", host.pm.is_protected(&vip, None)));
        host.sleep(POST_STAGE_WAIT);
        host.connect_client("c3");
        host.sleep(TRIM_WAIT);
        out.push(format!(
            "2b. first trim:  vip survived = {}, connected = {}",
            host.is_in(&vip),
            host.connected_ids().len()
        ));
        let still_protected = host.pm.unprotect(&vip, "vip");
        out.push(format!("2c. unprotect:   still-protected = {still_protected}"));
        host.sleep(POST_STAGE_WAIT);
        host.connect_client("c4");
        host.connect_client("c5");
        host.sleep(TRIM_WAIT);
        out.push(format!(
            "2d. second trim: vip survived = {}, connected = {}",
            host.is_in(&vip),
            host.connected_ids().len()
        ));
    }

    // 3. Static tags drive trim selection.
    {
        let mut host = Host::seed();
        let (vip, plain1, plain2, trigger) = ("c0", "c1", "c2", "c3");
        host.connect_client(vip);
        host.pm.tag_peer(&s(vip), "vip", 100);
        host.connect_client(plain1);
        host.connect_client(plain2);
        host.sleep(POST_STAGE_WAIT);
        host.connect_client(trigger);
        host.sleep(TRIM_WAIT);
        out.push(format!(
            "3. survivors = {} (lowWater = {}), vip(100) in = {}, plain1(0) in = {}, plain2(0) in = {}, trigger(grace) in = {}",
            host.connected_ids().len(),
            host.pm.config().low_water,
            host.is_in(vip),
            host.is_in(plain1),
            host.is_in(plain2),
            host.is_in(trigger)
        ));
        out.push(format!("   peerScore(vip) = {}", host.score(vip)));
    }

    // 4. Decaying tags.
    {
        let mut host = Host::seed();
        let (p1, p2, p3, p4) = ("c0", "c1", "c2", "c3");
        for c in [p1, p2, p3] {
            host.connect_client(c);
        }
        let now = host.now;
        host.pm.tag_peer_decaying(&s(p1), "boost", 100, 50, DecayFn::fixed(20), now);
        host.pm.tag_peer_decaying(&s(p2), "boost", 100, 50, DecayFn::fixed(20), now);
        out.push(format!(
            "4a. initial scores: p1 = {}, p2 = {}, p3 = {}",
            host.score(p1),
            host.score(p2),
            host.score(p3)
        ));
        host.sleep(350);
        out.push(format!(
            "4b. after decay:    p1 = {}, p2 = {}, p3 = {}",
            host.score(p1),
            host.score(p2),
            host.score(p3)
        ));
        let now = host.now;
        host.pm.tag_peer_decaying(&s(p1), "boost", 100, 50, DecayFn::none(), now);
        out.push(format!("4c. after re-tag:   p1 = {}", host.score(p1)));
        host.connect_client(p4);
        host.sleep(TRIM_WAIT);
        out.push(format!(
            "4d. survivors = {}, p1(100) in = {}, p2(0) in = {}, p3(0) in = {}, p4(grace) in = {}",
            host.connected_ids().len(),
            host.is_in(p1),
            host.is_in(p2),
            host.is_in(p3),
            host.is_in(p4)
        ));
        out.push(format!("   peerScore(p1) = {}", host.score(p1)));
        let now = host.now;
        host.pm.bump_decaying_tag(&s(p1), "boost", 50, now);
        out.push(format!("4e. after bump:    p1 = {}", host.score(p1)));
    }

    out
}
