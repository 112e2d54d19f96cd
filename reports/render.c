#include "reports/render.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libexslt/exslt.h>
#include <libxml/parser.h>
#include <libxslt/documents.h>
#include <libxslt/security.h>
#include <libxslt/transform.h>
#include <libxslt/variables.h>
#include <libxslt/xsltInternals.h>
#include <libxslt/xsltutils.h>

#include "reports/xml_errors.h"
#include "src/util.h"

#define X(s) ((const xmlChar *)(s))

/* What the read check needs: the stylesheet's folder, resolved. */
typedef struct render_scope {
    char dir[PATH_MAX];
} render_scope;

/* document() and friends may read a file only inside the stylesheet's folder. */
static int read_inside_folder(xsltSecurityPrefsPtr sec, xsltTransformContextPtr ctxt,
                              const char *path)
{
    (void)sec;
    if (!ctxt || !ctxt->_private || !path)
        return 0;
    const render_scope *scope = ctxt->_private;
    char real[PATH_MAX];
    if (!realpath(path, real))
        return 0;
    size_t n = strlen(scope->dir);
    int ok = strncmp(real, scope->dir, n) == 0 && real[n] == '/';
    if (!ok)
        xsltTransformError(ctxt, NULL, NULL, "reading %s is refused: outside the templates folder\n",
                           path);
    return ok;
}

static xsltSecurityPrefsPtr locked_down(void)
{
    xsltSecurityPrefsPtr sec = xsltNewSecurityPrefs();
    if (!sec)
        return NULL;
    if (xsltSetSecurityPrefs(sec, XSLT_SECPREF_READ_FILE, read_inside_folder) ||
        xsltSetSecurityPrefs(sec, XSLT_SECPREF_WRITE_FILE, xsltSecurityForbid) ||
        xsltSetSecurityPrefs(sec, XSLT_SECPREF_CREATE_DIRECTORY, xsltSecurityForbid) ||
        xsltSetSecurityPrefs(sec, XSLT_SECPREF_READ_NETWORK, xsltSecurityForbid) ||
        xsltSetSecurityPrefs(sec, XSLT_SECPREF_WRITE_NETWORK, xsltSecurityForbid)) {
        xsltFreeSecurityPrefs(sec);
        return NULL;
    }
    return sec;
}

/* libxslt's own loader, which ours wraps. */
static xsltDocLoaderFunc stock_loader;

/* Every document libxslt loads on a stylesheet's behalf (xsl:import, xsl:include,
 * document()) is parsed without network access, external entities or DTD
 * loading, whatever options libxslt asks for. */
static xmlDocPtr safe_loader(const xmlChar *uri, xmlDictPtr dict, int options, void *ctxt,
                             xsltLoadType type)
{
    options |= XML_PARSE_NONET;
    options &= ~(XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_DTDATTR | XML_PARSE_XINCLUDE);
    return stock_loader(uri, dict, options, ctxt, type);
}

static void libraries_ready(void)
{
    static bool ready;
    if (ready)
        return;
    exsltRegisterAll();
    stock_loader = xsltDocDefaultLoader;
    xsltSetLoaderFunc(safe_loader);
    ready = true;
}

static xsltStylesheetPtr load_stylesheet(const char *xsl_path, xml_errors *errs, verr *e)
{
    /* No network, no external entities, no DTD loading: a stylesheet is markup, not a fetcher. */
    xmlDocPtr sdoc = xmlReadFile(xsl_path, NULL, XML_PARSE_NONET | XML_PARSE_NOCDATA);
    if (!sdoc) {
        verr_set(e, VOUCH_USAGE, "could not read the stylesheet \"%s\"%s%s", xsl_path,
                 errs->first[0] ? ": " : "", errs->first);
        return NULL;
    }
    xsltStylesheetPtr style = xsltParseStylesheetDoc(sdoc);
    if (!style) {
        xmlFreeDoc(sdoc);
        verr_set(e, VOUCH_USAGE, "\"%s\" is not a usable XSLT stylesheet%s%s", xsl_path,
                 errs->first[0] ? ": " : "", errs->first);
    }
    return style;
}

vexit report_render(xmlDocPtr doc, const char *xsl_path, const report_param *params,
                    size_t n_params, char **out, size_t *len, verr *e)
{
    libraries_ready();
    *out = NULL;
    *len = 0;
    render_scope scope;
    char *slash = NULL;
    if (!realpath(xsl_path, scope.dir) || !(slash = strrchr(scope.dir, '/')))
        return verr_set(e, VOUCH_USAGE, "could not find the stylesheet \"%s\"", xsl_path);
    *slash = '\0';

    xml_errors errs;
    xml_errors_start(&errs);
    vexit rc = VOUCH_OK;
    xsltTransformContextPtr ctxt = NULL;
    xsltSecurityPrefsPtr sec = NULL;
    xmlDocPtr result = NULL;
    xsltStylesheetPtr style = load_stylesheet(xsl_path, &errs, e);
    if (!style) {
        rc = e->code;
        goto out;
    }
    ctxt = xsltNewTransformContext(style, doc);
    sec = locked_down();
    if (!ctxt || !sec || xsltSetCtxtSecurityPrefs(sec, ctxt) != 0) {
        rc = verr_set(e, VOUCH_ABORTED, "could not set up the XSLT transformation");
        goto out;
    }
    ctxt->_private = &scope;
    xsltSetTransformErrorFunc(ctxt, &errs, xml_errors_generic);
    for (size_t i = 0; i < n_params; i++) {
        if (!params[i].value)
            continue;
        char *clean = utf8_scrub(params[i].value);
        int bad = xsltQuoteOneUserParam(ctxt, X(params[i].name), X(clean));
        free(clean);
        if (bad) {
            rc = verr_set(e, VOUCH_USAGE, "could not pass the parameter %s to \"%s\"",
                          params[i].name, xsl_path);
            goto out;
        }
    }
    result = xsltApplyStylesheetUser(style, doc, NULL, NULL, NULL, ctxt);
    if (!result || ctxt->state == XSLT_STATE_ERROR || ctxt->state == XSLT_STATE_STOPPED) {
        rc = verr_set(e, VOUCH_USAGE, "the stylesheet \"%s\" failed: %s", xsl_path,
                      errs.first[0] ? errs.first : "the transformation stopped");
        goto out;
    }
    xmlChar *bytes = NULL;
    int n = 0;
    if (xsltSaveResultToString(&bytes, &n, result, style) != 0) {
        rc = verr_set(e, VOUCH_ABORTED, "could not serialise the output of \"%s\"", xsl_path);
        goto out;
    }
    /* Hand out memory the caller frees with free(), whatever allocator libxml2 uses. */
    *out = xmalloc((size_t)n + 1);
    if (n)
        memcpy(*out, bytes, (size_t)n);
    (*out)[n] = '\0';
    *len = (size_t)n;
    xmlFree(bytes);
out:
    xmlFreeDoc(result);
    if (ctxt)
        xsltFreeTransformContext(ctxt);
    if (sec)
        xsltFreeSecurityPrefs(sec);
    if (style)
        xsltFreeStylesheet(style);
    xml_errors_stop();
    return rc;
}
