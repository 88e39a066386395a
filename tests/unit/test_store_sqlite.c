/* test_store_sqlite.c — the sqlite session store's file handling.
 *
 * A worker's threads each open their own connection to one database file.
 * POSIX record locks belong to the process: closing any descriptor of the
 * file drops all of them, other connections' included. This checks, from
 * a second process, that a connection's lock on the database survives
 * another thread of the same process opening the store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"

/* SQLite's lock bytes on the database file (os_unix.c): PENDING_BYTE is
 * 0x40000000, SHARED locks take a byte of the 510 after PENDING+2. */
#define SHARED_FIRST (0x40000000 + 2)
#define SHARED_SIZE 510

/* 1 if some other process holds a lock that conflicts with a write lock on
 * the SHARED range of path (asked from a child, since a process never
 * conflicts with itself). */
static int locked_elsewhere(const char *path)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET,
                           .l_start = SHARED_FIRST, .l_len = SHARED_SIZE};
        if (fd < 0 || fcntl(fd, F_GETLK, &fl) < 0)
            _exit(2);
        _exit(fl.l_type == F_UNLCK ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 3;
}

static void test_second_open_keeps_first_connections_lock(void **state)
{
    (void)state;
    char dir[] = "/tmp/postern-store-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct store_config cfg;
    store_config_defaults(&cfg);
    cfg.kind = STORE_SQLITE;
    snprintf(cfg.sqlite_path, sizeof(cfg.sqlite_path), "%s/sessions.db", dir);

    struct store *first = NULL, *second = NULL;
    const char *err = NULL;
    assert_int_equal(store_open(&cfg, &first, &err), 0);
    struct stat st;
    assert_int_equal(stat(cfg.sqlite_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* a WAL connection keeps a SHARED lock on the database file */
    assert_int_equal(locked_elsewhere(cfg.sqlite_path), 1);
    assert_int_equal(store_open(&cfg, &second, &err), 0);
    assert_int_equal(locked_elsewhere(cfg.sqlite_path), 1);
    store_close(second);
    assert_int_equal(locked_elsewhere(cfg.sqlite_path), 1);
    store_close(first);
    assert_int_equal(locked_elsewhere(cfg.sqlite_path), 0);

    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_open_keeps_first_connections_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
