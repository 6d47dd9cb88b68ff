import RefWire

/// Every hash a decoder builds must find each of its keys, in both forms that name the
/// same characters (a byte key and a character key with the same characters are one
/// key, as in Perl). Decoders hash keys in bulk and hand the hashes to ``PerlHash``; a
/// wrong hash leaves a key that iteration shows and lookup cannot find.
func checkHashLookups(_ value: PerlValue) throws(FuzzFailure) {
    var failure: FuzzFailure?
    _ = value.contains { inner in
        guard case .hash(let hash) = inner else { return false }
        for (key, _) in hash {
            for form in [key, key.otherForm].compactMap({ $0 }) where hash[form] == nil {
                failure = FuzzFailure("a decoded hash cannot find its own key", "\(form) in \(describe(hash))")
                return true
            }
        }
        return false
    }
    if let failure { throw failure }
}

extension PerlHash.Key {
    /// The same characters as the other kind of key, when they have that form: a byte
    /// key as characters, a character key of Latin-1 characters as bytes.
    var otherForm: PerlHash.Key? {
        switch self {
        case .bytes(let bytes):
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
            return .string(String(scalars))
        case .string(let text):
            guard text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) else { return nil }
            return .bytes(text.unicodeScalars.map { UInt8($0.value) })
        }
    }
}
