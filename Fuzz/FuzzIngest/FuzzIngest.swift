import Foundation
import FuzzSupport
import HashwallChannels
import HashwallCore

/// libFuzzer entry: a `POST /api/ingest` body, through decoding, the field checks and the core's preparation
/// (normalising, scanning, keys): what the server does with it before the journal.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIngest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The quick reader answers only what JSONDecoder reads the same way (for bodies `decode` lets through to it).
    if String(validating: bytes, as: UTF8.self) != nil, (try? JSONNesting.check(bytes)) != nil, let quick = IngestBody.quickDecode(bytes) {
        precondition(quick == (try? JSONDecoder().decode(IngestBody.self, from: Data(bytes))), "quick reader and JSONDecoder differ")
    }
    guard let body = try? IngestBody.decode(bytes), let incoming = try? body.incoming() else { return 0 }
    _ = try? PreparedPost(incoming, receivedAt: Date())
    return 0
}

// SwiftPM names a debug executable's main `FuzzIngest_main`: libFuzzer's driver runs from there.
@_cdecl("FuzzIngest_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv) { data, size in fuzzIngest(data, size) }
}
