package io.proletariat.manager.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.manager.ManagerOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Our workers' prefetch in the dispatch core, on embedded channels with a frozen clock (docs/protocol.md,
 * Prefetch): the accounting of slots and prefetched works, exactly, frame by frame.
 */
class PrefetchCoreTest extends CoreTestBase {
    private Connection client;

    private void core() {
        loop.freezeTime();
        core = new DispatchCore(loop.eventLoop(), ManagerOptions.builder().build());
        client = connect();
    }

    /** The frames of one command among those written since the last read. */
    private static List<JsonNode> commands(List<JsonNode> frames, String command) {
        return frames.stream().filter(f -> f.path("command").asText().equals(command) && !f.has("to")).toList();
    }

    private List<String> push(String rid, String works, String extra) {
        send(client, "{'command':'push','rid':'" + rid + "','work':" + works + (extra.isEmpty() ? "" : "," + extra) + "}");
        List<String> ids = new ArrayList<>();
        for (JsonNode f : frames(client)) {
            if (f.path("to").asText().equals("push")) {
                f.get("work").forEach(id -> ids.add(id.asText()));
            }
        }
        return ids;
    }

    /** The dispatched items, in order, from the frames given. */
    private static List<JsonNode> dispatched(List<JsonNode> frames) {
        List<JsonNode> items = new ArrayList<>();
        commands(frames, "push").forEach(f -> f.get("work").forEach(items::add));
        return items;
    }

    private static List<String> ids(List<JsonNode> items, boolean prefetched) {
        return items.stream().filter(i -> i.path("prefetch").asBoolean() == prefetched).map(i -> i.get("id").asText()).toList();
    }

    private void done(Connection worker, String results, String extra) {
        send(worker, "{'command':'done','work':" + results + (extra.isEmpty() ? "" : "," + extra) + "}");
    }

    private static String result(String id) {
        return "{'id':'" + id + "','result':{'err':null,'data':1}}";
    }

    @Test
    void aWorkerGetsItsSlotsThenItsPrefetchAndNoMore() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':2,'prefetch':3}");
        push("R", "[1,2,3,4,5,6,7]", "");
        List<JsonNode> items = dispatched(frames(worker));
        assertThat(items).hasSize(5);
        assertThat(ids(items, false)).hasSize(2);
        assertThat(ids(items, true)).hasSize(3);
        assertThat(items.get(2).get("priority").asInt()).isZero();
        assertThat(core.counts().runningWorks()).isEqualTo(2); // prefetched works hold no slot
        assertThat(core.counts().queuedWorks()).isEqualTo(2);
        assertThat(core.snapshot().workers().get(0).prefetched()).isEqualTo(3);
    }

    @Test
    void anOriginalWorkerWithoutPrefetchGetsExactlyItsSlots() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':2}");
        push("R", "[1,2,3,4,5]", "");
        List<JsonNode> items = dispatched(frames(worker));
        assertThat(items).hasSize(2).allSatisfy(i -> assertThat(i.has("prefetch")).isFalse());
        assertThat(core.counts().queuedWorks()).isEqualTo(3);
    }

    @Test
    void anOfferOfSeveralRangesGetsNoPrefetch() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':{'0':1,'1':1},'prefetch':3}");
        push("R", "[1,2,3,4,5]", "");
        assertThat(dispatched(frames(worker))).hasSize(1).allSatisfy(i -> assertThat(i.has("prefetch")).isFalse()); // range 0 has 1 slot
    }

    @Test
    void anInvalidPrefetchIsRefusedAsAnInvalidOffer() {
        core();
        for (String bad : List.of("-1", "1.5", "'2'", "1001", "true", "{}")) {
            Connection worker = connect();
            send(worker, "{'command':'offer','slots':2,'prefetch':" + bad + "}");
            assertThat(frames(worker)).singleElement()
                    .satisfies(f -> assertThat(f.path("error").path("code").asText()).as(bad).isEqualTo("EINVSLOTNR"));
        }
    }

    @Test
    void aStartReportedWithTheResultThatFreedItsSlotTakesThatSlot() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1,'prefetch':1}");
        List<String> ids = push("R", "[1,2,3]", "");
        frames(worker);
        send(worker, "{'command':'answer','to':'push','accepted':['" + ids.get(0) + "','" + ids.get(1) + "']}");
        // Work 0 is done; the worker started work 1 on its slot at once and says so in the same frame.
        done(worker, "[" + result(ids.get(0)) + "]", "'started':['" + ids.get(1) + "']");
        assertThat(core.counts().runningWorks()).isEqualTo(1);
        Connection w = worker;
        assertThat(w.busy).isEqualTo(1);
        assertThat(w.ranges[0].used).isEqualTo(1);
        // No free slot: work 2 comes as the next prefetched work, not into a slot.
        List<JsonNode> items = dispatched(frames(worker));
        assertThat(ids(items, true)).containsExactly(ids.get(2));
        assertThat(ids(items, false)).isEmpty();
        // A start reported twice, or of a work that is not prefetched here, changes nothing.
        done(worker, "[]", "'started':['" + ids.get(1) + "','W0R0']");
        assertThat(w.busy).isEqualTo(1);
        assertThat(w.ranges[0].used).isEqualTo(1);
    }

    @Test
    void aPrefetchedWorkWaitsUnderItsAssignTimeoutAndIsTakenBackFromTheWorkerWhenItFires() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1,'prefetch':1}");
        List<String> ids = push("R", "[1,2]", "'assigntimeout':1000");
        assertThat(ids(dispatched(frames(worker)), true)).containsExactly(ids.get(1));
        advance(999);
        assertThat(frames(client)).isEmpty();
        advance(1);
        // The client gets EATO; the worker is told to drop the work (its answer to a dispatch: an abort).
        assertThat(frames(client)).singleElement().satisfies(f -> {
            assertThat(f.get("work").get(0).get("id").asText()).isEqualTo(ids.get(1));
            assertThat(f.get("work").get(0).get("result").get("err").get("code").asText()).isEqualTo("EATO");
        });
        assertThat(commands(frames(worker), "abort")).singleElement()
                .satisfies(f -> assertThat(f.get("work").get(0).asText()).isEqualTo(ids.get(1)));
        assertThat(worker.works).containsOnlyKeys(ids.get(0));
        // A start that crossed the abort is ignored: the work is gone, and the slot stays with work 0's count.
        done(worker, "[" + result(ids.get(0)) + "]", "'started':['" + ids.get(1) + "']");
        assertThat(worker.busy).isZero();
        assertThat(core.counts().liveWorks()).isZero();
        assertThat(core.snapshot().counters().assignTimeouts()).isEqualTo(1);
    }

    @Test
    void aStartedPrefetchedWorkNoLongerTimesOut() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1,'prefetch':1}");
        List<String> ids = push("R", "[1,2]", "'assigntimeout':1000");
        frames(worker);
        advance(500);
        done(worker, "[" + result(ids.get(0)) + "]", "'started':['" + ids.get(1) + "']");
        advance(5000);
        assertThat(frames(client)).singleElement(); // work 0's result only, no EATO
        assertThat(worker.busy).isEqualTo(1);
    }

    @Test
    void aHigherPriorityWorkRecallsALowerPrefetchedOneAndTheWorkersOrderDecidesTheRace() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1,'prefetch':2}");
        List<String> low = push("L", "[1,2,3]", "");
        frames(worker);
        List<String> high = push("H", "['h']", "'priority':5");
        List<JsonNode> out = frames(worker);
        // The newest low work is recalled, before the dispatch that sends the high one in its place.
        assertThat(out.get(0).path("command").asText()).isEqualTo("recall");
        assertThat(out.get(0).get("work")).extracting(JsonNode::asText).containsExactly(low.get(2));
        assertThat(dispatched(out)).singleElement().satisfies(i -> {
            assertThat(i.get("id").asText()).isEqualTo(high.get(0));
            assertThat(i.get("prefetch").asBoolean()).isTrue();
            assertThat(i.get("priority").asInt()).isEqualTo(5);
        });
        // The worker had started low 2 before the recall arrived: its start wins, and it holds the slot.
        done(worker, "[" + result(low.get(0)) + "]", "'started':['" + low.get(2) + "']");
        assertThat(worker.works.get(low.get(2)).state()).isEqualTo(Work.State.RUNNING);
        assertThat(worker.busy).isEqualTo(1);
        // Another round: low 1 is recalled for a second high work, and given back unstarted this time.
        List<String> high2 = push("H2", "['h2']", "'priority':5");
        out = frames(worker);
        assertThat(commands(out, "recall")).singleElement()
                .satisfies(f -> assertThat(f.get("work").get(0).asText()).isEqualTo(low.get(1)));
        assertThat(ids(dispatched(out), true)).containsExactly(high2.get(0));
        done(worker, "[]", "'recalled':['" + low.get(1) + "']");
        assertThat(worker.works).doesNotContainKey(low.get(1));
        assertThat(core.counts().queuedWorks()).isEqualTo(1);
        assertThat(worker.busy).isEqualTo(1);
        assertThat(core.snapshot().counters().rerun()).isZero();
    }

    @Test
    void aRecalledWorkGoesBackToTheFrontOfItsQueue() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1,'prefetch':2}");
        List<String> low = push("L", "[0,1,2,3]", "");
        frames(worker);
        push("H", "['h']", "'priority':5");
        frames(worker);
        done(worker, "[]", "'recalled':['" + low.get(2) + "']");
        assertThat(dispatched(frames(worker))).isEmpty();
        done(worker, "[" + result(low.get(0)) + "]", "'started':['" + low.get(1) + "']");
        assertThat(ids(dispatched(frames(worker)), true)).containsExactly(low.get(2));
    }

    @Test
    void aDeadWorkersPrefetchedWorksGoBackToTheFrontWithoutARerun() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1,'prefetch':2}");
        List<String> ids = push("R", "[1,2,3,4]", "");
        frames(worker);
        send(worker, "{'command':'answer','to':'push','accepted':['" + ids.get(0) + "','" + ids.get(1) + "','" + ids.get(2) + "']}");
        core.disconnected(worker);
        loop.runPendingTasks();
        assertThat(core.counts().queuedWorks()).isEqualTo(4);
        Connection other = connect();
        send(other, "{'command':'offer','slots':4}");
        List<JsonNode> items = dispatched(frames(other));
        assertThat(items).extracting(i -> i.get("id").asText()).containsExactlyElementsOf(ids);
        send(other, "{'command':'answer','to':'push','accepted':" + ids.stream().map(i -> "'" + i + "'").toList() + "}");
        // Only work 0 was running on the dead worker: one rerun, not three.
        assertThat(core.snapshot().counters().rerun()).isEqualTo(1);
    }

    @Test
    void aClientAbortOfAPrefetchedWorkTellsTheWorker() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1,'prefetch':1}");
        List<String> ids = push("R", "[1,2]", "");
        frames(worker);
        send(client, "{'command':'abort','work':['" + ids.get(1) + "']}");
        assertThat(commands(frames(worker), "abort")).singleElement()
                .satisfies(f -> assertThat(f.get("work").get(0).asText()).isEqualTo(ids.get(1)));
        assertThat(worker.works).containsOnlyKeys(ids.get(0));
        assertThat(worker.prefetched).isEmpty();
        assertThat(worker.busy).isEqualTo(1);
    }

    @Test
    void aFreeSlotWithAPrefetchedWorkWaitingPromotesIt() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1,'prefetch':1}");
        List<String> ids = push("R", "[1,2]", "");
        frames(worker);
        send(worker, "{'command':'answer','to':'push','accepted':['" + ids.get(0) + "','" + ids.get(1) + "']}");
        // Work 0 finishes, but the worker had nothing waiting yet when it did: no start comes with it.
        done(worker, "[" + result(ids.get(0)) + "]", "");
        List<JsonNode> items = dispatched(frames(worker));
        assertThat(items).singleElement().satisfies(i -> {
            assertThat(i.get("id").asText()).isEqualTo(ids.get(1));
            assertThat(i.has("prefetch")).isFalse(); // dispatched again, into the slot
        });
        assertThat(worker.works.get(ids.get(1)).state()).isEqualTo(Work.State.ASSIGNED);
        assertThat(worker.busy).isEqualTo(1);
        // Its start, crossing the promotion, is not counted twice.
        done(worker, "[]", "'started':['" + ids.get(1) + "']");
        assertThat(worker.busy).isEqualTo(1);
        send(worker, "{'command':'answer','to':'push','accepted':['" + ids.get(1) + "']}");
        assertThat(worker.works.get(ids.get(1)).state()).isEqualTo(Work.State.RUNNING);
    }

    @Test
    void theAnswerToAPrefetchIsNotTakenForTheAnswerToAPromotionThatCrossedIt() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1,'prefetch':1}");
        List<String> ids = push("R", "[1,2]", "");
        frames(worker);
        send(worker, "{'command':'answer','to':'push','accepted':['" + ids.get(0) + "']}"); // the prefetched one not yet
        done(worker, "[" + result(ids.get(0)) + "]", "");
        assertThat(ids(dispatched(frames(worker)), false)).containsExactly(ids.get(1)); // promoted
        // The worker's answer to the first dispatch: work 1 queued there. Not the promotion's answer.
        send(worker, "{'command':'answer','to':'push','accepted':['" + ids.get(1) + "']}");
        assertThat(worker.works.get(ids.get(1)).state()).isEqualTo(Work.State.ASSIGNED);
        // The promotion's answer: rejected (a slot still in use there). The work goes back, not lost as running.
        send(worker, "{'command':'answer','to':'push','rejected':['" + ids.get(1) + "']}");
        assertThat(worker.works).isEmpty();
        assertThat(core.counts().queuedWorks()).isEqualTo(1);
        assertThat(worker.busy).isZero();
    }

    @Test
    void aRejectedPrefetchedWorkIsRequeued() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1,'prefetch':1}");
        List<String> ids = push("R", "[1,2]", "");
        frames(worker);
        send(worker, "{'command':'answer','to':'push','accepted':['" + ids.get(0) + "'],'rejected':['" + ids.get(1) + "']}");
        assertThat(core.counts().queuedWorks()).isEqualTo(1);
        assertThat(worker.prefetched).isEmpty();
        assertThat(worker.busy).isEqualTo(1);
    }

    @Test
    void aDrainingWorkerGetsNoPrefetchAndGivesItsOwnBack() {
        core();
        Connection worker = connect();
        send(worker, "{'command':'offer','slots':1,'prefetch':1}");
        List<String> ids = push("R", "[1,2,3]", "");
        frames(worker);
        send(worker, "{'command':'drain'}");
        done(worker, "[]", "'recalled':['" + ids.get(1) + "']");
        assertThat(dispatched(frames(worker))).isEmpty();
        assertThat(core.counts().queuedWorks()).isEqualTo(2);
        done(worker, "[" + result(ids.get(0)) + "]", "");
        assertThat(worker.totalSlots).isZero();
        assertThat(dispatched(frames(worker))).isEmpty();
    }

    @Test
    void rangeAccountingStaysExactUnderAMix() {
        core();
        Connection a = connect();
        Connection b = connect();
        Connection plain = connect();
        send(a, "{'command':'offer','slots':3,'prefetch':2}");
        send(b, "{'command':'offer','slots':2,'prefetch':1}");
        send(plain, "{'command':'offer','slots':2}");
        java.util.Random random = new java.util.Random(7);
        List<Connection> workers = List.of(a, b, plain);
        for (int round = 0; round < 300; round++) {
            int p = random.nextInt(3);
            push("R" + round, "[1,2]", "'priority':" + p + ",'assigntimeout':" + (1 + random.nextInt(50)));
            for (Connection w : workers) {
                List<JsonNode> out = frames(w);
                List<String> accepted = new ArrayList<>();
                dispatched(out).forEach(i -> accepted.add("'" + i.get("id").asText() + "'"));
                if (!accepted.isEmpty()) {
                    send(w, "{'command':'answer','to':'push','accepted':" + accepted + "}");
                }
                // The worker finishes some running works, starting as many prefetched ones (highest priority first).
                List<Work> running = w.works.values().stream().filter(x -> x.state() == Work.State.RUNNING).toList();
                List<Work> waiting = new ArrayList<>(w.prefetched);
                waiting.sort((x, y) -> y.priority() - x.priority());
                int n = running.isEmpty() ? 0 : random.nextInt(running.size() + 1);
                StringBuilder results = new StringBuilder("[");
                List<String> started = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    results.append(i > 0 ? "," : "").append(result(running.get(i).id));
                    if (i < waiting.size()) {
                        started.add("'" + waiting.get(i).id + "'");
                    }
                }
                List<String> recalled = new ArrayList<>();
                for (JsonNode r : commands(out, "recall")) {
                    r.get("work").forEach(id -> recalled.add("'" + id.asText() + "'"));
                }
                if (n > 0 || !recalled.isEmpty()) {
                    done(w, results + "]", "'started':" + started + ",'recalled':" + recalled);
                }
            }
            if (random.nextInt(10) == 0) {
                advance(random.nextInt(40));
            }
            for (Connection w : workers) {
                long running = w.works.values().stream().filter(x -> x.state() == Work.State.RUNNING || x.state() == Work.State.ASSIGNED).count();
                assertThat(w.busy).as("busy of %s", w).isEqualTo(running).isLessThanOrEqualTo(w.totalSlots);
                assertThat(w.ranges[0].used).isEqualTo(running);
                long prefetched = w.works.values().stream().filter(x -> x.state() == Work.State.PREFETCHED && !x.recalling).count();
                assertThat(w.prefetched).hasSize((int) prefetched);
                assertThat(prefetched).isLessThanOrEqualTo(w.prefetch);
            }
            assertThat(plain.prefetched).isEmpty();
        }
        assertThat(core.snapshot().counters().rerun()).isZero();
    }
}
