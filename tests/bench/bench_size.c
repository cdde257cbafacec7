/*
 * tls_bench: code size of our own objects, .text + .rodata, per layer.
 *
 * At run time the benchmark compiles the current sources (found through
 * TLS_BENCH_SRC_DIR) with the host compiler at -O2 and, when installed, with
 * arm-none-eabi-gcc for a Cortex-M4 at -Os (freestanding, thumb), all jobs in
 * parallel in a temporary folder, and reads the section sizes with
 * `size -A`. The mbedtls backend needs the mbedtls headers on ARM too: a
 * folder holding only them is given with -isystem (never /usr/include, whose
 * host headers would clash with newlib's), with the host's config.h minus
 * MBEDTLS_THREADING_C/_PTHREAD (no pthreads on bare metal). -v lists the
 * size of every object.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

typedef struct size_job {
    const char *layer;   /* row name */
    const char *globs;   /* sources, relative to the source dir, space-separated */
    int arm;             /* 0: host -O2, 1: Cortex-M4 -Os */
    int mbedtls;         /* needs the mbedtls headers */
    const char *defs;    /* extra -D flags: the build variant */
    const char *id;      /* folder name */
    long bytes;          /* .text + .rodata, or -1 */
    char why[96];        /* when bytes < 0 */
} size_job;

/* globs with the source dir before each, for the compile line. */
static void source_list(char *out, size_t size, const char *globs)
{
    size_t n = 0;

    out[0] = '\0';
    while (*globs != '\0' && n < size) {
        size_t k = strcspn(globs, " ");
        n += (size_t)snprintf(out + n, size - n, " '%s'/%.*s", TLS_BENCH_SRC_DIR, (int)k, globs);
        globs += k;
        globs += strspn(globs, " ");
    }
}

static int have(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* Sum the .text* and .rodata* sections of every object in dir. */
static long section_sum(const char *size_tool, const char *dir)
{
    char cmd[1024], line[512];
    long total = 0;
    int objects = 0;
    FILE *f;
    snprintf(cmd, sizeof cmd, "%s -A %s/*.o 2>/dev/null", size_tool, dir);
    f = popen(cmd, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        char name[256];
        unsigned long sz;
        if (strncmp(line, "section", 7) == 0)
            objects++;
        if (sscanf(line, "%255s %lu", name, &sz) == 2 &&
            (strncmp(name, ".text", 5) == 0 || strncmp(name, ".rodata", 7) == 0))
            total += (long)sz;
    }
    if (pclose(f) != 0 || objects == 0)
        return -1;
    return total;
}

static void first_line(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    char line[512];
    snprintf(out, size, "compile failed");
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strstr(line, "error") != NULL) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, size, "%s", strstr(line, "error"));
            break;
        }
    }
    fclose(f);
}

void bench_size(void)
{
    /* The default build, then the minimal one (tls_stream/options.h) */
    static const char nomsg[] = "-DTLS_STREAM_NO_MESSAGES=1";
    size_job jobs[] = {
        { "core", "src/core/*.c", 0, 0, "", "x86_core", -1, "" },
        { "ussl", "src/ussl/*.c", 0, 0, "", "x86_ussl", -1, "" },
        { "mbedtls backend", "src/backend/mbedtls/*.c src/backend/common/*.c", 0, 1, "", "x86_mbedtls", -1, "" },
        { "io: memory pipe", "src/io/mem_pipe.c", 0, 0, "", "x86_pipe", -1, "" },
        { "io: POSIX fd + file loaders", "src/io/posix*.c", 0, 0, "", "x86_posix", -1, "" },
        { "core, NO_MESSAGES", "src/core/*.c", 0, 0, nomsg, "x86_core_min", -1, "" },
        { "ussl, NO_MESSAGES", "src/ussl/*.c", 0, 0, nomsg, "x86_ussl_min", -1, "" },
        { "mbedtls backend, NO_MESSAGES", "src/backend/mbedtls/*.c src/backend/common/*.c", 0, 1, nomsg,
          "x86_mbedtls_min", -1, "" },
        { "core", "src/core/*.c", 1, 0, "", "arm_core", -1, "" },
        { "ussl", "src/ussl/*.c", 1, 0, "", "arm_ussl", -1, "" },
        { "mbedtls backend", "src/backend/mbedtls/*.c src/backend/common/*.c", 1, 1, "", "arm_mbedtls", -1, "" },
        { "io: memory pipe", "src/io/mem_pipe.c", 1, 0, "", "arm_pipe", -1, "" },
        { "core, NO_MESSAGES", "src/core/*.c", 1, 0, nomsg, "arm_core_min", -1, "" },
        { "ussl, NO_MESSAGES", "src/ussl/*.c", 1, 0, nomsg, "arm_ussl_min", -1, "" },
        { "mbedtls backend, NO_MESSAGES", "src/backend/mbedtls/*.c src/backend/common/*.c", 1, 1, nomsg,
          "arm_mbedtls_min", -1, "" },
    };
    const size_t njobs = sizeof jobs / sizeof jobs[0];
    const char *host_flags = "-std=c99 -O2 -DTLS_STREAM_BUILDING";
    const char *arm_flags = "-std=c99 -Os -mcpu=cortex-m4 -mthumb -ffreestanding "
                            "-DTLS_STREAM_BUILDING";
    char tmpl[] = "/tmp/tls_bench_size.XXXXXX";
    char *tmp, *script;
    size_t cap = 16384, len = 0, i;
    int have_arm = have("arm-none-eabi-gcc") && have("arm-none-eabi-size");
    int have_size = have("size");
    long core_arm = -1, ussl_arm = -1, be_arm = -1;
    long core_min = -1, ussl_min = -1, be_min = -1;
    double t0 = bench_now();

    printf("\nCode size, .text+.rodata of our objects (bytes; compiled now from %s)\n",
           TLS_BENCH_SRC_DIR);
    printf("  %-44s %12s %12s %7s %8s  %s\n", "layer", "x86-64 -O2", "Cortex-M4 -Os", "",
           "target", "verdict");
    tmp = mkdtemp(tmpl);
    script = malloc(cap);
    if (tmp == NULL || script == NULL)
        bench_die("size: cannot make a temporary folder");
    /* The mbedtls headers for the Cortex-M4: the host's (2.28: mbedtls/;
     * 3.x: mbedtls/ and psa/), with a configuration that drops what a
     * bare-metal target cannot have (pthreads). */
    len += (size_t)snprintf(script + len, cap - len,
                            "cd '%s' || exit 1\nmkdir -p inc/mbedtls inc/psa\n"
                            "for d in mbedtls psa; do for h in '%s'/$d/*.h; do\n"
                            "  [ -e \"$h\" ] && ln -s \"$h\" inc/$d/; done; done\n"
                            "for c in config.h mbedtls_config.h; do [ -e inc/mbedtls/$c ] || continue\n"
                            "  rm inc/mbedtls/$c\n"
                            "  sed -e 's|^#define MBEDTLS_THREADING_C|//&|' "
                            "-e 's|^#define MBEDTLS_THREADING_PTHREAD|//&|' "
                            "'%s'/mbedtls/$c > inc/mbedtls/$c; done\n",
                            tmp, TLS_BENCH_MBEDTLS_INC, TLS_BENCH_MBEDTLS_INC);
    for (i = 0; i < njobs; i++) {
        size_job *j = &jobs[i];
        char sources[512];
        if (j->arm && !have_arm)
            continue;
        source_list(sources, sizeof sources, j->globs);
        len += (size_t)snprintf(
            script + len, cap - len,
            "mkdir %s && (cd %s && %s %s %s -I'%s/include' -I'%s/src' %s -c%s) > %s.log 2>&1 &\n",
            j->id, j->id, j->arm ? "arm-none-eabi-gcc" : TLS_BENCH_CC,
            j->arm ? arm_flags : host_flags, j->defs, TLS_BENCH_SRC_DIR, TLS_BENCH_SRC_DIR,
            j->mbedtls ? (j->arm ? "-isystem ../inc" : "-isystem '" TLS_BENCH_MBEDTLS_INC "'")
                       : "",
            sources, j->id);
    }
    len += (size_t)snprintf(script + len, cap - len, "wait\n");
    {
        FILE *f = popen("sh", "w");
        if (f == NULL)
            bench_die("size: cannot run sh");
        fwrite(script, 1, len, f);
        pclose(f);
    }
    for (i = 0; i < njobs; i++) {
        size_job *j = &jobs[i];
        char dir[512], log[512];
        snprintf(dir, sizeof dir, "%s/%s", tmp, j->id);
        snprintf(log, sizeof log, "%s/%s.log", tmp, j->id);
        if (j->arm && !have_arm) {
            snprintf(j->why, sizeof j->why, "n/a: arm-none-eabi-gcc not installed");
            continue;
        }
        if (!j->arm && !have_size) {
            snprintf(j->why, sizeof j->why, "n/a: size not installed");
            continue;
        }
        j->bytes = section_sum(j->arm ? "arm-none-eabi-size" : "size", dir);
        if (j->bytes < 0)
            first_line(log, j->why, sizeof j->why);
        if (g_opts.verbose && j->bytes >= 0) {
            char cmd[700];
            snprintf(cmd, sizeof cmd, "cd '%s' && %s -B *.o >&2", dir,
                     j->arm ? "arm-none-eabi-size" : "size");
            fprintf(stderr, "%s:\n", j->id);
            if (system(cmd) != 0)
                fprintf(stderr, "(size failed)\n");
        }
    }
    for (i = 0; i < njobs; i++) {
        size_job *j = &jobs[i], *a = NULL;
        char host[32], arm[32];
        const char *note = "";
        size_t k;
        if (j->arm)
            continue;
        for (k = 0; k < njobs; k++) {
            if (jobs[k].arm && strcmp(jobs[k].layer, j->layer) == 0)
                a = &jobs[k];
        }
        snprintf(host, sizeof host, j->bytes >= 0 ? "%ld" : "n/a", j->bytes);
        if (a == NULL)
            snprintf(arm, sizeof arm, "-");
        else
            snprintf(arm, sizeof arm, a->bytes >= 0 ? "%ld" : "n/a", a->bytes);
        if (j->bytes < 0)
            note = j->why;
        else if (a != NULL && a->bytes < 0)
            note = a->why;
        else if (a == NULL)
            note = "POSIX only: not built for firmware";
        printf("  %-44s %12s %12s %7s %8s  %s\n", j->layer, host, arm, "", "", note);
        if (a != NULL && strcmp(j->layer, "core") == 0)
            core_arm = a->bytes;
        if (a != NULL && strcmp(j->layer, "ussl") == 0)
            ussl_arm = a->bytes;
        if (a != NULL && strcmp(j->layer, "mbedtls backend") == 0)
            be_arm = a->bytes;
        if (a != NULL && strcmp(j->layer, "core, NO_MESSAGES") == 0)
            core_min = a->bytes;
        if (a != NULL && strcmp(j->layer, "ussl, NO_MESSAGES") == 0)
            ussl_min = a->bytes;
        if (a != NULL && strcmp(j->layer, "mbedtls backend, NO_MESSAGES") == 0)
            be_min = a->bytes;
    }
    if (core_arm >= 0 && ussl_arm >= 0)
        bench_row_limit("Cortex-M4: core + ussl", "", (double)(core_arm + ussl_arm), 6144, "");
    else
        bench_row_text("Cortex-M4: core + ussl", "", "n/a", "");
    if (be_arm >= 0)
        bench_row_limit("Cortex-M4: mbedtls backend", "", (double)be_arm, 6144, "");
    else
        bench_row_text("Cortex-M4: mbedtls backend", "", "n/a", "");
    if (core_min >= 0 && ussl_min >= 0)
        bench_row_limit("Cortex-M4: core + ussl, NO_MESSAGES", "", (double)(core_min + ussl_min),
                        6144, "");
    else
        bench_row_text("Cortex-M4: core + ussl, NO_MESSAGES", "", "n/a", "");
    if (be_min >= 0)
        bench_row_limit("Cortex-M4: mbedtls backend, NO_MESSAGES", "", (double)be_min, 6144, "");
    else
        bench_row_text("Cortex-M4: mbedtls backend, NO_MESSAGES", "", "n/a", "");
    if (g_opts.verbose)
        fprintf(stderr, "size: %.1f s\n", bench_now() - t0);
    {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "tls_bench: could not remove %s\n", tmp);
    }
    free(script);
    fflush(stdout);
}
