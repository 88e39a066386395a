/* events.h — live updates for open mailbox tabs: one IMAP IDLE connection
 * per tab, watched by one event thread per worker, changes pushed to the
 * browser as Server-Sent Events (text/event-stream).
 *
 * A stream starts in a request thread (page_events.c): it reserves a slot
 * (capped per worker and per user), logs in, EXAMINEs the folder and
 * starts IDLE, then the worker writes the response head and the first
 * event and hands the FastCGI request over with events_adopt(). From then
 * on the event thread alone owns it, so long-lived streams never hold a
 * request thread: it poll()s every stream's IMAP socket and FastCGI
 * socket, turns EXISTS/EXPUNGE/FETCH into one "mailbox" event, sends a
 * comment line every EVENTS_PING_SECONDS (nginx's read timeout and
 * proxies), re-checks the session every EVENTS_CHECK_SECONDS (signed out
 * or expired: a "signedout" event, then the stream ends), renews IDLE
 * every [mailbox] idle_renew seconds (before the server's 30-minute limit,
 * or sooner for a firewall that drops quiet connections), and ends a stream whose browser
 * went away (nginx closes the FastCGI connection) or whose server did.
 *
 * Events (JSON data):
 *   hello    {"exists":N,"uidnext":N,"uidvalidity":N}  state at the start
 *   mailbox  {"exists":N,"new":N,"expunged":N,"flags":N} something changed
 *   signedout {}                                       the session ended
 */
#ifndef POSTERN_EVENTS_H
#define POSTERN_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <fcgiapp.h>

#include "app.h"
#include "imap_wire.h"

#define EVENTS_PING_SECONDS 25
#define EVENTS_CHECK_SECONDS 60

struct up_imap;

/* One stream; fields set by the starting request before events_adopt(). */
struct stream {
    char user[256];
    char cookie[128];             /* the session cookie, to re-check it */
    unsigned char session_key[32];/* the session's store id (sign-out) */
    bool signed_out;              /* set by events_sign_out() */
    struct up_imap *u;            /* idling on the folder */
    struct imapw_idle idle;
    uint32_t exists;
    /* the event thread's */
    FCGX_Request *fr;
    bool active;
    time_t next_ping, next_check, renew_at;
};

/* Starts the worker's event thread. 0, or -1 (logged). */
int events_start(const struct app *app);

/* Ends every stream (the browsers reconnect, to another worker) and
 * stops the thread. */
void events_stop(void);

/* A slot for a new stream of user: NULL when live updates are off or the
 * worker's or the user's cap is reached. Give it back with
 * events_release() unless it is adopted. */
struct stream *events_reserve(const char *user);

/* Frees a stream that was never adopted (closes its IMAP session). */
void events_release(struct stream *s);

/* Hands s and the FastCGI request fr (its response head already sent) to
 * the event thread, which finishes fr and frees both when the stream
 * ends. The caller must use a new FCGX_Request for its next accept. */
void events_adopt(struct stream *s, FCGX_Request *fr);

/* Ends the streams of the session whose store id is key (32 bytes) at
 * once, with a "signedout" event: the user signed out in some tab. */
void events_sign_out(const unsigned char *key);

/* Streams open or reserved in this worker (stats, tests). */
size_t events_count(void);

#endif
