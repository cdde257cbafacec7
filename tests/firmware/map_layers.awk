# Flash and static RAM by layer, from a GNU ld link map (-Wl,-Map) of the
# firmware image: every input section kept after --gc-sections, attributed
# to the library it came from. Prints "LAYER name flash=N ram=N" lines and a
# total. Works with mawk (no gawk extensions).
function hex(s,    i, c, v) {
    v = 0
    s = tolower(s)
    sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) {
        c = index("0123456789abcdef", substr(s, i, 1)) - 1
        v = v * 16 + c
    }
    return v
}
function layer(file) {
    if (file ~ /_core\.a\(/) return "core"
    if (file ~ /_ussl\.a\(/) return "ussl"
    if (file ~ /_backend\.a\(/) return "backend"
    if (file ~ /libmbedtls[^\/]*\.a\(/) return "mbedtls"
    if (file ~ /lib(c_nano|c|g_nano|g|gcc|m|nosys)\.a\(/) return "libc"
    if (file ~ /\.obj$|\.o$/) return "app"
    if (file == "(alignment padding)") return "padding"
    return "other"
}
/^Linker script and memory map/ { on = 1; next }
!on { next }
/^\.[A-Za-z_]/ { split($0, w, " "); out = w[1]; pending = 0 }
{
    n = split($0, w, " ")
    kept = 0
    if (n == 4 && $0 ~ /^ [.A-Za-z_]/ && w[2] ~ /^0x/ && w[3] ~ /^0x/) kept = 1
    if (n == 3 && pending && w[1] ~ /^0x/ && w[2] ~ /^0x/) kept = 1
    if (n == 3 && w[1] == "*fill*") { kept = 1; n = 4; w[4] = "(alignment padding)" }
    pending = (n == 1 && $0 ~ /^ [.A-Za-z_]/)
    if (!kept) next
    size = hex(w[n - 1])
    l = layer(w[n])
    seen[l] = 1
    if (out == ".isr_vector" || out == ".text" || out == ".ARM.exidx" || out == ".data")
        flash[l] += size
    if (out == ".data" || out == ".bss")
        ram[l] += size
}
END {
    split("app core ussl backend mbedtls libc padding other", order, " ")
    for (i = 1; i <= 8; i++) {
        l = order[i]
        if (!(l in seen)) continue
        printf "LAYER %s flash=%d ram=%d\n", l, flash[l], ram[l]
        tf += flash[l]; tr += ram[l]
    }
    printf "LAYER total flash=%d ram=%d\n", tf, tr
}
