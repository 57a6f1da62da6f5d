/**
 * Standby managers on Apache ZooKeeper: the managers of a cluster elect their leader through
 * ZooKeeper (with Curator), and the leader alone serves while the others stand by and send peers to
 * it; plus {@link io.proletariat.cluster.EmbeddedZooKeeper}, the single-node ZooKeeper that
 * {@code proletariat zookeeper} runs so that a cluster can be tried on one machine. The module has
 * no module-info: ZooKeeper's two jars split packages, so it lives on the class path.
 */
package io.proletariat.cluster;
