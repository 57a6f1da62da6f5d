package io.proletariat.manager;

/** A worker that can take the work being placed, as a {@link WorkSelector} sees it. */
public interface WorkerSlots {
    /** The worker's connection id. */
    String id();

    /** Slots it has free for this work's priority (> 0): room in the priority's range and in its total. */
    int available();
}
