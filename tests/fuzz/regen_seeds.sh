#!/usr/bin/env bash
# Regenerate tests/fuzz/seeds/ from real in-process handshakes (record_seeds.c).
# Needs clang (the fuzz build). Run again after changing the certificates in
# tests/certs/, the PSK of fuzz_common.c or anything that changes what a
# handshake sends (the recorded bytes must replay in the harnesses).
#
#   tests/fuzz/regen_seeds.sh [build folder]     (default: build/fuzz-seeds)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build/fuzz-seeds}"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DTLS_STREAM_BUILD_FUZZERS=ON \
    -DTLS_STREAM_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target tls_fuzz_record_seeds -j2
rm -rf "$here/seeds"
mkdir -p "$here/seeds"
"$build/tests/fuzz/tls_fuzz_record_seeds" "$here/seeds"
