import CMalloc

/// Keeps the server's resident memory close to what it uses. glibc's defaults suit short
/// programs: each malloc arena keeps what it freed, and the threshold for giving large blocks
/// back to the system rises after each large free; a server that decodes a 15 MB index now and
/// then would keep the high-water mark of every sync. The C target `CMalloc` fixes the mmap
/// threshold at 1 MiB before `main` (`MALLOC_MMAP_THRESHOLD_` overrides it), and a sync ends
/// with ``releaseFreeMemory()``.
public enum Allocator {
    /// Returns freed memory of every arena to the system (after a sync, say).
    public static func releaseFreeMemory() {
        _ = cmalloc_trim()
    }
}
