import Hummingbird
import NIOCore

/// The pages (`Web/`), embedded in the binary at build time: `/` (follower wall), `/projector`, and their
/// CSS and JS. Served with a short cache lifetime so a redeployed wall is picked up on reload.
struct PageRoutes {
    struct Asset {
        let body: ByteBuffer
        let contentType: String
    }

    /// URL path → embedded file. Every file in `Web/` must be listed here (a test checks it).
    static let assets: [String: Asset] = {
        let html = "text/html; charset=utf-8"
        let css = "text/css; charset=utf-8"
        let js = "text/javascript; charset=utf-8"
        let files: [(String, [UInt8], String)] = [
            ("/", PackageResources.index_html, html),
            ("/projector", PackageResources.projector_html, html),
        ]
        return Dictionary(uniqueKeysWithValues: files.map { ($0.0, Asset(body: ByteBuffer(bytes: $0.1), contentType: $0.2)) })
    }()

    func add(to router: Router<HashwallRequestContext>) {
        for (path, asset) in Self.assets {
            router.get(RouterPath(path)) { _, _ in
                Response(
                    status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
                    body: .init(byteBuffer: asset.body))
            }
        }
    }
}
