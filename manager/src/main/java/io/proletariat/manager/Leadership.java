package io.proletariat.manager;

import java.util.function.Consumer;

/**
 * Whether this manager serves, when it is one of several: the leader of a cluster serves, the
 * others stand by and send every peer to the leader ({@code ENOTLEADER}). Implemented on ZooKeeper by
 * {@code io.proletariat.cluster.ZooKeeperLeadership} (module proletariat-cluster); a manager without
 * one ({@link ManagerOptions.Builder#leadership}) serves alone.
 *
 * <p>Two managers must never both hand out works. The manager asks {@link #leaseDeadlineNanos()}
 * before every write of a batch: past the deadline it holds its output until the lease is renewed
 * or leadership is lost (then it closes every connection). An implementation renews the lease only
 * after the coordination service confirmed, within less than its session timeout, that this
 * manager still leads.
 */
public interface Leadership extends AutoCloseable {
    /**
     * Joins the election. Every change of role is reported to {@code roles}, from any thread, in order;
     * the first report may come before this returns.
     *
     * @param advertised the address peers reach this manager at, {@code host:port}, published while it leads
     */
    void start(String advertised, Consumer<ClusterRole> roles);

    /**
     * The {@link System#nanoTime()} until which this manager, while it leads, may hand out works and
     * write to peers. Called once per batch of events: it must be a plain read.
     */
    long leaseDeadlineNanos();

    /** Leaves the election: a leader gives up leadership at once, so that a standby takes over. */
    @Override
    void close();
}
