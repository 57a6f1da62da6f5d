package io.proletariat.manager.internal;

import io.proletariat.protocol.RawJson;
import java.util.List;

/**
 * A frame a peer sent to the manager, decoded on the I/O thread by {@link InboundDecoder}. Numbers
 * arrive read as the original reads them (JavaScript's {@code parseInt}); other fields keep the
 * peer's raw values where the protocol allows several types. The dispatch core checks them against
 * its limits and state, in the order the original answers errors.
 */
sealed interface Inbound {
    /** Not valid JSON: ignored, and not counted as keepalive activity (as the original). */
    record BadJson() implements Inbound {
    }

    /** A command the manager does not know, or a non-object frame ({@code command} is then null). */
    record Unknown(RawJson command) implements Inbound {
    }

    /**
     * A worker's offer. {@code types} and {@code untyped} are our extension (docs/protocol.md, "Work
     * types and limits"): the work types it takes (empty: none, it takes untyped works as the
     * original) and whether it takes untyped works too; {@code typesInvalid} when {@code types} was
     * sent but is not an array of at most 64 valid names (EINVTYPE). {@code prefetch} (our extension,
     * docs/protocol.md, Prefetch) is null when absent.
     */
    record Offer(RawJson slots, List<String> types, boolean untyped, boolean typesInvalid, RawJson prefetch) implements Inbound {
        /** An offer of the original: no types, no prefetch. */
        Offer(RawJson slots) {
            this(slots, List.of(), false, false, null);
        }

        /** An untyped offer with a prefetch. */
        Offer(RawJson slots, RawJson prefetch) {
            this(slots, List.of(), false, false, prefetch);
        }
    }

    /** A push's {@code type} that is not a valid name: refused with EINVTYPE (compared by identity). */
    String INVALID_TYPE = new String("(invalid)");

    /**
     * Our extension, an admin command: sets ({@code max} an integer), removes ({@code max} null or
     * absent) or, without a {@code type}, only lists the limits on running works of a type.
     * {@code type} is {@link #INVALID_TYPE} when not a valid name; {@code max} is -1 for none, -2 when invalid (EINVLIMIT).
     */
    record Limit(String type, long max) implements Inbound {
    }

    /**
     * A client's push.
     *
     * @param rid the {@code rid} as sent (0.4), echoed in the answer; null when absent
     * @param group the {@code group} as sent (0.3), echoed likewise; null when absent
     * @param requestKey the request id as text (a truthy {@code rid}, else a truthy {@code group}); null when none (ENORID)
     * @param works the works' args; null unless {@code work} is an array without a null element (EINVWORKL)
     * @param argBytes the bytes of all {@code works}
     * @param priority the {@code priority}: 0 when absent or not a number; valid in 0..{@link Integer#MAX_VALUE} (else EINVPRIO)
     * @param runTimeout the {@code timeout} exactly as sent, forwarded to the worker; null unless {@code runTimeoutMs > 0}
     * @param runTimeoutMs the {@code timeout} in ms: 0 when absent, falsy or not a number; negative is invalid (EINVTIMEOUT)
     * @param assignTimeoutMs the {@code assigntimeout} in ms, read alike
     * @param type our extension: the works' type; null for untyped works, {@link #INVALID_TYPE} when not a valid name (EINVTYPE)
     * @param timing its retries and delay (our extension); null when it asked neither (the original clients)
     */
    record Push(RawJson rid, RawJson group, String requestKey, List<RawJson> works, long argBytes, long priority,
                RawJson runTimeout, long runTimeoutMs, long assignTimeoutMs, Identity identity, String type,
                PushTiming timing, boolean progress) implements Inbound {
        /** An untyped push without retries, delay or progress (the original clients'). */
        Push(RawJson rid, RawJson group, String requestKey, List<RawJson> works, long argBytes, long priority,
             RawJson runTimeout, long runTimeoutMs, long assignTimeoutMs, Identity identity) {
            this(rid, group, requestKey, works, argBytes, priority, runTimeout, runTimeoutMs, assignTimeoutMs, identity, null, null, false);
        }
    }

    /**
     * Who a push's works are across managers (our extension, docs/cluster.md): the client's
     * {@code session}, whether the request was {@code resent} after a lost connection, and each
     * work's {@code index} in its request (its position, unless the push resends some of them).
     * Null for a push without a session (the original clients).
     */
    record Identity(String session, boolean resent, int[] indexes) {
        /** The index in its request of the push's {@code i}-th work. */
        int index(int i) {
            return indexes == null ? i : indexes[i];
        }
    }

    /**
     * A worker hands over what it did while it had no manager (our extension): the results of
     * works it finished, each by its work's identity, and the identities of works it still runs.
     */
    record Resume(List<ResumedResult> results, List<String> running) implements Inbound {
    }

    /** One resumed result: the work's identity ({@code uid}) and its {@code {"err","data"}} result. */
    record ResumedResult(String uid, RawJson result) {
    }

    /**
     * A worker's results. {@code items} is null unless {@code work} is an array. {@code started} and
     * {@code recalled} (our extension, docs/protocol.md, Prefetch): the string ids of prefetched works
     * it started, and gave back unstarted; empty when absent.
     */
    record Done(List<DoneItem> items, List<String> started, List<String> recalled) implements Inbound {
        Done(List<DoneItem> items) {
            this(items, List.of(), List.of());
        }
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

    /**
     * Our extension: a connection's first frame when authentication is on (docs/protocol.md, auth).
     * {@code token} is null unless it was a string of at most {@code AuthFile.MAX_TOKEN_LENGTH} characters.
     */
    record Auth(String token) implements Inbound {
        @Override
        public String toString() {
            return "Auth[token=" + (token == null ? "none" : "(hidden)") + "]"; // never logged
        }
    }

    /** {@code cleanup}, {@code gc} or {@code dumpall}. */
    record Admin(String command) implements Inbound {
    }

    /**
     * Our extension: a worker reports the progress of a work it runs (docs/protocol.md, progress).
     * {@code id} is null unless a string; {@code progress} is the value as sent, null when absent.
     */
    record Progress(String id, RawJson progress) implements Inbound {
    }

    /**
     * Our extension, an operator's: list live works ({@code works}). Filters are null when absent;
     * {@code invalid} names the member that could not be read (answered {@code EINVQUERY}).
     */
    record ListWorks(String client, String worker, String type, boolean running, int limit, String invalid) implements Inbound {
    }

    /**
     * Our extension, an operator's: cancel works or whole requests by id ({@code cancel}); {@code ids}
     * null when {@code ids} is not an array of 1 to {@code OperatorCommands.MAX_CANCEL_IDS} strings;
     * {@code client} narrows request ids to one client's, null for any.
     */
    record Cancel(List<String> ids, String client) implements Inbound {
    }
}
