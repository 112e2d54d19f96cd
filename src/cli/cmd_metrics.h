/* vouch metrics: the store's state in the Prometheus text exposition format, for
 * node_exporter's textfile collector (docs/metrics.md). */
#ifndef VOUCH_CMD_METRICS_H
#define VOUCH_CMD_METRICS_H

#include "evidence/store/store.h"
#include "src/objectives.h"
#include "src/verr.h"

typedef struct metrics_request {
    store *st;                 /* opened read-only by main */
    const objectives *obj;     /* the [objectives] in force */
    const char *out_path;      /* --out FILE, replaced atomically; NULL: standard output */
} metrics_request;

vexit cmd_metrics(const metrics_request *rq, verr *e);

#endif
