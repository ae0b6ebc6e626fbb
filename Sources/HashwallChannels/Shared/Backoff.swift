import Foundation

/// Exponential backoff with jitter: `initial`, doubling up to `maximum`, each delay drawn between half and all of
/// its step (so that many walls restarting at once do not knock on an upstream together). ``reset()`` after a success.
public struct Backoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    private(set) var step: Duration

    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(300)) {
        self.initial = initial
        self.maximum = maximum
        self.step = initial
    }

    /// The delay before the next attempt; each call doubles the step up to `maximum`.
    public mutating func next<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        let step = self.step
        self.step = min(self.step * 2, self.maximum)
        let fraction = Double.random(in: 0.5...1, using: &generator)
        return step * fraction
    }

    public mutating func next() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return self.next(using: &generator)
    }

    /// Back to `initial`: the source worked.
    public mutating func reset() { self.step = self.initial }
}
