#include "src/cli/cmd_pack.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evidence/manifest.h"
#include "evidence/pack_build.h"
#include "reports/period.h"
#include "src/util.h"

static const char *const opt_names[PACK_OPT_COUNT] = {"period", "sign", "no-sign"};

static bool applies(const char *command, int which)
{
    if (!command)
        return false;
    if (which == PACK_OPT_PERIOD)
        return strcmp(command, "pack") == 0;
    return strcmp(command, "report") == 0;
}

vexit pack_cli_option(pack_cli *o, const char *command, int which, const char *value, verr *e)
{
    if (!applies(command, which)) {
        verr_set(e, VOUCH_USAGE, "option --%s does not apply%s%s", opt_names[which],
                 command ? " to " : " before a command", command ? command : "");
        verr_hint(e, "Run 'vouch %s%s--help'.", command ? command : "", command ? " " : "");
        return e->code;
    }
    if ((which == PACK_OPT_SIGN && o->opt[PACK_OPT_NO_SIGN]) ||
        (which == PACK_OPT_NO_SIGN && o->opt[PACK_OPT_SIGN]))
        return verr_set(e, VOUCH_USAGE, "give --sign or --no-sign, not both");
    o->opt[which] = value ? value : "";
    return VOUCH_OK;
}

void pack_cli_usage(FILE *f, const char *command)
{
    if (strcmp(command, "pack") == 0)
        fprintf(f, "\n      --period P      2026-Q3, 2026-10 or 2026-07-01..2026-09-30 (UTC days,\n"
                   "                      both included): runs and drills started in it\n"
                   "      --out DIR       the pack's folder: new, or empty\n"
                   "      --progress      progress on standard error even when it is no terminal\n"
                   "      --no-progress   no progress line (shown on a terminal unless -q)\n"
                   "\nThe MANIFEST is signed with [signing] key and certificate, else\n"
                   "vouch-signing.key and vouch-signing.crt here (make them with 'vouch keygen').\n");
    else if (strcmp(command, "report") == 0)
        fprintf(f, "      --sign          sign the report (FILE.p7s); no signing key is an error\n"
                   "      --no-sign       do not sign it (by default a report written with --out\n"
                   "                      is signed when a signing key is configured)\n");
}

sign_mode pack_cli_sign_mode(const pack_cli *o)
{
    return o->opt[PACK_OPT_SIGN] ? SIGN_ALWAYS : o->opt[PACK_OPT_NO_SIGN] ? SIGN_NEVER : SIGN_AUTO;
}

vexit cmd_pack(const report_request *rq, const pack_cli *o, const char *out_dir, FILE *out,
               progress *meter, verr *e)
{
    if (rq->n_args)
        return verr_set(e, VOUCH_USAGE, "pack takes no arguments (got \"%s\")", rq->args[0]);
    if (rq->format)
        return verr_set(e, VOUCH_USAGE, "--format does not apply to pack: a pack holds every format");
    if (!o->opt[PACK_OPT_PERIOD] || !out_dir) {
        verr_set(e, VOUCH_USAGE, "pack needs --period and --out");
        verr_hint(e, "For example 'vouch pack --period 2026-Q3 --out evidence-2026-Q3'.");
        return e->code;
    }
    report_period p;
    vexit rc = report_period_parse(o->opt[PACK_OPT_PERIOD], &p, e);
    if (rc || (rc = pack_check_destination(out_dir, e)))
        return rc;
    signer *s;
    if ((rc = signer_from_settings(&rq->settings->signing, &s, e)))
        return rc;
    pack_summary sum;
    pack_source from = {rq->st, rq->settings, rq->templates, NULL, meter};
    rc = pack_build(&from, &p, out_dir, s, &sum, e);
    if (!rc) {
        char *subject = dn_format(X509_get_subject_name(s->cert));
        char fp[100];
        cert_fingerprint(s->cert, fp, sizeof fp);
        fprintf(out, "packed %s (%s to %s, UTC) into %s\n", p.label, p.first, p.last, out_dir);
        if (!sum.gate_runs && !sum.baselines && !sum.drills)
            fprintf(out, "  nothing was recorded in this period: the pack says so\n");
        fprintf(out, "  gate runs    %zu (HTML, Markdown, XML and CSV reports in gates/)\n",
                sum.gate_runs);
        fprintf(out, "  baselines    %zu (in chain.json)\n", sum.baselines);
        fprintf(out, "  drills       %zu (drills/)\n", sum.drills);
        fprintf(out, "  files        %zu, %" PRIu64 " bytes, listed in MANIFEST\n", sum.files,
                sum.bytes);
        fprintf(out, "  signed       MANIFEST.p7s by %s (SHA-256 %s)\n", subject, fp);
        char *tsr = xasprintf("%s/%s", out_dir, MANIFEST_TSR_NAME);
        if (access(tsr, F_OK) == 0)
            fprintf(out, "  timestamped  %s by the TSA at %s\n", MANIFEST_TSR_NAME, s->tsa.url);
        else
            fprintf(out, "  timestamped  no: the signing time is the signer's own clock%s\n",
                    s->tsa.url ? " (the TSA could not stamp it)" : "");
        free(tsr);
        if (sum.stale)
            fprintf(out, "  cleaned      %zu folder%s left beside it by a pack that was killed\n",
                    sum.stale, sum.stale == 1 ? "" : "s");
        free(subject);
    }
    signer_free(s);
    return rc;
}
