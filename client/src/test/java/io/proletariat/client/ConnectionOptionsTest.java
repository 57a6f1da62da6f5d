package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.proletariat.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The options both libraries share: one set of names, checks and copies, with each library's own defaults. */
class ConnectionOptionsTest {
    private static final List<Supplier<ConnectionOptions.Builder<?>>> BUILDERS =
            List.of(ClientOptions::builder, WorkerOptions::builder);

    @Test
    void bothBuildersCheckTheSameWay() {
        for (Supplier<ConnectionOptions.Builder<?>> builder : BUILDERS) {
            assertThatThrownBy(() -> builder.get().port(0)).hasMessage("port must be between 1 and 65535: 0");
            assertThatThrownBy(() -> builder.get().host(" ")).hasMessage("host must not be blank");
            assertThatThrownBy(() -> builder.get().maxRetries(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> builder.get().retryDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void sharedSettersKeepTheConcreteBuilderAndCopyThrough() {
        ClientOptions client = ClientOptions.builder().host("10.0.0.5").port(2000).maxRetries(3)
                .retryDelay(Duration.ofMillis(5)).callbackExecutor(Runnable::run).build();
        WorkerOptions worker = WorkerOptions.builder().host("10.0.0.6").port(2001).retryDelay(Duration.ofMillis(7))
                .slots(4).build();

        ClientOptions clientCopy = client.toBuilder().port(2002).build();
        assertThat(clientCopy.host()).isEqualTo("10.0.0.5");
        assertThat(clientCopy.port()).isEqualTo(2002);
        assertThat(clientCopy.reconnectPolicy()).isEqualTo(client.reconnectPolicy());
        assertThat(clientCopy.callbackExecutor()).isSameAs(client.callbackExecutor());

        WorkerOptions workerCopy = worker.toBuilder().slots(5).build();
        assertThat(workerCopy.host()).isEqualTo("10.0.0.6");
        assertThat(workerCopy.port()).isEqualTo(2001);
        assertThat(workerCopy.reconnectPolicy().retryDelay()).isEqualTo(Duration.ofMillis(7));
        assertThat(workerCopy.slots()).isEqualTo(5);
    }

    @Test
    void eachLibraryKeepsItsOwnRetryDefault() {
        assertThat(ClientOptions.defaults().reconnectPolicy().maxRetries()).isEqualTo(ClientOptions.DEFAULT_MAX_RETRIES);
        assertThat(WorkerOptions.defaults().reconnectPolicy().maxRetries()).isEqualTo(Integer.MAX_VALUE);
        assertThat(ClientOptions.defaults().host()).isEqualTo(ConnectionOptions.DEFAULT_HOST);
        assertThat(WorkerOptions.defaults().port()).isEqualTo(ConnectionOptions.DEFAULT_PORT);
    }
}
