/* test_input.c -- tk_input: the line reader over plain, gzip (one member and
 * several), BGZF and zstd files made here (zlib, libzstd, htslib), read in
 * every split of 1..5 parts, every BGZF block its own range, and several
 * chunk sizes: the parts' lines, concatenated, are the file's lines once and
 * in order (lines across range and block boundaries, a last line without LF,
 * CRLF, empty lines, a line longer than a block); corrupt and truncated
 * inputs are TK_EDATA naming the file and an offset, never a success;
 * tk_input_list (file, folder, recursion, globs, hidden and _ names, sorting,
 * duplicates, FIFOs refused without blocking, nothing found) and the magic
 * bytes and size estimates; and a differential test against zcat, zstdcat
 * and bgzip -dc on files the system tools made. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <htslib/bgzf.h>
#include <zlib.h>
#include <zstd.h>

#include "tk_input.h"
#include "unit.h"

/* ---- a growing byte buffer ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_add(sbuf *b, const void *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p)
            abort();
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_free(sbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

/* ---- contents ---- */

/* A header, then nlines random lines: mostly short fields, some empty lines,
 * some CRLF ones; with long_line one line of 100000 bytes (longer than a
 * BGZF block) in the middle; the last line without its LF when nolf. */
static void make_content(sbuf *b, unsigned long long seed, size_t nlines, int long_line,
                         int nolf)
{
    unsigned long long s = seed;
    size_t i, k;

    sb_add(b, "hour;userId;songId\n", 19);
    for (i = 0; i < nlines; i++) {
        unsigned long long r = unit_rand(&s);
        char line[300];
        size_t len = 0, n = (size_t)(r % 90);

        if (long_line && i == nlines / 2) {
            for (k = 0; k < 100000; k++)
                sb_add(b, &"abcdefghij;"[k % 11], 1);
            sb_add(b, "\n", 1);
            continue;
        }
        if ((r >> 8) % 13 == 0)
            n = 0; /* an empty line */
        for (k = 0; k < n; k++)
            line[len++] = (char)('0' + (unit_rand(&s) % 43)); /* digits, ':', ';', letters */
        if ((r >> 16) % 7 == 0)
            line[len++] = '\r';
        if (!(nolf && i + 1 == nlines))
            line[len++] = '\n';
        sb_add(b, line, len);
    }
}

/* The lines of c as the reader gives them, each followed by a LF. */
static void expected_lines(const sbuf *c, sbuf *out)
{
    sb_add(out, c->p, c->n);
    if (c->n > 0 && c->p[c->n - 1] != '\n')
        sb_add(out, "\n", 1);
}

/* ---- writers ---- */

static int write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(p, 1, n, f) == n;

    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* Appends one gzip member holding p[0..n) to out. */
static int gz_member(sbuf *out, const char *p, size_t n)
{
    z_stream zs;
    size_t cap = compressBound((uLong)n) + 64;
    char *buf = malloc(cap);
    int ret;

    memset(&zs, 0, sizeof(zs));
    if (!buf || deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    zs.next_in = (Bytef *)(uintptr_t)p;
    zs.avail_in = (uInt)n;
    zs.next_out = (Bytef *)buf;
    zs.avail_out = (uInt)cap;
    ret = deflate(&zs, Z_FINISH);
    sb_add(out, buf, zs.total_out);
    deflateEnd(&zs);
    free(buf);
    return ret == Z_STREAM_END ? 0 : -1;
}

/* A gzip file of c in nmembers members (cut at arbitrary bytes). */
static int write_gzip(const char *path, const sbuf *c, int nmembers)
{
    sbuf z = { 0 };
    size_t at = 0;
    int i, rc = 0;

    for (i = 0; i < nmembers && rc == 0; i++) {
        size_t to = i + 1 == nmembers ? c->n : c->n / (size_t)nmembers * (size_t)(i + 1) + 3;
        if (to > c->n)
            to = c->n;
        rc = gz_member(&z, c->p + at, to - at);
        at = to;
    }
    if (rc == 0)
        rc = write_bytes(path, z.p, z.n);
    sb_free(&z);
    return rc;
}

/* A BGZF file of c (htslib) whose blocks end at random points: pieces of 1
 * to maxpiece bytes, each flushed into a block of its own (bgzf_flush). */
static int write_bgzf(const char *path, const sbuf *c, unsigned long long seed, size_t maxpiece)
{
    BGZF *fp = bgzf_open(path, "w6");
    unsigned long long s = seed;
    size_t at = 0;
    int rc = fp ? 0 : -1;

    while (rc == 0 && at < c->n) {
        size_t n = 1 + (size_t)(unit_rand(&s) % maxpiece);
        if (n > c->n - at)
            n = c->n - at;
        if (bgzf_write(fp, c->p + at, n) != (ssize_t)n || bgzf_flush(fp) != 0)
            rc = -1;
        at += n;
    }
    if (fp && bgzf_close(fp) != 0)
        rc = -1;
    return rc;
}

/* A zstd file of c in nframes frames (with or without their content sizes,
 * with a checksum). */
static int write_zstd(const char *path, const sbuf *c, int nframes, int with_size)
{
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    size_t cap = ZSTD_compressBound(c->n) + 64, at = 0;
    char *buf = malloc(cap);
    sbuf z = { 0 };
    int i, rc = cc && buf ? 0 : -1;

    ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, with_size);
    ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
    for (i = 0; i < nframes && rc == 0; i++) {
        size_t to = i + 1 == nframes ? c->n : c->n / (size_t)nframes * (size_t)(i + 1) + 5;
        size_t n;
        if (to > c->n)
            to = c->n;
        n = ZSTD_compress2(cc, buf, cap, c->p + at, to - at);
        if (ZSTD_isError(n))
            rc = -1;
        else
            sb_add(&z, buf, n);
        at = to;
    }
    if (rc == 0)
        rc = write_bytes(path, z.p, z.n);
    ZSTD_freeCCtx(cc);
    free(buf);
    sb_free(&z);
    return rc;
}

/* ---- reading ---- */

/* Reads the ranges [starts[i], ends[i]) of f in order, appending each line
 * and a LF to out; each range verified. Returns the first error's status. */
static int read_ranges(const tk_input_file *f, const uint64_t *starts, const uint64_t *ends,
                       int n, size_t chunk, sbuf *out, tk_err *e)
{
    int i;

    for (i = 0; i < n; i++) {
        tk_reader r;
        const char *line;
        size_t len;
        int rc;

        if (tk_reader_open(&r, f, starts[i], ends[i], chunk, e) != TK_OK) {
            tk_reader_close(&r);
            return e->status;
        }
        while ((rc = tk_reader_next(&r, &line, &len, e)) == 1) {
            sb_add(out, line, len);
            sb_add(out, "\n", 1);
        }
        if (rc == 0)
            tk_reader_verify(&r, f, e);
        if (rc == 0 && e->status == TK_OK && tk_reader_done(&r) != ends[i] - starts[i] &&
            ends[i] <= f->size)
            tk_err_set(e, TK_ESOFTWARE, "done %llu of a range of %llu",
                       (unsigned long long)tk_reader_done(&r),
                       (unsigned long long)(ends[i] - starts[i]));
        tk_reader_close(&r);
        if (e->status != TK_OK)
            return e->status;
    }
    return TK_OK;
}

/* Splits f into nparts (tk_input_split) and reads every part (read_ranges). */
static int read_parts(const tk_input_file *f, int nparts, size_t chunk, sbuf *out, tk_err *e)
{
    uint64_t *s = calloc((size_t)nparts, sizeof(*s)), *t = calloc((size_t)nparts, sizeof(*t));
    int n = 0, rc;

    rc = tk_input_split(f, nparts, s, t, &n, e);
    if (rc == TK_OK)
        rc = read_ranges(f, s, t, n, chunk, out, e);
    free(s);
    free(t);
    return rc;
}

/* Lists path, which must be one file. */
static int list_one(const char *path, tk_input_file **f, tk_err *e)
{
    size_t n = 0;
    int rc = tk_input_list(path, 0, f, &n, e);

    if (rc == TK_OK && n != 1) {
        tk_input_files_free(*f, n);
        *f = NULL;
        return tk_err_set(e, TK_ESOFTWARE, "%zu files for %s", n, path);
    }
    return rc;
}

/* f as listed, but with another compression (to read a BGZF file as gzip). */
static tk_input_file as_comp(const tk_input_file *f, tk_comp comp)
{
    tk_input_file g = *f;

    g.comp = comp;
    g.splittable = comp == TK_COMP_NONE || comp == TK_COMP_BGZF;
    return g;
}

static int same_text(const sbuf *got, const sbuf *want, const char *what)
{
    size_t i = 0;

    if (got->n == want->n && (got->n == 0 || memcmp(got->p, want->p, got->n) == 0))
        return 1;
    while (i < got->n && i < want->n && got->p[i] == want->p[i])
        i++;
    fprintf(stderr, "\n  %s: %zu bytes of lines, wanted %zu; first difference at %zu\n", what,
            got->n, want->n, i);
    return 0;
}

/* Every split of path into 1..5 parts, for three chunk sizes, reads the
 * lines of c; for BGZF, so does every block as its own range. */
static void check_splits(const char *path, tk_comp want_comp, const sbuf *c)
{
    static const size_t chunks[] = { 5, 4096, 1 << 20 };
    tk_input_file *f = NULL;
    sbuf want = { 0 };
    tk_err e;
    size_t ci;
    int parts;

    expected_lines(c, &want);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(list_one(path, &f, &e), TK_OK);
    CU_ASSERT_EQUAL(f->comp, want_comp);
    for (ci = 0; ci < sizeof(chunks) / sizeof(chunks[0]); ci++)
        for (parts = 1; parts <= 5; parts++) {
            sbuf got = { 0 };
            char what[128];
            tk_err_clear(&e);
            snprintf(what, sizeof(what), "%s, %d parts, chunk %zu", tk_comp_name(f->comp), parts,
                     chunks[ci]);
            CU_ASSERT_EQUAL(read_parts(f, parts, chunks[ci], &got, &e), TK_OK);
            if (e.status != TK_OK)
                fprintf(stderr, "\n  %s: %s\n", what, e.msg);
            CU_ASSERT_TRUE(same_text(&got, &want, what));
            sb_free(&got);
        }
    if (f->comp == TK_COMP_BGZF) {
        sbuf got = { 0 };
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(read_parts(f, 1000000, 4096, &got, &e), TK_OK); /* every block */
        CU_ASSERT_TRUE(same_text(&got, &want, "bgzf, every block a range"));
        sb_free(&got);
    }
    tk_input_files_free(f, 1);
    sb_free(&want);
}

/* ---- every split reads every line once ---- */

static void test_plain_splits(void)
{
    char dir[64], path[512];
    int nolf;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    for (nolf = 0; nolf <= 1; nolf++) {
        sbuf c = { 0 };
        make_content(&c, 11 + (unsigned long long)nolf, 3000, 1, nolf);
        CU_ASSERT_EQUAL_FATAL(unit_write_file(dir, "p.csv", c.p, c.n, path, sizeof(path)), 0);
        check_splits(path, TK_COMP_NONE, &c);
        sb_free(&c);
    }
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_gzip_splits(void)
{
    static const int members[] = { 1, 2, 7 };
    char dir[64], path[600];
    size_t i;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/g.csv", dir); /* no .gz: found by its magic bytes */
    for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
        sbuf c = { 0 };
        make_content(&c, 20 + i, 3000, 1, (int)(i % 2));
        CU_ASSERT_EQUAL_FATAL(write_gzip(path, &c, members[i]), 0);
        check_splits(path, TK_COMP_GZIP, &c);
        sb_free(&c);
    }
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_bgzf_splits(void)
{
    static const size_t pieces[] = { 40, 3000, 200000 };
    char dir[64], path[600];
    size_t i;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/b.bgz", dir);
    for (i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
        sbuf c = { 0 };
        make_content(&c, 30 + i, i == 0 ? 800 : 3000, 1, (int)(i % 2 == 0));
        CU_ASSERT_EQUAL_FATAL(write_bgzf(path, &c, 7 + i, pieces[i]), 0);
        check_splits(path, TK_COMP_BGZF, &c);
        sb_free(&c);
    }
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_zstd_splits(void)
{
    char dir[64], path[600];
    int frames;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/z.csv", dir);
    for (frames = 1; frames <= 3; frames++) {
        sbuf c = { 0 };
        make_content(&c, 40 + (unsigned long long)frames, 3000, 1, frames == 2);
        CU_ASSERT_EQUAL_FATAL(write_zstd(path, &c, frames, frames != 3), 0);
        check_splits(path, TK_COMP_ZSTD, &c);
        sb_free(&c);
    }
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* Small files: empty, one line with or without LF, only LFs, CRLF only. */
static void test_small_files(void)
{
    static const char *const texts[] = { "", "h", "h\n", "\n", "\n\n\n", "h\r\n", "h\nx",
                                         "\r\n\r\n" };
    char dir[64], path[600];
    size_t i;
    int kind;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/s", dir);
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        for (kind = 0; kind < 4; kind++) {
            sbuf c = { 0 };
            sb_add(&c, texts[i], strlen(texts[i]));
            CU_ASSERT_EQUAL_FATAL(kind == 0   ? write_bytes(path, c.p, c.n)
                                  : kind == 1 ? write_gzip(path, &c, 1)
                                  : kind == 2 ? write_bgzf(path, &c, 1, 1)
                                              : write_zstd(path, &c, 1, 1),
                                  0);
            check_splits(path, (tk_comp)kind, &c);
            sb_free(&c);
        }
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* A BGZF file read whole by the gzip path gives the split reader's lines;
 * so does a concatenation of two BGZF files (an empty block in between). */
static void test_bgzf_as_gzip(void)
{
    char dir[64], a[600], b[600], ab[600], cmd[2000];
    sbuf c1 = { 0 }, c2 = { 0 }, both = { 0 }, want = { 0 }, got = { 0 };
    tk_input_file *f = NULL, g;
    tk_err e;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(a, sizeof(a), "%s/a.bgz", dir);
    snprintf(b, sizeof(b), "%s/b.bgz", dir);
    snprintf(ab, sizeof(ab), "%s/ab.bgz", dir);
    make_content(&c1, 51, 2000, 0, 1); /* a's last line has no LF: it joins b's first */
    make_content(&c2, 52, 2000, 1, 0);
    CU_ASSERT_EQUAL_FATAL(write_bgzf(a, &c1, 3, 5000), 0);
    CU_ASSERT_EQUAL_FATAL(write_bgzf(b, &c2, 4, 5000), 0);
    snprintf(cmd, sizeof(cmd), "cat '%s' '%s' > '%s'", a, b, ab);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    sb_add(&both, c1.p, c1.n);
    sb_add(&both, c2.p, c2.n);
    check_splits(ab, TK_COMP_BGZF, &both);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(list_one(ab, &f, &e), TK_OK);
    CU_ASSERT_EQUAL(f->usize_est, both.n);
    CU_ASSERT_TRUE(f->usize_exact && f->splittable);
    g = as_comp(f, TK_COMP_GZIP);
    expected_lines(&both, &want);
    CU_ASSERT_EQUAL(read_parts(&g, 3, 4096, &got, &e), TK_OK);
    CU_ASSERT_TRUE(same_text(&got, &want, "bgzf read as gzip"));
    tk_input_files_free(f, 1);
    sb_free(&c1);
    sb_free(&c2);
    sb_free(&both);
    sb_free(&want);
    sb_free(&got);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* ---- corrupt and truncated inputs ---- */

/* Reads path (as listed, or as comp when listing fails or force is set) in
 * 1 and 3 parts; every attempt must end in TK_EDATA with the path and an
 * offset in the message. Returns 1 when so. */
static int is_corrupt(const char *path, tk_comp comp, int force, const char *want)
{
    tk_input_file *f = NULL, g;
    struct stat st;
    tk_err e;
    int parts, ok = 1;

    tk_err_clear(&e);
    if (!force && list_one(path, &f, &e) != TK_OK) {
        ok = e.status == TK_EDATA && strstr(e.msg, path) && strstr(e.msg, "byte");
        if (!ok)
            fprintf(stderr, "\n  listing %s: %d %s\n", path, e.status, e.msg);
        force = 1;
    }
    if (force) {
        if (stat(path, &st) != 0)
            return 0;
        memset(&g, 0, sizeof(g));
        g.path = (char *)(uintptr_t)path;
        g.size = (uint64_t)st.st_size;
        g.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        g = as_comp(&g, comp);
    } else {
        g = *f;
    }
    for (parts = 1; parts <= 3; parts += 2) {
        sbuf got = { 0 };
        uint64_t s0 = 0, e0 = g.size;
        int rc;
        tk_err_clear(&e);
        /* a split that fails (BGZF walk) is a failure too; then read [0, size) */
        rc = read_parts(&g, parts, 4096, &got, &e);
        if (rc == TK_EDATA && g.comp == TK_COMP_BGZF && strstr(e.msg, "block")) {
            sb_free(&got);
            tk_err_clear(&e);
            rc = read_ranges(&g, &s0, &e0, 1, 4096, &got, &e);
        }
        if (rc != TK_EDATA || !strstr(e.msg, path) ||
            !(strstr(e.msg, "offset") || strstr(e.msg, "byte")) ||
            (want && !strstr(e.msg, want))) {
            fprintf(stderr, "\n  %s as %s, %d parts: status %d, message \"%s\"%s%s\n", path,
                    tk_comp_name(g.comp), parts, rc, e.msg, want ? ", wanted " : "",
                    want ? want : "");
            ok = 0;
        }
        sb_free(&got);
    }
    tk_input_files_free(f, f ? 1 : 0);
    return ok;
}

/* Writes the first n bytes of z (changed by one XOR at flip when flip < n)
 * plus tail. */
static int write_variant(const char *path, const sbuf *z, size_t n, size_t flip,
                         const char *tail)
{
    sbuf v = { 0 };
    int rc;

    sb_add(&v, z->p, n);
    if (flip < n)
        v.p[flip] ^= 0x5a;
    sb_add(&v, tail, strlen(tail));
    rc = write_bytes(path, v.p, v.n);
    sb_free(&v);
    return rc;
}

static void test_gzip_corrupt(void)
{
    char dir[64], good[600], bad[600];
    sbuf c = { 0 }, z = { 0 }, two = { 0 };
    size_t cuts[8], i;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(good, sizeof(good), "%s/good.gz", dir);
    snprintf(bad, sizeof(bad), "%s/bad.gz", dir);
    make_content(&c, 61, 2000, 0, 0);
    CU_ASSERT_EQUAL_FATAL(write_gzip(good, &c, 1), 0);
    z.p = unit_read_file(good, &z.n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z.p);
    cuts[0] = 2;
    cuts[1] = 9;
    cuts[2] = 10;
    cuts[3] = 11;
    cuts[4] = z.n / 2;
    cuts[5] = z.n - 8;
    cuts[6] = z.n - 4;
    cuts[7] = z.n - 1;
    for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, cuts[i], SIZE_MAX, ""), 0);
        CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_GZIP, 0, "truncated"));
    }
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, z.n - 8, ""), 0); /* the CRC */
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_GZIP, 0, "incorrect data check"));
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, z.n - 2, ""), 0); /* ISIZE */
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_GZIP, 0, "incorrect length check"));
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, 2, ""), 0); /* method */
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_GZIP, 0, "corrupt gzip data at uncompressed offset 0"));
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, z.n / 2, ""), 0); /* the data */
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_GZIP, 0, "corrupt gzip data"));
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, SIZE_MAX, "garbage after it\n"), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_GZIP, 0, "after the member ending at byte"));
    /* trailing zeros (gzip -t: "trailing zero bytes ignored"): an error here */
    sb_add(&two, z.p, z.n);
    sb_add(&two, "\0\0\0\0\0\0\0\0", 8);
    CU_ASSERT_EQUAL_FATAL(write_bytes(bad, two.p, two.n), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_GZIP, 0, "incorrect header check"));
    /* a second member cut short: the first member's lines do not make a success */
    two.n = z.n;
    sb_add(&two, z.p, z.n / 2);
    CU_ASSERT_EQUAL_FATAL(write_bytes(bad, two.p, two.n), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_GZIP, 0, "truncated"));
    sb_free(&c);
    sb_free(&z);
    sb_free(&two);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_zstd_corrupt(void)
{
    char dir[64], good[600], bad[600];
    sbuf c = { 0 }, z = { 0 }, v = { 0 };
    size_t cuts[6], i;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(good, sizeof(good), "%s/good.zst", dir);
    snprintf(bad, sizeof(bad), "%s/bad.zst", dir);
    make_content(&c, 71, 3000, 0, 0);
    CU_ASSERT_EQUAL_FATAL(write_zstd(good, &c, 1, 1), 0);
    z.p = unit_read_file(good, &z.n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z.p);
    cuts[0] = 4;
    cuts[1] = 6;
    cuts[2] = z.n / 3;
    cuts[3] = z.n / 2;
    cuts[4] = z.n - 4; /* the checksum */
    cuts[5] = z.n - 1;
    for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, cuts[i], SIZE_MAX, ""), 0);
        CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_ZSTD, 0, "zstd"));
    }
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n / 2, SIZE_MAX, ""), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_ZSTD, 0, "zstd data truncated at uncompressed offset"));
    /* a garbage frame after a good one, and a garbage frame alone */
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, SIZE_MAX, "this is no frame at all"), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_ZSTD, 0, "corrupt zstd data at uncompressed offset"));
    sb_add(&v, "\x28\xb5\x2f\xfd", 4);
    sb_add(&v, "\xff\xff\xff\xff garbage garbage garbage", 28);
    CU_ASSERT_EQUAL_FATAL(write_bytes(bad, v.p, v.n), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_ZSTD, 0, "corrupt zstd data at uncompressed offset 0"));
    /* the checksum flipped */
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, z.n - 2, ""), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_ZSTD, 0, "corrupt zstd data"));
    sb_free(&c);
    sb_free(&z);
    sb_free(&v);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* The offset of the k-th block of a BGZF image (walking BSIZE by hand, as a
 * check independent of the code under test). */
static size_t nth_block(const sbuf *z, int k)
{
    size_t off = 0;

    while (k-- > 0 && off + 18 <= z->n)
        off += (size_t)((unsigned char)z->p[off + 16] | (unsigned char)z->p[off + 17] << 8) + 1;
    return off;
}

static void test_bgzf_corrupt(void)
{
    char dir[64], good[600], bad[600];
    sbuf c = { 0 }, z = { 0 };
    size_t b3;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(good, sizeof(good), "%s/good.bgz", dir);
    snprintf(bad, sizeof(bad), "%s/bad.bgz", dir);
    make_content(&c, 81, 3000, 0, 0);
    CU_ASSERT_EQUAL_FATAL(write_bgzf(good, &c, 5, 4000), 0);
    z.p = unit_read_file(good, &z.n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z.p);
    b3 = nth_block(&z, 3);
    CU_ASSERT_FATAL(b3 > 0 && b3 + 100 < z.n);
    /* a broken block header: the 'B' of block 3's BC subfield */
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, b3 + 12, ""), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_BGZF, 0, "bad bgzf block header at byte"));
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_BGZF, 1, "bad bgzf block header at byte"));
    /* BSIZE too large: the walk runs past the end */
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, b3 + 17, ""), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_BGZF, 1, "byte"));
    /* a flipped byte in block 3's data, its CRC */
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, b3 + 30, ""), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_BGZF, 0, "corrupt bgzf data at uncompressed offset"));
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, nth_block(&z, 4) - 6, ""), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_BGZF, 0, "incorrect data check"));
    /* truncated: in the middle of a block, and at a block boundary (no EOF block) */
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, b3 + 40, SIZE_MAX, ""), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_BGZF, 0, "truncated"));
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, b3, SIZE_MAX, ""), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_BGZF, 0, "end-of-file block"));
    /* garbage after the EOF block */
    CU_ASSERT_EQUAL_FATAL(write_variant(bad, &z, z.n, SIZE_MAX, "trailing garbage here"), 0);
    CU_ASSERT_TRUE(is_corrupt(bad, TK_COMP_BGZF, 0, "bad bgzf block header at byte"));
    sb_free(&c);
    sb_free(&z);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* ---- a line over TK_LINES_MAX_LINE ---- */

static void test_line_too_long(void)
{
    char dir[64], path[600];
    sbuf c = { 0 }, got = { 0 };
    tk_input_file *f = NULL;
    tk_err e;
    int kind;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(path, sizeof(path), "%s/long", dir);
    sb_add(&c, "h\n", 2);
    c.cap = c.n + TK_LINES_MAX_LINE + 16;
    c.p = realloc(c.p, c.cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c.p);
    memset(c.p + c.n, 'x', TK_LINES_MAX_LINE + 1);
    c.n += TK_LINES_MAX_LINE + 1;
    for (kind = 1; kind <= 3; kind += 2) { /* gzip, zstd; the last line has no LF */
        CU_ASSERT_EQUAL_FATAL(kind == 1 ? write_gzip(path, &c, 1) : write_zstd(path, &c, 1, 1),
                              0);
        tk_err_clear(&e);
        CU_ASSERT_EQUAL_FATAL(list_one(path, &f, &e), TK_OK);
        got.n = 0;
        CU_ASSERT_EQUAL(read_parts(f, 1, 1 << 20, &got, &e), TK_EDATA);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "longer than"));
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "uncompressed offset 2"));
        CU_ASSERT_EQUAL(got.n, 2); /* the header came before */
        tk_input_files_free(f, 1);
    }
    sb_free(&c);
    sb_free(&got);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* ---- magic bytes, estimates, counters, ranges of unsplittable files ---- */

static void test_magic_and_estimates(void)
{
    char dir[64], path[600];
    sbuf c = { 0 };
    tk_input_file *f = NULL;
    tk_reader r;
    tk_err e;
    const char *line;
    size_t len;
    uint64_t s[4], t[4];
    int n;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    make_content(&c, 91, 2000, 0, 0);
    /* a plain file named .gz is plain; a gzip file named .csv is gzip */
    snprintf(path, sizeof(path), "%s/plain.gz", dir);
    CU_ASSERT_EQUAL_FATAL(write_bytes(path, c.p, c.n), 0);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(list_one(path, &f, &e), TK_OK);
    CU_ASSERT_EQUAL(f->comp, TK_COMP_NONE);
    CU_ASSERT_STRING_EQUAL(tk_comp_name(f->comp), "plain");
    CU_ASSERT_TRUE(f->usize_est == c.n && f->size == c.n && f->splittable && f->usize_exact);
    CU_ASSERT_EQUAL(tk_input_split(f, 4, s, t, &n, &e), TK_OK);
    CU_ASSERT_TRUE(n == 4 && s[0] == 0 && t[3] == c.n && t[0] == s[1] && t[1] == s[2]);
    tk_input_files_free(f, 1);
    snprintf(path, sizeof(path), "%s/gzip.csv", dir);
    CU_ASSERT_EQUAL_FATAL(write_gzip(path, &c, 2), 0);
    CU_ASSERT_EQUAL_FATAL(list_one(path, &f, &e), TK_OK);
    CU_ASSERT_TRUE(f->comp == TK_COMP_GZIP && !f->splittable && !f->usize_exact);
    CU_ASSERT_STRING_EQUAL(tk_comp_name(f->comp), "gzip");
    {   /* the last member's ISIZE (half of c) when >= size, else 4 * size */
        size_t zn = 0;
        unsigned char *z = (unsigned char *)unit_read_file(path, &zn);
        uint64_t isize = z && zn >= 4 ? (uint64_t)z[zn - 4] | (uint64_t)z[zn - 3] << 8 |
                                            (uint64_t)z[zn - 2] << 16 | (uint64_t)z[zn - 1] << 24
                                      : 0;
        CU_ASSERT_TRUE(isize > 0 && isize < c.n);
        CU_ASSERT_EQUAL(f->usize_est, isize >= f->size ? isize : 4 * f->size);
        free(z);
    }
    CU_ASSERT_EQUAL(tk_input_split(f, 4, s, t, &n, &e), TK_OK);
    CU_ASSERT_TRUE(n == 1 && s[0] == 0 && t[0] == f->size);
    /* a range that does not start at 0 holds no line; the one at 0 all of them */
    CU_ASSERT_EQUAL_FATAL(tk_reader_open(&r, f, 10, f->size, 4096, &e), TK_OK);
    CU_ASSERT_EQUAL(tk_reader_next(&r, &line, &len, &e), 0);
    CU_ASSERT_EQUAL(tk_reader_verify(&r, f, &e), TK_OK);
    CU_ASSERT_EQUAL(tk_reader_done(&r), f->size - 10);
    tk_reader_close(&r);
    CU_ASSERT_EQUAL_FATAL(tk_reader_open(&r, f, 0, 10, 4096, &e), TK_OK);
    CU_ASSERT_EQUAL(tk_reader_next(&r, &line, &len, &e), 1);
    CU_ASSERT_TRUE(len == 18 && memcmp(line, "hour;userId;songId", 18) == 0);
    CU_ASSERT_EQUAL(tk_reader_uoffset(&r), 19);
    CU_ASSERT_EQUAL(tk_reader_lines(&r), 1);
    /* stopped early: verify says so */
    CU_ASSERT_EQUAL(tk_reader_verify(&r, f, &e), TK_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "read stopped"));
    tk_reader_close(&r);
    tk_reader_close(&r); /* twice is fine */
    tk_input_files_free(f, 1);
    sb_free(&c);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_estimates_zstd_bgzf(void)
{
    char dir[64], path[600];
    sbuf c = { 0 };
    tk_input_file *f = NULL;
    tk_reader r;
    tk_err e;
    uint64_t s[4], t[4];
    int n;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    make_content(&c, 91, 2000, 0, 0);
    /* zstd: content sizes summed; without them 4 * size */
    snprintf(path, sizeof(path), "%s/z", dir);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(write_zstd(path, &c, 3, 1), 0);
    CU_ASSERT_EQUAL_FATAL(list_one(path, &f, &e), TK_OK);
    CU_ASSERT_TRUE(f->comp == TK_COMP_ZSTD && f->usize_est == c.n && f->usize_exact);
    CU_ASSERT_STRING_EQUAL(tk_comp_name(f->comp), "zstd");
    tk_input_files_free(f, 1);
    CU_ASSERT_EQUAL_FATAL(write_zstd(path, &c, 2, 0), 0);
    CU_ASSERT_EQUAL_FATAL(list_one(path, &f, &e), TK_OK);
    CU_ASSERT_TRUE(f->comp == TK_COMP_ZSTD && f->usize_est == 4 * f->size && !f->usize_exact);
    tk_input_files_free(f, 1);
    /* BGZF: exact; more parts than blocks gives fewer ranges */
    snprintf(path, sizeof(path), "%s/b", dir);
    CU_ASSERT_EQUAL_FATAL(write_bgzf(path, &c, 1, 1000000), 0); /* 2 blocks + EOF */
    CU_ASSERT_EQUAL_FATAL(list_one(path, &f, &e), TK_OK);
    CU_ASSERT_TRUE(f->comp == TK_COMP_BGZF && f->usize_est == c.n && f->splittable);
    CU_ASSERT_STRING_EQUAL(tk_comp_name(f->comp), "bgzf");
    CU_ASSERT_EQUAL(tk_input_split(f, 4, s, t, &n, &e), TK_OK);
    CU_ASSERT_TRUE(n == 2 && s[0] == 0 && t[1] == f->size && t[0] == s[1]);
    /* a range that does not start at a block */
    CU_ASSERT_EQUAL(tk_reader_open(&r, f, s[1] - 1, f->size, 4096, &e), TK_EDATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "no bgzf block ends at byte"));
    tk_reader_close(&r);
    CU_ASSERT_EQUAL(tk_input_split(f, 0, s, t, &n, &e), TK_EDATA); /* first error wins */
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_input_split(f, 0, s, t, &n, &e), TK_ESOFTWARE);
    tk_input_files_free(f, 1);
    CU_ASSERT_STRING_EQUAL(tk_comp_name((tk_comp)9), "?");
    sb_free(&c);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* The file changed after listing: split and verify say so. */
static void test_changed(void)
{
    char dir[64], path[600];
    sbuf c = { 0 }, got = { 0 };
    tk_input_file *f = NULL;
    tk_reader r;
    tk_err e;
    const char *line;
    size_t len;
    uint64_t s[2], t[2];
    int n, rc;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    make_content(&c, 93, 500, 0, 0);
    snprintf(path, sizeof(path), "%s/g", dir);
    CU_ASSERT_EQUAL_FATAL(write_gzip(path, &c, 1), 0);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL_FATAL(list_one(path, &f, &e), TK_OK);
    CU_ASSERT_EQUAL_FATAL(tk_reader_open(&r, f, 0, f->size, 4096, &e), TK_OK);
    while ((rc = tk_reader_next(&r, &line, &len, &e)) == 1)
        ;
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL_FATAL(write_gzip(path, &c, 2), 0); /* the same inode, rewritten */
    CU_ASSERT_EQUAL(tk_reader_verify(&r, f, &e), TK_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "changed while being read"));
    tk_reader_close(&r);
    tk_err_clear(&e);
    CU_ASSERT_EQUAL(tk_input_split(f, 2, s, t, &n, &e), TK_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "changed since it was listed"));
    tk_input_files_free(f, 1);
    sb_free(&c);
    sb_free(&got);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* ---- listing ---- */

static int mk(const char *dir, const char *rel, const char *text)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    return write_bytes(path, text, strlen(text));
}

static int mkd(const char *dir, const char *rel)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    return mkdir(path, 0755);
}

/* Lists spec (relative to dir when it does not start with '/') and compares
 * the paths, relative to dir, with the space-separated want. */
static int lists(const char *dir, const char *spec, int recursive, const char *want)
{
    char full[1024], got[4096] = "";
    tk_input_file *f = NULL;
    size_t n = 0, i, used = 0, dl = strlen(dir);
    tk_err e;
    int rc;

    snprintf(full, sizeof(full), "%s/%s", dir, spec);
    tk_err_clear(&e);
    rc = tk_input_list(full, recursive, &f, &n, &e);
    if (rc != TK_OK) {
        fprintf(stderr, "\n  list %s: %s\n", spec, e.msg);
        return 0;
    }
    for (i = 0; i < n; i++)
        used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s", i ? " " : "",
                                 strncmp(f[i].path, dir, dl) == 0 ? f[i].path + dl + 1
                                                                  : f[i].path);
    tk_input_files_free(f, n);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "\n  list %s%s: \"%s\", wanted \"%s\"\n", spec,
                recursive ? " (recursive)" : "", got, want);
        return 0;
    }
    return 1;
}

/* Listing spec fails with status and a message holding want. */
static int list_fails(const char *dir, const char *spec, int status, const char *want)
{
    char full[1024];
    tk_input_file *f = (tk_input_file *)1;
    size_t n = 7;
    tk_err e;
    int rc;

    snprintf(full, sizeof(full), "%s/%s", dir, spec);
    tk_err_clear(&e);
    rc = tk_input_list(full, 1, &f, &n, &e);
    if (rc != status || e.status != status || !strstr(e.msg, want) || f != NULL || n != 0) {
        fprintf(stderr, "\n  list %s: %d \"%s\", wanted %d \"%s\"\n", spec, rc, e.msg, status,
                want);
        if (rc == TK_OK)
            tk_input_files_free(f, n);
        return 0;
    }
    return 1;
}

static void test_list(void)
{
    char dir[64], a[1024], b[1024];

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_EQUAL_FATAL(mkd(dir, "d"), 0);
    CU_ASSERT_EQUAL(mk(dir, "d/b.csv", "x\n"), 0);
    CU_ASSERT_EQUAL(mk(dir, "d/a10.csv", "x\n"), 0);
    CU_ASSERT_EQUAL(mk(dir, "d/a2.csv", "x\n"), 0);
    CU_ASSERT_EQUAL(mk(dir, "d/_SUCCESS", ""), 0);
    CU_ASSERT_EQUAL(mk(dir, "d/.part.crc", "x\n"), 0);
    CU_ASSERT_EQUAL(mkd(dir, "d/sub"), 0);
    CU_ASSERT_EQUAL(mk(dir, "d/sub/c.csv", "x\n"), 0);
    CU_ASSERT_EQUAL(mkd(dir, "d/sub/deeper"), 0);
    CU_ASSERT_EQUAL(mk(dir, "d/sub/deeper/e.csv", "x\n"), 0);
    CU_ASSERT_EQUAL(mkd(dir, "d/_tmp"), 0);
    CU_ASSERT_EQUAL(mk(dir, "d/_tmp/x.csv", "x\n"), 0);
    CU_ASSERT_EQUAL(mkd(dir, "d/.hidden"), 0);
    CU_ASSERT_EQUAL(mk(dir, "d/.hidden/y.csv", "x\n"), 0);
    /* a file; a folder (sorted by strcmp, hidden and _ names skipped) */
    CU_ASSERT_TRUE(lists(dir, "d/b.csv", 0, "d/b.csv"));
    CU_ASSERT_TRUE(lists(dir, "d/_SUCCESS", 0, "d/_SUCCESS")); /* named: taken */
    CU_ASSERT_TRUE(lists(dir, "d", 0, "d/a10.csv d/a2.csv d/b.csv"));
    CU_ASSERT_TRUE(lists(dir, "d/", 0, "d/a10.csv d/a2.csv d/b.csv"));
    CU_ASSERT_TRUE(lists(dir, "d", 1,
                         "d/a10.csv d/a2.csv d/b.csv d/sub/c.csv d/sub/deeper/e.csv"));
    /* globs: a pattern's matches, a matching folder expanded, _ names left out */
    CU_ASSERT_TRUE(lists(dir, "d/a*.csv", 0, "d/a10.csv d/a2.csv"));
    CU_ASSERT_TRUE(lists(dir, "d/*", 0, "d/a10.csv d/a2.csv d/b.csv d/sub/c.csv"));
    CU_ASSERT_TRUE(lists(dir, "d/*", 1,
                         "d/a10.csv d/a2.csv d/b.csv d/sub/c.csv d/sub/deeper/e.csv"));
    CU_ASSERT_TRUE(lists(dir, "d/s?b", 0, "d/sub/c.csv"));
    CU_ASSERT_TRUE(lists(dir, "d/[ab]*.csv", 0, "d/a10.csv d/a2.csv d/b.csv"));
    /* the same file twice: a symlink and its target, a folder link (no loop) */
    snprintf(a, sizeof(a), "%s/d/b.csv", dir);
    snprintf(b, sizeof(b), "%s/d/z-link.csv", dir);
    CU_ASSERT_EQUAL(symlink(a, b), 0);
    CU_ASSERT_TRUE(lists(dir, "d", 0, "d/a10.csv d/a2.csv d/b.csv"));
    CU_ASSERT_TRUE(lists(dir, "d/z-link.csv", 0, "d/z-link.csv"));
    snprintf(a, sizeof(a), "%s/d", dir);
    snprintf(b, sizeof(b), "%s/d/sub/loop", dir);
    CU_ASSERT_EQUAL(symlink(a, b), 0);
    CU_ASSERT_TRUE(lists(dir, "d", 1,
                         "d/a10.csv d/a2.csv d/b.csv d/sub/c.csv d/sub/deeper/e.csv"));
    CU_ASSERT_TRUE(lists(dir, "d/sub", 1,
                         "d/sub/c.csv d/sub/deeper/e.csv d/sub/loop/a10.csv d/sub/loop/a2.csv "
                         "d/sub/loop/b.csv"));
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

static void test_list_errors(void)
{
    char dir[64], a[1024];

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    CU_ASSERT_EQUAL(mkd(dir, "empty"), 0);
    CU_ASSERT_EQUAL(mkd(dir, "onlyhidden"), 0);
    CU_ASSERT_EQUAL(mk(dir, "onlyhidden/_SUCCESS", ""), 0);
    CU_ASSERT_EQUAL(mk(dir, "onlyhidden/.x", "x\n"), 0);
    CU_ASSERT_TRUE(list_fails(dir, "empty", TK_ENOINPUT, "empty: no input files"));
    CU_ASSERT_TRUE(list_fails(dir, "onlyhidden", TK_ENOINPUT, "onlyhidden: no input files"));
    CU_ASSERT_TRUE(list_fails(dir, "nothing*.csv", TK_ENOINPUT, "nothing*.csv: no input files"));
    CU_ASSERT_TRUE(list_fails(dir, "missing.csv", TK_ENOINPUT, "missing.csv: No such file"));
    /* FIFOs refused without blocking: named, found in a folder, matched */
    CU_ASSERT_EQUAL(mkd(dir, "f"), 0);
    CU_ASSERT_EQUAL(mk(dir, "f/a.csv", "x\n"), 0);
    snprintf(a, sizeof(a), "%s/f/pipe", dir);
    CU_ASSERT_EQUAL_FATAL(mkfifo(a, 0644), 0);
    CU_ASSERT_TRUE(list_fails(dir, "f/pipe", TK_ENOINPUT, "f/pipe: not a regular file"));
    CU_ASSERT_TRUE(list_fails(dir, "f", TK_ENOINPUT, "f/pipe: not a regular file"));
    CU_ASSERT_TRUE(list_fails(dir, "f/p*", TK_ENOINPUT, "f/pipe: not a regular file"));
    CU_ASSERT_TRUE(list_fails(dir, "../../dev/null", TK_ENOINPUT, "not a regular file"));
    /* a dangling symlink in a folder */
    CU_ASSERT_EQUAL(mkd(dir, "dl"), 0);
    CU_ASSERT_EQUAL(mk(dir, "dl/a.csv", "x\n"), 0);
    snprintf(a, sizeof(a), "%s/dl/gone", dir);
    CU_ASSERT_EQUAL(symlink("/nonexistent/tk_unit_target", a), 0);
    CU_ASSERT_TRUE(list_fails(dir, "dl", TK_ENOINPUT, "dl/gone: No such file"));
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* A reader opened on a FIFO (a tk_input_file made by hand) is refused at
 * once instead of blocking. */
static void test_reader_fifo(void)
{
    char dir[64], a[1024];
    tk_input_file f;
    tk_reader r;
    tk_err e;
    int comp;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(a, sizeof(a), "%s/pipe", dir);
    CU_ASSERT_EQUAL_FATAL(mkfifo(a, 0644), 0);
    for (comp = 0; comp < 4; comp++) {
        memset(&f, 0, sizeof(f));
        f.path = a;
        f.comp = (tk_comp)comp;
        tk_err_clear(&e);
        CU_ASSERT_EQUAL(tk_reader_open(&r, &f, 0, 100, 4096, &e), TK_ENOINPUT);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not a regular file"));
        tk_reader_close(&r);
    }
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

/* ---- against the system tools ---- */

/* Runs cmd, appending its standard output to out. Returns 0, or -1 when it
 * fails. */
static int run_output(const char *cmd, sbuf *out)
{
    FILE *p = popen(cmd, "r");
    char buf[65536];
    size_t got;

    if (!p)
        return -1;
    while ((got = fread(buf, 1, sizeof(buf), p)) > 0)
        sb_add(out, buf, got);
    return pclose(p) == 0 ? 0 : -1;
}

/* Random lines (random bytes but LF and NUL, random lengths up to 3000) in
 * a plain file compressed by gzip, zstd and bgzip: the reader's lines in 1..5
 * parts equal zcat's, zstdcat's and bgzip -dc's output. */
static void test_system_tools(void)
{
    static const char *const tools[][2] = {
        { "gzip -c -6", "zcat" }, { "zstd -q -c -3", "zstdcat" }, { "bgzip -c", "bgzip -dc" },
        { "gzip -c -1", "gzip -dc" }
    };
    static const tk_comp comps[] = { TK_COMP_GZIP, TK_COMP_ZSTD, TK_COMP_BGZF, TK_COMP_GZIP };
    char dir[64], plain[600], comp[700], cmd[2000];
    unsigned long long s = 2024;
    sbuf c = { 0 };
    size_t i, k;

    CU_ASSERT_EQUAL_FATAL(unit_tmpdir(dir, sizeof(dir)), 0);
    snprintf(plain, sizeof(plain), "%s/random.csv", dir);
    for (i = 0; i < 1500; i++) {
        size_t n = (size_t)(unit_rand(&s) % 3000);
        if (i % 17 == 0)
            n = 0;
        for (k = 0; k < n; k++) {
            char ch = (char)(unit_rand(&s) % 255 + 1);
            if (ch == '\n')
                ch = '\r';
            sb_add(&c, &ch, 1);
        }
        sb_add(&c, "\n", 1);
    }
    sb_add(&c, "no newline at the end", 21);
    CU_ASSERT_EQUAL_FATAL(write_bytes(plain, c.p, c.n), 0);
    for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
        sbuf tool = { 0 };
        snprintf(comp, sizeof(comp), "%s.%zu", plain, i);
        snprintf(cmd, sizeof(cmd), "%s < '%s' > '%s'", tools[i][0], plain, comp);
        CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
        snprintf(cmd, sizeof(cmd), "%s < '%s'", tools[i][1], comp);
        CU_ASSERT_EQUAL_FATAL(run_output(cmd, &tool), 0);
        CU_ASSERT_TRUE(tool.n == c.n && memcmp(tool.p, c.p, c.n) == 0); /* the tools agree */
        check_splits(comp, comps[i], &tool); /* the reader's lines are the tool's */
        sb_free(&tool);
    }
    sb_free(&c);
    CU_ASSERT_EQUAL(unit_rmtree(dir), 0);
}

int unit_register_input(void)
{
    static const unit_test tests[] = {
        { "plain: every split reads each line once", test_plain_splits },
        { "gzip: one and several members, every split", test_gzip_splits },
        { "bgzf: every split, every block a range", test_bgzf_splits },
        { "zstd: one and several frames, with and without sizes", test_zstd_splits },
        { "small files of every kind", test_small_files },
        { "bgzf read whole as gzip; two bgzf files concatenated", test_bgzf_as_gzip },
        { "gzip: truncated, bad CRC, ISIZE, header, data, garbage after", test_gzip_corrupt },
        { "zstd: truncated, garbage frames, bad checksum", test_zstd_corrupt },
        { "bgzf: broken header, bad data, truncated, no EOF block", test_bgzf_corrupt },
        { "a line over the maximum in gzip and zstd", test_line_too_long },
        { "magic bytes, estimates, splits, ranges, counters", test_magic_and_estimates },
        { "zstd and bgzf estimates, fewer ranges than parts", test_estimates_zstd_bgzf },
        { "a file changed after listing or while read", test_changed },
        { "list: file, folder, recursive, globs, hidden, sorting, duplicates", test_list },
        { "list: nothing found, missing, FIFOs, dangling links", test_list_errors },
        { "reader: a FIFO refused without blocking", test_reader_fifo },
        { "differential: zcat, zstdcat, bgzip -dc", test_system_tools },
        { NULL, NULL }
    };
    return unit_add_suite("input", tests);
}
