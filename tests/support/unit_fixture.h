/*
 * Test support: the fixture of the unit tests (tests/unit). A counting
 * allocator, the mock backend reset to its defaults and one mock transport;
 * a configuration and a stream that the teardown frees, then checks that
 * nothing is left (memory, backend objects) and that the core kept the
 * backend contract.
 *
 *     #define T(fn) cmocka_unit_test_setup_teardown(fn, unit_fx_setup, unit_fx_teardown)
 */
#ifndef TLS_TEST_UNIT_FIXTURE_H
#define TLS_TEST_UNIT_FIXTURE_H

#include "counting_alloc.h"
#include "mock_backend.h"
#include "mock_io.h"
#include "tls_stream/tls_stream.h"

typedef struct unit_fx {
    counting_alloc ca;
    mock_backend *mb;
    mock_io io;
    tls_stream_config *cfg; /* freed by teardown when set */
    tls_stream *s;   /* freed by teardown when set */
} unit_fx;

/** cmocka setup: a new unit_fx in *state (-1 when out of memory). */
int unit_fx_setup(void **state);
/** cmocka teardown: frees s and cfg, asserts nothing is left, frees the fixture. */
int unit_fx_teardown(void **state);

#endif
