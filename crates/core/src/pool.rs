//! A pool of frame buffers that are reused once no frame refers to them.
//!
//! The pool keeps an `Arc` to every buffer; a buffer is free again when the
//! pool's `Arc` is the only one left, which `Arc::get_mut` checks without any
//! bookkeeping or unsafe code. Steady-state capture therefore allocates nothing.

use std::sync::Arc;

use crate::frame::FrameData;

/// Buffers a pool may have beyond what its consumers' queues hold: frames a
/// consumer has taken and still holds (being processed, or kept alive by a
/// binding's object). A consumer holding more makes its producer drop frames
/// (counted) or, unpaced, wait.
pub const HELD_FRAMES: usize = 16;

/// Buffers of one producer (a source, or one conversion target of a source).
#[derive(Debug)]
pub struct FramePool {
    slots: Vec<Arc<FrameData>>,
    max: usize,
}

impl FramePool {
    /// A pool that holds at most `max` buffers (at least 1).
    pub fn new(max: usize) -> FramePool {
        FramePool {
            slots: Vec::new(),
            max: max.max(1),
        }
    }

    /// Let the pool hold up to `max` buffers if that is more than it may now (a
    /// consumer's queue grew); never lowers the bound. Allocates nothing by itself.
    pub fn allow(&mut self, max: usize) {
        self.max = self.max.max(max);
    }

    /// How many buffers the pool may hold.
    pub fn max(&self) -> usize {
        self.max
    }

    /// A free buffer, as its slot index and a writable reference. A free slot
    /// whose buffer `fits` is reused as it is (its old content is still there);
    /// otherwise `make` builds one. `None` when every one of `max` buffers is
    /// still referenced by some frame (the caller drops this frame and counts it).
    pub fn acquire(
        &mut self,
        fits: impl Fn(&FrameData) -> bool,
        make: impl FnOnce() -> FrameData,
    ) -> Option<(usize, &mut FrameData)> {
        let mut free_misfit = None;
        let mut fitting = None;
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if let Some(data) = Arc::get_mut(slot) {
                if fits(data) {
                    fitting = Some(i);
                    break;
                }
                free_misfit.get_or_insert(i);
            }
        }
        let index = match (fitting, free_misfit) {
            (Some(i), _) => i,
            (None, Some(i)) => {
                self.slots[i] = Arc::new(make());
                i
            }
            (None, None) if self.slots.len() < self.max => {
                self.slots.push(Arc::new(make()));
                self.slots.len() - 1
            }
            (None, None) => return None,
        };
        let data = Arc::get_mut(&mut self.slots[index])?;
        Some((index, data))
    }

    /// A shared reference to the buffer in `index`, to hand out in a frame.
    pub fn share(&self, index: usize) -> Arc<FrameData> {
        Arc::clone(&self.slots[index])
    }

    /// Buffers allocated so far.
    pub fn allocated(&self) -> usize {
        self.slots.len()
    }

    /// Forget every buffer (frames still out keep theirs alive).
    pub fn clear(&mut self) {
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{AudioBuffer, SampleFormat};

    fn chunk() -> FrameData {
        FrameData::Audio(AudioBuffer::new(SampleFormat::F32, 48_000, 1, 480))
    }

    #[test]
    fn a_buffer_is_reused_once_no_frame_holds_it() {
        let mut pool = FramePool::new(4);
        let (i, _) = pool.acquire(|_| true, chunk).expect("first buffer");
        let held = pool.share(i);
        let (j, _) = pool.acquire(|_| true, chunk).expect("second buffer");
        assert_ne!(i, j, "a held buffer must not be handed out again");
        drop(held);
        let (k, _) = pool.acquire(|_| true, chunk).expect("reused");
        assert_eq!(k, i);
        assert_eq!(pool.allocated(), 2);
    }

    #[test]
    fn a_full_pool_refuses_instead_of_growing() {
        let mut pool = FramePool::new(2);
        let a = pool.acquire(|_| true, chunk).map(|(i, _)| i).unwrap();
        let a = pool.share(a);
        let b = pool.acquire(|_| true, chunk).map(|(i, _)| i).unwrap();
        let b = pool.share(b);
        assert!(pool.acquire(|_| true, chunk).is_none());
        drop((a, b));
        assert!(pool.acquire(|_| true, chunk).is_some());
    }
}
