package io.proletariat.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.proletariat.manager.ManagerOptions;
import io.proletariat.testing.Participants;
import io.proletariat.worker.WorkerOptions;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Work types through the libraries (issue 16): {@link WorkOptions.Builder#type} and {@link WorkerOptions.Builder#types}, on a real manager. */
class WorkTypesTest {
    private final Participants p = new Participants();

    @AfterEach
    void closeAll() {
        p.close();
    }

    @Test
    void typedWorksRunOnlyOnWorkersOfTheirTypeAndUntypedOnesOnTheOthers() throws Exception {
        p.startManager(ManagerOptions.builder().typeLimit("resize", 1));
        p.worker(p.workerOptions().slots(4).types("resize", "crop").build(), (work, done) -> done.success("typed"));
        p.worker(p.workerOptions().slots(4).build(), (work, done) -> done.success("plain"));
        p.worker(p.workerOptions().slots(4).types("thumb").untyped(true).build(), (work, done) -> done.success("thumb+untyped"));
        Client client = p.client();

        List<WorkResult> resized = client.submit(Collections.nCopies(6, 1), WorkOptions.builder().type("resize").build()).get(30, TimeUnit.SECONDS);
        assertThat(resized).allMatch(r -> "typed".equals(r.data(String.class)));
        List<WorkResult> thumbs = client.submit(Collections.nCopies(3, 1), WorkOptions.builder().type("thumb").build()).get(30, TimeUnit.SECONDS);
        assertThat(thumbs).allMatch(r -> "thumb+untyped".equals(r.data(String.class)));
        List<WorkResult> plain = client.submit(Collections.nCopies(20, 1)).get(30, TimeUnit.SECONDS);
        assertThat(plain).allMatch(r -> "plain".equals(r.data(String.class)) || "thumb+untyped".equals(r.data(String.class)));
        assertThat(p.manager().stats().types()).extracting(t -> t.type() + ":" + t.workers())
                .containsExactly("crop:1", "resize:1", "thumb:1");
    }

    @Test
    void badTypesAreRefusedWhenTheOptionsAreBuilt() {
        assertThatThrownBy(() -> WorkOptions.builder().type("")).hasMessageContaining("invalid work type");
        assertThatThrownBy(() -> WorkOptions.builder().type("a/b")).hasMessageContaining("A-Z a-z 0-9 _ . : -");
        assertThatThrownBy(() -> WorkerOptions.builder().types("x".repeat(65))).hasMessageContaining("invalid work type");
        String[] many = new String[65];
        for (int i = 0; i < many.length; i++) {
            many[i] = "t" + i;
        }
        assertThatThrownBy(() -> WorkerOptions.builder().types(many)).hasMessageContaining("at most 64");
        assertThat(WorkerOptions.builder().types("a", "a", "b").build().types()).containsExactly("a", "b");
        assertThat(WorkOptions.builder().type("a.b:c-d_1").build().type()).isEqualTo("a.b:c-d_1");
        assertThat(WorkOptions.DEFAULT.type()).isNull();
    }
}
