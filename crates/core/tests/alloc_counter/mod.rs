//! A global allocator that counts heap allocations on every thread, for the
//! steady-state tests. A test binary installs it with
//! `#[global_allocator] static GLOBAL: alloc_counter::Counting = alloc_counter::Counting;`
//! and must hold a single test: the count sees the whole process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

/// Forwards to the system allocator, counting `alloc` and `realloc` calls.
pub struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// Allocations made so far by the whole process.
pub fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::SeqCst)
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// The fewest allocations `window` makes in up to `tries` runs (stopping at the
/// first that makes none). A buffer pool reaches its working size when the
/// scheduler first lets a producer run as far ahead of its readers as it ever
/// will, which on a busy machine may come late: in the first measured window,
/// say. A window after that allocates nothing, while an allocation per frame
/// shows in every window.
pub fn fewest_allocations(tries: u32, mut window: impl FnMut()) -> u64 {
    let mut fewest = u64::MAX;
    for _ in 0..tries {
        let before = allocations();
        window();
        fewest = fewest.min(allocations() - before);
        if fewest == 0 {
            break;
        }
    }
    fewest
}
