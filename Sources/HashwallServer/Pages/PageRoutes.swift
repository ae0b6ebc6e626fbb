import Hummingbird
import NIOCore

/// The pages (`Web/`), embedded in the binary at build time: `/` (follower wall), `/projector`, `/moderate`, and their
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
            ("/css/card.css", PackageResources.card_css, css),
            ("/css/moderate.css", PackageResources.moderate_css, css),
            ("/css/projector.css", PackageResources.projector_css, css),
            ("/css/stage.css", PackageResources.stage_css, css),
            ("/css/theme.css", PackageResources.theme_css, css),
            ("/css/wall.css", PackageResources.wall_css, css),
            ("/", PackageResources.index_html, html),
            ("/js/announcements.js", PackageResources.announcements_js, js),
            ("/js/announcer.js", PackageResources.announcer_js, js),
            ("/js/api.js", PackageResources.api_js, js),
            ("/js/backoff.js", PackageResources.backoff_js, js),
            ("/js/cards.js", PackageResources.cards_js, js),
            ("/js/events.js", PackageResources.events_js, js),
            ("/js/feed.js", PackageResources.feed_js, js),
            ("/js/filters.js", PackageResources.filters_js, js),
            ("/js/fit-text.js", PackageResources.fit_text_js, js),
            ("/js/moderate.js", PackageResources.moderate_js, js),
            ("/js/moderation-actions.js", PackageResources.moderation_actions_js, js),
            ("/js/moderation-announcement-form.js", PackageResources.moderation_announcement_form_js, js),
            ("/js/moderation-announcements.js", PackageResources.moderation_announcements_js, js),
            ("/js/moderation-api.js", PackageResources.moderation_api_js, js),
            ("/js/moderation-audit.js", PackageResources.moderation_audit_js, js),
            ("/js/moderation-channels.js", PackageResources.moderation_channels_js, js),
            ("/js/moderation-erase.js", PackageResources.moderation_erase_js, js),
            ("/js/moderation-events.js", PackageResources.moderation_events_js, js),
            ("/js/moderation-filters.js", PackageResources.moderation_filters_js, js),
            ("/js/moderation-header.js", PackageResources.moderation_header_js, js),
            ("/js/moderation-keys.js", PackageResources.moderation_keys_js, js),
            ("/js/moderation-list.js", PackageResources.moderation_list_js, js),
            ("/js/moderation-login.js", PackageResources.moderation_login_js, js),
            ("/js/moderation-older-held.js", PackageResources.moderation_older_held_js, js),
            ("/js/moderation-preview.js", PackageResources.moderation_preview_js, js),
            ("/js/moderation-row.js", PackageResources.moderation_row_js, js),
            ("/js/moderation-session.js", PackageResources.moderation_session_js, js),
            ("/js/moderation-settings.js", PackageResources.moderation_settings_js, js),
            ("/js/moderation-stage.js", PackageResources.moderation_stage_js, js),
            ("/js/moderation-stats.js", PackageResources.moderation_stats_js, js),
            ("/js/moderation-store.js", PackageResources.moderation_store_js, js),
            ("/js/moderation-strings.js", PackageResources.moderation_strings_js, js),
            ("/js/moderation-toasts.js", PackageResources.moderation_toasts_js, js),
            ("/js/permalink.js", PackageResources.permalink_js, js),
            ("/js/post-card.js", PackageResources.post_card_js, js),
            ("/js/post-set.js", PackageResources.post_set_js, js),
            ("/js/privacy.js", PackageResources.privacy_js, js),
            ("/js/projector-stage.js", PackageResources.projector_stage_js, js),
            ("/js/projector.js", PackageResources.projector_js, js),
            ("/js/render-post.js", PackageResources.render_post_js, js),
            ("/js/rotation.js", PackageResources.rotation_js, js),
            ("/js/screen.js", PackageResources.screen_js, js),
            ("/js/spotlight.js", PackageResources.spotlight_js, js),
            ("/js/stage.js", PackageResources.stage_js, js),
            ("/js/strings.js", PackageResources.strings_js, js),
            ("/js/svg-chart.js", PackageResources.svg_chart_js, js),
            ("/js/time.js", PackageResources.time_js, js),
            ("/js/wall-settings.js", PackageResources.wall_settings_js, js),
            ("/js/wall.js", PackageResources.wall_js, js),
            ("/moderate", PackageResources.moderate_html, html),
            ("/privacy", PackageResources.privacy_html, html),
            ("/projector", PackageResources.projector_html, html),
            ("/stage", PackageResources.stage_html, html),
        ]
        return Dictionary(uniqueKeysWithValues: files.map { ($0.0, Asset(body: ByteBuffer(bytes: $0.1), contentType: $0.2)) })
    }()

    func add(to router: Router<HashwallRequestContext>) {
        // The stage page is served only under its secret key (``StageRoutes``).
        for (path, asset) in Self.assets where path != "/stage" {
            router.get(RouterPath(path)) { _, _ in Self.response(asset) }
        }
        // A post's permalink: the follower page, which sees the path and shows that post alone.
        if let wall = Self.assets["/"] {
            router.get("p/{id}") { _, _ in Self.response(wall) }
        }
    }

    static func response(_ asset: Asset) -> Response {
        Response(status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "no-cache"], body: .init(byteBuffer: asset.body))
    }
}
