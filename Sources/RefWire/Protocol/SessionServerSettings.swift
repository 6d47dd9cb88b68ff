/// A server's configuration as `KEY=VALUE` settings, the form in which
/// `refwire conform --server-command` hands a scenario's configuration to a server program
/// and `refwire serve --protocol` takes it (`Spec/conformance.md` §2.1). One text form, so
/// that any implementation, in any language, can be started configured.
///
/// | key | value |
/// | --- | --- |
/// | each limit of `Spec/protocol.md` §7 (`max_message_id`, …) | a non-negative integer |
/// | `serializers`, `compression` | names separated by commas (what a `hello` may choose) |
/// | `versions` | integers separated by commas |
/// | `requires_sealing` | `1` or `0` |
/// | `name` | the `welcome`'s name (any text) |
extension SessionServerOptions {
    /// A setting that cannot be read: its text and why.
    public struct SettingError: Error, Hashable, Sendable, CustomStringConvertible {
        public var setting: String
        public var reason: String
        public var description: String { "setting '\(setting)': \(reason)" }
    }

    /// Every option as a setting: the limits in the order of §7, then `serializers`,
    /// `compression`, `versions`, `requires_sealing` and `name` (when there is one).
    public var settings: [String] {
        var settings = SessionLimits.keys.compactMap { key in
            limits.perlValue[key]?.int64Value.map { "\(key)=\($0)" }
        }
        settings.append("serializers=" + serializers.map(\.name).joined(separator: ","))
        settings.append("compression=" + compression.map(\.rawValue).joined(separator: ","))
        settings.append("versions=" + versions.map(String.init).joined(separator: ","))
        settings.append("requires_sealing=\(requiresSealing ? 1 : 0)")
        if let name { settings.append("name=\(name)") }
        return settings
    }

    /// These options with `settings` applied in order (a later one wins); what no
    /// setting names keeps its value.
    public func applying(settings: some Sequence<String>) throws(SettingError) -> SessionServerOptions {
        var options = self
        var limits = options.limits.perlValue.hashContents ?? PerlHash()
        for setting in settings {
            guard let equals = setting.firstIndex(of: "=") else { throw SettingError(setting: setting, reason: "not KEY=VALUE") }
            let key = String(setting[..<equals])
            let value = String(setting[setting.index(after: equals)...])
            func list<Element>(_ parse: (Substring) -> Element?) throws(SettingError) -> [Element] {
                var elements: [Element] = []
                for item in value.split(separator: ",", omittingEmptySubsequences: true) {
                    guard let element = parse(item) else { throw SettingError(setting: setting, reason: "unknown value '\(item)'") }
                    elements.append(element)
                }
                return elements
            }
            switch key {
            case _ where SessionLimits.keys.contains(key):
                guard let number = Int64(value), number >= 0 else {
                    throw SettingError(setting: setting, reason: "a limit is a non-negative integer")
                }
                limits[key] = .integer(number)
            case "serializers": options.serializers = try list { PayloadFormat(rawValue: String($0)) }
            case "compression": options.compression = try list { SessionCompression(rawValue: String($0)) }
            case "versions": options.versions = try list { Int64($0) }
            case "requires_sealing":
                guard value == "0" || value == "1" else { throw SettingError(setting: setting, reason: "0 or 1") }
                options.requiresSealing = value == "1"
            case "name": options.name = value
            default: throw SettingError(setting: setting, reason: "unknown key")
            }
        }
        do throws(ProtocolError) {
            options.limits = try SessionLimits(parsing: .hash(limits), strict: true)
        } catch {
            throw SettingError(setting: "limits", reason: error.text)
        }
        return options
    }
}

extension SessionLimits {
    /// The limits' keys, in the order of `Spec/protocol.md` §7.
    static let keys = [
        "max_message_id", "max_name_length", "max_aliases_per_connection", "max_methods_per_alias",
        "max_subscriptions_per_connection", "max_in_flight_per_connection", "max_violations_per_connection",
    ]
}
