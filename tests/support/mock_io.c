/* Test support: result scripts and the scriptable tls_stream_io (see mock_io.h). */
#include "mock_io.h"

#include <stdarg.h>
#include <string.h>

#include "tls_stream/error.h"

void mock_script_set(mock_script *s, size_t count, ...)
{
    va_list ap;
    size_t i;
    if (count > MOCK_SCRIPT_MAX)
        count = MOCK_SCRIPT_MAX;
    va_start(ap, count);
    for (i = 0; i < count; i++)
        s->step[i] = va_arg(ap, int);
    va_end(ap);
    s->count = count;
    s->next = 0;
}

void mock_script_clear(mock_script *s, int otherwise)
{
    s->count = 0;
    s->next = 0;
    s->otherwise = otherwise;
}

int mock_script_next(mock_script *s)
{
    if (s->next < s->count)
        return s->step[s->next++];
    return s->otherwise;
}

size_t mock_script_left(const mock_script *s)
{
    return s->count - s->next;
}

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

static int io_read(void *ctx, unsigned char *buf, size_t len)
{
    mock_io *m = (mock_io *)ctx;
    int rc = mock_script_next(&m->read);
    size_t n;
    m->read_calls++;
    if (rc <= 0)
        return rc;
    n = min3((size_t)rc, len, m->rx_len - m->rx_pos);
    if (n > 0)
        memcpy(buf, m->rx + m->rx_pos, n);
    m->rx_pos += n;
    return (int)n;
}

static int io_write(void *ctx, const unsigned char *buf, size_t len)
{
    mock_io *m = (mock_io *)ctx;
    int rc = mock_script_next(&m->write);
    size_t n, i;
    m->write_calls++;
    if (rc <= 0)
        return rc;
    n = (size_t)rc < len ? (size_t)rc : len;
    for (i = 0; i < n; i++)
        if (m->tx_len + i < MOCK_IO_TX_MAX)
            m->tx[m->tx_len + i] = buf[i];
    m->tx_len += n;
    return (int)n;
}

static int io_close(void *ctx)
{
    mock_io *m = (mock_io *)ctx;
    m->close_calls++;
    return mock_script_next(&m->close);
}

static int io_wait(void *ctx, int want, int timeout_ms)
{
    mock_io *m = (mock_io *)ctx;
    if (m->wait_calls < MOCK_IO_WAIT_LOG) {
        m->wait_want[m->wait_calls] = want;
        m->wait_timeout[m->wait_calls] = timeout_ms;
    }
    m->wait_calls++;
    return mock_script_next(&m->wait);
}

void mock_io_init(mock_io *m, unsigned flags)
{
    memset(m, 0, sizeof *m);
    m->io.ctx = m;
    m->io.read = io_read;
    m->io.write = io_write;
    m->io.close = (flags & MOCK_IO_NO_CLOSE) ? NULL : io_close;
    m->io.wait = (flags & MOCK_IO_NO_WAIT) ? NULL : io_wait;
    m->io.set_timeout = NULL;
    mock_script_clear(&m->read, TLS_STREAM_WANT_READ);
    mock_script_clear(&m->write, MOCK_ALL);
    mock_script_clear(&m->wait, 0);
    mock_script_clear(&m->close, 0);
}
