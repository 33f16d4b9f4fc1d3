/* tk_input_internal.h -- what tk_input.c, tk_input_split.c and
 * tk_input_read.c share: reading at an offset, BGZF block headers and walks,
 * the zstd frame walk. All functions are local. */
#ifndef TK_INPUT_INTERNAL_H
#define TK_INPUT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tk_input.h"

/* Reads n bytes at off into buf, retrying EINTR and short reads. Returns the
 * bytes read (fewer than n only at the end of the file) or -1 (errno). */
ssize_t tk_in_pread(int fd, void *buf, size_t n, uint64_t off);

/* Parses the gzip header of a BGZF block at h[0..n). Returns 1 when it is
 * one (gzip, deflate, FEXTRA holding a 'BC' subfield of 2 bytes): *blen is
 * the block's length (BSIZE + 1), *hlen the header's (12 + XLEN); 0 when it
 * is not; -1 when the header is longer than n bytes (*hlen: how long). */
int tk_bgzf_parse_header(const unsigned char *h, size_t n, uint32_t *blen, size_t *hlen);

/* Reads the header of the block at off of the file (fd, its size) and checks
 * it: a BGZF header, a length that holds the header, some deflate data and
 * the trailer, a block that ends within size. scratch holds
 * TK_BGZF_BLOCK_MAX bytes. Returns TK_OK and *blen, TK_EDATA naming path and
 * off, or TK_EIO. */
int tk_bgzf_block_at(int fd, uint64_t size, uint64_t off, const char *path,
                     unsigned char *scratch, uint32_t *blen, tk_err *e);

/* Called for each block of a walk (off: its offset, blen: its length, isize:
 * its uncompressed size); a status other than TK_OK stops the walk. */
typedef int (*tk_bgzf_visit)(void *ctx, uint64_t off, uint32_t blen, uint32_t isize);

/* Walks the blocks of the BGZF file (fd, size) from offset 0 with pread (a
 * header and an ISIZE per block), calling visit for each. Returns TK_OK when
 * the walk lands exactly at size; TK_EDATA naming path and the offset of a
 * bad or truncated block (an ISIZE over 64 KiB too); TK_EIO; or visit's
 * status. Allocates only scratch it frees (TK_ESOFTWARE). */
int tk_bgzf_walk(int fd, uint64_t size, const char *path, tk_bgzf_visit visit, void *ctx,
                 tk_err *e);

/* The sum of the content sizes of the frames of a zstd file (fd, size),
 * walking frame headers and block headers with pread (skippable frames count
 * 0). Returns 1 and *sum when every frame declares its content size and the
 * walk lands at size; 0 otherwise (unknown size, a bad or truncated frame:
 * the reader reports those). */
int tk_zstd_content_sum(int fd, uint64_t size, uint64_t *sum);

/* Opens path for reading without blocking on a FIFO or device and checks it
 * is a regular file (then clears O_NONBLOCK). Returns TK_OK and *fd (owned by
 * the caller) with *size and *mtime_ns from fstat, or TK_ENOINPUT. */
int tk_in_open_regular(const char *path, int *fd, uint64_t *size, int64_t *mtime_ns,
                       tk_err *e);

#endif
