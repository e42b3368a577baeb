//! The argon2 working memory a thread reuses from one verification to the next.
//!
//! A verification at the default parameters needs 19 MiB of blocks. Asking the allocator
//! for them every time costs more than it looks: the blocks are zeroed first (argon2
//! overwrites every block before reading it, so the zeroing is wasted), and when the
//! allocator has handed the pages back to the kernel each one faults in again: measured,
//! the two together added 10–20% to a sign-in's hash. A thread that verifies passwords
//! keeps its blocks instead; whoever owns such a thread frees them when it goes idle.

use std::cell::RefCell;

use argon2::Block;

/// Past this, the blocks are allocated for one verification and not kept: a stored hash
/// with an outlandish memory cost (imported from elsewhere) must not pin it per thread.
const KEEP_AT_MOST_BLOCKS: usize = 256 * 1024;

thread_local! {
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` with `count` blocks of this thread's scratch memory (their contents are
/// whatever the last verification left: argon2 overwrites each before reading it).
pub(super) fn with_blocks<T>(count: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    if count > KEEP_AT_MOST_BLOCKS {
        return work(&mut vec![Block::default(); count]);
    }
    BLOCKS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut blocks) => {
            if blocks.len() < count {
                blocks.resize(count, Block::default());
            }
            work(&mut blocks[..count])
        }
        // Only reachable if `work` itself verified a password on this thread.
        Err(_) => work(&mut vec![Block::default(); count]),
    })
}

/// Gives this thread's scratch memory back to the allocator (a thread that verified
/// passwords and is about to idle for a while).
pub fn release_scratch_memory() {
    BLOCKS.with(|cell| {
        if let Ok(mut blocks) = cell.try_borrow_mut() {
            *blocks = Vec::new();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_the_blocks_and_releases_them() {
        with_blocks(16, |blocks| assert_eq!(blocks.len(), 16));
        let kept = BLOCKS.with(|cell| cell.borrow().len());
        assert_eq!(kept, 16);
        with_blocks(8, |blocks| assert_eq!(blocks.len(), 8));
        assert_eq!(BLOCKS.with(|cell| cell.borrow().len()), 16);
        release_scratch_memory();
        assert_eq!(BLOCKS.with(|cell| cell.borrow().len()), 0);
    }

    #[test]
    fn an_outlandish_size_is_not_kept() {
        with_blocks(KEEP_AT_MOST_BLOCKS + 1, |blocks| {
            assert_eq!(blocks.len(), KEEP_AT_MOST_BLOCKS + 1)
        });
        assert_eq!(BLOCKS.with(|cell| cell.borrow().len()), 0);
    }
}
