// Subscripts look through the wrappers of a reference (weak, anchored, blessed) to the
// array or hash it points at, so `message["args"]?[0]` reads like `$message->{args}[0]`.
// They do not follow aliases: an alias is resolved against the whole value with
// `anchoredValues()`.

extension PerlValue {
    /// The elements, if this is a reference to an array.
    public var arrayElements: [PerlValue]? {
        if case .array(let elements) = unwrapped { return elements }
        return nil
    }

    /// The contents, if this is a reference to a hash.
    public var hashContents: PerlHash? {
        if case .hash(let hash) = unwrapped { return hash }
        return nil
    }

    /// The scalar referred to, if this is a reference to a scalar.
    public var scalarReferent: PerlValue? {
        if case .scalarReference(let target) = unwrapped { return target }
        return nil
    }

    /// The element at `index` of the referenced array; `nil` when this is not an array
    /// reference or the index is out of range. Setting an element of a non-array, or
    /// past the end, is a programming error.
    public subscript(index: Int) -> PerlValue? {
        get {
            guard let elements = arrayElements, elements.indices.contains(index) else { return nil }
            return elements[index]
        }
        set {
            modifyReferent { value in
                guard case .array(var elements) = value, elements.indices.contains(index) else {
                    preconditionFailure("PerlValue: no array element \(index) to set")
                }
                value = .undef  // release the old array so the mutation does not copy it
                elements[index] = newValue ?? .undef
                value = .array(elements)
            }
        }
    }

    /// The value for `key` in the referenced hash; `nil` when absent or when this is not
    /// a hash reference. Setting `nil` deletes the key; setting on a non-hash is a
    /// programming error.
    public subscript(key: PerlHash.Key) -> PerlValue? {
        get { hashContents?[key] }
        set {
            modifyReferent { value in
                guard case .hash(var hash) = value else {
                    preconditionFailure("PerlValue: not a hash reference, cannot set key \(key)")
                }
                value = .undef
                hash[key] = newValue
                value = .hash(hash)
            }
        }
    }

    /// The value for the character-string key `key` (equal to a byte key with the same
    /// characters, as in Perl).
    public subscript(key: String) -> PerlValue? {
        get { self[PerlHash.Key.string(key)] }
        set { self[PerlHash.Key.string(key)] = newValue }
    }

    /// Applies `body` to the referent's contents beneath the wrappers, keeping them.
    private mutating func modifyReferent(_ body: (inout PerlValue) -> Void) {
        switch self {
        case .weak(var inner):
            self = .undef
            inner.modifyReferent(body)
            self = .weak(inner)
        case .anchored(let anchor, var inner):
            self = .undef
            inner.modifyReferent(body)
            self = .anchored(anchor, inner)
        case .blessed(let name, var inner):
            self = .undef
            inner.modifyReferent(body)
            self = .blessed(class: name, inner)
        default:
            body(&self)
        }
    }
}
