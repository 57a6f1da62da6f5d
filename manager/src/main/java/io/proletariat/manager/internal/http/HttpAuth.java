package io.proletariat.manager.internal.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.ProletariatManagerException;
import io.proletariat.manager.internal.auth.AuthFile;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.util.concurrent.atomic.LongAdder;

/**
 * The HTTP listener's bearer token ({@code --http-token-file}): which requests carry it, and whether
 * the listener may start without one. The token is kept as its SHA-256 only, and a presented one is
 * hashed and compared with {@link MessageDigest#isEqual}, so the time taken tells nothing of it,
 * not even its length. Thread-safe: the I/O threads of every HTTP connection share it.
 */
final class HttpAuth {
    /** {@code WWW-Authenticate} of a request without a token (RFC 6750: no error code then). */
    static final String CHALLENGE = "Bearer realm=\"proletariat\"";
    /** {@code WWW-Authenticate} of a request with a wrong token. */
    static final String CHALLENGE_INVALID = CHALLENGE + ", error=\"invalid_token\"";

    private static final String BEARER = "bearer ";

    /** The token's SHA-256; null when no token is required. */
    private final byte[] hash;
    /** Requests answered 401, for {@code /metrics}. */
    private final LongAdder failures = new LongAdder();

    HttpAuth(String token) {
        this.hash = token == null ? null : AuthFile.sha256(token);
    }

    /** Whether requests need a token at all. */
    boolean required() {
        return hash != null;
    }

    /** What a request's {@code Authorization} header proves. */
    enum Outcome { ALLOWED, MISSING, INVALID }

    /** Checks one request; a refusal is counted. */
    Outcome check(FullHttpRequest request) {
        if (hash == null) {
            return Outcome.ALLOWED;
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || header.length() < BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            failures.increment();
            return Outcome.MISSING;
        }
        String token = header.substring(BEARER.length()).strip();
        if (token.length() > AuthFile.MAX_TOKEN_LENGTH || !MessageDigest.isEqual(hash, AuthFile.sha256(token))) {
            failures.increment();
            return Outcome.INVALID;
        }
        return Outcome.ALLOWED;
    }

    /** Requests answered 401 since the listener started. */
    long failures() {
        return failures.sum();
    }

    /**
     * Refuses to start a listener open to the network: a bind address other than loopback needs a
     * token, or the operator's {@code httpOpen} saying a proxy of theirs guards it.
     *
     * @throws ProletariatManagerException {@code EHTTPOPEN}, in one line naming the ways out
     */
    static void checkExposure(ManagerOptions options) {
        if (!options.httpEnabled() || options.httpToken() != null || options.httpOpen()) {
            return;
        }
        String bind = options.httpBindAddress();
        if (isLoopback(bind)) {
            return;
        }
        throw new ProletariatManagerException(ProletariatManagerException.EHTTPOPEN, "the HTTP listener would serve " + bind
                + " without a token: give --http-token-file FILE (clients send Authorization: Bearer TOKEN),"
                + " bind it to 127.0.0.1 (--http-bind), or add --http-open if a proxy of yours authenticates (docs/security.md)", null);
    }

    private static boolean isLoopback(String bind) {
        try {
            for (InetAddress a : InetAddress.getAllByName(bind)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false; // the bind fails anyway, with its own message
        }
    }
}
