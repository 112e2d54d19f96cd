/* Pieces the report builders share: the gate's content (used by the gate report and
 * inside a drill report), one result, counts by status. */
#ifndef VOUCH_REPORT_PARTS_H
#define VOUCH_REPORT_PARTS_H

#include <stdbool.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "evidence/run_record.h"

/* verdict, run, target, server, chain and checks of r, appended to parent. */
void report_gate_content(xmlNodePtr parent, const run_record *r);

/* One <result> (with a check attribute when with_check) appended to parent. */
xmlNodePtr report_result(xmlNodePtr parent, const result_row *x, int64_t seq, bool with_check);

/* results, passed, warnings, failed, errors attributes. */
void report_counts_attrs(xmlNodePtr n, result_counts c);
void report_count_one(result_counts *c, result_status s);
/* <facts><fact name="KEY">VALUE</fact>...</facts> under parent from a result's facts (JSON
 * object text); nothing when there are none or they do not parse. */
void report_facts(xmlNodePtr parent, const char *facts);

/* One <waiver> under parent from an entry of a run's waivers (run_record_waivers). */
struct json_t;
void report_waiver(xmlNodePtr parent, const struct json_t *w);

/* open / closed for a gate, passed / failed for a check run, else aborted / running. */
const char *report_run_outcome(const run_record *r);

#endif
