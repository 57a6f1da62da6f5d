package io.proletariat.protocol;

/**
 * JavaScript's {@code parseInt}, as the original reads every number a peer sends it (priorities,
 * timeouts, slot counts and ranges; docs/protocol.md, Timeouts). The one implementation of these
 * rules: the manager and the libraries must read a value the same way.
 */
public final class JsNumbers {
    /** What {@code parseInt} returns for input without a leading integer (JavaScript's NaN). */
    public static final long NAN = Long.MIN_VALUE;

    private JsNumbers() {
    }

    /**
     * {@code parseInt(s)}: optional whitespace and sign, then the leading decimal digits; {@link #NAN}
     * when there are none. Saturates at ±{@code Long.MAX_VALUE} where JavaScript would lose precision.
     */
    public static long parseInt(String s) {
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

    /**
     * {@code parseInt} of a JSON value: numbers truncate toward zero (saturating), strings parse as
     * {@link #parseInt(String)}, everything else (missing, {@code null}, objects...) is {@link #NAN}.
     */
    public static long parseInt(RawJson v) {
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
