#!/bin/sh
# check_exports.sh LIBRARY HEADER...: the shared library's exported functions
# are exactly the TLS_STREAM_API functions (and the one object,
# ussl_fd_sock_ops) declared in the headers.
set -eu
lib=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# declared: the identifier before the first '(' of each TLS_STREAM_API line,
# or before the ';' of an object's declaration
grep -h '^TLS_STREAM_API ' "$@" | sed -E 's/\(.*//; s/;.*//; s/.*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*)$/\1/' \
  | sort -u > "$tmp/declared"
# an object declared without the macro would stay hidden: none may be
if grep -hE '^extern +[^" ]' "$@"; then
  echo "FAIL: the object(s) above are declared without TLS_STREAM_API"
  exit 1
fi
# exported: defined dynamic symbols, without the toolchain's own (_init...)
nm -D --defined-only "$lib" | awk '{print $NF}' | grep -v '^_' | sort -u > "$tmp/exported"
[ -s "$tmp/declared" ] || { echo "FAIL: no TLS_STREAM_API declaration found"; exit 1; }
if ! cmp -s "$tmp/declared" "$tmp/exported"; then
  echo "FAIL: exports differ from the public headers (< declared only, > exported only):"
  diff "$tmp/declared" "$tmp/exported" | grep '^[<>]'
  exit 1
fi
echo "OK: $(wc -l < "$tmp/exported") exported functions, all declared in the public headers"
