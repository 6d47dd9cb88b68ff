import RefWire

/// Which values a format carries exactly: the part of the value model where a round
/// trip through the format must give back an equal value. Outside it the format's
/// writer changes the value on purpose, as its specification says; each exclusion below
/// names the rule that makes it.
enum ValueSubset {
    /// Storable in network order (`nfreeze`): `Spec/storable.md` §3 and §8 — numbers
    /// that are not 32-bit integers travel as their decimal text (non-integral doubles
    /// as `%.15g`), and integral doubles as integers.
    static func storableNetwork(_ value: PerlValue) -> Bool {
        value.isReference && !value.contains { scalar in
            switch scalar {
            case .double: true
            case .integer(let number): Int32(exactly: number) == nil
            case .unsigned(let number): Int32(exactly: number) == nil
            default: changedByStorable(scalar)
            }
        }
    }

    /// Storable in native order (`freeze`): §8 — doubles that are integers below 2⁵³
    /// (−0.0 included) are written as integers, and unsigned integers above 2⁶³ − 1 as
    /// text.
    static func storableNative(_ value: PerlValue) -> Bool {
        value.isReference && !value.contains { scalar in
            switch scalar {
            case .double(let number): number.isFinite && number.rounded(.towardZero) == number && number.magnitude < 0x1p53
            case .unsigned(let number): Int64(exactly: number) == nil
            default: changedByStorable(scalar)
            }
        }
    }

    /// What either layout changes: a regexp pattern with characters above U+00FF, which
    /// Storable stores as UTF-8 and reads back one byte a character, as Perl's own
    /// `thaw` does (§3).
    private static func changedByStorable(_ value: PerlValue) -> Bool {
        guard case .regexp(let pattern, _) = value else { return false }
        return pattern.unicodeScalars.contains { $0.value > 0xFF }
    }

    /// Either Storable layout.
    static func storable(_ value: PerlValue, byteOrder: StorableEncodingOptions.ByteOrder) -> Bool {
        byteOrder == .network ? storableNetwork(value) : storableNative(value)
    }

    /// JSON: plain data only (the table in `PerlJSONEncoder`) — no references but arrays
    /// and hashes, no classes, no sharing (aliases are written out in full), no vstrings
    /// (written as their string), only finite numbers. Byte strings become character
    /// strings and holes `null`, which `==` (unlike `isIdentical`) accepts.
    static func json(_ value: PerlValue) -> Bool {
        !value.contains { scalar in
            switch scalar {
            case .undef, .hole, .integer, .unsigned, .bytes, .string, .bool, .array, .hash: false
            case .double(let number): !number.isFinite
            case .vstring, .scalarReference, .regexp, .code, .hooked, .blessed, .weak, .anchored, .alias: true
            }
        }
    }
}

extension ValueSubset {
    /// YAML (`Spec/yaml.md` §4, §7), for values from another format: plain data as for
    /// JSON, whose doubles Perl's `%.15g` prints exactly (YAML writes doubles as Perl
    /// prints them).
    static func yaml(_ value: PerlValue) -> Bool {
        json(value) && !value.contains { scalar in
            guard case .double(let number) = scalar, number.isFinite else { return false }
            return Double(YAMLCarried.perlText(number)) != number
        }
    }
}

extension ValueSubset {
    /// Whether a value written as YAML and read back reaches a fixed point: not so if it
    /// holds a double whose Perl text (`%.15g`) reads back as another number or as text.
    /// Within 5·10⁻¹⁶ of the largest double, the text rounds past it:
    /// `1.79769313486232e+308` is no double, reads back as a string, and that string
    /// looks like a number, so `yamlxs` quotes it — as YAML::XS itself does.
    static func yamlStable(_ value: PerlValue) -> Bool {
        !value.contains { scalar in
            guard case .double(let number) = scalar, number.isFinite else { return false }
            let text = YAMLCarried.perlText(number)
            return Double(text).map { YAMLCarried.perlText($0) != text } ?? true
        }
    }
}

extension PerlValue {
    /// Whether this value, or any value inside it (wrappers included), satisfies
    /// `predicate`. Iterative, so that nesting costs no stack.
    func contains(where predicate: (PerlValue) -> Bool) -> Bool {
        var pending: [PerlValue] = [self]
        while let value = pending.popLast() {
            if predicate(value) { return true }
            switch value {
            case .array(let elements): pending.append(contentsOf: elements)
            case .hash(let hash): pending.append(contentsOf: hash.values)
            case .scalarReference(let inner), .blessed(_, let inner), .weak(let inner), .anchored(_, let inner),
                .vstring(_, let inner):
                pending.append(inner)
            case .hooked(let object): pending.append(contentsOf: object.references)
            case .undef, .hole, .integer, .unsigned, .double, .bytes, .string, .bool, .regexp, .code, .alias: break
            }
        }
        return false
    }

    /// The classes of the blessed and hooked referents inside this value.
    var classNames: Set<String> {
        var names: Set<String> = []
        _ = contains { value in
            switch value {
            case .blessed(let name, _): names.insert(name)
            case .hooked(let object): names.insert(object.className)
            default: break
            }
            return false
        }
        return names
    }
}
