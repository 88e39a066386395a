/* routing.c — see routing.h. */
#include "routing.h"

#include <string.h>
#include <strings.h>

const struct backend_conf *routing_backend(const struct config *cfg, const char *login)
{
    const char *at = strrchr(login, '@');
    int domain_rule = -1;
    for (size_t i = 0; i < cfg->nroutes; i++) {
        const struct route_rule *r = &cfg->routes[i];
        if (r->backend_index < 0)
            continue;
        if (r->match[0] != '@' && strcasecmp(r->match, login) == 0)
            return &cfg->backends[r->backend_index];
        if (r->match[0] == '@' && at != NULL && domain_rule < 0 && strcasecmp(r->match + 1, at + 1) == 0)
            domain_rule = r->backend_index;
    }
    return &cfg->backends[domain_rule >= 0 ? domain_rule : 0];
}

const struct backend_conf *routing_target(const struct config *cfg, const char *login,
                                          enum proto proto, struct up_target *t)
{
    const struct backend_conf *be = routing_backend(cfg, login);
    const struct endpoint *ep = &be->ep[proto];
    if (ep->port == 0)
        return NULL;
    *t = (struct up_target){
        .proto = proto, .host = ep->host, .port = ep->port, .tls = ep->tls,
        .tls_name = be->tls_name[0] ? be->tls_name : NULL,
        .allow_plaintext = cfg->upstream.allow_plaintext, .timeout_ms = cfg->upstream.timeout_ms,
    };
    return be;
}
