// The stacks the JSON and YAML readers and writers keep their work in: one growable
// buffer each, owned and freed by the stack, so pushing and popping cost no allocation,
// no uniqueness checks and no reference counting once the buffer has grown.

/// The stack of values the JSON and YAML decoders build containers from, and the
/// encoder keeps a canonical hash's values on.
typealias ValueStack = MoveStack<PerlValue>

/// A stack of values in one buffer its owner manages: values are moved in and out,
/// never copied, so the decoder builds containers from the values of the open ones, and
/// the encoder keeps a canonical hash's values, without reference counting.
struct MoveStack<Element>: ~Copyable {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity = 64
    private(set) var count = 0

    init() {
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    mutating func push(_ value: consuming Element) {
        if count == capacity { grow() }
        (storage + count).initialize(to: value)
        count += 1
    }

    mutating func pop() -> Element {
        count -= 1
        return (storage + count).move()
    }

    /// The element at `index`, read in place: reading one of its stored properties
    /// copies that property alone.
    subscript(index: Int) -> Element {
        unsafeAddress { UnsafePointer(storage + index) }
    }

    /// The element at `index`, moved out: the caller owns it, and the stack must be cut
    /// back past it (``forget(from:)``) before anything else reads it.
    mutating func take(at index: Int) -> Element { (storage + index).move() }

    /// The elements from `start` up, in place: for a caller that moves all of them out
    /// (and then calls ``forget(from:)``) or none.
    mutating func elements(from start: Int) -> UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(start: storage + start, count: count - start)
    }

    /// Drops the elements from `start` up without destroying them: they were all taken.
    mutating func forget(from start: Int) { count = start }

    /// Destroys the values from `start` up.
    mutating func removeLast(from start: Int) {
        (storage + start).deinitialize(count: count - start)
        count = start
    }

    /// The values from `start` up, moved into an array of their own.
    ///
    /// The array is made by `reserveCapacity` and filled by `append`, which specialize:
    /// `Array(unsafeUninitializedCapacity:)` allocates through the standard library's
    /// unspecialized `_allocateBufferUninitialized`, which looks up the storage class's
    /// generic metadata on every call (about 300 instructions an array).
    mutating func popArray(from start: Int) -> [Element] {
        let elements = count - start
        count = start
        var array: [Element] = []
        guard elements > 0 else { return array }
        array.reserveCapacity(elements)
        for index in start..<start + elements { array.append((storage + index).move()) }
        return array
    }

    @inline(never)
    private mutating func grow() {
        let newCapacity = capacity * 2
        let newStorage = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newStorage.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }
}

/// A stack of plain values (bytes, positions) with O(1) truncation.
struct ScratchStack<Element: BitwiseCopyable>: ~Copyable {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = Swift.max(capacity, 1)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    subscript(index: Int) -> Element {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    mutating func append(_ element: Element) {
        if count == capacity { grow(to: count + 1) }
        storage[count] = element
        count += 1
    }

    mutating func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard let source = elements.baseAddress else { return }
        if capacity - count < elements.count { grow(to: count + elements.count) }
        (storage + count).initialize(from: source, count: elements.count)
        count += elements.count
    }

    mutating func removeLast(from start: Int) { count = start }

    /// The last element, removed; the stack must not be empty.
    mutating func removeLast() -> Element {
        count -= 1
        return storage[count]
    }

    /// The last element, removed, or `nil` when the stack is empty.
    mutating func popLast() -> Element? {
        guard count > 0 else { return nil }
        count -= 1
        return storage[count]
    }

    /// Inserts `element` at `index`, moving those from there up by one.
    mutating func insert(_ element: Element, at index: Int) {
        if count == capacity { grow(to: count + 1) }
        (storage + index + 1).moveInitialize(from: storage + index, count: count - index)
        (storage + index).initialize(to: element)
        count += 1
    }

    /// The elements in `range`, for reading or sorting in place; valid until the next
    /// append.
    func buffer(_ range: Range<Int>) -> UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(start: storage + range.lowerBound, count: range.count)
    }

    @inline(never)
    private mutating func grow(to minimum: Int) {
        var newCapacity = capacity * 2
        while newCapacity < minimum { newCapacity *= 2 }
        let newStorage = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newStorage.initialize(from: storage, count: count)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }
}
