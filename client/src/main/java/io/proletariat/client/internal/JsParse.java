package io.proletariat.client.internal;

import io.proletariat.protocol.RawJson;

/** JavaScript's {@code parseInt} on a JSON value, as the original reads timeouts (docs/protocol.md, Timeouts). */
public final class JsParse {
    private JsParse() {
    }

    /** {@code parseInt(value)}, or {@code null} for NaN (missing, non-numeric, null...). */
    public static Long parseInt(RawJson value) {
        if (value == null) {
            return null;
        }
        if (value.isNumber()) {
            double d = value.asDouble();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return null;
            }
            return (long) d; // truncation toward zero
        }
        if (value.isString()) {
            return parseInt(value.asText());
        }
        return null;
    }

    static Long parseInt(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int start = i;
        long v = 0;
        while (i < n && Character.isDigit(s.charAt(i)) && i - start < 18) {
            v = v * 10 + (s.charAt(i) - '0');
            i++;
        }
        if (i == start) {
            return null;
        }
        return negative ? -v : v;
    }
}
