#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "unit_fixture.h"

int unit_fx_setup(void **state)
{
    unit_fx *f = (unit_fx *)calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    counting_alloc_init(&f->ca);
    f->mb = mock_backend_reset();
    mock_io_init(&f->io, MOCK_IO_DEFAULT);
    *state = f;
    return 0;
}

int unit_fx_teardown(void **state)
{
    unit_fx *f = (unit_fx *)*state;
    tls_stream_free(f->s);
    tls_stream_config_free(f->cfg);
    assert_int_equal(f->ca.live_bytes, 0);
    assert_int_equal(f->ca.live_blocks, 0);
    assert_int_equal(f->ca.bad_frees, 0);
    assert_int_equal(f->mb->configs_live, 0);
    assert_int_equal(f->mb->sessions_live, 0);
    if (f->mb->violations != 0)
        fail_msg("backend contract breach: %s", f->mb->violation);
    free(f);
    return 0;
}
