package io.proletariat.client.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.ConnectionException;
import io.proletariat.client.ProletariatException;
import io.proletariat.client.SystemMessage;
import io.proletariat.client.SystemMessageListener;
import io.proletariat.client.SystemMessageReceipt;
import io.proletariat.protocol.JsNumbers;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.Wire;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * System messages of one participant (docs/protocol.md, System messages): sending with completion futures, acking and
 * delivering received ones, and pings (Keepalive). Owned by the participant's event loop: every method
 * must be called there.
 */
public final class SystemMessenger {
    private static final Logger log = LoggerFactory.getLogger(SystemMessenger.class);

    private final Connection connection;
    private final Executor callbacks;
    private final ObjectMapper mapper;
    private final Supplier<SystemMessageListener> listener;
    private final Map<String, Pending> sent = new LinkedHashMap<>(); // sent, waiting for completion
    private final List<Pending> unsent = new ArrayList<>();           // waiting for a connection

    private static final class Pending {
        final String id;
        final String to;
        final RawJson content;
        final CompletableFuture<SystemMessageReceipt> future;

        Pending(String id, String to, RawJson content, CompletableFuture<SystemMessageReceipt> future) {
            this.id = id;
            this.to = to;
            this.content = content;
            this.future = future;
        }
    }

    public SystemMessenger(Connection connection, Executor callbacks, ObjectMapper mapper, Supplier<SystemMessageListener> listener) {
        this.connection = connection;
        this.callbacks = callbacks;
        this.mapper = mapper;
        this.listener = listener;
    }

    /** Sends now when connected, otherwise once connected. */
    public void send(String to, RawJson content, CompletableFuture<SystemMessageReceipt> future) {
        Pending p = new Pending(Ids.systemMessageId(), to, content, future);
        if (!trySend(p)) {
            unsent.add(p);
        }
    }

    private boolean trySend(Pending p) {
        boolean ok = connection.send(w -> {
            w.name("to").value(p.to);
            w.name("id").value(p.id);
            w.name("content").raw(p.content);
            w.name("command").value("sysmsg");
        });
        if (ok) {
            sent.put(p.id, p);
        }
        return ok;
    }

    /** A connection was established: send what waited for it. */
    public void onConnected() {
        List<Pending> waiting = new ArrayList<>(unsent);
        unsent.clear();
        for (Pending p : waiting) {
            if (!trySend(p)) {
                unsent.add(p);
            }
        }
    }

    /** The connection dropped: messages sent on it can no longer complete (C7). */
    public void onDisconnected() {
        failSent(new ConnectionException(ConnectionException.ECONNLOST,
                "the connection to the manager was lost before every recipient got the system message"));
    }

    /** Fails everything, sent or not (the participant gave up or closed). */
    public void failAll(ProletariatException error) {
        failSent(error);
        for (Pending p : unsent) {
            complete(p.future, null, error);
        }
        unsent.clear();
    }

    private void failSent(ProletariatException error) {
        for (Pending p : sent.values()) {
            complete(p.future, null, error);
        }
        sent.clear();
    }

    /**
     * Handles {@code ping}, {@code sysmsg} and {@code answer}/{@code sysmsg}.
     *
     * @return true when the frame was one of those
     */
    public boolean handle(String command, Map<String, RawJson> fields) {
        switch (command) {
            case "ping":
                connection.send(w -> w.name("to").value("ping").name("current").value(Wire.now()).name("command").value("answer"));
                return true;
            case "sysmsg":
                onSysmsg(fields);
                return true;
            case "answer":
                if ("sysmsg".equals(text(fields.get("to")))) {
                    onCompletion(fields);
                    return true;
                }
                return false;
            default:
                return false;
        }
    }

    private void onSysmsg(Map<String, RawJson> fields) {
        RawJson id = fields.get("id");
        // Ack first (the original acks on receipt), echoing the relayed id as it came.
        connection.send(w -> w.name("to").value("sysmsg").name("id").raw(id == null ? RawJson.NULL : id)
                .name("received").value(System.currentTimeMillis()).name("command").value("answer"));
        SystemMessageListener l = listener.get();
        if (l == null) {
            return;
        }
        SystemMessage msg = new SystemMessage(text(id), text(fields.get("from")), fields.get("content"), mapper);
        callbacks.execute(() -> {
            try {
                l.onSystemMessage(msg);
            } catch (RuntimeException e) {
                log.warn("system message listener failed on {}", msg, e);
            }
        });
    }

    private void onCompletion(Map<String, RawJson> fields) {
        String id = text(fields.get("id"));
        RawJson error = fields.get("error");
        if (id == null) {
            if (error != null && sent.size() == 1) {
                // The only "no id" error names no id; with one message pending it can only be that one.
                Pending p = sent.values().iterator().next();
                sent.clear();
                complete(p.future, null, new ProletariatException("ESYSMSG", "the manager refused the system message: " + error));
            } else {
                log.warn("ignoring a system message answer without an id: {}", fields);
            }
            return;
        }
        Pending p = sent.remove(id);
        if (p == null) {
            log.debug("ignoring the completion of unknown system message {}", id);
            return;
        }
        if (error != null && error.isTruthy()) {
            complete(p.future, null, new ProletariatException("ESYSMSG", "the manager refused the system message: " + error));
            return;
        }
        complete(p.future, new SystemMessageReceipt(id, intOf(fields.get("sentTo")), intOf(fields.get("receivedBy"))), null);
    }

    private void complete(CompletableFuture<SystemMessageReceipt> f, SystemMessageReceipt r, ProletariatException e) {
        callbacks.execute(() -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(r);
            }
        });
    }

    private static int intOf(RawJson v) {
        long n = JsNumbers.parseInt(v);
        return n == JsNumbers.NAN ? 0 : (int) n;
    }

    static String text(RawJson v) {
        return v != null && v.isString() ? v.asText() : null;
    }
}
