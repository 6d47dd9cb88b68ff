import ArgumentParser
import Logging
import RefWire
import RefWireNIO
import RefWireSodium

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What `serve` and `send` must agree on with their peer — serializer, compression,
/// limits, sealing — as POE::Filter::Reference names the first two.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The serializer of the messages, as the peer's POE::Filter::Reference has it.", valueName: "format"))
    var serializer: SerializerFormat = .nstorable

    @Flag(help: "Compress each payload with zlib (POE::Filter::Reference's Compression => 1).")
    var compress = false

    @OptionGroup(title: "Frame limits")
    var limits: LimitOptions

    @OptionGroup(title: "Decoding")
    var decoding: DecodingOptions

    @OptionGroup(title: "Sealing (both ends must agree)")
    var sealing: SealingOptions

    func validate() throws {
        guard serializer != .auto else {
            throw ValidationError("--serializer auto is not a wire format: name the peer's serializer.")
        }
    }

    /// The serializer as the library names it.
    var format: PayloadFormat { serializer.payloadFormat! }

    /// The payload transform of each frame.
    var compression: PayloadCompression {
        compress ? .zlib(maximumDecompressedSize: limits.maxDecompressedSize) : .none
    }

    /// The connection's configuration: POE's conventions for the serializer
    /// (``WireConfiguration/poeFilterReference(format:compression:)``), with these limits.
    func wire() throws(CommandFailure) -> WireConfiguration {
        var wire = WireConfiguration.poeFilterReference(format: format, compression: compression)
        let encoding = wire.codec.yamlDecoding.encoding
        wire.codec.storableDecoding = decoding.storableOptions
        wire.codec.jsonDecoding = decoding.jsonOptions
        wire.codec.yamlDecoding = decoding.yamlOptions
        wire.codec.yamlDecoding.encoding = encoding
        wire.limits = limits.framingLimits
        wire.sealing = try sealing.configuration(maximumFrameLength: limits.maxFrameLength)
        return wire
    }

    /// Frames as `send` reads them from standard input and `serve` and `send` write them:
    /// the same serializer and compression as on the wire.
    func frameWriter() -> FrameWriter {
        FrameWriter(maximumFrameLength: Int.max, compression: compression)
    }
}

/// `--seal MODE` and the keys that mode needs (Spec/sealing.md; keys from `refwire keygen`).
struct SealingOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Seal every frame after a handshake in this mode: psk, static_keys or static_keys_and_psk.",
        valueName: "mode"))
    var seal: SealingModeOption?

    @Option(help: ArgumentHelp("This side's private key file (static-key modes).", valueName: "file"))
    var sealKey: String?

    @Option(help: ArgumentHelp(
        "A peer public key to accept: 64 hex digits, or a file ending in .pub (repeatable; static-key modes).",
        valueName: "key"))
    var sealTrust: [String] = []

    @Option(help: ArgumentHelp("The pre-shared key file (psk modes).", valueName: "file"))
    var sealPsk: String?

    func validate() throws {
        if seal == nil, sealKey != nil || !sealTrust.isEmpty || sealPsk != nil {
            throw ValidationError("--seal-key, --seal-trust and --seal-psk need --seal MODE.")
        }
    }

    /// The sealing configuration, or `nil` without `--seal`. A key the mode needs and is
    /// not given, or one it does not use, is an error: never a silently weaker channel.
    func configuration(maximumFrameLength: Int) throws(CommandFailure) -> SealingConfiguration? {
        guard let mode = seal?.mode else { return nil }
        var keyPair: StaticKeyPair?
        if let path = sealKey {
            let text = try KeyFile.read(path)
            do throws(KeyError) {
                keyPair = try StaticKeyPair(privateKeyHex: text)
            } catch {
                throw .cannotOpen(path: path, reason: "not a private key file: \(error)")
            }
        }
        var trusted: [PublicKey] = []
        for entry in sealTrust {
            let text = entry.hasSuffix(".pub") ? try KeyFile.read(entry) : entry
            do throws(KeyError) {
                trusted.append(try PublicKey(hex: text))
            } catch {
                throw .cannotOpen(path: entry, reason: "neither a public key file nor 64 hex digits: \(error)")
            }
        }
        var preSharedKey: PreSharedKey?
        if let path = sealPsk {
            let text = try KeyFile.read(path)
            do throws(KeyError) {
                preSharedKey = try PreSharedKey(hex: text)
            } catch {
                throw .cannotOpen(path: path, reason: "not a pre-shared key file: \(error)")
            }
        }
        do throws(SealingConfigurationError) {
            return try SealingConfiguration(
                mode: mode, staticKeyPair: keyPair, trustedKeys: trusted.isEmpty ? nil : TrustedKeys(trusted),
                preSharedKey: preSharedKey,
                limits: SealingLimits(maximumSealedFrameLength: max(maximumFrameLength, SealedChannel.sealOverhead)))
        } catch {
            throw .usage("\(error)")
        }
    }
}

/// A sealing mode on the command line, by its identifier in Spec/sealing.md.
struct SealingModeOption: ExpressibleByArgument {
    var mode: SealingMode

    init?(argument: String) {
        guard let mode = SealingMode.allCases.first(where: { $0.identifier == argument }) else { return nil }
        self.mode = mode
    }

    static var allValueStrings: [String] { SealingMode.allCases.map(\.identifier) }
}

/// `HOST:PORT`, or `[IPV6]:PORT`.
struct HostAndPort: ExpressibleByArgument, CustomStringConvertible {
    var host: String
    var port: Int

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
              (0...65535).contains(port)
        else { return nil }
        var host = String(argument[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The log of `serve` and `send`: warnings and worse on standard error (connections that
/// fail, peers that send garbage); `REFWIRE_LOG_LEVEL` (trace, debug, info, …) shows more.
func commandLogger(_ label: String) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    let level = getenv("REFWIRE_LOG_LEVEL").flatMap { Logger.Level(rawValue: String(cString: $0)) }
    logger.logLevel = level ?? .warning
    return logger
}
