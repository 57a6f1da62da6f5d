package io.proletariat.manager;

import io.proletariat.protocol.ProletariatException;

/**
 * The manager could not start or run, with a message saying what to do. Part of the one exception
 * tree: a {@link ProletariatException} whose {@link #code()} is one of the codes below.
 */
public final class ProletariatManagerException extends ProletariatException {
    /** A port (the protocol's or the HTTP one) cannot be bound. */
    public static final String ELISTEN = "ELISTEN";
    /** The starting thread was interrupted. */
    public static final String EINTERRUPTED = "EINTERRUPTED";
    /** The authentication file ({@code ManagerOptions.authFile}) cannot be read or is invalid. */
    public static final String EAUTHFILE = "EAUTHFILE";
    /**
     * The HTTP listener would serve a non-loopback address without a token
     * ({@code ManagerOptions.httpToken}); {@code ManagerOptions.httpOpen} allows it.
     */
    public static final String EHTTPOPEN = "EHTTPOPEN";

    public ProletariatManagerException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
