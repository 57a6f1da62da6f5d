package io.proletariat.client.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.ConnectionException;
import io.proletariat.client.SystemMessageListener;
import io.proletariat.client.SystemMessageReceipt;
import io.proletariat.protocol.FromManager;
import io.proletariat.protocol.ProletariatException;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.SystemMessage;
import io.proletariat.protocol.Wire;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * System messages of one participant (docs/protocol.md, System messages): sending with completion
 * futures, acking and delivering received ones, and pings (Keepalive). Owned by the engine's event
 * loop: every method must be called there.
 */
final class SystemMessenger {
    private static final Logger log = LoggerFactory.getLogger(SystemMessenger.class);

    private final Connection connection;
    private final Executor callbacks;
    private final SystemMessage.ContentReader reader;
    private volatile SystemMessageListener listener;
    private final Map<String, Pending> sent = new LinkedHashMap<>(); // sent, waiting for completion
    private final List<Pending> unsent = new ArrayList<>();           // waiting for a connection

    private record Pending(String id, String to, RawJson content, CompletableFuture<SystemMessageReceipt> future) {
    }

    SystemMessenger(Connection connection, Executor callbacks, ObjectMapper mapper) {
        this.connection = connection;
        this.callbacks = callbacks;
        this.reader = (json, type) -> Json.fromJson(mapper, json, type);
    }

    /** Any thread. */
    void listener(SystemMessageListener listener) {
        this.listener = listener;
    }

    /** Sends now when connected, otherwise once connected. */
    void send(String to, RawJson content, CompletableFuture<SystemMessageReceipt> future) {
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
    void onConnected() {
        List<Pending> waiting = new ArrayList<>(unsent);
        unsent.clear();
        for (Pending p : waiting) {
            if (!trySend(p)) {
                unsent.add(p);
            }
        }
    }

    /** The connection dropped: messages sent on it can no longer complete (C7). */
    void onDisconnected() {
        failSent(new ConnectionException(ConnectionException.ECONNLOST,
                "the connection to the manager was lost before every recipient got the system message"));
    }

    /** Fails everything, sent or not (the participant gave up or closed). */
    void failAll(ProletariatException error) {
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

    /** Answers a keepalive ping. */
    void onPing() {
        connection.send(w -> w.name("to").value("ping").name("current").value(Wire.now()).name("command").value("answer"));
    }

    /** Acks a relayed system message, then hands it to the listener. */
    void onSysmsg(FromManager.Sysmsg m) {
        RawJson id = m.id();
        // Ack first (the original acks on receipt), echoing the relayed id as it came.
        connection.send(w -> w.name("to").value("sysmsg").name("id").raw(id == null ? RawJson.NULL : id)
                .name("received").value(System.currentTimeMillis()).name("command").value("answer"));
        SystemMessageListener l = listener;
        if (l == null) {
            return;
        }
        SystemMessage msg = new SystemMessage(m.idText(), m.from(), m.content(), reader);
        callbacks.execute(() -> {
            try {
                l.onSystemMessage(msg);
            } catch (RuntimeException e) {
                log.warn("system message listener failed on message {} from {}", msg.id(), msg.from(), e); // not its content: the application's data
            }
        });
    }

    /** The manager's completion of a message this participant sent. */
    void onCompletion(FromManager.SysmsgAnswer a) {
        RawJson error = a.error();
        if (a.id() == null) {
            if (error != null && sent.size() == 1) {
                // The only "no id" error names no id; with one message pending it can only be that one.
                Pending p = sent.values().iterator().next();
                sent.clear();
                complete(p.future, null, new ProletariatException("ESYSMSG", "the manager refused the system message: " + error));
            } else {
                log.warn("ignoring a system message answer without an id: {}", a);
            }
            return;
        }
        Pending p = sent.remove(a.id());
        if (p == null) {
            log.debug("ignoring the completion of unknown system message {}", a.id());
            return;
        }
        if (error != null && error.isTruthy()) {
            complete(p.future, null, new ProletariatException("ESYSMSG", "the manager refused the system message: " + error));
            return;
        }
        complete(p.future, new SystemMessageReceipt(a.id(), a.sentTo(), a.receivedBy()), null);
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
}
