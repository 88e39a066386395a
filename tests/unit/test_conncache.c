/* test_conncache.c — the per-worker connection cache: one entry per
 * session key, checked out to one request at a time, idle and LRU
 * eviction, sign-out drop. Connections are counted stand-ins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "conncache.h"

static int closed;

static void close_conn(void *conn)
{
    closed++;
    free(conn);
}

static void *new_conn(void)
{
    return malloc(16);
}

static void key_of(unsigned char k[CONNCACHE_KEY_LEN], int who)
{
    memset(k, 0, CONNCACHE_KEY_LEN);
    k[0] = (unsigned char)who;
}

static void test_reuse_per_session(void **state)
{
    (void)state;
    closed = 0;
    struct conncache *c = conncache_new(4, 300, close_conn);
    unsigned char a[CONNCACHE_KEY_LEN], b[CONNCACHE_KEY_LEN];
    key_of(a, 1);
    key_of(b, 2);
    struct conncache_entry *e = conncache_checkout(c, a, 100);
    assert_null(e->conn);
    e->conn = new_conn();
    void *first = e->conn;
    conncache_checkin(c, e, false, 100);
    assert_int_equal(conncache_count(c), 1);
    /* same session: the same connection */
    e = conncache_checkout(c, a, 101);
    assert_ptr_equal(e->conn, first);
    /* while it is out, the same session's second request gets a temporary one */
    struct conncache_entry *t = conncache_checkout(c, a, 101);
    assert_null(t->conn);
    assert_false(t->in_cache);
    t->conn = new_conn();
    conncache_checkin(c, t, false, 101);
    assert_int_equal(closed, 1);
    conncache_checkin(c, e, false, 101);
    /* another session never sees it */
    struct conncache_entry *o = conncache_checkout(c, b, 102);
    assert_null(o->conn);
    conncache_checkin(c, o, false, 102);   /* nothing opened: slot freed */
    assert_int_equal(conncache_count(c), 1);
    conncache_free(c);
    assert_int_equal(closed, 2);
}

static void test_dead_idle_lru_drop(void **state)
{
    (void)state;
    closed = 0;
    struct conncache *c = conncache_new(2, 60, close_conn);
    unsigned char k[3][CONNCACHE_KEY_LEN];
    for (int i = 0; i < 3; i++)
        key_of(k[i], i + 1);
    struct conncache_entry *e = conncache_checkout(c, k[0], 10);
    e->conn = new_conn();
    conncache_checkin(c, e, true, 10);          /* dead: closed at once */
    assert_int_equal(closed, 1);
    assert_int_equal(conncache_count(c), 0);
    for (int i = 0; i < 2; i++) {
        e = conncache_checkout(c, k[i], 20 + i);
        e->conn = new_conn();
        conncache_checkin(c, e, false, 20 + i);
    }
    assert_int_equal(conncache_count(c), 2);
    /* full: the least recently used (k[0], t=20) goes for k[2] */
    e = conncache_checkout(c, k[2], 30);
    assert_int_equal(closed, 2);
    e->conn = new_conn();
    conncache_checkin(c, e, false, 30);
    e = conncache_checkout(c, k[0], 31);
    assert_null(e->conn);                       /* it was evicted */
    conncache_checkin(c, e, false, 31);
    /* idle: k[1] last used at 21, k[2] at 30; at 85 only k[1] is 60 s idle */
    conncache_sweep(c, 85);
    assert_int_equal(closed, 3);
    assert_int_equal(conncache_count(c), 1);
    conncache_drop(c, k[2]);
    assert_int_equal(closed, 4);
    assert_int_equal(conncache_count(c), 0);
    conncache_free(c);
    assert_int_equal(closed, 4);
}

static void test_disabled(void **state)
{
    (void)state;
    closed = 0;
    struct conncache *c = conncache_new(0, 60, close_conn);
    unsigned char k[CONNCACHE_KEY_LEN];
    key_of(k, 9);
    struct conncache_entry *e = conncache_checkout(c, k, 1);
    assert_false(e->in_cache);
    e->conn = new_conn();
    conncache_checkin(c, e, false, 1);
    assert_int_equal(closed, 1);
    conncache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reuse_per_session),
        cmocka_unit_test(test_dead_idle_lru_drop),
        cmocka_unit_test(test_disabled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
