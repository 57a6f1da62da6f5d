package io.proletariat.manager.internal.http;

import java.util.concurrent.CompletableFuture;

/**
 * The dispatch core's operator commands as the HTTP API asks them ({@link WorksApi}): each runs on
 * the core thread and completes there with a JSON document, the same members as the protocol's
 * {@code works} and {@code cancel} answers (docs/protocol.md, "Operator commands").
 */
public interface OperatorApi {
    /** The live works matching the filters (null: any), the {@code limit} oldest first: {@code {"works":[...],"total":N,"more":N}}. */
    CompletableFuture<byte[]> works(String client, String worker, String type, boolean running, int limit);

    /** Cancels a work or every work of the pending requests with that id: {@code {"ids":[{...}],"cancelled":N}}. */
    CompletableFuture<byte[]> cancel(String id);
}
