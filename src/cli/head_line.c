#include "src/cli/head_line.h"

void head_line_print(store *st, FILE *out)
{
    store_heads h;
    verr e;
    verr_clear(&e);
    if (store_head(st, &h, &e) == VOUCH_OK && h.run_pos) {
        if (out)
            fprintf(out, "store head %lld:%s\n", (long long)h.run_pos, h.run_digest);
        else
            fprintf(stderr, "vouch: store head %lld:%s\n", (long long)h.run_pos, h.run_digest);
    }
    if (store_anchor_problem(st)[0])
        fprintf(stderr, "vouch: warning: %s\nhint: The run is sealed in the store; 'vouch verify'"
                        " will name it as not anchored.\n", store_anchor_problem(st));
}
