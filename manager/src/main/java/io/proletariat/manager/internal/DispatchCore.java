package io.proletariat.manager.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.proletariat.manager.ClusterRole;
import io.proletariat.manager.Leadership;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.ManagerStats;
import io.proletariat.manager.internal.auth.AddressPolicy;
import io.proletariat.manager.internal.auth.AuthFile;
import io.proletariat.manager.internal.auth.Role;
import io.proletariat.manager.internal.auth.Roles;
import io.proletariat.protocol.RawJson;
import io.proletariat.protocol.WireError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's single-threaded heart, the conductor: it owns the connections, takes each decoded
 * {@link Inbound} event from the I/O threads, checks it against the manager's limits and state, and
 * hands it to the piece whose concern it is: {@link Works} (the live works' lives: push, result,
 * abort, assign timeout), the {@link Scheduler} (queues, slots, the distribution pass), {@link Replies}
 * (every frame written), {@link StatusReport} (status and the stats snapshot) and
 * {@link SystemMessages}. Everything here and in those pieces is touched only on {@link #loop}.
 *
 * <p>A distribution pass is requested by every event that queues work or frees slots and runs once
 * the events already waiting have been processed, so bursts are placed together and nothing sleeps;
 * then every connection's frames of the batch are flushed, one write each.
 */
final class DispatchCore {
    private static final Logger log = LoggerFactory.getLogger(DispatchCore.class);
    /** Invalid frames after which a connection is closed: each one is answered, a stream of them is abuse. */
    static final int MAX_BAD_FRAMES = 100;
    /** Status and mystatus requests a connection may make a second (and in a burst). */
    static final long STATUS_PER_SECOND = 100;

    private final LimitLog limits = new LimitLog(log);
    private final ConnectionLog connectionLog = new ConnectionLog(log);
    final EventLoop loop;
    final ManagerOptions options;
    /** Bytes of works and buffers against the global budgets (ARCHITECTURE.md, "Memory"). */
    final MemoryBudget memory;
    /** {@code maxConnections}, lowered to what the file descriptor limit allows ({@link ConnectionLimit}). */
    final int maxConnections;
    final Events events = new Events();
    private final Stats stats = new Stats();
    final Outbox outbox;
    private final Replies replies;
    private final SystemMessages systemMessages;
    private final Scheduler scheduler;
    final Works works;
    private final StatusReport status;
    private final BufferShedding shedding;
    final WorkTypeCommands workTypes;
    /** Workers' progress reports to clients (docs/protocol.md, progress). */
    final ProgressRelay progress;
    /** An operator's {@code works} and {@code cancel}. */
    final OperatorCommands operator;

    // All owned by the core thread.
    final Map<String, Connection> connections = new LinkedHashMap<>();
    /** Results since the last cleanup, against {@code cleanupReqs}. */
    long finishCount;
    /** Nothing pushed or finished since the last cleanup (the original's status {@code isClean}). */
    boolean isClean = true;
    /** A distribution pass is wanted at the end of this batch of events. */
    private boolean passRequested;
    /** The end-of-batch task (pass, then flush) is queued on the loop. */
    private boolean batchEndScheduled;
    private long connectionSeq;
    /** Errors that escaped a handler or a timer (bugs): each is logged, and closed its connection if it had one. */
    private long unexpectedErrors;
    private final List<ScheduledFuture<?>> periodic = new ArrayList<>();
    /** The cluster this manager stands in; null when it serves alone. */
    private final Leadership leadership;
    /** Where this manager stands: it serves alone or as leader, and sends peers to the leader as a standby. */
    volatile ClusterRole role; // written on the core thread only; read from any (Manager.role())
    /** The lease ran out at the end of a batch: output waits until it is renewed (or leadership is lost). */
    private boolean heldForLease;
    /** The manager is stopping: giving up the leadership first is no lapse of the lease to warn about. */
    volatile boolean stopping;

    private final Runnable batchEndTask = guarded(this::endOfBatch);
    /** The clients a done finished works of, in order, each with them in its {@link Connection#results}; reused by every done. */
    private final List<Connection> resultClients = new ArrayList<>();
    /**
     * Told of an {@link Error} (out of memory, a broken {@code WorkSelector}) on the core thread,
     * after which the core's state cannot be trusted; set by {@code ManagerServer}.
     */
    volatile Consumer<Throwable> onFatal = e -> { };

    // Authentication (docs/security.md): one hook at connect, one per frame.
    /** Loopback and {@code --trust}: who is served without authentication. */
    final AddressPolicy addressPolicy;
    /** The principals when authentication is on, else null; replaced whole by {@link #authReloaded}. Read by I/O threads at connect. */
    volatile AuthFile auth;
    /** Which commands each role may send. */
    private final Roles permissions;
    /** Peers refused in protected mode ({@code EPROTECTED}). */
    long refusedUntrusted;
    /** Connections refused with {@code EAUTH}: wrong, missing or oversized tokens, no auth frame in time. */
    long authFailures;
    /** Commands answered {@code EPERM}. */
    long denied;
    /** The bound of the first frame of a peer that must authenticate: a token of {@code AuthFile.MAX_TOKEN_LENGTH} characters and room around it. */
    static final int AUTH_FRAME_LIMIT = 4 * AuthFile.MAX_TOKEN_LENGTH + 256;

    DispatchCore(EventLoop loop, ManagerOptions options) {
        this.loop = loop;
        this.options = options;
        this.memory = new MemoryBudget(options.effectiveMaxQueuedBytes(), options.effectiveMaxBufferBytes());
        this.outbox = new Outbox(options.maxOutboundBuffer(), this::scheduleBatchEnd, memory, this::requestShed);
        this.replies = new Replies(outbox);
        this.systemMessages = new SystemMessages(loop, replies, events, stats, limits, options.sysmsgTimeout(),
                options.maxPendingSysmsgs(), options.maxPendingSysmsgAcks(), options.maxSysmsgRate());
        this.scheduler = new Scheduler(loop, options, replies, events, stats, this::requestPass, this::guarded);
        this.works = new Works(loop, options, scheduler, replies, stats, events, memory, this::guarded, this::requestPass);
        this.status = new StatusReport(this, scheduler, outbox, stats);
        this.shedding = new BufferShedding(memory, connections.values(), replies, outbox, limits);
        this.workTypes = new WorkTypeCommands(scheduler, outbox, replies, limits, this::requestPass);
        this.status.workTypes = workTypes;
        this.progress = new ProgressRelay(outbox);
        this.operator = new OperatorCommands(this, works, replies, outbox);
        this.leadership = options.leadership();
        this.role = leadership == null ? ClusterRole.ALONE : new ClusterRole(ClusterRole.Kind.STANDBY, null, 0, null, 0);
        this.addressPolicy = AddressPolicy.of(options.trustedNetworks(), options.trustLoopback());
        java.util.Set<Role> sysmsgRoles = java.util.EnumSet.noneOf(Role.class);
        options.sysmsgRoles().forEach(r -> sysmsgRoles.add(Role.parse(r)));
        this.permissions = new Roles(sysmsgRoles);
        long fds = ConnectionLimit.maxFileDescriptors();
        this.maxConnections = ConnectionLimit.effective(options.maxConnections(), fds);
        if (maxConnections < options.maxConnections()) {
            log.info("accepting at most {} connections, not {}: the process may open {} files (ulimit -n) and keeps {} for itself",
                    maxConnections, options.maxConnections(), fds, ConnectionLimit.RESERVE);
        }
    }

    /** Starts the keepalive and the periodic cleanup. */
    void start() {
        works.beginGrace();
        long ping = options.pingInterval().toMillis();
        periodic.add(loop.scheduleAtFixedRate(guarded(this::keepalive), ping, ping, TimeUnit.MILLISECONDS));
        long cleanup = options.cleanupCheckInterval().toMillis();
        periodic.add(loop.scheduleAtFixedRate(guarded(this::periodicCleanup), cleanup, cleanup, TimeUnit.MILLISECONDS));
    }

    /** Cancels the timers and closes every connection; returns their close futures. */
    List<ChannelFuture> stop() {
        periodic.forEach(f -> f.cancel(false));
        List<ChannelFuture> closing = new ArrayList<>();
        for (Connection c : new ArrayList<>(connections.values())) {
            outbox.flushNow(c);
            closing.add(c.channel.close());
        }
        events.shutdown();
        return closing;
    }

    // ---------------------------------------------------------------- connections

    /**
     * Registers a new connection; null when it is refused and closed: {@code maxConnections} are open,
     * or this manager stands by (the peer gets {@code ENOTLEADER} and the leader's address).
     */
    Connection connected(Channel channel) {
        if (!role.serves()) {
            replies.redirect(channel, role.leader());
            return null;
        }
        AuthFile authFile = auth;
        boolean trusted = authFile == null ? addressPolicy.trusts(channel.remoteAddress()) : addressPolicy.trustsNetwork(channel.remoteAddress());
        if (authFile == null && !trusted) {
            // Protected mode: one clear frame saying how to open the manager, then close.
            refusedUntrusted++;
            limits.hit(LimitLog.Limit.PROTECTED, "refusing " + channel.remoteAddress() + " with EPROTECTED: no authentication is"
                    + " configured and it is neither loopback nor in a trusted network (" + addressPolicy + ")");
            replies.refuseGently(channel, WireError.EPROTECTED);
            return null;
        }
        if (connections.size() >= maxConnections) {
            // A bare ETOOMANYCONN, then close: the channel never becomes a connection, so nothing it sends is read.
            limits.hit(LimitLog.Limit.MAX_CONNECTIONS, "refusing " + channel.remoteAddress() + " with ETOOMANYCONN: "
                    + connections.size() + " connections open");
            channel.config().setAutoRead(false);
            replies.refuse(channel, WireError.ETOOMANYCONN);
            return null;
        }
        long now = System.currentTimeMillis();
        Connection c = new Connection("C" + now + "." + (connectionSeq++), channel, now, System.nanoTime());
        c.roles = trusted ? Roles.ALL : null; // else it must authenticate first
        connections.put(c.id, c);
        if (!trusted) {
            // One timer per connection, cancelled by auth or the close: the deadline holds to the timer's precision.
            long timeout = options.authTimeout().toNanos();
            c.authTimer = loop.schedule(() -> {
                c.authTimer = null;
                if (c.open && c.roles == null && !c.closing) {
                    authFailed(c, "no auth frame within " + options.authTimeout().toMillis() + " ms");
                }
            }, timeout, TimeUnit.NANOSECONDS);
        }
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
        cancelAuthTimer(c);
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
                    if (w.live() && !works.keepForResend(w)) {
                        works.drop(w, aborts);
                        stats.givenUp++;
                        events.giveUp(w);
                    }
                }
            }
            c.requests.clear();
            aborts.forEach(replies::aborts);
        }
        // Then the works it ran for others go back to the front of their queues.
        if (c.offered) {
            works.requeue(new ArrayList<>(c.works.values()), true);
        }
        if (c.resumedRunning != null) {
            works.unpark(works.resumption.workerGone(c));
        }
        scheduler.removeWorker(c);
        systemMessages.disconnected(c);
        requestPass();
    }

    /** A peer refused for TLS (plaintext on a TLS port, TLS on a plaintext one, a failed handshake): one WARN line, rate-limited. */
    void tlsRefused(LimitLog.Limit limit, String what) {
        limits.warn(limit, what);
    }

    /** The peer announced a frame above the limit: answer ELARGEMSG and close, nothing else can be read. */
    void frameTooLarge(Connection c) {
        if (c.roles == null) {
            authFailed(c, "its first frame is larger than an auth frame may be (" + AUTH_FRAME_LIMIT + " bytes)");
            return;
        }
        stats.badFrames++;
        limits.hit(LimitLog.Limit.MAX_FRAME, "closing " + c.id + " from " + c.address + " with ELARGEMSG: it announced a frame above "
                + options.maxFrameLength() + " bytes");
        replies.bareError(c, WireError.ELARGEMSG, null);
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
        if (!c.framesSeen) {
            c.framesSeen = true;
            if (m instanceof Inbound.Auth a) {
                authenticate(c, a);
                return;
            }
        }
        if (c.roles == null) {
            authFailed(c, "its first frame was not auth");
            return;
        }
        if (c.roles != Roles.ALL && !permitted(c, m)) {
            return;
        }
        if (m instanceof Inbound.BadJson) {
            stats.badFrames++;
            replies.bareError(c, WireError.EBADJSON, null);
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
            replies.pong(c);
        } else if (m instanceof Inbound.Drain) {
            drain(c);
        } else if (m instanceof Inbound.Resume r) {
            resume(c, r);
        } else if (m instanceof Inbound.PingAnswer) {
            // Only activity.
        } else if (m instanceof Inbound.MyStatus) {
            if (statusAllowed(c)) {
                status.myStatus(c);
            }
        } else if (m instanceof Inbound.Status) {
            if (statusAllowed(c)) {
                status.status(c);
            }
        } else if (m instanceof Inbound.Limit l) {
            workTypes.limit(c, l);
        } else if (m instanceof Inbound.Progress p) {
            progress.progress(c, p);
        } else if (m instanceof Inbound.ListWorks q) {
            if (statusAllowed(c)) {
                operator.works(c, q);
            }
        } else if (m instanceof Inbound.Cancel q) {
            if (statusAllowed(c)) {
                operator.cancel(c, q);
                requestPass();
            }
        } else if (m instanceof Inbound.Admin a) {
            if (a.command().equals("cleanup")) {
                cleanup();
            }
            replies.admin(c, a.command());
        } else if (m instanceof Inbound.Auth) {
            authFailed(c, "it sent auth after its first frame");
        } else if (m instanceof Inbound.UnknownAnswer) {
            replies.bareError(c, WireError.EUNKNANDT, null);
            countBadFrame(c);
        } else if (m instanceof Inbound.Unknown u) {
            replies.bareError(c, WireError.EUNKNCMD, u.command());
            countBadFrame(c);
        }
    }

    // ---------------------------------------------------------------- authentication

    /** The connection's first frame is auth: with authentication off it changes nothing; else the token names its principal. */
    private void authenticate(Connection c, Inbound.Auth a) {
        AuthFile file = auth;
        if (file == null) {
            replies.authenticated(c, null, c.roles);
            return;
        }
        AuthFile.Principal p = file.verify(a.token());
        if (p == null) {
            authFailed(c, a.token() == null ? "no token, or one longer than " + AuthFile.MAX_TOKEN_LENGTH + " characters" : "a wrong token");
            return;
        }
        c.principal = p;
        c.roles = p.roles();
        cancelAuthTimer(c);
        connectionLog.info("{} from {} authenticated as {} ({})", c.id, c.address, p.name(), p.roles());
        replies.authenticated(c, p.name(), p.roles());
    }

    /**
     * Mutual TLS verified the peer's certificate ({@link Connection#certificateSubject} is set),
     * before any frame: with authentication on, a principal of that subject ({@code subject:} in the
     * file) is the connection's, with its roles, and no auth frame is needed. A token sent after
     * still names its own principal. Core thread.
     */
    void certificateVerified(Connection c) {
        AuthFile file = auth;
        if (file == null || !c.open || c.closing || c.framesSeen) {
            return;
        }
        AuthFile.Principal p = file.bySubject(c.certificateSubject);
        if (p == null) {
            return; // it may still authenticate with a token
        }
        c.principal = p;
        c.roles = p.roles();
        cancelAuthTimer(c);
        connectionLog.info("{} from {} authenticated by its certificate ({}) as {} ({})", c.id, c.address, c.certificateSubject,
                p.name(), p.roles());
    }

    private static void cancelAuthTimer(Connection c) {
        if (c.authTimer != null) {
            c.authTimer.cancel(false);
            c.authTimer = null;
        }
    }

    /** A bare EAUTH, counted and logged with the peer's address (never the token), then closed. */
    private void authFailed(Connection c, String why) {
        authFailures++;
        limits.hit(LimitLog.Limit.AUTH, "refusing " + c.id + " from " + c.address + " with EAUTH: " + why);
        replies.bareError(c, WireError.EAUTH, null);
        closeForAbuse(c);
    }

    /** Whether the connection's roles allow the command; when not, it is answered EPERM and nothing changes. */
    private boolean permitted(Connection c, Inbound m) {
        String command = commandOf(m);
        if (command == null || permissions.allows(c.roles, command)) {
            return true;
        }
        denied++;
        limits.hit(LimitLog.Limit.PERMISSION, "answering EPERM to " + c.id + " (" + c.principal + ") from " + c.address + ": '"
                + command + "' is not allowed to roles " + c.roles);
        if (m instanceof Inbound.Push p) {
            replies.pushRefused(c, p, WireError.EPERM);
        } else if (command.startsWith("answer:")) {
            replies.bareError(c, WireError.EPERM, null);
        } else {
            replies.error(c, command, WireError.EPERM);
        }
        return false;
    }

    /** A decoded frame's command as {@link Roles} names it; null for frames every peer is answered an error for. */
    static String commandOf(Inbound m) {
        if (m instanceof Inbound.Push) {
            return "push";
        } else if (m instanceof Inbound.Done) {
            return "done";
        } else if (m instanceof Inbound.PushAnswer) {
            return "answer:push";
        } else if (m instanceof Inbound.Offer) {
            return "offer";
        } else if (m instanceof Inbound.Abort) {
            return "abort";
        } else if (m instanceof Inbound.Sysmsg) {
            return "sysmsg";
        } else if (m instanceof Inbound.SysmsgAck) {
            return "answer:sysmsg";
        } else if (m instanceof Inbound.Ping) {
            return "ping";
        } else if (m instanceof Inbound.PingAnswer) {
            return "answer:ping";
        } else if (m instanceof Inbound.Drain) {
            return "drain";
        } else if (m instanceof Inbound.Resume) {
            return "resume";
        } else if (m instanceof Inbound.MyStatus) {
            return "mystatus";
        } else if (m instanceof Inbound.Status) {
            return "status";
        } else if (m instanceof Inbound.Admin a) {
            return a.command();
        } else if (m instanceof Inbound.Limit) {
            return "limit";
        } else if (m instanceof Inbound.Progress) {
            return "progress";
        } else if (m instanceof Inbound.ListWorks) {
            return "works";
        } else if (m instanceof Inbound.Cancel) {
            return "cancel";
        }
        return null;
    }

    /**
     * The authentication file was read again (SIGHUP): connections keep their principal with its
     * new roles; a principal removed, or whose token or certificate subject changed, is cut off with EAUTH.
     */
    void authReloaded(AuthFile file) {
        if (auth == null) {
            return;
        }
        auth = file;
        int cut = 0;
        for (Connection c : new ArrayList<>(connections.values())) {
            AuthFile.Principal was = c.principal;
            if (was == null || c.closing) {
                continue;
            }
            AuthFile.Principal now = file.principals().get(was.name());
            if (now == null || !now.sameCredential(was)) {
                cut++;
                log.info("{} from {}: principal {} is no longer in {}, or its token or certificate subject changed: closing",
                        c.id, c.address, was.name(), file.path());
                replies.bareError(c, WireError.EAUTH, null);
                closeForAbuse(c);
            } else {
                c.principal = now;
                c.roles = now.roles();
            }
        }
        log.info("authentication file {} read again: {} principals; {} connections closed", file.path(), file.principals().size(), cut);
    }

    private void offer(Connection c, Inbound.Offer o) {
        if (c.offered) {
            replies.error(c, "offer", WireError.EINVCMDSTAT1);
            return;
        }
        TreeMap<Integer, Long> offer = Offers.parse(o.slots());
        int prefetch = Prefetch.parse(o.prefetch());
        if (offer == null || prefetch < 0) {
            replies.error(c, "offer", WireError.EINVSLOTNR);
            return;
        }
        WorkType[] types = workTypes.offerTypes(c, o);
        if (types == null) {
            return;
        }
        scheduler.offered(c, offer, types, o.untyped());
        scheduler.prefetch.offered(c, prefetch);
        connectionLog.info("{} from {} offers {} slots ({}){}{}", c.id, c.address, c.totalSlots, offer,
                types.length == 0 ? "" : " for types " + java.util.Arrays.toString(types) + (c.takesUntyped ? " and untyped works" : ""),
                c.prefetch > 0 ? ", prefetch " + c.prefetch : "");
        replies.offerAccepted(c);
        requestPass();
    }

    /** A worker that is leaving gracefully takes no more works (docs/protocol.md, drain). */
    /**
     * A worker back from a lost manager hands over what it did meanwhile (docs/cluster.md): results
     * answer their works (now or when their clients resend them), and the works it still runs are not
     * run elsewhere while it does.
     */
    private void resume(Connection c, Inbound.Resume r) {
        // A resent work already queued stays queued (a queue never takes a work back); one resent later is parked.
        for (String uid : r.running()) {
            works.resumption.running(uid, c);
        }
        int answered = 0;
        Map<Connection, List<String>> aborts = new LinkedHashMap<>();
        List<Connection> results = resultClients;
        try {
            for (Inbound.ResumedResult result : r.results()) {
                if (works.resumed(result, c, aborts, results)) {
                    answered++;
                    finishCount++;
                }
            }
            for (Connection client : results) {
                replies.results(client, client.results);
            }
        } finally {
            for (Connection client : results) {
                client.results.clear();
            }
            results.clear();
        }
        aborts.forEach(replies::aborts);
        if (!r.results().isEmpty() || !r.running().isEmpty()) {
            log.info("{} resumed: {} results answered their works, {} wait for their works to be resent, {} works still run there",
                    c.id, answered, r.results().size() - answered, r.running().size());
        }
        replies.resumeAnswer(c, answered, r.results().size() - answered);
        requestPass();
    }

    private void drain(Connection c) {
        if (!c.offered) {
            replies.error(c, "drain", WireError.EINVCMDSTAT2);
            return;
        }
        scheduler.drain(c);
        replies.draining(c);
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
        replies.bareError(c, WireError.ETOOMANYREQS, null);
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

    // ---------------------------------------------------------------- push

    /** A client's works: checked, then created, answered and queued (or held behind a work with their key). */
    private void push(Connection c, Inbound.Push p) {
        WireError refused = refusal(c, p);
        if (refused != null) {
            replies.pushRefused(c, p, refused);
            return;
        }
        isClean = false; // as the original: status reports isClean until the first push
        works.push(c, p, workTypes.typeOf(p));
        requestPass();
    }

    /** Why a push is refused, checked in the order the original answers (docs/protocol.md, push); null when it is accepted. */
    private WireError refusal(Connection c, Inbound.Push p) {
        List<RawJson> args = p.works();
        if (p.requestKey() == null) {
            return WireError.ENORID;
        }
        if (args == null || args.isEmpty()) {
            return WireError.EINVWORKL;
        }
        if (args.size() > options.maxWorksPerPush()) {
            limits.hit(LimitLog.Limit.MAX_WORKS_PER_PUSH, "refusing a push of " + args.size() + " works from " + c.id + " with ETOOMANYWORKS");
            return WireError.ETOOMANYWORKS;
        }
        if (c.pendingWorks + args.size() > options.maxPendingWorks()) {
            limits.hit(LimitLog.Limit.MAX_PENDING_WORKS, "refusing a push of " + args.size() + " works from " + c.id + " with ETOOMANYPENDING: "
                    + c.pendingWorks + " of its works are unanswered");
            return WireError.ETOOMANYPENDING;
        }
        if (!memory.admits(p.argBytes())) {
            memory.refusedPushes++;
            limits.hit(LimitLog.Limit.MEMORY, "refusing a push of " + args.size() + " works (" + p.argBytes() + " bytes) from " + c.id
                    + " with ENOMEM: live works hold " + memory.queuedBytes + " of " + memory.maxQueuedBytes + " bytes, buffers "
                    + memory.bufferBytes() + " of " + memory.maxBufferBytes);
            return WireError.ENOMEM;
        }
        if (p.priority() < 0 || p.priority() > Integer.MAX_VALUE) {
            return WireError.EINVPRIO;
        }
        if (p.runTimeoutMs() < 0 || p.assignTimeoutMs() < 0) {
            return WireError.EINVTIMEOUT;
        }
        WireError timing = works.timingRefusal(p); // retries and delay: EINVRETRY, EINVDELAY, ETOOMANYDELAYED
        if (timing != null) {
            return timing;
        }
        if (c.requests.containsKey(p.requestKey())) {
            return WireError.EDUPRID;
        }
        return workTypes.pushRefusal(c, p); // last: it makes the type known when it is accepted
    }

    // ---------------------------------------------------------------- workers' answers

    private void pushAnswer(Connection c, Inbound.PushAnswer a) {
        if (!c.offered) {
            return;
        }
        List<String> accepted = a.accepted();
        for (int i = 0; i < accepted.size(); i++) { // indexed: no iterator per answer
            Work w = c.works.get(accepted.get(i));
            if (w != null && w.prefetchUnanswered) {
                w.prefetchUnanswered = false; // queued on the worker; promoted meanwhile, its promotion's answer comes next
            } else if (w != null && w.state() == Work.State.ASSIGNED) {
                w.moveTo(Work.State.RUNNING);
                if (w.lostRun) {
                    w.lostRun = false;
                    stats.rerun++; // its last run's result was lost with its worker
                }
            }
        }
        // A set: an id listed twice must requeue its work once (a list once queued it twice, a phantom).
        LinkedHashSet<Work> rejected = null;
        for (String id : a.rejected()) {
            Work w = c.works.get(id);
            boolean prefetchRefused = w != null && w.prefetchUnanswered;
            if (prefetchRefused) {
                w.prefetchUnanswered = false; // promoted meanwhile: the worker does not hold it, and answers the promotion next
            }
            if (w != null && (prefetchRefused ? w.state() == Work.State.PREFETCHED : w.state() == Work.State.ASSIGNED)) {
                if (rejected == null) {
                    rejected = new LinkedHashSet<>();
                }
                rejected.add(w);
            }
        }
        if (rejected != null) {
            debug("{} rejected {}", c.id, rejected);
            stats.rejected += rejected.size();
            scheduler.pause(c, rejected);
            works.requeue(new ArrayList<>(rejected), false);
            requestPass();
        }
    }

    private void done(Connection c, Inbound.Done d) {
        if (!c.offered) {
            replies.error(c, "done", WireError.EINVCMDSTAT2);
            return;
        }
        if (c.works.isEmpty()) {
            replies.error(c, "done", WireError.EINVSTAT1);
            return;
        }
        if (d.items() == null) {
            replies.error(c, "done", WireError.EINVWORKL);
            return;
        }
        int counted = 0;
        int ignored = 0;
        List<Connection> results = resultClients;
        try {
            List<Inbound.DoneItem> items = d.items();
            for (int i = 0; i < items.size(); i++) { // indexed: no iterator per done
                Inbound.DoneItem item = items.get(i);
                // Only works this worker holds count: unknown, foreign and repeated ids are ignored.
                Work w = item.counts() ? c.works.get(item.id()) : null;
                if (w == null) {
                    ignored++;
                    continue;
                }
                counted++;
                c.finished++;
                works.finish(w, item, c.id, results);
                finishCount++;
                isClean = false;
                if (finishCount >= options.cleanupReqs()) {
                    cleanup();
                }
            }
            for (int i = 0; i < results.size(); i++) {
                Connection client = results.get(i);
                replies.results(client, client.results);
            }
        } finally {
            for (int i = 0; i < results.size(); i++) {
                results.get(i).results.clear();
            }
            results.clear();
        }
        prefetchReports(c, d);
        if (counted > 0) { // it works again: no more reason to pass it over
            scheduler.delivered(c);
        }
        replies.doneAnswer(c, counted, ignored);
        requestPass();
    }

    /**
     * After a done's results freed their slots: the prefetched works the worker started on them take
     * those slots, and the ones it gave back (recalled, or leaving) go to the front of their queues.
     * Ids of works not prefetched on this worker are ignored (taken back meanwhile, or promoted).
     */
    private void prefetchReports(Connection c, Inbound.Done d) {
        List<String> started = d.started();
        for (int i = 0; i < started.size(); i++) {
            Work w = c.works.get(started.get(i));
            if (w != null && w.state() == Work.State.PREFETCHED) {
                scheduler.started(w);
            }
        }
        LinkedHashSet<Work> back = null; // a set: an id listed twice is given back once
        for (String id : d.recalled()) {
            Work w = c.works.get(id);
            if (w != null && w.state() == Work.State.PREFETCHED) {
                if (back == null) {
                    back = new LinkedHashSet<>();
                }
                back.add(w);
            }
        }
        if (back != null) {
            works.requeue(new ArrayList<>(back), false);
        }
    }

    // ---------------------------------------------------------------- abort, and works leaving without a result

    private void abort(Connection c, Inbound.Abort a) {
        RawJson rid = a.rid();
        RawJson list = a.work();
        boolean hasRid = rid != null && !rid.isNull();
        boolean hasList = list != null && !list.isNull();
        if (!hasRid && !hasList) {
            replies.error(c, "abort", WireError.EABINVINP);
            return;
        }
        Request request = null;
        if (hasRid && rid.isTruthy()) {
            request = c.requests.get(rid.isString() ? rid.asText() : rid.toString());
            if (request == null) {
                replies.error(c, "abort", WireError.EABRNOFO);
                return;
            }
        }
        if (hasList && list.isTruthy() && !list.isArray()) {
            replies.error(c, "abort", WireError.EINVWLI);
            return;
        }
        Map<Connection, List<String>> aborts = new LinkedHashMap<>();
        if (request != null) {
            for (Work w : request.works) {
                if (w.live()) {
                    works.drop(w, aborts);
                    stats.aborted++;
                    events.abort(w);
                }
            }
            c.requests.remove(request.key, request);
            aborts.forEach(replies::aborts);
            replies.requestAborted(c, rid);
        } else if (hasList && list.isTruthy()) {
            List<String> aborted = new ArrayList<>();
            for (RawJson e : list.elements()) {
                String id = e.asText();
                Work w = id == null ? null : works.get(id);
                // Only the client that pushed a work may abort it.
                if (w != null && w.request.client == c) {
                    works.drop(w, aborts);
                    stats.aborted++;
                    events.abort(w);
                    aborted.add(w.id);
                }
            }
            replies.worksAborted(c, aborted);
            aborts.forEach(replies::aborts);
        } else {
            replies.error(c, "abort", WireError.EABINVINP); // e.g. rid:"" (the original fell through to EUNKNCMD)
            return;
        }
        requestPass();
    }

    // ---------------------------------------------------------------- periodic

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
                replies.ping(c);
            }
        }
    }

    private void periodicCleanup() {
        works.resumption.expire();
        if (!isClean) {
            cleanup();
        }
    }

    private void cleanup() {
        scheduler.queues.compact();
        for (WorkType t : scheduler.types.all()) {
            t.queues.compact();
        }
        finishCount = 0;
        isClean = true;
        events.cleanup();
    }

    // ---------------------------------------------------------------- memory

    /** Bytes changed of a frame still arriving on some connection (any I/O thread). */
    void inboundHeld(long delta) {
        memory.inboundBytes.addAndGet(delta);
        if (delta > 0 && memory.buffersOver()) {
            requestShed();
        }
    }

    /** Queues one {@link BufferShedding#shed() shedding} on the core, from any thread. */
    void requestShed() {
        if (memory.shedScheduled.compareAndSet(false, true)) {
            loop.execute(guarded(shedding::shed));
        }
    }

    // ---------------------------------------------------------------- the batch

    /** Asks for a distribution pass after the events already waiting; repeated requests merge. */
    void requestPass() {
        passRequested = true;
        scheduleBatchEnd();
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
        if (leadership != null && role.serves() && System.nanoTime() - leadership.leaseDeadlineNanos() > 0) {
            holdForLease();
            return;
        }
        if (heldForLease) {
            heldForLease = false;
            log.info("the leader's lease is renewed: serving again");
        }
        if (passRequested) {
            passRequested = false;
            scheduler.pass();
        }
        outbox.flush();
    }

    /**
     * The lease ran out (a pause, ZooKeeper slow or gone): nothing is dispatched or written until it is
     * renewed, for another manager may lead by now. Looks again every 10 ms; losing leadership ends the wait.
     */
    private void holdForLease() {
        if (!heldForLease) {
            heldForLease = true;
            if (stopping) {
                batchEndScheduled = true;
                loop.schedule(batchEndTask, 10, TimeUnit.MILLISECONDS);
                return;
            }
            log.warn("the leader's lease ran out: holding every dispatch and write until ZooKeeper confirms this manager still leads");
        }
        batchEndScheduled = true;
        loop.schedule(batchEndTask, 10, TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- the cluster

    /**
     * The leadership reported a new role. A manager that served and no longer leads closes every
     * connection at once, without writing what waits: its works, queued or running, are dropped, for
     * clients resend them to the new leader. A new leader starts from nothing, as a fresh manager.
     */
    void role(ClusterRole next) {
        ClusterRole was = role;
        role = next;
        if (was.kind() != next.kind() || next.epoch() != was.epoch()) {
            log.info("cluster {}: this manager is {} (epoch {}, leader {})", next.cluster(), next.kind().label(), next.epoch(),
                    next.leader() != null ? next.leader() : "unknown");
        }
        if (was.serves() && !next.serves() && !connections.isEmpty()) {
            log.warn("no longer the leader: closing {} connections; their peers go to the new leader", connections.size());
            for (Connection c : new ArrayList<>(connections.values())) {
                outbox.discard(c);
                c.channel.close();
            }
        }
        if (!next.serves()) {
            heldForLease = false;
        } else if (!was.serves()) {
            works.beginGrace();
        }
    }

    /**
     * A task for the core's loop whose {@link Error}s reach {@link #onFatal} (Netty would only log
     * them) and whose other exceptions count as {@link #unexpected unexpected errors}.
     */
    Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Error e) {
                onFatal.accept(e);
            } catch (RuntimeException e) {
                unexpected("in a task of the dispatch core", e);
            }
        };
    }

    /** An exception escaped a handler or a timer: a bug, logged and counted ({@link Manager.Counts#unexpectedErrors()}). */
    void unexpected(String what, Throwable cause) {
        unexpectedErrors++;
        log.warn("unexpected error: {}", what, cause);
    }

    private void debug(String format, Object... args) {
        if (options.debug()) {
            log.info(format, args);
        } else if (log.isDebugEnabled()) {
            log.debug(format, args);
        }
    }

    // ---------------------------------------------------------------- queries (core thread)

    /** A consistent snapshot for {@code Manager.stats()}, the HTTP status and metrics. */
    ManagerStats snapshot() {
        return status.snapshot();
    }

    /** The manager's load and health in one consistent read. */
    Manager.Counts counts() {
        return new Manager.Counts(scheduler.queuedWorks(), scheduler.busySlots(), works.size(), connections.size(), unexpectedErrors);
    }
}
