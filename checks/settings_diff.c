#include "checks/settings_diff.h"

#include <stdlib.h>
#include <string.h>

#include "src/util.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted; NULL-terminated, the caller frees the array. */
static const char **sorted_keys(const json_t *o, size_t *n)
{
    *n = json_is_object(o) ? json_object_size(o) : 0;
    const char **keys = xcalloc(*n + 1, sizeof *keys);
    size_t i = 0;
    const char *k;
    json_t *v;
    if (*n)
        json_object_foreach((json_t *)o, k, v) keys[i++] = k;
    qsort(keys, *n, sizeof *keys, by_name);
    return keys;
}

typedef struct acc {
    sdiff *v;
    size_t n, cap;
} acc;

static void push(acc *a, sdiff d)
{
    grow((void **)&a->v, &a->cap, a->n + 1, sizeof *a->v);
    a->v[a->n++] = d;
}

static const char *text_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void compare_attrs(acc *a, const char *object, const json_t *x, const json_t *y)
{
    size_t nx, ny, i = 0, j = 0;
    const char **kx = sorted_keys(x, &nx), **ky = sorted_keys(y, &ny);
    while (i < nx || j < ny) {
        int c = i >= nx ? 1 : j >= ny ? -1 : strcmp(kx[i], ky[j]);
        if (c < 0) {
            push(a, (sdiff){SDIFF_LOST, object, kx[i], text_of(x, kx[i]), NULL});
            i++;
        } else if (c > 0) {
            push(a, (sdiff){SDIFF_ADDED, object, ky[j], NULL, text_of(y, ky[j])});
            j++;
        } else {
            const char *u = text_of(x, kx[i]), *w = text_of(y, ky[j]);
            if (strcmp(u, w) != 0)
                push(a, (sdiff){SDIFF_CHANGED, object, kx[i], u, w});
            i++;
            j++;
        }
    }
    free(kx);
    free(ky);
}

size_t sdiff_compare(const json_t *before, const json_t *after, sdiff **out)
{
    acc a = {0};
    size_t nx, ny, i = 0, j = 0;
    const char **kx = sorted_keys(before, &nx), **ky = sorted_keys(after, &ny);
    while (i < nx || j < ny) {
        int c = i >= nx ? 1 : j >= ny ? -1 : strcmp(kx[i], ky[j]);
        if (c < 0) {
            push(&a, (sdiff){SDIFF_OBJECT_LOST, kx[i], NULL, NULL, NULL});
            i++;
        } else if (c > 0) {
            push(&a, (sdiff){SDIFF_OBJECT_ADDED, ky[j], NULL, NULL, NULL});
            j++;
        } else {
            compare_attrs(&a, kx[i], json_object_get(before, kx[i]), json_object_get(after, ky[j]));
            i++;
            j++;
        }
    }
    free(kx);
    free(ky);
    *out = a.v;
    return a.n;
}

bool sdiff_split_setting(char *entry, const char **name, const char **value)
{
    char *eq = strchr(entry, '=');
    if (!eq)
        return false;
    *eq = '\0';
    *name = entry;
    *value = eq + 1;
    return true;
}

static bool state_known(const char *s)
{
    return !s || strcmp(s, SDIFF_GRANTED) == 0 || strcmp(s, SDIFF_GRANTABLE) == 0 ||
           strcmp(s, SDIFF_REVOKED) == 0;
}

/* One privilege statement: "GRANT PRIV ON what TO who [WITH GRANT OPTION]" or
 * "REVOKE [GRANT OPTION FOR] PRIV ON what FROM who", behind prefix. */
static char *grant_stmt(const char *prefix, bool grant, bool option, const char *priv,
                        const char *on, const char *who)
{
    if (grant)
        return xasprintf("%sGRANT %s ON %s TO %s%s", prefix, priv, on, who,
                         option ? " WITH GRANT OPTION" : "");
    return xasprintf("%sREVOKE %s%s ON %s FROM %s", prefix, option ? "GRANT OPTION FOR " : "",
                     priv, on, who);
}

char *sdiff_privilege_sql(const char *db, const char *object, const char *attr, const char *was,
                          const char *now)
{
    if (!object || !attr || !state_known(was) || !state_known(now))
        return NULL;
    if ((!was && !now) || (was && now && strcmp(was, now) == 0))
        return NULL;
    char *prefix, *on, *priv, *who;
    if (db) {
        if ((was && strcmp(was, SDIFF_REVOKED) == 0) || (now && strcmp(now, SDIFF_REVOKED) == 0))
            return NULL;
        prefix = xstrdup("");
        on = xasprintf("DATABASE %s", db);
        priv = xstrdup(attr);
        who = xstrdup(object);
    } else {
        /* "FOR ROLE r [IN SCHEMA s] ON KIND": the kind is one word, so the last " ON ". */
        const char *cut = NULL;
        for (const char *p = strstr(object, " ON "); p; p = strstr(p + 1, " ON "))
            cut = p;
        const char *to = strstr(attr, " TO ");
        if (!cut || !to || strncmp(object, "FOR ROLE ", 9) != 0)
            return NULL;
        prefix = xasprintf("ALTER DEFAULT PRIVILEGES %.*s ", (int)(cut - object), object);
        on = xstrdup(cut + 4);
        priv = xasprintf("%.*s", (int)(to - attr), attr);
        who = xstrdup(to + 4);
    }
    char *sql;
    if (db && !was)
        sql = grant_stmt(prefix, false, false, priv, on, who);   /* granted now: take it away */
    else if (!db && !was)
        /* the hard-wired default: a grant now is revoked, a revoked default granted again */
        sql = grant_stmt(prefix, strcmp(now, SDIFF_REVOKED) == 0, false, priv, on, who);
    else if (strcmp(was, SDIFF_REVOKED) == 0)
        sql = grant_stmt(prefix, false, false, priv, on, who);
    else if (strcmp(was, SDIFF_GRANTED) == 0 && now && strcmp(now, SDIFF_GRANTABLE) == 0)
        sql = grant_stmt(prefix, false, true, priv, on, who);     /* only the option is new */
    else
        sql = grant_stmt(prefix, true, strcmp(was, SDIFF_GRANTABLE) == 0, priv, on, who);
    free(prefix);
    free(on);
    free(priv);
    free(who);
    return sql;
}
