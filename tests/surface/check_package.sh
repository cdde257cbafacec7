#!/bin/sh
# check_package.sh BUILD_DIR CONSUMER_SRC WORK_DIR CC "LAYERS" ["CFLAGS"]: install the
# build into WORK_DIR/prefix, then build and run the consumer program twice:
# through find_package(tls_stream COMPONENTS ...) and through pkg-config.
# Also checks that asking for a layer that was not built fails.
set -eu
build=$1 src=$2 work=$3 cc=$4
cflags=${6:-}
layers=$(echo "$5" | tr ";" " ")
rm -rf "$work"
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" > "$work.install.log" 2>&1 ||
  { cat "$work.install.log"; echo "FAIL: install"; exit 1; }

# CMake: the components the consumer needs, and the umbrella target.
cmake -S "$src" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$cflags" \
  > "$work/cmake.log" 2>&1 || { cat "$work/cmake.log"; echo "FAIL: find_package"; exit 1; }
cmake --build "$work/cmake" > "$work/build.log" 2>&1 ||
  { cat "$work/build.log"; echo "FAIL: consumer build (CMake)"; exit 1; }
"$work/cmake/consumer" || { echo "FAIL: consumer run (CMake)"; exit 1; }

# A component that was not built must be refused.
if cmake -S "$src" -B "$work/cmake-missing" -DCMAKE_PREFIX_PATH="$prefix" \
     -DCONSUMER_EXTRA_COMPONENT=no_such_layer > "$work/missing.log" 2>&1; then
  echo "FAIL: find_package accepted a component that was not built"; exit 1
fi

# pkg-config: one file per layer, each naming only what it needs.
libdir=$(ls -d "$prefix"/lib*/pkgconfig | head -n 1)
for l in $layers; do
  [ -f "$libdir/tls_stream-$l.pc" ] || { echo "FAIL: no tls_stream-$l.pc"; exit 1; }
done
export PKG_CONFIG_PATH="$libdir"
flags=$(pkg-config --cflags --libs --static tls_stream-mbedtls tls_stream-posix tls_stream-mem_pipe)
# shellcheck disable=SC2086
"$cc" $cflags -std=c99 -Wall -Wextra -Werror -o "$work/consumer-pc" "$src/consumer.c" $flags ||
  { echo "FAIL: consumer build (pkg-config: $flags)"; exit 1; }
LD_LIBRARY_PATH="$(dirname "$libdir")" "$work/consumer-pc" || { echo "FAIL: consumer run (pkg-config)"; exit 1; }
echo "OK: installed package found by CMake (components) and pkg-config ($layers)"
