/* Where the report templates are: the stylesheets and the schema. */
#ifndef VOUCH_TEMPLATES_DIR_H
#define VOUCH_TEMPLATES_DIR_H

#include "src/verr.h"

/* The templates folder, first of: from_cli (--templates), $VOUCH_TEMPLATES,
 * from_conf ([report] templates), then the folder installed or built beside the
 * executable (PREFIX/share/vouch/templates for PREFIX/bin/vouch, or the
 * repository's templates/ for build/vouch). A folder that was named but does not
 * exist is an error (VOUCH_USAGE). Caller frees *out. */
vexit report_templates_dir(const char *from_cli, const char *from_conf, char **out, verr *e);

#endif
