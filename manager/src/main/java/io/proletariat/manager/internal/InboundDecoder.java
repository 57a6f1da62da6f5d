package io.proletariat.manager.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.proletariat.protocol.MalformedJsonException;
import io.proletariat.protocol.RawJson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Turns frame payloads into {@link Inbound} messages, on the connection's I/O thread. */
final class InboundDecoder extends MessageToMessageDecoder<byte[]> {

    @Override
    protected void decode(ChannelHandlerContext ctx, byte[] payload, List<Object> out) {
        out.add(decode(payload));
    }

    static Inbound decode(byte[] payload) {
        RawJson root;
        try {
            root = RawJson.parse(payload);
        } catch (MalformedJsonException e) {
            return new Inbound.BadJson();
        }
        if (!root.isObject()) {
            return new Inbound.Unknown(null);
        }
        Map<String, RawJson> f = root.fields();
        RawJson command = f.get("command");
        String name = command == null ? null : command.asText();
        if (name == null) {
            return new Inbound.Unknown(command);
        }
        switch (name) {
            case "offer":
                return new Inbound.Offer(f.get("slots"));
            case "push": {
                RawJson work = f.get("work");
                return new Inbound.Push(work, work != null && work.isArray() ? work.elements() : null,
                        f.get("rid"), f.get("group"), f.get("priority"), f.get("timeout"), f.get("assigntimeout"));
            }
            case "done":
                return new Inbound.Done(doneItems(f.get("work")));
            case "answer":
                return answer(f);
            case "abort":
                return new Inbound.Abort(f.get("rid"), f.get("work"));
            case "ping":
                return new Inbound.Ping();
            case "mystatus":
                return new Inbound.MyStatus();
            case "status":
                return new Inbound.Status();
            case "sysmsg":
                return new Inbound.Sysmsg(f.get("id"), f.get("to"), f.get("content"));
            case "cleanup":
            case "gc":
            case "dumpall":
                return new Inbound.Admin(name);
            default:
                return new Inbound.Unknown(command);
        }
    }

    private static Inbound answer(Map<String, RawJson> f) {
        RawJson to = f.get("to");
        String target = to == null ? null : to.asText();
        if (target == null) {
            return new Inbound.UnknownAnswer();
        }
        switch (target) {
            case "push":
                return new Inbound.PushAnswer(ids(f.get("accepted")), ids(f.get("rejected")));
            case "sysmsg": {
                RawJson id = f.get("id");
                return new Inbound.SysmsgAck(id == null ? null : id.asText());
            }
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
        for (RawJson e : list.elements()) {
            String id = e.asText();
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static List<Inbound.DoneItem> doneItems(RawJson work) {
        if (work == null || !work.isArray()) {
            return null;
        }
        List<RawJson> elements = work.elements();
        List<Inbound.DoneItem> items = new ArrayList<>(elements.size());
        for (RawJson e : elements) {
            Map<String, RawJson> item = e.fields();
            RawJson id = item.get("id");
            RawJson result = item.get("result");
            RawJson err = result == null ? null : result.fields().get("err");
            String code = null;
            if (err != null && err.isTruthy()) {
                RawJson c = err.fields().get("code");
                code = c == null || !c.isTruthy() ? "ERROR" : c.isString() ? c.asText() : c.toString();
            }
            items.add(new Inbound.DoneItem(id == null ? null : id.asText(), result, code, err));
        }
        return items;
    }
}
