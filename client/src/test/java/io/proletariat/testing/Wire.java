package io.proletariat.testing;

import io.proletariat.protocol.RawJson;
import java.util.ArrayList;
import java.util.List;

/** Small readers for frames in tests. */
public final class Wire {
    private Wire() {
    }

    public static RawJson get(RawJson obj, String name) {
        return obj.fields().get(name);
    }

    public static String text(RawJson obj, String name) {
        RawJson v = obj.fields().get(name);
        return v != null && v.isString() ? v.asText() : null;
    }

    public static List<String> strings(RawJson array) {
        List<String> out = new ArrayList<>();
        for (RawJson e : array.elements()) {
            out.add(e.asText());
        }
        return out;
    }
}
