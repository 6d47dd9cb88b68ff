/// UTF-8 validation for the decoders: a fast yes or no, where the input goes wrong (for
/// error offsets), and `String`s made from bytes already validated, so that the standard
/// library does not validate them again.
enum UTF8Validation {
    /// A `String` of bytes known to be well-formed UTF-8 (`isASCII`: known to be ASCII).
    /// (Compilers before 6.2, and older Apple systems, have no `UTF8Span`: there the
    /// standard library validates again, finding nothing to repair.)
    @inline(__always)
    static func string(validUTF8 bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> String {
        #if compiler(>=6.2)
        if #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *) {
            return unsafe String(copying: UTF8Span(unchecked: bytes.span, isKnownASCII: isASCII))
        }
        #endif
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A `String` of `bytes`, or `nil` if they are not well-formed UTF-8: ``isValid(_:)``,
    /// which skips ASCII a word at a time and steps through other text without a branch
    /// per byte, where the standard library's validator branches on every byte of
    /// multi-byte text.
    static func string(validating bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard isValid(bytes) else { return nil }
        return string(validUTF8: bytes, isASCII: false)
    }

    /// Whether `bytes` are well-formed UTF-8 (the same definition as
    /// ``firstInvalidOffset(in:)``, which finds the offending byte once this says no).
    ///
    /// A shift-based DFA (after Per Vognsen's): each state is a bit offset, and a byte's
    /// table row holds, at each state's offset, the state that byte leads to; a step is a
    /// load and a shift, with no branch per byte. ASCII goes eight bytes at a time.
    ///
    /// The shift masks its count (`&>>`, one `shrx`), so the state is the whole shifted
    /// row and only its low six bits mean anything: the chain from byte to byte is one
    /// instruction long. (A checked `>>` and a mask made it three.)
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard var pointer = bytes.baseAddress else { return true }
        let end = pointer + bytes.count
        var state: UInt64 = 0
        return transitions.withUnsafeBufferPointer { table in
            // Eight bytes a round: skipped as ASCII between characters, else stepped through
            // unrolled (the error state is final, so nothing is checked on the way).
            while end - pointer >= 8 {
                let word = UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self)
                if state & 63 != 0 || word & 0x8080_8080_8080_8080 != 0 {
                    for offset in 0..<8 { state = table[Int(pointer[offset])] &>> state }
                }
                pointer += 8
            }
            while pointer < end {
                state = table[Int(pointer.pointee)] &>> state
                pointer += 1
            }
            return state & 63 == 0
        }
    }

    /// The DFA's states, as bit offsets into a row: what is still expected.
    private enum State {
        static let accept: UInt64 = 0
        static let oneMore: UInt64 = 6  // any continuation byte, then done
        static let twoMore: UInt64 = 12  // any continuation, then one more
        static let afterE0: UInt64 = 18  // A0–BF (no overlong form), then one more
        static let afterED: UInt64 = 24  // 80–9F (no surrogate), then one more
        static let afterF0: UInt64 = 30  // 90–BF (no overlong form), then two more
        static let afterF1: UInt64 = 36  // F1–F3: any continuation, then two more
        static let afterF4: UInt64 = 42  // 80–8F (nothing above U+10FFFF), then two more
        static let error: UInt64 = 48  // stays
    }

    private static let transitions: [UInt64] = (0...255).map { byte in
        // Where each state goes on `byte`: the error, unless set below.
        var next = Array(repeating: State.error, count: Int(State.error / 6) + 1)
        func on(_ state: UInt64, _ target: UInt64) { next[Int(state / 6)] = target }
        switch byte {
        case 0x00...0x7F: on(State.accept, State.accept)
        case 0x80...0xBF:
            on(State.oneMore, State.accept)
            on(State.twoMore, State.oneMore)
            on(State.afterF1, State.twoMore)
            on(byte >= 0xA0 ? State.afterE0 : State.afterED, State.oneMore)
            on(byte >= 0x90 ? State.afterF0 : State.afterF4, State.twoMore)
        case 0xC2...0xDF: on(State.accept, State.oneMore)
        case 0xE0: on(State.accept, State.afterE0)
        case 0xED: on(State.accept, State.afterED)
        case 0xE1...0xEF: on(State.accept, State.twoMore)
        case 0xF0: on(State.accept, State.afterF0)
        case 0xF1...0xF3: on(State.accept, State.afterF1)
        case 0xF4: on(State.accept, State.afterF4)
        default: break
        }
        return next.indices.reduce(0) { row, state in row | next[state] << (6 * UInt64(state)) }
    }
    /// The offset of the first byte of the first ill-formed sequence in `bytes` (Unicode's
    /// definition: no overlong forms, no surrogates, nothing above U+10FFFF), or
    /// `bytes.count` if there is none.
    static func firstInvalidOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var index = 0
        while index < bytes.count {
            if bytes.count - index >= 8,
                UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                index += 8
                continue
            }
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var secondRange: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; secondRange = 0xA0...0xBF
            case 0xED: length = 3; secondRange = 0x80...0x9F
            case 0xE1...0xEF: length = 3
            case 0xF0: length = 4; secondRange = 0x90...0xBF
            case 0xF4: length = 4; secondRange = 0x80...0x8F
            case 0xF1...0xF3: length = 4
            default: return index
            }
            guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else { return index }
            for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return index }
            index += length
        }
        return index
    }
}
