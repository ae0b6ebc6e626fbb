import ArgumentParser
import Foundation

/// `hashwall nchan-config --listen PORT --redis redis://HOST:PORT --upstream http://HOST:PORT`: prints a complete
/// nginx.conf for one edge (DESIGN.md, "Past one machine").
struct NchanConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nchan-config", abstract: "Prints an nginx.conf for an nginx + Nchan edge in front of this node.")

    @Option(name: .long, help: "The port followers connect to on this edge.")
    var listen: Int

    @Option(name: .long, help: "The Redis every edge shares, redis://HOST:PORT.")
    var redis: String

    @Option(name: .long, help: "The Hashwall node, http://HOST:PORT.")
    var upstream: String

    @Option(name: .long, help: "The port of the publisher location the node posts to (keep it off the public network).")
    var publisherPort = 9081

    @Option(name: .long, help: "The address nginx listens on (0.0.0.0: every interface).")
    var address = "0.0.0.0"

    @Option(name: .long, help: "A folder for nginx's pid, logs and temporary files (nginx -p); the default uses nginx's own.")
    var prefix: String?

    func validate() throws {
        guard (1...65535).contains(self.listen), (1...65535).contains(self.publisherPort), self.listen != self.publisherPort else {
            throw ValidationError("--listen and --publisher-port must be two different ports from 1 to 65535")
        }
        guard let redis = URL(string: self.redis), redis.scheme == "redis", redis.host?.isEmpty == false else {
            throw ValidationError("--redis must look like redis://HOST:PORT, got \(self.redis)")
        }
        guard let node = URL(string: self.upstream), node.scheme == "http", node.host?.isEmpty == false else {
            throw ValidationError("--upstream must look like http://HOST:PORT (the node, plain HTTP on the private network), got \(self.upstream)")
        }
    }

    func run() throws {
        print(
            NchanConfig(
                listen: self.listen, redis: self.redis, upstream: self.upstream, publisherPort: self.publisherPort, address: self.address,
                prefix: self.prefix
            ).text, terminator: "")
    }
}

/// The nginx.conf of one edge: Nchan serves `/events` (the wall's and, with `?view=projector`, the projector's channel)
/// from Redis; every other path goes to the node; a publisher location on its own port takes the node's events.
struct NchanConfig {
    var listen: Int
    var redis: String
    var upstream: String
    var publisherPort: Int
    var address: String
    var prefix: String?

    /// The node's host, for the publisher's `allow` (an address) or a comment saying to put one there.
    var nodeHost: String { URL(string: self.upstream)?.host ?? "127.0.0.1" }
    var nodeHostIsAddress: Bool { self.nodeHost.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" } }
    var upstreamServer: String {
        let url = URL(string: self.upstream)
        return "\(url?.host ?? "127.0.0.1"):\(url?.port ?? 80)"
    }

    var text: String {
        let files =
            self.prefix.map { prefix in
                """
                pid \(prefix)/nginx.pid;
                error_log \(prefix)/error.log warn;

                """
            } ?? ""
        let temp =
            self.prefix.map { prefix in
                """
                    client_body_temp_path \(prefix)/body;
                    proxy_temp_path \(prefix)/proxy;
                    fastcgi_temp_path \(prefix)/fastcgi;
                    uwsgi_temp_path \(prefix)/uwsgi;
                    scgi_temp_path \(prefix)/scgi;

                """
            } ?? ""
        let allowNode =
            self.nodeHostIsAddress
            ? "allow \(self.nodeHost);              # the node"
            : "# allow <the node's address>;        # \(self.nodeHost) is a name: put the node's address here"
        return """
            # nginx + Nchan edge for Hashwall, made by `hashwall nchan-config --listen \(self.listen) --redis \(self.redis) --upstream \(self.upstream)`.
            # Followers' streams (/events) are served here by Nchan from Redis, shared by every edge; every other path
            # (pages, snapshots, pictures, webhooks, moderators) goes to the Hashwall node, the single writer.
            # The node publishes each public event to this edge's publisher (fanout.nchan.publishURL =
            # http://<this edge>:\(self.publisherPort)/pub); keep that port off the public network.
            # TLS: terminate it here (add `listen 443 ssl` with your certificate) and keep the node on the private network.
            # Run: nginx -c <this file> (Debian: apt-get install nginx libnginx-mod-nchan).

            load_module /usr/lib/nginx/modules/ngx_nchan_module.so;
            \(files)worker_processes auto;
            worker_rlimit_nofile 65536;

            events {
                worker_connections 32768;      # one per follower, per worker
                multi_accept on;
            }

            http {
                access_log off;
            \(temp)    sendfile on;
                keepalive_timeout 75s;
                server_tokens off;

                # Every edge shares the channels through this Redis.
                upstream hashwall_redis {
                    nchan_redis_server \(self.redis);
                }

                # The node, with kept-alive connections.
                upstream hashwall_node {
                    server \(self.upstreamServer);
                    keepalive 64;
                }

                # /events is the wall's channel; /events?view=projector the projector's.
                map $arg_view $hashwall_channel {
                    default   wall;
                    projector projector;
                }

                # The publisher takes only the two channels.
                map $arg_channel $hashwall_publish_channel {
                    default   "";
                    wall      wall;
                    projector projector;
                }

                server {
                    listen \(self.address):\(self.listen) backlog=8192 reuseport;

                    # Requests for the node (both proxied locations below inherit these): kept-alive connections,
                    # the forwarding headers the node reads the client's address and scheme from.
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto $scheme;

                    # Followers' and projectors' streams, from Nchan: the same event names and data as the node's own
                    # /events (plus hashwallEvent and hashwallPrevious in the data; the ids are Nchan's).
                    location = /events {
                        nchan_subscriber eventsource;
                        nchan_channel_id $hashwall_channel;
                        nchan_redis_pass hashwall_redis;
                        # A new follower gets the last 32 events (Nchan's most); the page drops what its snapshot holds.
                        # A reconnecting one (Last-Event-ID) gets what it missed from the buffer.
                        nchan_subscriber_first_message -32;
                        nchan_eventsource_ping_interval 15;
                        nchan_subscriber_timeout 0;
                        add_header Cache-Control "no-cache" always;
                        add_header X-Content-Type-Options "nosniff" always;
                    }

                    # Everything else: the node.
                    location / {
                        proxy_pass http://hashwall_node;
                        client_max_body_size 40m;       # e-mail webhooks carry attachments
                        proxy_read_timeout 60s;
                    }

                    # The node's own streams (moderators, the stage's tablets): no buffering, no read timeout.
                    location ~ ^/api/(moderation|stage/[^/]+)/events$ {
                        proxy_pass http://hashwall_node;
                        proxy_buffering off;
                        proxy_cache off;
                        proxy_read_timeout 24h;
                    }
                }

                # The publisher: only the node may post here.
                server {
                    listen \(self.address):\(self.publisherPort);

                    location = /pub {
                        allow 127.0.0.1;
                        \(allowNode)
                        deny all;
                        if ($hashwall_publish_channel = "") { return 400; }
                        nchan_publisher http;
                        nchan_channel_id $hashwall_publish_channel;
                        nchan_redis_pass hashwall_redis;
                        nchan_message_buffer_length 1000;   # what a reconnecting follower can catch up on
                        nchan_message_timeout 1h;
                        client_max_body_size 1m;
                        client_body_buffer_size 1m;
                    }
                }
            }

            """
    }
}
