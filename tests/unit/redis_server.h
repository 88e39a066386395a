/* redis_server.h — a private redis-server for a test or a benchmark.
 *
 * redis_server_start() picks a free loopback port, forks and execs
 *   redis-server --port P --bind 127.0.0.1 --save '' --appendonly no --dir DIR
 * (log in DIR/redis.log), and waits until it answers PING. The child gets
 * SIGTERM if the test process dies (PR_SET_PDEATHSIG), and
 * redis_server_stop() kills it by its pid and reaps it. A missing
 * redis-server is a failure with a sentence, never a skip.
 * Header-only (static functions): include it from one file per program.
 */
#ifndef POSTERN_TEST_REDIS_SERVER_H
#define POSTERN_TEST_REDIS_SERVER_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

struct redis_server {
    pid_t pid;               /* 0 when not running */
    unsigned port;
};

/* A port the kernel just handed out on 127.0.0.1 (free a moment ago). */
static unsigned redis_server_free_port(void)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    unsigned port = 0;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* 1 once a PING on port answers PONG. */
static int redis_server_ping(unsigned port)
{
    struct timeval tv = { 0, 200000 };
    redisContext *c = redisConnectWithTimeout("127.0.0.1", (int)port, tv);
    int ok = 0;

    if (c != NULL && !c->err) {
        redisReply *r = redisCommand(c, "PING");
        ok = r != NULL && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
        if (r != NULL)
            freeReplyObject(r);
    }
    if (c != NULL)
        redisFree(c);
    return ok;
}

static pid_t redis_server_spawn(unsigned port, const char *dir)
{
    char portstr[16], logpath[4200];
    pid_t parent = getpid();
    pid_t pid;

    snprintf(portstr, sizeof(portstr), "%u", port);
    snprintf(logpath, sizeof(logpath), "%s/redis.log", dir);
    pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(126);
    int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    execlp("redis-server", "redis-server", "--port", portstr, "--bind", "127.0.0.1",
           "--save", "", "--appendonly", "no", "--dir", dir, (char *)NULL);
    _exit(127);
}

/* Starts redis-server with its files in dir. Returns 0, or -1 with a
 * sentence in err. */
static int redis_server_start(struct redis_server *rs, const char *dir, char *err,
                              size_t errlen)
{
    rs->pid = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        unsigned port = redis_server_free_port();
        pid_t pid = port != 0 ? redis_server_spawn(port, dir) : -1;
        if (pid < 0) {
            snprintf(err, errlen, "cannot fork redis-server: %s", strerror(errno));
            return -1;
        }
        for (int i = 0; i < 250; i++) {          /* up to 5 s */
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                snprintf(err, errlen, "redis-server exited with status %d%s (log: %s/redis.log)",
                         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                         WIFEXITED(status) && WEXITSTATUS(status) == 127
                             ? ": not installed?" : "", dir);
                if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                    return -1;  /* no such program: retrying will not help */
                pid = 0;
                break;
            }
            if (redis_server_ping(port)) {
                rs->pid = pid;
                rs->port = port;
                return 0;
            }
            nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
        }
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            snprintf(err, errlen, "redis-server did not answer within 5 s");
        }
    }
    return -1;
}

/* Stops the server started above (by pid) and reaps it. */
static void redis_server_stop(struct redis_server *rs)
{
    if (rs->pid <= 0)
        return;
    kill(rs->pid, SIGTERM);
    for (int i = 0; i < 250; i++) {
        if (waitpid(rs->pid, NULL, WNOHANG) == rs->pid) {
            rs->pid = 0;
            return;
        }
        nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
    }
    kill(rs->pid, SIGKILL);
    waitpid(rs->pid, NULL, 0);
    rs->pid = 0;
}

#endif
