/* Reports: one XML document per report, built from what the store holds, in the
 * vocabulary that templates/report.rng defines, then rendered by the XSLT
 * stylesheets of a templates folder (reports/render.h).
 *
 * Every report is a function of the store alone: no clock, no database, no host
 * facts go in, so a report rebuilt years later from the same store is the same
 * document. */
#ifndef VOUCH_REPORT_H
#define VOUCH_REPORT_H

#include <libxml/tree.h>

#include "evidence/drill_record.h"
#include "evidence/run_record.h"
#include "reports/period.h"
#include "src/verr.h"

/* The namespace of every report element, and the version of the vocabulary: a
 * change that breaks an existing template raises the version. */
#define REPORT_NS "urn:x-vouch:report"
#define REPORT_VOCABULARY_VERSION "1"

/* The gate report of one gate or check run: verdict first, then the run, the
 * target, the server's identity, the run's place in the store's chain and every
 * check's results. Refuses a baseline run (it has no results to report).
 * Caller frees *out with xmlFreeDoc. */
vexit report_gate_doc(const run_record *r, xmlDocPtr *out, verr *e);

/* The drill report of d: verdict, the drill, its phases, the RTO and data-loss window
 * against their objectives, its gate run's content (gate may be NULL), the gate and check
 * runs started while it was open (linked, oldest first), follow-ups, and the RTO of the
 * drills in history (oldest first) up to d, the last 12 of them.
 * Caller frees *out with xmlFreeDoc. */
vexit report_drill_doc(const drill_record *d, const run_record *gate,
                       run_record *const *linked, size_t n_linked,
                       drill_record *const *history, size_t n_history, xmlDocPtr *out, verr *e);

/* met, partial (within the RTO, the data loss not measured), missed (finished over the RTO
 * or the RPO), failed, interrupted or running. */
const char *report_drill_outcome(const drill_record *d);

/* The compliance report of period p from the gate and check runs and the drills that
 * started in it, each oldest first. Caller frees *out with xmlFreeDoc. */
vexit report_period_doc(const report_period *p, run_record *const *runs, size_t n_runs,
                        drill_record *const *drills, size_t n_drills, xmlDocPtr *out, verr *e);

/* Validate doc against the RELAX NG schema at rng_path; the first problem, with
 * its line when there is one, becomes the error (VOUCH_ABORTED: vouch built a
 * document its own schema refuses). */
vexit report_validate(xmlDocPtr doc, const char *rng_path, verr *e);

#endif
