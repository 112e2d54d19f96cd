#include "checks/finding.h"

#include <string.h>

static const char *const status_names[] = {"pass", "warn", "fail", "error",
                                              "not_evaluated", "waived"};
#define N_STATUS (sizeof status_names / sizeof status_names[0])

const char *result_status_name(result_status s)
{
    return (unsigned)s < N_STATUS ? status_names[s] : "error";
}

int result_status_parse(const char *name, result_status *out)
{
    for (size_t i = 0; i < N_STATUS; i++)
        if (name && strcmp(name, status_names[i]) == 0) {
            *out = (result_status)i;
            return 0;
        }
    return -1;
}
