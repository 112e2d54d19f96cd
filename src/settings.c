#include "src/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/store/store.h"
#include "src/util.h"

const conf_key target_keys[] = {
    {"dsn", 0, "CONNINFO | URI",
     "The database to check, as a libpq connection string or URI; --target overrides it. "
     "Without it libpq's defaults apply (PG* variables, service file, .pgpass)."},
    {"connect_timeout", 0, "SECONDS", "Give up connecting after this many seconds (default 10)."},
    {"jobs", 0, "N",
     "Connections that share the run's snapshot for independent heavy queries such as counts "
     "and the audit_log stream; with 2 or more the other checks run beside that stream "
     "(default 2; 1 uses one connection)."},
    {"statement_timeout", 0, "DURATION",
     "Cancel any one query that runs longer, e.g. 30s or 5min; 0 for none (default 15min)."},
    {NULL, 0, NULL, NULL},
};

const conf_key store_keys[] = {
    {"path", 0, "FILE",
     "The SQLite evidence store (default vouch.db); relative to the configuration file's "
     "folder. --store overrides it."},
    {"url", 0, "URL",
     "The store as a URL instead of path: sqlite:FILE (as written, not relative to the "
     "configuration file), or postgresql://... once that back end is built (refused until "
     "then). --store overrides it."},
    {"anchor", 0, "FILE",
     "The head file: one line (chain, position, digest) appended for every sealed run and "
     "drill, so that vouch verify finds runs cut from the store's end (default the store's "
     "path with .head added); relative to the configuration file's folder. Put it where the "
     "store's writers can append but not rewrite: another machine's mount, a WORM or "
     "chattr +a file."},
    {NULL, 0, NULL, NULL},
};

const conf_key report_keys[] = {
    {"templates", 0, "DIR",
     "The folder of report stylesheets and schema (default the installed templates); "
     "relative to the configuration file's folder. --templates overrides it."},
    {"organisation", 0, "TEXT", "The organisation named in the heading of every report."},
    {NULL, 0, NULL, NULL},
};

const conf_key signing_keys[] = {
    {"key", 0, "FILE",
     "The private key (PEM) that signs reports, packs and 'vouch sign'; relative to the "
     "configuration file's folder (default vouch-signing.key)."},
    {"certificate", 0, "FILE",
     "Its certificate (PEM), included in every signature; 'vouch verify' pins it (default "
     "vouch-signing.crt)."},
    {"passphrase_env", 0, "VARIABLE",
     "The environment variable holding the key's passphrase, when the key is encrypted."},
    {"passphrase_file", 0, "FILE", "A file whose first line is the key's passphrase."},
    {"tsa", 0, "URL",
     "An RFC 3161 time-stamp authority (http or https): every signature FILE.p7s gets a "
     "token from it over its bytes, FILE.tsr, proving when it was made."},
    {"tsa_ca", 0, "FILE",
     "The TSA's certificate or its CA (PEM) that tokens must chain to, when made and when "
     "verified; relative to the configuration file's folder."},
    {"tsa_required", 0, "yes | no",
     "With yes, a TSA that cannot stamp fails the signing; with no (the default) the "
     "signature is kept with a warning."},
    {NULL, 0, NULL, NULL},
};

const conf_key gate_keys[] = {
    {"negative_control", 0, "never | weekly | always",
     "When a gate also runs every check against a perturbed copy of its baseline and requires "
     "each to fail (docs/negative-control.md): always, weekly (when the last negative control "
     "that passed is over 7 days old, or there is none) or never (the default; "
     "--negative-control runs it anyway)."},
    {"approvals", 0, "N",
     "Signed approvals (vouch approve) from N distinct signers that every passed gate needs: "
     "vouch runs and the compliance report flag a passed gate with fewer (default 0: none "
     "asked)."},
    {NULL, 0, NULL, NULL},
};

/* "share_tokens, audit_log": the sections that take named instances, for hints. */
static void instance_sections(const section_kind *kinds, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n && used < size; k++)
        if (kinds[k].instances)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                                     kinds[k].name);
}

static const section_kind *kind_find(const section_kind *kinds, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(kinds[k].name, name) == 0)
            return &kinds[k];
    return NULL;
}

static vexit check_sections(const conf *c, const section_kind *kinds, size_t n_kinds, verr *e)
{
    for (size_t i = 0; i < c->n_sections; i++) {
        const conf_section *s = &c->sections[i];
        bool own = strcmp(s->base, "target") == 0 || strcmp(s->base, "store") == 0 ||
                   strcmp(s->base, "report") == 0 || strcmp(s->base, "signing") == 0 ||
                   strcmp(s->base, "objectives") == 0 || strcmp(s->base, "gate") == 0;
        const section_kind *kind = own ? NULL : kind_find(kinds, n_kinds, s->base);
        if (own && s->instance) {
            verr_set(e, VOUCH_USAGE, "%s:%d: section [%s] takes no instance name", c->path,
                     s->line, s->name);
            verr_hint(e, "Write it as [%s].", s->base);
            return e->code;
        }
        if (kind && s->instance && !kind->instances) {
            char which[256];
            instance_sections(kinds, n_kinds, which, sizeof which);
            verr_set(e, VOUCH_USAGE, "%s:%d: section [%s]: %s takes no named instances", c->path,
                     s->line, s->name, s->base);
            verr_hint(e, "Put everything %s checks in one [%s] section; named instances are for "
                         "%s.", s->base, s->base, which);
            return e->code;
        }
        if (own || kind)
            continue;
        verr_set(e, VOUCH_USAGE, "%s:%d: unknown section [%s]", c->path, s->line, s->name);
        char known[512] = "target, store, report, signing, objectives, gate";
        size_t used = strlen(known);
        for (size_t k = 0; k < n_kinds && used < sizeof known; k++)
            used += (size_t)snprintf(known + used, sizeof known - used, ", %s", kinds[k].name);
        verr_hint(e, "Known sections are: %s.", known);
        return e->code;
    }
    vexit rc;
    if ((rc = conf_check_section(c, "target", target_keys, e)) ||
        (rc = conf_check_section(c, "store", store_keys, e)) ||
        (rc = conf_check_section(c, "report", report_keys, e)) ||
        (rc = conf_check_section(c, "signing", signing_keys, e)) ||
        (rc = conf_check_section(c, "objectives", objectives_keys, e)) ||
        (rc = conf_check_section(c, "gate", gate_keys, e)))
        return rc;
    /* Every section of a check, bare or a named instance, against the check's keys. */
    for (size_t i = 0; i < c->n_sections; i++) {
        const section_kind *kind = kind_find(kinds, n_kinds, c->sections[i].base);
        if (kind && (rc = conf_check_section(c, c->sections[i].name, kind->keys, e)))
            return rc;
    }
    return VOUCH_OK;
}

static char *relative_to(const char *conf_path, const char *path)
{
    const char *slash = strrchr(conf_path, '/');
    if (path[0] == '/' || !slash)
        return xstrdup(path);
    return xasprintf("%.*s/%s", (int)(slash - conf_path), conf_path, path);
}

static vexit read_signing(const conf *c, signing_settings *sg, verr *e)
{
    const conf_entry *ent, *file = conf_get(c, "signing", "passphrase_file");
    if ((ent = conf_get(c, "signing", "passphrase_env")) && file)
        return conf_error(e, c, file, "give passphrase_env or passphrase_file, not both");
    if (ent)
        sg->passphrase_env = ent->value;
    if (file)
        sg->passphrase_file = relative_to(c->path, file->value);
    if ((ent = conf_get(c, "signing", "key")))
        sg->key_path = relative_to(c->path, ent->value);
    if ((ent = conf_get(c, "signing", "certificate")))
        sg->cert_path = relative_to(c->path, ent->value);
    if ((ent = conf_get(c, "signing", "tsa"))) {
        if (strncmp(ent->value, "http://", 7) != 0 && strncmp(ent->value, "https://", 8) != 0)
            return conf_error(e, c, ent, "a TSA is reached over http:// or https://, not \"%s\"",
                              ent->value);
        sg->tsa_url = ent->value;
    }
    if ((ent = conf_get(c, "signing", "tsa_ca")))
        sg->tsa_ca = relative_to(c->path, ent->value);
    if ((ent = conf_get(c, "signing", "tsa_required"))) {
        vexit rc = conf_bool(c, ent, &sg->tsa_required, e);
        if (rc)
            return rc;
        if (sg->tsa_required && !sg->tsa_url)
            return conf_error(e, c, ent, "tsa_required needs tsa: the URL of the time-stamp "
                                         "authority");
    }
    return VOUCH_OK;
}

vexit settings_read(const conf *c, const section_kind *kinds, size_t n_kinds, vouch_settings *s,
                    verr *e)
{
    *s = (vouch_settings){NULL, DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_STATEMENT_TIMEOUT_MS,
                          DEFAULT_JOBS, NULL, NULL, NULL, NULL, {NULL, NULL, NULL, NULL, NULL, NULL, false},
                          objectives_default(), NEGCTL_NEVER, 0};
    vexit rc = check_sections(c, kinds, n_kinds, e);
    if (rc)
        return rc;
    const conf_entry *ent;
    if ((ent = conf_get(c, "target", "dsn")))
        s->dsn = ent->value;
    int64_t v;
    if ((ent = conf_get(c, "target", "connect_timeout"))) {
        if ((rc = conf_int(c, ent, 1, 3600, &v, e)))
            return rc;
        s->connect_timeout_s = (int)v;
    }
    if ((ent = conf_get(c, "target", "jobs"))) {
        if ((rc = conf_int(c, ent, 1, 16, &v, e)))
            return rc;
        s->jobs = (int)v;
    }
    if ((ent = conf_get(c, "target", "statement_timeout")) &&
        (rc = conf_duration_ms(c, ent, &s->statement_timeout_ms, e)))
        return rc;
    ent = conf_get(c, "store", "path");
    const conf_entry *url = conf_get(c, "store", "url");
    if (ent && url)
        return conf_error(e, c, url, "give path or url, not both");
    /* A URL is handed to the store as written: its scheme picks the back end there. */
    s->store_path = url  ? xstrdup(url->value)
                    : ent ? relative_to(c->path, ent->value)
                          : xstrdup(STORE_DEFAULT_PATH);
    if ((ent = conf_get(c, "store", "anchor")))
        s->store_anchor = relative_to(c->path, ent->value);
    if ((ent = conf_get(c, "report", "templates")))
        s->report_templates = relative_to(c->path, ent->value);
    if ((ent = conf_get(c, "report", "organisation")))
        s->report_organisation = ent->value;
    if ((rc = objectives_read(c, &s->objectives, e)))
        return rc;
    if ((ent = conf_get(c, "gate", "negative_control"))) {
        static const char *const when[] = {"never", "weekly", "always"};
        size_t k = 0;
        while (k < 3 && strcmp(ent->value, when[k]) != 0)
            k++;
        if (k == 3)
            return conf_error(e, c, ent, "expected never, weekly or always, not \"%s\"",
                              ent->value);
        s->negative_control = (negctl_when)k;
    }
    if ((ent = conf_get(c, "gate", "approvals"))) {
        if ((rc = conf_int(c, ent, 0, 100, &v, e)))
            return rc;
        s->gate_approvals = (int)v;
    }
    return read_signing(c, &s->signing, e);
}

void settings_release(vouch_settings *s)
{
    free(s->store_path);
    free(s->store_anchor);
    s->store_anchor = NULL;
    free(s->signing.key_path);
    free(s->signing.cert_path);
    free(s->signing.passphrase_file);
    free(s->signing.tsa_ca);
    s->store_path = NULL;
    free(s->report_templates);
    s->report_templates = NULL;
    s->signing = (signing_settings){NULL, NULL, NULL, NULL, NULL, NULL, false};
}
