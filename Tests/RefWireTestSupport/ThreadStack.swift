import Dispatch
import Foundation

/// Runs code on a thread with a stack of a chosen size, and waits for its result: tests
/// of deep values need to know the stack they run on (decoding and destroying values
/// recurse), and Swift Testing's threads have whatever size the pool gives them.
public enum ThreadStack {
    /// The stack of threads that Swift concurrency and Dispatch start on some systems,
    /// the smallest a caller of RefWire should expect.
    public static let small = 512 << 10
    /// Room for the deepest values the tests build on purpose.
    public static let large = 512 << 20

    public static func run<T: Sendable>(stackSize: Int, _ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = body()
            done.signal()
        }
        thread.stackSize = stackSize
        thread.start()
        done.wait()
        return box.value!
    }
}

/// The result slot of ``ThreadStack/run(stackSize:_:)``: written by the thread before it
/// signals, read after the wait.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
