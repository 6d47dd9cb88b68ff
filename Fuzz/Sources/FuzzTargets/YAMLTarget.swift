import RefWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `YAMLFuzz`: the input is one YAML document, read three ways: UTF-8 under YAML.pm's
/// reading (the default), UTF-8 under YAML::XS's, and Latin-1 (what a YAML.pm peer's
/// bytes are to it).
///
/// Properties, beyond a typed error at an offset (and a line and column) inside the
/// input:
/// - every decoded mapping finds each of its keys;
/// - a decoded value encodes in both dialects, unless the dialect says it cannot carry
///   it (`unrepresentable`), and decodes back, read as that dialect, to a value that
///   encodes to the same text again (a fixed point after one trip) and that equals the
///   first as far as YAML carries Perl data (``YAMLCarried``).
enum YAMLTarget {
    static func decode(_ input: some Collection<UInt8>, _ options: YAMLDecodingOptions)
        -> Result<PerlValue, YAMLDecodingError>
    {
        Result { () throws(YAMLDecodingError) in try PerlYAMLDecoder(options: options).decode(input) }
    }

    static func encode(_ value: PerlValue, dialect: YAMLDialect) -> Result<[UInt8], YAMLEncodingError> {
        var options = YAMLEncodingOptions()
        options.dialect = dialect
        return Result { () throws(YAMLEncodingError) in try PerlYAMLEncoder(options: options).encode(value) }
    }

    static func run(_ input: UnsafeBufferPointer<UInt8>) throws(FuzzFailure) {
        for (dialect, encoding) in [(YAMLDialect.yaml, YAMLDecodingOptions.Encoding.utf8), (.yamlXS, .utf8), (.yaml, .latin1)] {
            var options = YAMLDecodingOptions()
            options.dialect = dialect
            options.encoding = encoding
            switch decode(input, options) {
            case .success(let value):
                try checkHashLookups(value)
                for writer in YAMLDialect.allCases {
                    try checkRoundTrip(value, writtenAs: writer)
                }
            case .failure(let error):
                try require(
                    (0...input.count).contains(error.offset) && error.line >= 1 && error.column >= 1,
                    "error position outside the input", "\(error) in \(input.count) bytes")
            }
        }
    }

    static func checkRoundTrip(_ value: PerlValue, writtenAs dialect: YAMLDialect) throws(FuzzFailure) {
        let encoded: [UInt8]
        switch encode(value, dialect: dialect) {
        case .success(let text):
            encoded = text
        case .failure(let error):
            guard case .unrepresentable = error.kind else {
                throw FuzzFailure("a decoded value does not encode (\(dialect))", "\(error)")
            }
            return
        }
        var reading = YAMLDecodingOptions()
        reading.dialect = dialect
        let decoded: PerlValue
        switch decode(encoded, reading) {
        case .success(let again):
            decoded = again
        case .failure(let error):
            throw FuzzFailure(
                "an encoded value does not decode (\(dialect))",
                "\(error) in \(describe(String(decoding: encoded, as: UTF8.self)))")
        }
        let reencoded = encode(decoded, dialect: dialect)
        guard case .success(let text) = reencoded, text == encoded else {
            throw FuzzFailure(
                "the decoded value encodes differently the second time (\(dialect))",
                "\(describe(String(decoding: encoded, as: UTF8.self))) then \(describe(reencoded.map { String(decoding: $0, as: UTF8.self) }))")
        }
        let expected = YAMLCarried.normalize(value, numbersAsText: dialect == .yaml)
        let observed = YAMLCarried.normalize(decoded, numbersAsText: dialect == .yaml)
        try require(
            observed.isIdentical(to: expected), "round trip changed the value (\(dialect))",
            "\(describe(value)) became \(describe(decoded))")
    }
}

/// What of a value YAML carries (`Spec/yaml.md` §3, §7): scalars as text, so neither
/// byte strings as distinct from character strings, nor Perl's booleans (written as Perl
/// prints them, `1` and `''`), nor integral doubles as distinct from integers (Perl
/// prints `1.0` as `1`), nor holes (`~`), nor weak references; and in the `yaml`
/// dialect (YAML.pm), which writes a numeral plain whatever it was, not numbers as
/// distinct from the text Perl prints for them. `normalize` maps a value to that
/// content, to be compared with `isIdentical`.
enum YAMLCarried {
    static func normalize(_ value: PerlValue, numbersAsText: Bool) -> PerlValue {
        switch value {
        case .hole: return .undef
        case .bool(let truth): return truth ? normalize(.integer(1), numbersAsText: numbersAsText) : .string("")
        case .bytes(let bytes): return .string(latin1(bytes))
        case .integer(let number): return numbersAsText ? .string(String(number)) : value
        case .unsigned(let number): return numbersAsText ? .string(String(number)) : value
        case .double(let number):
            let text = perlText(number)
            if numbersAsText { return .string(text) }
            // Perl prints an integral double as an integer numeral, which reads back as an
            // integer; "-0" reads back as the string it is (§3).
            if let integer = Int64(text), String(integer) == text { return .integer(integer) }
            if let unsigned = UInt64(text), String(unsigned) == text { return .unsigned(unsigned) }
            return text == "-0" ? .string(text) : value
        case .undef, .string, .regexp, .code, .alias: return value
        case .vstring(_, let inner): return normalize(inner, numbersAsText: numbersAsText)
        case .weak(let inner): return normalize(inner, numbersAsText: numbersAsText)
        case .array(let elements): return .array(elements.map { normalize($0, numbersAsText: numbersAsText) })
        case .hash(let hash):
            var normalized = PerlHash()
            for (key, element) in hash {
                let text: PerlHash.Key =
                    switch key {
                    case .bytes(let bytes): .string(latin1(bytes))
                    case .string: key
                    }
                normalized.updateValue(normalize(element, numbersAsText: numbersAsText), forKey: text)
            }
            return .hash(normalized)
        case .scalarReference(let inner): return .scalarReference(normalize(inner, numbersAsText: numbersAsText))
        case .hooked: return value
        case .blessed(let name, let inner): return .blessed(class: name, normalize(inner, numbersAsText: numbersAsText))
        case .anchored(let anchor, let inner): return .anchored(anchor, normalize(inner, numbersAsText: numbersAsText))
        }
    }

    private static func latin1(_ bytes: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return String(scalars)
    }

    /// A double as Perl prints it: `%.15g`, `Inf`, `-Inf`, `NaN`, and zero as `0`
    /// whatever its sign.
    static func perlText(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Inf" : "Inf" }
        if number == 0 { return "0" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = withVaList([number]) { arguments in vsnprintf(&buffer, buffer.count, "%.15g", arguments) }
        return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
