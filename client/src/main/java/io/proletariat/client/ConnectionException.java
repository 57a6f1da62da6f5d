package io.proletariat.client;

import io.proletariat.protocol.ProletariatException;

/**
 * The manager could not be reached, or the connection to it was lost while something was waiting
 * on it.
 *
 * <p>Codes: {@value #ECONNREFUSED} when connecting failed as many times as the retry limit allows
 * (check that the manager runs at the configured host and port), {@value #ECONNLOST} when the
 * connection dropped while a system message waited for its completion, {@value #ECLOSED} when
 * the client or worker was closed with the operation still pending, and the manager's {@code EAUTH}
 * or {@code EPROTECTED} when it refused the connection (a wrong or missing token; a host it does not
 * trust: docs/security.md), which is not retried.
 */
public class ConnectionException extends ProletariatException {
    /** Connecting to the manager failed until the retry limit was reached. */
    public static final String ECONNREFUSED = "ECONNREFUSED";
    /** The connection to the manager was lost. */
    public static final String ECONNLOST = "ECONNLOST";
    /** The client or worker was closed. */
    public static final String ECLOSED = "ECLOSED";

    public ConnectionException(String code, String message) {
        super(code, message);
    }

    public ConnectionException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
