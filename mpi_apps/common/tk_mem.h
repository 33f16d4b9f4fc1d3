/* tk_mem.h -- large arrays on transparent huge pages. All functions are
 * local. */
#ifndef TK_MEM_H
#define TK_MEM_H

#include <stddef.h>

/* Arrays of at least this many bytes go on huge pages. */
#define TK_MEM_BIG ((size_t)4 << 20)

/* malloc(n), except that an array of TK_MEM_BIG bytes or more is aligned to
 * 2 MiB and advised onto transparent huge pages (madvise MADV_HUGEPAGE:
 * where the kernel's THP mode is "madvise", as on Debian, one fault maps
 * 2 MiB instead of 4 KiB, and a first touch of a 100 MB array costs 50
 * faults, not 25,000). Owned by the caller; free() releases it; NULL when
 * out of memory. */
void *tk_mem_big(size_t n);

/* tk_mem_big and zeroed. */
void *tk_mem_big_zero(size_t n);

#endif
