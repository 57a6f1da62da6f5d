package io.proletariat.examples;

import io.proletariat.client.Client;
import io.proletariat.client.ClientOptions;
import io.proletariat.client.SystemMessage;
import io.proletariat.client.WorkOptions;
import io.proletariat.client.WorkResult;
import io.proletariat.client.WorkSubmission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The future-based API. */
public final class FutureExample {
    private FutureExample() {
    }

    /** A POJO read from a work's data with Jackson. */
    public static final class Greeting {
        public String text;
    }

    public static List<String> run(int port) {
        try (Client client = new Client(ClientOptions.builder().host("127.0.0.1").port(port).build())) {
            WorkOptions options = WorkOptions.builder()
                    .timeout(Duration.ofSeconds(60))      // ECSTO after a minute, whatever happens
                    .runTimeout(Duration.ofSeconds(10))   // ETO when a worker takes longer
                    .assignTimeout(Duration.ofSeconds(30))// EATO when no worker takes it
                    .priority(1)
                    .build();

            // A work group: one result per work, in submission order
            CompletableFuture<List<WorkResult>> group = client.submit(List.of(Map.of("some", "work"), Map.of("more", "work")), options);

            // One work
            CompletableFuture<String> one = client.submitOne(Map.of("some", "work"), options)
                    .thenApply(r -> r.get(String.class)); // throws WorkFailedException when the work failed

            // A future per work, plus one for the group
            WorkSubmission each = client.submitIndividual(List.of("a", "b"), options);
            each.works().forEach(f -> f.thenAccept(r -> System.out.println("work " + r.index() + ": " + r.data())));

            // System messages: to everybody (null), to the manager, or to a participant id
            client.systemMessage(Map.of("do", "something"), SystemMessage.MANAGER).join();

            List<String> out = new java.util.ArrayList<>();
            for (WorkResult r : group.join()) {
                out.add(r.isSuccess() ? r.data(String.class) : r.errorCode());
            }
            out.add(one.join());
            each.all().join().forEach(r -> out.add(r.data(String.class)));
            return out;
        }
    }
}
