package io.proletariat.manager.internal;

import io.proletariat.protocol.RawJson;
import java.util.List;

/**
 * A frame a peer sent to the manager, decoded on the I/O thread. Fields keep the peer's raw values
 * where the protocol allows several types; the dispatch core validates them.
 */
sealed interface Inbound {
    /** Not valid JSON: ignored, and not counted as keepalive activity (as the original). */
    record BadJson() implements Inbound {
    }

    /** A command the manager does not know, or a non-object frame ({@code command} is then null). */
    record Unknown(RawJson command) implements Inbound {
    }

    record Offer(RawJson slots) implements Inbound {
    }

    /** A client's push. {@code works} is null unless {@code work} is an array. */
    record Push(RawJson work, List<RawJson> works, RawJson rid, RawJson group, RawJson priority,
                RawJson timeout, RawJson assignTimeout) implements Inbound {
    }

    /** A worker's results. {@code items} is null unless {@code work} is an array. */
    record Done(List<DoneItem> items) implements Inbound {
    }

    /**
     * One element of a done list; {@code id} is null when the element is not an object with a string
     * id. {@code errorCode} is null for a success, else the result's {@code err.code} ("ERROR" when it has none).
     */
    record DoneItem(String id, RawJson result, String errorCode, RawJson error) {
        /** An element that is not an object with an id or a result. */
        static final DoneItem NONE = new DoneItem(null, null, null, null);

        boolean counts() {
            return id != null && !id.isEmpty() && result != null && result.isTruthy();
        }
    }

    /** A worker's answer to a dispatch push. */
    record PushAnswer(List<String> accepted, List<String> rejected) implements Inbound {
    }

    /** A peer's acknowledgement of a relayed system message; {@code id} null when missing. */
    record SysmsgAck(String id) implements Inbound {
    }

    /** A peer's answer to a keepalive ping. */
    record PingAnswer() implements Inbound {
    }

    /** An answer whose {@code to} the manager does not accept. */
    record UnknownAnswer() implements Inbound {
    }

    record Abort(RawJson rid, RawJson work) implements Inbound {
    }

    record Ping() implements Inbound {
    }

    /** Our extension: a worker leaving gracefully takes no more works (docs/protocol.md, drain). */
    record Drain() implements Inbound {
    }

    record MyStatus() implements Inbound {
    }

    record Status() implements Inbound {
    }

    /** {@code to} is null when absent; absent and JSON null both mean everybody. */
    record Sysmsg(RawJson id, RawJson to, RawJson content) implements Inbound {
    }

    /** {@code cleanup}, {@code gc} or {@code dumpall}. */
    record Admin(String command) implements Inbound {
    }
}
