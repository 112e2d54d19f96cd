/* Rendering a report document with an XSLT 1.0 stylesheet (libxslt).
 *
 * The stylesheet may read files only inside its own folder (document() of a
 * logo or a shared fragment); writing files, creating folders and any network
 * access are refused by libxslt's security preferences, and the stylesheet file
 * itself is parsed without network access or external entities. Parameters are
 * passed as strings, quoted by libxslt, so a value is never read as XPath. */
#ifndef VOUCH_RENDER_H
#define VOUCH_RENDER_H

#include <stddef.h>

#include <libxml/tree.h>

#include "src/verr.h"

typedef struct report_param {
    const char *name;
    const char *value;   /* any text; NULL leaves the stylesheet's default */
} report_param;

/* Transform doc with the stylesheet at xsl_path, serialised as its xsl:output
 * says. *out (caller frees with free) holds *len bytes. A stylesheet that cannot
 * be read or is refused something is VOUCH_USAGE; the message names the file. */
vexit report_render(xmlDocPtr doc, const char *xsl_path, const report_param *params,
                    size_t n_params, char **out, size_t *len, verr *e);

#endif
