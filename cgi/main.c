/* main.c — postern's entry point and master process.
 *
 *   postern -c FILE               run: master + workers (foreground)
 *   postern --check-config FILE   check config and templates, then exit
 *   postern -c FILE --dns-records DOMAIN
 *                                 print the DNS records for DOMAIN (SRV,
 *                                 autoconfig/autodiscover), then exit
 *
 * The master owns the listening sockets, loads config and templates, forks
 * the workers (which inherit both) and restarts any that die. SIGHUP loads
 * a new generation and replaces the workers gracefully: new workers start
 * accepting on the same sockets before the old ones are told to drain, so
 * no request is dropped. SIGTERM/SIGINT drain and exit.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "log.h"
#include "rfc6186.h"
#include "worker.h"

#define CHILDREN_MAX 256
#define DRAIN_SECONDS 10

struct child {
    pid_t pid;
    int slot;
    unsigned gen;
    time_t started;
};

static struct {
    struct app *app;
    const char *config_path;
    int fds[64];              /* listening socket per worker slot */
    int nfds;
    struct child children[CHILDREN_MAX];
    unsigned gen;
    int fails[64];            /* quick deaths in a row, per slot */
    time_t restart_at[64];    /* 0: running or not due */
} M;

static void usage(FILE *f)
{
    fputs("usage: postern -c FILE          run postern with config FILE\n"
          "       postern --check-config FILE\n"
          "                                check FILE (and its templates), print problems\n"
          "       postern -c FILE --dns-records DOMAIN\n"
          "                                print the SRV and CNAME records mail clients use\n"
          "       postern --version\n", f);
}

static int open_unix_socket(const char *path, const struct config *cfg)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        close(fd);
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    unlink(path);
    mode_t old = umask(0177);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    umask(old);
    if (rc < 0 || listen(fd, 1024) < 0 || chmod(path, cfg->socket_mode) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (cfg->socket_group[0] != '\0') {
        struct group *g = getgrnam(cfg->socket_group);
        if (g == NULL || chown(path, (uid_t)-1, g->gr_gid) < 0) {
            log_error("msg=\"cannot give socket to group\" group=%s socket=%s", cfg->socket_group, path);
            close(fd);
            errno = EPERM;
            return -1;
        }
    }
    return fd;
}

static int open_sockets(const struct config *cfg)
{
    if (cfg->listen_kind == LISTEN_FD) {
        M.fds[0] = cfg->listen_fd;
        M.nfds = 1;
        return 0;
    }
    if (mkdir(cfg->listen_dir, 0750) < 0 && errno != EEXIST) {
        log_error("msg=\"cannot create socket directory\" dir=%s error=\"%s\"", cfg->listen_dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < cfg->workers; i++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/worker-%d.sock", cfg->listen_dir, i);
        M.fds[i] = open_unix_socket(path, cfg);
        if (M.fds[i] < 0) {
            log_error("msg=\"cannot listen\" socket=%s error=\"%s\"", path, strerror(errno));
            return -1;
        }
        M.nfds = i + 1;
    }
    return 0;
}

static void remove_sockets(const struct config *cfg)
{
    if (cfg->listen_kind != LISTEN_DIR)
        return;
    for (int i = 0; i < M.nfds; i++) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/worker-%d.sock", cfg->listen_dir, i);
        unlink(path);
    }
}

static int live_children(void)
{
    int n = 0;
    for (int i = 0; i < CHILDREN_MAX; i++)
        n += M.children[i].pid > 0;
    return n;
}

static void spawn(int slot)
{
    int fd = M.fds[M.nfds == 1 ? 0 : slot];
    pid_t pid = fork();
    if (pid < 0) {
        log_error("msg=\"fork failed\" error=\"%s\"", strerror(errno));
        M.restart_at[slot] = time(NULL) + 1;
        return;
    }
    if (pid == 0) {
        M.app->worker_index = slot;
        for (int i = 0; i < M.nfds; i++)
            if (M.fds[i] != fd)
                close(M.fds[i]);
        _exit(worker_run(M.app, fd));
    }
    for (int i = 0; i < CHILDREN_MAX; i++)
        if (M.children[i].pid == 0) {
            M.children[i] = (struct child){pid, slot, M.gen, time(NULL)};
            break;
        }
    M.restart_at[slot] = 0;
}

static void spawn_all(void)
{
    for (int s = 0; s < M.app->cfg.workers; s++)
        spawn(s);
}

static void signal_generation(unsigned gen, int sig, int all)
{
    for (int i = 0; i < CHILDREN_MAX; i++)
        if (M.children[i].pid > 0 && (all || M.children[i].gen == gen))
            kill(M.children[i].pid, sig);
}

/* Reaps dead children; schedules restarts for current-generation ones. */
static void reap(int restart)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < CHILDREN_MAX; i++) {
            struct child *c = &M.children[i];
            if (c->pid != pid)
                continue;
            c->pid = 0;
            if (!restart || c->gen != M.gen)
                break;
            time_t now = time(NULL);
            int quick = now - c->started < 2;
            M.fails[c->slot] = quick ? M.fails[c->slot] + 1 : 0;
            int delay = quick ? (1 << (M.fails[c->slot] < 5 ? M.fails[c->slot] : 5)) : 0;
            if (WIFSIGNALED(status))
                log_error("msg=\"worker died\" slot=%d pid=%d signal=%d restart_in=%ds", c->slot, (int)pid, WTERMSIG(status), delay);
            else
                log_error("msg=\"worker exited\" slot=%d pid=%d status=%d restart_in=%ds", c->slot, (int)pid, WEXITSTATUS(status), delay);
            M.restart_at[c->slot] = now + delay;
            if (delay == 0)
                spawn(c->slot);
            break;
        }
    }
}

static void restart_due(void)
{
    time_t now = time(NULL);
    for (int s = 0; s < M.app->cfg.workers; s++)
        if (M.restart_at[s] != 0 && M.restart_at[s] <= now)
            spawn(s);
}

static void reload(void)
{
    struct buf errors = {0};
    struct app *next = app_load(M.config_path, &errors);
    if (next == NULL) {
        log_error("msg=\"reload refused; keeping the running configuration\"");
        for (char *line = errors.data ? strtok(errors.data, "\n") : NULL; line; line = strtok(NULL, "\n"))
            log_error("msg=\"config problem\" detail=\"%s\"", line);
        buf_free(&errors);
        return;
    }
    buf_free(&errors);
    const struct config *a = &M.app->cfg, *b = &next->cfg;
    if (a->listen_kind != b->listen_kind || strcmp(a->listen_dir, b->listen_dir) != 0 ||
        a->listen_fd != b->listen_fd || a->workers != b->workers) {
        log_error("msg=\"reload refused: [server] listen and workers need a restart\"");
        app_free(next);
        return;
    }
    unsigned old = M.gen;
    app_free(M.app);
    M.app = next;
    M.gen++;
    memset(M.restart_at, 0, sizeof(M.restart_at));
    spawn_all();
    signal_generation(old, SIGTERM, 0);
    log_info("msg=\"reloaded\" generation=%u", M.gen);
}

static void shutdown_all(sigset_t *set)
{
    log_info("msg=\"stopping\" workers=%d", live_children());
    signal_generation(0, SIGTERM, 1);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += DRAIN_SECONDS;
    while (live_children() > 0) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec >= deadline.tv_sec) {
            log_error("msg=\"workers did not drain in time; killing\"");
            signal_generation(0, SIGKILL, 1);
            deadline.tv_sec = now.tv_sec + 5;
        }
        struct timespec tick = {0, 200 * 1000 * 1000};
        sigtimedwait(set, NULL, &tick);
        reap(0);
    }
    remove_sockets(&M.app->cfg);
}

static int run_master(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (open_sockets(&M.app->cfg) < 0)
        return 1;
    spawn_all();
    log_info("msg=\"started\" workers=%d threads=%d config=%s", M.app->cfg.workers,
             M.app->cfg.threads, M.config_path);
    for (;;) {
        struct timespec tick = {1, 0};
        int sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT) {
            shutdown_all(&set);
            log_info("msg=\"stopped\"");
            return 0;
        }
        if (sig == SIGHUP)
            reload();
        reap(1);
        restart_due();
    }
}

/* The portal's host and HTTPS port for DNS records: from [session]
 * origin, else the first external endpoint's host (with a note). */
static const char *portal_host(const struct config *cfg, unsigned *port, char *buf, size_t cap)
{
    *port = 443;
    const char *o = cfg->origin;
    if (*o != '\0') {
        const char *h = strstr(o, "://") + 3;
        size_t n = strcspn(h, ":/");
        snprintf(buf, cap, "%.*s", (int)n, h);
        if (h[n] == ':')
            *port = (unsigned)strtoul(h + n + 1, NULL, 10);
        return buf;
    }
    for (int p = 0; p < PROTO__MAX; p++)
        if (cfg->proto[p].n[SIDE_EXTERNAL] > 0) {
            printf("; [session] origin is not set: taking %s as the portal's host name\n",
                   cfg->proto[p].ep[SIDE_EXTERNAL][0].host);
            return cfg->proto[p].ep[SIDE_EXTERNAL][0].host;
        }
    printf("; [session] origin is not set: replace portal.invalid with the portal's host name\n");
    return "portal.invalid";
}

static int dns_records(const char *path, const char *domain)
{
    struct config *cfg = calloc(1, sizeof(*cfg));
    struct buf out = {0};
    int rc = 1;
    if (cfg == NULL)
        return 1;
    if (config_load(path, cfg, &out) < 0) {
        fputs(buf_cstr(&out), stderr);
    } else {
        char host[300];
        unsigned port;
        const char *portal = portal_host(cfg, &port, host, sizeof(host));
        if (rfc6186_records(cfg, domain, portal, port, &out) < 0)
            fprintf(stderr, "postern: --dns-records: \"%s\" is not a domain name\n", domain);
        else
            rc = fputs(buf_cstr(&out), stdout) < 0;
    }
    buf_free(&out);
    free(cfg);
    return rc;
}

int main(int argc, char **argv)
{
    const char *check = NULL, *dns = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            M.config_path = argv[++i];
        else if (strcmp(argv[i], "--check-config") == 0 && i + 1 < argc)
            check = argv[++i];
        else if (strcmp(argv[i], "--dns-records") == 0 && i + 1 < argc)
            dns = argv[++i];
        else if (strcmp(argv[i], "--version") == 0) {
            puts("postern " POSTERN_VERSION);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    const char *path = check ? check : M.config_path;
    if (path == NULL) {
        usage(stderr);
        return 2;
    }
    if (dns != NULL)
        return dns_records(path, dns);
    struct buf errors = {0};
    M.app = app_load(path, &errors);
    if (M.app == NULL) {
        fputs(buf_cstr(&errors), stderr);
        buf_free(&errors);
        return 1;
    }
    buf_free(&errors);
    if (check != NULL) {
        printf("%s: OK\n", check);
        app_free(M.app);
        return 0;
    }
    int rc = run_master();
    app_free(M.app);
    return rc;
}
