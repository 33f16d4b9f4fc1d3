/* tk_csv.h -- delimited text input: libcsv field splitting, header column
 * lookup, and a reader that streams the lines starting in a byte range.
 *
 * Records are lines: a row ends at LF (a CR before it is dropped), so byte
 * ranges can be split on line boundaries by any rank; a quote left open at
 * the end of a line makes that line a bad row. */
#ifndef TK_CSV_H
#define TK_CSV_H

#include <csv.h>
#include <stddef.h>
#include <stdint.h>

#include "tk_status.h"

/* ---- field splitting ---- */

typedef struct tk_csv {
    struct csv_parser parser;
    unsigned char delim;
    int fast;            /* lines without a quote, CR or LF may skip libcsv */
    char *buf;           /* the row's fields, each NUL-terminated */
    size_t buf_len, buf_cap;
    size_t *off, *len;   /* per field: offset in buf and length */
    size_t nfields, fields_cap;
    size_t nrows;        /* rows libcsv reported for the current line */
    int nomem;
} tk_csv;

/* Local. Prepares a splitter for fields separated by delim. Owns its buffers:
 * release with tk_csv_free. Returns TK_OK or TK_ESOFTWARE. */
int tk_csv_init(tk_csv *c, unsigned char delim);

/* Local. */
void tk_csv_free(tk_csv *c);

/* Local. Splits one line (without its LF; a final CR is ignored) into
 * fields as libcsv does in strict mode: unquoted fields lose the spaces and
 * tabs around them (but not the delimiter). A line holding no quote, CR or LF
 * is split by a fast path (SSE2) into the same fields; any other line goes to
 * libcsv. Returns TK_OK, TK_EDATA when the quoting is malformed or the line
 * holds a stray line break (*why says which; NULL on TK_OK), or TK_ESOFTWARE
 * when out of memory. Each field is NUL-terminated (borrowed: valid until the
 * next call). */
int tk_csv_split(tk_csv *c, const char *line, size_t len, const char **why);

static inline size_t tk_csv_nfields(const tk_csv *c) { return c->nfields; }
static inline const char *tk_csv_field(const tk_csv *c, size_t i) { return c->buf + c->off[i]; }
static inline size_t tk_csv_field_len(const tk_csv *c, size_t i) { return c->len[i]; }

/* Local. Finds each of the names[0..n) among the fields of the split header
 * line and stores its index in idx[]. Returns TK_OK, or TK_EDATA naming the
 * first missing column (and listing the header) in e, labelled with path. */
int tk_csv_columns(const tk_csv *c, const char *const *names, size_t n, int *idx,
                   const char *path, tk_err *e);

/* ---- line reader over a byte range ---- */

typedef struct tk_lines {
    int fd;
    const char *path;     /* borrowed, for messages */
    uint64_t size;        /* file size at open */
    int64_t mtime_ns;     /* modification time at open, in ns */
    uint64_t end;         /* lines must start before this offset */
    uint64_t next;        /* file offset of the next line's first byte */
    uint64_t buf_pos;     /* file offset of buf[0] */
    char *buf;
    size_t buf_len, buf_cap, chunk;
    uint64_t lines;       /* lines returned so far */
} tk_lines;

#define TK_LINES_MAX_LINE (64u << 20)

/* Local. Opens path and positions on the first line that starts in
 * [start, end): the line at start itself when start is 0 or follows a LF,
 * otherwise the line after the next LF. Reads chunk bytes at a time. Owns the
 * descriptor and buffer: release with tk_lines_close. A FIFO or device is
 * refused without blocking ("not a regular file"). Returns TK_OK,
 * TK_ENOINPUT (cannot open), TK_EIO or TK_ESOFTWARE, with a message in e. */
int tk_lines_open(tk_lines *r, const char *path, uint64_t start, uint64_t end,
                  size_t chunk, tk_err *e);

/* Local. Returns 1 and the next line (without LF; valid until the next call)
 * when one starts before the range's end, 0 when done, or a negative value
 * with an error in e (read failure, the file shorter than at open: TK_EIO,
 * or a line over TK_LINES_MAX_LINE bytes). */
int tk_lines_next(tk_lines *r, const char **line, size_t *len, tk_err *e);

/* Local. Checks, after the range was read, that the file is still the one
 * the job planned for: its size now equals size and the size at open, its
 * modification time equals mtime_ns and the one at open, and every line of
 * the range was returned. Otherwise TK_EIO naming the file ("changed while
 * being read"). size and mtime_ns come from the rank that split the file. */
int tk_lines_verify(const tk_lines *r, uint64_t size, int64_t mtime_ns, tk_err *e);

/* Local. Bytes of the range consumed so far (for progress). */
uint64_t tk_lines_done(const tk_lines *r, uint64_t start);

/* Local. */
void tk_lines_close(tk_lines *r);

/* ---- the header line ---- */

/* Where a delimited file's header was found. */
typedef struct tk_csv_header {
    uint64_t size;        /* file size at open (for tk_lines_verify) */
    int64_t mtime_ns;     /* modification time at open, in ns (for tk_lines_verify) */
    uint64_t data_start;  /* file offset of the first line after the header */
    unsigned char delim;  /* the delimiter the header was split with */
} tk_csv_header;

/* tk_csv_read_header flag: an empty header line, or one holding a NUL byte,
 * is an error (for a reader that has ruled out HDF5: tk_table). */
#define TK_CSV_HEADER_TEXT 1

/* Local. Opens path (tk_lines_open: a FIFO or device is refused without
 * blocking), reads its first line, drops a UTF-8 byte order mark and splits
 * the line into the fields of c, which this call initializes with delim --
 * or, when delim is 0, with ';' if the line holds one, else ','. On TK_OK
 * the caller owns c (tk_csv_free); on failure c holds nothing. h receives
 * size, mtime_ns, data_start and delim. Errors, with a message in e:
 * tk_lines_open's and tk_lines_next's; TK_EDATA "PATH: empty file (no header
 * line)" or "PATH:1: bad header: WHY"; with TK_CSV_HEADER_TEXT in flags,
 * TK_EDATA "PATH:1: empty header line" or "PATH: neither HDF5 nor CSV (NUL
 * bytes in the first line)"; TK_ESOFTWARE when out of memory. */
int tk_csv_read_header(const char *path, unsigned char delim, int flags, tk_csv *c,
                       tk_csv_header *h, tk_err *e);


#endif
