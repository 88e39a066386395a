/* policy.c — see policy.h. */
#include "policy.h"

#include <string.h>
#include <strings.h>

int policy_entry_matches(const char *entry, const char *login)
{
    const char *at = strrchr(login, '@');
    if (entry[0] == '@')
        return at != NULL && strcasecmp(at + 1, entry + 1) == 0;
    if (strchr(entry, '@') != NULL)
        return strcasecmp(entry, login) == 0;
    size_t local = at ? (size_t)(at - login) : strlen(login);
    return strlen(entry) == local && strncasecmp(entry, login, local) == 0;
}

static int list_matches(const struct name_list *l, const char *login)
{
    for (size_t i = 0; i < l->n; i++)
        if (policy_entry_matches(l->v[i], login))
            return 1;
    return 0;
}

int policy_account_refused(const struct config *cfg, const char *login)
{
    return list_matches(&cfg->policy.refuse, login);
}

bool policy_proto_enabled(const struct config *cfg, const char *login, enum proto p)
{
    if (p == PROTO_IMAP)
        return !list_matches(&cfg->policy.imap_disabled, login);
    if (p == PROTO_POP3)
        return !list_matches(&cfg->policy.pop3_disabled, login);
    return true;
}
