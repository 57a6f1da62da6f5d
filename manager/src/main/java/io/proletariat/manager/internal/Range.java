package io.proletariat.manager.internal;

/** A worker's priority range: works of priority >= {@code from} (up to the next range) use it. Core thread only. */
final class Range {
    final int from;
    final long limit;
    long used;

    Range(int from, long limit) {
        this.from = from;
        this.limit = limit;
    }
}
