package io.proletariat.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A frame the manager sent to a worker or a client, decoded once from the frame's members
 * (docs/protocol.md, Messages). Payloads (work args, results, errors, system message content) stay
 * opaque {@link RawJson}; ids become strings. The worker and client libraries switch on these
 * records, as the manager switches on what peers send it.
 *
 * <p>Decoding never fails: what a record cannot hold is {@code null} (documented per record), and
 * a command or answer a participant does not know is {@link Other}.
 */
public sealed interface FromManager {

    /**
     * Decodes a frame whose {@code command} member is {@code command}.
     *
     * @param fields the frame's members, as {@link RawJson#fields()} gives them
     */
    static FromManager decode(String command, Map<String, RawJson> fields) {
        switch (command) {
            case "push":
                return Dispatch.decode(fields.get("work"));
            case "abort":
                return new Abort(ids(fields.get("work")));
            case "recall":
                return new Recall(ids(fields.get("work")));
            case "done":
                return Done.decode(fields.get("work"));
            case "ping":
                return Ping.INSTANCE;
            case "sysmsg":
                return new Sysmsg(fields.get("id"), text(fields.get("from")), fields.get("content"));
            case "answer":
                return decodeAnswer(fields);
            default:
                return new Other(command, fields);
        }
    }

    private static FromManager decodeAnswer(Map<String, RawJson> fields) {
        String to = text(fields.get("to"));
        RawJson error = fields.get("error");
        if (to == null) {
            return new Other("answer", fields);
        }
        switch (to) {
            case "push": {
                String rid = text(fields.get("rid"));
                List<String> workIds = ids(fields.get("work"));
                return new PushAnswer(rid != null ? rid : text(fields.get("group")), truthy(error),
                        workIds == null ? List.of() : workIds);
            }
            case "offer":
                return new OfferAnswer(truthy(error), text(fields.get("you")));
            case "done":
                return new DoneAnswer(error);
            case "sysmsg":
                return new SysmsgAnswer(text(fields.get("id")), error, count(fields.get("sentTo")), count(fields.get("receivedBy")));
            default:
                return new Other("answer", fields);
        }
    }

    /**
     * To a worker: works to run ({@code command: "push"}).
     *
     * @param works the dispatched items in order; {@code null} when {@code work} is not an array
     */
    record Dispatch(List<DispatchedWork> works) implements FromManager {
        static Dispatch decode(RawJson work) {
            if (work == null || !work.isArray()) {
                return new Dispatch(null);
            }
            List<RawJson> items = work.elements();
            if (items.size() == 1) {
                return new Dispatch(Collections.singletonList(DispatchedWork.decode(items.get(0)))); // the usual dispatch: no list to fill
            }
            List<DispatchedWork> works = new ArrayList<>(items.size());
            for (RawJson item : items) {
                works.add(DispatchedWork.decode(item));
            }
            return new Dispatch(Collections.unmodifiableList(works));
        }
    }

    /**
     * One dispatched work.
     *
     * @param id the work id; {@code null} when the item is not an object with a non-empty string or
     *     number id (the worker skips it)
     * @param args the work's arguments, {@code null} when absent
     * @param runTimeoutMillis the wire {@code timeout} read as JavaScript's {@code parseInt}, or
     *     {@link JsNumbers#NAN} when it has none
     * @param item the whole item, for logs
     */
    record DispatchedWork(String id, RawJson args, long runTimeoutMillis, RawJson item) {
        static DispatchedWork decode(RawJson item) {
            if (!item.isObject()) {
                return new DispatchedWork(null, null, JsNumbers.NAN, item);
            }
            Map<String, RawJson> f = item.fields();
            RawJson id = f.get("id");
            String workId = id == null || !id.isTruthy() || !(id.isString() || id.isNumber()) ? null : idText(id);
            return new DispatchedWork(workId, f.get("args"), JsNumbers.parseInt(f.get("timeout")), item);
        }

        /**
         * The work's identity across managers ({@code session/requestId/index}, our extension), which a
         * worker names its result by when it hands it to another manager; null when the manager sent none.
         */
        public String uid() {
            if (!item.isObject()) {
                return null;
            }
            RawJson uid = item.fields().get("uid");
            return uid != null && uid.isString() ? uid.asText() : null;
        }

        /**
         * True when the manager sent it beyond the worker's slots, for its local queue (our workers'
         * prefetch, docs/protocol.md, "Prefetch"): {@code "prefetch":true}.
         */
        public boolean prefetched() {
            if (!item.isObject()) {
                return false;
            }
            RawJson p = item.fields().get("prefetch");
            return p != null && p.isTruthy();
        }

        /** The work's {@code priority}, sent with prefetched works only; 0 when absent or not a number. */
        public long priority() {
            if (!item.isObject()) {
                return 0;
            }
            long p = JsNumbers.parseInt(item.fields().get("priority"));
            return p == JsNumbers.NAN ? 0 : p;
        }
    }

    /**
     * To a worker: give back these prefetched works if not started yet ({@code command: "recall"}, our
     * extension, docs/protocol.md, "Prefetch").
     *
     * @param workIds {@code null} when {@code work} is not an array
     */
    record Recall(List<String> workIds) implements FromManager {
    }

    /**
     * To a worker: the manager took these works back ({@code command: "abort"}).
     *
     * @param workIds {@code null} when {@code work} is not an array
     */
    record Abort(List<String> workIds) implements FromManager {
    }

    /**
     * To a client: results ({@code command: "done"}).
     *
     * @param results {@code null} when {@code work} is not an array; items that are not objects are left out
     */
    record Done(List<Result> results) implements FromManager {
        static Done decode(RawJson work) {
            if (work == null || !work.isArray()) {
                return new Done(null);
            }
            List<RawJson> items = work.elements();
            if (items.size() == 1) { // the usual done: no list to fill
                RawJson item = items.get(0);
                return new Done(item.isObject() ? Collections.singletonList(Result.decode(item)) : Collections.emptyList());
            }
            List<Result> results = new ArrayList<>(items.size());
            for (RawJson item : items) {
                if (item.isObject()) {
                    results.add(Result.decode(item));
                }
            }
            return new Done(Collections.unmodifiableList(results));
        }
    }

    /**
     * One work's result.
     *
     * @param workId {@code null} when the item has no string id
     * @param result {@code {"err":..,"data":..}} as the worker sent it; {@code null} when absent
     * @param attempts our extension, for works with retries: the attempts that ended; 0 when absent
     * @param lastError our extension: the error of the latest failed attempt; {@code null} when absent
     */
    record Result(String workId, RawJson result, int attempts, RawJson lastError) {
        /** A result without retries. */
        public Result(String workId, RawJson result) {
            this(workId, result, 0, null);
        }

        static Result decode(RawJson item) {
            Map<String, RawJson> f = item.fields();
            RawJson attempts = f.get("attempts");
            int n = attempts != null && attempts.isNumber() ? (int) Math.max(0, Math.min(Integer.MAX_VALUE, attempts.asDouble())) : 0;
            RawJson lastError = f.get("lastError");
            return new Result(text(f.get("id")), f.get("result"), n, lastError == null || !lastError.isTruthy() ? null : lastError);
        }
    }

    /**
     * To a client: the answer to its push.
     *
     * @param rid the request id ({@code rid}, else {@code group}); {@code null} when neither
     * @param error the refusal ({@code {"code":..,"description":..}}), {@code null} when accepted
     * @param workIds the ids the manager gave the pushed works, in push order
     */
    record PushAnswer(String rid, RawJson error, List<String> workIds) implements FromManager {
    }

    /**
     * To a worker: the answer to its offer.
     *
     * @param error the refusal, {@code null} when accepted
     * @param you the worker's connection id; {@code null} when absent
     */
    record OfferAnswer(RawJson error, String you) implements FromManager {
    }

    /** To a worker: the answer to its results; {@code error} is {@code null} when none was sent. */
    record DoneAnswer(RawJson error) implements FromManager {
    }

    /**
     * The completion of a system message this participant sent.
     *
     * @param id the participant's message id; {@code null} when absent
     * @param error the refusal as sent, {@code null} when absent
     * @param sentTo recipients (0 when absent)
     * @param receivedBy recipients that acknowledged it (0 when absent)
     */
    record SysmsgAnswer(String id, RawJson error, int sentTo, int receivedBy) implements FromManager {
    }

    /**
     * A system message relayed to this participant.
     *
     * @param id the relayed id exactly as sent (echoed in the acknowledgement); {@code null} when absent
     * @param from the sender's connection id; {@code null} when absent
     * @param content {@code null} when absent
     */
    record Sysmsg(RawJson id, String from, RawJson content) implements FromManager {
        /** The relayed id as text, or {@code null}. */
        public String idText() {
            return text(id);
        }
    }

    /** A keepalive ping, answered at once. */
    record Ping() implements FromManager {
        static final Ping INSTANCE = new Ping();
    }

    /** A command or answer that none of the records above holds (for example the answer to an abort). */
    record Other(String command, Map<String, RawJson> fields) implements FromManager {
    }

    private static String text(RawJson v) {
        return v != null && v.isString() ? v.asText() : null;
    }

    private static String idText(RawJson v) {
        return v.isString() ? v.asText() : v.toString();
    }

    private static RawJson truthy(RawJson v) {
        return v != null && v.isTruthy() ? v : null;
    }

    private static int count(RawJson v) {
        long n = JsNumbers.parseInt(v);
        return n == JsNumbers.NAN ? 0 : (int) n;
    }

    /** The elements of an id list as strings, or {@code null} when it is not an array. */
    private static List<String> ids(RawJson list) {
        if (list == null || !list.isArray()) {
            return null;
        }
        List<RawJson> items = list.elements();
        if (items.size() == 1) {
            return Collections.singletonList(idText(items.get(0))); // one work: no list to fill
        }
        List<String> ids = new ArrayList<>(items.size());
        for (RawJson item : items) {
            ids.add(idText(item));
        }
        return Collections.unmodifiableList(ids);
    }
}
