#include <string.h>

#include "checks/checker.h"

extern const checker checker_rowcount;
extern const checker checker_content;
extern const checker checker_rls;
extern const checker checker_share_tokens;
extern const checker checker_settings;
extern const checker checker_audit_log;
extern const checker checker_residency;
extern const checker checker_backups;
extern const checker checker_query;

const checker *const checkers[] = {
    &checker_rowcount,
    &checker_content,
    &checker_rls,
    &checker_share_tokens,
    &checker_settings,
    &checker_audit_log,
    &checker_residency,
    &checker_backups,
    &checker_query,
    NULL,
};

const checker *checker_find(const char *name)
{
    for (size_t i = 0; checkers[i]; i++)
        if (strcmp(checkers[i]->name, name) == 0)
            return checkers[i];
    return NULL;
}
