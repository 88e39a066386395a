#!/bin/bash
# scripts/stack.sh — postern's private demo/test server stack.
#
#   scripts/stack.sh start    start everything, wait until it answers, return
#   scripts/stack.sh stop     stop everything this RUN_DIR started (by PID)
#   scripts/stack.sh status   say what runs (exit 0 all, 1 some, 3 none)
#   scripts/stack.sh run      start, print URL and accounts, stay in the
#                             foreground; Ctrl-C or TERM stops everything
#
# Services, all on 127.0.0.1, all state under RUN_DIR, none of them the
# system's (the system dovecot/nginx/redis are never touched):
#   dovecot  IMAP, POP3, submission (relaying to the sink), LMTP
#   postfix  (STACK_MTA=postfix only) a private Postfix between Dovecot's
#            submission and LMTP/the sink, with the sink's RCPT rules
#   relay    Python SMTP sink (scripts/stack/relay.py): bad* -> 550,
#            soft* -> 450, unknown @example.test -> 550, known ones -> LMTP
#            into Dovecot, others -> RUN_DIR/outbox/*.eml
#   redis    session store for later work (no persistence)
#   postern  POSTERN_BIN -c POSTERN_CONF (master + workers)
#   nginx    HTTP on 127.0.0.1:PORT, /static/ from the repo, the rest
#            FastCGI to postern's per-worker sockets
#
# Environment (all optional):
#   RUN_DIR         state directory (default: <repo>/run)
#   PORT            nginx HTTP port (default 8080)
#   MAIL_PORT_BASE  base of the mail ports (default 10000): IMAP +143,
#                   IMAPS +993, POP3 +110, POP3S +995, submission +587,
#                   submissions +465, LMTP +24, relay sink +25, redis +379
#   POSTERN_BIN     postern binary (default <repo>/build/postern)
#   POSTERN_CONF    postern config (default: generated RUN_DIR/postern.conf);
#                   its [server] listen must be a directory and its workers
#                   count sets nginx's upstream
#   NGINX_WORKERS   nginx worker processes (default 1)
#   NGINX_EXTRA     a file of extra nginx directives for the server block
#                   (make bench adds its static and FastCGI-floor locations)
#   STACK_TIMEOUT   seconds to wait for each service (default 20)
#   SEED_BIG        1: also write big@example.test's 200,000 + 10,000
#                   messages (mbox, ~150 MB, ~3 s; make bench sets it)
#   MARKER_URL      base URL the hostile-HTML samples fetch remote content
#                   from (tests count requests there)
#   PYTHON          python with aiosmtpd (default /usr/bin/python3: Debian's,
#                   not a pyenv/venv one that lacks python3-aiosmtpd)
#   STACK_MTA       relay (default): Dovecot's submission relays to the sink;
#                   postfix: to a private Postfix (base+26, its own config
#                   and queue under RUN_DIR/postfix), which applies the same
#                   recipient rules at RCPT, delivers @example.test over LMTP
#                   and passes the rest to the sink
#
# After start, RUN_DIR/stack.env holds the ports and paths as shell
# variables (tests may source it). Logs: RUN_DIR/logs/. PIDs:
# RUN_DIR/pids/NAME.pid (+ NAME.start, the process start time, so a stale
# PID that now belongs to someone else is never signalled).
#
# As root the mail files belong to the unprivileged system user
# "postern-mail" (created here if missing), Dovecot's login processes run as
# dovenull and its helpers as dovecot, nginx's workers as www-data (which is
# also postern's socket group). As another user everything runs as that user.
set -eu
shopt -u patsub_replacement 2>/dev/null || true
umask 022

self=$(readlink -f "$0")
SCRIPTS=$(dirname "$self")
REPO=$(dirname "$SCRIPTS")
STACK=$SCRIPTS/stack

RUN_DIR=${RUN_DIR:-$REPO/run}
PORT=${PORT:-8080}
MAIL_PORT_BASE=${MAIL_PORT_BASE:-10000}
POSTERN_BIN=${POSTERN_BIN:-$REPO/build/postern}
NGINX_WORKERS=${NGINX_WORKERS:-1}
STACK_TIMEOUT=${STACK_TIMEOUT:-20}
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=python3
STACK_MTA=${STACK_MTA:-relay}

# start order; stop goes backwards
SERVICES="dovecot branch relay redis postern nginx"
case "$STACK_MTA" in
    relay) ;;
    postfix) SERVICES="dovecot branch relay postfix redis postern nginx" ;;
    *) printf 'stack: error: STACK_MTA=%s: relay or postfix\n' "$STACK_MTA" >&2; exit 1 ;;
esac

log() { printf 'stack: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_uint() { case "$1" in ''|*[!0-9]*) return 1 ;; esac; }
for v in PORT MAIL_PORT_BASE NGINX_WORKERS STACK_TIMEOUT; do
    is_uint "${!v}" || die "$v must be a number, not '${!v}'"
done
if [ "$MAIL_PORT_BASE" -lt 1 ] || [ $((MAIL_PORT_BASE + 995)) -gt 65535 ]; then
    die "MAIL_PORT_BASE=$MAIL_PORT_BASE: the ports base+24 .. base+995 must fit in 1..65535"
fi
if [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then die "PORT=$PORT is not a port"; fi

case "${1:-}" in start|run) mkdir -p "$RUN_DIR" ;; esac
if [ -d "$RUN_DIR" ]; then
    RUN_DIR=$(cd "$RUN_DIR" && pwd -P)
else
    RUN_DIR=$(readlink -m "$RUN_DIR")
fi
PIDS=$RUN_DIR/pids
LOGS=$RUN_DIR/logs

P_LMTP=$((MAIL_PORT_BASE + 24))
P_RELAY=$((MAIL_PORT_BASE + 25))
P_MTA=$((MAIL_PORT_BASE + 26))       # the private Postfix (STACK_MTA=postfix)
# where Dovecot's submission service relays to
if [ "$STACK_MTA" = postfix ]; then P_NEXT_HOP=$P_MTA; else P_NEXT_HOP=$P_RELAY; fi
P_POP3=$((MAIL_PORT_BASE + 110))
P_IMAP=$((MAIL_PORT_BASE + 143))
P_REDIS=$((MAIL_PORT_BASE + 379))
P_SUBMISSIONS=$((MAIL_PORT_BASE + 465))
P_SUBMISSION=$((MAIL_PORT_BASE + 587))
P_IMAPS=$((MAIL_PORT_BASE + 993))
P_POP3S=$((MAIL_PORT_BASE + 995))
# the branch server (second Dovecot): base+200 ..
P_B_IMAP=$((MAIL_PORT_BASE + 200))
P_B_IMAPS=$((MAIL_PORT_BASE + 201))
P_B_POP3=$((MAIL_PORT_BASE + 202))
P_B_POP3S=$((MAIL_PORT_BASE + 203))
P_B_SUBMISSION=$((MAIL_PORT_BASE + 204))
P_B_SUBMISSIONS=$((MAIL_PORT_BASE + 205))
P_B_LMTP=$((MAIL_PORT_BASE + 206))

# Accounts (password "wonderland" for all). Main server: alice (IMAP4 and
# POP3), pop (IMAP4 switched off on the server and in postern's policy),
# nopop (POP3 switched off likewise), and accounts that exist on the
# server but that postern's policy refuses before contacting it. Branch
# server: carol (all of @branch.test is routed there) and dave (routed by
# name, although his domain lives on the main server).
# lab@example.test holds the test folders (hundreds of odd names, MIME
# samples, hostile HTML); big@example.test a 200,000-message INBOX and a
# 10,000-message folder in mbox files (written only with SEED_BIG=1);
# pop2k@example.test a 2,000-message maildrop for the POP3 view (mbox).
MAIN_USERS="alice@example.test bob@example.test pop@example.test nopop@example.test administrator@example.test guest@example.test anonymous@example.test lab@example.test big@example.test|userdb_mail=mbox:~/mail:INBOX=~/mail/inbox pop2k@example.test|userdb_mail=mbox:~/mail:INBOX=~/mail/inbox"
DENY_IMAP="pop@example.test"
DENY_POP3="nopop@example.test"
BRANCH_USERS="carol@branch.test dave@example.test"
# The branch server plays an older IMAP server: none of SORT, ESORT,
# CONTEXT=SORT, LIST-STATUS, SPECIAL-USE, CONDSTORE, QRESYNC, MOVE, IDLE,
# so postern's fallbacks are tested against a real server.
BRANCH_IMAP_CAPS="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ NAMESPACE UIDPLUS CHILDREN"

MAIL_USER=postern-mail

# ------------------------------------------------------------ processes
# Start time of PID in clock ticks since boot (field 22 of /proc/PID/stat;
# the command name may contain spaces, so count from its closing paren).
proc_start() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    local -a f
    read -r -a f <<< "${stat##*) }"
    printf '%s\n' "${f[19]}"
}

# alive PID: the process exists and is not a zombie (an exited process
# stays a zombie until its parent -- for ours, init -- reaps it).
alive() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    case "$stat" in Z*|X*) return 1 ;; esac
}

# pid_of NAME: print the PID recorded for NAME if that process still runs
# (and is the one we started); else fail.
pid_of() {
    local pid start now
    [ -s "$PIDS/$1.pid" ] || return 1
    read -r pid < "$PIDS/$1.pid" || return 1
    is_uint "$pid" || return 1
    start=$(cat "$PIDS/$1.start" 2>/dev/null) || return 1
    now=$(proc_start "$pid") || return 1
    [ "$now" = "$start" ] || return 1
    alive "$pid" || return 1
    printf '%s\n' "$pid"
}

declare -A LOG_OFF=()

# launch NAME LOG CMD...: start CMD in its own session (so Ctrl-C on the
# terminal reaches only us, and its children share its process group),
# record the PID.
launch() {
    local name=$1 logf=$2 pid
    shift 2
    printf '\n=== %s start %s\n' "$name" "$(date '+%F %T')" >> "$logf"
    LOG_OFF[$name]=$(stat -c %s "$logf")
    setsid "$@" < /dev/null >> "$logf" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" > "$PIDS/$name.pid.tmp"
    proc_start "$pid" > "$PIDS/$name.start" || echo gone > "$PIDS/$name.start"
    mv "$PIDS/$name.pid.tmp" "$PIDS/$name.pid"
}

# group_alive PGID: does any live (non-zombie) process of that process
# group remain?
group_alive() {
    local p
    for p in $(pgrep -g "$1" 2> /dev/null); do
        alive "$p" && return 0
    done
    return 1
}

# stop_one NAME: TERM the recorded PID, KILL its process group after a
# grace period; also reap group members the master left behind.
stop_one() {
    local name=$1 pid i
    if pid=$(pid_of "$name"); then
        kill -TERM "$pid" 2> /dev/null || true
        for i in $(seq 1 100); do   # 5 s
            alive "$pid" || break
            sleep 0.05
        done
        if alive "$pid"; then
            log "$name (pid $pid) ignored TERM for 5 s: KILL"
            kill -KILL -- "-$pid" 2> /dev/null || kill -KILL "$pid" 2> /dev/null || true
        fi
        # children that outlived their master (same process group, ours)
        for i in $(seq 1 20); do
            group_alive "$pid" || break
            [ "$i" = 1 ] && { kill -TERM -- "-$pid" 2> /dev/null || true; }
            [ "$i" = 10 ] && { kill -KILL -- "-$pid" 2> /dev/null || true; }
            sleep 0.05
        done
        wait "$pid" 2> /dev/null || true
        log "stopped $name (pid $pid)"
    elif pid=$(orphan_group "$name"); then
        # the master died earlier but left children behind (e.g. postern
        # workers after a master crash)
        kill -TERM -- "-$pid" 2> /dev/null || true
        for i in $(seq 1 40); do
            group_alive "$pid" || break
            [ "$i" = 20 ] && { kill -KILL -- "-$pid" 2> /dev/null || true; }
            sleep 0.05
        done
        log "stopped what was left of $name (process group $pid)"
    fi
    rm -f "$PIDS/$name.pid" "$PIDS/$name.start"
}

# orphan_group NAME: NAME's recorded master is gone, but live processes of
# its process group remain that started no earlier than it did (so they are
# its children, not strangers reusing the number). Print the group id.
orphan_group() {
    local pid start p t
    [ -s "$PIDS/$1.pid" ] && read -r pid < "$PIDS/$1.pid" && is_uint "$pid" || return 1
    start=$(cat "$PIDS/$1.start" 2> /dev/null) && is_uint "$start" || return 1
    for p in $(pgrep -g "$pid" 2> /dev/null); do
        t=$(proc_start "$p") || continue
        if alive "$p" && [ "$t" -ge "$start" ]; then
            printf '%s\n' "$pid"
            return 0
        fi
    done
    return 1
}

any_running() {
    local s
    for s in $SERVICES; do pid_of "$s" > /dev/null && return 0; done
    return 1
}

sock_dir_recorded() { cat "$RUN_DIR/pids/postern.sockdir" 2> /dev/null || true; }

stop_all() {
    local s sd
    for s in nginx postern redis postfix relay branch dovecot; do stop_one "$s"; done
    sd=$(sock_dir_recorded)
    if [ -n "$sd" ] && [ -d "$sd" ]; then
        find "$sd" -maxdepth 1 -name 'worker-*.sock' -type s -delete 2> /dev/null || true
    fi
    rm -f "$PIDS/postern.sockdir"
    # Dovecot leaves its sockets in its private base_dir
    for sd in "$RUN_DIR/dovecot/run" "$RUN_DIR/branch/run"; do
        [ -d "$sd" ] || continue
        find "$sd" -mindepth 1 -maxdepth 2 -type s -delete 2> /dev/null || true
    done
}

# ------------------------------------------------------------ waiting
tcp_open() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

# fail_service NAME LOG WHAT: report, stop what was started, exit 1
fail_service() {
    log "error: $1 did not come up: $3"
    if [ -s "$2" ]; then
        log "last lines of $2 (this start):"
        tail -c +"$((${LOG_OFF[$1]:-0} + 1))" "$2" | tail -n 25 | sed 's/^/    /' >&2
    fi
    log "stopping what was started"
    stop_all
    exit 1
}

# wait_ready NAME LOG CHECK ARG...: poll CHECK ARG until it succeeds, the
# process dies, or STACK_TIMEOUT passes.
wait_ready() {
    local name=$1 logf=$2 deadline
    shift 2
    deadline=$((SECONDS + STACK_TIMEOUT))
    while ! "$@"; do
        pid_of "$name" > /dev/null || fail_service "$name" "$logf" "process exited (waiting for: $*)"
        [ "$SECONDS" -lt "$deadline" ] || fail_service "$name" "$logf" "no answer after ${STACK_TIMEOUT}s (waiting for: $*)"
        sleep 0.05
    done
}

# greets PORT PREFIX: the server on PORT sends a greeting starting PREFIX
# (the listening socket alone is the master's; this proves a login process
# or the LMTP service really runs).
greets() {
    (
        exec 3<> "/dev/tcp/127.0.0.1/$1" || exit 1
        IFS= read -r -t 2 line <&3 || exit 1
        [[ $line == "$2"* ]]
    ) 2> /dev/null
}
branch_ready() {
    all_tcp $P_B_IMAPS $P_B_POP3S && greets $P_B_IMAP "* OK"
}
dovecot_ready() {
    all_tcp $P_IMAPS $P_POP3S $P_SUBMISSIONS &&
        greets $P_IMAP "* OK" && greets $P_POP3 "+OK" &&
        greets $P_SUBMISSION "220 " && greets $P_LMTP "220 "
}

all_tcp() { local p; for p in "$@"; do tcp_open "$p" || return 1; done; }
all_sockets() { local f; for f in "$@"; do [ -S "$f" ] || return 1; done; }

# ------------------------------------------------------------ mail
# seed_lab: lab@example.test's folders (odd names, MIME samples, hostile
# HTML whose remote references point at MARKER_URL); with SEED_BIG=1 also
# big@example.test's mbox files. Each seeder leaves existing folders alone.
seed_lab() {
    local home=$RUN_DIR/mail/example.test lab
    lab=$home/lab/Maildir
    mkdir -p "$lab/cur" "$lab/new" "$lab/tmp"
    if [ -n "$MAIL_UID" ]; then chown -R "$MAIL_UID:$MAIL_GID" "$home/lab"; fi
    "$PYTHON" "$STACK/seed_folders.py" --maildir "$lab" \
        ${MAIL_UID:+--uid "$MAIL_UID" --gid "$MAIL_GID"} > /dev/null || die "seeding lab folders failed"
    "$PYTHON" "$STACK/seed_mime.py" --maildir "$lab" --marker "${MARKER_URL:-http://127.0.0.1:9/marker/}" \
        ${MAIL_UID:+--uid "$MAIL_UID" --gid "$MAIL_GID"} > /dev/null || die "seeding MIME samples failed"
    if [ ! -s "$home/pop2k/mail/inbox" ]; then
        mkdir -p "$home/pop2k"
        if [ -n "$MAIL_UID" ]; then chown "$MAIL_UID:$MAIL_GID" "$home/pop2k"; fi
        "$PYTHON" "$STACK/seed_big.py" --home "$home/pop2k" --inbox 2000 --folder Few=1 \
            --to "Pop Twothousand <pop2k@example.test>" \
            ${MAIL_UID:+--uid "$MAIL_UID" --gid "$MAIL_GID"} > /dev/null || die "seeding pop2k failed"
    fi
    if [ "${SEED_BIG:-0}" = 1 ] && [ ! -s "$home/big/mail/inbox" ]; then
        mkdir -p "$home/big"
        if [ -n "$MAIL_UID" ]; then chown "$MAIL_UID:$MAIL_GID" "$home/big"; fi
        "$PYTHON" "$STACK/seed_big.py" --home "$home/big" \
            ${MAIL_UID:+--uid "$MAIL_UID" --gid "$MAIL_GID"} > /dev/null || die "seeding big mailboxes failed"
    fi
}

# ------------------------------------------------------------ config
# render_dovecot DIR LOG MAIL_DIR PROTOCOLS GREETING INSTANCE P_IMAP P_IMAPS
#   P_POP3 P_POP3S P_SUBMISSION P_SUBMISSIONS P_LMTP [IMAP_CAPABILITY_LINE]:
#   DIR/dovecot.conf of one Dovecot instance (state, sockets, users and
#   deny files in DIR)
render_dovecot() {
    local dh="# ssl_dh: /usr/share/dovecot/dh.pem not found"
    if [ -r /usr/share/dovecot/dh.pem ]; then dh="ssl_dh = </usr/share/dovecot/dh.pem"; fi
    render "$STACK/dovecot.conf.in" "$1/dovecot.conf" \
        "RUN_DIR=$RUN_DIR" "DOVECOT_DIR=$1" "LOG_FILE=$2" "MAIL_DIR=$3" \
        "PROTOCOLS=$4" "GREETING=$5" "INSTANCE=$6" "IMAP_CAPABILITY=${14:-# every capability Dovecot has}" \
        "LOGIN_USER=$LOGIN_USER" "INTERNAL_USER=$INTERNAL_USER" "INTERNAL_GROUP=$INTERNAL_GROUP" \
        "LOGIN_CHROOT=$LOGIN_CHROOT" "ANVIL_CHROOT=$ANVIL_CHROOT" "MAIL_USER=$MAIL_OWNER" \
        "MAIL_OWNER_SETTINGS=$MAIL_OWNER_SETTINGS" "SSL_DH=$dh" \
        "P_IMAP=$7" "P_IMAPS=$8" "P_POP3=$9" "P_POP3S=${10}" \
        "P_SUBMISSION=${11}" "P_SUBMISSIONS=${12}" "P_LMTP=${13}" "P_RELAY=$P_NEXT_HOP"
    if [ "$(id -u)" = 0 ]; then chown "$MAIL_UID:$MAIL_GID" "$3"; fi
}

# dovecot_private FILE: readable by Dovecot's auth process only
dovecot_private() {
    chmod 0640 "$1"
    if [ "$(id -u)" = 0 ]; then chgrp "$INTERNAL_GROUP" "$1"; fi
}

# write_users DIR USER...: DIR/users (passwd-file, password "wonderland"),
# rewritten when a user is missing (the hash takes doveadm a moment)
write_users() {
    local dir=$1 u hash missing=""
    shift
    for u in "$@"; do
        grep -q "^${u%%|*}:" "$dir/users" 2> /dev/null || missing=yes
    done
    [ -n "$missing" ] || return 0
    hash=$(doveadm -c "$dir/dovecot.conf" pw -s SHA512-CRYPT -p wonderland) ||
        die "doveadm pw failed"
    : > "$dir/users.tmp"
    for u in "$@"; do   # USER or USER|EXTRA_FIELDS
        if [ "${u#*|}" != "$u" ]; then
            printf '%s:%s::::::%s\n' "${u%%|*}" "$hash" "${u#*|}" >> "$dir/users.tmp"
        else
            printf '%s:%s::::::\n' "$u" "$hash" >> "$dir/users.tmp"
        fi
    done
    dovecot_private "$dir/users.tmp"
    mv "$dir/users.tmp" "$dir/users"
}

# write_deny DIR SERVICE "USER...": DIR/deny-SERVICE, the users refused
# that protocol
write_deny() {
    local u
    : > "$1/deny-$2.tmp"
    for u in $3; do printf '%s\n' "$u" >> "$1/deny-$2.tmp"; done
    dovecot_private "$1/deny-$2.tmp"
    mv "$1/deny-$2.tmp" "$1/deny-$2"
}

# render TEMPLATE OUT KEY=VALUE...: replace @KEY@ in TEMPLATE
render() {
    local tmpl=$1 out=$2 text kv
    shift 2
    text=$(< "$tmpl")
    for kv in "$@"; do
        text=${text//@${kv%%=*}@/${kv#*=}}
    done
    if [[ $text =~ @[A-Z][A-Z0-9_]*@ ]]; then
        die "render $tmpl: no value for ${BASH_REMATCH[0]}"
    fi
    printf '%s\n' "$text" > "$out.tmp"
    mv "$out.tmp" "$out"
}

# conf_get FILE SECTION KEY: value of KEY in [SECTION] of an ini file
conf_get() {
    awk -v sec="$2" -v key="$3" '
        /^[ \t]*[;#]/ { next }
        /^[ \t]*\[/ { s = $0; gsub(/[][ \t]/, "", s); insec = (s == sec); next }
        insec {
            i = index($0, "="); if (!i) next
            k = substr($0, 1, i - 1); gsub(/^[ \t]+|[ \t]+$/, "", k)
            if (k != key) next
            v = substr($0, i + 1); sub(/[ \t]+[;#].*$/, "", v)
            gsub(/^[ \t]+|[ \t]+$/, "", v)
            print v; exit
        }' "$1"
}

setup_identity() {
    if [ "$(id -u)" = 0 ]; then
        if ! getent passwd "$MAIL_USER" > /dev/null; then
            log "creating system user $MAIL_USER (owner of the stack's mail files)"
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin --comment "postern demo/test mail owner" "$MAIL_USER" ||
                die "useradd $MAIL_USER failed"
        fi
        MAIL_OWNER=$MAIL_USER
        MAIL_UID=$(id -u "$MAIL_USER")
        MAIL_GID=$(id -g "$MAIL_USER")
        LOGIN_USER=dovenull
        INTERNAL_USER=dovecot
        INTERNAL_GROUP=dovecot
        LOGIN_CHROOT=login
        ANVIL_CHROOT=empty
        getent passwd dovenull > /dev/null || die "user dovenull missing (is dovecot-core installed?)"
        getent passwd dovecot > /dev/null || die "user dovecot missing (is dovecot-core installed?)"
        getent passwd www-data > /dev/null || die "user www-data missing"
        NGINX_USER_LINE="user www-data www-data;"
        SOCKET_GROUP=www-data
        MAIL_OWNER_SETTINGS="mail_uid = $MAIL_USER
mail_gid = $MAIL_USER
first_valid_uid = $MAIL_UID
first_valid_gid = $MAIL_GID"
    else
        MAIL_OWNER=$(id -un)
        MAIL_UID=
        MAIL_GID=
        LOGIN_USER=$(id -un)
        INTERNAL_USER=$(id -un)
        INTERNAL_GROUP=$(id -gn)
        LOGIN_CHROOT=
        ANVIL_CHROOT=
        NGINX_USER_LINE="# not root: workers run as $(id -un)"
        SOCKET_GROUP=$(id -gn)
        MAIL_OWNER_SETTINGS="# not root: mail belongs to $(id -un)"
    fi
}

check_tools() {
    local t
    for t in dovecot doveadm nginx redis-server openssl setsid pgrep; do
        command -v "$t" > /dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin
        command -v "$t" > /dev/null 2>&1 || die "$t not found: run scripts/deps.sh run (as root)"
    done
    "$PYTHON" -c 'import aiosmtpd' 2> /dev/null ||
        die "$PYTHON cannot import aiosmtpd: install python3-aiosmtpd (scripts/deps.sh) or set PYTHON"
    [ -x "$POSTERN_BIN" ] || die "$POSTERN_BIN not found or not executable: build first: make"
    if [ "$STACK_MTA" = postfix ]; then
        [ -x /usr/lib/postfix/sbin/master ] && command -v postfix > /dev/null 2>&1 ||
            die "STACK_MTA=postfix: Postfix is not installed (scripts/deps.sh)"
        [ "$(id -u)" = 0 ] || die "STACK_MTA=postfix: Postfix's master must start as root"
    fi
    if [ -n "${POSTERN_CONF:-}" ]; then
        [ -r "$POSTERN_CONF" ] || die "POSTERN_CONF=$POSTERN_CONF is not readable"
        POSTERN_CONF=$(readlink -f "$POSTERN_CONF")
    fi
}

# prepare_postfix: RUN_DIR/postfix (config, recipient tables) and its
# queue, checked (and completed) by "postfix check"
prepare_postfix() {
    local d=$RUN_DIR/postfix u
    mkdir -p "$d/spool" "$d/data"
    chmod 0755 "$d" "$d/spool"
    chown postfix "$d/data"
    chmod 0700 "$d/data"
    render "$STACK/postfix-main.cf.in" "$d/main.cf" "DIR=$d" "LOG=$LOGS/postfix.log" \
        "P_RELAY=$P_RELAY" "LOGDIR=$LOGS"
    render "$STACK/postfix-master.cf.in" "$d/master.cf" "P_MTA=$P_MTA"
    printf 'example.test lmtp:inet:127.0.0.1:%s\n' "$P_LMTP" > "$d/transport"
    : > "$d/recipients.tmp"
    for u in $MAIN_USERS; do printf '%s OK\n' "${u%%|*}" >> "$d/recipients.tmp"; done
    mv "$d/recipients.tmp" "$d/recipients"
    printf '%s\n' '/^bad[^@]*@/ 550 5.1.1 recipient rejected (test rule: bad*)' \
        '/^soft[^@]*@/ 450 4.2.0 temporarily rejected (test rule: soft*)' > "$d/recipient_rules"
    touch "$LOGS/postfix.log"
    postfix -c "$d" check 2>> "$LOGS/postfix.log" || die "postfix -c $d check failed (see $LOGS/postfix.log)"
}

prepare() {
    mkdir -p "$PIDS" "$LOGS" "$RUN_DIR/dovecot/run" "$RUN_DIR/dovecot/state" \
        "$RUN_DIR/branch/run" "$RUN_DIR/branch/state" "$RUN_DIR/branch-mail" \
        "$RUN_DIR/mail" "$RUN_DIR/outbox" "$RUN_DIR/redis" "$RUN_DIR/nginx/tmp"
    "$STACK/gen_ca.sh" "$RUN_DIR/ca" > /dev/null

    # Dovecot: the main server and the "branch" server, a second instance
    # holding other mailboxes (postern's [routing] sends users there)
    render_dovecot "$RUN_DIR/dovecot" "$LOGS/dovecot.log" "$RUN_DIR/mail" \
        "imap pop3 submission lmtp" "postern test stack ready." "postern-$MAIL_PORT_BASE" \
        "$P_IMAP" "$P_IMAPS" "$P_POP3" "$P_POP3S" "$P_SUBMISSION" "$P_SUBMISSIONS" "$P_LMTP"
    render_dovecot "$RUN_DIR/branch" "$LOGS/branch.log" "$RUN_DIR/branch-mail" \
        "imap pop3" "postern branch server ready." "postern-branch-$MAIL_PORT_BASE" \
        "$P_B_IMAP" "$P_B_IMAPS" "$P_B_POP3" "$P_B_POP3S" "$P_B_SUBMISSION" "$P_B_SUBMISSIONS" "$P_B_LMTP" \
        "imap_capability = $BRANCH_IMAP_CAPS"
    write_users "$RUN_DIR/dovecot" $MAIN_USERS
    write_deny "$RUN_DIR/dovecot" imap "$DENY_IMAP"
    write_deny "$RUN_DIR/dovecot" pop3 "$DENY_POP3"
    write_deny "$RUN_DIR/dovecot" submission ""
    write_users "$RUN_DIR/branch" $BRANCH_USERS
    write_deny "$RUN_DIR/branch" imap ""
    write_deny "$RUN_DIR/branch" pop3 ""
    write_deny "$RUN_DIR/branch" submission ""
    "$PYTHON" "$STACK/seed_mail.py" --mail-root "$RUN_DIR/mail" \
        ${MAIL_UID:+--uid "$MAIL_UID" --gid "$MAIL_GID"} || die "seeding mail failed"
    seed_lab
    if [ "$STACK_MTA" = postfix ]; then prepare_postfix; fi

    # postern
    if [ -z "${POSTERN_CONF:-}" ]; then
        render "$STACK/postern.conf.in" "$RUN_DIR/postern.conf" \
            "RUN_DIR=$RUN_DIR" "REPO=$REPO" "SOCKET_GROUP=$SOCKET_GROUP" \
            "P_IMAP=$P_IMAP" "P_IMAPS=$P_IMAPS" "P_POP3=$P_POP3" "P_POP3S=$P_POP3S" \
            "P_SUBMISSION=$P_SUBMISSION" "P_SUBMISSIONS=$P_SUBMISSIONS" \
            "P_B_IMAPS=$P_B_IMAPS" "P_B_POP3S=$P_B_POP3S"
        POSTERN_CONF=$RUN_DIR/postern.conf
    fi
    SOCK_DIR=$(conf_get "$POSTERN_CONF" server listen)
    case "$SOCK_DIR" in
        /*) ;;
        *) die "$POSTERN_CONF: [server] listen = '$SOCK_DIR': the stack needs a directory (absolute path) for per-worker sockets" ;;
    esac
    WORKERS=$(conf_get "$POSTERN_CONF" server workers)
    WORKERS=${WORKERS:-2}
    if ! is_uint "$WORKERS" || [ "$WORKERS" -lt 1 ]; then
        die "$POSTERN_CONF: [server] workers = '$WORKERS'"
    fi
    mkdir -p "$SOCK_DIR"
    chmod 0750 "$SOCK_DIR"
    if [ "$(id -u)" = 0 ]; then chgrp "$SOCKET_GROUP" "$SOCK_DIR"; fi
    find "$SOCK_DIR" -maxdepth 1 -name 'worker-*.sock' -type s -delete
    SOCKETS=()
    local servers="" i
    for ((i = 0; i < WORKERS; i++)); do
        SOCKETS+=("$SOCK_DIR/worker-$i.sock")
        servers+="        server unix:$SOCK_DIR/worker-$i.sock;"$'\n'
    done

    # nginx
    render "$STACK/nginx.conf.in" "$RUN_DIR/nginx/nginx.conf" \
        "RUN_DIR=$RUN_DIR" "REPO=$REPO" "PORT=$PORT" "USER_LINE=$NGINX_USER_LINE" \
        "NGINX_WORKERS=$NGINX_WORKERS" "UPSTREAM_SERVERS=${servers%$'\n'}" \
        "EXTRA_LINE=${NGINX_EXTRA:+        include $NGINX_EXTRA;}"

    cat > "$RUN_DIR/stack.env" <<EOF
# written by scripts/stack.sh start; shell syntax
RUN_DIR='$RUN_DIR'
URL='http://127.0.0.1:$PORT/'
PORT=$PORT
MAIL_PORT_BASE=$MAIL_PORT_BASE
IMAP_PORT=$P_IMAP
IMAPS_PORT=$P_IMAPS
POP3_PORT=$P_POP3
POP3S_PORT=$P_POP3S
SUBMISSION_PORT=$P_SUBMISSION
SUBMISSIONS_PORT=$P_SUBMISSIONS
LMTP_PORT=$P_LMTP
RELAY_PORT=$P_RELAY
REDIS_PORT=$P_REDIS
BRANCH_IMAP_PORT=$P_B_IMAP
BRANCH_IMAPS_PORT=$P_B_IMAPS
BRANCH_POP3_PORT=$P_B_POP3
BRANCH_POP3S_PORT=$P_B_POP3S
CA_FILE='$RUN_DIR/ca/ca.pem'
MTA_PORT=$P_MTA
STACK_MTA=$STACK_MTA
TLS_NAME=mail.example.test
OUTBOX='$RUN_DIR/outbox'
POSTERN_CONF='$POSTERN_CONF'
SOCK_DIR='$SOCK_DIR'
WORKERS=$WORKERS
EOF
}

check_ports_free() {
    local pair MTA_PAIR=""
    [ "$STACK_MTA" = postfix ] && MTA_PAIR="postfix SMTP:$P_MTA"
    for pair in "nginx HTTP:$PORT" "dovecot LMTP:$P_LMTP" "relay sink:$P_RELAY" \
        "dovecot POP3:$P_POP3" "dovecot IMAP:$P_IMAP" "redis:$P_REDIS" \
        "dovecot submissions:$P_SUBMISSIONS" "dovecot submission:$P_SUBMISSION" \
        "dovecot IMAPS:$P_IMAPS" "dovecot POP3S:$P_POP3S" \
        "branch IMAP:$P_B_IMAP" "branch IMAPS:$P_B_IMAPS" "branch POP3:$P_B_POP3" \
        "branch POP3S:$P_B_POP3S" ${MTA_PAIR:+"$MTA_PAIR"}; do
        if tcp_open "${pair##*:}"; then
            die "port 127.0.0.1:${pair##*:} (${pair%:*}) is already in use (another stack? set PORT / MAIL_PORT_BASE)"
        fi
    done
}

# ------------------------------------------------------------ commands
now_ms() { local t; t=$(date +%s%N); printf '%s\n' $((t / 1000000)); }

cmd_start() {
    local t0 t1 l
    t0=$(now_ms)
    if any_running; then
        log "already running in $RUN_DIR: stopping it first"
        stop_all
    fi
    check_tools
    setup_identity
    prepare
    check_ports_free

    l=$LOGS/dovecot.log
    launch dovecot "$l" dovecot -F -c "$RUN_DIR/dovecot/dovecot.conf"
    wait_ready dovecot "$l" dovecot_ready

    l=$LOGS/branch.log
    launch branch "$l" dovecot -F -c "$RUN_DIR/branch/dovecot.conf"
    wait_ready branch "$l" branch_ready

    l=$LOGS/relay.log
    launch relay "$l" "$PYTHON" "$STACK/relay.py" --port "$P_RELAY" --lmtp-port "$P_LMTP" \
        --outbox "$RUN_DIR/outbox" --users "$RUN_DIR/dovecot/users"
    wait_ready relay "$l" all_tcp $P_RELAY

    if [ "$STACK_MTA" = postfix ]; then
        l=$LOGS/postfix.log
        launch postfix "$l" /usr/lib/postfix/sbin/master -c "$RUN_DIR/postfix" -d
        wait_ready postfix "$l" greets "$P_MTA" "220 "
    fi

    l=$LOGS/redis.log
    launch redis "$l" redis-server --bind 127.0.0.1 --port "$P_REDIS" --save '' \
        --appendonly no --dir "$RUN_DIR/redis" --daemonize no \
        --pidfile "$RUN_DIR/redis/redis.pid" --logfile '' --protected-mode yes
    wait_ready redis "$l" all_tcp $P_REDIS

    l=$LOGS/postern.log
    printf '%s\n' "$SOCK_DIR" > "$PIDS/postern.sockdir"
    launch postern "$l" "$POSTERN_BIN" -c "$POSTERN_CONF"
    wait_ready postern "$l" all_sockets "${SOCKETS[@]}"

    l=$LOGS/nginx-error.log
    launch nginx "$l" nginx -e "$l" -p "$RUN_DIR/nginx" -c "$RUN_DIR/nginx/nginx.conf"
    wait_ready nginx "$l" all_tcp "$PORT"

    t1=$(now_ms)
    log "ready in $(((t1 - t0) / 1000)).$(printf '%03d' $(((t1 - t0) % 1000)))s: http://127.0.0.1:$PORT/ (RUN_DIR=$RUN_DIR)"
}

cmd_stop() {
    stop_all
}

cmd_status() {
    local s pid up=0 n=0
    for s in $SERVICES; do
        n=$((n + 1))
        if pid=$(pid_of "$s"); then
            up=$((up + 1))
            printf '%-8s running (pid %s)\n' "$s" "$pid"
        else
            printf '%-8s stopped\n' "$s"
        fi
    done
    [ "$up" = "$n" ] && return 0
    [ "$up" = 0 ] && return 3
    return 1
}

print_banner() {
    cat <<EOF

  postern demo:  http://127.0.0.1:$PORT/

  accounts (password: wonderland)
    alice@example.test   IMAP, ~40 messages in INBOX, Sent, Archive, Projects, ...
    pop@example.test     POP3 only (IMAP4 switched off), 30 messages
    nopop@example.test   IMAP only (POP3 switched off)
    carol@branch.test    on the branch server (postern routes her there)
    administrator@example.test, guest@..., anonymous@...: exist on the
                         server, refused by postern's policy

  mail servers (127.0.0.1, TLS name mail.example.test, CA $RUN_DIR/ca/ca.pem)
    IMAP $P_IMAP STARTTLS, $P_IMAPS SSL    POP3 $P_POP3 STLS, $P_POP3S SSL
    submission $P_SUBMISSION STARTTLS, $P_SUBMISSIONS SSL   relay sink $P_RELAY   redis $P_REDIS
    branch server: IMAP $P_B_IMAP STARTTLS, $P_B_IMAPS SSL    POP3 $P_B_POP3 STLS, $P_B_POP3S SSL
  outgoing mail to other domains: $RUN_DIR/outbox/     logs: $RUN_DIR/logs/

  Ctrl-C stops everything.
EOF
}

cmd_run() {
    local s dead=""
    cmd_start
    trap 'log "stopping"; stop_all; exit 0' INT TERM HUP
    print_banner
    while :; do
        sleep 1 &
        wait $! || true
        for s in $SERVICES; do
            case " $dead " in *" $s "*) continue ;; esac
            if ! pid_of "$s" > /dev/null; then
                dead="$dead $s"
                log "warning: $s has exited; see $LOGS/"
            fi
        done
    done
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    run) cmd_run ;;
    *) echo "usage: $0 run|start|stop|status   (see the top of this file)" >&2; exit 2 ;;
esac
