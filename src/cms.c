/* cms.c — see cms.h. */
#include "cms.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

struct cms_signer {
    X509 *cert;
    EVP_PKEY *key;
    STACK_OF(X509) *chain;    /* may be empty, never NULL */
};

/* OpenSSL's last error as text (or fallback), clearing the queue. */
static const char *ssl_reason(char *buf, size_t cap, const char *fallback)
{
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0)
        return fallback;
    ERR_error_string_n(e, buf, cap);
    return buf;
}

void cms_signer_free(struct cms_signer *s)
{
    if (s == NULL)
        return;
    X509_free(s->cert);
    EVP_PKEY_free(s->key);
    sk_X509_pop_free(s->chain, X509_free);
    free(s);
}

static int load_chain(struct cms_signer *s, const char *chain, char *why, size_t whylen)
{
    FILE *f = fopen(chain, "r");
    if (f == NULL) {
        snprintf(why, whylen, "%s: cannot open the certificate chain", chain);
        return -1;
    }
    X509 *x;
    int read = 0;
    while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
        read++;
        /* a full chain file repeats the signer's certificate: CMS refuses
         * a certificate twice, so keep each one once */
        bool dup = X509_cmp(x, s->cert) == 0;
        for (int i = 0; !dup && i < sk_X509_num(s->chain); i++)
            dup = X509_cmp(x, sk_X509_value(s->chain, i)) == 0;
        if (dup || !sk_X509_push(s->chain, x))
            X509_free(x);
    }
    ERR_clear_error();   /* the end of the file reads as an error */
    fclose(f);
    if (read == 0) {
        snprintf(why, whylen, "%s: no PEM certificate in the chain file", chain);
        return -1;
    }
    return 0;
}

static int load_pem(struct cms_signer *s, const char *cert, const char *key, char *why, size_t whylen)
{
    char reason[200];
    FILE *f = fopen(cert, "r");
    if (f == NULL) {
        snprintf(why, whylen, "%s: cannot open the signing certificate", cert);
        return -1;
    }
    s->cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (s->cert == NULL) {
        snprintf(why, whylen, "%s: not a PEM certificate (%s)", cert, ssl_reason(reason, sizeof(reason), "?"));
        return -1;
    }
    f = fopen(key, "r");
    if (f == NULL) {
        snprintf(why, whylen, "%s: cannot open the signing key", key);
        return -1;
    }
    s->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (s->key == NULL) {
        snprintf(why, whylen, "%s: not an unencrypted PEM private key (%s)", key,
                 ssl_reason(reason, sizeof(reason), "?"));
        return -1;
    }
    return 0;
}

struct cms_signer *cms_signer_load(const char *cert, const char *key, const char *chain,
                                   char *why, size_t whylen)
{
    struct cms_signer *s = calloc(1, sizeof(*s));
    if (s == NULL || (s->chain = sk_X509_new_null()) == NULL) {
        snprintf(why, whylen, "out of memory");
        cms_signer_free(s);
        return NULL;
    }
    if (load_pem(s, cert, key, why, whylen) < 0 ||
        (chain != NULL && load_chain(s, chain, why, whylen) < 0)) {
        cms_signer_free(s);
        return NULL;
    }
    if (X509_check_private_key(s->cert, s->key) != 1) {
        ERR_clear_error();
        snprintf(why, whylen, "%s: the key does not belong to the certificate %s", key, cert);
        cms_signer_free(s);
        return NULL;
    }
    if (X509_cmp_current_time(X509_get0_notAfter(s->cert)) <= 0) {
        snprintf(why, whylen, "%s: the signing certificate has expired", cert);
        cms_signer_free(s);
        return NULL;
    }
    return s;
}

int cms_sign(const struct cms_signer *s, const void *data, size_t len, struct buf *out,
             char *why, size_t whylen)
{
    char reason[200];
    int rc = -1;
    BIO *in = BIO_new_mem_buf(data, (int)len);
    BIO *der = BIO_new(BIO_s_mem());
    CMS_ContentInfo *cms = NULL;
    if (in == NULL || der == NULL || len > (size_t)1 << 30)
        goto done;
    cms = CMS_sign(s->cert, s->key, s->chain, in, CMS_BINARY);
    if (cms == NULL || i2d_CMS_bio(der, cms) != 1)
        goto done;
    char *p;
    long n = BIO_get_mem_data(der, &p);
    buf_append(out, p, (size_t)n);
    rc = 0;
done:
    if (rc < 0)
        snprintf(why, whylen, "signing failed: %s", ssl_reason(reason, sizeof(reason), "?"));
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    BIO_free(der);
    return rc;
}
