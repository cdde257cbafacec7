/*
 * The entropy source behind tls_stream_config_set_entropy().
 *
 * THIS IS WHERE A REAL BOARD PLUGS ITS TRUE RANDOM NUMBER GENERATOR: replace
 * the body of fw_entropy() with reads of the TRNG's data register (STM32
 * RNG->DR, nRF52 RNG->VALUE, RP2040 ROSC...), checking its error flags and
 * returning non-zero on failure. Never return a constant, a counter or the
 * output of rand(): mbedtls's DRBG is only as unpredictable as its seed.
 *
 * The emulated mps2-an386 has no TRNG: the image reads the host's
 * /dev/urandom through semihosting.
 */
#include "entropy.h"

#include "board.h"

int fw_entropy(void *arg, unsigned char *buf, size_t len)
{
    (void)arg;
    return semihost_read_file("/dev/urandom", buf, len) == 0 ? 0 : -1;
}
