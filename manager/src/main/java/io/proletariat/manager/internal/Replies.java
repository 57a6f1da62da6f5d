package io.proletariat.manager.internal;

import io.netty.channel.Channel;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.Wire;
import io.proletariat.protocol.WireError;
import java.util.List;

/**
 * Every frame the dispatch core writes to a peer, answers and errors alike, in the wire's shapes
 * (docs/protocol.md): the one place a frame's member order is decided, but for the {@code status}
 * and {@code mystatus} answers, which are {@link StatusReport}'s. Writes through the {@link Outbox};
 * core thread only.
 */
final class Replies {
    /** The result a client gets for a work no worker took within its {@code assigntimeout}. */
    static final RawJson EATO_RESULT = RawJson.of("{\"err\":{\"code\":\"EATO\",\"message\":\"Assign timeout\"},\"data\":null}");
    /** The {@code err} of {@link #EATO_RESULT}, for the recent errors. */
    static final RawJson EATO_ERROR = RawJson.of("{\"code\":\"EATO\",\"message\":\"Assign timeout\"}");

    /** The result a client gets for a work an operator cancelled ({@code cancel}, {@link OperatorCommands}). */
    static final RawJson ECANCELED_RESULT = RawJson.of("{\"err\":{\"code\":\"ECANCELED\",\"message\":\"Cancelled by an operator\"},\"data\":null}");
    /** The {@code err} of {@link #ECANCELED_RESULT}, for the recent errors. */
    static final RawJson ECANCELED_ERROR = RawJson.of("{\"code\":\"ECANCELED\",\"message\":\"Cancelled by an operator\"}");

    private final Outbox outbox;

    Replies(Outbox outbox) {
        this.outbox = outbox;
    }

    // ---------------------------------------------------------------- errors

    /** {@code {"error":{"code","description"},"to":to,"command":"answer"}}. */
    void error(Connection c, String to, WireError error) {
        JsonWriter out = outbox.frame(c).beginObject();
        error.writeMember(out);
        out.name("to").value(to).name("command").value("answer").endObject().endFrame();
    }

    /** {@code {"error":{"code","description"[,"command"]}}}: no command, no to (docs/protocol.md, Error codes). */
    void bareError(Connection c, WireError error, RawJson command) {
        bareError(outbox.frame(c), error, command);
    }

    /** A bare error to a channel that never became a connection, which is then closed. */
    void refuse(Channel channel, WireError error) {
        outbox.refuse(channel, out -> bareError(out, error, null));
    }

    /** A standby's answer to every new connection, which is then closed: the leader's address when known. */
    void redirect(Channel channel, String leader) {
        outbox.refuseGently(channel, out -> {
            out.beginObject().name("error").beginObject().name("code").value(WireError.ENOTLEADER.code())
                    .name("description").value(WireError.ENOTLEADER.description());
            if (leader != null) {
                out.name("leader").value(leader);
            }
            out.endObject().endObject().endFrame();
        });
    }

    /** A bare error to a channel that never became a connection, which the peer can read before it is closed. */
    void refuseGently(Channel channel, WireError error) {
        outbox.refuseGently(channel, out -> bareError(out, error, null));
    }

    /** The answer to an auth frame: the principal (absent when authentication is off) and the roles it has. */
    void authenticated(Connection c, String principal, java.util.Set<io.proletariat.manager.internal.auth.Role> roles) {
        JsonWriter out = outbox.frame(c).beginObject();
        if (principal != null) {
            out.name("principal").value(principal);
        }
        out.name("roles").beginArray();
        for (io.proletariat.manager.internal.auth.Role r : roles) {
            out.value(r.label());
        }
        out.endArray().name("to").value("auth").name("command").value("answer").endObject().endFrame();
    }

    private static void bareError(JsonWriter out, WireError error, RawJson command) {
        out.beginObject().name("error").beginObject().name("code").value(error.code()).name("description").value(error.description());
        if (command != null) {
            out.name("command").raw(command);
        }
        out.endObject().endObject().endFrame();
    }

    // ---------------------------------------------------------------- keepalive

    /** The answer to a peer's ping. */
    void pong(Connection c) {
        outbox.frame(c).beginObject().name("current").value(Wire.now()).name("to").value("ping").name("command").value("answer")
                .endObject().endFrame();
    }

    /** The manager's keepalive ping to an idle peer. */
    void ping(Connection c) {
        outbox.frame(c).beginObject().name("command").value("ping").endObject().endFrame();
    }

    // ---------------------------------------------------------------- workers

    void offerAccepted(Connection worker) {
        outbox.frame(worker).beginObject().name("description").value("You are very nice comrade").name("you").value(worker.id)
                .name("to").value("offer").name("command").value("answer").endObject().endFrame();
    }

    void draining(Connection worker) {
        outbox.frame(worker).beginObject().name("running").value(worker.busy)
                .name("to").value("drain").name("command").value("answer").endObject().endFrame();
    }

    /** Works for a worker, in one {@code push} frame. */
    void dispatch(Connection worker, List<Work> works) {
        JsonWriter out = outbox.frame(worker).beginObject().name("work").beginArray();
        for (int i = 0; i < works.size(); i++) { // indexed: no iterator per frame
            Work w = works.get(i);
            out.beginObject().name("id").raw(w.idJson).name("args").raw(w.args);
            if (w.runTimeout != null) {
                out.name("timeout").raw(w.runTimeout);
            }
            if (w.request.uidPrefix != null) {
                out.name("uid").value(w.request.uidPrefix, w.index); // who it is across managers: our workers resume by it
            }
            if (w.state() == Work.State.PREFETCHED) { // beyond its slots: into the worker's local queue, by priority
                out.name("prefetch").value(true).name("priority").value(w.request.priority);
            }
            out.endObject();
        }
        out.endArray().name("command").value("push").endObject().endFrame();
    }

    /** The answer to a worker's resume: how many results answered works at once, and how many wait for their works. */
    void resumeAnswer(Connection worker, int answered, int stored) {
        outbox.frame(worker).beginObject().name("answered").value(answered).name("stored").value(stored)
                .name("to").value("resume").name("command").value("answer").endObject().endFrame();
    }

    /** The answer to a worker's done: how many results counted, and how many were ignored. */
    void doneAnswer(Connection worker, int counted, int ignored) {
        JsonWriter out = outbox.frame(worker).beginObject().name("description")
                .value(counted > 0 ? "спасибо for the " + counted + " works" : "You didn't send nothing interesting sir");
        if (ignored > 0) {
            out.name("ignored").value(ignored);
        }
        out.name("to").value("done").name("command").value("answer").endObject().endFrame();
    }

    /** Asks a worker to give back prefetched works it has not started (docs/protocol.md, Prefetch). */
    void recall(Connection worker, List<String> ids) {
        JsonWriter out = outbox.frame(worker).beginObject().name("work").beginArray();
        for (int i = 0; i < ids.size(); i++) {
            out.value(ids.get(i));
        }
        out.endArray().name("command").value("recall").endObject().endFrame();
    }

    /** Tells a worker to stop works it holds. */
    void aborts(Connection worker, List<String> ids) {
        JsonWriter out = outbox.frame(worker).beginObject().name("work").beginArray();
        ids.forEach(out::value);
        out.endArray().name("command").value("abort").endObject().endFrame();
    }

    // ---------------------------------------------------------------- clients

    /** The answer to a push: the new works' ids, and the request id under each name the client used. */
    void pushAccepted(Connection client, Inbound.Push p, Work[] works) {
        JsonWriter out = outbox.frame(client).beginObject().name("work").beginArray();
        for (Work w : works) {
            out.raw(w.idJson);
        }
        out.endArray();
        echoRequestId(out, p).name("to").value("push").name("command").value("answer").endObject().endFrame();
    }

    void pushRefused(Connection client, Inbound.Push p, WireError error) {
        JsonWriter out = outbox.frame(client).beginObject();
        error.writeMember(out);
        echoRequestId(out, p).name("to").value("push").name("command").value("answer").endObject().endFrame();
    }

    /** Echoes the request id under each name the client used: {@code rid} (0.4) and/or {@code group} (0.3). */
    private static JsonWriter echoRequestId(JsonWriter out, Inbound.Push p) {
        if (p.rid() != null) {
            out.name("rid").raw(p.rid());
        }
        if (p.group() != null) {
            out.name("group").raw(p.group());
        }
        return out;
    }

    /** One done frame with these works' results, in order; each work's {@link Work#result} is let go once written. */
    void results(Connection client, List<Work> works) {
        JsonWriter out = outbox.frame(client).beginObject().name("work").beginArray();
        for (int i = 0; i < works.size(); i++) { // indexed: no iterator per frame
            Work w = works.get(i);
            out.beginObject().name("id").raw(w.idJson).name("result").raw(w.result);
            if (w.retry != null) { // our extension: only for works with retries, which original clients never ask
                out.name("attempts").value(w.retry.attempts);
                if (w.retry.lastError != null) {
                    out.name("lastError").raw(w.retry.lastError);
                }
            }
            out.endObject();
            w.result = null;
        }
        out.endArray().name("command").value("done").endObject().endFrame();
    }

    /** The answer to an abort by request id. */
    void requestAborted(Connection client, RawJson rid) {
        outbox.frame(client).beginObject().name("ok").value(true).name("rid").raw(rid).name("to").value("abort")
                .name("command").value("answer").endObject().endFrame();
    }

    /** The answer to an abort by work ids: those of its own live works it aborted. */
    void worksAborted(Connection client, List<String> ids) {
        JsonWriter out = outbox.frame(client).beginObject().name("ok").value(true).name("work").beginArray();
        ids.forEach(out::value);
        out.endArray().name("to").value("abort").name("command").value("answer").endObject().endFrame();
    }

    // ---------------------------------------------------------------- system messages

    void sysmsgWithoutId(Connection sender) {
        outbox.frame(sender).beginObject().name("to").value("sysmsg").name("error").value("System message needs an id comrade")
                .name("command").value("answer").endObject().endFrame();
    }

    /** A system message relayed to a recipient, under the id it is to acknowledge. */
    void sysmsg(Connection recipient, String relayId, Connection sender, RawJson content) {
        JsonWriter out = outbox.frame(recipient).beginObject().name("id").value(relayId).name("from").value(sender.id);
        if (content != null) {
            out.name("content").raw(content);
        }
        out.name("command").value("sysmsg").endObject().endFrame();
    }

    void sysmsgRefused(Connection sender, String id) {
        JsonWriter out = outbox.frame(sender).beginObject();
        WireError.ETOOMANYSYSMSG.writeMember(out);
        out.name("to").value("sysmsg").name("id").value(id).name("command").value("answer").endObject().endFrame();
    }

    /** The report to a message's sender: how many it went to, how many acknowledged, and whether it expired first. */
    void sysmsgDone(Connection sender, String id, int sentTo, int receivedBy, boolean expired) {
        JsonWriter out = outbox.frame(sender).beginObject().name("to").value("sysmsg").name("id").value(id)
                .name("done").value(true).name("sentTo").value(sentTo).name("receivedBy").value(receivedBy);
        if (expired) {
            out.name("expired").value(true);
        }
        out.name("command").value("answer").endObject().endFrame();
    }

    // ---------------------------------------------------------------- admin

    /**
     * {@code cleanup} and {@code gc} are acknowledged ({@code gc} is not run: a full collection on
     * demand would let any peer pause the manager); {@code dumpall}, which in the original writes
     * its state to a file any peer can name, is not supported.
     */
    void admin(Connection c, String command) {
        JsonWriter out = outbox.frame(c).beginObject();
        if (command.equals("dumpall")) {
            out.name("ok").value(false).name("err").beginObject().name("code").value(WireError.ENOTSUP.code())
                    .name("description").value("dumpall is not supported; use the status command").endObject();
        } else {
            out.name("ok").value(true);
        }
        out.name("command").value(command).endObject().endFrame();
    }
}
