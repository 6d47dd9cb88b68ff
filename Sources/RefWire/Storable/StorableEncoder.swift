/// Encodes ``PerlValue``s as Storable images.
public struct StorableEncoder: Sendable {
    public var options: StorableEncodingOptions

    public init(options: StorableEncodingOptions = StorableEncodingOptions()) {
        self.options = options
    }

    /// Encodes `value`, which must be a reference (Storable stores the referent).
    public func encode(_ value: PerlValue) throws(StorableEncodingError) -> [UInt8] {
        throw StorableEncodingError(.unrepresentable("(encoder under construction)"))
    }
}
