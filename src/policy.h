/* policy.h — account policy: who may sign in, and with which protocols.
 *
 * From the [policy] section (seed 002: anonymous, guest and Administrator
 * accounts are refused for POP3/IMAP4; seed 000: POP3 and IMAP4 can be
 * switched off per mailbox). Entries in every list are one of
 *   user@domain   that exact account (case-insensitive)
 *   @domain       every account of that domain
 *   name          that local part in any domain, or that bare login
 * Checked before any server is contacted.
 */
#ifndef POSTERN_POLICY_H
#define POSTERN_POLICY_H

#include <stdbool.h>

#include "config.h"

/* 1 if login matches the refused-accounts list (default: anonymous,
 * guest, administrator, admin). */
int policy_account_refused(const struct config *cfg, const char *login);

/* Whether proto (PROTO_IMAP or PROTO_POP3) is enabled for login; SMTP is
 * always enabled here. */
bool policy_proto_enabled(const struct config *cfg, const char *login, enum proto p);

/* 1 if login matches entry (rules above). Exposed for tests. */
int policy_entry_matches(const char *entry, const char *login);

#endif
