#!/usr/bin/env bash
# Build the firmware images (examples/firmware) and the mbedtls they link:
#
#   bash examples/firmware/build.sh [OUT_DIR]     (default build/firmware)
#
# mbedtls 3.6 comes from Debian 13's source package (.ci/debian-source) and
# is cross-compiled once into build/deps/mbedtls-psk-cortex-m4 with
# mbedtls_config_psk.h; later runs only check that it is up to date.
# Prints the images' sizes; the link maps are OUT_DIR/tls_fw*.map.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build/firmware}
deps=${TLS_STREAM_DEPS_DIR:-$root/build/deps}
jobs=${JOBS:-2}

for tool in arm-none-eabi-gcc cmake; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing" >&2; exit 1; }
done
src=$(bash "$root/.ci/debian-source" mbedtls "$deps")
lib_dir=$deps/mbedtls-psk-cortex-m4
toolchain=$here/arm-none-eabi.cmake

if [ ! -f "$lib_dir/CMakeCache.txt" ]; then
  cmake -S "$here/mbedtls" -B "$lib_dir" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=MinSizeRel -DMBEDTLS_SOURCE_DIR="$src" >/dev/null
fi
cmake --build "$lib_dir" -j "$jobs" >/dev/null

if [ ! -f "$out/CMakeCache.txt" ]; then
  cmake -S "$here" -B "$out" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=MinSizeRel \
    -DMBEDTLS_SOURCE_DIR="$src" -DMBEDTLS_PSK_LIB="$lib_dir/libmbedtls_psk.a" >/dev/null
fi
if ! cmake --build "$out" -j "$jobs" > "$out/build.log" 2>&1; then
  cat "$out/build.log" >&2
  echo "build.sh: the firmware build failed" >&2
  exit 1
fi
arm-none-eabi-size "$out/tls_fw.elf" "$out/tls_fw_nomsg.elf"
