package io.proletariat.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.proletariat.client.internal.Engine;
import io.proletariat.client.internal.Ids;
import io.proletariat.client.internal.Json;
import io.proletariat.protocol.FromManager;
import io.proletariat.protocol.ProletariatException;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.SystemMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A proletariat client: pushes works to the manager and hands back their results.
 *
 * <pre>{@code
 * try (Client proletariat = new Client("127.0.0.1")) {
 *     // callbacks, as the original
 *     proletariat.work(List.of(Map.of("some", "work")), WorkOptions.builder().overallTimeout(60_000).priority(1).build(),
 *             (err, res) -> {
 *                 if (err != null) {
 *                     System.out.println("Fail at work: " + err);
 *                     return;
 *                 }
 *                 System.out.println("Result: " + res);
 *             });
 *     // futures
 *     List<WorkResult> results = proletariat.submit(List.of("a", "b"), WorkOptions.DEFAULT).join();
 *     String one = proletariat.submitOne(Map.of("some", "work"), WorkOptions.DEFAULT).join().get(String.class);
 * }
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li>The constructor starts connecting at once, in the background. Calls made before the
 *       connection is up are sent when it is.</li>
 *   <li>Each call is one request with an id {@code R<6 digits>r<n>}, sent as both {@code rid} and
 *       {@code group} so that managers of either protocol version accept it.</li>
 *   <li>Every work gets exactly one final answer: its result, a failure ({@code ETO}, {@code EATO},
 *       {@code ECSTO}, the handler's error) or, when the whole call fails (the manager refuses the
 *       push, or cannot be reached within the retry limit), a {@link ProletariatException} with the
 *       code. Repeated results are ignored.</li>
 *   <li>When the connection drops, the client reconnects ({@link ReconnectPolicy}: at once, then
 *       every {@link ReconnectPolicy#retryDelay()}, up to {@link ReconnectPolicy#maxRetries()} failures
 *       in a row) and pushes every unanswered work again under the same request id, including
 *       pushes whose answer never came. A work may therefore run twice. A
 *       {@link ConnectionListener} hears it happen.</li>
 *   <li>Pings and system messages from the manager are answered.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Network I/O and all request bookkeeping run on one Netty event loop owned by the client (its
 * connection engine's). Callbacks, listeners and futures complete on the callback executor ({@link ClientOptions#callbackExecutor()};
 * default one daemon thread, so they run one at a time in arrival order), never on the event loop.
 * Thread-safe.
 */
public final class Client implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Client.class);

    private final ClientOptions options;
    private final ObjectMapper mapper;
    private final Engine engine;
    private final EventLoop loop;
    private final Executor callbacks;
    private final ExecutorService ownedCallbacks;

    // Owned by the event loop.
    private final Map<String, Request> requests = new LinkedHashMap<>();
    private final Map<String, Slot> byWorkId = new HashMap<>();
    private final ArrayDeque<Inflight> inflight = new ArrayDeque<>();
    /** Names this client's works across managers, with their request ids and indexes (docs/cluster.md). */
    private final String session = Ids.session();

    /** A client of the manager on {@code host}, default port 1917. */
    public Client(String host) {
        this(ClientOptions.builder().host(host).build());
    }

    /** A client of the manager on 127.0.0.1:1917. */
    public Client() {
        this(ClientOptions.defaults());
    }

    /** A client with these options; starts connecting at once. */
    public Client(ClientOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.mapper = options.objectMapper();
        if (options.callbackExecutor() != null) {
            this.callbacks = options.callbackExecutor();
            this.ownedCallbacks = null;
        } else {
            this.ownedCallbacks = Executors.newSingleThreadExecutor(new DefaultThreadFactory("proletariat-client-callbacks", true));
            this.callbacks = ownedCallbacks;
        }
        // Frames are indexed down to frame.work[i].result.err: what a client reads, in one pass.
        this.engine = new Engine(Client.class, "client", options, 4, callbacks, new OnEngine());
        this.loop = engine.loop();
        if (options.connectionListener() != null) {
            engine.addConnectionListener(options.connectionListener());
        }
        engine.start();
    }

    /** The options this client was made with. */
    public ClientOptions options() {
        return options;
    }

    /** True while connected to the manager; {@link #addConnectionListener} hears the changes. */
    public boolean isConnected() {
        return engine.isConnected();
    }

    /**
     * Adds a listener of this client's connection events (connected, disconnected, reconnected,
     * closed), from now on: a client connects from its constructor on, so a listener that must hear
     * the first connection is given to {@link ClientOptions.Builder#connectionListener} instead.
     */
    public Client addConnectionListener(ConnectionListener listener) {
        engine.addConnectionListener(listener);
        return this;
    }

    // ---------------------------------------------------------------- futures (the engine)

    /**
     * Pushes a work group; the future completes with one result per work, in submission order.
     * Per-work failures are inside the list; the future fails with a {@link ProletariatException}
     * only when the whole call fails.
     *
     * @throws NullPointerException when {@code works} is null
     * @throws IllegalArgumentException when {@code works} is empty, holds a null, or holds something
     *         Jackson cannot serialise
     * @throws IllegalStateException when the client is closed
     */
    public CompletableFuture<List<WorkResult>> submit(List<?> works, WorkOptions options) {
        return enqueue(works, true, "group", options, false).all;
    }

    /** {@link #submit(List, WorkOptions)} without options. */
    public CompletableFuture<List<WorkResult>> submit(List<?> works) {
        return submit(works, WorkOptions.DEFAULT);
    }

    /**
     * Pushes one work (sent as a non-array push, {@code sentArray:false}); the future completes with
     * its result, or fails with a {@link ProletariatException} when the call fails. A {@code List}
     * is a work group: use {@link #submit(List, WorkOptions)}.
     */
    public CompletableFuture<WorkResult> submitOne(Object work, WorkOptions options) {
        rejectGroup(work);
        return enqueue(List.of(requireWork(work, 0)), false, "group", options, true).each.get(0);
    }

    /** {@link #submitOne(Object, WorkOptions)} without options. */
    public CompletableFuture<WorkResult> submitOne(Object work) {
        return submitOne(work, WorkOptions.DEFAULT);
    }

    /** Pushes a work group with a future per work as well as one for the group ({@code return:"each"}). */
    public WorkSubmission submitIndividual(List<?> works, WorkOptions options) {
        Request r = enqueue(works, true, "each", options, true);
        return new WorkSubmission(r.rid, r.each, r.all);
    }

    // ---------------------------------------------------------------- callbacks (the original's shape)

    /**
     * The original's {@code work(workGroup, options, callback)} for a list: {@code callback(null, results)}
     * with results in submission order, or {@code callback(error, null)} when the call failed.
     * See {@link #submit(List, WorkOptions)} for the exceptions thrown on bad input.
     */
    public void work(List<?> workGroup, WorkOptions options, GroupCallback callback) {
        Objects.requireNonNull(callback, "callback");
        submit(workGroup, options).whenCompleteAsync((results, e) -> callback.onDone(Engine.unwrap(e), e == null ? results : null), callbacks);
    }

    /**
     * The original's {@code work(work, options, callback)} for a single work: {@code callback(err, data, result)}.
     */
    public void work(Object work, WorkOptions options, WorkCallback callback) {
        Objects.requireNonNull(callback, "callback");
        submitOne(work, options).whenCompleteAsync((r, e) -> deliver(callback, r, e), callbacks);
    }

    /**
     * The original's {@code workIndividual(workGroup, options, workCallback, groupCallback)}:
     * {@code workCallback} once per work as each finishes, then {@code groupCallback} with all of
     * them in submission order. With the default callback executor the group callback runs after
     * every work callback.
     */
    public void workIndividual(List<?> workGroup, WorkOptions options, WorkCallback workCallback, GroupCallback groupCallback) {
        Objects.requireNonNull(workCallback, "workCallback");
        Objects.requireNonNull(groupCallback, "groupCallback");
        enqueue(workGroup, true, "each", options, false, workCallback, groupCallback);
    }

    private static void deliver(WorkCallback callback, WorkResult r, Throwable e) {
        try {
            if (e != null) {
                callback.onResult(Engine.unwrap(e), null, null);
            } else {
                callback.onResult(r.exception(), r.data(), r);
            }
        } catch (RuntimeException ex) {
            log.warn("work callback failed", ex);
        }
    }

    // ---------------------------------------------------------------- system messages

    /** Sets the listener for system messages sent to this client. */
    public Client onSystemMessage(SystemMessageListener listener) {
        engine.onSystemMessage(listener);
        return this;
    }

    /** Sends a system message to everybody else. */
    public CompletableFuture<SystemMessageReceipt> systemMessage(Object content) {
        return systemMessage(content, (String) null);
    }

    /**
     * Sends a system message to {@code to}: {@code null} for everybody else, {@link SystemMessage#MANAGER}
     * for the manager only, or a participant's connection id. The future completes on the callback
     * executor when every recipient acknowledged it, or fails with a {@link ConnectionException} when the
     * connection drops first.
     *
     * @throws IllegalArgumentException when the content cannot be serialised
     * @throws IllegalStateException when the client is closed
     */
    public CompletableFuture<SystemMessageReceipt> systemMessage(Object content, String to) {
        checkOpen();
        return engine.systemMessage(content, to);
    }

    /** The callback form of {@link #systemMessage(Object, String)}. */
    public void systemMessage(Object content, String to, SystemMessageCallback callback) {
        Objects.requireNonNull(callback, "callback");
        systemMessage(content, to).whenCompleteAsync((r, e) -> callback.onComplete(Engine.unwrap(e), r), callbacks);
    }

    /** The original's {@code systemMessage(msg, callback)}: to everybody. */
    public void systemMessage(Object content, SystemMessageCallback callback) {
        systemMessage(content, null, callback);
    }

    /**
     * Closes the connection and the client's threads. Pending calls fail with a
     * {@link ConnectionException} (code {@code ECLOSED}); the manager aborts their works. Idempotent.
     */
    @Override
    public void close() {
        if (engine.shutdown(() -> failAll(engine.closedException())) && ownedCallbacks != null) {
            ownedCallbacks.shutdown(); // lets the completions already queued run
        }
    }

    // ---------------------------------------------------------------- requests

    private final class Request {
        final String rid;
        final List<RawJson> works;
        final boolean sentArray;
        final String returnMode;
        final WorkOptions options;
        final WorkResult[] results;
        /** The manager's id of each work on the current connection (null until the push is answered). */
        final String[] workIds;
        /** A future per work, only when the caller asked for them (empty otherwise: a million pending works cost no futures). */
        final List<CompletableFuture<WorkResult>> each;
        /** The group's future; null when the caller gave callbacks instead ({@link #workIndividual}). */
        final CompletableFuture<List<WorkResult>> all;
        final WorkCallback onEach;
        final GroupCallback onGroup;
        int remaining;
        boolean finished;
        boolean pushedOnThisConnection;
        /** Pushed on an earlier connection: a push now is a resend, which the manager may answer from a resumed result. */
        boolean pushedBefore;
        /** When it was first sent (epoch ms): a resend's {@code delay} counts from then, sent as a {@code notBefore}. */
        long firstSentMillis;
        ScheduledFuture<?> timer;

        Request(List<RawJson> works, boolean sentArray, String returnMode, WorkOptions options, boolean perWorkFutures,
                WorkCallback onEach, GroupCallback onGroup) {
            this.rid = Ids.requestId();
            this.onEach = onEach;
            this.onGroup = onGroup;
            this.all = onGroup == null ? new CompletableFuture<>() : null;
            this.works = works;
            this.sentArray = sentArray;
            this.returnMode = returnMode;
            this.options = options;
            this.results = new WorkResult[works.size()];
            this.workIds = new String[works.size()];
            this.remaining = works.size();
            this.each = perWorkFutures ? new ArrayList<>(works.size()) : List.of();
            for (int i = 0; perWorkFutures && i < works.size(); i++) {
                each.add(new CompletableFuture<>());
            }
        }
    }

    private static final class Slot {
        final Request request;
        final int index;

        Slot(Request request, int index) {
            this.request = request;
            this.index = index;
        }
    }

    private static final class Inflight {
        final Request request;
        final int[] indexes;

        Inflight(Request request, int[] indexes) {
            this.request = request;
            this.indexes = indexes;
        }
    }

    /** @param perWorkFutures whether the caller wants a future per work ({@link Request#each}) */
    private Request enqueue(List<?> works, boolean sentArray, String returnMode, WorkOptions options, boolean perWorkFutures) {
        return enqueue(works, sentArray, returnMode, options, perWorkFutures, null, null);
    }

    private Request enqueue(List<?> works, boolean sentArray, String returnMode, WorkOptions options,
            boolean perWorkFutures, WorkCallback onEach, GroupCallback onGroup) {
        Objects.requireNonNull(works, "works");
        Objects.requireNonNull(options, "options (use WorkOptions.DEFAULT)");
        if (works.isEmpty()) {
            throw new IllegalArgumentException("works must not be empty: the manager needs at least one work");
        }
        List<RawJson> json;
        if (works.size() == 1) {
            json = Collections.singletonList(requireWork(works.get(0), 0)); // one work: no list to fill
        } else {
            json = new ArrayList<>(works.size());
            for (int i = 0; i < works.size(); i++) {
                json.add(requireWork(works.get(i), i));
            }
        }
        checkOpen();
        Request r = new Request(json, sentArray, returnMode, options, perWorkFutures, onEach, onGroup);
        long start = System.nanoTime();
        try {
            loop.execute(() -> register(r, start));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("client closed");
        }
        return r;
    }

    private RawJson requireWork(Object work, int index) {
        if (work == null || (work instanceof RawJson && ((RawJson) work).isNull())) {
            throw new IllegalArgumentException("works[" + index + "] is null: a work must be a JSON value other than null");
        }
        try {
            return Json.toJson(mapper, work);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("works[" + index + "]: " + e.getMessage(), e);
        }
    }

    private static void rejectGroup(Object work) {
        if (work instanceof Collection || (work != null && work.getClass().isArray())) {
            throw new IllegalArgumentException("a collection is a work group: use submit(List, ...) or work(List, ..., GroupCallback)");
        }
    }

    private void checkOpen() {
        if (engine.isClosed()) {
            throw new IllegalStateException("client closed");
        }
    }

    private void register(Request r, long startNanos) {
        if (engine.isClosed()) {
            fail(r, engine.closedException());
            return;
        }
        requests.put(r.rid, r);
        if (r.options.overallTimeout() != null) {
            long left = r.options.overallTimeout().toNanos() - (System.nanoTime() - startNanos);
            r.timer = loop.schedule(() -> onOverallTimeout(r), Math.max(0, left), TimeUnit.NANOSECONDS);
        }
        if (engine.isConnected()) {
            push(r);
        } else {
            engine.ensureConnecting();
        }
    }

    /** Pushes the request's unanswered works. */
    private void push(Request r) {
        int open = 0;
        for (WorkResult result : r.results) {
            if (result == null) {
                open++;
            }
        }
        if (open == 0) {
            return;
        }
        int[] indexes = new int[open];
        for (int i = 0, k = 0; k < open; i++) {
            if (r.results[i] == null) {
                indexes[k++] = i;
            }
        }
        WorkOptions o = r.options;
        boolean sent = engine.send(w -> {
            w.name("rid").value(r.rid);
            w.name("group").value(r.rid);
            w.name("return").value(r.returnMode);
            w.name("work").beginArray();
            for (int i : indexes) {
                w.raw(r.works.get(i));
            }
            w.endArray();
            w.name("sentArray").value(r.sentArray);
            w.name("session").value(session);
            if (r.pushedBefore) {
                w.name("resent").value(true);
            }
            if (indexes.length != r.works.size()) {
                w.name("index").beginArray();
                for (int i : indexes) {
                    w.value(i);
                }
                w.endArray();
            }
            if (o.priority() != null) {
                w.name("priority").value(o.priority());
            }
            if (o.runTimeout() != null) {
                // The wire's "timeout" is the run timeout; "runTimeout" says so for readers of the frame.
                w.name("timeout").value(o.runTimeout().toMillis());
                w.name("runTimeout").value(o.runTimeout().toMillis());
            }
            if (o.assignTimeout() != null) {
                w.name("assigntimeout").value(o.assignTimeout().toMillis());
            }
            if (o.type() != null) {
                w.name("type").value(o.type());
            }
            if (r.firstSentMillis == 0) {
                r.firstSentMillis = System.currentTimeMillis();
            }
            o.writeRetriesAndDelay(w, r.pushedBefore ? r.firstSentMillis : 0); // our extension: sent only when set
            if (o.onProgress() != null) {
                w.name("progress").value(true); // our extension: only clients that ask are sent progress
            }
            w.name("command").value("push");
        });
        if (sent) {
            r.pushedOnThisConnection = true;
            inflight.add(new Inflight(r, indexes));
        }
    }

    private void onPushAnswer(FromManager.PushAnswer a) {
        String rid = a.rid();
        Inflight in = null;
        if (rid != null) {
            for (Iterator<Inflight> it = inflight.iterator(); it.hasNext();) {
                Inflight candidate = it.next();
                if (candidate.request.rid.equals(rid)) {
                    it.remove();
                    in = candidate;
                    break;
                }
            }
        } else {
            in = inflight.poll(); // answers come in push order; an id-less one answers the oldest push
        }
        if (in == null) {
            log.warn("ignoring a push answer that matches no pending push: {}", a);
            return;
        }
        Request r = in.request;
        RawJson error = a.error();
        if (error != null) {
            String code = Json.text(error, "code");
            String description = Json.text(error, "description");
            if (!r.finished) {
                fail(r, new ProletariatException(code, "the manager refused the push of request " + r.rid + ": "
                        + (description != null ? description : error.toString())));
            }
            return;
        }
        if (r.finished) {
            return;
        }
        r.pushedBefore = true; // a manager took it: pushed again, it is a resend
        List<String> ids = a.workIds();
        if (ids.size() != in.indexes.length) {
            fail(r, new ProletariatException("EPROTO", "the manager answered the push of request " + r.rid + " with "
                    + ids.size() + " work ids for " + in.indexes.length + " works"));
            return;
        }
        for (int k = 0; k < ids.size(); k++) {
            String workId = ids.get(k);
            byWorkId.put(workId, new Slot(r, in.indexes[k]));
            r.workIds[in.indexes[k]] = workId;
        }
    }

    private void onDone(FromManager.Done done) {
        if (done.results() == null) {
            log.warn("ignoring a done without a work list");
            return;
        }
        for (FromManager.Result item : done.results()) {
            String workId = item.workId();
            Slot slot = workId == null ? null : byWorkId.remove(workId);
            if (slot == null) {
                log.debug("ignoring the result of unknown work {}", workId);
                continue;
            }
            Request r = slot.request;
            if (r.finished || r.results[slot.index] != null) {
                continue;
            }
            answer(r, slot.index, WorkResult.fromWire(slot.index, workId, item.result(), mapper).withAttempts(item.attempts(), item.lastError()));
        }
    }

    /** A worker's progress for one of our works: to the call's listener, in order, until the work is answered. */
    private void onProgress(Map<String, RawJson> fields) {
        RawJson id = fields.get("id");
        RawJson progress = fields.get("progress");
        Slot slot = id == null || !id.isString() || progress == null ? null : byWorkId.get(id.asText());
        if (slot == null) {
            return;
        }
        Request r = slot.request;
        ProgressListener listener = r.options.onProgress();
        if (listener == null || r.finished || r.results[slot.index] != null) {
            return;
        }
        String workId = id.asText();
        int index = slot.index;
        runCallback(() -> {
            try {
                listener.onProgress(index, workId, progress);
            } catch (RuntimeException e) {
                log.warn("progress listener failed", e);
            }
        });
    }

    private void answer(Request r, int index, WorkResult result) {
        r.results[index] = result;
        r.remaining--;
        CompletableFuture<WorkResult> f = r.each.isEmpty() ? null : r.each.get(index);
        WorkCallback cb = r.onEach;
        if (f == null && cb == null) {
            // Only the group is awaited: nothing to run per work.
        } else {
            runCallback(() -> {
                if (f != null) {
                    f.complete(result);
                }
                if (cb != null) {
                    deliver(cb, result, null);
                }
            });
        }
        if (r.remaining == 0) {
            finish(r);
        }
    }

    private void finish(Request r) {
        forget(r);
        List<WorkResult> results = List.of(r.results); // one copy; every work is answered, so no null
        GroupCallback cb = r.onGroup;
        runCallback(() -> {
            if (r.all != null) {
                r.all.complete(results);
            }
            if (cb != null) {
                try {
                    cb.onDone(null, results);
                } catch (RuntimeException e) {
                    log.warn("group callback failed", e);
                }
            }
        });
    }

    private void fail(Request r, ProletariatException e) {
        forget(r);
        WorkCallback each = r.onEach;
        GroupCallback groupCb = r.onGroup;
        List<CompletableFuture<WorkResult>> open = new ArrayList<>();
        int unanswered = 0;
        for (int i = 0; i < r.results.length; i++) {
            if (r.results[i] == null) {
                unanswered++;
                if (!r.each.isEmpty()) {
                    open.add(r.each.get(i));
                }
            }
        }
        int failedWorks = unanswered;
        runCallback(() -> {
            for (CompletableFuture<WorkResult> f : open) {
                f.completeExceptionally(e);
            }
            for (int i = 0; each != null && i < failedWorks; i++) {
                deliver(each, null, e);
            }
            if (r.all != null) {
                r.all.completeExceptionally(e);
            }
            if (groupCb != null) {
                try {
                    groupCb.onDone(e, null);
                } catch (RuntimeException ex) {
                    log.warn("group callback failed", ex);
                }
            }
        });
    }

    private void forget(Request r) {
        r.finished = true;
        if (r.timer != null) {
            r.timer.cancel(false);
            r.timer = null;
        }
        requests.remove(r.rid);
        for (String workId : r.workIds) {
            Slot slot = workId == null ? null : byWorkId.get(workId);
            if (slot != null && slot.request == r) {
                byWorkId.remove(workId);
            }
        }
    }

    private void onOverallTimeout(Request r) {
        r.timer = null;
        if (r.finished) {
            return;
        }
        log.info("request {} ran out of time ({} ms): ECSTO", r.rid, r.options.overallTimeout().toMillis());
        if (r.pushedOnThisConnection) {
            engine.send(w -> w.name("rid").value(r.rid).name("command").value("abort"));
        }
        for (int i = 0; i < r.results.length && !r.finished; i++) {
            if (r.results[i] == null) {
                answer(r, i, WorkResult.failure(i, r.workIds[i], "ECSTO", "Client-side timeout", mapper));
            }
        }
    }

    private void failAll(ProletariatException e) {
        for (Request r : new ArrayList<>(requests.values())) {
            fail(r, e);
        }
    }

    private void runCallback(Runnable r) {
        try {
            callbacks.execute(r);
        } catch (RejectedExecutionException e) {
            log.warn("the callback executor refused a completion; running it on the I/O thread", e);
            r.run();
        }
    }

    // ---------------------------------------------------------------- the engine's calls (event loop)

    private final class OnEngine implements Engine.Participant {
        @Override
        public void onConnected() {
            log.debug("client connected to the manager at {}:{}", options.host(), options.port());
            engine.ready();
            for (Request r : new ArrayList<>(requests.values())) {
                if (!r.finished) {
                    push(r);
                }
            }
        }

        @Override
        public void onMessage(FromManager message) {
            if (message instanceof FromManager.Done done) {
                onDone(done);
            } else if (message instanceof FromManager.PushAnswer answer) {
                onPushAnswer(answer);
            } else if (message instanceof FromManager.Other other && "progress".equals(other.command())) {
                onProgress(other.fields());
            } else {
                log.debug("ignoring {} from the manager", message); // the answer to an abort, say: informational
            }
        }

        @Override
        public void onDisconnected() {
            // The manager aborts every work of a lost connection: what is unanswered is pushed again.
            byWorkId.clear();
            inflight.clear();
            for (Request r : requests.values()) {
                // Pushed: maybe taken and run, even if its answer was lost with the connection (a standby reads nothing).
                r.pushedBefore |= r.pushedOnThisConnection && !engine.wasRedirected();
                r.pushedOnThisConnection = false;
                Arrays.fill(r.workIds, null);
            }
        }

        @Override
        public void onGaveUp(ConnectionException cause) {
            failAll(cause);
        }
    }
}
