/* routing.h — which backend holds a user's mailbox (seed 002: cross-site
 * connectivity). [routing] maps user@domain or @domain to a [backend NAME];
 * everyone else uses [backend]. postern connects there while every page
 * keeps advertising the one front-door name. */
#ifndef POSTERN_ROUTING_H
#define POSTERN_ROUTING_H

#include "config.h"

/* The backend for login: an exact user@domain rule first, then @domain
 * (both case-insensitive), else the default. Never NULL; points into cfg. */
const struct backend_conf *routing_backend(const struct config *cfg, const char *login);

#endif
