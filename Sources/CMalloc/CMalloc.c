#include "CMalloc.h"
#include <stdlib.h>

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>

/// Runs before main, before any thread exists: a fixed 1 MiB mmap threshold, so large blocks
/// (an index body, batches of decoded versions) go back to the system when freed; glibc raises
/// the threshold after each large free otherwise and keeps them. MALLOC_MMAP_THRESHOLD_ set by
/// the operator wins.
__attribute__((constructor)) static void cmalloc_tune(void) {
    if (getenv("MALLOC_MMAP_THRESHOLD_") == NULL) mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

int cmalloc_trim(void) { return malloc_trim(0); }
#else
int cmalloc_trim(void) { return 0; }
#endif
