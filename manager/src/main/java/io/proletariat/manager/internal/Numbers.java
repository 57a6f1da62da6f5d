package io.proletariat.manager.internal;

import io.proletariat.protocol.RawJson;

/** The original's number handling: JavaScript {@code parseInt} on peer-supplied values. */
final class Numbers {
    /** Returned for input without a leading integer (JavaScript's NaN). */
    static final long NAN = Long.MIN_VALUE;

    private Numbers() {
    }

    /**
     * JavaScript {@code parseInt(s)}: optional whitespace and sign, then the leading decimal digits;
     * {@link #NAN} when there are none. Saturates at ±Long.MAX_VALUE instead of losing precision.
     */
    static long parseInt(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int start = i;
        long value = 0;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            value = value > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : value * 10 + (s.charAt(i) - '0');
            i++;
        }
        if (i == start) {
            return NAN;
        }
        return negative ? -value : value;
    }

    /** {@code parseInt} of a JSON value: numbers truncate, strings parse, everything else is {@link #NAN}. */
    static long parseInt(RawJson v) {
        if (v == null) {
            return NAN;
        }
        if (v.isNumber()) {
            double d = v.asDouble();
            if (Double.isNaN(d)) {
                return NAN;
            }
            if (d >= Long.MAX_VALUE) {
                return Long.MAX_VALUE;
            }
            if (d <= -Long.MAX_VALUE) {
                return -Long.MAX_VALUE;
            }
            return (long) d;
        }
        if (v.isString()) {
            return parseInt(v.asText());
        }
        return NAN;
    }
}
