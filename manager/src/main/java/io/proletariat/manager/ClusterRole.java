package io.proletariat.manager;

/**
 * This manager's place in its cluster, as {@code status}, {@code /api/status} and {@code /metrics}
 * show it.
 *
 * @param kind alone (no cluster), leader or standby
 * @param cluster the cluster's name; null when alone
 * @param epoch the leader's epoch: a number that rises with every new leader and is never reused; 0 when alone
 * @param leader the current leader's address ({@code host:port}), or null when none is known
 * @param failovers the leaders elected in this cluster after its first, as far as this manager has seen
 */
public record ClusterRole(Kind kind, String cluster, long epoch, String leader, long failovers) {
    /** The three places a manager may stand. */
    public enum Kind {
        /** No cluster: this manager serves alone. */
        ALONE,
        /** Leads its cluster: it serves. */
        LEADER,
        /** Stands by: every peer gets {@code ENOTLEADER} with the leader's address. */
        STANDBY;

        /** The name used in status documents and metrics: {@code alone}, {@code leader}, {@code standby}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The role of a manager without a cluster. */
    public static final ClusterRole ALONE = new ClusterRole(Kind.ALONE, null, 0, null, 0);

    /** True when this manager hands out works: alone or leading. */
    public boolean serves() {
        return kind != Kind.STANDBY;
    }
}
