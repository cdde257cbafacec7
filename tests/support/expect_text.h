/*
 * Checks on the library's texts that hold in both message configurations.
 *
 * With TLS_STREAM_NO_MESSAGES=1 every detail and error text of the library
 * is "" while status codes, detail codes and error kinds stay the same
 * (tls_stream/options.h). A test therefore writes an exact expected text
 * as TLS_STREAM_MSG("...") and a partial one with the macros below, which
 * assert "" in that configuration: never a weaker check, only the one that
 * configuration guarantees. Include after <cmocka.h>.
 */
#ifndef TLS_TEST_EXPECT_TEXT_H
#define TLS_TEST_EXPECT_TEXT_H

#include <string.h>

#include "tls_stream/options.h"

#if TLS_STREAM_NO_MESSAGES
/** text (a library text) contains part: with no messages, text is "". */
#define expect_text_contains(text, part)                                      \
    do {                                                                    \
        (void)(part);                                                       \
        assert_string_equal((text), "");                                    \
    } while (0)
/** text (a library text) says something: with no messages, text is "". */
#define expect_text_present(text) assert_string_equal((text), "")
#else
#define expect_text_contains(text, part) assert_true(strstr((text), (part)) != NULL)
#define expect_text_present(text) assert_true((text)[0] != '\0')
#endif

#endif /* TLS_TEST_EXPECT_TEXT_H */
