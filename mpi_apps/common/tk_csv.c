/* tk_csv.c -- line splitting (a fast path for lines without quotes, libcsv
 * for the rest) and line-aligned range reading. */
#include "tk_csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SSE2__) && !defined(TK_CSV_NO_SIMD)
#include <emmintrin.h>
#define TK_CSV_SSE2 1
#endif

#include "tk_csv_internal.h"
#include "tk_text.h"

/* ---- field storage (shared by both paths) ---- */

/* Doubles the per-field arrays. Returns 0, or -1 when out of memory. */
static int fields_grow(tk_csv *c)
{
    size_t cap = c->fields_cap ? c->fields_cap * 2 : 16;
    size_t *off = realloc(c->off, cap * sizeof(*off));
    size_t *len;

    if (!off)
        return -1;
    c->off = off;
    len = realloc(c->len, cap * sizeof(*len));
    if (!len)
        return -1;
    c->len = len;
    c->fields_cap = cap;
    return 0;
}

/* Grows buf to hold at least need bytes. Returns 0, or -1 when out of memory. */
static int buf_reserve(tk_csv *c, size_t need)
{
    size_t cap = c->buf_cap ? c->buf_cap : 256;
    char *b;

    while (cap < need)
        cap *= 2;
    b = realloc(c->buf, cap);
    if (!b)
        return -1;
    c->buf = b;
    c->buf_cap = cap;
    return 0;
}

static void csv_on_field(void *s, size_t n, void *data)
{
    tk_csv *c = data;

    if (c->nomem)
        return;
    if ((c->nfields == c->fields_cap && fields_grow(c) != 0) ||
        (c->buf_len + n + 1 > c->buf_cap && buf_reserve(c, c->buf_len + n + 1) != 0)) {
        c->nomem = 1;
        return;
    }
    if (n)
        memcpy(c->buf + c->buf_len, s, n);
    c->buf[c->buf_len + n] = '\0';
    c->off[c->nfields] = c->buf_len;
    c->len[c->nfields] = n;
    c->nfields++;
    c->buf_len += n + 1;
}

static void csv_on_row(int term, void *data)
{
    tk_csv *c = data;

    (void)term;
    c->nrows++;
}

static int csv_setup(tk_csv *c)
{
    if (csv_init(&c->parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return TK_ESOFTWARE;
    csv_set_delim(&c->parser, c->delim);
    return TK_OK;
}

int tk_csv_init(tk_csv *c, unsigned char delim)
{
    memset(c, 0, sizeof(*c));
    c->delim = delim;
    /* libcsv gives a quote, CR or LF delimiter its own meaning: no fast path */
    c->fast = delim != '"' && delim != '\r' && delim != '\n';
    return csv_setup(c);
}

void tk_csv_free(tk_csv *c)
{
    csv_free(&c->parser);
    free(c->buf);
    free(c->off);
    free(c->len);
    memset(c, 0, sizeof(*c));
}

/* ---- the libcsv path (the parser of record) ---- */

/* tk_csv_split on a line whose final CR is already dropped. */
static int split_libcsv(tk_csv *c, const char *line, size_t len, const char **why)
{
    size_t used;
    int bad = 0;

    c->nfields = 0;
    c->buf_len = 0;
    c->nrows = 0;
    c->nomem = 0;
    *why = NULL;
    used = csv_parse(&c->parser, line, len, csv_on_field, csv_on_row, c);
    if (used != len)
        bad = 1;
    else if (c->nrows > 0) {
        /* libcsv ended a row before the end of the line: an unquoted CR */
        csv_free(&c->parser);
        if (csv_setup(c) != TK_OK)
            return TK_ESOFTWARE;
        *why = "carriage return inside the row";
        return TK_EDATA;
    } else if (csv_fini(&c->parser, csv_on_field, csv_on_row, c) != 0)
        bad = 1;
    if (bad) {
        int status = csv_error(&c->parser);
        /* the parser is left mid-row: start a fresh one */
        csv_free(&c->parser);
        if (csv_setup(c) != TK_OK || status == CSV_ENOMEM || status == CSV_ETOOBIG)
            return TK_ESOFTWARE;
        *why = "malformed quoting";
        return TK_EDATA;
    }
    if (c->nomem)
        return TK_ESOFTWARE;
    if (c->nrows == 0 && c->nfields == 0) {
        /* libcsv reports nothing for a line of blanks: one empty field */
        csv_on_field((void *)"", 0, c);
        if (c->nomem)
            return TK_ESOFTWARE;
    }
    return TK_OK;
}

/* ---- the fast path: lines without a quote, CR or LF ----
 * Such a line is, for libcsv, its delimiters' count + 1 fields, each the bytes
 * between two delimiters with the spaces and tabs at both ends trimmed (a
 * space or tab delimiter is never inside a field, so trimming it is moot); a
 * line of blanks is one empty field. The line is copied into buf as it is
 * scanned, and each field is NUL-terminated in place at its trimmed end, which
 * is at or before the delimiter after it (or at buf[len]). */

/* The scan's copy of c's field arrays, held in registers (a store into buf
 * may alias any field of c, which would then be reloaded at every field). */
typedef struct fast_st {
    char *buf;
    size_t *off, *len;
    size_t n, cap, start; /* fields so far, their capacity, the next one's start */
} fast_st;

static inline int is_blank(char ch) { return (unsigned char)ch <= ' ' && (ch == ' ' || ch == '\t'); }

/* Records the field buf[f->start, e), trimmed and NUL-terminated, and starts
 * the next one after e. Returns 0, or -1 when out of memory. */
static inline __attribute__((always_inline)) int fast_field(tk_csv *c, fast_st *f, size_t e)
{
    size_t s = f->start;

    if (f->n == f->cap) {
        c->nfields = f->n;
        if (fields_grow(c) != 0)
            return -1;
        f->off = c->off;
        f->len = c->len;
        f->cap = c->fields_cap;
    }
    f->start = e + 1;
    while (s < e && is_blank(f->buf[s]))
        s++;
    while (e > s && is_blank(f->buf[e - 1]))
        e--;
    f->buf[e] = '\0';
    f->off[f->n] = s;
    f->len[f->n] = e - s;
    f->n++;
    return 0;
}

#ifdef TK_CSV_SSE2
static inline uint64_t load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t load32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The n < 16 bytes at p, then zeros, reading nothing past p + n (x86 is
 * little-endian: byte k of the line is byte k of the vector). */
static inline __m128i load_tail(const char *p, size_t n)
{
    uint64_t lo = 0, hi = 0;

    if (n >= 8) {
        lo = load64(p);
        if (n > 8)
            hi = load64(p + n - 8) >> (8 * (16 - n));
    } else if (n >= 4)
        lo = load32(p) | load32(p + n - 4) << (8 * (n - 4));
    else if (n > 0)
        lo = (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] << (8 * (n / 2)) |
             (uint64_t)(unsigned char)p[n - 1] << (8 * (n - 1));
    return _mm_set_epi64x((long long)hi, (long long)lo);
}

/* Stores v, the 16 bytes of the line from offset at, into buf at at and
 * records the fields that end in it (vd: the delimiter in every byte; keep:
 * the bits of the bytes that belong to the line). Returns 1, 0 when v holds a
 * quote, CR or LF, or -1 when out of memory. */
static inline __attribute__((always_inline)) int fast_block(tk_csv *c, fast_st *f, __m128i v,
                                                            __m128i vd, size_t at,
                                                            unsigned keep)
{
    __m128i special = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                   _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
    unsigned dm;

    special = _mm_or_si128(special, _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
    if ((unsigned)_mm_movemask_epi8(special) & keep)
        return 0;
    _mm_storeu_si128((__m128i *)(void *)(f->buf + at), v);
    dm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vd)) & keep;
    while (dm) {
        if (fast_field(c, f, at + (size_t)__builtin_ctz(dm)) != 0)
            return -1;
        dm &= dm - 1;
    }
    return 1;
}

/* Splits line[0, len) into buf (len + 16 bytes) 16 bytes at a time. */
static int fast_scan(tk_csv *c, const char *line, size_t len)
{
    fast_st f = { c->buf, c->off, c->len, 0, c->fields_cap, 0 };
    const __m128i vd = _mm_set1_epi8((char)c->delim);
    size_t i;
    int rc = 1;

    for (i = 0; rc == 1 && i + 16 <= len; i += 16)
        rc = fast_block(c, &f, _mm_loadu_si128((const __m128i *)(const void *)(line + i)), vd,
                        i, 0xFFFFu);
    if (rc == 1 && i < len)
        rc = fast_block(c, &f, load_tail(line + i, len - i), vd, i, (1u << (len - i)) - 1);
    if (rc == 1 && fast_field(c, &f, len) != 0)
        rc = -1;
    c->nfields = f.n;
    return rc;
}
#else
/* Splits line[0, len) into buf a byte at a time (no SSE2). */
static int fast_scan(tk_csv *c, const char *line, size_t len)
{
    fast_st f = { c->buf, c->off, c->len, 0, c->fields_cap, 0 };
    size_t i;
    int rc = 1;

    for (i = 0; rc == 1 && i < len; i++) {
        f.buf[i] = line[i];
        if ((unsigned char)line[i] == c->delim)
            rc = fast_field(c, &f, i) != 0 ? -1 : 1;
        else if (line[i] == '"' || line[i] == '\r' || line[i] == '\n')
            rc = 0;
    }
    if (rc == 1 && fast_field(c, &f, len) != 0)
        rc = -1;
    c->nfields = f.n;
    return rc;
}
#endif

/* The fast path on a line whose final CR is already dropped: 1 when it split
 * the line, 0 when the line is libcsv's to split, -1 when out of memory. */
static inline __attribute__((always_inline)) int split_fast(tk_csv *c, const char *line,
                                                            size_t len)
{
    if (!c->fast)
        return 0;
    if (len + 16 > c->buf_cap && (len + 16 < len || buf_reserve(c, len + 16) != 0))
        return -1;
    c->buf_len = len + 1;
    return fast_scan(c, line, len);
}

/* ---- splitting: the fast path when it can, else libcsv ---- */

int tk_csv_split(tk_csv *c, const char *line, size_t len, const char **why)
{
    int rc;

    if (len > 0 && line[len - 1] == '\r')
        len--;
    *why = NULL;
    rc = split_fast(c, line, len);
    if (rc != 0)
        return rc > 0 ? TK_OK : TK_ESOFTWARE;
    return split_libcsv(c, line, len, why);
}

int tk_csv_split_libcsv(tk_csv *c, const char *line, size_t len, const char **why)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    return split_libcsv(c, line, len, why);
}

int tk_csv_split_fast(tk_csv *c, const char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    return split_fast(c, line, len);
}

int tk_csv_columns(const tk_csv *c, const char *const *names, size_t n, int *idx,
                   const char *path, tk_err *e)
{
    size_t i, j;
    char name[128];

    for (i = 0; i < n; i++) {
        idx[i] = -1;
        tk_log_escapez(name, sizeof(name), names[i], 100);
        for (j = 0; j < c->nfields; j++)
            if (strcmp(tk_csv_field(c, j), names[i]) == 0) {
                if (idx[i] >= 0)
                    return tk_err_set(e, TK_EDATA,
                                      "%s: column '%s' appears more than once in the header",
                                      path, name);
                idx[i] = (int)j;
            }
        if (idx[i] < 0) {
            static const char cand[] = "\t;,|";
            char have[256] = "", one[256];
            size_t used = 0, k;
            for (j = 0; j < c->nfields && used < sizeof(have) - 1; j++)
                used += (size_t)snprintf(
                    have + used, sizeof(have) - used, "%s%s", j ? "," : "",
                    tk_log_escape(one, sizeof(one), tk_csv_field(c, j), tk_csv_field_len(c, j),
                                  100));
            for (k = 0; c->nfields == 1 && cand[k]; k++)
                if (cand[k] != (char)c->delim &&
                    memchr(tk_csv_field(c, 0), cand[k], tk_csv_field_len(c, 0)))
                    return tk_err_set(e, TK_EDATA,
                                      "%s: missing column '%s' (the header has one field; is "
                                      "the file '%s'-delimited?)",
                                      path, name, tk_log_escape(one, sizeof(one), &cand[k], 1, 1));
            return tk_err_set(e, TK_EDATA, "%s: missing column '%s' (header has: %s)", path,
                              name, have);
        }
    }
    return TK_OK;
}

int tk_csv_read_header(const char *path, unsigned char delim, int flags, tk_csv *c,
                       tk_csv_header *h, tk_err *e)
{
    tk_lines r;
    const char *line, *why;
    size_t len;
    int rc;

    memset(c, 0, sizeof(*c));
    memset(h, 0, sizeof(*h));
    if (tk_lines_open(&r, path, 0, 1, 64u << 10, e) != TK_OK)
        return e->status;
    h->size = r.size;
    h->mtime_ns = r.mtime_ns;
    rc = tk_lines_next(&r, &line, &len, e);
    if (rc == 0)
        tk_err_set(e, TK_EDATA, "%s: empty file (no header line)", path);
    if (rc <= 0)
        goto out;
    h->data_start = r.next;
    if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) { /* UTF-8 byte order mark */
        line += 3;
        len -= 3;
    }
    if ((flags & TK_CSV_HEADER_TEXT) && memchr(line, '\0', len)) {
        tk_err_set(e, TK_EDATA, "%s: neither HDF5 nor CSV (NUL bytes in the first line)", path);
        goto out;
    }
    if ((flags & TK_CSV_HEADER_TEXT) && (len == 0 || (len == 1 && line[0] == '\r'))) {
        tk_err_set(e, TK_EDATA, "%s:1: empty header line", path);
        goto out;
    }
    h->delim = delim ? delim : memchr(line, ';', len) ? ';' : ',';
    if (tk_csv_init(c, h->delim) != TK_OK) {
        tk_err_set(e, TK_ESOFTWARE, "out of memory");
        goto out;
    }
    rc = tk_csv_split(c, line, len, &why);
    if (rc != TK_OK) {
        tk_err_set(e, rc, "%s:1: bad header: %s", path, why ? why : "out of memory");
        tk_csv_free(c);
    }
out:
    tk_lines_close(&r);
    return e->status;
}

/* Reads more bytes after what buf holds. Returns bytes read (0 at EOF) or -1. */
static ssize_t lines_fill(tk_lines *r, tk_err *e)
{
    uint64_t at = r->buf_pos + r->buf_len;
    size_t want;
    ssize_t got;

    if (r->buf_len + r->chunk > r->buf_cap) {
        size_t cap = r->buf_cap;
        char *b;
        while (cap < r->buf_len + r->chunk)
            cap *= 2;
        if (cap > TK_LINES_MAX_LINE + 2 * r->chunk) {
            tk_err_set(e, TK_EDATA, "%s: a line at byte %llu is longer than %u MiB", r->path,
                       (unsigned long long)r->next, TK_LINES_MAX_LINE >> 20);
            return -1;
        }
        b = realloc(r->buf, cap);
        if (!b) {
            tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", r->path);
            return -1;
        }
        r->buf = b;
        r->buf_cap = cap;
    }
    /* never past the size at open: bytes appended since are not ours */
    want = at < r->size ? (size_t)(r->size - at < r->chunk ? r->size - at : r->chunk) : 0;
    if (want == 0)
        return 0;
    do
        got = pread(r->fd, r->buf + r->buf_len, want, (off_t)at);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
        tk_err_set(e, TK_EIO, "%s: read failed: %s", r->path, strerror(errno));
        return -1;
    }
    r->buf_len += (size_t)got;
    return got;
}

/* Drops the bytes before file offset r->next from the buffer. */
static void lines_compact(tk_lines *r)
{
    size_t drop = (size_t)(r->next - r->buf_pos);

    if (drop == 0)
        return;
    memmove(r->buf, r->buf + drop, r->buf_len - drop);
    r->buf_len -= drop;
    r->buf_pos = r->next;
}

/* Opens path for reading without blocking on a FIFO or device, and checks
 * that it is a regular file; fills r->size and r->mtime_ns. */
static int lines_open_fd(tk_lines *r, const char *path, tk_err *e)
{
    struct stat st;
    int flags;

    r->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (r->fd < 0)
        return tk_err_set(e, TK_ENOINPUT, "%s: %s", path, strerror(errno));
    if (fstat(r->fd, &st) != 0) {
        int err = errno;
        close(r->fd);
        r->fd = -1;
        return tk_err_set(e, TK_ENOINPUT, "%s: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        close(r->fd);
        r->fd = -1;
        return tk_err_set(e, TK_ENOINPUT, "%s: not a regular file", path);
    }
    flags = fcntl(r->fd, F_GETFL);
    if (flags >= 0)
        (void)fcntl(r->fd, F_SETFL, flags & ~O_NONBLOCK);
    r->size = (uint64_t)st.st_size;
    r->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    return TK_OK;
}

int tk_lines_open(tk_lines *r, const char *path, uint64_t start, uint64_t end,
                  size_t chunk, tk_err *e)
{
    int rc;

    memset(r, 0, sizeof(*r));
    r->fd = -1;
    r->path = path;
    r->chunk = chunk;
    if ((rc = lines_open_fd(r, path, e)) != TK_OK)
        return rc;
    (void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    r->buf_cap = 2 * chunk;
    r->buf = malloc(r->buf_cap);
    if (!r->buf) {
        close(r->fd);
        r->fd = -1;
        return tk_err_set(e, TK_ESOFTWARE, "out of memory reading %s", path);
    }
    r->end = end < r->size ? end : r->size;
    r->next = start;
    r->buf_pos = start;
    if (start > 0 && start < r->end) {
        /* the line at start is ours only when the byte before it is a LF */
        char prev;
        ssize_t got;
        do
            got = pread(r->fd, &prev, 1, (off_t)(start - 1));
        while (got < 0 && errno == EINTR);
        if (got != 1) {
            tk_lines_close(r);
            return tk_err_set(e, TK_EIO, "%s: read failed: %s", path,
                              got < 0 ? strerror(errno) : "short read");
        }
        if (prev != '\n') {
            for (;;) {
                char *nl = memchr(r->buf + (r->next - r->buf_pos), '\n',
                                  r->buf_len - (size_t)(r->next - r->buf_pos));
                if (nl) {
                    r->next = r->buf_pos + (uint64_t)(nl - r->buf) + 1;
                    break;
                }
                r->next = r->buf_pos + r->buf_len;
                lines_compact(r);
                if (r->next >= r->end)
                    break;
                ssize_t n = lines_fill(r, e);
                if (n < 0) {
                    tk_lines_close(r);
                    return e->status;
                }
                if (n == 0)
                    break;
            }
        }
    }
    return TK_OK;
}

int tk_lines_next(tk_lines *r, const char **line, size_t *len, tk_err *e)
{
    size_t scanned = 0;

    if (r->next >= r->end)
        return 0;
    for (;;) {
        size_t at = (size_t)(r->next - r->buf_pos);
        size_t avail = r->buf_len - at;
        char *nl = avail > scanned ? memchr(r->buf + at + scanned, '\n', avail - scanned) : NULL;
        if (nl) {
            *line = r->buf + at;
            *len = (size_t)(nl - (r->buf + at));
            r->next += *len + 1;
            r->lines++;
            return 1;
        }
        if (r->buf_pos + r->buf_len >= r->size) {
            /* the last line of the file has no LF */
            if (avail == 0)
                return 0;
            *line = r->buf + at;
            *len = avail;
            r->next += avail;
            r->lines++;
            return 1;
        }
        scanned = avail;
        lines_compact(r);
        ssize_t got = lines_fill(r, e);
        if (got < 0)
            return -1;
        if (got == 0) { /* the file shrank while we read it */
            struct stat st;
            unsigned long long now = fstat(r->fd, &st) == 0 ? (unsigned long long)st.st_size
                                                             : r->buf_pos + r->buf_len;
            tk_err_set(e, TK_EIO,
                       "%s changed while being read: %llu bytes at the start, %llu now",
                       r->path, (unsigned long long)r->size, now);
            return -1;
        }
    }
}

int tk_lines_verify(const tk_lines *r, uint64_t size, int64_t mtime_ns, tk_err *e)
{
    struct stat st;
    int64_t now_ns;

    if (fstat(r->fd, &st) != 0)
        return tk_err_set(e, TK_EIO, "%s: %s", r->path, strerror(errno));
    now_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if ((uint64_t)st.st_size != size || r->size != size)
        return tk_err_set(e, TK_EIO,
                          "%s changed while being read: %llu bytes at the start, %llu now",
                          r->path, (unsigned long long)size, (unsigned long long)st.st_size);
    if (now_ns != mtime_ns || r->mtime_ns != mtime_ns)
        return tk_err_set(e, TK_EIO, "%s changed while being read (modified during the run)",
                          r->path);
    if (r->next < r->end)
        return tk_err_set(e, TK_EIO, "%s: read stopped at byte %llu before the range's end %llu",
                          r->path, (unsigned long long)r->next, (unsigned long long)r->end);
    return TK_OK;
}

uint64_t tk_lines_done(const tk_lines *r, uint64_t start)
{
    return r->next > start ? r->next - start : 0;
}

void tk_lines_close(tk_lines *r)
{
    if (r->fd >= 0)
        close(r->fd);
    free(r->buf);
    r->fd = -1;
    r->buf = NULL;
}
