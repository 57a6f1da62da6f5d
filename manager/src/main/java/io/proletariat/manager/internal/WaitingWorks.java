package io.proletariat.manager.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The works that wait for a time: delayed ones ({@code delay}, {@code notBefore}) and retries in
 * their backoff. One binary min-heap of works ordered by due time, then by the order they entered,
 * with one timer on the loop for the head: O(log n) to add and to remove any work (each work knows
 * its position, {@link Work#waitIndex}), nothing allocated per work but the heap's array slot, so a
 * million waiting works cost about 4 bytes each beyond the works themselves. A per-work
 * {@code ScheduledFuture} would cost a hundred bytes and a task in Netty's own queue each.
 *
 * <p>Time is the loop's clock ({@code loop.ticker()}), which a test can freeze and move. Works that
 * are due are handed to {@code onDue} at most {@value #RELEASE_PER_TASK} per task, so a million
 * works due at once do not hold the core; the rest follow in the next tasks. Core thread only.
 */
final class WaitingWorks {
    /** Works handed over per task when many are due at once; the next task takes the next ones. */
    static final int RELEASE_PER_TASK = 10_000;

    private final EventLoop loop;
    private final UnaryOperator<Runnable> guard;
    private Consumer<Work> onDue;
    private Work[] heap = new Work[16];
    private int size;
    private long seq;
    private ScheduledFuture<?> timer;
    /** When {@link #timer} fires, on the loop's clock. */
    private long timerAt;
    private final Runnable fire;
    /** The rest of a large release, queued behind the loop's waiting events. */
    private final Runnable releaseMore;
    /** {@link #releaseMore} is queued: it arms the timer when it is done. */
    private boolean releasing;

    WaitingWorks(EventLoop loop, UnaryOperator<Runnable> guard) {
        this.loop = loop;
        this.guard = guard;
        this.fire = guard.apply(this::fire);
        this.releaseMore = guard.apply(this::release);
    }

    /** Who takes the works that come due. */
    void onDue(Consumer<Work> onDue) {
        this.onDue = onDue;
    }

    int size() {
        return size;
    }

    /** The loop's clock, in nanoseconds. */
    long now() {
        return loop.ticker().nanoTime();
    }

    /** Adds a work due at {@code dueNanos} (the loop's clock); it must not be waiting already. */
    void add(Work w, long dueNanos) {
        if (w.waitIndex >= 0) {
            throw new IllegalStateException("work " + w.id + " is waiting already");
        }
        w.dueNanos = dueNanos;
        w.waitSeq = seq++;
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size + (size >> 1));
        }
        heap[size] = w;
        w.waitIndex = size;
        up(size++);
        if (heap[0] == w) {
            arm();
        }
    }

    /** Takes a waiting work out (aborted, its client gone, taken over); false when it was not waiting. */
    boolean remove(Work w) {
        int i = w.waitIndex;
        if (i < 0 || i >= size || heap[i] != w) {
            return false;
        }
        Work last = heap[--size];
        heap[size] = null;
        w.waitIndex = -1;
        if (i < size) {
            heap[i] = last;
            last.waitIndex = i;
            down(i);
            up(last.waitIndex);
        }
        if (size == 0 && timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (heap.length > 64 && size < heap.length >> 2) {
            heap = Arrays.copyOf(heap, heap.length >> 1); // a million released: give the array back
        }
        return true;
    }

    /** The work due first, or null. */
    Work peek() {
        return size == 0 ? null : heap[0];
    }

    /** Sets the one timer for the head, unless one fires before it already (firing early only re-arms). */
    private void arm() {
        if (size == 0 || releasing) {
            return;
        }
        long due = heap[0].dueNanos;
        if (timer != null) {
            if (timerAt - due <= 0) {
                return;
            }
            timer.cancel(false);
        }
        timerAt = due;
        timer = loop.schedule(fire, Math.max(0, due - now()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        timer = null;
        release();
    }

    /** Hands over the works that are due, at most {@link #RELEASE_PER_TASK}, then arms the timer for the next. */
    private void release() {
        releasing = false;
        long now = now();
        int released = 0;
        while (size > 0 && heap[0].dueNanos - now <= 0) {
            if (released++ == RELEASE_PER_TASK) {
                releasing = true;
                loop.execute(releaseMore); // the rest in the next task, behind the events waiting
                return;
            }
            Work w = heap[0];
            remove(w);
            onDue.accept(w);
        }
        arm();
    }

    private static boolean before(Work a, Work b) {
        long d = a.dueNanos - b.dueNanos;
        return d < 0 || d == 0 && a.waitSeq < b.waitSeq;
    }

    private void up(int i) {
        Work w = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Work p = heap[parent];
            if (!before(w, p)) {
                break;
            }
            heap[i] = p;
            p.waitIndex = i;
            i = parent;
        }
        heap[i] = w;
        w.waitIndex = i;
    }

    private void down(int i) {
        Work w = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Work c = heap[child];
            int right = child + 1;
            if (right < size && before(heap[right], c)) {
                c = heap[child = right];
            }
            if (!before(c, w)) {
                break;
            }
            heap[i] = c;
            c.waitIndex = i;
            i = child;
        }
        heap[i] = w;
        w.waitIndex = i;
    }
}
