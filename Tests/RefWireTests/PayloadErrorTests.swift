import RefWire
import Testing

/// Payload errors wrap each format's own error, whose description already names the
/// format: the wrapper must not name it again (found while triaging fuzzing reports).
@Suite("Payload errors")
struct PayloadErrorTests {
    @Test("A decoding error names its format once")
    func decodingErrorNamesItsFormatOnce() {
        #expect(PayloadDecodingError.storable(StorableDecodingError(.truncated, at: 3)).description
            == "Storable: the image is truncated (at byte 3)")
        #expect(PayloadDecodingError.json(JSONDecodingError(.truncated, at: 0)).description
            == "JSON: the input ends inside the document (at byte 0)")
    }

    @Test("An encoding error names its format once")
    func encodingErrorNamesItsFormatOnce() {
        #expect(PayloadEncodingError.storable(StorableEncodingError(.rootNotReference)).description
            == "Storable: the root value must be a reference")
        #expect(PayloadEncodingError.json(JSONEncodingError(.cycle(1))).description
            == "JSON: alias &1 refers to a referent that contains it (a cycle)")
    }
}
