package io.proletariat.manager.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.proletariat.protocol.FrameParser;
import io.proletariat.protocol.JsNumbers;
import io.proletariat.protocol.MalformedJsonException;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.WorkTypeNames;
import java.io.IOException;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * Turns frame payloads into {@link Inbound} messages, on the connection's I/O thread.
 *
 * <p>One streaming pass over the frame keeps the members the manager reads as raw slices. The
 * original writes {@code command} last, so the {@code work} list is read in a form that serves
 * both: each element as a slice (a push's works) and, for objects, its {@code id}, {@code result}
 * and {@code result.err} (a done's results). Payloads are never parsed into trees.
 */
final class InboundDecoder extends MessageToMessageDecoder<byte[]> {

    @Override
    protected void decode(ChannelHandlerContext ctx, byte[] payload, List<Object> out) {
        out.add(decode(payload));
    }

    /**
     * The members of a frame the manager reads; everything else is skipped. One per I/O thread,
     * reused for every frame it decodes ({@link #clear()} after each), so decoding allocates only
     * what the decoded message keeps.
     */
    private static final class Members {
        RawJson command;
        RawJson work;
        RawJson rid;
        RawJson group;
        RawJson priority;
        RawJson timeout;
        RawJson assignTimeout;
        RawJson slots;
        RawJson to;
        RawJson id;
        RawJson content;
        RawJson session;
        RawJson resent;
        RawJson index;
        RawJson results;
        RawJson running;
        RawJson token;
        /** Our extension: work types (docs/protocol.md, "Work types and limits"). */
        RawJson type;
        RawJson types;
        RawJson untyped;
        RawJson max;
        /** A push's retries and delay (our extension, {@link PushTiming}). */
        RawJson retries, backoff, backoffMax, retryOn, delay, notBefore;
        /** Our extensions: progress, and the operator commands works and cancel ({@code type} above filters works too). */
        RawJson progress, ids, client, worker, limit;
        RawJson prefetch;
        /** A done's {@code started} and {@code recalled} string ids (our workers' prefetch) when they are arrays, else null. */
        List<String> startedIds;
        List<String> recalledIds;
        /** The string ids in an answer's {@code accepted} and {@code rejected} when they are arrays, else null. */
        List<String> acceptedIds;
        List<String> rejectedIds;
        /** The {@code work} list when it is an array (else null), for a push: scratch, copied out by {@link #push}. */
        List<RawJson> elements;
        /** The same list read as a done's results: scratch, copied out for a done. */
        List<Inbound.DoneItem> items;
        /** The whole frame's length. */
        long frameLength;
        byte[] payload;
        /** Where the {@code work} list is in {@link #payload} when it is an array ({@code workListEnd} -1 when not). */
        int workListStart;
        int workListEnd = -1;
        private final List<RawJson> elementsScratch = new ArrayList<>();
        private final List<Inbound.DoneItem> itemsScratch = new ArrayList<>();
        /** The frames' parser, reused from frame to frame. */
        final FrameParser parser = new FrameParser();

        /** The {@code work} member as sent; null when absent. */
        RawJson work() {
            return work != null || workListEnd < 0 ? work : RawJson.parse(payload, workListStart, workListEnd - workListStart);
        }

        /** Forgets the last frame (its slices would otherwise keep its payload alive). */
        void clear() {
            payload = null;
            workListEnd = -1;
            command = work = rid = group = priority = timeout = assignTimeout = slots = to = id = content = null;
            session = resent = index = results = running = token = prefetch = null;
            type = types = untyped = max = null;
            retries = backoff = backoffMax = retryOn = delay = notBefore = null;
            progress = ids = client = worker = limit = null;
            acceptedIds = rejectedIds = startedIds = recalledIds = null;
            elements = null;
            items = null;
            elementsScratch.clear();
            itemsScratch.clear();
        }
    }

    private static final FastThreadLocal<Members> MEMBERS = new FastThreadLocal<>() {
        @Override
        protected Members initialValue() {
            return new Members();
        }
    };

    static Inbound decode(byte[] payload) {
        Members m = MEMBERS.get();
        try {
            return decode(payload, m);
        } finally {
            m.clear();
        }
    }

    private static Inbound decode(byte[] payload, Members m) {
        m.frameLength = payload.length;
        m.payload = payload;
        boolean clean = false;
        try {
            JsonParser p = m.parser.open(payload);
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                RawJson.parse(payload); // any other valid JSON value is an unknown command
                return new Inbound.Unknown(null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.START_ARRAY) {
                    if ("work".equals(name)) {
                        readWorkList(p, payload, m);
                        continue;
                    }
                    if ("accepted".equals(name) || "rejected".equals(name) || "started".equals(name) || "recalled".equals(name)) {
                        List<String> ids = readIds(p);
                        switch (name) {
                            case "accepted": m.acceptedIds = ids; break;
                            case "rejected": m.rejectedIds = ids; break;
                            case "started": m.startedIds = ids; break;
                            default: m.recalledIds = ids; break;
                        }
                        continue;
                    }
                }
                if (!MEMBERS_READ.contains(name)) {
                    RawJson.skip(p); // checked as capture checks it, but kept nowhere
                    continue;
                }
                RawJson value = name.equals("command") || name.equals("to") ? captureName(p, payload) : RawJson.capture(p, payload);
                switch (name) {
                    case "command": m.command = value; break;
                    case "work": m.work = value; m.workListEnd = -1; break;
                    case "rid": m.rid = value; break;
                    case "group": m.group = value; break;
                    case "priority": m.priority = value; break;
                    case "timeout": m.timeout = value; break;
                    case "assigntimeout": m.assignTimeout = value; break;
                    case "slots": m.slots = value; break;
                    case "to": m.to = value; break;
                    case "id": m.id = value; break;
                    case "content": m.content = value; break;
                    case "session": m.session = value; break;
                    case "resent": m.resent = value; break;
                    case "index": m.index = value; break;
                    case "results": m.results = value; break;
                    case "running": m.running = value; break;
                    case "token": m.token = value; break;
                    case "type": m.type = value; break;
                    case "types": m.types = value; break;
                    case "untyped": m.untyped = value; break;
                    case "max": m.max = value; break;
                    case "retries": m.retries = value; break;
                    case "backoff": m.backoff = value; break;
                    case "backoffMax": m.backoffMax = value; break;
                    case "retryOn": m.retryOn = value; break;
                    case "delay": m.delay = value; break;
                    case "notBefore": m.notBefore = value; break;
                    case "progress": m.progress = value; break;
                    case "ids": m.ids = value; break;
                    case "client": m.client = value; break;
                    case "worker": m.worker = value; break;
                    case "limit": m.limit = value; break;
                    case "prefetch": m.prefetch = value; break;
                    case "started": m.startedIds = null; break;
                    case "recalled": m.recalledIds = null; break;
                    case "accepted": m.acceptedIds = null; break;
                    case "rejected": m.rejectedIds = null; break;
                    default: break;
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return new Inbound.BadJson();
            }
            clean = true;
        } catch (IOException | MalformedJsonException e) {
            return new Inbound.BadJson();
        } finally {
            m.parser.close(clean);
        }
        try {
            return message(m);
        } catch (MalformedJsonException e) {
            return new Inbound.BadJson(); // cannot happen for text that passed the first pass
        }
    }

    /**
     * A system message's content may wait in the listener queue, which counts its bytes: copy it
     * out when it is a small part of a large frame, so the queue's bound holds for the frame too.
     */
    private static Inbound sysmsg(Members m) {
        RawJson content = m.content;
        if (content != null && m.frameLength > COPY_BELOW_BYTES && content.byteLength() < m.frameLength / 2) {
            content = content.compact();
        }
        return new Inbound.Sysmsg(m.id, m.to, content);
    }

    /** The members {@link #decode} keeps (but for arrays of work ids and the work list, read apart). */
    private static final Set<String> MEMBERS_READ = Set.of("command", "work", "rid", "group", "priority", "timeout",
            "assigntimeout", "slots", "to", "id", "content", "accepted", "rejected", "session", "resent", "index", "results", "running", "token",
            "type", "types", "untyped", "max",
            "retries", "backoff", "backoffMax", "retryOn", "delay", "notBefore",
            "progress", "ids", "client", "worker", "limit",
            "prefetch", "started", "recalled");

    /** The commands and answer targets the manager knows, so that reading one makes no String. */
    private static final String[] NAMES = {"push", "done", "answer", "offer", "abort", "ping", "drain", "mystatus", "status",
        "sysmsg", "cleanup", "gc", "dumpall", "resume", "auth", "limit", "progress", "works", "cancel"};
    private static final RawJson[] NAME_JSON = Arrays.stream(NAMES).map(RawJson::ofString).toArray(RawJson[]::new);
    private static final byte[][] NAME_BYTES = Arrays.stream(NAME_JSON).map(RawJson::toBytes).toArray(byte[][]::new);

    /**
     * A {@code command} or {@code to} value as {@link RawJson#capture(JsonParser, byte[])} reads it,
     * but the shared constant when its text is byte for byte one of {@link #NAMES}.
     */
    private static RawJson captureName(JsonParser p, byte[] payload) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            return RawJson.capture(p, payload);
        }
        long start = FrameParser.tokenOffset(p);
        p.finishToken(); // the string is read to its end, as capture reads it
        int from = (int) start;
        int to = (int) FrameParser.offset(p);
        for (int i = 0; i < NAME_BYTES.length; i++) {
            if (Arrays.equals(payload, from, to, NAME_BYTES[i], 0, NAME_BYTES[i].length)) {
                return NAME_JSON[i];
            }
        }
        return RawJson.walked(p, payload, start);
    }

    /** The text of a string value ({@link RawJson#asText()}), the shared constant when it is one of {@link #NAMES}. */
    private static String text(RawJson v) {
        if (v == null) {
            return null;
        }
        for (int i = 0; i < NAME_JSON.length; i++) {
            if (v.equals(NAME_JSON[i])) {
                return NAMES[i];
            }
        }
        return v.asText();
    }

    private static Inbound message(Members m) {
        String name = text(m.command);
        if (name == null) {
            return new Inbound.Unknown(m.command);
        }
        switch (name) {
            case "offer":
                return offer(m);
            case "push":
                return push(m);
            case "done":
                return new Inbound.Done(m.items == null ? null : copyOf(m.items),
                        m.startedIds == null ? List.of() : m.startedIds, m.recalledIds == null ? List.of() : m.recalledIds);
            case "answer":
                return answer(m);
            case "abort":
                return new Inbound.Abort(m.rid, m.work());
            case "ping":
                return new Inbound.Ping();
            case "drain":
                return new Inbound.Drain();
            case "resume":
                return resume(m);
            case "mystatus":
                return new Inbound.MyStatus();
            case "status":
                return new Inbound.Status();
            case "sysmsg":
                return sysmsg(m);
            case "auth":
                return auth(m);
            case "limit":
                return limit(m);
            case "progress":
                return new Inbound.Progress(m.id != null && m.id.isString() ? m.id.asText() : null, m.progress);
            case "works":
                return OperatorCommands.listWorks(m.client, m.worker, m.type, m.running, m.limit);
            case "cancel":
                return OperatorCommands.cancel(m.ids, m.client);
            case "cleanup":
            case "gc":
            case "dumpall":
                return new Inbound.Admin(name);
            default:
                return new Inbound.Unknown(m.command);
        }
    }

    /**
     * A push, its numbers read as the original's {@code parseInt} reads them. Its works are kept as
     * slices of its frame only when they fill most of it; otherwise what the manager keeps (args,
     * request id, timeout) is copied out, so that a few small works in a large frame (padding, other
     * members) do not keep the whole frame alive while queued.
     */
    private static Inbound push(Members m) {
        List<RawJson> works = m.elements;
        RawJson rid = m.rid;
        RawJson group = m.group;
        RawJson timeout = m.timeout;
        long argBytes = 0;
        if (works != null) {
            for (RawJson w : works) {
                if (w.isNull()) {
                    works = null;
                    argBytes = 0;
                    break;
                }
                argBytes += w.byteLength();
            }
        }
        long frame = m.frameLength;
        if (works != null && frame > COPY_BELOW_BYTES && argBytes < frame / 2) {
            List<RawJson> copies = new ArrayList<>(works.size());
            for (RawJson w : works) {
                copies.add(w.compact());
            }
            works = copies;
            rid = rid == null ? null : rid.compact();
            group = group == null ? null : group.compact();
            timeout = timeout == null ? null : timeout.compact();
        }
        if (works == m.elements && works != null) {
            works = copyOf(works);
        }
        RawJson requestId = rid != null && rid.isTruthy() ? rid : group != null && group.isTruthy() ? group : null;
        String requestKey = requestId == null ? null : requestId.isString() ? requestId.asText() : requestId.toString();
        long priority = m.priority == null ? 0 : JsNumbers.parseInt(m.priority);
        if (priority == JsNumbers.NAN) {
            priority = 0; // the original's parseInt turns garbage into 0
        }
        long runTimeoutMs = milliseconds(timeout);
        return new Inbound.Push(rid, group, requestKey, works, argBytes, priority, runTimeoutMs > 0 ? timeout : null,
                runTimeoutMs, milliseconds(m.assignTimeout), identity(m, works), m.type == null ? null : typeName(m.type),
                PushTiming.read(m.retries, m.backoff, m.backoffMax, m.retryOn, m.delay, m.notBefore),
                m.progress != null && m.progress.isTruthy());
    }

    /** A type name as sent: null for JSON null (untyped), {@link Inbound#INVALID_TYPE} unless a valid name. */
    private static String typeName(RawJson v) {
        if (v.isNull()) {
            return null;
        }
        if (!v.isString() || v.byteLength() > 2 + WorkTypeNames.MAX_LENGTH) { // a valid name is ASCII, never escaped
            return Inbound.INVALID_TYPE;
        }
        String name = v.asText();
        return WorkTypeNames.isValid(name) ? name : Inbound.INVALID_TYPE;
    }

    /** An offer; {@code types} (our extension) must be an array of at most 64 valid names, duplicates merged. */
    private static Inbound offer(Members m) {
        if (m.types == null && m.untyped == null) {
            return new Inbound.Offer(m.slots, m.prefetch); // as the original sends it, or with our prefetch
        }
        boolean untyped = m.untyped != null && m.untyped.isTruthy();
        if (m.types == null || m.types.isNull()) {
            return new Inbound.Offer(m.slots, List.of(), untyped, false, m.prefetch);
        }
        if (!m.types.isArray()) {
            return new Inbound.Offer(m.slots, List.of(), untyped, true, m.prefetch);
        }
        List<RawJson> elements = m.types.elements();
        if (elements.size() > WorkTypeNames.MAX_PER_WORKER) {
            return new Inbound.Offer(m.slots, List.of(), untyped, true, m.prefetch);
        }
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        for (RawJson e : elements) {
            String name = typeName(e);
            if (name == null || name == Inbound.INVALID_TYPE) {
                return new Inbound.Offer(m.slots, List.of(), untyped, true, m.prefetch);
            }
            names.add(name);
        }
        return new Inbound.Offer(m.slots, List.copyOf(names), untyped, false, m.prefetch);
    }

    /** A limit command: its type (absent: list only) and its max (-1 none, -2 invalid). */
    private static Inbound limit(Members m) {
        String type = m.type == null || m.type.isNull() ? null : typeName(m.type);
        long max = -1;
        if (m.max != null && !m.max.isNull()) {
            max = -2;
            if (m.max.isNumber()) {
                double d = m.max.asDouble();
                if (d >= 0 && d <= Integer.MAX_VALUE && d == Math.rint(d)) {
                    max = (long) d;
                }
            }
        }
        return new Inbound.Limit(type, max);
    }

    /** Longest session id kept: the client's random id is a dozen characters. */
    static final int MAX_SESSION_LENGTH = 64;

    /**
     * The push's identity across managers, or null: without a short string {@code session}, or with an
     * {@code index} that is not one distinct index per work ≥ 0 (then the works are not recognised
     * after a failover, and nothing else changes).
     */
    private static Inbound.Identity identity(Members m, List<RawJson> works) {
        if (m.session == null || !m.session.isString() || works == null) {
            return null;
        }
        String session = m.session.asText();
        if (session.isEmpty() || session.length() > MAX_SESSION_LENGTH || session.indexOf('/') >= 0) {
            return null;
        }
        int[] indexes = null;
        if (m.index != null) {
            List<RawJson> list = m.index.isArray() ? m.index.elements() : null;
            if (list == null || list.size() != works.size()) {
                return null;
            }
            indexes = new int[list.size()];
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int i = 0; i < indexes.length; i++) {
                long n = list.get(i).isNumber() ? JsNumbers.parseInt(list.get(i)) : -1;
                if (n < 0 || n > Integer.MAX_VALUE || !seen.add((int) n)) {
                    return null;
                }
                indexes[i] = (int) n;
            }
        }
        return new Inbound.Identity(session, m.resent != null && m.resent.isTruthy(), indexes);
    }

    /** Most results and running identities one resume frame may carry; beyond, the rest is ignored. */
    static final int MAX_RESUMED = 100_000;

    /** A worker's resume: results kept as copies (they may wait for their client's resend), bad items skipped. */
    private static Inbound resume(Members m) {
        List<Inbound.ResumedResult> results = new ArrayList<>();
        if (m.results != null && m.results.isArray()) {
            for (RawJson item : m.results.elements()) {
                if (results.size() >= MAX_RESUMED || !item.isObject()) {
                    continue;
                }
                RawJson uid = item.fields().get("uid");
                RawJson result = item.fields().get("result");
                if (uid != null && uid.isString() && result != null && result.isObject()) {
                    results.add(new Inbound.ResumedResult(uid.asText(), result.compact()));
                }
            }
        }
        List<String> running = new ArrayList<>();
        if (m.running != null && m.running.isArray()) {
            for (RawJson uid : m.running.elements()) {
                if (running.size() < MAX_RESUMED && uid.isString()) {
                    running.add(uid.asText());
                }
            }
        }
        return new Inbound.Resume(results, running);
    }

    /** An auth frame: its token when it is a string no longer than a token may be. */
    private static Inbound auth(Members m) {
        RawJson t = m.token;
        if (t == null || !t.isString() || t.byteLength() > 2 + 6 * io.proletariat.manager.internal.auth.AuthFile.MAX_TOKEN_LENGTH) {
            return new Inbound.Auth(null);
        }
        String token = t.asText();
        return new Inbound.Auth(token.length() > io.proletariat.manager.internal.auth.AuthFile.MAX_TOKEN_LENGTH ? null : token);
    }

    /** A scratch list's elements in an immutable list of their own, at its exact size (one element: no array). */
    private static <T> List<T> copyOf(List<T> scratch) {
        return scratch.size() == 1 ? List.of(scratch.get(0)) : List.copyOf(scratch);
    }

    /** A {@code timeout} or {@code assigntimeout} in ms as the original reads it: 0 when absent, falsy or NaN. */
    private static long milliseconds(RawJson v) {
        if (v == null || !v.isTruthy()) {
            return 0;
        }
        long ms = JsNumbers.parseInt(v);
        return ms == JsNumbers.NAN ? 0 : ms;
    }

    /** Frames up to this size are kept whole: copying would save little. */
    static final int COPY_BELOW_BYTES = 4096;

    private static Inbound answer(Members m) {
        String target = text(m.to);
        if (target == null) {
            return new Inbound.UnknownAnswer();
        }
        switch (target) {
            case "push":
                return new Inbound.PushAnswer(ids(m.acceptedIds), ids(m.rejectedIds));
            case "sysmsg":
                return new Inbound.SysmsgAck(m.id == null ? null : m.id.asText());
            case "ping":
                return new Inbound.PingAnswer();
            default:
                return new Inbound.UnknownAnswer();
        }
    }

    private static List<String> ids(List<String> ids) {
        return ids == null ? Collections.emptyList() : ids;
    }

    /** Reads an answer's {@code accepted} or {@code rejected} array at the parser's current {@code [}: its string elements. */
    private static List<String> readIds(JsonParser p) throws IOException {
        List<String> ids = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
            if (t == JsonToken.VALUE_STRING) {
                ids.add(p.getText());
            } else {
                p.skipChildren();
            }
        }
        return ids;
    }

    /**
     * Reads the {@code work} list at the parser's current {@code [}: every element as a slice, and
     * for objects their {@code id}, {@code result} and the result's {@code err}, in one pass.
     */
    private static void readWorkList(JsonParser p, byte[] payload, Members m) throws IOException {
        long listStart = FrameParser.tokenOffset(p);
        List<RawJson> elements = m.elementsScratch;
        List<Inbound.DoneItem> items = m.itemsScratch;
        elements.clear();
        items.clear();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
            if (t != JsonToken.START_OBJECT) {
                elements.add(RawJson.capture(p, payload));
                items.add(Inbound.DoneItem.NONE);
                continue;
            }
            long start = FrameParser.tokenOffset(p);
            String id = null;
            RawJson result = null;
            RawJson err = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("id".equals(name)) {
                    id = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                } else if ("result".equals(name)) {
                    if (v == JsonToken.START_OBJECT) {
                        // Look for err while walking the result, and keep the result as a slice.
                        long resultStart = FrameParser.tokenOffset(p);
                        err = null;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            boolean isErr = "err".equals(p.currentName());
                            p.nextToken();
                            if (isErr) {
                                err = RawJson.capture(p, payload);
                            } else {
                                p.skipChildren();
                            }
                        }
                        result = RawJson.walked(p, payload, resultStart);
                    } else {
                        result = RawJson.capture(p, payload);
                        err = null;
                    }
                } else {
                    p.skipChildren();
                }
            }
            elements.add(RawJson.walked(p, payload, start));
            items.add(id == null && result == null ? Inbound.DoneItem.NONE : new Inbound.DoneItem(id, result, errorCode(err), err));
        }
        m.work = null; // made from these offsets only when asked for (an abort's list): most frames never need it
        m.workListStart = (int) listStart;
        m.workListEnd = (int) FrameParser.offset(p);
        m.elements = elements;
        m.items = items;
    }

    /** Null for a success, else the error's {@code code} ("ERROR" when it has none). */
    private static String errorCode(RawJson err) {
        if (err == null || !err.isTruthy()) {
            return null;
        }
        RawJson code = err.isObject() ? err.fields().get("code") : null;
        return code == null || !code.isTruthy() ? "ERROR" : code.isString() ? code.asText() : code.toString();
    }
}
