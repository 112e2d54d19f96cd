/* The approvals of runs (docs/approvals.md) in report documents: read from the store when a
 * report is built, and added to the document its builder made (templates/report.rng). */
#ifndef VOUCH_APPROVALS_XML_H
#define VOUCH_APPROVALS_XML_H

#include <libxml/tree.h>

#include "evidence/approval.h"
#include "src/verr.h"

/* <approvals required= distinct= met=> with one <approval> per approval of run_id in l,
 * appended to parent (a gate report's root, or a drill report's <gate>). required is
 * [gate] approvals; met says whether a passed gate has that many distinct signers (always
 * true of a gate that did not pass: it let nobody back in). */
void report_approvals_xml(xmlNodePtr parent, const approval_list *l, int64_t run_id,
                          const char *run_status, int required);

/* Into each <gate> of a compliance report's <gates> (under root): approvals= (distinct
 * signers) and, when a passed gate has fewer than required, unapproved="true"; into
 * <gates>: approvals-required= and unapproved= (how many). */
void report_approvals_period(xmlNodePtr root, const approval_list *l, int required);

#endif
