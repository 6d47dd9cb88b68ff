extension PerlValue: Hashable {
    /// Whether two values are the same Perl data.
    ///
    /// Strings compare by characters, as Perl's `eq` does: the byte string `"ping"` a
    /// Perl peer sends equals the Swift literal `"ping"`. Integers compare by number,
    /// hashes ignore key order, and shared structure compares by shape: `lhs` and `rhs`
    /// must share (and cycle through) the same places, whatever their anchor numbers.
    /// To also require the same representation, use ``isIdentical(to:)``.
    public static func == (lhs: PerlValue, rhs: PerlValue) -> Bool {
        var comparison = Comparison(left: lhs, right: rhs, strict: false)
        return comparison.equal(lhs, rhs)
    }

    /// Whether two values are equal *and* represented alike: the same kind of string
    /// and key (bytes or characters), integer (signed or unsigned) and hash key order.
    /// This is the test for a lossless round trip.
    public func isIdentical(to other: PerlValue) -> Bool {
        var comparison = Comparison(left: self, right: other, strict: true)
        return comparison.equal(self, other)
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .undef, .hole:
            hasher.combine(0 as UInt8)
        case .integer, .unsigned:
            hasher.combine(1 as UInt8)
            if let signed = int64Value { hasher.combine(signed) } else { hasher.combine(uint64Value) }
        case .double(let value):
            hasher.combine(2 as UInt8)
            hasher.combine(value.isNaN ? .nan : value)  // -0.0 == 0.0 already hash alike
        case .bytes(let bytes):
            hasher.combine(PerlHash.Key.bytes(bytes))
        case .string(let text):
            hasher.combine(PerlHash.Key.string(text))
        case .bool(let value):
            hasher.combine(3 as UInt8)
            hasher.combine(value)
        case .array(let elements):
            hasher.combine(4 as UInt8)
            hasher.combine(elements.count)
            for element in elements { hasher.combine(element) }
        case .hash(let hash):
            hasher.combine(hash)
        case .scalarReference(let target):
            hasher.combine(5 as UInt8)
            hasher.combine(target)
        case .vstring(let literal, let value):
            hasher.combine(10 as UInt8)
            hasher.combine(literal)
            hasher.combine(value)
        case .regexp(let pattern, let flags):
            hasher.combine(11 as UInt8)
            hasher.combine(pattern)
            hasher.combine(flags)
        case .code(let source):
            hasher.combine(12 as UInt8)
            hasher.combine(source)
        case .hooked(let object):
            hasher.combine(13 as UInt8)
            hasher.combine(object.className)
            hasher.combine(object.kind)
            hasher.combine(object.serialized)
            hasher.combine(object.references.count)
        case .blessed(let name, let referent):
            hasher.combine(6 as UInt8)
            hasher.combine(name)
            hasher.combine(referent)
        case .weak(let reference):
            hasher.combine(7 as UInt8)
            hasher.combine(reference)
        case .anchored, .alias:
            // Which of two sharing places holds the anchor depends on traversal order
            // (hash order, for one), so neither place hashes the shared contents.
            hasher.combine(8 as UInt8)
        }
    }
}

extension PerlHash: Hashable {
    /// Order-independent, to agree with `==`.
    public func hash(into hasher: inout Hasher) {
        var sum = 0
        for (key, value) in self {
            var entry = Hasher()
            entry.combine(key)
            entry.combine(value)
            sum &+= entry.finalize()
        }
        hasher.combine(9 as UInt8)
        hasher.combine(count)
        hasher.combine(sum)
    }
}

extension PerlValue {
    /// One comparison of two values, tracking which anchors correspond.
    ///
    /// Anchors are matched as they are met: the first time anchor `a` on the left meets
    /// anchor `b` on the right, they are bound one-to-one and their referents compared;
    /// binding before comparing makes cycles terminate. No backtracking is ever needed:
    /// arrays pair elements by position and hashes pair values by key.
    struct Comparison {
        private let leftRoot: PerlValue
        private let rightRoot: PerlValue
        private let strict: Bool
        private var leftReferents: [PerlAnchor: PerlValue]?
        private var rightReferents: [PerlAnchor: PerlValue]?
        private var forward: [PerlAnchor: PerlAnchor] = [:]
        private var backward: [PerlAnchor: PerlAnchor] = [:]

        init(left: PerlValue, right: PerlValue, strict: Bool) {
            leftRoot = left
            rightRoot = right
            self.strict = strict
        }

        mutating func equal(_ lhs: PerlValue, _ rhs: PerlValue) -> Bool {
            if let leftAnchor = lhs.sharingAnchor {
                guard let rightAnchor = rhs.sharingAnchor else { return false }
                return sharedReferentsEqual(lhs, leftAnchor, rhs, rightAnchor)
            }
            if rhs.sharingAnchor != nil { return false }

            switch (lhs, rhs) {
            case (.undef, .undef), (.hole, .hole):
                return true
            case (.undef, .hole), (.hole, .undef):
                return !strict
            case (.integer(let left), .integer(let right)):
                return left == right
            case (.unsigned(let left), .unsigned(let right)):
                return left == right
            case (.integer, .unsigned), (.unsigned, .integer):
                return !strict && lhs.int64Value != nil && lhs.int64Value == rhs.int64Value
            case (.double(let left), .double(let right)):
                return left == right || (left.isNaN && right.isNaN)
            case (.bytes(let left), .bytes(let right)):
                return left == right
            case (.string(let left), .string(let right)):
                return left.unicodeScalars.elementsEqual(right.unicodeScalars)
            case (.bytes(let bytes), .string(let text)), (.string(let text), .bytes(let bytes)):
                return !strict && PerlHash.Key.bytes(bytes) == PerlHash.Key.string(text)
            case (.bool(let left), .bool(let right)):
                return left == right
            case (.array(let left), .array(let right)):
                guard left.count == right.count else { return false }
                for (leftElement, rightElement) in zip(left, right) where !equal(leftElement, rightElement) {
                    return false
                }
                return true
            case (.hash(let left), .hash(let right)):
                return hashesEqual(left, right)
            case (.scalarReference(let left), .scalarReference(let right)):
                return equal(left, right)
            case (.vstring(let leftLiteral, let left), .vstring(let rightLiteral, let right)):
                return leftLiteral == rightLiteral && equal(left, right)
            case (.regexp(let leftPattern, let leftFlags), .regexp(let rightPattern, let rightFlags)):
                return leftPattern.unicodeScalars.elementsEqual(rightPattern.unicodeScalars)
                    && leftFlags == rightFlags
            case (.code(let left), .code(let right)):
                return left.unicodeScalars.elementsEqual(right.unicodeScalars)
            case (.hooked(let left), .hooked(let right)):
                guard left.className == right.className, left.kind == right.kind,
                    left.serialized == right.serialized, left.references.count == right.references.count
                else { return false }
                for (leftReference, rightReference) in zip(left.references, right.references)
                where !equal(leftReference, rightReference) {
                    return false
                }
                return true
            case (.blessed(let leftClass, let left), .blessed(let rightClass, let right)):
                return leftClass == rightClass && equal(left, right)
            case (.weak(let left), .weak(let right)):
                return equal(left, right)
            default:
                return false
            }
        }

        mutating func hashesEqual(_ lhs: PerlHash, _ rhs: PerlHash) -> Bool {
            guard lhs.count == rhs.count else { return false }
            if strict {
                guard lhs.restriction == rhs.restriction else { return false }
                for ((leftKey, leftValue), (rightKey, rightValue)) in zip(lhs, rhs) {
                    guard leftKey.isIdentical(to: rightKey), equal(leftValue, rightValue) else { return false }
                }
                return true
            }
            for (key, leftValue) in lhs {
                guard let rightValue = rhs[key], equal(leftValue, rightValue) else { return false }
            }
            return true
        }

        private mutating func sharedReferentsEqual(
            _ lhs: PerlValue, _ leftAnchor: PerlAnchor, _ rhs: PerlValue, _ rightAnchor: PerlAnchor
        ) -> Bool {
            if let bound = forward[leftAnchor] { return bound == rightAnchor }
            if backward[rightAnchor] != nil { return false }
            forward[leftAnchor] = rightAnchor
            backward[rightAnchor] = leftAnchor
            let left = referent(of: lhs, anchor: leftAnchor, inLeft: true)
            let right = referent(of: rhs, anchor: rightAnchor, inLeft: false)
            switch (left, right) {
            case (let left?, let right?): return equal(left, right)
            case (nil, nil): return true  // both dangling, bound to each other
            default: return false
            }
        }

        /// The shared referent: the anchored payload itself, or, for an alias, the
        /// payload its anchor marks somewhere in the same root (looked up on demand, so
        /// values without aliases never pay for the table).
        private mutating func referent(of value: PerlValue, anchor: PerlAnchor, inLeft: Bool) -> PerlValue? {
            if case .anchored(_, let payload) = value { return payload }
            if inLeft {
                if leftReferents == nil { leftReferents = leftRoot.anchoredValues() }
                return leftReferents?[anchor]
            } else {
                if rightReferents == nil { rightReferents = rightRoot.anchoredValues() }
                return rightReferents?[anchor]
            }
        }
    }

    /// The anchor of an ``anchored(_:_:)`` or ``alias(_:)`` at the top of this value.
    fileprivate var sharingAnchor: PerlAnchor? {
        switch self {
        case .anchored(let anchor, _), .alias(let anchor): return anchor
        default: return nil
        }
    }
}

extension PerlHash.Key {
    /// Equal and of the same kind.
    func isIdentical(to other: Self) -> Bool {
        switch (self, other) {
        case (.bytes, .bytes), (.string, .string): return self == other
        default: return false
        }
    }
}

extension PerlValue {
    /// Every anchored referent in this value, by anchor: what each ``alias(_:)`` refers to.
    /// If an anchor is (wrongly) defined twice, the first definition wins.
    public func anchoredValues() -> [PerlAnchor: PerlValue] {
        var table: [PerlAnchor: PerlValue] = [:]
        var pending: [PerlValue] = [self]
        while let value = pending.popLast() {
            switch value {
            case .anchored(let anchor, let payload):
                if table[anchor] == nil { table[anchor] = payload }
                pending.append(payload)
            case .array(let elements):
                pending.append(contentsOf: elements.reversed())
            case .hash(let hash):
                pending.append(contentsOf: hash.values.reversed())
            case .scalarReference(let inner), .blessed(_, let inner), .weak(let inner):
                pending.append(inner)
            case .hooked(let object):
                pending.append(contentsOf: object.references.reversed())
            case .undef, .hole, .integer, .unsigned, .double, .bytes, .string, .bool, .vstring,
                .regexp, .code, .alias:
                break
            }
        }
        return table
    }
}
