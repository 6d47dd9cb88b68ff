#ifndef CFRAMESCAN_H
#define CFRAMESCAN_H

#include <stddef.h>
#include <stdint.h>

/// What a scan found: complete frames and the sum of their payload lengths.
typedef struct {
    uint64_t frames;
    uint64_t payload_bytes;
    /// Bytes consumed: the end of the last complete frame. Anything after it is a
    /// partial frame.
    size_t consumed;
    /// 0 if every length prefix was well formed; otherwise the offset + 1 of the first
    /// prefix that was not (empty, a non-digit, or more than 20 digits).
    size_t error_offset;
} cfs_scan_result;

/// Scans `count` bytes of reference frames (`<decimal length> NUL <payload>`): finds
/// each NUL with memchr, parses and checks the digits before it, and skips the payload.
/// It does what a decoder must do to find the frames and nothing more: no buffering,
/// no copies, no state across calls. This is the C baseline the Swift decoder is
/// measured against.
cfs_scan_result cfs_scan(const uint8_t *bytes, size_t count);

#endif
