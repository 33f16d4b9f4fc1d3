/* tk_input.h -- input files for the line readers: listing a file, a folder or
 * a glob pattern; the compression of each file by its magic bytes (plain,
 * gzip, BGZF, zstd); splitting a file into ranges that ranks read alone; and
 * a line reader over one range with the contract of tk_lines (tk_csv.h).
 *
 * Decompression is zlib's (gzip, and each BGZF block as the gzip member it
 * is) and libzstd's; nothing is decompressed by hand. Every function here is
 * local: a caller that lists or splits on one rank sends the result to the
 * others and agrees on errors itself.
 *
 * Files: tk_input.c (names, listing, magic bytes, size estimates),
 * tk_input_split.c (BGZF block and zstd frame walks, splitting),
 * tk_input_read.c (the reader), sharing tk_input_internal.h. */
#ifndef TK_INPUT_H
#define TK_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "tk_csv.h"
#include "tk_status.h"

typedef enum { TK_COMP_NONE = 0, TK_COMP_GZIP, TK_COMP_BGZF, TK_COMP_ZSTD } tk_comp;

/* Local. "plain", "gzip", "bgzf", "zstd" ("?" for another value). Borrowed
 * (a string constant). */
const char *tk_comp_name(tk_comp c);

/* A BGZF block is at most this many bytes, compressed or not (BSIZE and
 * ISIZE fit 16 bits + 1). */
#define TK_BGZF_BLOCK_MAX 65536u

/* One input file as listed. */
typedef struct tk_input_file {
    char *path;          /* owned (tk_input_files_free) */
    uint64_t size;       /* bytes on disk when listed */
    int64_t mtime_ns;    /* modification time when listed, in ns */
    tk_comp comp;        /* by magic bytes, never by name: gzip 1f 8b (BGZF: gzip
                          * whose FEXTRA field holds the 'BC' subfield), zstd
                          * 28 b5 2f fd, anything else (and files under 4 bytes
                          * for zstd, 2 for gzip) plain */
    uint64_t usize_est;  /* uncompressed bytes: plain: size; BGZF: exact (the sum
                          * of the blocks' ISIZE); gzip: the last member's ISIZE
                          * trailer when it is >= size, else 4 * size (an
                          * estimate: ISIZE is mod 2^32 and only the last
                          * member's); zstd: the sum of the frames' content
                          * sizes when every frame declares one, else 4 * size */
    int usize_exact;     /* 1 when usize_est is exact (plain, BGZF, zstd with every
                          * content size declared), 0 when it is an estimate */
    int splittable;      /* 1 for plain and BGZF */
} tk_input_file;

/* Local. Expands spec into files, sorted by path (strcmp):
 * - a regular file (symlinks followed), taken whatever its name;
 * - a folder: its regular files; with recursive, those of its sub-folders
 *   too, at any depth (Spark's recursiveFileLookup); without it sub-folders
 *   are ignored. Names starting with '.' or '_' are skipped at every level
 *   (Spark and Hadoop's hidden files: _SUCCESS, .crc, temporary files);
 *   symlinks are followed, a folder reached twice is walked once (no loops);
 * - otherwise, when spec holds '*', '?' or '[', a glob(3) pattern: each match
 *   whose name does not start with '.' or '_' is taken as above (a matching
 *   folder is expanded).
 * A path found twice (two patterns, a symlink and its target: the same
 * st_dev and st_ino) is listed once, under its first path in order.
 * Each file's size, mtime, comp and usize_est are filled; a file is opened
 * with O_NONBLOCK (never blocking) only once it is known to be regular.
 * Errors (e set): TK_ENOINPUT "SPEC: no input files" when nothing is found;
 * TK_ENOINPUT "PATH: <strerror>" for a path that does not exist (also a
 * dangling symlink in a folder) or cannot be read; TK_ENOINPUT "PATH: not a
 * regular file" for a FIFO, socket or device, named or found; TK_EDATA for a
 * BGZF file whose block walk fails (as tk_input_split); TK_ESOFTWARE out of
 * memory. On success *files (n entries) is owned by the caller: release with
 * tk_input_files_free; on failure *files is NULL and *n 0. */
int tk_input_list(const char *spec, int recursive, tk_input_file **files, size_t *n,
                  tk_err *e);

/* Local. Frees the paths and the array (NULL is fine). */
void tk_input_files_free(tk_input_file *files, size_t n);

/* Local. The splittable pieces of f, written into starts[0..*nout) and
 * ends[0..*nout) (caller's arrays of nparts >= 1 entries), in file order,
 * covering [0, f->size) without gaps:
 * - plain: min(nparts, size) byte ranges of about equal size (one [0, 0) for
 *   an empty file); any offsets, the reader aligns them to lines;
 * - BGZF: ranges whose bounds are block starts, found by walking the block
 *   headers with pread from offset 0 (BSIZE), about equal in uncompressed
 *   bytes; fewer than nparts when the file has fewer non-empty blocks. A bad
 *   header, or a walk that does not land exactly at the file's end, is
 *   TK_EDATA naming the file and the block's offset;
 * - gzip, zstd: one range [0, size).
 * TK_EIO when the file's size or mtime differ from f's ("PATH changed since
 * it was listed"), TK_ENOINPUT when it cannot be opened, TK_ESOFTWARE for
 * nparts < 1 or out of memory. */
int tk_input_split(const tk_input_file *f, int nparts, uint64_t *starts, uint64_t *ends,
                   int *nout, tk_err *e);

/* ---- the line reader ---- */

struct z_stream_s;   /* zlib's z_stream */
struct ZSTD_DCtx_s;  /* libzstd's ZSTD_DCtx */

/* Defined here so that callers can embed it; its fields are the reader's. */
typedef struct tk_reader {
    tk_comp comp;
    const char *path;        /* borrowed from the tk_input_file */
    tk_lines lines;          /* plain files: tk_lines does the reading */
    int fd;                  /* compressed files (-1 for plain) */
    uint64_t start, end;     /* the range, end clamped to the size at open */
    uint64_t size;           /* file size at open */
    int64_t mtime_ns;        /* modification time at open */
    unsigned char *in;       /* compressed bytes in[in_pos, in_len) */
    size_t in_len, in_pos, in_cap;
    uint64_t in_off;         /* file offset of in[in_len] */
    char *buf;               /* decompressed bytes; buf[0] at uncompressed offset buf_uoff */
    size_t buf_len, buf_cap, pos, chunk; /* pos: the next line's first byte in buf */
    uint64_t buf_uoff;
    uint64_t limit_u;        /* lines starting at or after this uncompressed offset
                              * are the next range's (UINT64_MAX: not yet known) */
    uint64_t block_off;      /* BGZF: file offset of the next block to read */
    uint64_t last_block;     /* BGZF: offset of the last block read */
    uint32_t last_isize;     /* BGZF: its uncompressed size */
    uint64_t member_end;     /* gzip: file offset where the last member ended */
    uint64_t lines_read;     /* lines returned so far */
    int skip;                /* drop the bytes through the first LF (the previous range's line) */
    int eof;                 /* every byte of the stream was decoded, cleanly */
    int open_unit;           /* gzip: inside a member; zstd: inside a frame */
    int whole;               /* gzip/zstd: this range reads the stream (start == 0) */
    int ended;               /* tk_reader_next returned 0 */
    int failed;              /* the status of an error met, 0 if none */
    uint64_t unit_out;       /* gzip: bytes out of the current member */
    uint64_t members;        /* gzip: members ended so far */
    struct z_stream_s *zs;   /* gzip and BGZF (owned) */
    struct ZSTD_DCtx_s *zd;  /* zstd (owned) */
} tk_reader;

/* Local. Opens a reader over the range [start, end) of f (f must outlive the
 * reader: r borrows f->path), with the contract of tk_lines: the lines whose
 * first byte lies in the range are returned, in order, without their LF (a
 * CR before it is kept, as tk_lines does); at a start > 0 the line at start is
 * the range's only when the byte before it is a LF, otherwise reading begins
 * after the next LF; the file's first line (the header) is returned too when
 * start == 0 (the caller drops it). Reading goes past end to finish the last
 * line. Per compression:
 * - plain: tk_lines itself over [start, end);
 * - BGZF: start and end are block starts (tk_input_split's); the range holds
 *   the lines whose first byte lies in a block starting in [start, end). At a
 *   start > 0 the byte before is the last byte of the previous non-empty
 *   block, found by scanning back from start for the block that ends there
 *   (at most 64 KiB back; checked by inflating it, CRC included);
 * - gzip, zstd: every line counts as starting at byte 0: a range with start
 *   == 0 (and end > 0) reads the whole stream, any other range nothing.
 * chunk bytes are read (and decompressed) at a time; memory stays within a
 * few chunks plus the longest line (at most TK_LINES_MAX_LINE). Owns its
 * descriptor, buffers and decompression state until tk_reader_close (a failed
 * open holds nothing, and closing it is safe). Returns TK_OK, TK_ENOINPUT (cannot
 * open, not a regular file), TK_EIO, TK_EDATA (for BGZF at a start > 0: "PATH:
 * no bgzf block ends at byte S" when start is not a block start, "PATH:
 * corrupt bgzf data in the block at byte B: ..." when the block before is
 * corrupt) or TK_ESOFTWARE (out of memory), with a message in e. */
int tk_reader_open(tk_reader *r, const tk_input_file *f, uint64_t start, uint64_t end,
                   size_t chunk, tk_err *e);

/* Local. Returns 1 and the next line in *line, *len (borrowed: valid until the
 * next call), 0 at the end of the range, or < 0 with e set:
 * - TK_EIO: a read failed, or the file shrank while being read;
 * - TK_EDATA "PATH: corrupt gzip data at uncompressed offset N: <zlib's
 *   message>" (bad CRC, bad header, garbage after a member: "... after the
 *   member ending at byte B"), "PATH: gzip data truncated at uncompressed
 *   offset N"; the same for zstd ("PATH: corrupt zstd data at uncompressed
 *   offset N: <ZSTD_getErrorName>", "PATH: zstd data truncated at ...") and
 *   for BGZF ("PATH: corrupt bgzf data at uncompressed offset N (block at byte
 *   B): <zlib's message>" -- a bad CRC or ISIZE, bad deflate data, data
 *   after the deflate stream --, "PATH: bad bgzf block header at byte B",
 *   "PATH: bgzf data truncated: the block at byte B ends at byte E, past the
 *   end of the file at S", and "PATH: bgzf data truncated at uncompressed
 *   offset N (block at byte B): the file does not end with the empty
 *   end-of-file block", which a file cut at a block boundary gives); for
 *   BGZF, N counts from the range's first block;
 * - TK_EDATA "PATH: a line at uncompressed offset N is longer than 64 MiB"
 *   (TK_LINES_MAX_LINE; for plain files tk_lines' message);
 * - TK_ESOFTWARE: out of memory.
 * A truncated stream is an error, never an end; after an error every call
 * returns the error again. */
int tk_reader_next(tk_reader *r, const char **line, size_t *len, tk_err *e);

/* Local. After the range was read to its end: the file is unchanged (fstat
 * again: its size and mtime equal f's and those at open), every line of the
 * range was returned and, for a range that reads a gzip or zstd stream, the
 * stream ended cleanly at the file's end (trailing garbage after the last
 * member is an error, as gzip -t says; tk_reader_next reports it first).
 * Returns TK_OK, TK_EIO "PATH changed while being read ..." or "PATH: read
 * stopped ...", or TK_EDATA. */
int tk_reader_verify(const tk_reader *r, const tk_input_file *f, tk_err *e);

/* Local. Compressed (on disk) bytes of the range consumed so far, at most
 * end - start (for progress). */
uint64_t tk_reader_done(const tk_reader *r);

/* Local. Lines returned so far. */
uint64_t tk_reader_lines(const tk_reader *r);

/* Local. The uncompressed offset of the next line's first byte (for messages):
 * for plain files a file offset, for gzip and zstd the offset in the
 * decompressed stream, for BGZF the offset from the range's first block. */
uint64_t tk_reader_uoffset(const tk_reader *r);

/* Local. Releases what the reader owns; safe after any tk_reader_open, failed
 * or not, and twice. */
void tk_reader_close(tk_reader *r);

#endif
