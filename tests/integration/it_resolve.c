/* it_resolve.c — name resolution stays inside the upstream deadline.
 *
 *   it_resolve NAME TIMEOUT_MS
 *
 * Run by tests/integration/upstream.py in a private mount namespace whose
 * /etc/resolv.conf names a DNS server that never answers (the system
 * resolver would wait 5 s per attempt). Connects to NAME:993 with
 * net_connect() and prints one TAP line: ok when it fails as a timeout
 * within TIMEOUT_MS + 500 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tls.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s NAME TIMEOUT_MS\n", argv[0]);
        return 2;
    }
    int timeout_ms = atoi(argv[2]);
    struct timespec a, b;
    enum net_error e = NET_OK;
    char msg[256] = "";
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct net *n = net_connect(argv[1], 993, timeout_ms, &e, msg, sizeof(msg));
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    int ok = n == NULL && e == NET_E_TIMEOUT && ms <= timeout_ms + 500;
    printf("%s - resolving %s gives up within the %d ms deadline (took %ld ms: %s)\n",
           ok ? "ok" : "not ok", argv[1], timeout_ms, ms, msg);
    if (n != NULL)
        net_free(n);
    return ok ? 0 : 1;
}
