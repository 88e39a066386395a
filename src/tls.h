/* tls.h — postern's own transport to mail servers.
 *
 * Debian's libetpan does its TLS with GnuTLS and verifies nothing, waits on
 * select() (aborts on a descriptor >= 1024), writes without MSG_NOSIGNAL and
 * loops forever on some truncated input. So postern connects and does TLS
 * itself and hands libetpan a mailstream over a struct net:
 *
 *   TCP       getaddrinfo, then each address in turn, non-blocking connect,
 *             all within the caller's deadline;
 *   TLS       OpenSSL, TLS >= 1.2, the chain verified against the system
 *             store or one CA file, the host name (or IP literal) checked,
 *             SNI; a failed check ends the handshake, so nothing of ours
 *             is ever sent to an unverified server;
 *   I/O       poll() only, an absolute deadline for each operation (set by
 *             the caller before each command), an optional byte budget,
 *             no SIGPIPE (send(MSG_NOSIGNAL), also under OpenSSL), and
 *             sticky failure: after end-of-stream, a timeout or any error,
 *             every later read or write fails at once.
 *
 * STARTTLS: the connection starts in clear, the protocol code sends its
 * STARTTLS command through the stream, checks that nothing is buffered
 * behind the answer, then calls net_tls() on the same connection; the
 * stream's reads and writes go through TLS from then on.
 *
 * Thread-safety: a tls_client may be shared by threads once made; a net
 * belongs to one thread at a time.
 */
#ifndef POSTERN_TLS_H
#define POSTERN_TLS_H

#include <stdbool.h>
#include <stddef.h>

struct _mailstream;          /* libetpan's mailstream */

/* Why a net operation failed. The names are in net_error_names. */
enum net_error {
    NET_OK,
    NET_E_RESOLVE,        /* the host name did not resolve */
    NET_E_CONNECT,        /* no address accepted the connection */
    NET_E_TIMEOUT,        /* the deadline passed */
    NET_E_CLOSED,         /* the peer closed the connection */
    NET_E_IO,             /* a socket or TLS record error */
    NET_E_BUDGET,         /* the peer sent more than the byte budget */
    NET_E_TLS_UNTRUSTED,  /* chain: unknown CA, self-signed, expired, ... */
    NET_E_TLS_NAME,       /* the certificate is for another host */
    NET_E_TLS_OTHER,      /* handshake failed otherwise (version, alert) */
    NET_E_ABORTED,        /* net_abort() was called */
    NET_E__MAX
};
extern const char *const net_error_names[NET_E__MAX];

/* The TLS client policy: an SSL_CTX with TLS >= 1.2 and peer verification.
 * ca_file: a PEM file of trusted CAs, replacing the system store; NULL for
 * the system store. Returns NULL and a sentence in err on failure. Free
 * with tls_client_free() after every net made with it is freed. */
struct tls_client *tls_client_new(const char *ca_file, char *err, size_t errlen);
void tls_client_free(struct tls_client *tc);   /* NULL is a no-op */

/* What the TLS handshake showed of the peer; empty strings before it.
 * The certificate fields describe the leaf the server sent, also when it
 * was refused. */
struct tls_peer {
    char version[16];          /* "TLSv1.3" */
    char cipher[64];
    char subject[256];         /* RFC 2253 form */
    char issuer[256];
    char not_after[32];        /* "2027-01-01 00:00:00Z" */
    long verify;               /* X509_V_OK (0) or the X509 verify error */
    bool have_cert;
    bool hostname_ok;          /* the leaf matches the name checked */
};

struct net;

/* Connects to host:port (a name or an IP literal) by TCP within timeout_ms
 * (resolution is left to the system resolver's own timeouts). Each address
 * is tried in turn, sharing what is left of the deadline. Returns a net in
 * clear text, or NULL with *e and a sentence in msg. Free with net_free(). */
struct net *net_connect(const char *host, unsigned port, int timeout_ms,
                        enum net_error *e, char *msg, size_t msglen);

/* TLS handshake on n's socket, as a client of tc, verifying the server's
 * certificate for name (a DNS name or an IP literal; SNI only for names),
 * within timeout_ms. Returns NET_OK, or an error with a sentence in msg
 * (for certificate errors, the X509 verify error string). n's peer record
 * is filled in either way. On failure n is dead (net_abort()). */
enum net_error net_tls(struct net *n, struct tls_client *tc, const char *name,
                       int timeout_ms, char *msg, size_t msglen);

/* The deadline of the next operation: now + timeout_ms (>= 1). Every read
 * and write fails with NET_E_TIMEOUT once it passes. */
void net_deadline(struct net *n, int timeout_ms);

/* From now on, reading more than bytes (0: no limit) fails with
 * NET_E_BUDGET. Resets the count. */
void net_budget(struct net *n, size_t bytes);

/* Marks n dead: every later read and write fails at once, nothing more is
 * sent (not even a TLS close_notify). Used to abandon a session so that
 * libetpan's own cleanup (LOGOUT, QUIT) cannot wait or leak anything. */
void net_abort(struct net *n);

/* Why the last read or write failed; NET_OK if none has. Sticky. */
enum net_error net_error(const struct net *n);

/* A few words on the last failure (strerror or OpenSSL's reason); "" if
 * none. Valid until n is freed. */
const char *net_detail(const struct net *n);

/* Bytes already decrypted and waiting inside OpenSSL: poll() on the fd
 * would not see them (IMAP IDLE must check this, and the stream's own
 * read_buffer_len, before waiting). */
bool net_pending(const struct net *n);

const struct tls_peer *net_peer(const struct net *n);
bool net_is_tls(const struct net *n);
int net_fd(const struct net *n);              /* -1 once closed */

/* A libetpan stream over n (bufsize: its buffer, e.g. 8192). n must outlive
 * the stream; the stream's close closes n's socket but leaves n to free.
 * Returns NULL on allocation failure. One stream per net. */
struct _mailstream *net_stream(struct net *n, size_t bufsize);

/* Closes the socket if still open and frees n. NULL is a no-op. */
void net_free(struct net *n);

#endif
