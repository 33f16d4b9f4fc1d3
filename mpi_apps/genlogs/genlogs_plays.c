/* genlogs_plays.c -- drawing the plays and streaming log2.csv.
 *
 * Each active LOG1 user gets one guaranteed play at evenly spread positions
 * (in random user order), so that exactly the chosen ~3% never play; every
 * other play picks a ghost with a small probability (about 1% of all plays)
 * or a LOG1 user by activity weight. A play is in the user's favourite genre
 * with the user's probability, else in a genre drawn by global popularity;
 * the song is Zipf-popular within its genre; the device is the user's first,
 * second or third with falling probability; the hour is near the user's
 * preferred hour or from the global diurnal curve. */
#include <string.h>

#include "genlogs.h"
#include "genlogs_rng.h"

#define GL_NEAR_PEAK 0.6

/* cumulative device thresholds (32-bit) for 1, 2 and 3 devices */
static const uint32_t dev_cut[3][2] = {
    {UINT32_MAX, UINT32_MAX},
    {3006477107u, UINT32_MAX},  /* 0.70, 0.30 */
    {2576980377u, 3865470566u}, /* 0.60, 0.30, 0.10 */
};

/* hour offsets around the preferred hour */
static const int8_t near_peak[16] = {-3, -2, -2, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3};

typedef struct play_state {
    uint64_t next_first; /* position of the next guaranteed play */
    uint64_t stride, rem, acc;
    uint32_t k, nfirst;  /* guaranteed plays made / to make */
    uint64_t ghost_t;
} play_state;

static void draw_play(const gl_ctx *c, gl_rng *r, play_state *st, uint64_t i, gl_play *pl)
{
    const gl_model *m = &c->model;
    const gl_user *u;
    uint64_t x;
    uint32_t g, d;

    if (st->k < st->nfirst && i == st->next_first) {
        pl->user = m->order[st->k++];
        st->next_first += st->stride;
        st->acc += st->rem;
        if (st->acc >= m->nactive) {
            st->acc -= m->nactive;
            st->next_first++;
        }
    } else if ((uint32_t)gl_next(r) < st->ghost_t) {
        pl->user = m->nusers + gl_alias_draw(&m->ghost_pick, gl_next(r));
    } else {
        pl->user = gl_alias_draw(&m->user_pick, gl_next(r));
    }
    u = &m->users[pl->user];

    x = gl_next(r);
    g = (uint32_t)x < u->fav_thresh ? u->fav : gl_alias_draw(&m->genre_pick, gl_next(r));
    pl->genre = g;
    pl->suffix = m->genre_songs[g][gl_alias_draw(&m->song_pick[g], gl_next(r))];

    d = (uint32_t)(x >> 32);
    pl->dev = u->dev[(d > dev_cut[u->ndev - 1][0]) + (d > dev_cut[u->ndev - 1][1])];

    x = gl_next(r);
    if ((uint32_t)x < (uint32_t)(GL_NEAR_PEAK * 4294967296.0))
        g = (uint32_t)(u->peak + 24 + near_peak[(x >> 32) & 15]) % 24;
    else
        g = gl_alias_draw(&m->hour_pick, gl_next(r));
    x = gl_next(r);
    pl->sec = g * 3600 + gl_scale32((uint32_t)x, 3600);
    pl->day = gl_scale32((uint32_t)(x >> 32), (uint32_t)c->opt.days);
}

/* Local. Writes OUTDIR/log2.csv, or the files of OUTDIR/log2/ (gl_parts),
 * through sinks it owns; updates the users' play counts and device masks. */
int gl_write_log2(gl_ctx *c)
{
    gl_model *m = &c->model;
    uint64_t n = (uint64_t)c->opt.plays, i, free_plays;
    uint64_t bad_t = gl_thresh32(c->opt.bad_rate), quote_t = gl_thresh32(c->opt.bad_rate / 2);
    play_state st;
    gl_parts parts;
    gl_sink *s = &parts.s;
    gl_rng r, rb;

    gl_rng_seed(&r, (uint64_t)c->opt.seed, GL_STREAM_PLAYS);
    gl_rng_seed(&rb, (uint64_t)c->opt.seed, GL_STREAM_BAD);
    memset(&st, 0, sizeof(st));
    st.nfirst = m->nactive < n ? m->nactive : (uint32_t)n;
    if (m->nactive > 0) {
        st.stride = n / m->nactive > 0 ? n / m->nactive : 1;
        st.rem = n >= m->nactive ? n % m->nactive : 0;
    }
    free_plays = n - st.nfirst;
    if (m->nghosts > 0 && free_plays > 0)
        st.ghost_t = gl_thresh32(m->nactive > 0 ? GL_ORPHAN_SHARE * (double)n / (double)free_plays
                                                : 1.0);

    if (gl_parts_begin(c, &parts) != TK_OK)
        return c->err.status;
    for (i = 0; i < n; i++) {
        gl_play pl;
        char *p;
        int good = 1;

        if (i == parts.next_cut && gl_parts_row(c, &parts, i) != TK_OK)
            goto fail;
        if (s->cap - s->len < GL_ROW_MAX + GL_ID_DIGITS &&
            gl_sink_flush(s, &c->err) != TK_OK)
            goto fail;
        draw_play(c, &r, &st, i, &pl);
        p = s->buf + s->len;
        if (bad_t > 0) {
            uint64_t b = gl_next(&rb);
            if ((uint32_t)b < bad_t) {
                p = gl_row_play_bad(c, p, &pl, b >> 32);
                c->log2.bad++;
                good = 0;
            } else if ((uint32_t)(b >> 32) < quote_t) {
                p = gl_row_play_quoted(c, p, &pl, b >> 40);
                c->log2.quoted++;
            } else {
                p = gl_row_play(c, p, &pl);
            }
        } else {
            p = gl_row_play(c, p, &pl);
        }
        s->len = (size_t)(p - s->buf);
        if (good) {
            gl_user *u = &m->users[pl.user];
            u->plays++;
            u->devmask |= (uint8_t)(1u << pl.dev);
            if (pl.user >= m->nusers)
                c->orphan_plays++;
        }
    }
    c->log2.rows = n;
    return gl_parts_end(c, &parts);
fail:
    gl_parts_abort(&parts);
    return c->err.status;
}
