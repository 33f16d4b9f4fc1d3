/* genlogs_rows.c -- formatting rows by hand (no printf per row): well-formed
 * rows, rows with legal RFC 4180 quoting, and a deterministic mix of
 * malformed rows. */
#include <stdlib.h>
#include <string.h>

#include "genlogs.h"

static const char d2[200] =
    "00010203040506070809101112131415161718192021222324"
    "25262728293031323334353637383940414243444546474849"
    "50515253545556575859606162636465666768697071727374"
    "75767778798081828384858687888990919293949596979899";

/* Local. Days in month m (1..12) of year y. */
int gl_month_days(int m, int y)
{
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : md[m - 1];
}

/* Local. Builds c->daytxt, owned by c until gl_rows_free. */
int gl_rows_init(gl_ctx *c)
{
    int64_t i;
    int d = GL_START_DAY, m = GL_START_MONTH, y = GL_START_YEAR;

    c->daytxt = malloc((size_t)c->opt.days * sizeof(*c->daytxt));
    if (!c->daytxt)
        return tk_err_set(&c->err, TK_ESOFTWARE, "out of memory");
    for (i = 0; i < c->opt.days; i++) {
        char *p = c->daytxt[i];
        memcpy(p, d2 + 2 * d, 2);
        p[2] = '-';
        memcpy(p + 3, d2 + 2 * m, 2);
        p[5] = '-';
        memcpy(p + 6, d2 + 2 * (y / 100), 2);
        memcpy(p + 8, d2 + 2 * (y % 100), 2);
        p[10] = ' ';
        p[11] = '\0';
        if (++d > gl_month_days(m, y)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    return TK_OK;
}

/* Local. Frees c->daytxt. */
void gl_rows_free(gl_ctx *c)
{
    free(c->daytxt);
    c->daytxt = NULL;
}

/* Writes v in decimal at p (no NUL); returns the end. Caller owns p. */
char *gl_put_u64(char *p, uint64_t v)
{
    char tmp[24], *q = tmp + sizeof(tmp);
    size_t n;

    while (v >= 100) {
        unsigned k = (unsigned)(v % 100);
        v /= 100;
        q -= 2;
        memcpy(q, d2 + 2 * k, 2);
    }
    if (v >= 10) {
        q -= 2;
        memcpy(q, d2 + 2 * v, 2);
    } else {
        *--q = (char)('0' + v);
    }
    n = (size_t)(tmp + sizeof(tmp) - q);
    memcpy(p, q, n);
    return p + n;
}

static char *put_time(char *p, uint32_t sec)
{
    uint32_t h = sec / 3600, m = sec / 60 % 60, s = sec % 60;

    memcpy(p, d2 + 2 * h, 2);
    p[2] = ':';
    memcpy(p + 3, d2 + 2 * m, 2);
    p[5] = ':';
    memcpy(p + 6, d2 + 2 * s, 2);
    return p + 8;
}

/* songId: the genderId's digits then the 7-digit suffix (9 digits for the
 * 2-digit genderIds 10..99, the fast path) */
static char *put_song(char *p, uint32_t genre, uint32_t suffix)
{
    uint32_t g = GL_GENRE_BASE + genre;

    if (g >= 100)
        return gl_put_u64(p, (uint64_t)g * GL_SONG_SUFFIX + suffix);
    memcpy(p, d2 + 2 * g, 2);
    p[2] = (char)('0' + suffix / 1000000);
    suffix %= 1000000;
    memcpy(p + 3, d2 + 2 * (suffix / 10000), 2);
    memcpy(p + 5, d2 + 2 * (suffix / 100 % 100), 2);
    memcpy(p + 7, d2 + 2 * (suffix % 100), 2);
    return p + 9;
}

/* genderId: GL_GENRE_BASE + genre index, in decimal */
static char *put_genre(char *p, uint32_t genre)
{
    uint32_t g = GL_GENRE_BASE + genre;

    if (g >= 100)
        return gl_put_u64(p, g);
    memcpy(p, d2 + 2 * g, 2);
    return p + 2;
}

static char *put_eol(const gl_ctx *c, char *p)
{
    memcpy(p, c->eol, c->eol_len);
    return p + c->eol_len;
}

/* Local. A well-formed log2 row; caller owns p (GL_ROW_MAX bytes). */
char *gl_row_play(const gl_ctx *c, char *p, const gl_play *pl)
{
    const gl_user *u = &c->model.users[pl->user];

    memcpy(p, c->daytxt[pl->day], 11);
    p = put_time(p + 11, pl->sec);
    *p++ = ';';
    memcpy(p, u->idtxt, GL_ID_DIGITS);
    p += u->idlen;
    *p++ = ';';
    p = put_song(p, pl->genre, pl->suffix);
    *p++ = ';';
    p = put_genre(p, pl->genre);
    p[0] = ';';
    p[1] = (char)('0' + pl->dev);
    p[2] = '_';
    memcpy(p + 3, u->idtxt, GL_ID_DIGITS);
    p += 3 + u->idlen;
    return put_eol(c, p);
}

/* a row split into fields, for the slow paths */
typedef struct fields {
    char f[6][48];
    size_t n[6];
    int count;
} fields;

static void set_field(fields *fl, int i, const char *s, size_t n)
{
    memcpy(fl->f[i], s, n);
    fl->n[i] = n;
}

static void play_fields(const gl_ctx *c, const gl_play *pl, fields *fl)
{
    const gl_user *u = &c->model.users[pl->user];
    char *p;

    memcpy(fl->f[0], c->daytxt[pl->day], 11);
    fl->n[0] = (size_t)(put_time(fl->f[0] + 11, pl->sec) - fl->f[0]);
    set_field(fl, 1, u->idtxt, u->idlen);
    fl->n[2] = (size_t)(put_song(fl->f[2], pl->genre, pl->suffix) - fl->f[2]);
    fl->n[3] = (size_t)(put_genre(fl->f[3], pl->genre) - fl->f[3]);
    p = fl->f[4];
    *p++ = (char)('0' + pl->dev);
    *p++ = '_';
    memcpy(p, u->idtxt, u->idlen);
    fl->n[4] = 2 + (size_t)u->idlen;
    fl->count = 5;
}

static void user_fields(const gl_user *u, fields *fl)
{
    set_field(fl, 0, u->idtxt, u->idlen);
    fl->f[1][0] = (char)('0' + u->region);
    fl->n[1] = 1;
    fl->f[2][0] = (char)('0' + u->type);
    fl->n[2] = 1;
    if (u->paid)
        set_field(fl, 3, "true", 4);
    else
        set_field(fl, 3, "false", 5);
    fl->count = 4;
}

static void quote_field(fields *fl, int i)
{
    memmove(fl->f[i] + 1, fl->f[i], fl->n[i]);
    fl->f[i][0] = '"';
    fl->f[i][fl->n[i] + 1] = '"';
    fl->n[i] += 2;
}

static char *join(const gl_ctx *c, char *p, const fields *fl)
{
    int i;

    for (i = 0; i < fl->count; i++) {
        if (i > 0)
            *p++ = ';';
        memcpy(p, fl->f[i], fl->n[i]);
        p += fl->n[i];
    }
    return put_eol(c, p);
}

/* Local. A well-formed log2 row with one field in RFC 4180 quotes, chosen by
 * r; caller owns p. */
char *gl_row_play_quoted(const gl_ctx *c, char *p, const gl_play *pl, uint64_t r)
{
    static const int which[4] = {1, 1, 0, 4}; /* userId, hour, deviceId */
    fields fl;

    play_fields(c, pl, &fl);
    quote_field(&fl, which[r % 4]);
    return join(c, p, &fl);
}

/* Local. A malformed log2 row derived from the play, kind chosen by r;
 * caller owns p. */
char *gl_row_play_bad(const gl_ctx *c, char *p, const gl_play *pl, uint64_t r)
{
    const gl_user *u = &c->model.users[pl->user];
    fields fl;
    char *q;

    play_fields(c, pl, &fl);
    switch (r % 11) {
    case 0: /* non-integer userId */
        fl.f[1][fl.n[1]++] = 'x';
        break;
    case 1: /* non-integer songId */
        fl.f[2][4] = 'O';
        break;
    case 2: /* a date that does not exist */
        memcpy(fl.f[0], "31-02-2017", 10);
        break;
    case 3: /* hour out of range */
        memcpy(fl.f[0] + 11, "25", 2);
        break;
    case 4: /* minute out of range */
        memcpy(fl.f[0] + 14, "61", 2);
        break;
    case 5: /* wrong date format */
        q = fl.f[0];
        memcpy(q + 11, c->daytxt[pl->day], 10); /* dd-mm-yyyy -> yyyy-mm-dd */
        memcpy(q, q + 17, 4);
        q[4] = '-';
        memcpy(q + 5, q + 14, 2);
        q[7] = '-';
        memcpy(q + 8, q + 11, 2);
        put_time(q + 11, pl->sec);
        break;
    case 6: /* deviceId without a device number */
        fl.f[4][0] = 'x';
        break;
    case 7: /* deviceId of another user */
        fl.n[4] = 2 + (size_t)(gl_put_u64(fl.f[4] + 2, u->id + 1) - (fl.f[4] + 2));
        break;
    case 8: /* missing field */
        fl.count = 4;
        break;
    case 9: /* extra field */
        set_field(&fl, 5, fl.f[4], 1);
        fl.count = 6;
        break;
    default: /* unterminated quote */
        memmove(fl.f[1] + 1, fl.f[1], fl.n[1]);
        fl.f[1][0] = '"';
        fl.n[1]++;
        break;
    }
    return join(c, p, &fl);
}

/* Local. A well-formed log1 row; caller owns p. */
char *gl_row_user(const gl_ctx *c, char *p, const gl_user *u)
{
    memcpy(p, u->idtxt, GL_ID_DIGITS);
    p += u->idlen;
    p[0] = ';';
    p[1] = (char)('0' + u->region);
    p[2] = ';';
    p[3] = (char)('0' + u->type);
    p[4] = ';';
    if (u->paid) {
        memcpy(p + 5, "true", 4);
        p += 9;
    } else {
        memcpy(p + 5, "false", 5);
        p += 10;
    }
    return put_eol(c, p);
}

/* Local. A well-formed log1 row with the userId quoted; caller owns p. */
char *gl_row_user_quoted(const gl_ctx *c, char *p, const gl_user *u)
{
    fields fl;

    user_fields(u, &fl);
    quote_field(&fl, 0);
    return join(c, p, &fl);
}

/* Local. A malformed log1 row, kind chosen by r; caller owns p. */
char *gl_row_user_bad(const gl_ctx *c, char *p, const gl_user *u, uint64_t r)
{
    fields fl;

    user_fields(u, &fl);
    switch (r % 6) {
    case 0: /* non-integer userId */
        fl.f[0][fl.n[0]++] = 'x';
        break;
    case 1: /* bad boolean */
        set_field(&fl, 3, "yes", 3);
        break;
    case 2:
        set_field(&fl, 3, "no", 2);
        break;
    case 3: /* missing field */
        fl.count = 3;
        break;
    case 4: /* extra field */
        set_field(&fl, 4, "0", 1);
        fl.count = 5;
        break;
    default: /* unterminated quote */
        memmove(fl.f[0] + 1, fl.f[0], fl.n[0]);
        fl.f[0][0] = '"';
        fl.n[0]++;
        break;
    }
    return join(c, p, &fl);
}
