package io.proletariat.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.proletariat.client.ConnectionException;
import io.proletariat.client.ProletariatException;
import io.proletariat.client.SystemMessage;
import io.proletariat.client.SystemMessageCallback;
import io.proletariat.client.SystemMessageListener;
import io.proletariat.client.SystemMessageReceipt;
import io.proletariat.client.WorkFailedException;
import io.proletariat.client.internal.Connection;
import io.proletariat.client.internal.IoThreads;
import io.proletariat.client.internal.Json;
import io.proletariat.client.internal.SystemMessenger;
import io.proletariat.protocol.JsNumbers;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.WireError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 *       object, docs/protocol.md, Slots, offers and priority ranges). When the connection drops or cannot be made, it tries again after
 *       {@code CON_RETRYTIME} and offers its full capacity again. A refused offer is repeated after
 *       one second.</li>
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
 * Network I/O and all bookkeeping run on one Netty event loop owned by the worker. Handlers run on
 * the worker's executor ({@link WorkerOptions.Builder#executor}; default: a pool of {@code slots}
 * daemon threads). Abort listeners, system-message listeners, and system-message callbacks and
 * futures run on the worker's own listener thread, so that they are never stuck behind busy
 * handlers. None runs on the event loop. Thread-safe.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int STOPPED = 2;
    private static final RawJson ETO_RESULT = RawJson.of("{\"err\":{\"code\":\"ETO\",\"message\":\"Timeout\"},\"data\":null}");

    private final WorkerOptions options;
    private final ObjectMapper mapper;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final ExecutorService listeners; // abort and system-message listeners: never stuck behind busy handlers
    private final Connection connection;
    private final SystemMessenger messenger;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile WorkHandler handler;
    private volatile SystemMessageListener systemMessageListener;
    private volatile String id;
    private volatile int busySlots;
    /** Accepted works not yet finished (event loop only). */
    private int unfinished;

    // Owned by the event loop.
    private final Map<String, RealWork> works = new LinkedHashMap<>(); // every work holding a slot
    private final List<Object[]> batch = new ArrayList<>();            // {String id, RawJson result}
    private ScheduledFuture<?> flushTimer;
    private ScheduledFuture<?> retryTimer;
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
            this.ownedExecutor = IoThreads.newFixedPool("proletariat-worker", options.slots());
            this.executor = ownedExecutor;
        }
        this.listeners = IoThreads.newFixedPool("proletariat-worker-listeners", 1);
        this.group = IoThreads.newEventLoopGroup("proletariat-worker");
        this.loop = group.next();
        this.connection = new Connection(loop, options.host(), options.port(), 10_000, "worker", 3, new Events()); // frame.work[i].args
        this.messenger = new SystemMessenger(connection, listeners, mapper, () -> systemMessageListener);
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
        this.systemMessageListener = listener;
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
        if (!state.compareAndSet(NEW, STARTED)) {
            throw new IllegalStateException(state.get() == STARTED ? "worker already started" : "worker stopped; create a new Worker");
        }
        loop.execute(connection::connect);
        return this;
    }

    /**
     * Stops at once: sends the results already finished, cancels the running works (the manager
     * requeues them), closes the connection and releases the threads the worker owns. Idempotent.
     * {@link #close()} leaves gracefully instead.
     */
    public void stop() {
        int was = state.getAndSet(STOPPED);
        if (was == STOPPED) {
            return;
        }
        if (was == STARTED) {
            IoThreads.runOnLoopAndWait(loop, "worker stop", this::shutdownOnLoop);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
        listeners.shutdown();
        if (!loop.inEventLoop()) {
            group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
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
        if (grace > 0 && state.get() == STARTED && !loop.inEventLoop()) {
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

    /** True while connected with an accepted offer. */
    public boolean isReady() {
        return id != null;
    }

    /** How many slots are busy now (works running, or cancelled with their handler still running). */
    public int busySlots() {
        return busySlots;
    }

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
        RawJson json = Json.toJson(mapper, content);
        CompletableFuture<SystemMessageReceipt> f = new CompletableFuture<>();
        if (state.get() == STOPPED) {
            f.completeExceptionally(new ConnectionException(ConnectionException.ECLOSED, "worker stopped"));
            return f;
        }
        loop.execute(() -> messenger.send(to, json, f));
        return f;
    }

    /** The callback form of {@link #systemMessage(Object, String)}; the callback runs on the worker's listener thread. */
    public void systemMessage(Object content, String to, SystemMessageCallback callback) {
        Objects.requireNonNull(callback, "callback");
        systemMessage(content, to).whenCompleteAsync((r, e) -> callback.onComplete(unwrap(e), r), listeners);
    }

    static ProletariatException unwrap(Throwable e) {
        if (e == null) {
            return null;
        }
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof ProletariatException ? (ProletariatException) t : new ProletariatException(null, t.toString(), t);
    }

    // ---------------------------------------------------------------- event loop

    private final class Events implements Connection.Listener {
        @Override
        public void onConnected() {
            generation++;
            sendOffer();
            messenger.onConnected();
        }

        @Override
        public void onMessage(String command, Map<String, RawJson> fields) {
            switch (command) {
                case "push":
                    onPush(fields);
                    return;
                case "abort":
                    onAbort(fields);
                    return;
                case "answer":
                    RawJson toJson = fields.get("to");
                    String to = toJson != null && toJson.isString() ? toJson.asText() : null;
                    if ("offer".equals(to)) {
                        onOfferAnswer(fields);
                        return;
                    }
                    if ("done".equals(to)) {
                        RawJson error = fields.get("error");
                        if (error != null) {
                            log.warn("the manager refused results: {}", error);
                        }
                        return;
                    }
                    break;
                default:
                    break;
            }
            if (!messenger.handle(command, fields)) {
                log.debug("ignoring {} from the manager", command);
            }
        }

        @Override
        public void onDisconnected() {
            id = null;
            log.info("worker disconnected from the manager at {}:{}; reconnecting in {} ms",
                    options.host(), options.port(), options.conRetryTime().toMillis());
            dropConnectionState();
            scheduleReconnect();
        }

        @Override
        public void onConnectFailed(Throwable cause) {
            log.info("worker cannot connect to the manager at {}:{} ({}); retrying in {} ms",
                    options.host(), options.port(), cause.toString(), options.conRetryTime().toMillis());
            scheduleReconnect();
        }
    }

    private void sendOffer() {
        Map<Integer, Integer> prio = options.prioritySlots();
        connection.send(w -> {
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
            w.name("command").value("offer");
        });
    }

    private void onOfferAnswer(Map<String, RawJson> fields) {
        RawJson error = fields.get("error");
        if (error != null && error.isTruthy()) {
            log.warn("the manager refused the offer ({}); offering again in {} ms", error, options.offerRetryTime().toMillis());
            int gen = generation;
            loop.schedule(() -> {
                if (gen == generation && !stopped) {
                    sendOffer();
                }
            }, options.offerRetryTime().toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        RawJson you = fields.get("you");
        id = you != null && you.isString() ? you.asText() : "";
        log.info("worker {} offered {} slots to the manager at {}:{}", id, options.slots(), options.host(), options.port());
    }

    private void scheduleReconnect() {
        if (stopped || drained != null) {
            return; // leaving: the manager requeued whatever ran here
        }
        retryTimer = loop.schedule(() -> {
            retryTimer = null;
            if (!stopped) {
                connection.connect();
            }
        }, options.conRetryTime().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The manager requeues every work of a lost connection: cancel them and forget unsent results. */
    private void dropConnectionState() {
        for (RealWork w : new ArrayList<>(works.values())) {
            if (!w.finished) {
                markFinished(w);
                cancelTimer(w);
                w.cancel();
            }
            w.heldResult = null; // the manager requeued it: its result must not reach the next connection
            release(w);
        }
        batch.clear();
        if (flushTimer != null) {
            flushTimer.cancel(false);
            flushTimer = null;
        }
        messenger.onDisconnected();
        completeIfDrained();
    }

    private void shutdownOnLoop() {
        stopped = true;
        if (drained != null) {
            drained.complete(null); // a close() still waiting has nothing left to wait for
        }
        flush();
        if (retryTimer != null) {
            retryTimer.cancel(false);
        }
        dropConnectionState();
        messenger.failAll(new ConnectionException(ConnectionException.ECLOSED, "worker stopped"));
        connection.close();
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
        log.info("worker {} leaving: finishing {} running works, taking no more", id, works.size());
        if (id != null) {
            connection.send(w -> w.name("command").value("drain"));
        }
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

    private void onPush(Map<String, RawJson> fields) {
        RawJson list = fields.get("work");
        if (list == null || !list.isArray()) {
            log.warn("the manager sent a dispatch whose work is not an array: {}", list);
            connection.send(w -> {
                w.name("to").value("push");
                WireError.EINVWORK.writeMember(w);
                w.name("command").value("answer");
            });
            return;
        }
        List<RawJson> items = list.elements();
        int was = freeSlots();
        int free = drained != null ? 0 : was; // leaving: a manager that did not hear the drain gets rejections
        List<String> accepted = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        List<RealWork> toStart = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (RawJson item : items) {
            if (!item.isObject()) {
                log.warn("skipping a dispatched item that is not an object: {}", item);
                continue;
            }
            Map<String, RawJson> f = item.fields();
            RawJson idJson = f.get("id");
            if (idJson == null || !idJson.isTruthy() || !(idJson.isString() || idJson.isNumber())) {
                log.warn("skipping a dispatched item without an id: {}", item);
                continue;
            }
            String workId = idJson.isString() ? idJson.asText() : idJson.toString();
            RawJson args = f.get("args");
            if (works.containsKey(workId) || seen.containsKey(workId)) {
                log.warn("rejecting work {}: this worker already holds it", workId);
                rejected.add(workId);
            } else if (args == null || args.isNull()) {
                log.warn("rejecting work {}: it has no args", workId);
                rejected.add(workId);
            } else if (free <= 0) {
                rejected.add(workId);
            } else {
                free--;
                accepted.add(workId);
                toStart.add(new RealWork(workId, args, runTimeout(f.get("timeout")), mapper, listeners));
            }
            seen.put(workId, Boolean.TRUE);
        }
        int isFree = free;
        connection.send(w -> {
            w.name("to").value("push");
            w.name("accepted").beginArray();
            for (String s : accepted) {
                w.value(s);
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
        for (RealWork w : toStart) {
            works.put(w.id(), w);
            unfinished++;
        }
        busySlots = works.size();
        for (RealWork w : toStart) {
            startWork(w);
        }
    }

    private void startWork(RealWork work) {
        WorkHandler h = handler;
        WorkCompletion completion = (error, result) -> complete(work, error, result);
        AtomicInteger run = new AtomicInteger(); // 0 queued, 1 running, 2 returned
        FutureTask<Void> task = new FutureTask<>(() -> {
            if (!run.compareAndSet(0, 1)) {
                return;
            }
            try {
                h.handle(work, completion);
            } catch (Throwable t) {
                completion.done(t, null);
            } finally {
                run.set(2);
                onLoop(() -> handlerReturned(work));
            }
        }, null) {
            @Override
            protected void done() {
                if (isCancelled() && run.compareAndSet(0, 2)) {
                    onLoop(() -> handlerReturned(work)); // cancelled before it ran
                }
            }
        };
        work.task = task;
        Long timeout = work.runTimeoutMillis().isPresent() ? work.runTimeoutMillis().getAsLong() : null;
        if (timeout != null && timeout != 0) {
            work.timeoutTimer = loop.schedule(() -> onRunTimeout(work), Math.max(0, timeout), TimeUnit.MILLISECONDS);
        }
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            complete(work, new ProletariatException("EREJECTED", "the worker's executor refused the work: " + e.getMessage()), null);
            run.set(2);
            handlerReturned(work);
        }
    }

    private boolean complete(RealWork work, Object error, Object result) {
        if (!work.completed.compareAndSet(false, true) || work.isCancelled()) {
            return false;
        }
        RawJson encoded = encodeResult(work, error, result);
        onLoop(() -> onCompleted(work, encoded));
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

    RawJson encodeResult(RealWork work, Object error, Object result) {
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
        return JsonWriter.toBytes().beginObject().name("err").raw(err).name("data").raw(data).endObject().toRawJson();
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

    private void onCompleted(RealWork work, RawJson result) {
        if (work.finished) {
            log.debug("dropping the late result of work {}", work.id());
            return;
        }
        markFinished(work);
        cancelTimer(work);
        if (work.handlerReturned) {
            batch.add(new Object[] {work.id(), result});
        } else {
            // The manager frees the slot when it gets the result: send it once the handler has
            // returned and the slot really is free, or the next work sent there would be refused.
            work.heldResult = result;
        }
        release(work);
        flushIfDue();
    }

    private void onRunTimeout(RealWork work) {
        work.timeoutTimer = null;
        if (work.finished) {
            return;
        }
        log.info("work {} ran out of time ({} ms): ETO", work.id(), work.runTimeoutMillis().orElse(0));
        markFinished(work);
        batch.add(new Object[] {work.id(), ETO_RESULT});
        work.cancel();
        release(work);
        flushIfDue();
    }

    private void onAbort(Map<String, RawJson> fields) {
        RawJson list = fields.get("work");
        if (list == null || !list.isArray()) {
            log.warn("ignoring an abort without a work list: {}", fields);
            return;
        }
        for (RawJson item : list.elements()) {
            String workId = item.isString() ? item.asText() : item.toString();
            RealWork work = works.get(workId);
            if (work != null && work.heldResult != null) {
                work.heldResult = null; // finished, but its result waited for the handler to return: never send it
                continue;
            }
            if (work == null || work.finished) {
                log.debug("abort of work {} that is not running here", workId);
                continue;
            }
            log.info("work {} aborted by the manager", workId);
            markFinished(work);
            cancelTimer(work);
            work.cancel();
            release(work);
        }
        flushIfDue();
    }

    private void handlerReturned(RealWork work) {
        work.handlerReturned = true;
        if (work.heldResult != null) {
            batch.add(new Object[] {work.id(), work.heldResult});
            work.heldResult = null;
        }
        release(work);
        flushIfDue();
    }

    private static void cancelTimer(RealWork work) {
        if (work.timeoutTimer != null) {
            work.timeoutTimer.cancel(false);
            work.timeoutTimer = null;
        }
    }

    /** Frees the work's slot once it is finished and its handler has returned. */
    private void release(RealWork work) {
        if (work.finished && work.handlerReturned && works.get(work.id()) == work) {
            works.remove(work.id());
            busySlots = works.size();
        }
        completeIfDrained();
    }

    /** No accepted work is still running: results waiting in the batch can go now. */
    private boolean idle() {
        return unfinished == 0;
    }

    private void markFinished(RealWork work) {
        work.finished = true;
        unfinished--;
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
        if (batch.isEmpty()) {
            return;
        }
        List<Object[]> items = new ArrayList<>(batch);
        batch.clear();
        boolean sent = connection.send(w -> {
            w.name("work").beginArray();
            for (Object[] item : items) {
                w.beginObject().name("id").value((String) item[0]).name("result").raw((RawJson) item[1]).endObject();
            }
            w.endArray();
            w.name("command").value("done");
        });
        if (!sent) {
            log.debug("not connected: dropping {} results (the manager requeues their works)", items.size());
        }
        completeIfDrained();
    }

    /** The work's run timeout in ms as the original reads it, or {@code null} when it has none (NaN). */
    private static Long runTimeout(RawJson v) {
        long ms = JsNumbers.parseInt(v);
        return ms == JsNumbers.NAN ? null : ms;
    }
}
