//! glibc's allocator, set once at cold start so the large buffers of a sweep go back to the
//! operating system when they are freed.
//!
//! Why: glibc serves an allocation of 128 KiB or more with its own `mmap`, returned to the
//! system on free, but after the first such free it raises that threshold (up to 32 MiB) to the
//! freed size. From then on a sweep's multi-megabyte buffers (an answer's body, the vectors of a
//! Region's inventory) come from the heap, and their freed space stays in the process's resident
//! memory, which is what Lambda's `MemorySize` bounds. Fixing the threshold (which also turns the
//! adjustment off) took a steady-state sweep of 3,000 VPCs from 60 MB to 50 MB of peak RSS with
//! the same requests and CPU time (docs/performance.md, "Peak memory").

/// Allocations from this size up get their own mapping: glibc's initial threshold, kept.
pub const MMAP_THRESHOLD_BYTES: i32 = 128 * 1024;

/// Fixes glibc's mmap threshold at [`MMAP_THRESHOLD_BYTES`]; false when the allocator refused
/// it. Elsewhere than Linux with glibc there is nothing to set, and it returns true.
pub fn keep_large_buffers_out_of_the_heap() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes allocator parameters; it is called before the runtime
        // starts its threads, and any value is accepted or refused (returning 0) as a whole.
        unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_is_accepted_and_large_buffers_still_work() {
        assert!(keep_large_buffers_out_of_the_heap());
        let buffer = vec![7_u8; 4 * MMAP_THRESHOLD_BYTES as usize];
        assert_eq!(
            buffer.iter().map(|&b| u64::from(b)).sum::<u64>(),
            7 * 4 * 128 * 1024
        );
    }
}
