// Values print in a Perl-like notation that keeps every distinction the model makes:
//
//     {"name" => "root", "tags" => [1, 2.5, undef], "raw" => b"caf\xE9", "self" => *1}
//
// character strings "…", byte strings b"…" (bytes outside printable ASCII as \xNN),
// `\` for scalar references, `bless(…, "Class")`, `weaken(…)`, `&N …` where a shared
// referent is defined and `*N` where it is referred to again; `qr/…/flags`, `sub {…}`,
// `v1.2.3`, `hooked("Class", b"…", refs…)` and `(hole)` for an array slot with no element.

extension PerlValue: CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String {
        var output = ""
        write(to: &output)
        return output
    }

    public var debugDescription: String { "PerlValue(\(description))" }

    private func write(to output: inout String) {
        switch self {
        case .undef:
            output += "undef"
        case .hole:
            output += "(hole)"
        case .integer(let value):
            output += String(value)
        case .unsigned(let value):
            output += String(value)
        case .double(let value):
            output += value.isFinite ? String(value) : (value.isNaN ? "NaN" : (value < 0 ? "-Inf" : "Inf"))
        case .bytes(let bytes):
            Self.writeByteString(bytes, to: &output)
        case .string(let text):
            Self.writeCharacterString(text, to: &output)
        case .bool(let value):
            output += value ? "true" : "false"
        case .array(let elements):
            output += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { output += ", " }
                element.write(to: &output)
            }
            output += "]"
        case .hash(let hash):
            output += "{"
            for (position, (key, value)) in hash.enumerated() {
                if position > 0 { output += ", " }
                switch key {
                case .bytes(let bytes): Self.writeByteString(bytes, to: &output)
                case .string(let text): Self.writeCharacterString(text, to: &output)
                }
                output += " => "
                value.write(to: &output)
            }
            output += "}"
        case .scalarReference(let target):
            output += "\\"
            target.write(to: &output)
        case .vstring(let literal, _):
            output += literal
        case .regexp(let pattern, let flags):
            output += "qr/"
            for scalar in pattern.unicodeScalars {
                if scalar == "/" { output += "\\" }
                output.unicodeScalars.append(scalar)
            }
            output += "/" + flags
        case .code(let source):
            output += "sub " + source
        case .hooked(let object):
            output += "hooked("
            Self.writeCharacterString(object.className, to: &output)
            output += ", "
            Self.writeByteString(PerlBytes(object.serialized), to: &output)
            for reference in object.references {
                output += ", "
                reference.write(to: &output)
            }
            output += ")"
        case .blessed(let name, let referent):
            output += "bless("
            referent.write(to: &output)
            output += ", "
            Self.writeCharacterString(name, to: &output)
            output += ")"
        case .weak(let reference):
            output += "weaken("
            reference.write(to: &output)
            output += ")"
        case .anchored(let anchor, let referent):
            output += "&\(anchor.id) "
            referent.write(to: &output)
        case .alias(let anchor):
            output += "*\(anchor.id)"
        }
    }

    private static func writeCharacterString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            default:
                if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
                    output += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    private static func writeByteString(_ bytes: PerlBytes, to output: inout String) {
        output += "b\""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): output += "\\\""
            case UInt8(ascii: "\\"): output += "\\\\"
            case UInt8(ascii: "\n"): output += "\\n"
            case UInt8(ascii: "\t"): output += "\\t"
            case 0x20...0x7E: output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += "\\x"
                if byte < 0x10 { output += "0" }
                output += String(byte, radix: 16, uppercase: true)
            }
        }
        output += "\""
    }
}
