//! Small numbers for the peers JS has connected, so a batch of disconnect commands can name
//! its peers without copying their ids out of wasm memory: JS already holds each id, as the
//! string it passed to `connected`, in a table indexed by the handle that call returned.
//!
//! A handle is held from a peer's first connection to its last disconnection, then reused.
//! A command for a peer without a handle (one that disconnected before the batch was drained)
//! carries its id as text instead, so a reused handle never names the wrong peer.

use crate::js_key::Key;

/// The handle sits in the engine's own key for the peer (see `js_key`), which every command
/// and report entry about the peer clones; this table holds a clone of each key it gave a
/// handle to, so it can take them all back.
#[derive(Default)]
pub struct PeerHandles {
    held: Vec<Option<Key>>,
    free: Vec<u32>,
}

impl PeerHandles {
    /// The handle of `stored` (the engine's own key for the peer), given out now if it has
    /// none.
    pub fn assign(&mut self, stored: &Key) -> u32 {
        if let Some(h) = stored.handle() {
            return h;
        }
        let h = self.free.pop().unwrap_or(self.held.len() as u32);
        match self.held.get_mut(h as usize) {
            Some(slot) => *slot = Some(stored.clone()),
            None => self.held.push(Some(stored.clone())),
        }
        stored.set_handle(Some(h));
        h
    }

    /// The handle of the peer `key` points to, if that is a key the engine stored (a command
    /// built from the caller's own string has none).
    pub fn get(&self, key: &Key) -> Option<u32> {
        key.handle()
    }

    pub fn release(&mut self, stored: &Key) {
        if let Some(h) = stored.handle() {
            stored.set_handle(None);
            self.held[h as usize] = None;
            self.free.push(h);
        }
    }

    /// Releases every handle (a restore replaced the engine's peers and their keys).
    pub fn clear(&mut self) {
        for key in self.held.drain(..).flatten() {
            key.set_handle(None);
        }
        self.free.clear();
    }

    /// Handles in use.
    pub fn len(&self) -> usize {
        self.held.len() - self.free.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> Key {
        Key::from(s)
    }

    #[test]
    fn a_handle_is_stable_while_held_and_reused_after_release() {
        let (a, b, c) = (k("a"), k("b"), k("c"));
        let mut h = PeerHandles::default();
        assert_eq!((h.assign(&a), h.assign(&b), h.assign(&a.clone())), (0, 1, 0));
        // Another allocation of the same id is not the engine's key.
        assert_eq!(h.get(&k("a")), None);
        h.release(&a);
        assert_eq!((h.get(&a), h.len()), (None, 1));
        assert_eq!(h.assign(&c), 0);
        assert_eq!(h.assign(&a), 2);
        h.release(&k("b"));
        assert_eq!(h.get(&b), Some(1), "released only through the stored key");
        h.clear();
        assert!(h.is_empty());
        assert_eq!(h.assign(&b), 0);
    }
}
