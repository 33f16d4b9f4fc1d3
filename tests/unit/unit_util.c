/* unit_util.c -- helpers shared by the unit tests. */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

size_t unit_skip_tests;

int unit_add_suite(const char *name, const unit_test *tests)
{
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    const unit_test *t;
    size_t i;

    if (!s)
        return CU_get_error();
    for (t = tests, i = 0; t->name; t++, i++)
        if (i >= unit_skip_tests && !CU_add_test(s, t->name, t->fn))
            return CU_get_error();
    return CUE_SUCCESS;
}

int unit_tmpdir(char *buf, size_t len)
{
    if (len < sizeof("/tmp/tk_unit.XXXXXX"))
        return -1;
    snprintf(buf, len, "/tmp/tk_unit.XXXXXX");
    return mkdtemp(buf) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 ? 0 : -1;
}

int unit_rmtree(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return 0;
    return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int unit_write_file(const char *dir, const char *name, const void *data, size_t len,
                    char *out, size_t out_len)
{
    const char *p = data;
    int fd, n = snprintf(out, out_len, "%s/%s", dir, name);

    if (n < 0 || (size_t)n >= out_len)
        return -1;
    fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return close(fd);
}

char *unit_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f)
        return NULL;
    for (;;) {
        size_t got;
        if (n + 4096 + 1 > cap) {
            char *b = realloc(buf, cap = n + 8192);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        got = fread(buf + n, 1, 4096, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

unsigned long long unit_rand(unsigned long long *state)
{
    unsigned long long z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
