import RefWire

extension Scenario {
    /// Why this scenario cannot run over `format` — a message in it that the format
    /// cannot carry, so that no implementation could pass it (JSON has no byte strings
    /// or objects; POE's YAML cannot mix a byte string with a wide character) — or `nil`
    /// when every message survives the trip.
    ///
    /// Each message of the script is built (`$any` as undef, each `$id` as an id) and
    /// written and read in `format` with `codec`; what comes back must still match the
    /// step's pattern, as the runner would match it. A run skips the scenario with this
    /// reason rather than failing the implementation for the format's limits.
    public func carriageProblem(in format: PayloadFormat, codec: PayloadCodec) -> String? {
        for (index, step) in steps.enumerated() {
            let pattern: ScenarioValue
            switch step {
            case .sendVector(_, let vector), .receive(_, _, vector: let vector?):
                guard vector.frames[format] != nil else { return "vector \(vector.name) has no \(format.name) frame" }
                continue
            case .send(_, let message, _), .receive(_, let message, vector: nil): pattern = message
            default: continue
            }
            let value = pattern.exampleMessage()
            let back: PerlValue
            do {
                back = try codec.decode(try codec.encode(value, as: format), as: format)
            } catch {
                return "\(format.name) cannot carry the message of step \(index + 1): \(error)"
            }
            var bindings = pattern.exampleBindings()
            if let mismatch = pattern.match(back, &bindings) {
                return "\(format.name) cannot carry the message of step \(index + 1): \(mismatch)"
            }
        }
        return nil
    }
}

extension ScenarioValue {
    /// The id every `$id` stands for in ``exampleMessage()``.
    static let exampleID: PerlValue = .integer(1)

    /// A message this pattern matches: `$any` as undef, every `$id` as ``exampleID``.
    func exampleMessage() -> PerlValue {
        switch self {
        case .any: return .undef
        case .variable: return Self.exampleID
        case .scalar(let value), .exact(let value): return value
        case .array(let elements): return .array(elements.map { $0.exampleMessage() })
        case .hash(let entries):
            var hash = PerlHash(minimumCapacity: entries.count)
            for (key, element) in entries { hash[key] = element.exampleMessage() }
            return .hash(hash)
        case .blessed(let name, let inner): return .blessed(class: name, inner.exampleMessage())
        }
    }

    /// Bindings under which ``exampleMessage()`` matches: every variable bound to the
    /// example id.
    func exampleBindings() -> [String: PerlValue] {
        var bindings: [String: PerlValue] = [:]
        func visit(_ value: ScenarioValue) {
            switch value {
            case .variable(let name): bindings[name] = Self.exampleID
            case .array(let elements): elements.forEach(visit)
            case .hash(let entries): entries.forEach { visit($0.value) }
            case .blessed(_, let inner): visit(inner)
            case .any, .scalar, .exact: break
            }
        }
        visit(self)
        return bindings
    }
}
