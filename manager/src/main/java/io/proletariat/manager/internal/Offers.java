package io.proletariat.manager.internal;

import io.proletariat.protocol.JsNumbers;
import io.proletariat.protocol.RawJson;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a worker's {@code slots} into priority ranges exactly as the original (docs/protocol.md, Slots, offers and priority ranges).
 *
 * <p>Accepted forms: a number {@code > 0}, rounded up (2.5 runs 3 works, as in the original), or an
 * object mapping minimum priority to slot count that has a key {@code "0"}. Keys and values are
 * truncated to integers as the original's {@code parseInt} does; entries
 * with a negative or non-numeric key or value are dropped. Anything else is invalid.
 */
final class Offers {
    private Offers() {
    }

    /** The normalised offer (priority to slots, ascending), or null when invalid. */
    static TreeMap<Integer, Long> parse(RawJson slots) {
        if (slots == null) {
            return null;
        }
        TreeMap<Integer, Long> offer = new TreeMap<>();
        if (slots.isNumber()) {
            double n = slots.asDouble();
            if (!(n > 0) || n > Integer.MAX_VALUE) {
                return null;
            }
            // The original keeps 2.5 and runs works while busy < 2.5, i.e. 3: ceil is its effective concurrency.
            offer.put(0, (long) Math.ceil(n));
            return offer;
        }
        if (!slots.isObject()) {
            return null;
        }
        Map<String, RawJson> fields = slots.fields();
        RawJson zero = fields.get("0");
        if (zero == null || JsNumbers.parseInt(zero) < 0) {
            return null;
        }
        for (Map.Entry<String, RawJson> e : fields.entrySet()) {
            long key = JsNumbers.parseInt(e.getKey());
            long value = JsNumbers.parseInt(e.getValue());
            if (key < 0 || key > Integer.MAX_VALUE || value < 0) {
                continue;
            }
            offer.put((int) key, value);
        }
        long total = 0;
        for (long v : offer.values()) {
            total += v;
        }
        return total > Integer.MAX_VALUE ? null : offer;
    }

    /** The ranges of an offer: cumulative limits, or in sacred mode {@code s0} then {@code si + s0}. */
    static Range[] ranges(TreeMap<Integer, Long> offer, boolean sacred) {
        Range[] ranges = new Range[offer.size()];
        long s0 = offer.get(0);
        long cumulative = 0;
        int i = 0;
        for (Map.Entry<Integer, Long> e : offer.entrySet()) {
            cumulative += e.getValue();
            long limit = !sacred ? cumulative : i == 0 ? s0 : e.getValue() + s0;
            ranges[i++] = new Range(e.getKey(), limit);
        }
        return ranges;
    }
}
