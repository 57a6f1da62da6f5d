package io.proletariat.manager.internal.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The operator's routes of the HTTP API (docs/dashboard.md): {@code GET /api/works} lists live
 * works, {@code POST /api/works/ID/cancel} cancels a work or a request. Both are checked like
 * {@code /api/status} (Host, then the token when one is configured) by {@link HttpHandler} first;
 * the cancel, an action, also needs the header {@value #ACTION_HEADER}{@code : cancel} and, when
 * the browser sends an {@code Origin}, one whose host is the request's: a page of another site
 * cannot send that header without a CORS preflight, which this listener never allows, so it cannot
 * make a browser cancel (CSRF), even on loopback without a token.
 */
final class WorksApi {
    static final String PATH = "/api/works";
    static final String ACTION_HEADER = "X-Proletariat-Action";
    private static final int MAX_LIMIT = 10_000;
    private static final int MAX_TEXT = 256;

    private final OperatorApi operator;

    WorksApi(OperatorApi operator) {
        this.operator = operator;
    }

    /** Whether {@code path} is one of these routes. */
    static boolean owns(String path) {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    /** The response to an authorised request for one of these routes. */
    CompletableFuture<FullHttpResponse> route(FullHttpRequest request, QueryStringDecoder uri) {
        String path = uri.path();
        if (path.equals(PATH)) {
            if (!HttpMethod.GET.equals(request.method())) {
                return notAllowed(request, "GET");
            }
            Map<String, List<String>> q = uri.parameters();
            String client = param(q, "client");
            String worker = param(q, "worker");
            String type = param(q, "type");
            String running = param(q, "running");
            String limitText = param(q, "limit");
            int limit = 1_000;
            if (limitText != null) {
                try {
                    limit = Integer.parseInt(limitText);
                } catch (NumberFormatException e) {
                    limit = -1;
                }
            }
            if (limit < 1 || limit > MAX_LIMIT || tooLong(client) || tooLong(worker) || tooLong(type)) {
                return CompletableFuture.completedFuture(HttpHandler.text(HttpResponseStatus.BAD_REQUEST,
                        "bad request: limit is 1 to " + MAX_LIMIT + ", client, worker and type at most " + MAX_TEXT + " characters\n"));
            }
            boolean onlyRunning = running != null && (running.equals("true") || running.equals("1"));
            return operator.works(client, worker, type, onlyRunning, limit).thenApply(body -> json(HttpResponseStatus.OK, body));
        }
        String rest = path.substring(PATH.length() + 1);
        int slash = rest.indexOf('/');
        if (slash <= 0 || !rest.substring(slash).equals("/cancel")) {
            return CompletableFuture.completedFuture(HttpHandler.text(HttpResponseStatus.NOT_FOUND,
                    "not found: " + path + "\ntry GET " + PATH + " or POST " + PATH + "/ID/cancel\n"));
        }
        if (!HttpMethod.POST.equals(request.method())) {
            return notAllowed(request, "POST"); // never a GET: a link or an image must not cancel
        }
        String refused = csrf(request);
        if (refused != null) {
            return CompletableFuture.completedFuture(HttpHandler.text(HttpResponseStatus.FORBIDDEN, "forbidden: " + refused + "\n"));
        }
        String id = QueryStringDecoder.decodeComponent(rest.substring(0, slash));
        if (id.isEmpty() || tooLong(id)) {
            return CompletableFuture.completedFuture(HttpHandler.text(HttpResponseStatus.BAD_REQUEST,
                    "bad request: the id is 1 to " + MAX_TEXT + " characters\n"));
        }
        // The document ends with the total: {"ids":[...],"cancelled":N}.
        return operator.cancel(id).thenApply(body -> json(
                new String(body, java.nio.charset.StandardCharsets.UTF_8).endsWith(",\"cancelled\":0}") ? HttpResponseStatus.NOT_FOUND
                        : HttpResponseStatus.OK, body));
    }

    /** Why a cancel request may come from another site's page; null when it may not. */
    static String csrf(FullHttpRequest request) {
        if (!"cancel".equals(request.headers().get(ACTION_HEADER))) {
            return "an action needs the header " + ACTION_HEADER + ": cancel (the dashboard sends it)";
        }
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null) {
            String host = request.headers().get(HttpHeaderNames.HOST);
            String originHost;
            try {
                URI u = URI.create(origin);
                originHost = u.getHost() == null ? null : u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
            } catch (IllegalArgumentException e) {
                originHost = null;
            }
            if (originHost == null || host == null || !originHost.equalsIgnoreCase(host)) {
                return "the request comes from another site's page (Origin " + HostCheck.printable(origin) + ")";
            }
        }
        return null;
    }

    private static String param(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() || v.get(0).isEmpty() ? null : v.get(0);
    }

    private static boolean tooLong(String s) {
        return s != null && s.length() > MAX_TEXT;
    }

    private static CompletableFuture<FullHttpResponse> notAllowed(FullHttpRequest request, String allow) {
        FullHttpResponse r = HttpHandler.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed: " + request.method() + "\n");
        r.headers().set(HttpHeaderNames.ALLOW, allow);
        return CompletableFuture.completedFuture(r);
    }

    private static FullHttpResponse json(HttpResponseStatus status, byte[] body) {
        FullHttpResponse r = HttpHandler.response(status, Unpooled.wrappedBuffer(body), "application/json; charset=utf-8");
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }
}
