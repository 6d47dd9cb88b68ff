#ifndef REFWIRE_CZLIB_SHIM_H
#define REFWIRE_CZLIB_SHIM_H
#include <zlib.h>

/// `deflateInit`/`inflateInit` are macros in zlib.h, which Swift cannot call; these
/// inline wrappers pass the version and struct size exactly as the macros do.
static inline int refwire_deflateInit(z_streamp stream, int level) {
    return deflateInit(stream, level);
}
static inline int refwire_inflateInit(z_streamp stream) {
    return inflateInit(stream);
}
/// `deflateInit2` is a macro too. Compress::Zlib's `compress` needs it: it deflates
/// with memLevel 9 (`MAX_MEM_LEVEL`), not `deflateInit`'s 8, and memLevel changes
/// the bytes deflate emits.
static inline int refwire_deflateInit2(z_streamp stream, int level, int method,
                                       int windowBits, int memLevel, int strategy) {
    return deflateInit2(stream, level, method, windowBits, memLevel, strategy);
}
#endif
