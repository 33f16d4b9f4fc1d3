/* genlogs_out.c -- compressed outputs and LOG2 as a folder of files.
 *
 * A sink's codec compresses what the sink flushes: zlib writes one gzip
 * member (level 1), libzstd one frame (level 1, with a checksum), htslib's
 * BGZF writer (bgzf_dopen on the sink's temporary file, level 1) blocks of at
 * most 64 KiB and the end-of-file block. Nothing is compressed by hand.
 *
 * With --files N (N > 1) or --compress, LOG2 is the folder OUTDIR/log2/ of N
 * files named for the days from 2017-10-18 on (2017-10-18.csv, 2017-10-19.csv
 * ..., with the compression's suffix), each with the header line, holding the
 * rows in order split into N nearly equal parts: file k has the rows
 * [n*k/N, n*(k+1)/N). The folder is written as a hidden temporary sibling
 * (each file in it under a temporary name, renamed when complete) and
 * published by one rename, replacing an older OUTDIR/log2/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <htslib/bgzf.h>
#include <zlib.h>
#include <zstd.h>

#include "genlogs.h"
#include "tk_cleanup.h"
#include "tk_fs.h"

#define GL_ZBUF ((size_t)1 << 20)
#define GL_OUT_BUF ((size_t)8 << 20) /* the rows of a LOG2 file before a flush */
#define GL_GZIP_LEVEL 1
#define GL_ZSTD_LEVEL 1
#define GL_BGZF_MODE "w1"

static const char log2_header[] = "hour;userId;songId;genderId;deviceId";

/* Writes p[0..n) to the file as is, retrying short writes. */
static int write_raw(gl_sink *s, const char *p, size_t n, tk_err *e)
{
    while (n > 0) {
        ssize_t w = write(s->fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return tk_err_set(e, TK_EIO, "writing %s: %s", s->tmp_path,
                              w < 0 ? strerror(errno) : "no progress");
        p += w;
        n -= (size_t)w;
    }
    return TK_OK;
}

int gl_codec_open(gl_sink *s, tk_err *e)
{
    if (s->comp == TK_COMP_NONE)
        return TK_OK;
    if (s->comp == TK_COMP_BGZF) {
        BGZF *fp = bgzf_dopen(s->fd, GL_BGZF_MODE);
        if (!fp)
            return tk_err_set(e, TK_ESOFTWARE, "cannot start a bgzf writer on %s",
                              s->tmp_path);
        s->codec = fp;
        s->fd = -1; /* bgzf_close closes it */
        return TK_OK;
    }
    s->zcap = GL_ZBUF;
    if (!(s->zbuf = malloc(s->zcap)))
        return tk_err_set(e, TK_ESOFTWARE, "out of memory");
    if (s->comp == TK_COMP_GZIP) {
        z_stream *zs = calloc(1, sizeof(*zs));
        if (!zs || deflateInit2(zs, GL_GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8,
                                Z_DEFAULT_STRATEGY) != Z_OK) {
            free(zs);
            return tk_err_set(e, TK_ESOFTWARE, "cannot start zlib for %s", s->tmp_path);
        }
        s->codec = zs;
        return TK_OK;
    }
    s->codec = ZSTD_createCCtx();
    if (!s->codec ||
        ZSTD_isError(ZSTD_CCtx_setParameter(s->codec, ZSTD_c_compressionLevel, GL_ZSTD_LEVEL)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(s->codec, ZSTD_c_checksumFlag, 1)))
        return tk_err_set(e, TK_ESOFTWARE, "cannot start zstd for %s", s->tmp_path);
    return TK_OK;
}

/* Deflates p[0..n) (flush: Z_NO_FLUSH or Z_FINISH), writing zbuf as it fills. */
static int gzip_write(gl_sink *s, const char *p, size_t n, int flush, tk_err *e)
{
    z_stream *zs = s->codec;
    int ret;

    zs->next_in = (Bytef *)(uintptr_t)p;
    zs->avail_in = (uInt)n;
    do {
        zs->next_out = (Bytef *)s->zbuf;
        zs->avail_out = (uInt)s->zcap;
        ret = deflate(zs, flush);
        if (ret == Z_STREAM_ERROR)
            return tk_err_set(e, TK_ESOFTWARE, "zlib failed on %s", s->tmp_path);
        if (write_raw(s, s->zbuf, s->zcap - zs->avail_out, e) != TK_OK)
            return e->status;
    } while (zs->avail_in > 0 || zs->avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
    return TK_OK;
}

/* Compresses p[0..n) (mode: ZSTD_e_continue or ZSTD_e_end). */
static int zstd_write(gl_sink *s, const char *p, size_t n, ZSTD_EndDirective mode, tk_err *e)
{
    ZSTD_inBuffer in = { p, n, 0 };
    size_t left;

    do {
        ZSTD_outBuffer out = { s->zbuf, s->zcap, 0 };
        left = ZSTD_compressStream2(s->codec, &out, &in, mode);
        if (ZSTD_isError(left))
            return tk_err_set(e, TK_ESOFTWARE, "zstd failed on %s: %s", s->tmp_path,
                              ZSTD_getErrorName(left));
        if (write_raw(s, s->zbuf, out.pos, e) != TK_OK)
            return e->status;
    } while (in.pos < in.size || (mode == ZSTD_e_end && left > 0));
    return TK_OK;
}

int gl_codec_write(gl_sink *s, const char *p, size_t n, tk_err *e)
{
    switch (s->comp) {
    case TK_COMP_GZIP:
        return n ? gzip_write(s, p, n, Z_NO_FLUSH, e) : TK_OK;
    case TK_COMP_ZSTD:
        return n ? zstd_write(s, p, n, ZSTD_e_continue, e) : TK_OK;
    case TK_COMP_BGZF:
        if (n && bgzf_write(s->codec, p, n) != (ssize_t)n)
            return tk_err_set(e, TK_EIO, "writing %s: bgzf_write failed", s->tmp_path);
        return TK_OK;
    case TK_COMP_NONE:
        break;
    }
    return write_raw(s, p, n, e);
}

int gl_codec_finish(gl_sink *s, tk_err *e)
{
    int rc = TK_OK;

    if (s->comp == TK_COMP_GZIP)
        rc = gzip_write(s, "", 0, Z_FINISH, e);
    else if (s->comp == TK_COMP_ZSTD)
        rc = zstd_write(s, "", 0, ZSTD_e_end, e);
    else if (s->comp == TK_COMP_BGZF && s->codec) {
        BGZF *fp = s->codec;
        s->codec = NULL;
        if (bgzf_close(fp) != 0) /* the last block, the EOF block, close */
            rc = tk_err_set(e, TK_EIO, "writing %s: bgzf_close failed", s->tmp_path);
    }
    return rc;
}

void gl_codec_free(gl_sink *s)
{
    if (s->codec) {
        if (s->comp == TK_COMP_GZIP) {
            deflateEnd(s->codec);
            free(s->codec);
        } else if (s->comp == TK_COMP_ZSTD) {
            ZSTD_freeCCtx(s->codec);
        } else if (s->comp == TK_COMP_BGZF) {
            (void)bgzf_close(s->codec);
        }
    }
    s->codec = NULL;
    free(s->zbuf);
    s->zbuf = NULL;
}

const char *gl_comp_suffix(tk_comp comp)
{
    switch (comp) {
    case TK_COMP_GZIP: return ".csv.gz";
    case TK_COMP_ZSTD: return ".csv.zst";
    case TK_COMP_BGZF: return ".csv.bgz";
    case TK_COMP_NONE: break;
    }
    return ".csv";
}

/* ---- LOG2 as a folder of daily files ---- */

int gl_log2_is_folder(const gl_opts *o)
{
    return o->files > 1 || o->comp != TK_COMP_NONE;
}

/* The first row of file k of o->files. */
static uint64_t cut(const gl_ctx *c, int64_t k)
{
    return (uint64_t)c->opt.plays / (uint64_t)c->opt.files * (uint64_t)k +
           (uint64_t)c->opt.plays % (uint64_t)c->opt.files * (uint64_t)k / (uint64_t)c->opt.files;
}

/* Commits the open file (adding its bytes to c->log2). */
static int commit_file(gl_ctx *c, gl_parts *p)
{
    if (gl_sink_commit(&p->s, &c->err) != TK_OK)
        return c->err.status;
    c->log2.bytes += p->s.disk_bytes;
    c->log2.ubytes += p->s.bytes;
    c->log2.files++;
    return TK_OK;
}

/* Opens file p->file (named for its day) and writes the header into it. */
static int open_file(gl_ctx *c, gl_parts *p)
{
    char name[64];
    const char *dir = p->tmpdir[0] ? p->tmpdir : c->opt.outdir;

    if (p->tmpdir[0])
        snprintf(name, sizeof(name), "%04d-%02d-%02d%s", p->y, p->m, p->d,
                 gl_comp_suffix(c->opt.comp));
    else
        snprintf(name, sizeof(name), "log2.csv");
    if (gl_sink_open(&p->s, dir, name, GL_OUT_BUF, c->opt.comp, &c->err) != TK_OK)
        return c->err.status;
    memcpy(p->s.buf, log2_header, sizeof(log2_header) - 1);
    memcpy(p->s.buf + sizeof(log2_header) - 1, c->eol, c->eol_len);
    p->s.len = sizeof(log2_header) - 1 + c->eol_len;
    p->next_cut = cut(c, p->file + 1);
    return TK_OK;
}

int gl_parts_begin(gl_ctx *c, gl_parts *p)
{
    int n;

    memset(p, 0, sizeof(*p));
    p->s.fd = -1;
    p->y = GL_START_YEAR;
    p->m = GL_START_MONTH;
    p->d = GL_START_DAY;
    if (gl_log2_is_folder(&c->opt)) {
        n = snprintf(p->final, sizeof(p->final), "%s/log2", c->opt.outdir);
        if (n < 0 || (size_t)n >= sizeof(p->final))
            return tk_err_set(&c->err, TK_ECANTCREAT, "path too long: %s/log2", c->opt.outdir);
        if (tk_fs_mktmpdir(p->final, "tmp", p->tmpdir, sizeof(p->tmpdir), &c->err) != TK_OK)
            return c->err.status;
    }
    if (open_file(c, p) != TK_OK) {
        gl_parts_abort(p);
        return c->err.status;
    }
    return TK_OK;
}

/* Commits the open file and opens the next day's. */
static int next_file(gl_ctx *c, gl_parts *p)
{
    if (commit_file(c, p) != TK_OK)
        return c->err.status;
    p->file++;
    if (++p->d > gl_month_days(p->m, p->y)) {
        p->d = 1;
        if (++p->m > 12) {
            p->m = 1;
            p->y++;
        }
    }
    return open_file(c, p);
}

int gl_parts_row(gl_ctx *c, gl_parts *p, uint64_t i)
{
    while (i == p->next_cut && p->file + 1 < c->opt.files)
        if (next_file(c, p) != TK_OK)
            return c->err.status;
    return TK_OK;
}

int gl_parts_end(gl_ctx *c, gl_parts *p)
{
    while (p->file + 1 < c->opt.files)
        if (next_file(c, p) != TK_OK)
            goto fail;
    if (commit_file(c, p) != TK_OK)
        goto fail;
    if (p->tmpdir[0]) {
        if (tk_fs_fsync_path(p->tmpdir) != 0 ||
            tk_fs_publish(p->tmpdir, p->final, 1, &c->err) != TK_OK) {
            tk_err_set(&c->err, TK_ECANTCREAT, "cannot publish %s: %s", p->final,
                       strerror(errno));
            goto fail;
        }
        tk_cleanup_forget(p->tmpdir);
        p->tmpdir[0] = '\0';
    }
    return TK_OK;
fail:
    gl_parts_abort(p);
    return c->err.status;
}

void gl_parts_abort(gl_parts *p)
{
    gl_sink_abort(&p->s);
    if (p->tmpdir[0]) {
        (void)tk_fs_rmtree(p->tmpdir);
        tk_cleanup_forget(p->tmpdir);
        p->tmpdir[0] = '\0';
    }
}
