/* A time-stamp authority for the tests (RFC 3161 over HTTP, one request per connection),
 * made with OpenSSL's TS API, listening on 127.0.0.1 only:
 *
 *   tsa_server PORTFILE KEY CERT [wrong-hash|not-tsr]
 *
 * writes the port it listens on into PORTFILE and answers every POST with a token from
 * KEY/CERT. wrong-hash: the token covers other bytes than asked (a TSA that lies);
 * not-tsr: the answer is not a time-stamp response at all. Runs until killed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ts.h>

static TS_RESP_CTX *make_ctx(const char *key_path, const char *cert_path)
{
    FILE *f = fopen(key_path, "r");
    EVP_PKEY *key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    f = fopen(cert_path, "r");
    X509 *cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    TS_RESP_CTX *ctx = TS_RESP_CTX_new();
    ASN1_OBJECT *policy = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
    if (!key || !cert || !ctx || !TS_RESP_CTX_set_signer_cert(ctx, cert) ||
        !TS_RESP_CTX_set_signer_key(ctx, key) || !TS_RESP_CTX_set_def_policy(ctx, policy) ||
        !TS_RESP_CTX_add_md(ctx, EVP_sha256()) || !TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256())) {
        fprintf(stderr, "tsa_server: could not set up from %s and %s\n", key_path, cert_path);
        exit(2);
    }
    ASN1_OBJECT_free(policy);
    EVP_PKEY_free(key);
    X509_free(cert);
    return ctx;
}

/* The request's body, or NULL: headers up to a blank line, then Content-Length bytes. */
static unsigned char *read_request(int fd, size_t *len)
{
    static char buf[65536];
    size_t have = 0;
    char *end = NULL;
    while (!end && have < sizeof buf - 1) {
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n <= 0)
            return NULL;
        have += (size_t)n;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end)
        return NULL;
    size_t want = 0;
    for (char *line = buf; line < end; line = strstr(line, "\r\n") + 2)
        if (strncasecmp(line, "Content-Length:", 15) == 0)
            want = strtoul(line + 15, NULL, 10);
    size_t head = (size_t)(end + 4 - buf);
    if (want > sizeof buf - head)
        return NULL;
    while (have < head + want) {
        ssize_t n = read(fd, buf + have, head + want - have);
        if (n <= 0)
            return NULL;
        have += (size_t)n;
    }
    *len = want;
    return (unsigned char *)buf + head;
}

static void answer(int fd, const unsigned char *body, size_t len)
{
    char head[200];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.0 200 OK\r\nContent-Type: application/timestamp-reply\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n", len);
    if (write(fd, head, (size_t)n) < 0 || write(fd, body, len) < 0)
        perror("tsa_server: write");
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: tsa_server PORTFILE KEY CERT [wrong-hash|not-tsr]\n");
        return 2;
    }
    const char *mode = argc > 4 ? argv[4] : "";
    TS_RESP_CTX *ctx = make_ctx(argv[2], argv[3]);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 8) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &alen) != 0) {
        perror("tsa_server");
        return 2;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
    FILE *pf = fopen(tmp, "w");
    if (!pf || fprintf(pf, "%d\n", ntohs(a.sin_port)) < 0 || fclose(pf) != 0 ||
        rename(tmp, argv[1]) != 0) {
        perror("tsa_server: port file");
        return 2;
    }
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0)
            continue;
        size_t len = 0;
        const unsigned char *body = read_request(c, &len);
        const unsigned char *p = body;
        TS_REQ *req = body ? d2i_TS_REQ(NULL, &p, (long)len) : NULL;
        if (req && strcmp(mode, "not-tsr") == 0) {
            static const char junk[] = "<html>this is not a time-stamp response</html>";
            answer(c, (const unsigned char *)junk, sizeof junk - 1);
        } else if (req) {
            if (strcmp(mode, "wrong-hash") == 0) {
                TS_MSG_IMPRINT *mi = TS_REQ_get_msg_imprint(req);
                ASN1_OCTET_STRING *os = TS_MSG_IMPRINT_get_msg(mi);
                unsigned char other[64];
                int n = ASN1_STRING_length(os) < 64 ? ASN1_STRING_length(os) : 64;
                memcpy(other, ASN1_STRING_get0_data(os), (size_t)n);
                other[0] ^= 0x01;
                TS_MSG_IMPRINT_set_msg(mi, other, n);
            }
            unsigned char *der = NULL;
            int der_len = i2d_TS_REQ(req, &der);
            BIO *in = BIO_new_mem_buf(der, der_len);
            TS_RESP *resp = TS_RESP_create_response(ctx, in);
            unsigned char *out = NULL;
            int out_len = resp ? i2d_TS_RESP(resp, &out) : -1;
            if (out_len > 0)
                answer(c, out, (size_t)out_len);
            OPENSSL_free(out);
            TS_RESP_free(resp);
            BIO_free(in);
            OPENSSL_free(der);
        }
        TS_REQ_free(req);
        close(c);
    }
}
