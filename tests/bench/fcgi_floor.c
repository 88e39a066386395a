/* fcgi_floor.c — the FastCGI floor for make bench: a minimal fcgi2
 * responder that returns the bytes of one file — postern's own complete
 * FastCGI response for /settings, headers and body, captured once — with
 * the same threads-on-FCGX_Accept_r shape as postern. nginx then does the
 * same work for both, and the ratio postern/floor is what postern's own
 * per-request work costs.
 *
 *   fcgi_floor SOCKET RESPONSEFILE THREADS
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

static char *g_body;
static size_t g_len;
static int g_fd;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_term(int sig)
{
    (void)sig;
    _exit(0);
}

static void *serve(void *arg)
{
    (void)arg;
    FCGX_Request r;
    FCGX_InitRequest(&r, g_fd, 0);
    for (;;) {
        pthread_mutex_lock(&g_lock);
        int rc = FCGX_Accept_r(&r);
        pthread_mutex_unlock(&g_lock);
        if (rc < 0)
            break;
        FCGX_PutStr(g_body, (int)g_len, r.out);
        FCGX_Finish_r(&r);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s SOCKET RESPONSEFILE THREADS\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (f == NULL)
        return 1;
    struct stat st;
    fstat(fileno(f), &st);
    g_len = (size_t)st.st_size;
    g_body = malloc(g_len + 1);
    if (g_body == NULL || fread(g_body, 1, g_len, f) != g_len)
        return 1;
    fclose(f);
    signal(SIGPIPE, SIG_IGN);
    /* Before FCGX_Init, which would otherwise take SIGTERM over. */
    signal(SIGTERM, on_term);
    FCGX_Init();
    unlink(argv[1]);
    g_fd = FCGX_OpenSocket(argv[1], 1024);
    if (g_fd < 0)
        return 1;
    chmod(argv[1], 0666);
    int n = atoi(argv[3]);
    if (n < 1 || n > 256)
        n = 4;
    pthread_t th[256];
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, serve, NULL);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    return 0;
}
