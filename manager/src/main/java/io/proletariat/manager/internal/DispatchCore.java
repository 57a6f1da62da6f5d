package io.proletariat.manager.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.ManagerStats;
import io.proletariat.manager.WorkSelector;
import io.proletariat.manager.WorkerSlots;
import io.proletariat.protocol.JsNumbers;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.Wire;
import io.proletariat.protocol.WireError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's single-threaded heart: every piece of scheduling state (connections, queues,
 * workers' slots, requests, held works, pending system messages, timers) lives here and is touched
 * only on {@link #loop}. I/O threads hand it decoded {@link Inbound} messages; it answers by
 * appending frames to each connection's output buffer, which is flushed once per batch of events.
 *
 * <p>A distribution pass is requested by every event that queues work or frees slots and runs once
 * the events already waiting have been processed, so bursts are placed together and nothing sleeps.
 */
final class DispatchCore {
    private static final Logger log = LoggerFactory.getLogger(DispatchCore.class);
    private final LimitLog limits = new LimitLog(log);
    /** Invalid frames after which a connection is closed: each one is answered, a stream of them is abuse. */
    static final int MAX_BAD_FRAMES = 100;
    /** Status and mystatus requests a connection may make a second (and in a burst). */
    static final long STATUS_PER_SECOND = 100;
    private final ConnectionLog connectionLog = new ConnectionLog(log);
    private static final RawJson EATO_ERROR = RawJson.of("{\"code\":\"EATO\",\"message\":\"Assign timeout\"}");
    /** The pass skips a worker that rejected works for this long, doubling per rejection up to the max. */
    static final long REJECT_BACKOFF_MIN_MS = 100;
    static final long REJECT_BACKOFF_MAX_MS = 1000;

    final EventLoop loop;
    private final ManagerOptions options;
    private final WorkSelector selector;
    /** Bytes of works and buffers against the global budgets (ARCHITECTURE.md, "Memory"). */
    final MemoryBudget memory;
    /** {@code maxConnections}, lowered to what the file descriptor limit allows ({@link ConnectionLimit}). */
    final int maxConnections;
    final Events events = new Events();
    private final Stats stats = new Stats();
    final Outbox outbox;
    private final SystemMessages systemMessages;
    private final long bootTime = System.currentTimeMillis();

    // All owned by the core thread.
    private final Map<String, Connection> connections = new LinkedHashMap<>();
    private final List<Connection> workers = new ArrayList<>();
    private final Map<String, Work> works = new HashMap<>();
    private final WorkQueues queues = new WorkQueues();
    private final Map<String, KeyHold> holds = new HashMap<>();
    private final List<Connection> batched = new ArrayList<>();
    private long globalTotal;
    private long globalBusy;
    private long heldCount;
    private long finishCount;
    private boolean isClean = true;
    /** AVAIL_THRESHOLD state: works were left waiting with every slot taken, since {@link #fullSinceNanos}. */
    private boolean wasFull;
    private long fullSinceNanos;
    private ScheduledFuture<?> deferredPass;
    /** A distribution pass is wanted at the end of this batch of events. */
    private boolean passRequested;
    /** The end-of-batch task (pass, then flush) is queued on the loop. */
    private boolean batchEndScheduled;
    private long connectionSeq;
    private long workSeq;
    private final List<ScheduledFuture<?>> periodic = new ArrayList<>();

    private final Runnable batchEndTask = guarded(this::endOfBatch);
    /**
     * Told of an {@link Error} (out of memory, a broken {@code WorkSelector}) on the core thread,
     * after which the core's state cannot be trusted; set by {@code ManagerServer}.
     */
    volatile java.util.function.Consumer<Throwable> onFatal = e -> { };

    /**
     * Works sharing a {@code _key}: the live one and those waiting for its result, in arrival order.
     * A linked set, so an abort or assign timeout removes a held work in O(1) (a deque's remove
     * scanned, and aborting 300,000 held works took 20 s). Bounded by {@code maxPendingWorks} per client.
     */
    private static final class KeyHold {
        Work owner;
        final LinkedHashSet<Work> held = new LinkedHashSet<>();

        /** The longest-held work, removed; null when none. O(1). */
        Work pollFirst() {
            Iterator<Work> it = held.iterator();
            if (!it.hasNext()) {
                return null;
            }
            Work first = it.next();
            it.remove();
            return first;
        }
    }

    /** A worker with room, as the selector sees it during one priority level of a pass. */
    private static final class Candidate implements WorkerSlots {
        final Connection worker;
        int available;

        Candidate(Connection worker, int available) {
            this.worker = worker;
            this.available = available;
        }

        @Override
        public String id() {
            return worker.id;
        }

        @Override
        public int available() {
            return available;
        }
    }

    DispatchCore(EventLoop loop, ManagerOptions options) {
        this.loop = loop;
        this.options = options;
        this.memory = new MemoryBudget(options.effectiveMaxQueuedBytes(), options.effectiveMaxBufferBytes());
        this.outbox = new Outbox(options.maxOutboundBuffer(), this::scheduleBatchEnd, memory, this::requestShed);
        this.systemMessages = new SystemMessages(loop, outbox, events, stats, limits, options.sysmsgTimeout(),
                options.maxPendingSysmsgs(), options.maxPendingSysmsgAcks(), options.maxSysmsgRate());
        this.selector = options.workSelector();
        long fds = ConnectionLimit.maxFileDescriptors();
        this.maxConnections = ConnectionLimit.effective(options.maxConnections(), fds);
        if (maxConnections < options.maxConnections()) {
            log.info("accepting at most {} connections, not {}: the process may open {} files (ulimit -n) and keeps {} for itself",
                    maxConnections, options.maxConnections(), fds, ConnectionLimit.RESERVE);
        }
    }

    /** Starts the keepalive and the periodic cleanup. */
    void start() {
        long ping = options.pingInterval().toMillis();
        periodic.add(loop.scheduleAtFixedRate(guarded(this::keepalive), ping, ping, TimeUnit.MILLISECONDS));
        long cleanup = options.cleanupCheckInterval().toMillis();
        periodic.add(loop.scheduleAtFixedRate(guarded(this::periodicCleanup), cleanup, cleanup, TimeUnit.MILLISECONDS));
    }

    /** Cancels the timers and closes every connection; returns their close futures. */
    List<io.netty.channel.ChannelFuture> stop() {
        periodic.forEach(f -> f.cancel(false));
        List<io.netty.channel.ChannelFuture> closing = new ArrayList<>();
        for (Connection c : new ArrayList<>(connections.values())) {
            outbox.flushNow(c);
            closing.add(c.channel.close());
        }
        events.shutdown();
        return closing;
    }

    // ---------------------------------------------------------------- connections

    /** Registers a new connection; null when {@code maxConnections} are open (it is refused and closed). */
    Connection connected(Channel channel) {
        if (connections.size() >= maxConnections) {
            refuse(channel);
            return null;
        }
        long now = System.currentTimeMillis();
        Connection c = new Connection("C" + now + "." + (connectionSeq++), channel, now, System.nanoTime());
        connections.put(c.id, c);
        stats.connectionsAccepted++;
        connectionLog.info("{} connected from {}", c.id, c.address);
        return c;
    }

    void disconnected(Connection c) {
        if (!c.open) {
            return;
        }
        c.open = false;
        connections.remove(c.id);
        connectionLog.info("{} ({}) from {} disconnected{}", c.id, c.type(), c.address,
                c.offered && !c.works.isEmpty() ? ": requeueing its " + c.works.size() + " running works"
                        : c.pendingWorks > 0 ? ": dropping its " + c.pendingWorks + " unanswered works" : "");
        if (c.out != null) {
            c.out.release();
            c.out = null;
        }
        // Its own requests first: works it pushed are dropped, wherever they are.
        if (!c.requests.isEmpty()) {
            Map<Connection, List<String>> aborts = new LinkedHashMap<>();
            for (Request r : new ArrayList<>(c.requests.values())) {
                for (Work w : r.works) {
                    if (w.live()) {
                        drop(w, aborts);
                        stats.givenUp++;
                        events.giveUp(w);
                    }
                }
            }
            c.requests.clear();
            sendAborts(aborts);
        }
        if (c.pauseTimer != null) {
            c.pauseTimer.cancel(false);
        }
        // Then the works it ran for others go back to the front of their queues.
        if (c.offered) {
            requeue(new ArrayList<>(c.works.values()));
            workers.remove(c);
            globalTotal -= c.totalSlots;
        }
        systemMessages.disconnected(c);
        requestPass();
    }

    /** A bare ETOOMANYCONN, then close: the channel never becomes a connection, so nothing it sends is read. */
    private void refuse(Channel channel) {
        limits.hit(LimitLog.Limit.MAX_CONNECTIONS, "refusing " + channel.remoteAddress() + " with ETOOMANYCONN: "
                + connections.size() + " connections open");
        channel.config().setAutoRead(false);
        outbox.refuse(channel, WireError.ETOOMANYCONN);
    }

    /** The peer announced a frame above the limit: answer ELARGEMSG and close, nothing else can be read. */
    void frameTooLarge(Connection c) {
        stats.badFrames++;
        limits.hit(LimitLog.Limit.MAX_FRAME, "closing " + c.id + " from " + c.address + " with ELARGEMSG: it announced a frame above "
                + options.maxFrameLength() + " bytes");
        outbox.bareError(c, WireError.ELARGEMSG, null);
        outbox.closeAfterFlush(c);
    }

    // ---------------------------------------------------------------- inbound

    void receive(Connection c, Inbound m) {
        if (!c.open || c.closing) {
            return;
        }
        if (options.debug()) {
            log.info("{} -> {}", c.id, m);
        }
        stats.framesIn++;
        if (m instanceof Inbound.BadJson) {
            stats.badFrames++;
            outbox.bareError(c, WireError.EBADJSON, null);
            countBadFrame(c);
            return;
        }
        c.lastSeenNanos = System.nanoTime();
        if (m instanceof Inbound.Push p) {
            push(c, p);
        } else if (m instanceof Inbound.Done d) {
            done(c, d);
        } else if (m instanceof Inbound.PushAnswer a) {
            pushAnswer(c, a);
        } else if (m instanceof Inbound.Offer o) {
            offer(c, o);
        } else if (m instanceof Inbound.Abort a) {
            abort(c, a);
        } else if (m instanceof Inbound.Sysmsg s) {
            systemMessages.send(c, s, connections);
        } else if (m instanceof Inbound.SysmsgAck a) {
            systemMessages.ack(c, a.id());
        } else if (m instanceof Inbound.Ping) {
            outbox.frame(c).beginObject().name("current").value(now()).name("to").value("ping").name("command").value("answer").endObject().endFrame();
        } else if (m instanceof Inbound.Drain) {
            drain(c);
        } else if (m instanceof Inbound.PingAnswer) {
            // Only activity.
        } else if (m instanceof Inbound.MyStatus) {
            if (statusAllowed(c)) {
                myStatus(c);
            }
        } else if (m instanceof Inbound.Status) {
            if (statusAllowed(c)) {
                status(c);
            }
        } else if (m instanceof Inbound.Admin a) {
            admin(c, a.command());
        } else if (m instanceof Inbound.UnknownAnswer) {
            outbox.bareError(c, WireError.EUNKNANDT, null);
            countBadFrame(c);
        } else if (m instanceof Inbound.Unknown u) {
            outbox.bareError(c, WireError.EUNKNCMD, u.command());
            countBadFrame(c);
        }
    }

    private void offer(Connection c, Inbound.Offer o) {
        if (c.offered) {
            outbox.answerError(c, "offer", WireError.EINVCMDSTAT1);
            return;
        }
        TreeMap<Integer, Long> offer = Offers.parse(o.slots());
        if (offer == null) {
            outbox.answerError(c, "offer", WireError.EINVSLOTNR);
            return;
        }
        c.offered = true;
        c.offer = offer;
        c.ranges = Offers.ranges(offer, options.sacredGuarantees());
        c.totalSlots = offer.values().stream().mapToLong(Long::longValue).sum();
        workers.add(c);
        globalTotal += c.totalSlots;
        endFullWait(); // new capacity: no reason to wait for slots to free up
        connectionLog.info("{} from {} offers {} slots ({})", c.id, c.address, c.totalSlots, offer);
        outbox.frame(c).beginObject().name("description").value("You are very nice comrade").name("you").value(c.id)
                .name("to").value("offer").name("command").value("answer").endObject().endFrame();
        requestPass();
    }

    /**
     * A worker that is leaving gracefully: its total shrinks to the works it holds and shrinks
     * further as each is answered or requeued (see {@link #detach}), so nothing new is sent to it.
     */
    private void drain(Connection c) {
        if (!c.offered) {
            outbox.answerError(c, "drain", WireError.EINVCMDSTAT2);
            return;
        }
        if (!c.draining) {
            c.draining = true;
            globalTotal -= c.totalSlots - c.busy;
            c.totalSlots = c.busy;
            log.info("worker {} is leaving: it finishes its {} running works and takes no more", c.id, c.busy);
        }
        outbox.frame(c).beginObject().name("running").value(c.busy)
                .name("to").value("drain").name("command").value("answer").endObject().endFrame();
    }

    /**
     * A status costs the core O(connections) and its answer is larger than the request: a
     * connection gets {@value #STATUS_PER_SECOND} a second (a burst of as many), and one asking
     * faster is told {@code ETOOMANYREQS} and closed. O(1), state per connection.
     */
    private boolean statusAllowed(Connection c) {
        if (c.statusRate.take()) {
            return true;
        }
        limits.hit(LimitLog.Limit.STATUS_RATE, "closing " + c.id + " from " + c.address + " with ETOOMANYREQS: more than "
                + STATUS_PER_SECOND + " status requests a second");
        outbox.bareError(c, WireError.ETOOMANYREQS, null);
        closeForAbuse(c);
        return false;
    }

    /** A frame that is not JSON or no command: the {@value #MAX_BAD_FRAMES}th closes the connection. */
    private void countBadFrame(Connection c) {
        if (++c.badFrames >= MAX_BAD_FRAMES) {
            // No peer of the protocol sends this much garbage: stop spending the core on it.
            limits.hit(LimitLog.Limit.BAD_FRAMES, "closing " + c.id + " from " + c.address + ": "
                    + MAX_BAD_FRAMES + " frames that are not JSON or not a command");
            closeForAbuse(c);
        }
    }

    /** Answered, then closed: nothing more is read from it, and what was already read is dropped. */
    private void closeForAbuse(Connection c) {
        c.closing = true;
        c.channel.config().setAutoRead(false);
        outbox.closeAfterFlush(c);
    }

    private void push(Connection c, Inbound.Push p) {
        RawJson requestId = p.rid() != null && p.rid().isTruthy() ? p.rid()
                : p.group() != null && p.group().isTruthy() ? p.group() : null;
        if (requestId == null) {
            pushError(c, p, WireError.ENORID);
            return;
        }
        List<RawJson> args = p.works();
        if (args == null || args.isEmpty() || args.stream().anyMatch(RawJson::isNull)) {
            pushError(c, p, WireError.EINVWORKL);
            return;
        }
        if (args.size() > options.maxWorksPerPush()) {
            limits.hit(LimitLog.Limit.MAX_WORKS_PER_PUSH, "refusing a push of " + args.size() + " works from " + c.id + " with ETOOMANYWORKS");
            pushError(c, p, WireError.ETOOMANYWORKS);
            return;
        }
        if (c.pendingWorks + args.size() > options.maxPendingWorks()) {
            limits.hit(LimitLog.Limit.MAX_PENDING_WORKS, "refusing a push of " + args.size() + " works from " + c.id + " with ETOOMANYPENDING: "
                    + c.pendingWorks + " of its works are unanswered");
            pushError(c, p, WireError.ETOOMANYPENDING);
            return;
        }
        long argBytes = 0;
        for (RawJson a : args) {
            argBytes += a.byteLength();
        }
        if (!memory.admits(argBytes)) {
            memory.refusedPushes++;
            limits.hit(LimitLog.Limit.MEMORY, "refusing a push of " + args.size() + " works (" + argBytes + " bytes) from " + c.id
                    + " with ENOMEM: live works hold " + memory.queuedBytes + " of " + memory.maxQueuedBytes + " bytes, buffers "
                    + memory.bufferBytes() + " of " + memory.maxBufferBytes);
            pushError(c, p, WireError.ENOMEM);
            return;
        }
        long priority = p.priority() == null ? 0 : JsNumbers.parseInt(p.priority());
        if (priority == JsNumbers.NAN) {
            priority = 0; // the original's parseInt turns garbage into 0
        }
        if (priority < 0 || priority > Integer.MAX_VALUE) {
            pushError(c, p, WireError.EINVPRIO);
            return;
        }
        long runTimeout = timeoutValue(p.timeout());
        long assignTimeout = timeoutValue(p.assignTimeout());
        if (runTimeout < 0 || assignTimeout < 0) {
            pushError(c, p, WireError.EINVTIMEOUT);
            return;
        }
        String key = requestId.isString() ? requestId.asText() : requestId.toString();
        if (c.requests.containsKey(key)) {
            pushError(c, p, WireError.EDUPRID);
            return;
        }
        c.pushed = true;
        c.pendingWorks += args.size();
        memory.queuedBytes += argBytes;
        isClean = false; // as the original: status reports isClean until the first push
        Request request = new Request(c, key, p.rid(), p.group(), (int) priority, args.size());
        c.requests.put(key, request);
        RawJson runTimeoutRaw = runTimeout > 0 ? p.timeout() : null;
        String prefix = workIdPrefix();
        for (int i = 0; i < args.size(); i++) {
            RawJson a = args.get(i);
            Work w = new Work(prefix + (workSeq++), request, i, a, runTimeoutRaw, assignTimeout, keyOf(a));
            request.works[i] = w;
            works.put(w.id, w);
        }
        JsonWriter out = outbox.frame(c).beginObject().name("work").beginArray();
        for (Work w : request.works) {
            out.raw(w.idJson);
        }
        out.endArray();
        echoRequestId(out, p).name("to").value("push").name("command").value("answer").endObject().endFrame();
        stats.pushed += args.size();
        stats.rates.pushed(args.size());
        for (Work w : request.works) {
            enqueue(w);
            armAssignTimer(w);
            events.receive(w);
        }
        requestPass();
    }

    /** Queues a new work, or parks it behind a live work with the same key. */
    private void enqueue(Work w) {
        if (w.key != null) {
            KeyHold hold = holds.get(w.key);
            if (hold != null) {
                w.state = Work.State.HELD;
                hold.held.add(w);
                heldCount++;
                return;
            }
            hold = new KeyHold();
            hold.owner = w;
            holds.put(w.key, hold);
        }
        queues.addLast(w);
    }

    private String keyOf(RawJson args) {
        if (!options.holdSimilarWork() || !args.isObject()) {
            return null;
        }
        RawJson key = args.fields().get("_key");
        return key == null || key.isNull() ? null : key.toString();
    }

    /** The {@code timeout}/{@code assigntimeout} in ms as the original reads it: 0 when absent, falsy or NaN; negative is invalid. */
    private static long timeoutValue(RawJson v) {
        if (v == null || !v.isTruthy()) {
            return 0;
        }
        long ms = JsNumbers.parseInt(v);
        return ms == JsNumbers.NAN ? 0 : ms;
    }

    private String workIdPrefix() {
        long ms = System.currentTimeMillis() % 1_000_000;
        StringBuilder sb = new StringBuilder(16).append('W');
        String digits = Long.toString(ms);
        for (int i = digits.length(); i < 6; i++) {
            sb.append('0');
        }
        return sb.append(digits).append('R').toString();
    }

    private void pushError(Connection c, Inbound.Push p, WireError error) {
        JsonWriter out = outbox.frame(c).beginObject();
        error.writeMember(out);
        echoRequestId(out, p).name("to").value("push").name("command").value("answer").endObject().endFrame();
    }

    /** Echoes the request id under each name the client used: {@code rid} (0.4) and/or {@code group} (0.3). */
    private static JsonWriter echoRequestId(JsonWriter out, Inbound.Push p) {
        if (p.rid() != null) {
            out.name("rid").raw(p.rid());
        }
        if (p.group() != null) {
            out.name("group").raw(p.group());
        }
        return out;
    }

    private void pushAnswer(Connection c, Inbound.PushAnswer a) {
        if (!c.offered) {
            return;
        }
        for (String id : a.accepted()) {
            Work w = c.works.get(id);
            if (w != null && w.state == Work.State.ASSIGNED) {
                w.state = Work.State.RUNNING;
            }
        }
        // A set: an id listed twice must requeue its work once (a list once queued it twice, a phantom).
        LinkedHashSet<Work> rejected = new LinkedHashSet<>();
        for (String id : a.rejected()) {
            Work w = c.works.get(id);
            if (w != null && w.state == Work.State.ASSIGNED) {
                rejected.add(w);
            }
        }
        if (!rejected.isEmpty()) {
            debug("{} rejected {}", c.id, rejected);
            stats.rejected += rejected.size();
            pause(c, rejected);
            requeue(new ArrayList<>(rejected));
            requestPass();
        }
    }

    /** Passes over a worker for the priorities it rejected, for a backoff doubling per rejection (100 ms to 1 s). */
    private void pause(Connection c, Iterable<Work> rejected) {
        int from = Integer.MAX_VALUE;
        int to = Integer.MIN_VALUE;
        for (Work w : rejected) {
            from = Math.min(from, w.priority());
            to = Math.max(to, w.priority());
        }
        if (c.paused) {
            from = Math.min(from, c.pausedFrom);
            to = Math.max(to, c.pausedTo);
        }
        c.paused = true;
        c.pausedFrom = from;
        c.pausedTo = to;
        c.backoffMillis = c.backoffMillis == 0 ? REJECT_BACKOFF_MIN_MS : Math.min(REJECT_BACKOFF_MAX_MS, c.backoffMillis * 2);
        if (c.pauseTimer != null) {
            c.pauseTimer.cancel(false);
        }
        c.pauseTimer = loop.schedule(() -> {
            c.pauseTimer = null;
            resume(c);
        }, c.backoffMillis, TimeUnit.MILLISECONDS);
    }

    /** Ends a worker's pause after a rejection; it is offered works again in the next pass. */
    private void resume(Connection c) {
        if (c.pauseTimer != null) {
            c.pauseTimer.cancel(false);
            c.pauseTimer = null;
        }
        if (c.paused && c.open) {
            c.paused = false;
            requestPass();
        }
    }

    /** Takes works back from their worker to the front of their queues, keeping their order. */
    private void requeue(List<Work> list) {
        stats.requeued += list.size();
        for (int i = list.size() - 1; i >= 0; i--) {
            Work w = list.get(i);
            detach(w);
            queues.addFirst(w);
            armAssignTimer(w);
        }
    }

    private void done(Connection c, Inbound.Done d) {
        if (!c.offered) {
            outbox.answerError(c, "done", WireError.EINVCMDSTAT2);
            return;
        }
        if (c.works.isEmpty()) {
            outbox.answerError(c, "done", WireError.EINVSTAT1);
            return;
        }
        if (d.items() == null) {
            outbox.answerError(c, "done", WireError.EINVWORKL);
            return;
        }
        int counted = 0;
        int ignored = 0;
        Map<Connection, List<Work>> results = new LinkedHashMap<>();
        for (Inbound.DoneItem item : d.items()) {
            // Only works this worker holds count: unknown, foreign and repeated ids are ignored.
            Work w = item.counts() ? c.works.get(item.id()) : null;
            if (w == null) {
                ignored++;
                continue;
            }
            counted++;
            c.finished++;
            stats.runTime.observe(System.nanoTime() - w.assignedNanos);
            finish(w, item, c.id, results);
        }
        sendResults(results);
        if (counted > 0 && c.backoffMillis > 0) { // it works again: no more reason to pass it over
            c.backoffMillis = 0;
            resume(c);
        }
        JsonWriter out = outbox.frame(c).beginObject().name("description")
                .value(counted > 0 ? "спасибо for the " + counted + " works" : "You didn't send nothing interesting sir");
        if (ignored > 0) {
            out.name("ignored").value(ignored);
        }
        out.name("to").value("done").name("command").value("answer").endObject().endFrame();
        requestPass();
    }

    /** A work's result arrived: it and every work held under its key are finished with it. */
    private void finish(Work w, Inbound.DoneItem item, String workerId, Map<Connection, List<Work>> results) {
        RawJson result = item.result();
        detach(w);
        complete(w, result, results);
        if (item.errorCode() != null) {
            stats.failed(w, workerId, item.errorCode(), item.error());
        }
        if (w.key != null) {
            KeyHold hold = holds.get(w.key);
            if (hold != null && hold.owner == w) {
                holds.remove(w.key);
                for (Work held : hold.held) {
                    heldCount--;
                    cancelAssignTimer(held);
                    complete(held, result, results);
                    if (item.errorCode() != null) {
                        stats.failed(held, workerId, item.errorCode(), item.error());
                    }
                }
            }
        }
        finishCount++;
        isClean = false;
        if (finishCount >= options.cleanupReqs()) {
            cleanup();
        }
    }

    private void complete(Work w, RawJson result, Map<Connection, List<Work>> results) {
        w.state = Work.State.DONE;
        w.result = result;
        forget(w);
        stats.finished++;
        stats.rates.finished();
        stats.endToEnd.observe(System.nanoTime() - w.pushedNanos);
        closeOne(w.request);
        results.computeIfAbsent(w.request.client, k -> new ArrayList<>()).add(w);
        events.finish(w, result);
    }

    /** One done frame per client, in the order the results came. */
    private void sendResults(Map<Connection, List<Work>> results) {
        results.forEach((client, list) -> {
            JsonWriter out = outbox.frame(client).beginObject().name("work").beginArray();
            for (Work w : list) {
                out.beginObject().name("id").raw(w.idJson).name("result").raw(w.result).endObject();
                w.result = null;
            }
            out.endArray().name("command").value("done").endObject().endFrame();
        });
    }

    private void closeOne(Request r) {
        r.client.pendingWorks--;
        if (--r.open == 0) {
            r.client.requests.remove(r.key, r);
        }
    }

    /** Frees the slot a work holds on its worker, if any. */
    private void detach(Work w) {
        Connection worker = w.worker;
        if (worker == null) {
            return;
        }
        worker.works.remove(w.id);
        w.range.used--;
        worker.busy--;
        globalBusy--;
        if (worker.draining) { // a leaving worker's capacity shrinks with each slot it frees
            worker.totalSlots--;
            globalTotal--;
        }
        w.worker = null;
        w.range = null;
    }

    private void abort(Connection c, Inbound.Abort a) {
        RawJson rid = a.rid();
        RawJson list = a.work();
        boolean hasRid = rid != null && !rid.isNull();
        boolean hasList = list != null && !list.isNull();
        if (!hasRid && !hasList) {
            outbox.answerError(c, "abort", WireError.EABINVINP);
            return;
        }
        Request request = null;
        if (hasRid && rid.isTruthy()) {
            request = c.requests.get(rid.isString() ? rid.asText() : rid.toString());
            if (request == null) {
                outbox.answerError(c, "abort", WireError.EABRNOFO);
                return;
            }
        }
        if (hasList && list.isTruthy() && !list.isArray()) {
            outbox.answerError(c, "abort", WireError.EINVWLI);
            return;
        }
        Map<Connection, List<String>> aborts = new LinkedHashMap<>();
        if (request != null) {
            for (Work w : request.works) {
                if (w.live()) {
                    drop(w, aborts);
                    stats.aborted++;
                    events.abort(w);
                }
            }
            c.requests.remove(request.key, request);
            sendAborts(aborts);
            outbox.frame(c).beginObject().name("ok").value(true).name("rid").raw(rid).name("to").value("abort").name("command").value("answer").endObject().endFrame();
        } else if (hasList && list.isTruthy()) {
            JsonWriter out = outbox.frame(c).beginObject().name("ok").value(true).name("work").beginArray();
            for (RawJson e : list.elements()) {
                String id = e.asText();
                Work w = id == null ? null : works.get(id);
                // Only the client that pushed a work may abort it.
                if (w != null && w.request.client == c) {
                    drop(w, aborts);
                    stats.aborted++;
                    events.abort(w);
                    out.value(w.id);
                }
            }
            out.endArray().name("to").value("abort").name("command").value("answer").endObject().endFrame();
            sendAborts(aborts);
        } else {
            outbox.answerError(c, "abort", WireError.EABINVINP); // e.g. rid:"" (the original fell through to EUNKNCMD)
            return;
        }
        requestPass();
    }

    /** Removes a live work without a result: from its queue, hold list or worker (collecting the abort to send). */
    private void drop(Work w, Map<Connection, List<String>> aborts) {
        switch (w.state) {
            case QUEUED:
                w.state = Work.State.DONE;
                queues.removed(w);
                break;
            case HELD:
                holds.get(w.key).held.remove(w);
                heldCount--;
                break;
            case ASSIGNED:
            case RUNNING:
                Connection worker = w.worker;
                detach(w);
                if (worker.open) {
                    aborts.computeIfAbsent(worker, k -> new ArrayList<>()).add(w.id);
                }
                break;
            default:
                return;
        }
        w.state = Work.State.DONE;
        forget(w);
        cancelAssignTimer(w);
        closeOne(w.request);
        releaseKey(w);
    }

    /** A keyed work left without a result: the first work held behind it takes its place in the queue. */
    private void releaseKey(Work w) {
        if (w.key == null) {
            return;
        }
        KeyHold hold = holds.get(w.key);
        if (hold == null || hold.owner != w) {
            return;
        }
        Work next = hold.pollFirst();
        if (next == null) {
            holds.remove(w.key);
            return;
        }
        heldCount--;
        hold.owner = next;
        queues.addLast(next);
    }

    private void sendAborts(Map<Connection, List<String>> aborts) {
        aborts.forEach((worker, ids) -> {
            JsonWriter out = outbox.frame(worker).beginObject().name("work").beginArray();
            ids.forEach(out::value);
            out.endArray().name("command").value("abort").endObject().endFrame();
        });
    }

    // ---------------------------------------------------------------- timers

    private void armAssignTimer(Work w) {
        if (w.assignTimeoutMs > 0) {
            w.assignTimer = loop.schedule(guarded(() -> assignTimedOut(w)), w.assignTimeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    private static void cancelAssignTimer(Work w) {
        if (w.assignTimer != null) {
            w.assignTimer.cancel(false);
            w.assignTimer = null;
        }
    }

    private void assignTimedOut(Work w) {
        w.assignTimer = null;
        if (w.state == Work.State.QUEUED) {
            w.state = Work.State.DONE;
            queues.removed(w);
        } else if (w.state == Work.State.HELD) {
            holds.get(w.key).held.remove(w);
            heldCount--;
        } else {
            return;
        }
        w.state = Work.State.DONE;
        forget(w);
        closeOne(w.request);
        releaseKey(w);
        outbox.frame(w.request.client).beginObject().name("work").beginArray().beginObject().name("id").value(w.id)
                .name("result").beginObject().name("err").beginObject().name("code").value("EATO").name("message").value("Assign timeout").endObject()
                .name("data").nullValue().endObject().endObject().endArray().name("command").value("done").endObject().endFrame();
        stats.assignTimeouts++;
        stats.finished++;
        stats.rates.finished();
        stats.endToEnd.observe(System.nanoTime() - w.pushedNanos);
        stats.failed(w, null, "EATO", EATO_ERROR);
        events.assignTimeout(w);
        requestPass();
    }

    private void keepalive() {
        long now = System.nanoTime();
        long pingAfter = options.idleBeforePing().toNanos();
        long dropAfter = pingAfter + options.pingGrace().toNanos();
        for (Connection c : new ArrayList<>(connections.values())) {
            long idle = now - c.lastSeenNanos;
            if (idle > dropAfter) {
                debug("{} silent for {} ms: closing", c.id, TimeUnit.NANOSECONDS.toMillis(idle));
                outbox.closeAfterFlush(c);
            } else if (idle > pingAfter) {
                outbox.frame(c).beginObject().name("command").value("ping").endObject().endFrame();
            }
        }
    }

    private void periodicCleanup() {
        if (!isClean) {
            cleanup();
        }
    }

    private void cleanup() {
        queues.compact();
        finishCount = 0;
        isClean = true;
        events.cleanup();
    }

    // ---------------------------------------------------------------- distribution

    /** Asks for a distribution pass after the events already waiting; repeated requests merge. */
    void requestPass() {
        passRequested = true;
        scheduleBatchEnd();
    }

    /** Removes an ended work from the index, and its args from the memory budget. */
    private void forget(Work w) {
        if (works.remove(w.id) != null) {
            memory.queuedBytes -= w.args.byteLength();
        }
    }

    /** Bytes changed of a frame still arriving on some connection (any I/O thread). */
    void inboundHeld(long delta) {
        memory.inboundBytes.addAndGet(delta);
        if (delta > 0 && memory.buffersOver()) {
            requestShed();
        }
    }

    /** Connections closed by {@link #shed()} whose buffers are not counted out yet. */
    private final java.util.Set<Connection> shedding = new java.util.HashSet<>();

    /** Queues one {@link #shed()} on the core, from any thread. */
    void requestShed() {
        if (memory.shedScheduled.compareAndSet(false, true)) {
            loop.execute(guarded(this::shed));
        }
    }

    /**
     * The buffers are over budget: closes the connections holding the most (a frame still arriving,
     * output not taken) until what they hold covers the excess. Their bytes are counted out as
     * their channels close, a little later, so the excess is computed once, here.
     */
    private void shed() {
        memory.shedScheduled.set(false);
        // Connections closed by an earlier pass count their bytes out once their channels are gone.
        long leaving = 0;
        for (java.util.Iterator<Connection> it = shedding.iterator(); it.hasNext(); ) {
            long held = it.next().bufferedBytes();
            if (held == 0) {
                it.remove();
            }
            leaving += held;
        }
        long excess = memory.bufferBytes() - leaving - memory.maxBufferBytes;
        if (excess <= 0) {
            return;
        }
        List<Connection> byHeld = new ArrayList<>();
        for (Connection c : connections.values()) {
            if (c.open && c.channel.isActive() && c.bufferedBytes() > 0) {
                byHeld.add(c);
            }
        }
        byHeld.sort(java.util.Comparator.comparingLong(Connection::bufferedBytes).reversed());
        for (Connection c : byHeld) {
            if (excess <= 0) {
                break;
            }
            long held = c.bufferedBytes();
            excess -= held;
            shedding.add(c);
            memory.shedConnections++;
            limits.hit(LimitLog.Limit.MEMORY, "closing " + c.id + " from " + c.address + " with ENOMEM: it holds " + held
                    + " bytes of buffers, and all connections' buffers hold more than " + memory.maxBufferBytes);
            outbox.bareError(c, WireError.ENOMEM, null);
            outbox.flushNow(c);
            c.channel.close();
        }
    }

    /** A task for the core's loop whose {@link Error}s reach {@link #onFatal} (Netty would only log them). */
    Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Error e) {
                onFatal.accept(e);
            }
        };
    }

    /** Queues the end-of-batch task once, behind the events already waiting. */
    private void scheduleBatchEnd() {
        if (!batchEndScheduled) {
            batchEndScheduled = true;
            loop.execute(batchEndTask);
        }
    }

    /**
     * After a batch of events: the distribution pass, then one write per connection of everything
     * the batch and the pass produced (a worker gets its done answer and its next works together).
     */
    private void endOfBatch() {
        batchEndScheduled = false;
        if (passRequested) {
            passRequested = false;
            pass();
        }
        outbox.flush();
    }

    private void pass() {
        if (queues.size() == 0 || workers.isEmpty()) {
            return;
        }
        long free = globalTotal - globalBusy;
        if (free <= 0) {
            return;
        }
        if (wasFull && free < Math.min(options.availThreshold(), globalTotal)) {
            // Wait for more free slots to place works together, but never past DISTRIB_RANDMAX.
            long waitLeft = options.distribRandMax().toNanos() - (System.nanoTime() - fullSinceNanos);
            if (waitLeft > 0) {
                if (deferredPass == null) {
                    deferredPass = loop.schedule(() -> {
                        deferredPass = null;
                        requestPass();
                    }, waitLeft, TimeUnit.NANOSECONDS);
                }
                return;
            }
        }
        endFullWait();
        List<Candidate> candidates = new ArrayList<>();
        List<Work> skipped = new ArrayList<>();
        for (Iterator<WorkQueues.Level> it = queues.highestFirst(); it.hasNext() && globalBusy < globalTotal; ) {
            WorkQueues.Level level = it.next();
            candidates.clear();
            long total = 0;
            for (Connection worker : workers) {
                if (worker.pausedFor(level.priority) || worker.closing) {
                    continue; // paused after rejections, or being closed for abuse
                }
                long available = worker.availableFor(level.priority);
                if (available > 0) {
                    candidates.add(new Candidate(worker, (int) Math.min(available, Integer.MAX_VALUE)));
                    total += available;
                }
            }
            while (total > 0 && !candidates.isEmpty()) {
                Work w = level.poll();
                if (w == null) {
                    break;
                }
                queues.polled();
                Candidate chosen = select(w, candidates, (int) Math.min(total, Integer.MAX_VALUE));
                if (chosen == null) {
                    skipped.add(w);
                    continue;
                }
                assign(w, chosen.worker);
                total--;
                if (--chosen.available == 0) {
                    candidates.remove(chosen);
                }
            }
            for (int i = skipped.size() - 1; i >= 0; i--) {
                queues.addFirst(skipped.get(i));
            }
            skipped.clear();
        }
        for (Connection worker : batched) {
            sendDispatch(worker);
        }
        batched.clear();
        if (queues.size() > 0 && globalBusy >= globalTotal && !wasFull) {
            wasFull = true;
            fullSinceNanos = System.nanoTime();
        }
    }

    private void endFullWait() {
        wasFull = false;
        if (deferredPass != null) {
            deferredPass.cancel(false);
            deferredPass = null;
        }
    }

    private Candidate select(Work w, List<Candidate> candidates, int total) {
        WorkerSlots chosen;
        try {
            chosen = selector.select(w, candidates, total);
        } catch (RuntimeException e) {
            log.warn("work selector failed on {}; using the default", w.id, e);
            chosen = WorkSelector.weightedRandom().select(w, candidates, total);
        }
        if (chosen == null) {
            return null;
        }
        for (Candidate c : candidates) {
            if (c == chosen) {
                return c;
            }
        }
        log.warn("work selector returned {}, which is not a candidate; leaving {} queued", chosen, w.id);
        return null;
    }

    private void assign(Work w, Connection worker) {
        cancelAssignTimer(w);
        long now = System.nanoTime();
        w.assignedNanos = now;
        stats.timeInQueue.observe(now - w.queuedNanos);
        stats.assigned++;
        w.state = Work.State.ASSIGNED;
        w.worker = worker;
        w.range = worker.rangeFor(w.priority());
        w.range.used++;
        worker.busy++;
        globalBusy++;
        worker.works.put(w.id, w);
        if (worker.batch == null) {
            worker.batch = new ArrayList<>();
            batched.add(worker);
        }
        worker.batch.add(w);
    }

    private void sendDispatch(Connection worker) {
        List<Work> batch = worker.batch;
        worker.batch = null;
        JsonWriter out = outbox.frame(worker).beginObject().name("work").beginArray();
        for (Work w : batch) {
            out.beginObject().name("id").raw(w.idJson).name("args").raw(w.args);
            if (w.runTimeout != null) {
                out.name("timeout").raw(w.runTimeout);
            }
            out.endObject();
        }
        out.endArray().name("command").value("push").endObject().endFrame();
        for (Work w : batch) {
            events.assign(w, worker.id);
        }
    }

    // ---------------------------------------------------------------- status and admin

    private void myStatus(Connection c) {
        JsonWriter out = outbox.frame(c).beginObject().name("to").value("mystatus").name("id").value(c.id)
                .name("type").value(c.type()).name("connected").value(iso(c.connectedAt)).name("current").value(now())
                .name("status").value(c.status()).name("ranges");
        writeRanges(out, c);
        out.name("command").value("answer").endObject().endFrame();
    }

    private void status(Connection c) {
        JsonWriter out = outbox.frame(c).beginObject().name("to").value("status")
                .name("bootTime").value(bootTime)
                .name("canCleanup").value(finishCount > 0)
                .name("isClean").value(isClean)
                .name("pendingWorks").value(queues.size())
                .name("globalAvailableSlots").value(globalTotal - globalBusy)
                .name("globalRunningWorks").value(globalBusy)
                .name("globalWorksOnHold").value(heldCount)
                .name("finishCount").value(finishCount)
                .name("sacredRanges").value(options.sacredGuarantees());
        // Every worker's ranges merged by their start.
        TreeMap<Integer, long[]> merged = new TreeMap<>();
        Map<Integer, List<String>> contributors = new HashMap<>();
        for (Connection w : workers) {
            for (Range r : w.ranges) {
                long[] sum = merged.computeIfAbsent(r.from, k -> new long[2]);
                sum[0] += r.limit;
                sum[1] += r.used;
                contributors.computeIfAbsent(r.from, k -> new ArrayList<>()).add(w.id);
            }
        }
        out.name("ranges").beginArray();
        merged.forEach((from, sum) -> {
            out.beginObject().name("from").value(from).name("limit").value(sum[0]).name("used").value(sum[1]).name("workers").beginArray();
            contributors.get(from).forEach(out::value);
            out.endArray().endObject();
        });
        out.endArray();
        out.name("queues").beginObject();
        queues.lengths().descendingMap().forEach((p, n) -> out.name(Integer.toString(p)).value(n));
        out.endObject();
        out.name("workers").beginArray();
        for (Connection w : workers) {
            out.beginObject().name("id").value(w.id).name("status").value(w.status()).name("ranges");
            writeRanges(out, w);
            out.name("offer").beginObject();
            w.offer.forEach((k, v) -> out.name(Integer.toString(k)).value(v));
            out.endObject().name("slots").value(w.totalSlots).name("busy").value(w.busy);
            if (w == c) {
                out.name("you").value(true);
            }
            out.endObject();
        }
        out.endArray().name("clients").beginArray();
        for (Connection other : connections.values()) {
            if (other.offered) {
                continue;
            }
            out.beginObject().name("id").value(other.id).name("status").value(other.status()).name("type").value(other.type())
                    .name("requests").value(other.requests.size());
            if (other == c) {
                out.name("you").value(true);
            }
            out.endObject();
        }
        out.endArray().name("command").value("answer").endObject().endFrame();
    }

    private static void writeRanges(JsonWriter out, Connection c) {
        out.beginArray();
        if (c.ranges != null) {
            for (Range r : c.ranges) {
                out.beginObject().name("from").value(r.from).name("limit").value(r.limit).name("used").value(r.used).endObject();
            }
        }
        out.endArray();
    }

    private void admin(Connection c, String command) {
        JsonWriter out = outbox.frame(c).beginObject();
        switch (command) {
            case "cleanup":
                cleanup();
                out.name("ok").value(true);
                break;
            case "gc":
                // Acknowledged but not run: a full collection on demand would let any peer pause the manager.
                out.name("ok").value(true);
                break;
            default:
                // dumpall: the original writes its state to a file any peer can name; we never write files for peers.
                out.name("ok").value(false).name("err").beginObject().name("code").value(WireError.ENOTSUP.code())
                        .name("description").value("dumpall is not supported; use the status command").endObject();
        }
        out.name("command").value(command).endObject().endFrame();
    }

    private static String now() {
        return Wire.now();
    }

    private static String iso(long epochMillis) {
        return Wire.date(epochMillis);
    }

    private void debug(String format, Object... args) {
        if (options.debug()) {
            log.info(format, args);
        } else if (log.isDebugEnabled()) {
            log.debug(format, args);
        }
    }

    /** A consistent snapshot for {@code Manager.stats()}, the HTTP status and metrics; core thread. */
    ManagerStats snapshot() {
        Map<Integer, Long> queued = new LinkedHashMap<>();
        queues.lengths().descendingMap().forEach((p, n) -> queued.put(p, (long) n));
        List<ManagerStats.WorkerStats> workerStats = new ArrayList<>(workers.size());
        for (Connection w : workers) {
            List<ManagerStats.RangeStats> ranges = new ArrayList<>(w.ranges.length);
            for (Range r : w.ranges) {
                ranges.add(new ManagerStats.RangeStats(r.from, r.limit, r.used));
            }
            workerStats.add(new ManagerStats.WorkerStats(w.id, w.address, w.connectedAt, w.totalSlots, w.busy, ranges, w.finished));
        }
        List<ManagerStats.ClientStats> clientStats = new ArrayList<>();
        for (Connection c : connections.values()) {
            if (!c.offered) {
                long pending = 0;
                for (Request r : c.requests.values()) {
                    pending += r.open;
                }
                clientStats.add(new ManagerStats.ClientStats(c.id, c.address, c.connectedAt, c.type(), pending));
            }
        }
        return new ManagerStats(bootTime, System.currentTimeMillis(), stats.counters(events.dropped()), queued, heldCount, globalBusy,
                globalTotal, globalTotal - globalBusy, stats.rates.snapshot(), stats.timeInQueue.snapshot(),
                stats.runTime.snapshot(), stats.endToEnd.snapshot(), workerStats, clientStats, stats.recentErrors(),
                new ManagerStats.Memory(memory.queuedBytes, memory.maxQueuedBytes, memory.bufferBytes(), memory.maxBufferBytes,
                        memory.refusedPushes, memory.shedConnections, outbox.closedForBacklog));
    }

    /** For tests and the embedding API: a consistent view taken on the core thread. */
    long queuedWorks() {
        return queues.size();
    }

    long runningWorks() {
        return globalBusy;
    }

    int connectionCount() {
        return connections.size();
    }

    int liveWorks() {
        return works.size();
    }
}
