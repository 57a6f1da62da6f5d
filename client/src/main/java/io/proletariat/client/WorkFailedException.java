package io.proletariat.client;

import io.proletariat.protocol.ProletariatException;
import io.proletariat.protocol.RawJson;

/**
 * A work finished with an error: the {@code err} of its result.
 *
 * <p>{@link #code()} is the error's {@code code} member when it has one: {@code ETO} (the run
 * timeout expired on the worker), {@code EATO} (no worker took it within the assign timeout),
 * {@code ECSTO} (the client-side timeout expired), or a code set by the worker's handler.
 * {@link #error()} is the error exactly as the worker sent it, for example
 * {@code {"message":"boom"}} or a handler's own error object.
 */
public class WorkFailedException extends ProletariatException {
    private final transient RawJson error;

    public WorkFailedException(String code, String message, RawJson error) {
        super(code, message);
        this.error = error;
    }

    /** The work's error as JSON, exactly as the worker (or the manager, or this client) produced it. */
    public RawJson error() {
        return error;
    }
}
