/*
 * Vagoth's native thin client: how bin/vagoth runs a command in the daemon
 * serving its home, in a few milliseconds instead of a JVM's start.
 *
 * It does what the JVM thin client (vagoth.dist.ThinClient) does for a
 * command, and nothing else: the home's owner check, the request over the
 * daemon's Unix socket (DaemonProtocol: "VGT2", the kind, the arguments, the
 * colour flag), job and transaction notices and standard error as they come,
 * then the answer (exit status, standard output, standard error). Ctrl-C
 * stops the waiting, never the command, and names what the daemon goes on
 * with; a daemon gone before it answered is "outcome unknown" (6). What is
 * not a command (the shell, the serial console, daemon control) is left to
 * the JVM client: exit status 112. No daemon: 111, and bin/vagoth runs the
 * command otherwise, as for the JVM client.
 *
 * C99 and POSIX, nothing else. Built by the distribution's build when a C
 * compiler is there (-DVAGOTH_VERSION="..."); bin/vagoth uses it when it is
 * in lib/ and runs, unless VAGOTH_JVM_CLIENT=1.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef VAGOTH_VERSION
#define VAGOTH_VERSION "(unknown version)"
#endif

/* exit statuses, as the JVM's (OneShot, Interrupts, Launcher) */
#define STATUS_FAILED 1
#define STATUS_OUTCOME_UNKNOWN 6
#define STATUS_NO_DAEMON 111
#define STATUS_NOT_MINE 112
#define STATUS_INTERRUPTED 130

/* the daemon protocol (vagoth.dist.DaemonProtocol) */
#define MAGIC 0x56475432L
#define KIND_COMMAND 0
#define JOB_NOTICE (-0x4a4f4221L)
#define ERR_CHUNK (-0x45525221L)
#define TX_NOTICE (-0x54584e21L)
#define MAX_BYTES (256L << 20)

/* what the command line says of the work the daemon runs: "job ID" or "txid T", once told */
static char seen[160];
static const char *request_line = "";

/* ---- output that never stops the client: a closed pipe loses what it would have shown, as in Java ---- */

static void put(int fd, const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return;
        }
        s += w;
        n -= (size_t) w;
    }
}

static void say(const char *s) {
    put(2, s, strlen(s));
}

/* ---- the home ---- */

/* Appends path segment-wise to out (an absolute path), resolving "." and ".." as Path.normalize() does. */
static void normalize_into(char *out, size_t cap, const char *path) {
    const char *p = path;
    while (*p) {
        while (*p == '/') {
            p++;
        }
        const char *end = p;
        while (*end && *end != '/') {
            end++;
        }
        size_t len = (size_t) (end - p);
        if (len == 0 || (len == 1 && p[0] == '.')) {
            /* nothing */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = strrchr(out, '/');
            if (slash != NULL) {
                *(slash == out ? slash + 1 : slash) = '\0';
            }
        } else {
            size_t have = strlen(out);
            if (have + len + 2 < cap) {
                if (have > 0 && out[have - 1] != '/') {
                    out[have++] = '/';
                }
                memcpy(out + have, p, len);
                out[have + len] = '\0';
            }
        }
        p = end;
    }
}

/* The home: VAGOTH_HOME unless blank, else the user's home's .vagoth; absolute and normalized. */
static int home_root(char *out, size_t cap) {
    const char *env = getenv("VAGOTH_HOME");
    int blank = 1;
    for (const char *c = env; c != NULL && *c; c++) {
        if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r' && *c != '\f' && *c != '\v') {
            blank = 0;
        }
    }
    char given[4096];
    if (!blank) {
        if (strlen(env) >= sizeof given) {
            return -1;
        }
        strcpy(given, env);
    } else {
        struct passwd *me = getpwuid(getuid()); /* as the JVM's user.home */
        if (me == NULL || me->pw_dir == NULL || strlen(me->pw_dir) + 9 >= sizeof given) {
            return -1;
        }
        snprintf(given, sizeof given, "%s/.vagoth", me->pw_dir);
    }
    out[0] = '\0';
    if (given[0] != '/') {
        if (getcwd(out, cap) == NULL) {
            return -1;
        }
    } else {
        strcpy(out, "/");
    }
    normalize_into(out, cap, given);
    return 0;
}

/* 0 when this user may run in the home; else says why not (as Launcher.otherOwnerRefusal) and answers 1. */
static int other_owner_refusal(const char *root) {
    struct stat st;
    if (stat(root, &st) != 0 || st.st_uid == getuid()) {
        return 0;
    }
    const char *allow = getenv("VAGOTH_ALLOW_OTHER_OWNER");
    if (allow != NULL && strcmp(allow, "1") == 0) {
        return 0;
    }
    struct passwd *pw = getpwuid(st.st_uid);
    char owner[256];
    if (pw != NULL) {
        snprintf(owner, sizeof owner, "%s", pw->pw_name);
    } else {
        snprintf(owner, sizeof owner, "%lu", (unsigned long) st.st_uid);
    }
    struct passwd *mine = getpwuid(getuid());
    char me[256];
    snprintf(me, sizeof me, "%s", mine != NULL ? mine->pw_name : "?");
    if (strcmp(owner, me) == 0) {
        return 0;
    }
    fprintf(stderr, "vagoth: VAGOTH_HOME %s belongs to %s, not to %s: refusing to run in it (its agents would run as"
            " %s and its files change owner); run as %s, or set VAGOTH_ALLOW_OTHER_OWNER=1 if you mean it\n",
            root, owner, me, me, owner);
    return 1;
}

/* ---- the request ---- */

/* A buffer that grows; a failed allocation ends the client (nothing was sent yet). */
struct buf {
    unsigned char *b;
    size_t n, cap;
};

static void grow(struct buf *o, size_t more) {
    if (o->n + more <= o->cap) {
        return;
    }
    size_t cap = o->cap == 0 ? 4096 : o->cap;
    while (cap < o->n + more) {
        cap *= 2;
    }
    unsigned char *b = realloc(o->b, cap);
    if (b == NULL) {
        say("vagoth: out of memory\n");
        exit(STATUS_FAILED);
    }
    o->b = b;
    o->cap = cap;
}

static void add(struct buf *o, const void *p, size_t n) {
    grow(o, n);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void add_int(struct buf *o, long v) {
    uint32_t u = (uint32_t) v;
    unsigned char b[4] = {(unsigned char) (u >> 24), (unsigned char) (u >> 16), (unsigned char) (u >> 8),
                          (unsigned char) u};
    add(o, b, 4);
}

/* Whether a command's output gets colour: stdin and stdout a terminal (the JVM's System.console()), NO_COLOR unset. */
static int colour(void) {
    const char *term = getenv("TERM");
    return isatty(0) && isatty(1) && getenv("NO_COLOR") == NULL && term != NULL && strcmp(term, "dumb") != 0;
}

static void request(struct buf *o, int argc, char **argv) {
    add_int(o, MAGIC);
    unsigned char kind = KIND_COMMAND;
    add(o, &kind, 1);
    add_int(o, argc);
    for (int i = 0; i < argc; i++) { /* as they are: the daemon reads them as UTF-8, a malformed part as U+FFFD */
        size_t n = strlen(argv[i]);
        add_int(o, (long) n);
        add(o, argv[i], n);
    }
    unsigned char c = (unsigned char) colour();
    add(o, &c, 1);
}

/* ---- Ctrl-C, and the daemon going away ---- */

static const char *look_at(char *out, size_t cap) {
    if (seen[0] == '\0') {
        snprintf(out, cap, "vagoth jobs");
    } else if (strncmp(seen, "job ", 4) == 0) {
        snprintf(out, cap, "vagoth %s", seen);
    } else {
        snprintf(out, cap, "vagoth jobs --%s", seen);
    }
    return out;
}

static void where(char *out, size_t cap) {
    if (seen[0] == '\0') {
        out[0] = '\0';
    } else {
        snprintf(out, cap, " (%s)", seen);
    }
}

/*
 * Ctrl-C (or SIGTERM): the client stops waiting, says what the daemon goes on with, and ends; the command is the
 * daemon's. Only write() and strlen() here: it may cut any call short.
 */
static void on_signal(int sig) {
    (void) sig;
    say("vagoth: interrupted: the daemon goes on with '");
    say(request_line);
    say("'");
    if (seen[0] != '\0') {
        say(" (");
        say(seen);
        say(")");
    }
    say("; 'vagoth ");
    if (seen[0] == '\0') {
        say("jobs");
    } else {
        say(strncmp(seen, "job ", 4) == 0 ? "" : "jobs --");
        say(seen);
    }
    say("' shows how it ends\n");
    _exit(STATUS_INTERRUPTED);
}

static int outcome_unknown(void) {
    char w[200], look[200];
    where(w, sizeof w);
    fprintf(stderr, "vagoth: the daemon stopped while it ran '%s'%s: whether it was done is unknown, and it is not"
            " run again here. '%s' shows what became of it (work the daemon left queued or running is interrupted,"
            " never re-run by itself; 'vagoth job retry ID' runs it again)\n",
            request_line, w, look_at(look, sizeof look));
    return STATUS_OUTCOME_UNKNOWN;
}

/* ---- reading the answer ---- */

/* Reads exactly n bytes: 0, or -1 when the daemon went away. */
static int read_fully(int fd, void *p, size_t n) {
    unsigned char *b = p;
    while (n > 0) {
        ssize_t r = read(fd, b, n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return -1;
        }
        b += r;
        n -= (size_t) r;
    }
    return 0;
}

static int read_int(int fd, long *v) {
    unsigned char b[4];
    if (read_fully(fd, b, 4) != 0) {
        return -1;
    }
    uint32_t u = (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3];
    *v = u > 0x7fffffffu ? -(long) (0xffffffffu - u) - 1 : (long) u;
    return 0;
}

/* Reads a length and that many bytes into o (o->n set); -1 when the daemon went away or the length is bad. */
static int read_bytes(int fd, struct buf *o) {
    long n;
    if (read_int(fd, &n) != 0 || n < 0 || n > MAX_BYTES) {
        return -1;
    }
    o->n = 0;
    grow(o, (size_t) n + 1);
    if (read_fully(fd, o->b, (size_t) n) != 0) {
        return -1;
    }
    o->n = (size_t) n;
    return 0;
}

/* Sends the request (a refusing daemon may close first: its answer is read all the same). */
static void send_all(int fd, const struct buf *req) {
    size_t off = 0;
    while (off < req->n) {
        ssize_t w = send(fd, req->b + off, req->n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return;
        }
        off += (size_t) w;
    }
}

static int run(const char *socket_path, int argc, char **argv) {
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(socket_path) >= sizeof addr.sun_path) {
        return STATUS_NO_DAEMON; /* as the JVM's, which cannot reach such a path either */
    }
    strcpy(addr.sun_path, socket_path);
    struct stat st;
    if (stat(socket_path, &st) != 0) {
        return STATUS_NO_DAEMON;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        return STATUS_NO_DAEMON;
    }
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        close(fd);
        return STATUS_NO_DAEMON; /* a socket left by a daemon that died: the command runs elsewhere */
    }
    struct buf req = {0};
    request(&req, argc, argv);
    send_all(fd, &req);
    free(req.b);

    struct buf b = {0}, out = {0};
    long first;
    for (;;) {
        if (read_int(fd, &first) != 0) {
            return outcome_unknown();
        }
        if (first != JOB_NOTICE && first != TX_NOTICE && first != ERR_CHUNK) {
            break;
        }
        if (read_bytes(fd, &b) != 0) {
            return outcome_unknown();
        }
        if (first == ERR_CHUNK) {
            put(2, (const char *) b.b, b.n); /* action lines, as they happen */
        } else if (first == JOB_NOTICE || seen[0] == '\0') { /* a job, once there is one, says more */
            b.b[b.n] = '\0';
            snprintf(seen, sizeof seen, "%s %s", first == JOB_NOTICE ? "job" : "txid", (const char *) b.b);
        }
    }
    if (read_bytes(fd, &out) != 0 || read_bytes(fd, &b) != 0) {
        return outcome_unknown();
    }
    close(fd);
    put(2, (const char *) b.b, b.n); /* action lines came before the result, as in the one-shot path */
    put(1, (const char *) out.b, out.n);
    return (int) first;
}

/* Whether argv is the launcher's own work or the console's (Launcher.notACommand; the serial console). */
static int not_mine(int argc, char **argv) {
    if (argc == 0) {
        return 1; /* the shell */
    }
    const char *a = argv[0];
    if (strcmp(a, "daemon") == 0 || strcmp(a, "reset-store") == 0 || strcmp(a, "--remote") == 0) {
        return 1;
    }
    return argc == 2 && strcmp(a, "console") == 0 && strcmp(argv[1], "--where") != 0;
}

int main(int argc, char **argv) {
    argc--;
    argv++;
    if (argc == 1 && (strcmp(argv[0], "--version") == 0 || strcmp(argv[0], "-V") == 0)) {
        printf("vagoth %s (native client)\n", VAGOTH_VERSION);
        return 0;
    }
    if (not_mine(argc, argv)) {
        return STATUS_NOT_MINE;
    }
    char root[4096];
    if (home_root(root, sizeof root - 32) != 0) {
        return STATUS_NOT_MINE; /* a home this client cannot name: the JVM's says what is wrong */
    }
    if (other_owner_refusal(root)) {
        return STATUS_FAILED;
    }
    static char *help[] = {"help"};
    if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
        argc = 1;
        argv = help;
    }
    size_t line_len = 1;
    for (int i = 0; i < argc; i++) {
        line_len += strlen(argv[i]) + 1;
    }
    char *line = malloc(line_len);
    if (line == NULL) {
        return STATUS_NOT_MINE;
    }
    char *end = line;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]);
        if (i > 0) {
            *end++ = ' ';
        }
        memcpy(end, argv[i], n);
        end += n;
    }
    *end = '\0';
    request_line = line;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* output to a reader that left (| head) is dropped, as the JVM drops it */

    char socket_path[4200];
    snprintf(socket_path, sizeof socket_path, "%s/var/run/vagoth.sock", root);
    return run(socket_path, argc, argv);
}
