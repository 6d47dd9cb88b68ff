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
#endif
