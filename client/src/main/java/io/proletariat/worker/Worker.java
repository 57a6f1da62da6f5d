package io.proletariat.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.proletariat.client.ConnectionException;
import io.proletariat.client.ConnectionListener;
import io.proletariat.client.ReconnectPolicy;
import io.proletariat.client.SystemMessageCallback;
import io.proletariat.client.SystemMessageListener;
import io.proletariat.client.SystemMessageReceipt;
import io.proletariat.client.WorkFailedException;
import io.proletariat.client.internal.Engine;
import io.proletariat.client.internal.Json;
import io.proletariat.protocol.FromManager;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.ProletariatException;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.SystemMessage;
import io.proletariat.protocol.WireError;
import io.proletariat.worker.RealWork.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A proletariat worker: connects to the manager, offers its slots, and runs the works it is given.
 *
 * <pre>{@code
 * Worker worker = new Worker(WorkerOptions.builder().slots(100).host("127.0.0.1").build());
 * worker.onWork((work, handler) -> {
 *     Thread.sleep(1000);                      // this will take time; blocking is fine
 *     handler.done(null, "Greetings, comrade!");
 * });
 * worker.start();
 * ...
 * worker.stop();
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>{@link #start()} connects in the background and offers {@code slots} (or the priority-slot
 *       object, docs/protocol.md, Slots, offers and priority ranges). When the connection drops or
 *       cannot be made, it tries again as its {@link ReconnectPolicy} says ({@code retryDelay}, the
 *       original's {@code CON_RETRYTIME}; by default forever) and offers its full capacity again. A
 *       refused offer is repeated after {@code offerRetryTime}. A {@link ConnectionListener} hears
 *       it happen.</li>
 *   <li>Each dispatch is answered once with the accepted and rejected ids: works without
 *       arguments, repeated ids and works beyond the free slots are rejected; items that are not
 *       objects with an id are skipped and logged.</li>
 *   <li>A work with a run timeout (wire field {@code timeout}, read as JavaScript's
 *       {@code parseInt}) that expires gets the result {@code {"err":{"code":"ETO","message":"Timeout"},"data":null}};
 *       the work is then cancelled (its handler interrupted, its abort listeners run) and its slot
 *       stays busy until the handler returns, so no more handlers run than there are slots.</li>
 *   <li>An {@code abort} from the manager cancels the listed works the same way; nothing is sent
 *       for them.</li>
 *   <li>Results are batched up to {@code ANSWER_THRESHOLD} per {@code done}; a smaller batch is sent
 *       when no work is left running or after {@code answerFlushInterval}. Unsent results are
 *       dropped on disconnect, when the manager requeues those works anyway.</li>
 *   <li>Pings and system messages are answered; system messages go to the listener.</li>
 *   <li>{@code CLEANUP_REQS} and {@code CLEANUP_CHECKINT} are accepted for compatibility; this
 *       worker forgets a work as soon as it is finished, so it has nothing to clean up.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Network I/O and all bookkeeping run on one Netty event loop owned by the worker (its connection
 * engine's). Handlers run on
 * the worker's executor ({@link WorkerOptions.Builder#executor}; default: a pool of {@code slots}
 * daemon threads). Abort listeners, system-message listeners, and system-message callbacks and
 * futures, and connection listeners run on the worker's own listener thread, so that they are never
 * stuck behind busy handlers. None runs on the event loop. Thread-safe.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private static final RawJson ETO_ERROR = RawJson.of("{\"code\":\"ETO\",\"message\":\"Timeout\"}");

    /** The worker's own life: {@link #start()} and {@link #stop()} move it, once each. */
    private enum Life { NEW, STARTED, STOPPED }

    private final WorkerOptions options;
    private final ObjectMapper mapper;
    private final Engine engine;
    private final EventLoop loop;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final ExecutorService listeners; // abort, system-message and connection listeners: never stuck behind busy handlers
    private final AtomicReference<Life> life = new AtomicReference<>(Life.NEW);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile WorkHandler handler;
    private volatile String id;
    private volatile int busySlots;

    // Owned by the event loop.
    private final Map<String, RealWork> works = new LinkedHashMap<>(); // every work holding a slot
    private final List<Answer> batch = new ArrayList<>();
    /**
     * Prefetched works (our extension, docs/protocol.md, Prefetch): sent beyond the slots, not started,
     * holding no slot; at most {@code options.prefetch()}. One starts when a work whose result goes into
     * the batch frees its slot, and its id goes with that result ({@code started}), so the manager moves
     * it into the slot the result frees.
     */
    private final LinkedHashMap<String, RealWork> waiting = new LinkedHashMap<>();
    private final List<String> startedIds = new ArrayList<>();
    /**
     * Prefetched works started here whose {@code started} the manager has not answered yet (it may have
     * put them into a slot meanwhile, dispatching them again: they must not run twice), and the ids each
     * done in flight carried, in order, parallel to {@link #donesInFlight}.
     */
    private final Set<String> startedHere = new HashSet<>();
    private final java.util.ArrayDeque<List<String>> startsInFlight = new java.util.ArrayDeque<>();
    /** Prefetched works given back unstarted (recalled by the manager, or leaving), for the next done. */
    private final List<String> recalledIds = new ArrayList<>();
    /**
     * Results of works whose manager was lost, by identity, kept for the next manager (docs/cluster.md):
     * sent in a {@code resume} frame on each connection, forgotten once a manager answered it.
     */
    private final LinkedHashMap<String, Answer> resumable = new LinkedHashMap<>();
    /**
     * The results of each done sent and not answered yet, in order: a manager that dies (or loses its
     * leadership) before it answers may not have passed them on, so the ones with an identity go to the
     * next manager. An empty list for a done without any.
     */
    private final java.util.ArrayDeque<List<Answer>> donesInFlight = new java.util.ArrayDeque<>();
    /** The identities sent in resume frames not answered yet, in order, one list per frame. */
    private final java.util.ArrayDeque<List<String>> resumesInFlight = new java.util.ArrayDeque<>();
    /** Results kept for the next manager at most, in count and in bytes; beyond, the oldest go (their works may run again). */
    static final int MAX_RESUMABLE = 10_000;
    static final long MAX_RESUMABLE_BYTES = 16L << 20;
    private long resumableBytes;
    /**
     * The latest results the manager acknowledged, with an identity: a manager that dies just after
     * acknowledging a result may not have passed it on (its client's copy dies in its socket), so
     * these go to the next manager too, which keeps them for resent works. Bounded like {@link #resumable}.
     */
    private final java.util.ArrayDeque<Answer> recentlyAcknowledged = new java.util.ArrayDeque<>();
    private long recentBytes;
    private final Consumer<JsonWriter> writeBatch = this::writeBatch;   // made once, not per done
    /** Works whose outcome is not settled yet ({@link Phase#open()}). */
    private int unfinished;
    private ScheduledFuture<?> flushTimer;
    private int generation;
    private boolean stopped;
    /** Completed once nothing is left to answer while leaving gracefully; null until then. */
    private CompletableFuture<Void> drained;

    /** A worker with these options; call {@link #onWork} and then {@link #start()}. */
    public Worker(WorkerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.mapper = options.objectMapper();
        if (options.executor() != null) {
            this.executor = options.executor();
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = Executors.newFixedThreadPool(options.slots(), new DefaultThreadFactory("proletariat-worker", true));
            this.executor = ownedExecutor;
        }
        this.listeners = Executors.newSingleThreadExecutor(new DefaultThreadFactory("proletariat-worker-listeners", true));
        // Frames are indexed down to frame.work[i].args, never inside a work's args.
        this.engine = new Engine(Worker.class, "worker", options, 3, listeners, new OnEngine());
        this.loop = engine.loop();
    }

    /** A worker with the default options ({@code 127.0.0.1:1917}, 100 slots). */
    public Worker() {
        this(WorkerOptions.defaults());
    }

    /** Sets the work handler; required before {@link #start()}. */
    public Worker onWork(WorkHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /** Sets the listener for system messages sent to this worker (the original's {@code 'sysmsg'} event). */
    public Worker onSystemMessage(SystemMessageListener listener) {
        engine.onSystemMessage(listener);
        return this;
    }

    /**
     * Adds a listener of this worker's connection events; add it before {@link #start()} to hear
     * them all. The worker is connected once the manager accepted its offer.
     */
    public Worker addConnectionListener(ConnectionListener listener) {
        engine.addConnectionListener(listener);
        return this;
    }

    /**
     * Starts connecting to the manager in the background; returns at once.
     *
     * @throws IllegalStateException when no handler is set, or the worker was already started or stopped
     */
    public Worker start() {
        if (handler == null) {
            throw new IllegalStateException("no work handler: call onWork(...) before start()");
        }
        if (!life.compareAndSet(Life.NEW, Life.STARTED)) {
            throw new IllegalStateException(life.get() == Life.STARTED ? "worker already started" : "worker stopped; create a new Worker");
        }
        engine.start();
        return this;
    }

    /**
     * Stops at once: sends the results already finished, cancels the running works (the manager
     * requeues them), closes the connection and releases the threads the worker owns. Idempotent.
     * {@link #close()} leaves gracefully instead.
     */
    public void stop() {
        Life was = life.getAndSet(Life.STOPPED);
        if (was == Life.STOPPED) {
            return;
        }
        engine.shutdown(was == Life.STARTED ? this::shutdownOnLoop : () -> { });
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
        listeners.shutdown(); // lets the events already queued run
        terminated.countDown();
    }

    /**
     * Leaves gracefully, for a shutdown hook or try-with-resources: takes no more works, lets the
     * running ones finish and sends their results, waiting at most
     * {@link WorkerOptions#shutdownGrace()}; whatever still runs then is cancelled and handed back
     * to the manager, which requeues it at once. Then as {@link #stop()}. Blocks until done;
     * idempotent.
     */
    @Override
    public void close() {
        long grace = options.shutdownGrace().toMillis();
        if (grace > 0 && life.get() == Life.STARTED && !loop.inEventLoop()) {
            CompletableFuture<Void> idle = new CompletableFuture<>();
            try {
                loop.execute(() -> drain(idle));
                idle.get(grace, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                log.warn("worker {}: {} works still running after the {} ms grace period; handing them back to the manager",
                        id, busySlots, grace);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | RejectedExecutionException e) {
                log.debug("worker stopped while draining", e);
            }
        }
        stop();
    }

    /** Blocks until the worker is stopped (by {@link #close()}, {@link #stop()} or another thread). */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Blocks until the worker is stopped or the timeout passes; true when it is stopped. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The connection id the manager gave this worker, or {@code null} while its offer is not accepted. */
    public String id() {
        return id;
    }

    /** True while connected with an accepted offer; {@link #addConnectionListener} hears the changes. */
    public boolean isReady() {
        return id != null;
    }

    /** How many slots are busy now (works running, or cancelled with their handler still running). */
    public int busySlots() {
        return busySlots;
    }

    /** The options this worker was made with. */
    public WorkerOptions options() {
        return options;
    }

    /** Sends a system message to everybody else; the future completes when all got it. */
    public CompletableFuture<SystemMessageReceipt> systemMessage(Object content) {
        return systemMessage(content, (String) null);
    }

    /**
     * Sends a system message to {@code to}: {@code null} for everybody else, {@link SystemMessage#MANAGER}
     * for the manager only, or a participant's connection id. The future completes (on the worker's
     * listener thread) when every recipient acknowledged it, or fails with a {@link ConnectionException}
     * when the connection drops first. Sent once connected when the worker is not connected yet.
     *
     * @throws IllegalArgumentException when the content cannot be serialised
     */
    public CompletableFuture<SystemMessageReceipt> systemMessage(Object content, String to) {
        if (life.get() == Life.STOPPED) {
            Json.toJson(mapper, content); // bad content fails the same whether stopped or not
            return CompletableFuture.failedFuture(engine.closedException());
        }
        return engine.systemMessage(content, to);
    }

    /** The callback form of {@link #systemMessage(Object, String)}; the callback runs on the worker's listener thread. */
    public void systemMessage(Object content, String to, SystemMessageCallback callback) {
        Objects.requireNonNull(callback, "callback");
        systemMessage(content, to).whenCompleteAsync((r, e) -> callback.onComplete(Engine.unwrap(e), r), listeners);
    }

    // ---------------------------------------------------------------- the engine's calls (event loop)

    private final class OnEngine implements Engine.Participant {
        @Override
        public void onConnected() {
            generation++;
            resumesInFlight.clear();
            sendResume();
            sendOffer();
        }

        @Override
        public void onMessage(FromManager message) {
            if (message instanceof FromManager.Dispatch dispatch) {
                onDispatch(dispatch);
            } else if (message instanceof FromManager.Abort abort) {
                onAbort(abort);
            } else if (message instanceof FromManager.Recall recall) {
                onRecall(recall);
            } else if (message instanceof FromManager.OfferAnswer answer) {
                onOfferAnswer(answer);
            } else if (message instanceof FromManager.Other other && "answer".equals(other.command())
                    && other.fields().get("to") != null && "resume".equals(other.fields().get("to").asText())) {
                List<String> delivered = resumesInFlight.poll();
                if (delivered != null) {
                    for (String uid : delivered) {
                        Answer gone = resumable.remove(uid);
                        if (gone != null) {
                            resumableBytes -= gone.bytes();
                        }
                    }
                }
            } else if (message instanceof FromManager.DoneAnswer answer) {
                List<String> startsKnown = startsInFlight.poll();
                if (startsKnown != null) {
                    startsKnown.forEach(startedHere::remove);
                }
                List<Answer> acknowledged = donesInFlight.poll();
                if (acknowledged != null) {
                    acknowledged.forEach(Worker.this::remember);
                }
                if (answer.error() != null) {
                    log.warn("the manager refused results: {}", answer.error());
                }
            } else {
                log.debug("ignoring {} from the manager", message);
            }
        }

        @Override
        public void onDisconnected() {
            id = null;
            keepForTheNextManager();
        }

        @Override
        public void onGaveUp(ConnectionException cause) {
            log.error("worker gives up: {}", cause.getMessage());
            listeners.execute(Worker.this::stop); // off the loop, so that stop() waits for the engine and the closed event is heard
        }
    }

    private void sendOffer() {
        Map<Integer, Integer> prio = options.prioritySlots();
        engine.send(w -> {
            w.name("slots");
            if (prio.isEmpty()) {
                w.value(options.slots());
            } else {
                w.beginObject();
                for (Map.Entry<Integer, Integer> e : options.offer().entrySet()) {
                    w.name(Integer.toString(e.getKey())).value(e.getValue());
                }
                w.endObject();
            }
            if (!options.types().isEmpty()) { // our extension: without types the offer is the original's
                w.name("types").beginArray();
                for (String t : options.types()) {
                    w.value(t);
                }
                w.endArray();
                if (options.untyped()) {
                    w.name("untyped").value(true);
                }
            }
            if (options.prefetch() > 0) {
                w.name("prefetch").value(options.prefetch()); // our extension: the original manager ignores it
            }
            w.name("command").value("offer");
        });
    }

    private void onOfferAnswer(FromManager.OfferAnswer answer) {
        RawJson error = answer.error();
        if (error != null) {
            log.warn("the manager refused the offer ({}); offering again in {} ms", error, options.offerRetryTime().toMillis());
            int gen = generation;
            loop.schedule(() -> {
                if (gen == generation && !stopped) {
                    sendOffer();
                }
            }, options.offerRetryTime().toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        id = answer.you() != null ? answer.you() : "";
        log.info("worker {} offered {} slots to the manager", id, options.slots());
        engine.ready();
    }

    /**
     * The connection is lost, and the manager with it, maybe for good (a failover). Works the manager
     * named ({@code uid}) keep running and their results, with those not sent yet, go to the next
     * manager in a {@code resume}; the others are cancelled, as the original worker does.
     */
    private void keepForTheNextManager() {
        for (RealWork w : new ArrayList<>(works.values())) {
            if (w.uid == null || stopped || drained != null) {
                continue;
            }
            if (w.phase().open() || w.phase() == Phase.HELD) {
                w.orphan = true;
            }
        }
        for (Answer a : recentlyAcknowledged) {
            keep(a);
        }
        recentlyAcknowledged.clear();
        recentBytes = 0;
        for (List<Answer> unanswered : donesInFlight) {
            for (Answer a : unanswered) {
                keep(a);
            }
        }
        donesInFlight.clear();
        for (Answer a : batch) {
            if (a.uid() != null) {
                keep(a);
            }
        }
        batch.clear();
        dropConnectionState();
    }

    /** Keeps an orphan's result for the next manager, and sends it now when connected to one. */
    private void keep(Answer a) {
        Answer was = resumable.put(a.uid(), a);
        resumableBytes += a.bytes() - (was == null ? 0 : was.bytes());
        Iterator<Answer> oldest = resumable.values().iterator();
        while ((resumable.size() > MAX_RESUMABLE || resumableBytes > MAX_RESUMABLE_BYTES) && oldest.hasNext()) {
            Answer dropped = oldest.next();
            log.warn("dropping the kept result of work {}: more than {} results or {} bytes wait for a manager", dropped.uid(),
                    MAX_RESUMABLE, MAX_RESUMABLE_BYTES);
            resumableBytes -= dropped.bytes();
            oldest.remove();
        }
        if (engine.isConnected()) {
            sendResume();
        }
    }

    /** Remembers an acknowledged result for a while (see {@link #recentlyAcknowledged}). */
    private void remember(Answer a) {
        recentlyAcknowledged.add(a);
        recentBytes += a.bytes();
        while (recentlyAcknowledged.size() > MAX_RESUMABLE || recentBytes > MAX_RESUMABLE_BYTES / 2) {
            recentBytes -= recentlyAcknowledged.poll().bytes();
        }
    }

    /**
     * Hands the results kept for a manager, and the identities of the orphans still running, to the
     * manager (our extension; the original answers EUNKNCMD). They are forgotten when it answers.
     */
    private void sendResume() {
        List<String> running = new ArrayList<>();
        for (RealWork w : works.values()) {
            if (w.orphan && w.phase().open()) {
                running.add(w.uid);
            }
        }
        if (resumable.isEmpty() && running.isEmpty()) {
            return;
        }
        List<String> sent = new ArrayList<>(resumable.keySet());
        boolean ok = engine.send(w -> {
            w.name("results").beginArray();
            for (Answer a : resumable.values()) {
                w.beginObject().name("uid").value(a.uid())
                        .name("result").beginObject().name("err").raw(a.error()).name("data").raw(a.data()).endObject()
                        .endObject();
            }
            w.endArray().name("running").beginArray();
            running.forEach(w::value);
            w.endArray().name("command").value("resume");
        });
        if (ok) {
            resumesInFlight.add(sent);
            log.info("worker handed {} results and {} running works over to the manager", sent.size(), running.size());
        }
    }

    /** The manager requeues every work of a lost connection: cancel them and forget unsent results. */
    private void dropConnectionState() {
        for (RealWork w : new ArrayList<>(works.values())) {
            if (w.orphan && !stopped) {
                continue; // runs on: its result goes to the next manager
            }
            if (w.phase().open()) {
                cancel(w);
            } else if (w.phase() == Phase.HELD) {
                settle(w, Phase.CANCELLED); // the manager requeued it: its result must not reach the next connection
            }
        }
        batch.clear();
        waiting.clear(); // prefetched, never started: the manager requeues them
        startedIds.clear();
        startedHere.clear();
        startsInFlight.clear();
        recalledIds.clear();
        if (flushTimer != null) {
            flushTimer.cancel(false);
            flushTimer = null;
        }
        completeIfDrained();
    }

    private void shutdownOnLoop() {
        stopped = true;
        if (drained != null) {
            drained.complete(null); // a close() still waiting has nothing left to wait for
        }
        flush();
        dropConnectionState();
        id = null;
    }

    /** Leaving gracefully: tell the manager (our extension; the original answers EUNKNCMD) and wait for idle. */
    private void drain(CompletableFuture<Void> idle) {
        if (stopped) {
            idle.complete(null);
            return;
        }
        if (drained != null) { // a second close(): it waits for the same drain, not less
            drained.whenComplete((v, e) -> idle.complete(null));
            return;
        }
        drained = idle;
        engine.leave();
        log.info("worker {} leaving: finishing {} running works, taking no more", id, works.size());
        if (id != null) {
            engine.send(w -> w.name("command").value("drain"));
        }
        recalledIds.addAll(waiting.keySet()); // prefetched works go back to the manager unstarted
        waiting.clear();
        flush();
        completeIfDrained();
    }

    private void completeIfDrained() {
        if (drained != null && works.isEmpty() && batch.isEmpty()) {
            drained.complete(null);
        }
    }

    private int freeSlots() {
        return options.slots() - works.size();
    }

    private void onDispatch(FromManager.Dispatch dispatch) {
        List<FromManager.DispatchedWork> items = dispatch.works();
        if (items == null) {
            log.warn("the manager sent a dispatch whose work is not an array");
            engine.send(w -> {
                w.name("to").value("push");
                WireError.EINVWORK.writeMember(w);
                w.name("command").value("answer");
            });
            return;
        }
        int was = freeSlots();
        int free = drained != null ? 0 : was; // leaving: a manager that did not hear the drain gets rejections
        List<String> rejected = new ArrayList<>();
        List<RealWork> toStart = new ArrayList<>(Math.min(items.size(), Math.max(free, 0))); // accepted, in order
        Set<String> refused = null; // ids rejected in this dispatch, so that a repeat is rejected too (accepted ones are in works)
        List<String> acceptedIds = new ArrayList<>(items.size());
        for (FromManager.DispatchedWork item : items) {
            String workId = item.id();
            if (workId == null) {
                log.warn("skipping a dispatched item that is not an object with an id"); // its content may hold work arguments
                log.debug("the item: {}", item.item());
                continue;
            }
            RawJson args = item.args();
            boolean ahead = item.prefetched();
            RealWork queued = ahead ? null : waiting.remove(workId);
            if (queued != null && free <= 0) {
                // The manager freed a slot this worker still uses (a cancelled handler has not returned):
                // no more handlers than slots, so it goes back, as any work beyond the free slots.
                rejected.add(workId);
                refused = refuse(refused, workId);
            } else if (queued != null) {
                // A free slot for a work waiting here: it starts now (the manager counts the slot already).
                free--;
                toStart.add(queued);
                acceptedIds.add(workId);
                works.put(workId, queued);
                unfinished++;
            } else if (!ahead && startedHere.remove(workId)) {
                acceptedIds.add(workId); // started here while the manager put it into a slot: it runs (or ran) once
            } else if (ahead) {
                if (works.containsKey(workId) || waiting.containsKey(workId) || (refused != null && refused.contains(workId))
                        || args == null || args.isNull() || drained != null || waiting.size() >= options.prefetch()) {
                    rejected.add(workId);
                    refused = refuse(refused, workId);
                } else {
                    RealWork work = new RealWork(workId, args, item.runTimeoutMillis(), mapper, listeners);
                    work.uid = item.uid();
                    work.prefetched = true;
                    work.priority = item.priority();
                    waiting.put(workId, work);
                    acceptedIds.add(workId);
                }
            } else if (works.containsKey(workId) || (refused != null && refused.contains(workId))) {
                log.warn("rejecting work {}: this worker already holds it", workId);
                rejected.add(workId);
            } else if (args == null || args.isNull()) {
                log.warn("rejecting work {}: it has no args", workId);
                rejected.add(workId);
                refused = refuse(refused, workId);
            } else if (free <= 0) {
                rejected.add(workId);
                refused = refuse(refused, workId);
            } else {
                free--;
                RealWork work = new RealWork(workId, args, item.runTimeoutMillis(), mapper, listeners);
                work.uid = item.uid();
                work.progressSender = w -> onLoop(() -> sendProgress(w));
                toStart.add(work);
                acceptedIds.add(workId);
                works.put(workId, work); // holds its slot from now on
                unfinished++;
            }
        }
        int isFree = free;
        engine.send(w -> {
            w.name("to").value("push");
            w.name("accepted").beginArray();
            for (String accepted : acceptedIds) {
                w.value(accepted);
            }
            w.endArray();
            w.name("rejected").beginArray();
            for (String s : rejected) {
                w.value(s);
            }
            w.endArray();
            w.name("description").value(rejected.isEmpty() ? "i'll do my best" : "some works were rejected");
            w.name("allocation").beginObject().name("was").value(was).name("is").value(isFree)
                    .name("rejected").value(rejected.size()).name("got").value(items.size()).endObject();
            w.name("command").value("answer");
        });
        busySlots = works.size();
        for (RealWork w : toStart) {
            startWork(w);
        }
    }

    /** Sends a work's latest progress while it still runs here and has no result (event loop). */
    private void sendProgress(RealWork work) {
        RawJson progress = work.pendingProgress.getAndSet(null);
        if (progress != null && works.get(work.id()) == work && work.phase().open() && !work.isCancelled() && !work.orphan) {
            engine.send(w -> w.name("id").value(work.id()).name("progress").raw(progress).name("command").value("progress"));
        }
    }

    private static Set<String> refuse(Set<String> refused, String workId) {
        Set<String> set = refused != null ? refused : new HashSet<>();
        set.add(workId);
        return set;
    }

    private void startWork(RealWork work) {
        WorkHandler h = handler;
        WorkCompletion completion = (error, result) -> complete(work, error, result);
        AtomicBoolean ran = new AtomicBoolean(); // the handler's run, or its cancellation before it ran: whichever comes first
        FutureTask<Void> task = new FutureTask<>(() -> {
            if (!ran.compareAndSet(false, true)) {
                return;
            }
            try {
                h.handle(work, completion);
            } catch (Throwable t) {
                completion.done(t, null);
            } finally {
                if (loop.inEventLoop()) {
                    handlerReturned(work); // a direct executor: no task
                } else {
                    onLoop(() -> handlerReturned(work));
                }
            }
        }, null) {
            @Override
            protected void done() {
                if (isCancelled() && ran.compareAndSet(false, true)) {
                    onLoop(() -> handlerReturned(work)); // cancelled before it ran
                }
            }
        };
        work.task = task;
        long timeout = work.runTimeoutMillis().orElse(0);
        if (timeout != 0) {
            work.timeoutTimer = loop.schedule(() -> onRunTimeout(work), Math.max(0, timeout), TimeUnit.MILLISECONDS);
        }
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            complete(work, new ProletariatException("EREJECTED", "the worker's executor refused the work: " + e.getMessage()), null);
            ran.set(true);
            handlerReturned(work);
        }
    }

    private boolean complete(RealWork work, Object error, Object result) {
        if (!work.completed.compareAndSet(false, true) || work.isCancelled()) {
            return false;
        }
        Answer encoded = encodeResult(work, error, result);
        if (loop.inEventLoop()) {
            onCompleted(work, encoded); // a handler on a direct executor: no task
        } else {
            onLoop(() -> onCompleted(work, encoded));
        }
        return true;
    }

    /** Runs {@code r} on the event loop: at once when already there (a handler on a direct executor), else as a task. */
    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
            return;
        }
        try {
            loop.execute(r);
        } catch (RejectedExecutionException e) {
            log.debug("worker stopped; dropping a late event");
        }
    }

    private Answer encodeResult(RealWork work, Object error, Object result) {
        RawJson err;
        try {
            err = encodeError(error);
        } catch (IllegalArgumentException e) {
            log.warn("the error of work {} cannot be serialised: {}", work.id(), e.getMessage());
            err = Json.error("ESERIAL", "the work's error could not be serialised: " + e.getMessage());
        }
        RawJson data;
        try {
            data = Json.toJson(mapper, result);
        } catch (IllegalArgumentException e) {
            log.warn("the result of work {} cannot be serialised: {}", work.id(), e.getMessage());
            err = Json.error("ESERIAL", "the work's result could not be serialised: " + e.getMessage());
            data = RawJson.NULL;
        }
        return new Answer(work.id(), work.uid, err, data); // written straight into the done frame
    }

    private RawJson encodeError(Object error) {
        if (error instanceof WorkFailedException && ((WorkFailedException) error).error() != null) {
            return ((WorkFailedException) error).error();
        }
        if (error instanceof Throwable) {
            Throwable t = (Throwable) error;
            String code = t instanceof ProletariatException ? ((ProletariatException) t).code() : null;
            String message = t.getMessage() != null ? t.getMessage() : t.toString();
            JsonWriter w = JsonWriter.toBytes().beginObject().name("message").value(message);
            if (code != null) {
                w.name("code").value(code);
            }
            return w.endObject().toRawJson();
        }
        return Json.toJson(mapper, error);
    }

    // ---------------------------------------------------------------- a work's moves (event loop)

    /** The handler gave a result. */
    private void onCompleted(RealWork work, Answer result) {
        switch (work.phase()) {
            case RUNNING:
                // The manager frees the slot when it gets the result: send it once the handler has
                // returned and the slot really is free, or the next work sent there would be refused.
                work.heldResult = result;
                settle(work, Phase.HELD);
                break;
            case RETURNED:
                answer(work, result);
                settle(work, Phase.FINISHED);
                startWaiting(work);
                break;
            default:
                log.debug("dropping the late result of work {}", work.id());
                return;
        }
        flushIfDue();
    }

    /** The handler returned (or was cancelled before it ran). */
    private void handlerReturned(RealWork work) {
        switch (work.phase()) {
            case RUNNING:
                work.moveTo(Phase.RETURNED); // an asynchronous handler: its outcome comes later
                return;
            case HELD:
                answer(work, work.heldResult);
                work.heldResult = null;
                settle(work, Phase.FINISHED);
                startWaiting(work);
                break;
            case CANCELLED:
                settle(work, Phase.FINISHED);
                break;
            default:
                log.debug("work {}: its handler returned twice", work.id());
                return;
        }
        flushIfDue();
    }

    private void onRunTimeout(RealWork work) {
        work.timeoutTimer = null;
        if (!work.phase().open()) {
            return;
        }
        log.info("work {} ran out of time ({} ms): ETO", work.id(), work.runTimeoutMillis().orElse(0));
        answer(work, new Answer(work.id(), work.uid, ETO_ERROR, RawJson.NULL));
        cancel(work);
        flushIfDue();
    }

    /**
     * A work answered here freed its slot, which the manager frees when it reads that result: a work
     * waiting here takes it now, and says so in the same done ({@code started}), without a round trip.
     * Slots freed otherwise (an abort, a run timeout) are the manager's to fill.
     */
    private void startWaiting(RealWork finished) {
        if (waiting.isEmpty() || finished.orphan || drained != null || stopped || works.size() >= options.slots()) {
            return;
        }
        RealWork next = null;
        for (RealWork w : waiting.values()) { // highest priority, oldest first; at most options.prefetch() of them
            if (next == null || w.priority > next.priority) {
                next = w;
            }
        }
        waiting.remove(next.id());
        works.put(next.id(), next);
        unfinished++;
        busySlots = works.size();
        startedIds.add(next.id());
        startedHere.add(next.id());
        startWork(next);
    }

    /** The manager takes prefetched works back: those not started go back (recalled); a started one was reported, and runs on. */
    private void onRecall(FromManager.Recall recall) {
        if (recall.workIds() == null) {
            return;
        }
        for (String workId : recall.workIds()) {
            if (waiting.remove(workId) != null) {
                recalledIds.add(workId);
            }
        }
        flush();
    }

    private void onAbort(FromManager.Abort abort) {
        if (abort.workIds() == null) {
            log.warn("ignoring an abort without a work list: {}", abort);
            return;
        }
        for (String workId : abort.workIds()) {
            if (waiting.remove(workId) != null) {
                continue; // prefetched, not started: nothing ran
            }
            RealWork work = works.get(workId);
            if (work != null && work.phase() == Phase.HELD) {
                settle(work, Phase.CANCELLED); // its result waited for the handler to return: never send it
                continue;
            }
            if (work == null || !work.phase().open()) {
                log.debug("abort of work {} that is not running here", workId);
                continue;
            }
            log.info("work {} aborted by the manager", workId);
            cancel(work);
        }
        flushIfDue();
    }

    /** Cancels a work whose outcome is open: its handler is interrupted and nothing more is sent for it. */
    private void cancel(RealWork work) {
        settle(work, work.phase() == Phase.RETURNED ? Phase.FINISHED : Phase.CANCELLED);
        work.cancel();
    }

    /** A work's result: into the next done, or kept for the next manager when its own was lost. */
    private void answer(RealWork work, Answer result) {
        if (work.orphan) {
            keep(result);
        } else {
            batch.add(result);
        }
    }

    /** Moves a work on; keeps the count of open outcomes, stops its timer once settled, and frees its slot once finished. */
    private void settle(RealWork work, Phase to) {
        boolean wasOpen = work.phase().open();
        work.moveTo(to);
        if (wasOpen && !to.open()) {
            unfinished--;
            if (work.timeoutTimer != null) {
                work.timeoutTimer.cancel(false);
                work.timeoutTimer = null;
            }
        }
        if (to == Phase.CANCELLED) {
            work.heldResult = null;
        }
        if (to == Phase.FINISHED && works.get(work.id()) == work) {
            works.remove(work.id());
            busySlots = works.size();
        }
        completeIfDrained();
    }

    /** No accepted work is still running: results waiting in the batch can go now. */
    private boolean idle() {
        return unfinished == 0;
    }

    private void flushIfDue() {
        if (batch.isEmpty()) {
            return;
        }
        if (batch.size() >= options.answerThreshold() || idle()) {
            flush();
        } else if (flushTimer == null) {
            flushTimer = loop.schedule(() -> {
                flushTimer = null;
                flush();
            }, options.answerFlushInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void flush() {
        if (flushTimer != null) {
            flushTimer.cancel(false);
            flushTimer = null;
        }
        if (batch.isEmpty() && startedIds.isEmpty() && recalledIds.isEmpty()) {
            return;
        }
        try {
            if (!engine.send(writeBatch)) {
                // The connection is gone and the engine has not said so yet (onDisconnected comes next):
                // results with an identity go to the next manager, as keepForTheNextManager() keeps those
                // still in the batch. Dropped, they ran again there, and no rerun was counted.
                int kept = 0;
                for (Answer a : batch) {
                    if (a.uid() != null) {
                        keep(a);
                        kept++;
                    }
                }
                log.debug("not connected: {} results kept for the next manager, {} dropped (the manager requeues their works)",
                        kept, batch.size() - kept);
            } else {
                donesInFlight.add(withIdentity(batch));
                startsInFlight.add(startedIds.isEmpty() ? List.of() : new ArrayList<>(startedIds));
            }
        } finally {
            batch.clear(); // sent or dropped: never sent twice
            startedIds.clear();
            recalledIds.clear();
        }
        completeIfDrained();
    }

    /** The answers of a batch that have an identity, kept until the manager answers the done; none in most batches of the original's managers. */
    private static List<Answer> withIdentity(List<Answer> batch) {
        List<Answer> kept = null;
        for (int i = 0; i < batch.size(); i++) {
            Answer a = batch.get(i);
            if (a.uid() != null) {
                if (kept == null) {
                    kept = new ArrayList<>(batch.size());
                }
                kept.add(a);
            }
        }
        return kept == null ? List.of() : kept;
    }

    private void writeBatch(JsonWriter w) {
        w.name("work").beginArray();
        for (Answer a : batch) {
            w.beginObject().name("id").value(a.workId())
                    .name("result").beginObject().name("err").raw(a.error()).name("data").raw(a.data()).endObject()
                    .endObject();
        }
        w.endArray();
        if (!startedIds.isEmpty()) {
            w.name("started").beginArray();
            startedIds.forEach(w::value);
            w.endArray();
        }
        if (!recalledIds.isEmpty()) {
            w.name("recalled").beginArray();
            recalledIds.forEach(w::value);
            w.endArray();
        }
        w.name("command").value("done");
    }

    /** A work's result, {@code {"err":error,"data":data}} on the wire, waiting to be sent. */
    record Answer(String workId, String uid, RawJson error, RawJson data) {
        /** About what it takes in a resume frame. */
        long bytes() {
            return 64L + (uid == null ? 0 : uid.length()) + error.byteLength() + data.byteLength();
        }

    }

}
