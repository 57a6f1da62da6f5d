package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's hand from the Java API of an embedded manager ({@link Manager#works},
 * {@link Manager#cancel}, {@link Manager#limit}): the same effects as the protocol's commands, on a
 * real manager with raw peers.
 */
class OperatorJavaApiTest {
    private Manager manager;

    @BeforeEach
    void start() {
        manager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").build()).start();
    }

    @AfterEach
    void stop() {
        manager.close();
    }

    @Test
    void worksListsAndCancelDropsAQueuedWorkWithEcanceled() {
        try (RawPeer worker = new RawPeer(manager); RawPeer client = new RawPeer(manager)) {
            String workerId = worker.offer("1");
            List<String> ids = client.push("r1", "[1,2]", "");
            String running = RawPeer.ids(worker.takeDispatch()).get(0);
            await().until(() -> manager.runningWorks() == 1);

            List<Manager.LiveWork> all = manager.works(null, null, null, false, 100);
            assertThat(all).extracting(Manager.LiveWork::id).containsExactly(running, ids.get(1));
            assertThat(all.get(0).worker()).isEqualTo(workerId);
            assertThat(all.get(0).requestId()).isEqualTo("r1");
            assertThat(all.get(1).state()).isEqualTo("queued");
            assertThat(manager.works(null, null, null, true, 100)).extracting(Manager.LiveWork::id).containsExactly(running);
            assertThat(manager.works(null, null, null, false, 1)).hasSize(1);

            assertThat(manager.cancel(ids.get(1))).isEqualTo(1);
            JsonNode done = client.command("done");
            assertThat(done.toString()).contains(ids.get(1)).contains("ECANCELED");
            assertThat(manager.cancel(ids.get(1))).as("already ended").isZero();
            assertThat(manager.stats().operator().cancelled()).isOne();
            assertThat(manager.cancel("W000000R424242")).as("unknown").isZero();
            assertThat(manager.liveWorks()).isEqualTo(1);
            assertThatThrownBy(() -> manager.works(null, null, null, false, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void limitHoldsATypeAndRaisingItReleasesItsWorks() {
        try (RawPeer worker = new RawPeer(manager); RawPeer client = new RawPeer(manager)) {
            manager.limit("resize", 0);
            worker.send("{'command':'offer','slots':2,'types':['resize']}");
            assertThat(worker.answer("offer").has("error")).isFalse();
            List<String> ids = client.push("r1", "[1]", "'type':'resize'");
            assertThat(manager.stats().types()).anySatisfy(t -> {
                assertThat(t.type()).isEqualTo("resize");
                assertThat(t.limit()).isZero();
                assertThat(t.queuedTotal()).isEqualTo(1);
            });
            assertThat(manager.works(null, null, "resize", false, 10)).extracting(Manager.LiveWork::type).containsExactly("resize");

            manager.limit("resize", null); // no limit: the waiting work goes at once
            assertThat(RawPeer.ids(worker.takeDispatch())).containsExactly(ids.get(0));
            assertThatThrownBy(() -> manager.limit("no spaces", 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> manager.limit("resize", -5)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
