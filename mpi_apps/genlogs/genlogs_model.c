/* genlogs_model.c -- the user/song model: ids, user traits, genres, the song
 * catalog, and who pays.
 *
 * Users: heavy-tailed (truncated Pareto) activity, a favourite genre played
 * with a user-specific probability, 1-3 devices, a preferred hour of day.
 * About 3% of LOG1 users never play; ghosts (ids in [min,max] that are not in
 * LOG1) make about 1% of the plays. paid is a noisy logistic function of the
 * realised activity, diversity, devices, favourite genre, region, type and
 * preferred hour, with the intercept set so that about 40% pay. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "genlogs.h"
#include "genlogs_rng.h"

#define GL_PARETO_ALPHA 1.2  /* activity tail */
#define GL_WEIGHT_CAP 1000.0 /* most active user : least active user */
#define GL_INACTIVE 0.03     /* LOG1 users without plays */
#define GL_GHOST_SHARE 50    /* one ghost per 50 users */
#define GL_PAID_SHARE 0.40

static const double region_w[GL_REGIONS] = {0.35, 0.30, 0.20, 0.15};
static const double type_w[GL_TYPES] = {0.50, 0.30, 0.20};
static const double type_activity[GL_TYPES] = {1.0, 1.3, 1.7};
static const double ndev_w[3] = {0.45, 0.35, 0.20};
static const double hour_w[24] = {3, 2, 1.5, 1, 1, 1.5, 3, 5, 6, 6, 6, 7,
                                  8, 7, 6, 6, 7, 8, 9, 10, 11, 11, 9, 6};
static const double region_eff[GL_REGIONS] = {0.35, 0.0, -0.3, -0.6};
static const double type_eff[GL_TYPES] = {-0.5, 0.1, 0.6};

/* draw from a small discrete distribution given by weights summing to 1 */
static unsigned draw_small(gl_rng *r, const double *w, unsigned n)
{
    double u = gl_unit(r);
    unsigned i;

    for (i = 0; i + 1 < n; i++) {
        if (u < w[i])
            return i;
        u -= w[i];
    }
    return n - 1;
}

/* open-addressing set of uint64 (stored +1 so that 0 means empty) */
typedef struct u64set {
    uint64_t *slot;
    uint64_t mask;
} u64set;

static int set_init(u64set *s, uint64_t n)
{
    uint64_t cap = 16;

    while (cap < 2 * n)
        cap <<= 1;
    s->slot = calloc(cap, sizeof(*s->slot));
    s->mask = cap - 1;
    return s->slot ? 0 : -1;
}

/* inserts v; returns 1 when it was already there */
static int set_add(u64set *s, uint64_t v)
{
    uint64_t x = v, h = gl_splitmix64(&x) & s->mask;

    while (s->slot[h]) {
        if (s->slot[h] == v + 1)
            return 1;
        h = (h + 1) & s->mask;
    }
    s->slot[h] = v + 1;
    return 0;
}

/* k distinct values of [0, range) in random order (Floyd, then shuffle) */
static int distinct_sample(gl_rng *r, uint64_t range, uint64_t k, uint64_t *out)
{
    u64set set;
    uint64_t j, n = 0;

    if (set_init(&set, k) != 0)
        return -1;
    for (j = range - k; j < range; j++) {
        uint64_t t = gl_below64(r, j + 1);
        out[n++] = set_add(&set, t) ? (set_add(&set, j), j) : t;
    }
    free(set.slot);
    for (j = k; j > 1; j--) {
        uint64_t i = gl_below64(r, j), tmp = out[j - 1];
        out[j - 1] = out[i];
        out[i] = tmp;
    }
    return 0;
}

static void set_idtxt(gl_user *u)
{
    char *end = gl_put_u64(u->idtxt, u->id);
    u->idlen = (uint8_t)(end - u->idtxt);
}

static int build_genres(gl_ctx *c, gl_rng *r)
{
    gl_model *m = &c->model;
    double *pop = NULL, share, *w = NULL;
    uint64_t *suffix = NULL;
    uint32_t *perm = NULL, g, k, total = 0;
    uint32_t songs = (uint32_t)c->opt.songs;
    int rc = TK_ESOFTWARE;

    if (c->opt.genres > 0) /* check_opts: at most --songs */
        m->ngenres = (uint32_t)c->opt.genres;
    else
        m->ngenres = songs < GL_GENRES_DEFAULT ? songs : GL_GENRES_DEFAULT;
    pop = malloc((size_t)m->ngenres * sizeof(*pop));
    perm = malloc((size_t)m->ngenres * sizeof(*perm));
    m->genre_nsongs = calloc(m->ngenres, sizeof(*m->genre_nsongs));
    m->genre_songs = calloc(m->ngenres, sizeof(*m->genre_songs));
    m->song_pick = calloc(m->ngenres, sizeof(*m->song_pick));
    m->genre_eff = calloc(m->ngenres, sizeof(*m->genre_eff));
    if (!pop || !perm || !m->genre_nsongs || !m->genre_songs || !m->song_pick ||
        !m->genre_eff)
        goto cleanup;
    for (g = 0; g < m->ngenres; g++)
        perm[g] = g;
    for (g = m->ngenres; g > 1; g--) {
        uint32_t i = (uint32_t)gl_below64(r, g), t = perm[g - 1];
        perm[g - 1] = perm[i];
        perm[i] = t;
    }
    for (g = 0; g < m->ngenres; g++) /* rank perm[g]... Zipf over ranks */
        pop[perm[g]] = 1.0 / pow(g + 1.0, 0.9);
    if (gl_alias_build(&m->genre_pick, pop, m->ngenres) != 0)
        goto cleanup;
    share = 0.0;
    for (g = 0; g < m->ngenres; g++)
        share += pop[g];
    /* catalog size per genre follows popularity, at least one song each */
    for (g = 0; g < m->ngenres; g++) {
        m->genre_nsongs[g] = (uint32_t)floor(songs * pop[g] / share);
        if (m->genre_nsongs[g] < 1)
            m->genre_nsongs[g] = 1;
        total += m->genre_nsongs[g];
    }
    for (k = 0; total != songs; k = (k + 1) % m->ngenres) {
        uint32_t gg = perm[k]; /* most popular genres first */
        if (total < songs) {
            m->genre_nsongs[gg]++;
            total++;
        } else if (m->genre_nsongs[gg] > 1) {
            m->genre_nsongs[gg]--;
            total--;
        }
    }
    for (g = 0; g < m->ngenres; g++) {
        uint32_t n = m->genre_nsongs[g], i;

        m->genre_eff[g] = 1.6 * gl_unit(r) - 0.8;
        suffix = malloc((size_t)n * sizeof(*suffix));
        w = malloc((size_t)n * sizeof(*w));
        m->genre_songs[g] = malloc((size_t)n * sizeof(*m->genre_songs[g]));
        if (!suffix || !w || !m->genre_songs[g])
            goto cleanup;
        if (distinct_sample(r, GL_SONG_SUFFIX, n, suffix) != 0)
            goto cleanup;
        for (i = 0; i < n; i++) {
            m->genre_songs[g][i] = (uint32_t)suffix[i];
            w[i] = 1.0 / pow(i + 2.0, 0.95);
        }
        if (gl_alias_build(&m->song_pick[g], w, n) != 0)
            goto cleanup;
        free(suffix);
        free(w);
        suffix = NULL;
        w = NULL;
    }
    rc = TK_OK;
cleanup:
    free(suffix);
    free(w);
    free(perm);
    free(pop);
    return rc;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x < y) - (x > y);
}

/* share of the top h of sorted (descending) log-weights l[0..n) under w^gamma */
static double top_share(const double *l, uint32_t n, uint32_t h, double gamma)
{
    double top = 0.0, all = 0.0;
    uint32_t i;

    for (i = 0; i < n; i++) {
        double v = exp(gamma * (l[i] - l[0]));
        if (i < h)
            top += v;
        all += v;
    }
    return top / all;
}

/* --hot-users F --hot-share S: raises the LOG1 users' activity weights w (of
 * the active users, w > 0) to a power gamma, which keeps the users' order,
 * chosen by bisection so that the busiest round(F * users) users are expected
 * to hold S of the LOG1 users' plays. The expectation counts the one
 * guaranteed play of each active user and the ghosts' share; gamma stays in
 * [0, 256], so a share beyond reach (S near 1, or too few plays per user) is
 * only approached. Uses no random numbers. */
static int skew_users(gl_ctx *c, double *w)
{
    gl_model *m = &c->model;
    double P = (double)c->opt.plays, nfirst, free_log1, first_hot, q, lo, hi, *l;
    uint32_t i, n = 0, h;
    int it;

    m->hot_gamma = 1.0;
    if (c->opt.hot_users <= 0.0 || m->nactive == 0)
        return TK_OK;
    h = (uint32_t)llround(c->opt.hot_users * (double)m->nusers);
    if (h < 1)
        h = 1;
    if (h > m->nactive)
        h = m->nactive;
    nfirst = P < m->nactive ? P : (double)m->nactive;
    free_log1 = P - nfirst;
    if (m->nghosts > 0) /* ghosts take about GL_ORPHAN_SHARE of all plays */
        free_log1 -= fmin(GL_ORPHAN_SHARE * P, free_log1);
    if (free_log1 <= 0.0)
        return TK_OK;
    first_hot = h * nfirst / m->nactive;
    q = (c->opt.hot_share * (nfirst + free_log1) - first_hot) / free_log1;
    l = malloc((size_t)m->nactive * sizeof(*l));
    if (!l)
        return TK_ESOFTWARE;
    for (i = 0; i < m->nusers; i++)
        if (w[i] > 0.0)
            l[n++] = log(w[i]);
    qsort(l, n, sizeof(*l), cmp_desc);
    if (h > n)
        h = n;
    lo = 0.0;
    hi = 256.0;
    if (q <= top_share(l, n, h, lo))
        hi = lo;
    else if (q >= top_share(l, n, h, hi))
        lo = hi;
    for (it = 0; it < 60 && hi - lo > 1e-9; it++) {
        double mid = (lo + hi) / 2.0;
        if (top_share(l, n, h, mid) < q)
            lo = mid;
        else
            hi = mid;
    }
    m->hot_gamma = (lo + hi) / 2.0;
    for (i = 0; i < m->nusers; i++)
        if (w[i] > 0.0)
            w[i] = exp(m->hot_gamma * (log(w[i]) - l[0]));
    free(l);
    return TK_OK;
}

static int build_users(gl_ctx *c, gl_rng *r)
{
    gl_model *m = &c->model;
    uint64_t range = (uint64_t)(c->opt.max_id - c->opt.min_id) + 1;
    uint64_t nu = (uint64_t)c->opt.users, ng, *ids = NULL, i;
    double *w = NULL;
    int rc = TK_ESOFTWARE;

    ng = nu / GL_GHOST_SHARE > 0 ? nu / GL_GHOST_SHARE : 1;
    if (ng > range - nu)
        ng = range - nu;
    m->nusers = (uint32_t)nu;
    m->nghosts = (uint32_t)ng;
    ids = malloc((nu + ng) * sizeof(*ids));
    m->users = calloc(nu + ng, sizeof(*m->users));
    m->order = malloc(nu * sizeof(*m->order));
    w = malloc((nu + ng) * sizeof(*w));
    if (!ids || !m->users || !m->order || !w)
        goto cleanup;
    if (distinct_sample(r, range, nu + ng, ids) != 0)
        goto cleanup;
    m->nactive = 0;
    for (i = 0; i < nu + ng; i++) {
        gl_user *u = &m->users[i];
        unsigned d, perm[3] = {0, 1, 2};
        double f;

        u->id = (uint64_t)c->opt.min_id + ids[i];
        set_idtxt(u);
        u->region = (uint8_t)draw_small(r, region_w, GL_REGIONS);
        u->type = (uint8_t)draw_small(r, type_w, GL_TYPES);
        u->fav = gl_alias_draw(&m->genre_pick, gl_next(r));
        f = 0.1 + 0.8 * (gl_unit(r) + gl_unit(r)) / 2.0;
        u->favp = (float)f;
        u->fav_thresh = (uint32_t)(f * 4294967296.0);
        u->peak = (uint8_t)gl_alias_draw(&m->hour_pick, gl_next(r));
        u->ndev = (uint8_t)(1 + draw_small(r, ndev_w, 3));
        for (d = 3; d > 1; d--) {
            unsigned j = (unsigned)gl_below64(r, d), t = perm[d - 1];
            perm[d - 1] = perm[j];
            perm[j] = t;
        }
        for (d = 0; d < 3; d++)
            u->dev[d] = (uint8_t)perm[d];
        /* truncated Pareto activity, more for higher types */
        w[i] = pow(gl_unit_pos(r), -1.0 / GL_PARETO_ALPHA);
        if (w[i] > GL_WEIGHT_CAP)
            w[i] = GL_WEIGHT_CAP;
        w[i] *= type_activity[u->type];
        u->active = i >= nu || gl_unit(r) >= GL_INACTIVE;
        if (i < nu && u->active)
            m->order[m->nactive++] = (uint32_t)i;
        else if (i < nu)
            w[i] = 0.0;
    }
    if (m->nactive == 0) { /* a tiny run: keep one user playing */
        m->users[0].active = 1;
        m->order[m->nactive++] = 0;
        w[0] = 1.0;
    }
    if (skew_users(c, w) != TK_OK)
        goto cleanup;
    /* users were drawn in random order, but shuffle the first-play order apart */
    for (i = m->nactive; i > 1; i--) {
        uint64_t j = gl_below64(r, i);
        uint32_t t = m->order[i - 1];
        m->order[i - 1] = m->order[j];
        m->order[j] = t;
    }
    if (m->nactive > 0 && gl_alias_build(&m->user_pick, w, m->nusers) != 0)
        goto cleanup;
    if (ng > 0 && gl_alias_build(&m->ghost_pick, w + nu, m->nghosts) != 0)
        goto cleanup;
    rc = TK_OK;
cleanup:
    free(w);
    free(ids);
    return rc;
}

/* Local. Builds c->model; the model owns all it allocates until gl_model_free. */
int gl_model_build(gl_ctx *c)
{
    gl_rng r;
    int rc;

    memset(&c->model, 0, sizeof(c->model));
    gl_rng_seed(&r, (uint64_t)c->opt.seed, GL_STREAM_MODEL);
    if (gl_alias_build(&c->model.hour_pick, hour_w, 24) != 0)
        return tk_err_set(&c->err, TK_ESOFTWARE, "out of memory building the model");
    rc = build_genres(c, &r);
    if (rc == TK_OK)
        rc = build_users(c, &r);
    if (rc != TK_OK)
        return tk_err_set(&c->err, rc, "out of memory building the model");
    return TK_OK;
}

static double sigmoid(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

/* Local. Sets paid for LOG1 users; allocates only scratch it frees. */
int gl_model_paid(gl_ctx *c)
{
    gl_model *m = &c->model;
    double *z = NULL, mean_lp = 0.0, lo = -30.0, hi = 30.0, b = 0.0;
    uint32_t i, it;
    gl_rng r;

    if (m->nusers == 0)
        return TK_OK;
    z = malloc((size_t)m->nusers * sizeof(*z));
    if (!z)
        return tk_err_set(&c->err, TK_ESOFTWARE, "out of memory deciding who pays");
    gl_rng_seed(&r, (uint64_t)c->opt.seed, GL_STREAM_PAID);
    for (i = 0; i < m->nusers; i++)
        mean_lp += log1p((double)m->users[i].plays);
    mean_lp /= m->nusers;
    for (i = 0; i < m->nusers; i++) {
        const gl_user *u = &m->users[i];
        double u1 = gl_unit_pos(&r), u2 = gl_unit(&r);
        double noise = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
        int ndev_used = __builtin_popcount(u->devmask);

        z[i] = 1.2 * (log1p((double)u->plays) - mean_lp)  /* activity */
               - 3.5 * ((double)u->favp - 0.5)              /* diversity */
               + 0.35 * (ndev_used > 1 ? ndev_used - 1 : 0) /* devices */
               + m->genre_eff[u->fav] + region_eff[u->region] + type_eff[u->type]
               + (u->peak >= 18 ? 0.3 : 0.0)                /* evening listeners */
               + 0.6 * noise;
    }
    /* intercept so that the expected paid share is GL_PAID_SHARE */
    for (it = 0; it < 100; it++) {
        double s = 0.0;
        b = (lo + hi) / 2.0;
        for (i = 0; i < m->nusers; i++)
            s += sigmoid(z[i] + b);
        if (s / m->nusers < GL_PAID_SHARE)
            lo = b;
        else
            hi = b;
        if (hi - lo < 1e-6)
            break;
    }
    for (i = 0; i < m->nusers; i++)
        m->users[i].paid = gl_unit(&r) < sigmoid(z[i] + b);
    free(z);
    return TK_OK;
}

/* Local. Frees what gl_model_build allocated. */
void gl_model_free(gl_model *m)
{
    uint32_t g;

    for (g = 0; g < m->ngenres; g++) {
        if (m->genre_songs)
            free(m->genre_songs[g]);
        if (m->song_pick)
            gl_alias_free(&m->song_pick[g]);
    }
    free(m->genre_songs);
    free(m->song_pick);
    free(m->genre_nsongs);
    free(m->genre_eff);
    m->genre_songs = NULL;
    m->song_pick = NULL;
    m->genre_nsongs = NULL;
    m->genre_eff = NULL;
    m->ngenres = 0;
    gl_alias_free(&m->genre_pick);
    gl_alias_free(&m->hour_pick);
    gl_alias_free(&m->user_pick);
    gl_alias_free(&m->ghost_pick);
    free(m->users);
    free(m->order);
    m->users = NULL;
    m->order = NULL;
}
