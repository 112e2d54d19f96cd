#include <string.h>

#include "checks/checker.h"

extern const checker checker_rowcount;
extern const checker checker_audit_log;

const checker *const checkers[] = {
    &checker_rowcount,
    &checker_audit_log,
    NULL,
};

const checker *checker_find(const char *name)
{
    for (size_t i = 0; checkers[i]; i++)
        if (strcmp(checkers[i]->name, name) == 0)
            return checkers[i];
    return NULL;
}
