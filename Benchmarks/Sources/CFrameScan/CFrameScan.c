#include "CFrameScan.h"

#include <string.h>

cfs_scan_result cfs_scan(const uint8_t *bytes, size_t count) {
    cfs_scan_result result = {0, 0, 0, 0};
    const uint8_t *cursor = bytes;
    const uint8_t *const end = bytes + count;
    uint64_t frames = 0;
    uint64_t payload_bytes = 0;

    while (cursor < end) {
        const uint8_t *nul = memchr(cursor, 0, (size_t)(end - cursor));
        if (nul == NULL) {
            break;  // partial length field
        }
        size_t digits = (size_t)(nul - cursor);
        if (digits == 0 || digits > 20) {
            result.error_offset = (size_t)(cursor - bytes) + 1;
            break;
        }
        uint64_t length = 0;
        for (const uint8_t *digit = cursor; digit < nul; ++digit) {
            unsigned value = (unsigned)*digit - '0';
            if (value > 9) {
                result.error_offset = (size_t)(digit - bytes) + 1;
                goto done;
            }
            length = length * 10 + value;
        }
        const uint8_t *payload = nul + 1;
        if (length > (uint64_t)(end - payload)) {
            break;  // partial payload
        }
        frames += 1;
        payload_bytes += length;
        cursor = payload + length;
    }
done:
    result.frames = frames;
    result.payload_bytes = payload_bytes;
    result.consumed = (size_t)(cursor - bytes);
    return result;
}
