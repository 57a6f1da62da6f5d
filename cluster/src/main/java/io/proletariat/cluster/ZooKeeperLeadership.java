package io.proletariat.cluster;

import io.proletariat.manager.ClusterRole;
import io.proletariat.manager.Leadership;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standby managers on Apache ZooKeeper: the managers of one cluster name elect a leader with
 * Curator's {@link LeaderLatch}; the leader takes a new <b>epoch</b> (a counter moved by
 * compare-and-set, never reused), publishes its address and epoch in an ephemeral node that the
 * standbys watch for their redirects, and serves while its <b>lease</b> holds (docs/cluster.md).
 *
 * <p>The lease is the fence. A leader's latch node is ephemeral: it lives exactly as long as its
 * ZooKeeper session, and no manager leads before it is gone. Every {@code T/6} (T: the session
 * timeout the server granted) the leader commits a transaction that checks its own latch node and
 * writes a heartbeat node; a commit proves the session alive at ZooKeeper's leader at some instant
 * after the write was sent, so the session cannot expire, nor another manager lead, before
 * {@code sent + T}. (Writing to the latch node itself would fire, and so spend, the one-shot watch
 * the next candidate keeps on it: it would never hear of its deletion.) The lease is
 * {@code sent + T/2}: past it the manager holds every dispatch and write (a paused process, a
 * partition, ZooKeeper gone) until a write succeeds again or leadership is lost. Curator's
 * LeaderLatch alone can report two leaders at once (CURATOR-620); the lease cannot.
 *
 * <p>Losing ZooKeeper for a moment (one server of an ensemble restarted) suspends the connection:
 * the leader keeps its leadership ({@link SessionConnectionStateErrorPolicy}) and pauses at once
 * (the lease is cut short) until the client reconnects within the session and renews it. Only a lost session ends
 * the leadership.
 *
 * <p>ZooKeeper layout under {@code /proletariat/clusters/NAME}: {@code latch} (the election),
 * {@code epoch} (the counter, persistent), {@code leader} (ephemeral: {@code address epoch}) and
 * {@code heartbeat} (persistent: the lease renewals' writes).
 */
public final class ZooKeeperLeadership implements Leadership {
    private static final Logger log = LoggerFactory.getLogger(ZooKeeperLeadership.class);
    /** The default session timeout: takeover takes about this long after a leader dies. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(4);
    /** The cluster name when none is given. */
    public static final String DEFAULT_CLUSTER = "default";

    private final String connectString;
    private final String cluster;
    private final Duration sessionTimeout;
    private final String root;

    private volatile long leaseDeadline = System.nanoTime() - 1;
    private CuratorFramework client;
    private LeaderLatch latch;
    private CuratorCache leaderCache;
    private ScheduledExecutorService renewer;
    private Consumer<ClusterRole> roles;
    private String advertised;

    // Owned by the renewer thread: role reports go out in order from there.
    private ClusterRole current;
    private long epoch;
    /** Bumped by every change of leadership, so that a late renewal of an earlier term changes nothing. */
    private long term;
    /** The latch said this manager leads, and has not taken it back since (its events arrive here in order). */
    private boolean leading;

    /**
     * @param connectString ZooKeeper's servers, {@code host:port[,host:port...]}
     * @param cluster the cluster's name: the managers of one name elect one leader among them
     * @param sessionTimeout the ZooKeeper session timeout asked for: a dead leader is replaced about
     *     this long after it died (the server may grant a longer one; ZooKeeper's default bounds are
     *     2 to 20 of its ticks)
     */
    public ZooKeeperLeadership(String connectString, String cluster, Duration sessionTimeout) {
        this.connectString = Objects.requireNonNull(connectString, "connectString");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        if (!cluster.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("a cluster name is 1 to 64 of A-Z a-z 0-9 _ . -: " + cluster);
        }
        this.sessionTimeout = Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        if (sessionTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("sessionTimeout must be at least 100 ms: " + sessionTimeout);
        }
        this.root = "/proletariat/clusters/" + cluster;
    }

    @Override
    public synchronized void start(String advertisedAddress, Consumer<ClusterRole> roleListener) {
        if (client != null) {
            throw new IllegalStateException("already started");
        }
        this.advertised = Objects.requireNonNull(advertisedAddress, "advertisedAddress");
        this.roles = Objects.requireNonNull(roleListener, "roleListener");
        this.current = new ClusterRole(ClusterRole.Kind.STANDBY, cluster, 0, null, 0);
        int timeout = (int) sessionTimeout.toMillis();
        renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "proletariat-cluster");
            t.setDaemon(true);
            return t;
        });
        // A chroot (host:port/path) becomes Curator's namespace, which Curator creates when missing:
        // ZooKeeper's own chroot must exist beforehand, and without it no manager would ever lead.
        int slash = connectString.indexOf('/');
        String servers = slash < 0 ? connectString : connectString.substring(0, slash);
        String namespace = slash < 0 ? null : connectString.substring(slash + 1).replaceAll("^/+|/+$", "");
        client = CuratorFrameworkFactory.builder()
                .connectString(servers)
                .namespace(namespace == null || namespace.isEmpty() ? null : namespace)
                .sessionTimeoutMs(timeout)
                .connectionTimeoutMs(timeout)
                .retryPolicy(new ExponentialBackoffRetry(100, 3, 1000))
                // A suspended connection is not a lost leadership: the lease pauses the leader meanwhile.
                .connectionStateErrorPolicy(new SessionConnectionStateErrorPolicy())
                .build();
        client.getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
                leaseDeadline = System.nanoTime() - 1; // cut off from ZooKeeper: stop dispatching now, not when the lease runs out
            } else if (state == ConnectionState.RECONNECTED) {
                renewer.execute(() -> {
                    long myTerm = term;
                    if (leading && renew(myTerm)) {
                        log.info("cluster {}: reconnected to ZooKeeper within the session; serving again", cluster);
                    }
                });
            }
        }, renewer);
        client.start();
        leaderCache = CuratorCache.build(client, root + "/leader");
        leaderCache.listenable().addListener((type, before, after) -> renewer.execute(this::leaderNodeChanged));
        leaderCache.start();
        // The cache's events are not enough: after this manager's session was lost and made again, the
        // cache reads the leader node anew but tells nothing when the node it finds has the version
        // of the one it had (CuratorCache compares versions only): a new leader's node, created while
        // this manager was cut off, is version 0 like the last one's. The standby then sent every
        // peer to the dead leader until the next change. So the cache is also read every T/6.
        long every = Math.max(10, timeout / 6);
        renewer.scheduleWithFixedDelay(() -> {
            try {
                leaderNodeChanged();
            } catch (RuntimeException e) {
                log.debug("cluster {}: reading the leader node: {}", cluster, e.toString());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        latch = newLatch();
        try {
            latch.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot join the election of cluster " + cluster + " on ZooKeeper at " + connectString, e);
        }
        log.info("cluster {}: joined the election on ZooKeeper at {} as {} (session timeout {} ms)", cluster, connectString,
                advertised, timeout);
    }

    @Override
    public long leaseDeadlineNanos() {
        return leaseDeadline;
    }

    /** Ends this manager's ZooKeeper session as if the server had expired it (a pause, a partition): for tests. */
    void expireSession() throws Exception {
        client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
    }

    /** The cluster's name. */
    public String cluster() {
        return cluster;
    }

    // ---------------------------------------------------------------- on the renewer thread

    private void becomeLeader() {
        long myTerm = ++term;
        leading = true;
        try {
            long next = nextEpoch();
            publish(next);
            if (myTerm != term || !latch.hasLeadership()) {
                return; // lost again meanwhile
            }
            epoch = next;
            if (!renew(myTerm)) {
                return;
            }
            report(new ClusterRole(ClusterRole.Kind.LEADER, cluster, epoch, advertised, Math.max(0, epoch - 1)));
            scheduleRenewal(myTerm);
        } catch (Exception e) {
            log.warn("cluster {}: elected, but could not take an epoch ({}); leaving the election to try again", cluster, e.toString());
            rejoin();
        }
    }

    private void stepDown() {
        term++;
        leading = false;
        leaseDeadline = System.nanoTime() - 1;
        if (current.kind() == ClusterRole.Kind.LEADER) {
            log.warn("cluster {}: this manager lost its leadership (epoch {})", cluster, epoch);
        }
        leaderNodeChanged();
        if (current.kind() == ClusterRole.Kind.LEADER) {
            report(new ClusterRole(ClusterRole.Kind.STANDBY, cluster, epoch, null, current.failovers()));
        }
    }

    /** The leader node changed: a standby sends its peers to the new address. */
    private void leaderNodeChanged() {
        if (leading) {
            return;
        }
        ChildData data = leaderCache.get(root + "/leader").orElse(null);
        String address = null;
        long seen = current.epoch();
        if (data != null && data.getData() != null) {
            String[] parts = new String(data.getData(), StandardCharsets.UTF_8).split(" ");
            if (parts.length == 2 && !parts[0].equals(advertised)) {
                address = parts[0];
                seen = Math.max(seen, Long.parseLong(parts[1]));
            }
        }
        ClusterRole next = new ClusterRole(ClusterRole.Kind.STANDBY, cluster, seen, address, Math.max(0, seen - 1));
        if (!next.equals(current)) {
            report(next);
        }
    }

    /** Moves the epoch counter up by one, by compare-and-set: two leaders never share an epoch. */
    private long nextEpoch() throws Exception {
        String path = root + "/epoch";
        try {
            client.create().creatingParentsIfNeeded().forPath(path, "0".getBytes(StandardCharsets.UTF_8));
        } catch (KeeperException.NodeExistsException e) {
            // Made by an earlier leader.
        }
        while (true) {
            Stat stat = new Stat();
            long was = Long.parseLong(new String(client.getData().storingStatIn(stat).forPath(path), StandardCharsets.UTF_8).trim());
            try {
                client.setData().withVersion(stat.getVersion()).forPath(path, Long.toString(was + 1).getBytes(StandardCharsets.UTF_8));
                return was + 1;
            } catch (KeeperException.BadVersionException e) {
                // Another manager moved it first: read again.
            }
        }
    }

    /** Publishes this leader's address and epoch in the ephemeral leader node. */
    private void publish(long next) throws Exception {
        String path = root + "/leader";
        byte[] data = (advertised + " " + next).getBytes(StandardCharsets.UTF_8);
        try {
            client.delete().forPath(path); // an earlier term of this very session
        } catch (KeeperException.NoNodeException e) {
            // The usual case: the last leader's session is gone, and its node with it.
        }
        client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
        try {
            client.create().forPath(root + "/heartbeat");
        } catch (KeeperException.NodeExistsException e) {
            // Made by an earlier leader.
        }
    }

    private void scheduleRenewal(long myTerm) {
        long every = Math.max(10, negotiatedTimeoutMillis() / 6);
        renewer.schedule(() -> {
            if (myTerm == term && renew(myTerm)) {
                scheduleRenewal(myTerm);
            }
        }, every, TimeUnit.MILLISECONDS);
    }

    /**
     * One transaction that checks this manager's own latch node and writes the heartbeat node: it
     * commits only while the session (hence the leadership) lives. True when the lease was extended;
     * false when it failed (the lease runs out; a lost session ends the leadership through the
     * latch) or the term is over.
     */
    private boolean renew(long myTerm) {
        long sent = System.nanoTime();
        long timeout = negotiatedTimeoutMillis();
        try {
            String ours = latch.getOurPath();
            if (ours == null) {
                return retryLater(myTerm);
            }
            client.transaction().forOperations(
                    client.transactionOp().check().forPath(ours),
                    client.transactionOp().setData().forPath(root + "/heartbeat", (advertised + " " + epoch).getBytes(StandardCharsets.UTF_8)));
        } catch (KeeperException.NoNodeException e) {
            log.warn("cluster {}: this manager's election node is gone (its session ended): stepping down", cluster);
            stepDown();
            return false;
        } catch (Exception e) {
            log.debug("cluster {}: lease renewal failed: {}", cluster, e.toString());
            return retryLater(myTerm);
        }
        if (myTerm != term) {
            return false;
        }
        leaseDeadline = sent + TimeUnit.MILLISECONDS.toNanos(timeout / 2);
        return true;
    }

    /** A renewal failed for a while (ZooKeeper unreachable): try again soon, the lease runs out meanwhile. */
    private boolean retryLater(long myTerm) {
        renewer.schedule(() -> {
            if (myTerm == term && renew(myTerm)) {
                scheduleRenewal(myTerm);
            }
        }, Math.max(10, negotiatedTimeoutMillis() / 20), TimeUnit.MILLISECONDS);
        return false;
    }

    private long negotiatedTimeoutMillis() {
        try {
            int granted = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
            return granted > 0 ? granted : sessionTimeout.toMillis();
        } catch (Exception e) {
            return sessionTimeout.toMillis();
        }
    }

    /** A candidacy in the election, whose verdicts reach the renewer thread in order. */
    private LeaderLatch newLatch() {
        LeaderLatch l = new LeaderLatch(client, root + "/latch", advertised);
        l.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                renewer.execute(ZooKeeperLeadership.this::becomeLeader);
            }

            @Override
            public void notLeader() {
                renewer.execute(ZooKeeperLeadership.this::stepDown);
            }
        }, renewer);
        return l;
    }

    /** Elected but without an epoch: leave the election and join it again, behind the others. */
    private void rejoin() {
        try {
            latch.close(LeaderLatch.CloseMode.SILENT);
            latch = newLatch();
            latch.start();
        } catch (Exception e) {
            log.warn("cluster {}: cannot rejoin the election: {}", cluster, e.toString());
        }
    }

    private void report(ClusterRole role) {
        current = role;
        roles.accept(role);
    }

    @Override
    public synchronized void close() {
        if (client == null) {
            return;
        }
        leaseDeadline = System.nanoTime() - 1;
        try {
            renewer.submit(() -> {
                term++;
                try {
                    latch.close(LeaderLatch.CloseMode.SILENT); // deletes our node: a standby takes over now
                } catch (Exception e) {
                    log.debug("cluster {}: closing the latch: {}", cluster, e.toString());
                }
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("cluster {}: leaving the election: {}", cluster, e.toString());
        }
        leaderCache.close();
        client.close();
        renewer.shutdownNow();
        try {
            renewer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client = null;
    }
}
