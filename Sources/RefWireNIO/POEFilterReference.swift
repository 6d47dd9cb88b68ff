import RefWire

extension WireConfiguration {
    /// The wire of a POE peer whose filter is `POE::Filter::Reference->new(Serializer =>
    /// …, Compression => …)`: `format` and `compression` as given, payloads read and
    /// written as POE does (``RefWire/PayloadCodec/poeFilterReference(_:)``: for YAML.pm's,
    /// Perl's internal bytes rather than UTF-8 text).
    public static func poeFilterReference(
        format: PayloadFormat = .nstorable, compression: PayloadCompression = .none
    ) -> WireConfiguration {
        WireConfiguration(format: format, compression: compression, codec: .poeFilterReference(format))
    }
}
