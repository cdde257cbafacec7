/* The POSIX adapters: the fd stream over socketpairs and pipes, file loaders. */
#define _XOPEN_SOURCE 700 /* setitimer, to interrupt calls with a signal */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tls_stream/posix.h"
#include "tls_stream/backend.h"
#include "core/core_internal.h"
#include "test_alloc.h"

/* ---- helpers ---- */

static void make_socketpair(int sv[2], int nonblocking)
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    if (nonblocking) {
        assert_int_equal(fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK), 0);
        assert_int_equal(fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK), 0);
    }
}

static long long monotonic_ms(void)
{
    struct timespec ts;
    assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

/* Fire SIGALRM once after ms milliseconds, with handler and no SA_RESTART. */
static void alarm_in_ms(void (*handler)(int), int ms)
{
    struct sigaction sa;
    struct itimerval it;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: the blocked call fails with EINTR */
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = ms / 1000;
    it.it_value.tv_usec = (ms % 1000) * 1000;
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void restore_alarm(void)
{
    struct itimerval off;
    memset(&off, 0, sizeof off);
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
}

/* ---- the fd stream ---- */

static void test_bytes_written_to_a_socket_are_read_from_its_peer(void **state)
{
    int sv[2];
    tls_stream_io a, b;
    unsigned char buf[16];
    (void)state;

    make_socketpair(sv, 0);
    a = tls_stream_io_fd(sv[0]);
    b = tls_stream_io_fd(sv[1]);
    assert_int_equal((int)(intptr_t)a.ctx, sv[0]);
    assert_non_null(a.close);
    assert_non_null(a.wait);
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"hello", 5), 5);
    assert_int_equal(b.read(b.ctx, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(b.write(b.ctx, (const unsigned char *)"back", 4), 4);
    assert_int_equal(a.read(a.ctx, buf, 2), 2);
    assert_memory_equal(buf, "ba", 2);
    assert_int_equal(a.read(a.ctx, buf, 2), 2);
    assert_memory_equal(buf, "ck", 2);
    a.close(a.ctx);
    b.close(b.ctx);
}

static void test_read_on_empty_nonblocking_socket_wants_read(void **state)
{
    int sv[2];
    tls_stream_io a;
    unsigned char buf[4];
    (void)state;

    make_socketpair(sv, 1);
    a = tls_stream_io_fd(sv[0]);
    assert_int_equal(a.read(a.ctx, buf, sizeof buf), TLS_STREAM_WANT_READ);
    close(sv[0]);
    close(sv[1]);
}

static void test_write_to_full_nonblocking_socket_wants_write(void **state)
{
    static unsigned char chunk[65536];
    int sv[2], n = 0, i;
    long total = 0;
    tls_stream_io a;
    (void)state;

    make_socketpair(sv, 1);
    a = tls_stream_io_fd(sv[0]);
    for (i = 0; i < 10000; i++) {
        n = a.write(a.ctx, chunk, sizeof chunk);
        if (n < 0)
            break;
        total += n;
    }
    assert_int_equal(n, TLS_STREAM_WANT_WRITE);
    assert_true(total > 0);
    /* not writable now: wait times out */
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_WRITE, 10), TLS_STREAM_ERR_TIMEOUT);
    close(sv[0]);
    close(sv[1]);
}

static void test_read_after_peer_closed_returns_0(void **state)
{
    int sv[2];
    tls_stream_io a;
    unsigned char buf[4];
    (void)state;

    make_socketpair(sv, 0);
    a = tls_stream_io_fd(sv[0]);
    assert_int_equal(write(sv[1], "z", 1), 1);
    close(sv[1]);
    assert_int_equal(a.read(a.ctx, buf, sizeof buf), 1);
    assert_int_equal(buf[0], 'z');
    assert_int_equal(a.read(a.ctx, buf, sizeof buf), 0);
    close(sv[0]);
}

static void test_write_after_peer_closed_returns_epipe_without_sigpipe(void **state)
{
    int sv[2];
    tls_stream_io a;
    (void)state;

    /* default SIGPIPE action kills the process: this test would die */
    signal(SIGPIPE, SIG_DFL);
    make_socketpair(sv, 0);
    a = tls_stream_io_fd(sv[0]);
    close(sv[1]);
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"x", 1), -EPIPE);
    close(sv[0]);
}

static void test_pipe_descriptors_are_read_and_written(void **state)
{
    int pfd[2];
    tls_stream_io r, w;
    unsigned char buf[8];
    (void)state;

    assert_int_equal(pipe(pfd), 0);
    r = tls_stream_io_fd(pfd[0]);
    w = tls_stream_io_fd(pfd[1]);
    assert_int_equal(w.write(w.ctx, (const unsigned char *)"piped", 5), 5);
    assert_int_equal(r.read(r.ctx, buf, sizeof buf), 5);
    assert_memory_equal(buf, "piped", 5);
    w.close(w.ctx);
    assert_int_equal(r.read(r.ctx, buf, sizeof buf), 0);
    r.close(r.ctx);
}

static void test_read_on_a_bad_descriptor_returns_negated_ebadf(void **state)
{
    int pfd[2];
    tls_stream_io io;
    unsigned char buf[4] = { 1, 2, 3, 4 };
    (void)state;

    /* a descriptor number that was just closed, so surely not open */
    assert_int_equal(pipe(pfd), 0);
    close(pfd[0]);
    close(pfd[1]);
    io = tls_stream_io_fd(pfd[0]);
    assert_int_equal(io.read(io.ctx, buf, sizeof buf), -EBADF);
    assert_int_equal(io.write(io.ctx, buf, sizeof buf), -EBADF);
    assert_int_equal(io.wait(io.ctx, TLS_STREAM_WANT_READ, 0), -EBADF);
}

static void test_zero_length_or_null_buffer_is_an_argument_error(void **state)
{
    int sv[2];
    tls_stream_io a;
    unsigned char buf[4] = { 0, 0, 0, 0 };
    (void)state;

    make_socketpair(sv, 1);
    a = tls_stream_io_fd(sv[0]);
    assert_int_equal(a.read(a.ctx, buf, 0), TLS_STREAM_ERR_ARG);
    assert_int_equal(a.read(a.ctx, NULL, 4), TLS_STREAM_ERR_ARG);
    assert_int_equal(a.write(a.ctx, buf, 0), TLS_STREAM_ERR_ARG);
    assert_int_equal(a.write(a.ctx, NULL, 4), TLS_STREAM_ERR_ARG);
    assert_int_equal(a.wait(a.ctx, 0, 0), TLS_STREAM_ERR_ARG);
    close(sv[0]);
    close(sv[1]);
}

static void test_wait_times_out_when_nothing_arrives(void **state)
{
    int sv[2];
    tls_stream_io a;
    long long start, elapsed;
    (void)state;

    make_socketpair(sv, 0);
    a = tls_stream_io_fd(sv[0]);
    start = monotonic_ms();
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_READ, 30), TLS_STREAM_ERR_TIMEOUT);
    elapsed = monotonic_ms() - start;
    assert_true(elapsed >= 29);
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_READ, 0), TLS_STREAM_ERR_TIMEOUT);
    close(sv[0]);
    close(sv[1]);
}

static void test_wait_returns_0_when_ready(void **state)
{
    int sv[2];
    tls_stream_io a;
    (void)state;

    make_socketpair(sv, 0);
    a = tls_stream_io_fd(sv[0]);
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_WRITE, -1), 0);
    assert_int_equal(write(sv[1], "r", 1), 1);
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_READ, -1), 0);
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_READ, 50), 0);
    close(sv[0]);
    close(sv[1]);
}

static void test_wait_returns_0_on_hangup_and_read_reports_the_end(void **state)
{
    int sv[2];
    tls_stream_io a;
    unsigned char buf[4];
    (void)state;

    make_socketpair(sv, 0);
    a = tls_stream_io_fd(sv[0]);
    close(sv[1]);
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_READ, 50), 0);
    assert_int_equal(a.read(a.ctx, buf, sizeof buf), 0);
    close(sv[0]);
}

static int alarm_peer_fd = -1;

static void write_to_peer_on_alarm(int sig)
{
    (void)sig;
    if (write(alarm_peer_fd, "s", 1) != 1)
        abort();
}

/* a pipe: the one kind of descriptor whose read() blocks in the kernel */
static void test_read_interrupted_by_a_signal_is_retried(void **state)
{
    int pv[2];
    tls_stream_io a;
    unsigned char buf[4];
    (void)state;

    assert_int_equal(pipe(pv), 0);
    a = tls_stream_io_fd(pv[0]);
    alarm_peer_fd = pv[1];
    /* the blocking read gets EINTR; the handler has sent a byte by then */
    alarm_in_ms(write_to_peer_on_alarm, 20);
    assert_int_equal(a.read(a.ctx, buf, sizeof buf), 1);
    assert_int_equal(buf[0], 's');
    restore_alarm();
    close(pv[0]);
    close(pv[1]);
}

/* blocking sockets block in the kernel; set_timeout bounds that with
 * SO_RCVTIMEO/SO_SNDTIMEO and the timeout comes back as TLS_STREAM_ERR_TIMEOUT */
static void test_blocking_socket_read_and_full_write_time_out_in_the_kernel(void **state)
{
    int sv[2];
    tls_stream_io a;
    unsigned char buf[4096];
    struct timespec t0, t1;
    long ms;
    int rc, i;
    (void)state;

    make_socketpair(sv, 0); /* blocking descriptors */
    a = tls_stream_io_fd(sv[0]);
    assert_non_null(a.set_timeout);
    assert_int_equal(a.set_timeout(a.ctx, 50), 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(a.read(a.ctx, buf, sizeof buf), TLS_STREAM_ERR_TIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 40 && ms < 5000);
    memset(buf, 'x', sizeof buf);
    for (i = 0, rc = 1; i < 100000 && rc > 0; i++)
        rc = a.write(a.ctx, buf, sizeof buf);
    assert_int_equal(rc, TLS_STREAM_ERR_TIMEOUT);
    close(sv[0]);
    close(sv[1]);
}

/* a pipe cannot take a kernel timeout: set_timeout does nothing there */
static void test_set_timeout_on_a_pipe_is_accepted_and_does_nothing(void **state)
{
    int pv[2];
    tls_stream_io a;
    (void)state;
    assert_int_equal(pipe(pv), 0);
    a = tls_stream_io_fd(pv[0]);
    assert_int_equal(a.set_timeout(a.ctx, 10), 0);
    close(pv[0]);
    close(pv[1]);
}

static volatile sig_atomic_t alarms;

static void count_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void test_wait_interrupted_by_a_signal_keeps_its_deadline(void **state)
{
    int sv[2];
    tls_stream_io a;
    long long start, elapsed;
    (void)state;

    make_socketpair(sv, 0);
    a = tls_stream_io_fd(sv[0]);
    alarms = 0;
    alarm_in_ms(count_alarm, 300);
    start = monotonic_ms();
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_READ, 400), TLS_STREAM_ERR_TIMEOUT);
    elapsed = monotonic_ms() - start;
    restore_alarm();
    assert_int_equal(alarms, 1);
    /* neither cut short by the signal (300 ms) nor restarted with the full
     * 400 ms after it (700 ms); the margin absorbs a loaded machine */
    assert_true(elapsed >= 399);
    assert_true(elapsed < 650);
    close(sv[0]);
    close(sv[1]);
}

static void test_close_closes_the_descriptor(void **state)
{
    int sv[2];
    tls_stream_io a;
    (void)state;

    make_socketpair(sv, 0);
    a = tls_stream_io_fd(sv[0]);
    assert_true(fd_is_open(sv[0]));
    a.close(a.ctx);
    assert_false(fd_is_open(sv[0]));
    close(sv[1]);
}

/* ---- tls_stream_read_file ---- */

static char tmp_path[64];

static void write_temp_file(const void *data, size_t len)
{
    int fd;
    strcpy(tmp_path, "/tmp/tls_test_XXXXXX");
    fd = mkstemp(tmp_path);
    assert_true(fd >= 0);
    if (len > 0)
        assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static void test_read_file_returns_contents_nul_terminated(void **state)
{
    unsigned char *data = NULL;
    size_t len = 0;
    (void)state;

    write_temp_file("line one\nline two\n", 18);
    assert_int_equal(tls_stream_read_file(tmp_path, &data, &len), TLS_STREAM_OK);
    assert_int_equal(len, 18);
    assert_memory_equal(data, "line one\nline two\n", 18);
    assert_int_equal(data[18], '\0');
    free(data);
    unlink(tmp_path);
}

static void test_read_file_reads_a_large_file_whole(void **state)
{
    const size_t size = 300001;
    unsigned char *big = malloc(size), *data = NULL;
    size_t len = 0, i;
    (void)state;

    assert_non_null(big);
    for (i = 0; i < size; i++)
        big[i] = (unsigned char)(i * 31 + 7);
    write_temp_file(big, size);
    assert_int_equal(tls_stream_read_file(tmp_path, &data, &len), TLS_STREAM_OK);
    assert_int_equal(len, size);
    assert_memory_equal(data, big, size);
    assert_int_equal(data[size], '\0');
    free(data);
    free(big);
    unlink(tmp_path);
}

static void test_read_file_reads_an_empty_file(void **state)
{
    unsigned char *data = NULL;
    size_t len = 99;
    (void)state;

    write_temp_file("", 0);
    assert_int_equal(tls_stream_read_file(tmp_path, &data, &len), TLS_STREAM_OK);
    assert_int_equal(len, 0);
    assert_non_null(data);
    assert_int_equal(data[0], '\0');
    free(data);
    unlink(tmp_path);
}

/* A FIFO has no size: the loader must grow its buffer until end of file. */
static void test_read_file_reads_a_fifo_of_unknown_size(void **state)
{
    const size_t size = 20000;
    unsigned char *data = NULL;
    size_t len = 0, i;
    pid_t child;
    int status, fd;
    (void)state;

    strcpy(tmp_path, "/tmp/tls_test_fifo_XXXXXX");
    fd = mkstemp(tmp_path); /* reserve a unique name */
    assert_true(fd >= 0);
    close(fd);
    unlink(tmp_path);
    assert_int_equal(mkfifo(tmp_path, 0600), 0);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        unsigned char b[1000];
        fd = open(tmp_path, O_WRONLY);
        for (i = 0; i < size; i++) {
            b[i % sizeof b] = (unsigned char)(i % 253);
            if (i % sizeof b == sizeof b - 1 && write(fd, b, sizeof b) != (ssize_t)sizeof b)
                _exit(1);
        }
        close(fd);
        _exit(0);
    }
    assert_int_equal(tls_stream_read_file(tmp_path, &data, &len), TLS_STREAM_OK);
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(len, size);
    for (i = 0; i < size; i++)
        assert_int_equal(data[i], i % 253);
    assert_int_equal(data[size], '\0');
    free(data);
    unlink(tmp_path);
}

static void test_read_file_of_a_missing_file_is_an_io_error_with_errno_enoent(void **state)
{
    unsigned char *data = (unsigned char *)"x";
    size_t len = 5;
    (void)state;

    errno = 0;
    assert_int_equal(tls_stream_read_file("/nonexistent/tls_stream/file.pem", &data, &len),
                     TLS_STREAM_ERR_IO);
    assert_int_equal(errno, ENOENT);
    assert_null(data);
    assert_int_equal(len, 0);
}

static void test_read_file_of_a_directory_is_an_io_error_with_errno_eisdir(void **state)
{
    unsigned char *data = NULL;
    size_t len = 0;
    (void)state;

    errno = 0;
    assert_int_equal(tls_stream_read_file("/tmp", &data, &len), TLS_STREAM_ERR_IO);
    assert_int_equal(errno, EISDIR);
    assert_null(data);
    assert_int_equal(len, 0);
}

static void test_read_file_rejects_null_arguments(void **state)
{
    unsigned char *data = NULL;
    size_t len = 0;
    (void)state;

    assert_int_equal(tls_stream_read_file(NULL, &data, &len), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_read_file("/tmp", NULL, &len), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_read_file("/tmp", &data, NULL), TLS_STREAM_ERR_ARG);
}

/* ---- file setters, over a recording mock backend ---- */

typedef struct loaded {
    int calls;
    tls_stream_item item;
    unsigned char data[256];
    size_t len;
    const char *password;
} loaded;

static loaded last_load;

static int mock_config_new(const tls_stream_backend_env *env, void **out)
{
    (void)env;
    *out = &last_load;
    return TLS_STREAM_OK;
}

static int mock_config_load(void *cfg, tls_stream_item item, const unsigned char *data, size_t len,
                            const char *password)
{
    loaded *l = (loaded *)cfg;
    l->calls++;
    l->item = item;
    l->len = len;
    memcpy(l->data, data, len < sizeof l->data ? len : sizeof l->data);
    l->password = password;
    return TLS_STREAM_OK;
}

static void mock_config_free(void *cfg)
{
    (void)cfg;
}

/* Only the configuration slots: these tests never create a stream. */
static const tls_stream_backend mock_backend = {
    .version = TLS_STREAM_BACKEND_VERSION,
    .name = "mock",
    .caps = TLS_STREAM_CAP_PSK,
    .config_new = mock_config_new,
    .config_load = mock_config_load,
    .config_free = mock_config_free,
};

static tls_stream_config *new_config(tls_stream_role role)
{
    tls_stream_config *cfg = NULL;
    memset(&last_load, 0, sizeof last_load);
    assert_int_equal(tls_stream_config_new(&cfg, &mock_backend, role, tls_test_allocator()), TLS_STREAM_OK);
    return cfg;
}

static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

static void test_ca_and_cert_files_reach_the_backend_with_the_file_length(void **state)
{
    tls_stream_config *cfg = new_config(TLS_STREAM_CLIENT);
    (void)state;

    write_temp_file(pem, sizeof pem - 1);
    assert_int_equal(tls_stream_config_add_ca_file(cfg, tmp_path), TLS_STREAM_OK);
    assert_int_equal(last_load.calls, 1);
    assert_int_equal(last_load.item, TLS_STREAM_ITEM_CA);
    assert_int_equal(last_load.len, sizeof pem - 1);
    assert_memory_equal(last_load.data, pem, sizeof pem - 1);

    assert_int_equal(tls_stream_config_set_cert_file(cfg, tmp_path), TLS_STREAM_OK);
    assert_int_equal(last_load.calls, 2);
    assert_int_equal(last_load.item, TLS_STREAM_ITEM_CERT);
    assert_int_equal(last_load.len, sizeof pem - 1);
    unlink(tmp_path);
    tls_stream_config_free(cfg);
}

static void test_key_file_reaches_the_backend_with_its_password(void **state)
{
    static const char key[] = "-----BEGIN PRIVATE KEY-----\nMC4C\n-----END PRIVATE KEY-----\n";
    tls_stream_config *cfg = new_config(TLS_STREAM_SERVER);
    (void)state;

    write_temp_file(key, sizeof key - 1);
    assert_int_equal(tls_stream_config_set_key_file(cfg, tmp_path, "secret"), TLS_STREAM_OK);
    assert_int_equal(last_load.calls, 1);
    assert_int_equal(last_load.item, TLS_STREAM_ITEM_KEY);
    assert_int_equal(last_load.len, sizeof key - 1);
    assert_memory_equal(last_load.data, key, sizeof key - 1);
    assert_string_equal(last_load.password, "secret");
    unlink(tmp_path);
    tls_stream_config_free(cfg);
}

static void test_psk_file_fills_the_server_table(void **state)
{
    static const char table[] = "# identities\nclient1:0102030405\r\n\nclient2:aabb\n";
    unsigned char key[TLS_STREAM_PSK_MAX_KEY];
    tls_stream_config *cfg = new_config(TLS_STREAM_SERVER);
    (void)state;

    write_temp_file(table, sizeof table - 1);
    assert_int_equal(tls_stream_config_load_psk_file(cfg, tmp_path), TLS_STREAM_OK);
    assert_int_equal(tls_stream_psk_table_lookup(cfg, (const unsigned char *)"client1", 7, key,
                                          sizeof key), 5);
    assert_memory_equal(key, "\x01\x02\x03\x04\x05", 5);
    assert_int_equal(tls_stream_psk_table_lookup(cfg, (const unsigned char *)"client2", 7, key,
                                          sizeof key), 2);
    unlink(tmp_path);
    tls_stream_config_free(cfg);
}

static void test_missing_file_fails_with_io_error_and_errno_detail(void **state)
{
    const char *msg = NULL;
    tls_stream_config *cfg = new_config(TLS_STREAM_SERVER);
    (void)state;

    assert_int_equal(tls_stream_config_set_key_file(cfg, "/nonexistent/key.pem", NULL), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_config_error_detail(cfg, &msg), -ENOENT);
    assert_string_equal(msg, TLS_STREAM_MSG("cannot read /nonexistent/key.pem: No such file or directory"));
    assert_int_equal(last_load.calls, 0);
    assert_int_equal(tls_stream_config_add_ca_file(cfg, "/nonexistent/ca.pem"), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_config_set_cert_file(cfg, "/nonexistent/c.pem"), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_config_load_psk_file(cfg, "/nonexistent/psk.txt"), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_config_error_detail(cfg, &msg), -ENOENT);
    tls_stream_config_free(cfg);
}

static void test_long_path_in_error_keeps_its_tail_and_the_reason(void **state)
{
    char path[300];
    const char *msg = NULL;
    const char *reason = ": No such file or directory";
    size_t mlen, i;
    tls_stream_config *cfg = new_config(TLS_STREAM_CLIENT);
    (void)state;

    /* components under NAME_MAX, so the error is ENOENT, not ENAMETOOLONG */
    for (i = 0; i < sizeof path; i++)
        path[i] = i % 50 == 0 ? '/' : 'd';
    memcpy(path + sizeof path - 12, "/the_ca.pem", 12); /* with its NUL */
    assert_int_equal(tls_stream_config_add_ca_file(cfg, path), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_config_error_detail(cfg, &msg), -ENOENT);
    if (TLS_STREAM_NO_MESSAGES) {
        assert_string_equal(msg, ""); /* no text to cut */
        tls_stream_config_free(cfg);
        return;
    }
    mlen = strlen(msg);
    assert_true(mlen < sizeof(((tls_stream_detail *)0)->msg));
    assert_memory_equal(msg, "cannot read ...", 15);
    assert_string_equal(msg + mlen - strlen(reason) - 11, "/the_ca.pem: No such file or directory");
    tls_stream_config_free(cfg);
}

static void test_file_setters_reject_null_arguments(void **state)
{
    tls_stream_config *cfg = new_config(TLS_STREAM_CLIENT);
    (void)state;

    assert_int_equal(tls_stream_config_add_ca_file(NULL, "/tmp/x"), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_add_ca_file(cfg, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_cert_file(cfg, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_key_file(cfg, NULL, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_load_psk_file(cfg, NULL), TLS_STREAM_ERR_ARG);
    tls_stream_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_written_to_a_socket_are_read_from_its_peer),
        cmocka_unit_test(test_read_on_empty_nonblocking_socket_wants_read),
        cmocka_unit_test(test_write_to_full_nonblocking_socket_wants_write),
        cmocka_unit_test(test_read_after_peer_closed_returns_0),
        cmocka_unit_test(test_write_after_peer_closed_returns_epipe_without_sigpipe),
        cmocka_unit_test(test_pipe_descriptors_are_read_and_written),
        cmocka_unit_test(test_read_on_a_bad_descriptor_returns_negated_ebadf),
        cmocka_unit_test(test_zero_length_or_null_buffer_is_an_argument_error),
        cmocka_unit_test(test_wait_times_out_when_nothing_arrives),
        cmocka_unit_test(test_wait_returns_0_when_ready),
        cmocka_unit_test(test_wait_returns_0_on_hangup_and_read_reports_the_end),
        cmocka_unit_test(test_read_interrupted_by_a_signal_is_retried),
        cmocka_unit_test(test_blocking_socket_read_and_full_write_time_out_in_the_kernel),
        cmocka_unit_test(test_set_timeout_on_a_pipe_is_accepted_and_does_nothing),
        cmocka_unit_test(test_wait_interrupted_by_a_signal_keeps_its_deadline),
        cmocka_unit_test(test_close_closes_the_descriptor),
        cmocka_unit_test(test_read_file_returns_contents_nul_terminated),
        cmocka_unit_test(test_read_file_reads_a_large_file_whole),
        cmocka_unit_test(test_read_file_reads_an_empty_file),
        cmocka_unit_test(test_read_file_reads_a_fifo_of_unknown_size),
        cmocka_unit_test(test_read_file_of_a_missing_file_is_an_io_error_with_errno_enoent),
        cmocka_unit_test(test_read_file_of_a_directory_is_an_io_error_with_errno_eisdir),
        cmocka_unit_test(test_read_file_rejects_null_arguments),
        cmocka_unit_test(test_ca_and_cert_files_reach_the_backend_with_the_file_length),
        cmocka_unit_test(test_key_file_reaches_the_backend_with_its_password),
        cmocka_unit_test(test_psk_file_fills_the_server_table),
        cmocka_unit_test(test_missing_file_fails_with_io_error_and_errno_detail),
        cmocka_unit_test(test_long_path_in_error_keeps_its_tail_and_the_reason),
        cmocka_unit_test(test_file_setters_reject_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
