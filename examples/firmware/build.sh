#!/usr/bin/env bash
# Build the firmware images (examples/firmware) and the mbedtls they link:
#
#   bash examples/firmware/build.sh [OUT_DIR]     (default build/cortex-m4)
#
# Three builds of the same images: OUT_DIR with mbedtls 3.6 (Debian 13's
# source package) and OUT_DIR/mbedtls-2.28 with mbedtls 2.28 (Debian 12's),
# both with mbedtls_config_psk.h, and OUT_DIR/psk-plain with 3.6 and
# mbedtls_config_psk_plain.h (no ECDHE). mbedtls is fetched by
# .ci/debian-source and cross-compiled once into build/deps/mbedtls*-cortex-m4;
# later runs only check that everything is up to date. Each build makes tls_fw.elf and
# tls_fw_nomsg.elf (TLS_STREAM_NO_MESSAGES=1), the client, and
# tls_fw_features.elf, the feature check, with link maps, and prints their
# sizes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build/cortex-m4}
deps=${TLS_STREAM_DEPS_DIR:-$root/build/deps}
jobs=${JOBS:-2}
toolchain=$here/arm-none-eabi.cmake

for tool in arm-none-eabi-gcc arm-none-eabi-size cmake; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing" >&2; exit 1; }
done

# build SUITE CONFIG LIB_DIR OUT_DIR: mbedtls from Debian SUITE with CONFIG
# into LIB_DIR, images into OUT_DIR
build() {
  local suite=$1 config=$2 lib_dir=$3 dir=$4 src log
  src=$(bash "$root/.ci/debian-source" mbedtls "$deps" "$suite")
  mkdir -p "$dir"
  log=$dir/build.log
  if ! {
    { [ -f "$lib_dir/Makefile" ] ||
        cmake -S "$here/mbedtls" -B "$lib_dir" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
          -DCMAKE_BUILD_TYPE=MinSizeRel -DMBEDTLS_SOURCE_DIR="$src" -DMBEDTLS_FW_CONFIG="$config"; } &&
    cmake --build "$lib_dir" -j "$jobs" &&
    { [ -f "$dir/Makefile" ] ||
        cmake -S "$here" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=MinSizeRel \
          -DMBEDTLS_SOURCE_DIR="$src" -DMBEDTLS_PSK_LIB="$lib_dir/libmbedtls_psk.a" \
          -DMBEDTLS_FW_CONFIG="$config"; } &&
    cmake --build "$dir" -j "$jobs"
  } > "$log" 2>&1; then
    cat "$log" >&2
    echo "build.sh: the firmware build against mbedtls from $suite failed" >&2
    exit 1
  fi
  arm-none-eabi-size "$dir/tls_fw.elf" "$dir/tls_fw_nomsg.elf" "$dir/tls_fw_features.elf"
}

build trixie mbedtls_config_psk.h "$deps/mbedtls-psk-cortex-m4" "$out"
build bookworm mbedtls_config_psk.h "$deps/mbedtls228-psk-cortex-m4" "$out/mbedtls-2.28"
build trixie mbedtls_config_psk_plain.h "$deps/mbedtls-pskplain-cortex-m4" "$out/psk-plain"
