package io.proletariat.manager;

/** The manager could not start or run, with a message saying what to do. */
public final class ProletariatManagerException extends RuntimeException {
    public ProletariatManagerException(String message, Throwable cause) {
        super(message, cause);
    }
}
