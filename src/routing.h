/* routing.h — which backend holds a user's mailbox (seed 002: cross-site
 * connectivity). [routing] maps user@domain or @domain to a [backend NAME];
 * everyone else uses [backend]. postern connects there while every page
 * keeps advertising the one front-door name. */
#ifndef POSTERN_ROUTING_H
#define POSTERN_ROUTING_H

#include "config.h"
#include "upstream.h"

/* The backend for login: an exact user@domain rule first, then @domain
 * (both case-insensitive), else the default. Never NULL; points into cfg. */
const struct backend_conf *routing_backend(const struct config *cfg, const char *login);

/* Where postern connects for login's proto: fills *t from the routed
 * backend's endpoint and [upstream] (host and tls_name point into cfg).
 * Returns the backend, or NULL if it has no endpoint for proto. */
const struct backend_conf *routing_target(const struct config *cfg, const char *login,
                                          enum proto proto, struct up_target *t);

#endif
