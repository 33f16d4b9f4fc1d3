/* tk_mem.c -- large arrays on transparent huge pages (see tk_mem.h). On
 * this project's VMs a page fault costs microseconds: binning and training
 * touch hundreds of MB of fresh arrays, which showed as a second of system
 * time per run before. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tk_mem.h"

#define HUGE_PAGE ((size_t)2 << 20)

void *tk_mem_big(size_t n)
{
    void *p = NULL;

    if (n < TK_MEM_BIG)
        return malloc(n ? n : 1);
    if (posix_memalign(&p, HUGE_PAGE, n) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    /* advice only: a kernel without THP says no, and the pages stay small */
    (void)madvise(p, n, MADV_HUGEPAGE);
#endif
    return p;
}

void *tk_mem_big_zero(size_t n)
{
    void *p = tk_mem_big(n);

    if (p)
        memset(p, 0, n ? n : 1);
    return p;
}
