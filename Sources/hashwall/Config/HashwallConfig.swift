import HashwallChannels
import HashwallCore

/// `config.json`, decoded. Every key has a default, so a file only says what differs; secrets never live here
/// (they come from the environment, see ``Secrets``).
struct HashwallConfig: Codable, Sendable, Equatable {
    struct Event: Codable, Sendable, Equatable {
        var name = "Hashwall"
        /// The event's hashtags, with or without `#`.
        var hashtags: [String] = []
    }

    struct Server: Codable, Sendable, Equatable {
        var host = "127.0.0.1"
        var port = 8080
        /// The URL people and gateways use to reach the wall (QR code, links, webhook signatures).
        var publicURL: String?
        /// Idle keep-alive connections are closed after this; it never cuts an SSE stream in progress.
        var idleTimeoutSeconds = 60.0
        /// The `retry:` hint sent to browsers, in milliseconds.
        var sseRetryMilliseconds = 3000
        /// Comment sent on every stream this often, so proxies keep it open and dead clients are found.
        var heartbeatSeconds = 15.0
        /// Events kept for `Last-Event-ID` replay.
        var replayWindow = 4096
        /// Frames a client may fall behind before it is dropped (it reconnects and replays).
        var clientQueue = 512
        /// Open event streams one client address may hold (429 beyond): generous, as a venue's Wi-Fi may put
        /// hundreds of phones behind one address.
        var maxStreamsPerAddress = 500
        /// Open event streams in all (503 beyond).
        var maxStreams = 20_000
        /// Reverse proxies whose `X-Forwarded-For` names the client (for the per-address limits); none by default.
        var trustedProxies: [String] = []
    }

    struct Channels: Codable, Sendable, Equatable {
        struct Demo: Codable, Sendable, Equatable {
            var enabled = false
            /// Seconds between two sample posts.
            var intervalSeconds = 3.0
        }
        struct SMS: Codable, Sendable, Equatable {
            struct Gateway: Codable, Sendable, Equatable {
                var enabled = false
                /// Twilio: text each sender a thank-you once, after their first text.
                var thankYou: Bool?
                /// Twilio: the thank-you text (default: in `wall.language`).
                var thankYouText: String?
                /// Vonage: `md5hash` (the dashboard's default), `md5`, `sha1`, `sha256` or `sha512`.
                var signatureMethod: String?
            }
            var enabled = false
            /// Read "Claire : Bravo !" as signed by Claire.
            var namePrefix = true
            /// When set, only texts holding this word or hashtag are for the wall.
            var requiredKeyword: String?
            /// Texts that are only one of these words are never shown.
            var optOutWords = SMSRules.defaultOptOutWords
            /// For national numbers (`06…`).
            var defaultCountryCode = "+33"
            var twilio = Gateway()
            var vonage = Gateway()
            var smssync = Gateway()
            var android = Gateway()
        }
        struct Email: Codable, Sendable, Equatable {
            struct IMAP: Codable, Sendable, Equatable {
                var enabled = false
                /// `imap://host:port/MAILBOX` or `imaps://…` (INBOX when the path is empty).
                var url = ""
                var user = ""
                /// Seconds between two polls (at least 1).
                var pollSeconds = 10.0
            }
            struct Service: Codable, Sendable, Equatable {
                var enabled = false
            }
            var enabled = false
            /// When set, only messages holding this word or hashtag (subject or body) are for the wall; by default
            /// every message to the event's address is.
            var requiredKeyword: String?
            var imap = IMAP()
            var mailgun = Service()
            var sendgrid = Service()
            var postmark = Service()
        }
        struct Mastodon: Codable, Sendable, Equatable {
            struct Instance: Codable, Sendable, Equatable {
                /// `https://mastodon.social`
                var url: String
                /// The environment variable that holds a user token (`read:statuses`): the hashtag stream live, plus REST
                /// catch-up; without one, the public tag timeline, polled.
                var tokenEnv: String?
            }
            var enabled = false
            var instances: [Instance] = []
            /// Seconds between two polls of a server followed without a token.
            var pollSeconds = 15.0
            /// Show posts of bot accounts.
            var showBots = false
            /// Show posts of accounts that opted out of discovery (`discoverable: false`, `noindex`).
            var showUndiscoverable = false
            /// A post with this hashtag is never shown.
            var optOutHashtag = "nowall"
        }
        struct Bluesky: Codable, Sendable, Equatable {
            var enabled = false
            /// Jetstream v1 (`wss://…/subscribe`): every post of the network, matched here against the event's hashtags.
            var jetstreamURL = "wss://jetstream2.us-east.bsky.network/subscribe"
            /// Authors' profiles (names and handles).
            var appviewURL = "https://public.api.bsky.app"
            /// With `identifier` and `HASHWALL_BLUESKY_APP_PASSWORD`: `searchPosts` backfill (not yet used).
            var serviceURL = "https://bsky.social"
            var identifier: String?
            /// A post with this hashtag is never shown.
            var optOutHashtag = "nowall"
        }
        struct X: Codable, Sendable, Equatable {
            var enabled = false
            /// X API v2 (tests point it at a local fake).
            var apiURL = "https://api.x.com"
            /// `stream`: the filtered stream, its rule managed for the event's hashtags, gaps filled by recent search;
            /// `search`: recent search alone, every `pollSeconds`.
            var mode = "stream"
            var pollSeconds = 30.0
            /// Retweets raise their original's count; `false` leaves them out of the rule (each is a paid read).
            var retweets = true
            /// Tweets read per UTC day before the channel pauses until the next (each read is paid); nil: no limit.
            var maxReadsPerDay: Int?
            /// A stream silent this long (X sends a keep-alive every 20 s) is stalled and reconnected.
            var stallSeconds = 30.0
        }
        var demo = Demo()
        var sms = SMS()
        var email = Email()
        var mastodon = Mastodon()
        var bluesky = Bluesky()
        var x = X()
    }

    struct Moderation: Codable, Sendable, Equatable {
        struct Moderator: Codable, Sendable, Equatable {
            /// Shown in the audit list and to the other moderators.
            var name: String
            /// The environment variable that holds this moderator's token.
            var tokenEnv: String
        }
        var mode = "post"
        /// Per-channel modes, e.g. `{"sms": "pre"}`.
        var channelModes: [String: String] = [:]
        /// Added to the default French and English list.
        var blocklist: [String] = []
        var trusted: [String] = []
        var projectorDelaySeconds = 0
        var floodLimitPerMinute = 0
        /// Named moderators, each with their own token; `HASHWALL_MODERATOR_TOKEN` is always a moderator too.
        var moderators: [Moderator] = []
    }

    struct Storage: Codable, Sendable, Equatable {
        /// The SQLite database; relative to the working directory.
        var path = "hashwall.sqlite"
        var synchronous = Journal.Synchronous.full
        /// Posts kept in memory (the newest; pinned ones are kept too).
        var maxPosts = 2000
        /// Dedupe keys remembered, so late redeliveries of evicted posts stay duplicates.
        var maxRememberedKeys = 200_000
        /// Contacts (SMS senders' numbers, e-mail addresses) are wiped from posts older than this many days; nil: kept.
        var retentionDays: Int?
    }

    struct Wall: Codable, Sendable, Equatable {
        var title = "Hashwall"
        var howToContribute = ""
        var theme = "dark"
        var language = "fr"
        /// The event's colour (`#rrggbb`): badges, hashtags, highlights. Nil: the theme's own.
        var accentColor: String?
        /// An image file (PNG, JPEG, WebP or SVG, at most 512 KiB) shown in the pages' header; served at `/logo`.
        var logo: String?
        /// Who runs the wall, what is kept and how to ask for erasure, in the wall's language: linked from the follower
        /// page (`/privacy`) and named on the projector's band.
        var privacyNotice: String?
    }

    struct Log: Codable, Sendable, Equatable {
        var level = "info"
    }

    var event = Event()
    var server = Server()
    var channels = Channels()
    var moderation = Moderation()
    var storage = Storage()
    var wall = Wall()
    var log = Log()
    var fanout = Fanout()

    /// Followers' streams through nginx + Nchan edges (DESIGN.md, "Past one machine").
    struct Fanout: Codable, Sendable, Equatable {
        struct Nchan: Codable, Sendable, Equatable {
            var enabled = false
            /// Any edge's publisher location (`hashwall nchan-config` makes it `/pub` on port 9081).
            var publishURL = "http://127.0.0.1:9081/pub"
            /// Events kept while the edges do not answer; past this, screens behind them reload.
            var maxBacklog = 10_000
        }
        var nchan = Nchan()
    }
}
