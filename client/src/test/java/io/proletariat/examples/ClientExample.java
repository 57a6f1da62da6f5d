package io.proletariat.examples;

import io.proletariat.client.Client;
import io.proletariat.client.ClientOptions;
import io.proletariat.client.WorkOptions;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The original README's client, in Java, callback style. */
public final class ClientExample {
    private ClientExample() {
    }

    public static Client pushWork(int port, Consumer<Object> onFinish) {
        Client proletariat = new Client(ClientOptions.builder().host("127.0.0.1").port(port).build());

        proletariat.work(List.of(Map.of("some", "work")), WorkOptions.builder().timeout(60_000).priority(1).build(), (err, res) -> {
            if (err != null) {
                System.out.println("Fail at work: " + err);
                onFinish.accept(err);
                return;
            }
            System.out.println("Result: " + res);
            onFinish.accept(res);
        });

        // One work, callback(err, data, result) as the original's work(work, options, callback)
        proletariat.work(Map.of("some", "work"), WorkOptions.DEFAULT, (err, data, result) ->
                System.out.println(err != null ? "Fail at work: " + err : "Result: " + data));

        // Each work as it finishes, then the whole group
        proletariat.workIndividual(List.of("a", "b", "c"), WorkOptions.builder().runTimeout(5_000).build(),
                (err, data, result) -> System.out.println("work " + result.index() + " finished: " + data),
                (err, results) -> System.out.println("all finished: " + results));

        // System messages
        proletariat.systemMessage(Map.of("do", "something"), (err, receipt) -> System.out.println("Everybody got the message"));
        return proletariat;
    }
}
