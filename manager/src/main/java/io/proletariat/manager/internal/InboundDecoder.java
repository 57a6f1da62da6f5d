package io.proletariat.manager.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.proletariat.protocol.MalformedJsonException;
import io.proletariat.protocol.RawJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Turns frame payloads into {@link Inbound} messages, on the connection's I/O thread.
 *
 * <p>One streaming pass over the frame keeps the members the manager reads as raw slices (the
 * original writes {@code command} last, so nothing can be decided before the end); a second pass
 * over the {@code work} list alone splits it into works or results. Payloads are never parsed
 * into trees.
 */
final class InboundDecoder extends MessageToMessageDecoder<byte[]> {

    @Override
    protected void decode(ChannelHandlerContext ctx, byte[] payload, List<Object> out) {
        out.add(decode(payload));
    }

    /** The members of a frame the manager reads; everything else is skipped. */
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
        RawJson accepted;
        RawJson rejected;
    }

    static Inbound decode(byte[] payload) {
        Members m = new Members();
        try (JsonParser p = RawJson.parser(payload)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                RawJson.parse(payload); // any other valid JSON value is an unknown command
                return new Inbound.Unknown(null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                RawJson value = RawJson.capture(p, payload);
                switch (name) {
                    case "command": m.command = value; break;
                    case "work": m.work = value; break;
                    case "rid": m.rid = value; break;
                    case "group": m.group = value; break;
                    case "priority": m.priority = value; break;
                    case "timeout": m.timeout = value; break;
                    case "assigntimeout": m.assignTimeout = value; break;
                    case "slots": m.slots = value; break;
                    case "to": m.to = value; break;
                    case "id": m.id = value; break;
                    case "content": m.content = value; break;
                    case "accepted": m.accepted = value; break;
                    case "rejected": m.rejected = value; break;
                    default: break;
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return new Inbound.BadJson();
            }
        } catch (IOException | MalformedJsonException e) {
            return new Inbound.BadJson();
        }
        try {
            return message(m);
        } catch (MalformedJsonException e) {
            return new Inbound.BadJson(); // cannot happen for text that passed the first pass
        }
    }

    private static Inbound message(Members m) {
        String name = m.command == null ? null : m.command.asText();
        if (name == null) {
            return new Inbound.Unknown(m.command);
        }
        switch (name) {
            case "offer":
                return new Inbound.Offer(m.slots);
            case "push":
                return new Inbound.Push(m.work, m.work != null && m.work.isArray() ? m.work.elements() : null,
                        m.rid, m.group, m.priority, m.timeout, m.assignTimeout);
            case "done":
                return new Inbound.Done(doneItems(m.work));
            case "answer":
                return answer(m);
            case "abort":
                return new Inbound.Abort(m.rid, m.work);
            case "ping":
                return new Inbound.Ping();
            case "mystatus":
                return new Inbound.MyStatus();
            case "status":
                return new Inbound.Status();
            case "sysmsg":
                return new Inbound.Sysmsg(m.id, m.to, m.content);
            case "cleanup":
            case "gc":
            case "dumpall":
                return new Inbound.Admin(name);
            default:
                return new Inbound.Unknown(m.command);
        }
    }

    private static Inbound answer(Members m) {
        String target = m.to == null ? null : m.to.asText();
        if (target == null) {
            return new Inbound.UnknownAnswer();
        }
        switch (target) {
            case "push":
                return new Inbound.PushAnswer(ids(m.accepted), ids(m.rejected));
            case "sysmsg":
                return new Inbound.SysmsgAck(m.id == null ? null : m.id.asText());
            case "ping":
                return new Inbound.PingAnswer();
            default:
                return new Inbound.UnknownAnswer();
        }
    }

    private static List<String> ids(RawJson list) {
        if (list == null || !list.isArray()) {
            return Collections.emptyList();
        }
        List<String> ids = new ArrayList<>();
        try (JsonParser p = list.parser()) {
            p.nextToken();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                if (t == JsonToken.VALUE_STRING) {
                    ids.add(p.getText());
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
        return ids;
    }

    /**
     * The items of a done list in one pass: each item's {@code id}, its {@code result} as a slice,
     * and the result's {@code err.code} when it failed. Null when {@code work} is not a list.
     */
    private static List<Inbound.DoneItem> doneItems(RawJson work) {
        if (work == null || !work.isArray()) {
            return null;
        }
        List<Inbound.DoneItem> items = new ArrayList<>();
        try (JsonParser p = work.parser()) {
            p.nextToken();
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                if (t != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    items.add(new Inbound.DoneItem(null, null, null, null));
                    continue;
                }
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
                            long start = p.currentTokenLocation().getByteOffset();
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                boolean isErr = "err".equals(p.currentName());
                                p.nextToken();
                                if (isErr) {
                                    err = work.capture(p);
                                } else {
                                    p.skipChildren();
                                }
                            }
                            result = work.walked(p, start);
                        } else {
                            result = work.capture(p);
                            err = null;
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                items.add(new Inbound.DoneItem(id, result, errorCode(err), err));
            }
        } catch (IOException e) {
            throw new MalformedJsonException(e.getMessage());
        }
        return items;
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
