/* tk_input_split.c -- walking BGZF blocks and zstd frames by their headers
 * (pread, nothing decompressed) and splitting a file into ranges. */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_frameHeaderSize (a function, no struct) */
#include "tk_input_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#define GZIP_TRAILER 8u
#define BGZF_MIN_DEFLATE 2u /* the empty fixed-Huffman block: 03 00 */

static uint32_t le16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const unsigned char *p) { return le16(p) | le16(p + 2) << 16; }

ssize_t tk_in_pread(int fd, void *buf, size_t n, uint64_t off)
{
    size_t got = 0;

    while (got < n) {
        ssize_t k = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (ssize_t)got;
}

static int gzip_deflate_extra(const unsigned char *h)
{
    return h[0] == 0x1f && h[1] == 0x8b && h[2] == 8 && (h[3] & 4);
}

int tk_bgzf_parse_header(const unsigned char *h, size_t n, uint32_t *blen, size_t *hlen)
{
    size_t xlen, at;

    *hlen = 12;
    if (n < 4)
        return -1;
    if (!gzip_deflate_extra(h))
        return 0;
    if (n < 12)
        return -1;
    xlen = le16(h + 10);
    *hlen = 12 + xlen;
    if (n < *hlen)
        return -1;
    /* subfields: SI1 SI2 SLEN(2) data(SLEN) */
    for (at = 12; at + 4 <= 12 + xlen;) {
        size_t slen = le16(h + at + 2);
        if (at + 4 + slen > 12 + xlen)
            return 0;
        if (h[at] == 'B' && h[at + 1] == 'C' && slen == 2) {
            *blen = le16(h + at + 4) + 1;
            return 1;
        }
        at += 4 + slen;
    }
    return 0;
}

int tk_bgzf_block_at(int fd, uint64_t size, uint64_t off, const char *path,
                     unsigned char *scratch, uint32_t *blen, tk_err *e)
{
    size_t hlen = 0;
    ssize_t got = tk_in_pread(fd, scratch, 18, off);
    int rc = got < 0 ? 0 : tk_bgzf_parse_header(scratch, (size_t)got, blen, &hlen);

    if (got == 18 && rc == -1 && hlen <= TK_BGZF_BLOCK_MAX) { /* a longer FEXTRA field */
        got = tk_in_pread(fd, scratch, hlen, off);
        rc = got < 0 ? 0 : tk_bgzf_parse_header(scratch, (size_t)got, blen, &hlen);
    }
    if (got < 0)
        return tk_err_set(e, TK_EIO, "%s: read failed: %s", path, strerror(errno));
    if (rc == -1 && hlen <= TK_BGZF_BLOCK_MAX)
        return tk_err_set(e, TK_EDATA,
                          "%s: bgzf data truncated at byte %llu (a block header is cut by the "
                          "end of the file)",
                          path, (unsigned long long)off);
    if (rc != 1)
        return tk_err_set(e, TK_EDATA, "%s: bad bgzf block header at byte %llu", path,
                          (unsigned long long)off);
    if (*blen < hlen + BGZF_MIN_DEFLATE + GZIP_TRAILER)
        return tk_err_set(e, TK_EDATA,
                          "%s: bad bgzf block header at byte %llu (block size %u is too small)",
                          path, (unsigned long long)off, (unsigned)*blen);
    if (off + *blen > size)
        return tk_err_set(e, TK_EDATA,
                          "%s: bgzf data truncated: the block at byte %llu ends at byte %llu, "
                          "past the end of the file at %llu",
                          path, (unsigned long long)off, (unsigned long long)(off + *blen),
                          (unsigned long long)size);
    return TK_OK;
}

int tk_bgzf_walk(int fd, uint64_t size, const char *path, tk_bgzf_visit visit, void *ctx,
                 tk_err *e)
{
    unsigned char *scratch = malloc(TK_BGZF_BLOCK_MAX);
    uint64_t off = 0;
    int rc = TK_OK;

    if (!scratch)
        return tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", path);
    while (rc == TK_OK && off < size) {
        unsigned char t[4];
        uint32_t blen, isize;
        ssize_t got;

        if ((rc = tk_bgzf_block_at(fd, size, off, path, scratch, &blen, e)) != TK_OK)
            break;
        got = tk_in_pread(fd, t, 4, off + blen - 4);
        if (got != 4) {
            rc = tk_err_set(e, TK_EIO, "%s: read failed: %s", path,
                            got < 0 ? strerror(errno) : "short read");
            break;
        }
        isize = le32(t);
        if (isize > TK_BGZF_BLOCK_MAX) {
            rc = tk_err_set(e, TK_EDATA,
                            "%s: bad bgzf block at byte %llu (uncompressed size %lu over 64 KiB)",
                            path, (unsigned long long)off, (unsigned long)isize);
            break;
        }
        rc = visit(ctx, off, blen, isize);
        off += blen;
    }
    free(scratch);
    return rc;
}

/* ---- zstd frames ---- */

/* The length of the zstd frame at off whose header is h[0..n) (n >= 5),
 * walking its block headers. Returns 1 and *flen, or 0 (bad or truncated). */
static int zstd_frame_len(int fd, uint64_t size, uint64_t off, const unsigned char *h,
                          size_t n, uint64_t *flen)
{
    size_t hs = ZSTD_frameHeaderSize(h, n);
    uint64_t at;

    if (ZSTD_isError(hs))
        return 0;
    for (at = off + hs;;) {
        unsigned char b[3];
        uint32_t bh, type;

        if (tk_in_pread(fd, b, 3, at) != 3)
            return 0;
        bh = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
        type = (bh >> 1) & 3;
        if (type == 3) /* reserved */
            return 0;
        at += 3 + (type == 1 ? 1 : (bh >> 3)); /* RLE: one byte */
        if (at > size)
            return 0;
        if (bh & 1) /* the last block */
            break;
    }
    if (h[4] & 4) /* Content_Checksum_flag */
        at += 4;
    *flen = at - off;
    return at <= size;
}

int tk_zstd_content_sum(int fd, uint64_t size, uint64_t *sum)
{
    uint64_t off = 0, total = 0;

    while (off < size) {
        unsigned char h[ZSTD_FRAMEHEADERSIZE_MAX];
        ssize_t n = tk_in_pread(fd, h, sizeof(h), off);
        unsigned long long fcs;
        uint64_t flen;

        if (n < 8)
            return 0;
        if (ZSTD_isSkippableFrame(h, (size_t)n)) {
            off += 8 + (uint64_t)le32(h + 4);
            continue;
        }
        fcs = ZSTD_getFrameContentSize(h, (size_t)n);
        if (fcs == ZSTD_CONTENTSIZE_UNKNOWN || fcs == ZSTD_CONTENTSIZE_ERROR)
            return 0;
        if (!zstd_frame_len(fd, size, off, h, (size_t)n, &flen))
            return 0;
        total += fcs;
        off += flen;
    }
    *sum = total;
    return off == size;
}

/* ---- splitting ---- */

/* target k of n parts of total: total * k / n without overflow (k <= n < 2^31). */
static uint64_t part_target(uint64_t total, int k, int n)
{
    return total / (uint64_t)n * (uint64_t)k + total % (uint64_t)n * (uint64_t)k / (uint64_t)n;
}

typedef struct split_st {
    uint64_t total;    /* pass 2: the uncompressed bytes of the file */
    uint64_t cum;      /* uncompressed bytes before the current block */
    uint64_t *starts;
    int nparts, nout, k; /* k: the next target */
} split_st;

static int visit_sum(void *ctx, uint64_t off, uint32_t blen, uint32_t isize)
{
    split_st *s = ctx;

    (void)off;
    (void)blen;
    s->total += isize;
    return TK_OK;
}

/* A block starts a new range when the uncompressed bytes before it reach the
 * next target, and it leaves bytes after it (no empty ranges). */
static int visit_cut(void *ctx, uint64_t off, uint32_t blen, uint32_t isize)
{
    split_st *s = ctx;

    (void)blen;
    if (s->k < s->nparts && s->cum > 0 && s->cum < s->total &&
        s->cum >= part_target(s->total, s->k, s->nparts)) {
        s->starts[s->nout++] = off;
        while (s->k < s->nparts && s->cum >= part_target(s->total, s->k, s->nparts))
            s->k++;
    }
    s->cum += isize;
    return TK_OK;
}

static int split_bgzf(const tk_input_file *f, int fd, int nparts, uint64_t *starts,
                      int *nout, tk_err *e)
{
    split_st s;

    memset(&s, 0, sizeof(s));
    if (tk_bgzf_walk(fd, f->size, f->path, visit_sum, &s, e) != TK_OK)
        return e->status;
    s.starts = starts;
    s.nparts = nparts;
    s.k = 1;
    starts[0] = 0;
    s.nout = 1;
    if (tk_bgzf_walk(fd, f->size, f->path, visit_cut, &s, e) != TK_OK)
        return e->status;
    *nout = s.nout;
    return TK_OK;
}

int tk_input_split(const tk_input_file *f, int nparts, uint64_t *starts, uint64_t *ends,
                   int *nout, tk_err *e)
{
    uint64_t size;
    int64_t mtime;
    int fd, rc = TK_OK, i;

    *nout = 0;
    if (nparts < 1)
        return tk_err_set(e, TK_ESOFTWARE, "tk_input_split: %d parts", nparts);
    if (tk_in_open_regular(f->path, &fd, &size, &mtime, e) != TK_OK)
        return e->status;
    if (size != f->size || mtime != f->mtime_ns)
        rc = tk_err_set(e, TK_EIO, "%s changed since it was listed (%llu bytes then, %llu now)",
                        f->path, (unsigned long long)f->size, (unsigned long long)size);
    else if (f->comp == TK_COMP_BGZF)
        rc = split_bgzf(f, fd, nparts, starts, nout, e);
    else if (f->comp == TK_COMP_NONE) {
        int n = f->size < (uint64_t)nparts ? (int)f->size : nparts;
        if (n < 1)
            n = 1;
        for (i = 0; i < n; i++)
            starts[i] = part_target(f->size, i, n);
        *nout = n;
    } else {
        starts[0] = 0;
        *nout = 1;
    }
    close(fd);
    for (i = 0; rc == TK_OK && i < *nout; i++)
        ends[i] = i + 1 < *nout ? starts[i + 1] : f->size;
    if (rc != TK_OK)
        *nout = 0;
    return rc;
}
