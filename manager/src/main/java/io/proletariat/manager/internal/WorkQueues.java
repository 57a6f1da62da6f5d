package io.proletariat.manager.internal;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The queued works, one FIFO per priority, visited highest priority first. Works that leave a
 * queue other than by being polled (abort, assign timeout, client gone) are only counted out and
 * skipped when reached, so removal is O(1); a queue is compacted when dead entries outnumber live
 * ones. Core thread only.
 */
final class WorkQueues {
    static final class Level {
        final int priority;
        /** The queues it belongs to. */
        final WorkQueues owner;
        final ArrayDeque<Work> works = new ArrayDeque<>();
        int live;
        int dead;

        Level(int priority, WorkQueues owner) {
            this.priority = priority;
            this.owner = owner;
        }

        /** The next live queued work, removed; null when none. */
        Work poll() {
            Work w;
            while ((w = works.pollFirst()) != null) {
                if (w.state() == Work.State.QUEUED) {
                    live--;
                    return w;
                }
                dead--;
            }
            return null;
        }
    }

    private final NavigableMap<Integer, Level> levels = new TreeMap<>();
    private long size;
    /** The work type these queues hold; null for the untyped works' queues. */
    final WorkType type;

    /** The untyped works' queues. */
    WorkQueues() {
        this(null);
    }

    WorkQueues(WorkType type) {
        this.type = type;
    }

    long size() {
        return size;
    }

    /** Queues a new work at the back of its priority. */
    void addLast(Work w) {
        add(w, false);
    }

    /** Puts a work back at the front of its priority, ahead of every waiting work. */
    void addFirst(Work w) {
        add(w, true);
    }

    /** Puts back, at the front, a work polled in a pass that no worker was chosen for: it stays QUEUED. */
    void putBack(Work w) {
        enter(w, true);
    }

    private void add(Work w, boolean front) {
        w.moveTo(Work.State.QUEUED);
        enter(w, front);
    }

    private void enter(Work w, boolean front) {
        w.queuedNanos = System.nanoTime();
        Level level = level(w.priority());
        if (front) {
            level.works.addFirst(w);
        } else {
            level.works.addLast(w);
        }
        level.live++;
        size++;
    }

    /** Accounts for a queued work that left the queue other than by {@link Level#poll()}; move it out of QUEUED first. */
    void removed(Work w) {
        Level level = levels.get(w.priority());
        level.live--;
        level.dead++;
        size--;
        if (level.dead > 1024 && level.dead > level.live) {
            level.works.removeIf(x -> x.state() != Work.State.QUEUED);
            level.dead = 0;
        }
    }

    /** Called after a work was polled from a level. */
    void polled() {
        size--;
    }

    /** Levels holding live works, highest priority first; empty levels are dropped on the way. */
    Iterator<Level> highestFirst() {
        Iterator<Level> it = levels.descendingMap().values().iterator();
        return new Iterator<>() {
            Level next = advance();

            private Level advance() {
                while (it.hasNext()) {
                    Level l = it.next();
                    if (l.live > 0) {
                        return l;
                    }
                    if (l.dead == 0 || l.works.isEmpty()) {
                        it.remove();
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Level next() {
                Level l = next;
                next = advance();
                return l;
            }
        };
    }

    /** Queued works per priority, for status. */
    NavigableMap<Integer, Integer> lengths() {
        NavigableMap<Integer, Integer> m = new TreeMap<>();
        levels.forEach((p, l) -> {
            if (l.live > 0) {
                m.put(p, l.live);
            }
        });
        return m;
    }

    /** Drops dead entries where there are any (the cleanup routine); a queue without them is not scanned. */
    void compact() {
        Iterator<Level> it = levels.values().iterator();
        while (it.hasNext()) {
            Level l = it.next();
            if (l.dead > 0) {
                l.works.removeIf(x -> x.state() != Work.State.QUEUED);
                l.dead = 0;
            }
            if (l.works.isEmpty()) {
                it.remove();
            }
        }
    }

    private Level level(int priority) {
        Level l = levels.get(priority);
        if (l == null) {
            l = new Level(priority, this);
            levels.put(priority, l);
        }
        return l;
    }
}
