/* Validation of a report document against templates/report.rng. */
#include <libxml/relaxng.h>

#include "reports/report.h"
#include "reports/xml_errors.h"

vexit report_validate(xmlDocPtr doc, const char *rng_path, verr *e)
{
    xml_errors errs;
    xml_errors_start(&errs);
    xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(rng_path);
    xmlRelaxNGSetParserStructuredErrors(pc, xml_errors_structured, &errs);
    xmlRelaxNGPtr schema = xmlRelaxNGParse(pc);
    xmlRelaxNGFreeParserCtxt(pc);
    vexit rc = VOUCH_OK;
    if (!schema) {
        rc = verr_set(e, VOUCH_USAGE, "could not read the report schema \"%s\": %s", rng_path,
                      errs.first[0] ? errs.first : "not a RELAX NG schema");
        goto out;
    }
    xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(vc, xml_errors_structured, &errs);
    int bad = xmlRelaxNGValidateDoc(vc, doc);
    xmlRelaxNGFreeValidCtxt(vc);
    xmlRelaxNGFree(schema);
    if (bad) {
        /* The document is built in memory: name the element, not a line. */
        rc = verr_set(e, VOUCH_ABORTED, "the report does not match its schema \"%s\": %s",
                      rng_path, errs.first[0] ? errs.first : "invalid");
        verr_hint(e, "A report.rng in a templates folder of your own must accept vouch's "
                     "vocabulary; see docs/reports.md.");
    }
out:
    xml_errors_stop();
    return rc;
}
