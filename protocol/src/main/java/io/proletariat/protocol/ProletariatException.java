package io.proletariat.protocol;

/**
 * The root of every exception proletariat throws or hands to a callback: the worker and client
 * libraries' and the manager's. Unchecked.
 *
 * <p>Each carries a {@link #code()} the caller can switch on: the wire error code the manager sent
 * (for example {@code EINVWORKL}, {@code ENORID}, {@code EINVPRIO}), a work's error code
 * ({@code ETO}, {@code EATO}, {@code ECSTO}), a connection code ({@code ECONNREFUSED},
 * {@code ECONNLOST}, {@code ECLOSED}) or the manager's {@code ELISTEN}. Subclasses say where it
 * came from: {@code io.proletariat.client.WorkFailedException},
 * {@code io.proletariat.client.ConnectionException}, {@code io.proletariat.manager.ProletariatManagerException}.
 *
 * <pre>{@code
 * client.submit(works, options).exceptionally(t -> {
 *     if (t.getCause() instanceof ProletariatException e && "ECONNREFUSED".equals(e.code())) {
 *         // the manager is down: try again later
 *     }
 *     return null;
 * });
 * }</pre>
 */
public class ProletariatException extends RuntimeException {
    private final String code;

    /** An exception with a code (may be {@code null} when there is none) and a message. */
    public ProletariatException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** An exception with a code, a message and a cause. */
    public ProletariatException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The error code, for example {@code "ETO"} or {@code "EINVWORKL"}; {@code null} when there is none. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        String name = getClass().getName();
        return code == null ? name + ": " + getMessage() : name + ": [" + code + "] " + getMessage();
    }
}
