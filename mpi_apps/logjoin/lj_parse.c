/* lj_parse.c -- one row's fields -> a validated record, or why it is bad. */
#include <stdio.h>
#include <string.h>

#include "logjoin.h"
#include "tk_parse.h"
#include "tk_text.h"

const char *const lj_log1_columns[LJ_L1_NCOLS] = { "userId", "region", "type", "paid" };
const char *const lj_log2_columns[LJ_L2_NCOLS] = { "hour", "userId", "songId", "genderId",
                                                   "deviceId" };

static int two_digits(const char *s, int *v)
{
    unsigned a = (unsigned char)s[0] - '0', b = (unsigned char)s[1] - '0';

    if (a > 9 || b > 9)
        return -1;
    *v = (int)(a * 10 + b);
    return 0;
}

int lj_parse_hour(const char *s, size_t n, int *hour)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int d, m, y1, y2, y, hh, mm, ss, dim;

    /* dd-mm-yyyy HH:MM:SS */
    if (n != 19 || s[2] != '-' || s[5] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
        return -1;
    if (two_digits(s, &d) || two_digits(s + 3, &m) || two_digits(s + 6, &y1) ||
        two_digits(s + 8, &y2) || two_digits(s + 11, &hh) || two_digits(s + 14, &mm) ||
        two_digits(s + 17, &ss))
        return -1;
    y = y1 * 100 + y2;
    if (y < 1 || m < 1 || m > 12 || hh > 23 || mm > 59 || ss > 59)
        return -1;
    dim = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        dim = 29;
    if (d < 1 || d > dim)
        return -1;
    *hour = hh;
    return 0;
}

/* "NAME 'VALUE'WHAT" into why_buf, the value escaped (control bytes, NUL)
 * and cut at 24 bytes. */
static const char *bad_value(char *why_buf, size_t why_len, const char *name, const char *v,
                             size_t n, const char *what)
{
    char shown[LJ_BAD_VALUE_SHOWN * 4 + 8];

    tk_log_escape(shown, sizeof(shown), v, n, LJ_BAD_VALUE_SHOWN);
    snprintf(why_buf, why_len, "%s '%s'%s", name, shown, what);
    return why_buf;
}

/* "FIELD: 'VALUE' is not an integer" and friends, into why_buf */
static const char *bad_int(int rc, const char *name, const char *v, size_t n, char *why_buf,
                           size_t why_len)
{
    return bad_value(why_buf, why_len, name, v, n,
                     rc == TK_PARSE_RANGE ? " is out of range" : " is not an integer");
}

#define FIELD(i) tk_csv_field(c, (size_t)col[i]), tk_csv_field_len(c, (size_t)col[i])

static const char *check_nfields(const tk_csv *c, size_t nfields, char *why_buf,
                                 size_t why_len)
{
    if (tk_csv_nfields(c) == nfields)
        return NULL;
    snprintf(why_buf, why_len, "expected %zu fields, found %zu", nfields, tk_csv_nfields(c));
    return why_buf;
}

const char *lj_parse_log1(const tk_csv *c, size_t nfields, const int *col, lj_user_rec *rec,
                          char *why_buf, size_t why_len)
{
    const char *why;
    int64_t v;
    int rc, paid;

    if ((why = check_nfields(c, nfields, why_buf, why_len)))
        return why;
    if ((rc = tk_parse_i64(FIELD(LJ_L1_USER), INT64_MIN, INT64_MAX, &rec->user)))
        return bad_int(rc, "userId", FIELD(LJ_L1_USER), why_buf, why_len);
    if ((rc = tk_parse_i64(FIELD(LJ_L1_REGION), INT32_MIN, INT32_MAX, &v)))
        return bad_int(rc, "region", FIELD(LJ_L1_REGION), why_buf, why_len);
    rec->region = (int32_t)v;
    if ((rc = tk_parse_i64(FIELD(LJ_L1_TYPE), INT32_MIN, INT32_MAX, &v)))
        return bad_int(rc, "type", FIELD(LJ_L1_TYPE), why_buf, why_len);
    rec->type = (int32_t)v;
    if (tk_parse_bool(FIELD(LJ_L1_PAID), &paid))
        return bad_value(why_buf, why_len, "paid", FIELD(LJ_L1_PAID), " is not true or false");
    rec->paid = paid;
    rec->pad = 0;
    return NULL;
}

const char *lj_parse_log2(const tk_csv *c, size_t nfields, const int *col, lj_play_rec *rec,
                          char *why_buf, size_t why_len)
{
    const char *why, *dev, *us;
    size_t dn;
    int64_t v, dev_user;
    int rc;

    if ((why = check_nfields(c, nfields, why_buf, why_len)))
        return why;
    if ((rc = tk_parse_i64(FIELD(LJ_L2_USER), INT64_MIN, INT64_MAX, &rec->user)))
        return bad_int(rc, "userId", FIELD(LJ_L2_USER), why_buf, why_len);
    if ((rc = tk_parse_i64(FIELD(LJ_L2_SONG), INT64_MIN, INT64_MAX, &rec->song)))
        return bad_int(rc, "songId", FIELD(LJ_L2_SONG), why_buf, why_len);
    if ((rc = tk_parse_i64(FIELD(LJ_L2_GENRE), INT32_MIN, INT32_MAX, &v)))
        return bad_int(rc, "genderId", FIELD(LJ_L2_GENRE), why_buf, why_len);
    rec->genre = (int32_t)v;
    if (lj_parse_hour(FIELD(LJ_L2_HOUR), &rec->hour))
        return bad_value(why_buf, why_len, "hour", FIELD(LJ_L2_HOUR),
                         " is not a dd-mm-yyyy HH:MM:SS time");
    /* deviceId: D_USERID, D a device number, USERID the row's userId */
    dev = tk_csv_field(c, (size_t)col[LJ_L2_DEVICE]);
    dn = tk_csv_field_len(c, (size_t)col[LJ_L2_DEVICE]);
    us = memchr(dev, '_', dn);
    if (!us || us == dev || (unsigned)((unsigned char)dev[0] - '0') > 9)
        goto bad_device; /* D is plain digits: no sign */
    rc = tk_parse_i64(dev, (size_t)(us - dev), 0, INT64_MAX, &rec->device);
    if (rc == TK_PARSE_SYNTAX)
        goto bad_device;
    if (rc != TK_PARSE_OK)
        return bad_value(why_buf, why_len, "deviceId", dev, dn, ": device number out of range");
    if (tk_parse_i64(us + 1, dn - (size_t)(us - dev) - 1, INT64_MIN, INT64_MAX, &dev_user))
        goto bad_device;
    if (dev_user != rec->user) {
        char what[64];
        snprintf(what, sizeof(what), " belongs to user %lld, not %lld", (long long)dev_user,
                 (long long)rec->user);
        return bad_value(why_buf, why_len, "deviceId", dev, dn, what);
    }
    return NULL;
bad_device:
    return bad_value(why_buf, why_len, "deviceId", dev, dn, " is not DEVICE_USERID");
}
