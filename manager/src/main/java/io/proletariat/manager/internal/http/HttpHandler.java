package io.proletariat.manager.internal.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one HTTP connection's requests. Never throws into the pipeline: a failure becomes a 500.
 *
 * <p>Runs on the connection's I/O event loop. {@code /api/status} and {@code /metrics} wait for a
 * snapshot from the dispatch core and are formatted back on this loop; responses leave in the order
 * the requests came, even when a later one is ready first.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpHandler.class);
    static final String STATUS_PATH = "/api/status";
    static final String HISTORY_PATH = "/api/history";
    static final String METRICS_PATH = "/metrics";
    private static final Set<String> DYNAMIC = Set.of(STATUS_PATH, HISTORY_PATH, METRICS_PATH);

    private final HostCheck hosts;
    private final HttpAuth auth;
    private final StatusSource source;
    private final Resources resources;
    private final History history;
    /** {@code /api/works}: the operator's listing and cancel. */
    private final WorksApi worksApi;
    /** The last response queued on this connection; owned by its event loop. */
    private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

    HttpHandler(HostCheck hosts, HttpAuth auth, StatusSource source, Resources resources, History history, WorksApi worksApi) {
        this.worksApi = worksApi;
        this.hosts = hosts;
        this.auth = auth;
        this.source = source;
        this.resources = resources;
        this.history = history;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
        CompletableFuture<FullHttpResponse> response;
        try {
            response = route(ctx, request);
        } catch (Throwable t) {
            response = CompletableFuture.failedFuture(t);
        }
        CompletableFuture<FullHttpResponse> safe = response.exceptionally(HttpHandler::failure);
        previous = previous
                .thenCombineAsync(safe, (ignored, r) -> r, ctx.executor())
                .thenAccept(r -> send(ctx, r, keepAlive))
                .exceptionally(t -> {
                    log.debug("HTTP response not sent", t);
                    ctx.close();
                    return null;
                });
    }

    private CompletableFuture<FullHttpResponse> route(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            return done(text(HttpResponseStatus.BAD_REQUEST, "bad request\n"));
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (!hosts.allows(host)) {
            return done(text(HttpResponseStatus.FORBIDDEN, "forbidden: Host '" + HostCheck.printable(host)
                    + "' is not allowed (DNS rebinding protection); start the manager with --http-allowed-hosts "
                    + HostCheck.printable(HostCheck.name(host)) + " to allow it\n"));
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        Resources.Resource resource = resources.get(path);
        if (WorksApi.owns(path)) {
            // Checked like the status (Host above, the token here); the cancel adds its own checks.
            HttpAuth.Outcome allowed = auth.check(request);
            return allowed != HttpAuth.Outcome.ALLOWED ? done(unauthorized(allowed)) : worksApi.route(request, uri);
        }
        if (resource == null && !DYNAMIC.contains(path)) {
            return done(text(HttpResponseStatus.NOT_FOUND, "not found: " + path
                    + "\ntry / (dashboard), " + STATUS_PATH + " or " + METRICS_PATH + "\n"));
        }
        if (!HttpMethod.GET.equals(request.method())) {
            FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed: " + request.method() + "\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET");
            return done(r);
        }
        if (resource != null) {
            // The dashboard's files hold no data and are the same in every jar: public, even with a token.
            FullHttpResponse r = response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(resource.bytes()), resource.contentType());
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            return done(r);
        }
        HttpAuth.Outcome allowed = auth.check(request);
        if (allowed != HttpAuth.Outcome.ALLOWED) {
            return done(unauthorized(allowed));
        }
        if (HISTORY_PATH.equals(path)) {
            return history.json().thenApply(body -> {
                FullHttpResponse r = response(HttpResponseStatus.OK, body, "application/json; charset=utf-8");
                r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                return r;
            });
        }
        boolean status = STATUS_PATH.equals(path);
        return source.snapshot().thenApplyAsync(stats -> {
            FullHttpResponse r = status
                    ? response(HttpResponseStatus.OK, StatusJson.write(stats, source.info, history.last()), "application/json; charset=utf-8")
                    : response(HttpResponseStatus.OK, PrometheusMetrics.write(stats, auth.failures()), PrometheusMetrics.CONTENT_TYPE);
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            return r;
        }, ctx.executor());
    }

    /** The 401 of a request without the token, or with a wrong one. */
    private static FullHttpResponse unauthorized(HttpAuth.Outcome outcome) {
        FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, outcome == HttpAuth.Outcome.MISSING
                ? "unauthorized: send Authorization: Bearer TOKEN (the token of the manager's --http-token-file)\n"
                : "unauthorized: wrong token\n");
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE,
                outcome == HttpAuth.Outcome.MISSING ? HttpAuth.CHALLENGE : HttpAuth.CHALLENGE_INVALID);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse failure(Throwable t) {
        if (isStopping(t)) {
            return text(HttpResponseStatus.SERVICE_UNAVAILABLE, "the manager is stopping\n");
        }
        log.warn("HTTP request failed", t);
        return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + t + "\n");
    }

    private static boolean isStopping(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.util.concurrent.RejectedExecutionException) {
                return true;
            }
        }
        return false;
    }

    private static CompletableFuture<FullHttpResponse> done(FullHttpResponse r) {
        return CompletableFuture.completedFuture(r);
    }

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    static FullHttpResponse response(HttpResponseStatus status, ByteBuf body, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        r.headers().set("X-Content-Type-Options", "nosniff");
        return r;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the browser, or a request the codec refused (e.g. too large): nothing to answer.
        log.debug("HTTP connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
