/* cms.h — signing Apple configuration profiles (CMS SignedData, RFC 5652)
 * with the administrator's certificate and key, through OpenSSL.
 *
 * A signed .mobileconfig is the DER of a SignedData that carries the
 * profile itself (content attached), the signer's certificate and any
 * intermediates, so a device can show it as verified.
 */
#ifndef POSTERN_CMS_H
#define POSTERN_CMS_H

#include <stddef.h>

#include "buf.h"

struct cms_signer;

/* Loads the PEM certificate cert, its unencrypted PEM private key key and,
 * if chain is not NULL, the PEM intermediates in chain, and checks that
 * the key belongs to the certificate and that the certificate has not
 * expired. Returns a signer (free with cms_signer_free), or NULL with a
 * sentence naming the file and the problem in why. */
struct cms_signer *cms_signer_load(const char *cert, const char *key, const char *chain,
                                   char *why, size_t whylen);

/* Frees s; NULL is a no-op. */
void cms_signer_free(struct cms_signer *s);

/* Appends to out the DER of a CMS SignedData over data[0..len) (content
 * attached, binary: no line-ending translation). Safe to call from many
 * threads with one signer. Returns 0, or -1 with why. */
int cms_sign(const struct cms_signer *s, const void *data, size_t len, struct buf *out,
             char *why, size_t whylen);

#endif
