package io.proletariat.manager.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Works sharing an args {@code _key} ({@code holdSimilarWork}, the original's HOLDSIMILARWORK): one
 * live work per key, the owner; later ones are held behind it and finish with its result. When the
 * owner leaves without a result (aborted, timed out, its client gone) the longest-held work takes its
 * place. Core thread only.
 */
final class KeyHolds {
    /**
     * The owner of a key and the works held behind it, in arrival order. A linked set, so an abort or
     * assign timeout removes a held work in O(1) (a deque's remove scanned, and aborting 300,000 held
     * works took 20 s). Bounded by {@code maxPendingWorks} per client.
     */
    private static final class Hold {
        Work owner;
        final LinkedHashSet<Work> held = new LinkedHashSet<>();

        Hold(Work owner) {
            this.owner = owner;
        }
    }

    private final Map<String, Hold> holds = new HashMap<>();
    private long heldCount;

    /** Works held behind another, for status. */
    long heldCount() {
        return heldCount;
    }

    /**
     * A new keyed work: held (and true) when a live work has its key, else it becomes the key's
     * owner (false) and is to be queued.
     */
    boolean hold(Work w) {
        Hold hold = holds.get(w.key);
        if (hold == null) {
            holds.put(w.key, new Hold(w));
            return false;
        }
        w.moveTo(Work.State.HELD);
        hold.held.add(w);
        heldCount++;
        return true;
    }

    /** A held work leaves (aborted, timed out); O(1). */
    void unhold(Work w) {
        holds.get(w.key).held.remove(w);
        heldCount--;
    }

    /**
     * The owner of its key left without a result: the longest-held work, returned, owns the key now
     * and is to be queued; null when none was held (the key is free) or {@code w} owned no key.
     */
    Work release(Work w) {
        Hold hold = w.key == null ? null : holds.get(w.key);
        if (hold == null || hold.owner != w) {
            return null;
        }
        Iterator<Work> it = hold.held.iterator();
        if (!it.hasNext()) {
            holds.remove(w.key);
            return null;
        }
        Work next = it.next();
        it.remove();
        heldCount--;
        hold.owner = next;
        return next;
    }

    /** The owner of its key finished: the key is free, and the works held behind it, returned in arrival order, finish too. */
    Collection<Work> finished(Work w) {
        Hold hold = w.key == null ? null : holds.get(w.key);
        if (hold == null || hold.owner != w) {
            return List.of();
        }
        holds.remove(w.key);
        heldCount -= hold.held.size();
        return hold.held;
    }
}
