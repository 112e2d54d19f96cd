#include "src/cli/drill_target.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "src/pg.h"
#include "src/util.h"

static bool is_blank_line(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

static const char hint[] =
    "With --target-from-output the restore command's last non-empty line of stdout must be "
    "the connection string of what it restored (its progress goes to stderr).";

vexit drill_target_from_output(const shell_tail *t, char **dsn, verr *e)
{
    *dsn = NULL;
    /* the last non-empty line: [start, end) */
    size_t end = t->len, start;
    for (;;) {
        while (end > 0 && t->data[end - 1] == '\n')
            end--;
        start = end;
        while (start > 0 && t->data[start - 1] != '\n')
            start--;
        if (end == 0 || !is_blank_line(t->data + start, end - start))
            break;
        end = start;
    }
    if (end == 0) {
        verr_set(e, VOUCH_FAILED, "the restore command printed no connection string "
                 "(%llu bytes on stdout, no non-empty line)", (unsigned long long)t->bytes);
        verr_hint(e, "%s", hint);
        return e->code;
    }
    bool cut = start == 0 && t->bytes > t->len;  /* its beginning is no longer held */
    if (end > start && t->data[end - 1] == '\r')
        end--;
    if (cut || end - start > DRILL_TARGET_MAX) {
        verr_set(e, VOUCH_FAILED, "the restore command's last line of output is longer "
                 "than the %d bytes a connection string may be", DRILL_TARGET_MAX);
        verr_hint(e, "%s", hint);
        return e->code;
    }
    for (size_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)t->data[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            verr_set(e, VOUCH_FAILED, "the restore command's last line of output holds a "
                     "control byte (0x%02x at byte %zu): it is not a connection string", c,
                     i - start + 1);
            verr_hint(e, "%s", hint);
            return e->code;
        }
    }
    char *line = xstrndup(t->data + start, end - start);
    verr why;
    verr_clear(&why);
    if (pg_dsn_check(line, &why) != VOUCH_OK || !*line) {
        static const char prefix[] = "invalid connection string: ";
        const char *m = why.msg;
        if (strncmp(m, prefix, sizeof prefix - 1) == 0)
            m += sizeof prefix - 1;
        verr_set(e, VOUCH_FAILED, "the restore command's last line of output is not a "
                 "connection string: %s", m);
        verr_hint(e, "%s", hint);
        free(line);
        return e->code;
    }
    *dsn = line;
    return VOUCH_OK;
}
