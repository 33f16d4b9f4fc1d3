/* tk_input_read.c -- the line reader over a range of a plain, gzip, BGZF or
 * zstd file (tk_reader_*): tk_lines for plain files; for the others a
 * decoder (zlib, libzstd) appends decompressed bytes to a buffer that the
 * line splitter below walks, with tk_lines' rules for a range's first and
 * last lines. */
#include "tk_input_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#define NO_LIMIT UINT64_MAX
#define DEFAULT_CHUNK ((size_t)64 << 10)
#define BGZF_MIN_BLOCK 28u /* header 18, empty deflate 2, trailer 8: the EOF block */

static unsigned long long ull(uint64_t v) { return (unsigned long long)v; }

/* The uncompressed offset just past the bytes decoded so far. */
static uint64_t decoded(const tk_reader *r) { return r->buf_uoff + r->buf_len; }

static int fail(tk_reader *r, tk_err *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(tk_reader *r, tk_err *e, int status, const char *fmt, ...)
{
    char msg[TK_ERR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r->failed = status;
    tk_err_set(e, status, "%s", msg);
    return -1;
}

/* Reads the next compressed bytes (at most in_cap, never past the size at
 * open) into in. Returns the bytes read, 0 at the size at open, -1. */
static ssize_t read_in(tk_reader *r, tk_err *e)
{
    size_t want = r->size - r->in_off < r->in_cap ? (size_t)(r->size - r->in_off) : r->in_cap;
    ssize_t got;

    if (want == 0)
        return 0;
    got = tk_in_pread(r->fd, r->in, want, r->in_off);
    if (got < 0)
        return fail(r, e, TK_EIO, "%s: read failed: %s", r->path, strerror(errno));
    if ((size_t)got < want)
        return fail(r, e, TK_EIO, "%s changed while being read: %llu bytes at the start, %llu now",
                    r->path, ull(r->size), ull(r->in_off + (uint64_t)got));
    r->in_len = (size_t)got;
    r->in_pos = 0;
    r->in_off += (uint64_t)got;
    return got;
}

/* ---- gzip: members one after another (inflateReset at each end) ---- */

static int gzip_error(tk_reader *r, tk_err *e, int ret)
{
    const z_stream *zs = r->zs;
    const char *why = zs->msg ? zs->msg : ret == Z_NEED_DICT ? "needs a preset dictionary"
                                                             : zError(ret);
    char after[96] = "";

    if (ret == Z_MEM_ERROR)
        return fail(r, e, TK_ESOFTWARE, "out of memory reading %s", r->path);
    if (r->members > 0 && r->unit_out == 0)
        snprintf(after, sizeof(after), " (the bytes after the member ending at byte %llu)",
                 ull(r->member_end));
    return fail(r, e, TK_EDATA, "%s: corrupt gzip data at uncompressed offset %llu: %s%s",
                r->path, ull(decoded(r)), why, after);
}

/* Decodes more of the stream into buf (room: buf_cap - buf_len > 0). Returns
 * 0 (progress, or the end: r->eof) or -1. */
static int gzip_fill(tk_reader *r, tk_err *e)
{
    z_stream *zs = r->zs;
    size_t room = r->buf_cap - r->buf_len;
    int ret;

    if (r->in_pos == r->in_len) {
        ssize_t got = read_in(r, e);
        if (got < 0)
            return -1;
        if (got == 0) {
            if (r->open_unit)
                return fail(r, e, TK_EDATA, "%s: gzip data truncated at uncompressed offset %llu",
                            r->path, ull(decoded(r)));
            r->eof = 1;
            return 0;
        }
    }
    if (!r->open_unit) { /* a member starts here */
        if (r->members > 0 && inflateReset(zs) != Z_OK)
            return fail(r, e, TK_ESOFTWARE, "%s: inflateReset failed", r->path);
        r->open_unit = 1;
        r->unit_out = 0;
    }
    zs->next_in = r->in + r->in_pos;
    zs->avail_in = (uInt)(r->in_len - r->in_pos);
    zs->next_out = (Bytef *)r->buf + r->buf_len;
    zs->avail_out = room > UINT32_MAX ? UINT32_MAX : (uInt)room;
    ret = inflate(zs, Z_NO_FLUSH);
    r->in_pos = r->in_len - zs->avail_in;
    r->unit_out += (size_t)((char *)zs->next_out - (r->buf + r->buf_len));
    r->buf_len = (size_t)((char *)zs->next_out - r->buf);
    if (ret == Z_STREAM_END) {
        r->open_unit = 0;
        r->members++;
        r->member_end = r->in_off - (r->in_len - r->in_pos);
        return 0;
    }
    if (ret == Z_OK || (ret == Z_BUF_ERROR && zs->avail_in == 0))
        return 0;
    return gzip_error(r, e, ret);
}

/* ---- zstd: frames one after another (libzstd's streaming API) ---- */

static int zstd_fill(tk_reader *r, tk_err *e)
{
    ZSTD_outBuffer out = { r->buf + r->buf_len, r->buf_cap - r->buf_len, 0 };
    ZSTD_inBuffer in;
    size_t ret;
    int last = 0; /* all the input is in: only buffered output may come */

    if (r->in_pos == r->in_len) {
        ssize_t got = read_in(r, e);
        if (got < 0)
            return -1;
        if (got == 0 && !r->open_unit) {
            r->eof = 1;
            return 0;
        }
        last = got == 0;
    }
    in.src = r->in;
    in.size = r->in_len;
    in.pos = r->in_pos;
    ret = ZSTD_decompressStream(r->zd, &out, &in);
    r->in_pos = in.pos;
    r->buf_len += out.pos;
    if (ZSTD_isError(ret))
        return fail(r, e, TK_EDATA, "%s: corrupt zstd data at uncompressed offset %llu: %s",
                    r->path, ull(decoded(r)), ZSTD_getErrorName(ret));
    r->open_unit = ret != 0;
    if (last && r->open_unit && out.pos == 0) /* the frame wants more input */
        return fail(r, e, TK_EDATA, "%s: zstd data truncated at uncompressed offset %llu",
                    r->path, ull(decoded(r)));
    return 0;
}

/* ---- BGZF: one block at a time, each a gzip member ---- */

/* Inflates the whole block blk[0..blen) into out (TK_BGZF_BLOCK_MAX bytes).
 * Returns its uncompressed size, or -1 with *why. */
static long inflate_block(z_stream *zs, const unsigned char *blk, uint32_t blen, char *out,
                          const char **why)
{
    int ret;

    if (inflateReset(zs) != Z_OK) {
        *why = "inflateReset failed";
        return -1;
    }
    zs->next_in = (Bytef *)(uintptr_t)blk;
    zs->avail_in = blen;
    zs->next_out = (Bytef *)out;
    zs->avail_out = TK_BGZF_BLOCK_MAX;
    ret = inflate(zs, Z_FINISH);
    if (ret == Z_STREAM_END && zs->avail_in == 0)
        return (long)(TK_BGZF_BLOCK_MAX - zs->avail_out);
    *why = ret == Z_STREAM_END ? "bytes after the end of the block's data"
           : ret == Z_BUF_ERROR && zs->avail_out == 0 ? "more than 64 KiB of data"
           : ret == Z_BUF_ERROR ? "the block's data is cut short"
           : zs->msg ? zs->msg : zError(ret);
    return -1;
}

static int bgzf_fill(tk_reader *r, tk_err *e)
{
    const char *why = NULL;
    uint32_t blen;
    ssize_t got;
    long n;

    if (r->block_off >= r->size) {
        if (r->last_isize != 0)
            return fail(r, e, TK_EDATA,
                        "%s: bgzf data truncated at uncompressed offset %llu (block at byte "
                        "%llu): the file does not end with the empty end-of-file block",
                        r->path, ull(decoded(r)), ull(r->last_block));
        r->eof = 1;
        return 0;
    }
    if (tk_bgzf_block_at(r->fd, r->size, r->block_off, r->path, r->in, &blen, e) != TK_OK) {
        r->failed = e->status;
        return -1;
    }
    got = tk_in_pread(r->fd, r->in, blen, r->block_off);
    if (got != (ssize_t)blen)
        return fail(r, e, TK_EIO, "%s: read failed at byte %llu: %s", r->path,
                    ull(r->block_off), got < 0 ? strerror(errno) : "the file shrank");
    if (r->block_off >= r->end && r->limit_u == NO_LIMIT)
        r->limit_u = decoded(r); /* this block's lines are the next range's */
    n = inflate_block(r->zs, r->in, blen, r->buf + r->buf_len, &why);
    if (n < 0)
        return fail(r, e, TK_EDATA, "%s: corrupt bgzf data at uncompressed offset %llu (block at "
                    "byte %llu): %s", r->path, ull(decoded(r)), ull(r->block_off), why);
    r->buf_len += (size_t)n;
    r->last_block = r->block_off;
    r->last_isize = (uint32_t)n;
    r->block_off += blen;
    return 0;
}

/* Scans the window r->in[0..n) (file offsets lo..) back for the block that
 * ends at its end and inflates it into r->buf. Returns its uncompressed size,
 * or -1: *bad_at and *why name a block that ends there but does not inflate
 * (UINT64_MAX when none does). */
static long bgzf_block_before(tk_reader *r, uint64_t lo, size_t n, uint64_t *found,
                              uint64_t *bad_at, const char **why)
{
    long p;

    for (p = (long)n - (long)BGZF_MIN_BLOCK; p >= 0; p--) {
        uint32_t blen;
        size_t hlen;
        long isize;
        const char *w = NULL;
        if (r->in[p] != 0x1f || r->in[p + 1] != 0x8b ||
            tk_bgzf_parse_header(r->in + p, n - (size_t)p, &blen, &hlen) != 1 ||
            (size_t)p + blen != n)
            continue;
        isize = inflate_block(r->zs, r->in + p, blen, r->buf, &w);
        if (isize >= 0) {
            *found = lo + (uint64_t)p;
            return isize;
        }
        if (*bad_at == UINT64_MAX) {
            *bad_at = lo + (uint64_t)p;
            *why = w;
        }
    }
    return -1;
}

/* Finds the last byte before the block at r->start (> 0): scans back for the
 * block that ends there (a block is at most 64 KiB), checked by inflating it
 * (its CRC included), and on across empty blocks. *byte = -1 when every block
 * before is empty. */
static int bgzf_prev_byte(tk_reader *r, int *byte, tk_err *e)
{
    uint64_t at = r->start;

    *byte = -1;
    while (at > 0) {
        uint64_t lo = at > TK_BGZF_BLOCK_MAX ? at - TK_BGZF_BLOCK_MAX : 0, found = 0;
        uint64_t bad_at = UINT64_MAX;
        size_t n = (size_t)(at - lo);
        const char *why = NULL;
        long isize;

        if (tk_in_pread(r->fd, r->in, n, lo) != (ssize_t)n)
            return tk_err_set(e, TK_EIO, "%s: read failed before byte %llu", r->path, ull(at));
        isize = bgzf_block_before(r, lo, n, &found, &bad_at, &why);
        if (isize < 0 && bad_at != UINT64_MAX)
            return tk_err_set(e, TK_EDATA, "%s: corrupt bgzf data in the block at byte %llu: %s",
                              r->path, ull(bad_at), why);
        if (isize < 0)
            return tk_err_set(e, TK_EDATA,
                              "%s: no bgzf block ends at byte %llu (a range must start at a "
                              "block)", r->path, ull(at));
        if (isize > 0) {
            *byte = (unsigned char)r->buf[isize - 1];
            return TK_OK;
        }
        at = found;
    }
    return TK_OK;
}

/* ---- open, the line splitter, the rest ---- */

static int open_decoder(tk_reader *r, tk_err *e)
{
    int byte;

    if (r->comp == TK_COMP_ZSTD) {
        if (!(r->zd = ZSTD_createDCtx()))
            return tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", r->path);
        return TK_OK;
    }
    if (!(r->zs = calloc(1, sizeof(*r->zs))))
        return tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", r->path);
    if (inflateInit2(r->zs, 15 + 16) != Z_OK) { /* gzip only */
        free(r->zs);
        r->zs = NULL;
        return tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", r->path);
    }
    if (r->comp != TK_COMP_BGZF || r->start == 0)
        return TK_OK;
    if (bgzf_prev_byte(r, &byte, e) != TK_OK)
        return e->status;
    r->skip = byte >= 0 && byte != '\n';
    return TK_OK;
}

int tk_reader_open(tk_reader *r, const tk_input_file *f, uint64_t start, uint64_t end,
                   size_t chunk, tk_err *e)
{
    int rc;

    memset(r, 0, sizeof(*r));
    r->fd = -1;
    r->lines.fd = -1;
    r->comp = f->comp;
    r->path = f->path;
    r->start = start;
    r->chunk = chunk ? chunk : DEFAULT_CHUNK;
    r->limit_u = NO_LIMIT;
    if (r->comp == TK_COMP_NONE)
        return tk_lines_open(&r->lines, f->path, start, end, r->chunk, e);
    if (tk_in_open_regular(f->path, &r->fd, &r->size, &r->mtime_ns, e) != TK_OK)
        return e->status;
    r->end = end < r->size ? end : r->size;
    r->whole = start == 0 && r->end > 0;
    if (start >= r->end || (r->comp != TK_COMP_BGZF && !r->whole)) {
        r->eof = 1; /* an empty range */
        r->limit_u = 0;
        return TK_OK;
    }
    r->in_cap = r->comp == TK_COMP_BGZF ? TK_BGZF_BLOCK_MAX : r->chunk;
    r->buf_cap = 2 * r->chunk + TK_BGZF_BLOCK_MAX;
    r->in = malloc(r->in_cap);
    r->buf = malloc(r->buf_cap);
    r->block_off = start;
    rc = !r->in || !r->buf ? tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", r->path)
                           : open_decoder(r, e);
    if (rc != TK_OK)
        tk_reader_close(r);
    return rc;
}

/* Drops the bytes before pos, makes room for the decoder and decodes more. */
static int fill(tk_reader *r, tk_err *e)
{
    size_t need = r->comp == TK_COMP_BGZF ? TK_BGZF_BLOCK_MAX : r->chunk;

    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->buf_len - r->pos);
        r->buf_len -= r->pos;
        r->buf_uoff += r->pos;
        r->pos = 0;
    }
    if (r->buf_cap - r->buf_len < need) {
        size_t cap = r->buf_cap * 2;
        char *b;
        while (cap - r->buf_len < need)
            cap *= 2;
        if (!(b = realloc(r->buf, cap)))
            return fail(r, e, TK_ESOFTWARE, "out of memory reading %s", r->path);
        r->buf = b;
        r->buf_cap = cap;
    }
    return r->comp == TK_COMP_GZIP ? gzip_fill(r, e)
           : r->comp == TK_COMP_ZSTD ? zstd_fill(r, e)
                                     : bgzf_fill(r, e);
}

/* Drops the bytes through the first LF (the end of the previous range's
 * line). Returns 1 when done, 0 when more must be decoded. */
static int skip_partial(tk_reader *r)
{
    char *nl = memchr(r->buf + r->pos, '\n', r->buf_len - r->pos);

    if (!nl) {
        r->pos = r->buf_len;
        return 0;
    }
    r->pos = (size_t)(nl - r->buf) + 1;
    r->skip = 0;
    return 1;
}

static int next_decoded(tk_reader *r, const char **line, size_t *len, tk_err *e)
{
    size_t scanned = 0;

    for (;;) {
        size_t avail;
        char *nl;

        if (r->skip && !skip_partial(r)) {
            if (r->eof)
                return 0;
            if (fill(r, e) < 0)
                return -1;
            continue;
        }
        avail = r->buf_len - r->pos;
        if (r->buf_uoff + r->pos >= r->limit_u)
            return 0;
        nl = avail > scanned ? memchr(r->buf + r->pos + scanned, '\n', avail - scanned) : NULL;
        if (nl || (r->eof && avail > 0)) {
            *line = r->buf + r->pos;
            *len = nl ? (size_t)(nl - *line) : avail;
            if (*len > TK_LINES_MAX_LINE)
                break;
            r->pos += *len + (nl != NULL);
            r->lines_read++;
            return 1;
        }
        if (r->eof)
            return 0;
        if (avail > TK_LINES_MAX_LINE)
            break;
        scanned = avail;
        if (fill(r, e) < 0)
            return -1;
    }
    return fail(r, e, TK_EDATA,
                        "%s: a line at uncompressed offset %llu is longer than %u MiB", r->path,
                ull(r->buf_uoff + r->pos), TK_LINES_MAX_LINE >> 20);
}

int tk_reader_next(tk_reader *r, const char **line, size_t *len, tk_err *e)
{
    int rc;

    if (r->failed) {
        tk_err_set(e, r->failed, "%s: reading stopped at an earlier error", r->path);
        return -1;
    }
    rc = r->comp == TK_COMP_NONE ? tk_lines_next(&r->lines, line, len, e)
                                 : next_decoded(r, line, len, e);
    if (rc < 0)
        r->failed = e->status ? e->status : TK_ESOFTWARE;
    else if (rc == 0)
        r->ended = 1;
    return rc;
}

int tk_reader_verify(const tk_reader *r, const tk_input_file *f, tk_err *e)
{
    struct stat st;
    int64_t now_ns;

    if (r->comp == TK_COMP_NONE)
        return tk_lines_verify(&r->lines, f->size, f->mtime_ns, e);
    if (fstat(r->fd, &st) != 0)
        return tk_err_set(e, TK_EIO, "%s: %s", r->path, strerror(errno));
    now_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if ((uint64_t)st.st_size != f->size || r->size != f->size)
        return tk_err_set(e, TK_EIO, "%s changed while being read: %llu bytes at the start, %llu now",
                          r->path, ull(f->size), ull((uint64_t)st.st_size));
    if (now_ns != f->mtime_ns || r->mtime_ns != f->mtime_ns)
        return tk_err_set(e, TK_EIO, "%s changed while being read (modified during the run)",
                          r->path);
    if (r->failed)
        return tk_err_set(e, r->failed, "%s: reading stopped at an error", r->path);
    if (!r->ended)
        return tk_err_set(e, TK_EIO, "%s: read stopped at uncompressed offset %llu before the "
                          "range's end", r->path, ull(tk_reader_uoffset(r)));
    if (r->comp != TK_COMP_BGZF && r->whole &&
        (!r->eof || r->open_unit || r->in_off != r->size || r->in_pos != r->in_len))
        return tk_err_set(e, TK_EDATA, "%s: the %s stream does not end at the end of the file",
                          r->path, tk_comp_name(r->comp));
    return TK_OK;
}

uint64_t tk_reader_done(const tk_reader *r)
{
    uint64_t len, done;

    if (r->comp == TK_COMP_NONE) {
        len = r->lines.end > r->start ? r->lines.end - r->start : 0;
        done = tk_lines_done(&r->lines, r->start);
    } else {
        len = r->end > r->start ? r->end - r->start : 0;
        if (r->comp == TK_COMP_BGZF)
            done = r->block_off - r->start;
        else if (r->whole)
            done = r->in_off - (r->in_len - r->in_pos);
        else
            done = len;
        if (r->eof)
            done = len;
    }
    return done < len ? done : len;
}

uint64_t tk_reader_lines(const tk_reader *r)
{
    return r->comp == TK_COMP_NONE ? r->lines.lines : r->lines_read;
}

uint64_t tk_reader_uoffset(const tk_reader *r)
{
    return r->comp == TK_COMP_NONE ? r->lines.next : r->buf_uoff + r->pos;
}

void tk_reader_close(tk_reader *r)
{
    tk_lines_close(&r->lines);
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    if (r->zs) {
        inflateEnd(r->zs);
        free(r->zs);
        r->zs = NULL;
    }
    ZSTD_freeDCtx(r->zd);
    r->zd = NULL;
    free(r->in);
    free(r->buf);
    r->in = NULL;
    r->buf = NULL;
}
