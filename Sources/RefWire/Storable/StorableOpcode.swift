/// The markers of Storable's binary format (`SX_*` in Storable.xs): each stored object
/// starts with one.
enum StorableOpcode: UInt8 {
    case object = 0          // SX_OBJECT: a back-reference to an already stored object
    case largeScalar = 1     // SX_LSCALAR
    case array = 2           // SX_ARRAY
    case hash = 3            // SX_HASH
    case reference = 4       // SX_REF
    case undef = 5           // SX_UNDEF
    case integer = 6         // SX_INTEGER (native IV)
    case double = 7          // SX_DOUBLE (native NV)
    case byte = 8            // SX_BYTE (value + 128)
    case networkInteger = 9  // SX_NETINT (big-endian I32)
    case scalar = 10         // SX_SCALAR
    case tiedArray = 11      // SX_TIED_ARRAY
    case tiedHash = 12       // SX_TIED_HASH
    case tiedScalar = 13     // SX_TIED_SCALAR
    case svUndef = 14        // SX_SV_UNDEF (PL_sv_undef; in arrays, a missing element)
    case svYes = 15          // SX_SV_YES
    case svNo = 16           // SX_SV_NO
    case bless = 17          // SX_BLESS
    case indexedBless = 18   // SX_IX_BLESS
    case hook = 19           // SX_HOOK
    case overload = 20       // SX_OVERLOAD
    case tiedKey = 21        // SX_TIED_KEY
    case tiedIndex = 22      // SX_TIED_IDX
    case utf8String = 23     // SX_UTF8STR
    case largeUTF8String = 24  // SX_LUTF8STR
    case flagHash = 25       // SX_FLAG_HASH
    case code = 26           // SX_CODE
    case weakReference = 27  // SX_WEAKREF
    case weakOverload = 28   // SX_WEAKOVERLOAD
    case vstring = 29        // SX_VSTRING
    case largeVString = 30   // SX_LVSTRING
    case svUndefElement = 31 // SX_SVUNDEF_ELEM (an element that is PL_sv_undef itself)
    case regexp = 32         // SX_REGEXP
    case largeObject = 33    // SX_LOBJECT (64-bit length prefix for the next marker)
    case booleanTrue = 34    // SX_BOOLEAN_TRUE
    case booleanFalse = 35   // SX_BOOLEAN_FALSE
}

/// Bit flags within Storable records.
enum StorableFlags {
    // SX_HOOK <flags>
    static let hookTypeMask: UInt8 = 0x03
    static let hookLargeClassLength: UInt8 = 0x04
    static let hookLargeStringLength: UInt8 = 0x08
    static let hookLargeListLength: UInt8 = 0x10
    static let hookIndexedClassName: UInt8 = 0x20
    static let hookNeedsRecursion: UInt8 = 0x40
    static let hookHasList: UInt8 = 0x80
    static let hookTypeExtra: UInt8 = 3

    // SX_FLAG_HASH <hash flags>
    static let hashRestricted: UInt8 = 0x01

    // SX_FLAG_HASH <key flags>
    static let keyUTF8: UInt8 = 0x01
    static let keyWasUTF8: UInt8 = 0x02
    static let keyLocked: UInt8 = 0x04
    static let keyIsSV: UInt8 = 0x08
    static let keyPlaceholder: UInt8 = 0x10

    // SX_REGEXP <op flags>
    static let regexpLongPattern: UInt8 = 0x01

    /// Lengths up to this fit the one-byte forms (SX_SCALAR, SX_UTF8STR, hook lengths).
    static let shortLengthLimit = 255
    /// Class names up to this length fit SX_BLESS's one-byte form.
    static let shortClassLimit = 127
}
