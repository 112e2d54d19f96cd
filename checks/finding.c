#include "checks/finding.h"

#include <string.h>

static const char *const status_names[] = {"pass", "warn", "fail", "error"};

const char *result_status_name(result_status s)
{
    return (unsigned)s < 4 ? status_names[s] : "error";
}

int result_status_parse(const char *name, result_status *out)
{
    for (int i = 0; i < 4; i++)
        if (name && strcmp(name, status_names[i]) == 0) {
            *out = (result_status)i;
            return 0;
        }
    return -1;
}
