#include "src/cli/cmd_sign.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "evidence/keys.h"
#include "evidence/pack_verify.h"
#include "evidence/sign.h"
#include "evidence/sign_policy.h"
#include "src/util.h"

static const char *const opt_names[SIGN_OPT_COUNT] = {
    "algorithm", "subject", "days", "key", "cert", "passphrase-env", "passphrase-file", "force",
    "tsa-ca",
};

#define BIT(o) (1u << (o))
#define KEY_OPTS (BIT(SIGN_OPT_KEY) | BIT(SIGN_OPT_CERT) | BIT(SIGN_OPT_PASSPHRASE_ENV) | \
                  BIT(SIGN_OPT_PASSPHRASE_FILE))

static unsigned options_of(const char *command)
{
    if (!command)
        return 0;
    if (strcmp(command, "keygen") == 0)
        return KEY_OPTS | BIT(SIGN_OPT_ALGORITHM) | BIT(SIGN_OPT_SUBJECT) | BIT(SIGN_OPT_DAYS) |
               BIT(SIGN_OPT_FORCE);
    if (strcmp(command, "sign") == 0 || strcmp(command, "approve") == 0)
        return KEY_OPTS;
    if (strcmp(command, "verify") == 0)
        return BIT(SIGN_OPT_CERT) | BIT(SIGN_OPT_TSA_CA);
    return 0;
}

vexit sign_cli_option(sign_cli *o, const char *command, int which, const char *value, verr *e)
{
    if (!(options_of(command) & BIT(which))) {
        verr_set(e, VOUCH_USAGE, "option --%s does not apply%s%s", opt_names[which],
                 command ? " to " : " before a command", command ? command : "");
        verr_hint(e, "Run 'vouch %s%s--help'.", command ? command : "", command ? " " : "");
        return e->code;
    }
    o->opt[which] = value ? value : "";
    return VOUCH_OK;
}

void sign_cli_usage(FILE *f, const char *command)
{
    unsigned opts = options_of(command);
    if (!opts)
        return;
    fputc('\n', f);
    if (opts & BIT(SIGN_OPT_ALGORITHM))
        fprintf(f, "      --algorithm A   ecdsa-p256 (default) or ed25519 (only where OpenSSL\n"
                   "                      can make CMS signatures with it)\n"
                   "      --subject DN    the certificate's subject, e.g.\n"
                   "                      \"CN=Portal DR,O=Example Agency,C=AU\"\n"
                   "      --days N        validity of the certificate (default %d)\n",
                KEYS_DEFAULT_DAYS);
    if (strcmp(command, "verify") == 0)
        fprintf(f, "      --cert FILE     pin the signer: its certificate, or its CA's\n"
                   "                      (default [signing] certificate; without one only\n"
                   "                      the file's integrity is proven)\n"
                   "      --tsa-ca FILE   pin the time-stamp authority: FILE.tsr must be there\n"
                   "                      and chain to it (default [signing] tsa_ca)\n");
    else
        fprintf(f, "      --key FILE      private key (default [signing] key,\n"
                   "                      else %s)\n"
                   "      --cert FILE     certificate (default [signing] certificate, else\n"
                   "                      %s)\n"
                   "      --passphrase-env VAR   the key's passphrase is in this variable\n"
                   "      --passphrase-file F    or on the first line of this file\n",
                KEYS_DEFAULT_KEY, KEYS_DEFAULT_CERT);
    if (opts & BIT(SIGN_OPT_FORCE))
        fprintf(f, "      --force         replace an existing key and certificate\n");
}

/* Options win over [signing]; the passphrase comes from one place only. */
static vexit key_source_of(const sign_cli *o, const signing_settings *cfg, key_source *src,
                           verr *e)
{
    *src = key_source_from(cfg);
    if (o->opt[SIGN_OPT_KEY])
        src->key_path = o->opt[SIGN_OPT_KEY];
    if (o->opt[SIGN_OPT_CERT])
        src->cert_path = o->opt[SIGN_OPT_CERT];
    const char *env = o->opt[SIGN_OPT_PASSPHRASE_ENV], *file = o->opt[SIGN_OPT_PASSPHRASE_FILE];
    if (env && file)
        return verr_set(e, VOUCH_USAGE, "give --passphrase-env or --passphrase-file, not both");
    if (env || file) {
        src->passphrase_env = env;
        src->passphrase_file = file;
    }
    return VOUCH_OK;
}

static void print_cert(FILE *out, const char *path)
{
    STACK_OF(X509) *certs;
    verr ignore;
    if (certs_load(path, &certs, &ignore))
        return;
    X509 *x = sk_X509_value(certs, 0);
    char *subject = dn_format(X509_get_subject_name(x));
    char fp[100], until[32] = "?";
    cert_fingerprint(x, fp, sizeof fp);
    struct tm tm;
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm))
        strftime(until, sizeof until, "%Y-%m-%d", &tm);
    fprintf(out, "  subject      %s\n  valid until  %s\n  fingerprint  SHA-256 %s\n", subject,
            until, fp);
    free(subject);
    sk_X509_pop_free(certs, X509_free);
}

vexit sign_cmd_keygen(const sign_cli *o, const signing_settings *cfg, int n_args, FILE *out,
                      verr *e)
{
    if (n_args)
        return verr_set(e, VOUCH_USAGE, "keygen takes no arguments: name the files with --key and --cert");
    keygen_request rq = {KEY_ECDSA_P256, o->opt[SIGN_OPT_SUBJECT], KEYS_DEFAULT_DAYS,
                         {NULL, NULL, NULL, NULL}, o->opt[SIGN_OPT_FORCE] != NULL};
    vexit rc = key_source_of(o, cfg, &rq.out, e);
    if (rc)
        return rc;
    const char *alg = o->opt[SIGN_OPT_ALGORITHM];
    if (alg && !key_algorithm_parse(alg, &rq.algorithm))
        return verr_set(e, VOUCH_USAGE, "--algorithm: \"%s\" is not ecdsa-p256 or ed25519", alg);
    if (o->opt[SIGN_OPT_DAYS]) {
        int64_t days;
        if (!parse_int64(o->opt[SIGN_OPT_DAYS], &days) || days < 1 || days > 36500)
            return verr_set(e, VOUCH_USAGE, "--days expects a whole number of days from 1 to 36500, "
                            "not \"%s\"", o->opt[SIGN_OPT_DAYS]);
        rq.days = (int)days;
    }
    if ((rc = keygen(&rq, e)))
        return rc;
    const char *key = rq.out.key_path ? rq.out.key_path : KEYS_DEFAULT_KEY;
    const char *cert = rq.out.cert_path ? rq.out.cert_path : KEYS_DEFAULT_CERT;
    bool encrypted = rq.out.passphrase_env || rq.out.passphrase_file;
    fprintf(out, "private key  %s (%s, mode 0600, %s)\n", key,
            rq.algorithm == KEY_ED25519 ? "Ed25519" : "ECDSA P-256",
            encrypted ? "encrypted: PKCS#8, AES-256-CBC" : "not encrypted");
    fprintf(out, "certificate  %s (self-signed)\n", cert);
    print_cert(out, cert);
    return VOUCH_OK;
}

vexit sign_cmd_sign(const sign_cli *o, const signing_settings *cfg, char **args, int n_args,
                    FILE *out, verr *e)
{
    if (!n_args)
        return verr_set(e, VOUCH_USAGE, "sign needs the files to sign");
    key_source src;
    signer *s;
    vexit rc = key_source_of(o, cfg, &src, e);
    if (rc || (rc = signer_load(&s, &src, e)))
        return rc;
    signer_use_tsa(s, cfg);
    for (int i = 0; i < n_args && !rc; i++) {
        if ((rc = sign_file(s, args[i], e)))
            break;
        char *tsr = xasprintf("%s%s", args[i], TSR_SUFFIX);
        fprintf(out, "signed %s -> %s%s%s%s\n", args[i], args[i], SIGN_SUFFIX,
                access(tsr, F_OK) == 0 ? ", timestamped -> " : "",
                access(tsr, F_OK) == 0 ? tsr : "");
        free(tsr);
    }
    if (!rc) {
        char *subject = dn_format(X509_get_subject_name(s->cert));
        char fp[100];
        cert_fingerprint(s->cert, fp, sizeof fp);
        fprintf(out, "signer %s (SHA-256 %s)\n", subject, fp);
        free(subject);
    }
    signer_free(s);
    return rc;
}

vexit sign_cmd_verify(const sign_cli *o, const signing_settings *cfg, char **args, int n_args,
                      FILE *out, verr *e)
{
    if (n_args != 1)
        return verr_set(e, VOUCH_USAGE, "verify takes one path (got %d)", n_args);
    const char *pin = o->opt[SIGN_OPT_CERT] ? o->opt[SIGN_OPT_CERT] : cfg->cert_path;
    const char *tsa_ca = o->opt[SIGN_OPT_TSA_CA] ? o->opt[SIGN_OPT_TSA_CA] : cfg->tsa_ca;
    struct stat st;
    if (stat(args[0], &st) == 0 && S_ISDIR(st.st_mode))
        return pack_verify(args[0], pin, tsa_ca, out, e);
    sig_report r;
    vexit rc = verify_file_stamped(args[0], pin, tsa_ca, &r, e);
    if (!rc) {
        fprintf(out, "verified %s\n", r.file);
        fprintf(out, "  size         %llu bytes\n", (unsigned long long)r.size);
        fprintf(out, "  sha256       %s\n", r.sha256);
        fprintf(out, "  signature    %s (CMS, detached)\n", r.sig_path);
        fprintf(out, "  signer       %s\n", r.signer);
        if (strcmp(r.signer, r.issuer) != 0)
            fprintf(out, "  issuer       %s\n", r.issuer);
        fprintf(out, "  fingerprint  SHA-256 %s\n", r.fingerprint);
        fprintf(out, "  signed at    %s\n", r.signing_time[0] ? r.signing_time : "(no signing time)");
        sig_report_print_stamp(out, &r);
        if (r.pinned)
            fprintf(out, "  trust        pinned: the signer is, or is issued by, %s\n", r.pinned_path);
        else
            fprintf(out, "  trust        NOT PINNED: the file is unchanged since this key signed "
                         "it, but who holds the key is not checked; give --cert FILE or set "
                         "[signing] certificate\n");
    }
    sig_report_release(&r);
    return rc;
}
