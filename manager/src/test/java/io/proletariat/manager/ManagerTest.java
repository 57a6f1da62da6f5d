package io.proletariat.manager;

import static io.proletariat.manager.RawPeer.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.protocol.SystemMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The manager's behaviour, driven over real sockets with the frames original peers send. */
class ManagerTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Manager manager;

    private Manager start(ManagerOptions.Builder options) {
        manager = new Manager(options.port(0).bindAddress("127.0.0.1").build()).start();
        closeables.add(manager);
        return manager;
    }

    private Manager start() {
        return start(ManagerOptions.builder());
    }

    private RawPeer peer() {
        RawPeer p = new RawPeer(manager);
        closeables.add(0, p);
        return p;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void workFlowsFromClientToWorkerAndResultBack() {
        start();
        RawPeer worker = peer();
        String workerId = worker.offer("2");
        assertThat(workerId).matches("C\\d+\\.\\d+");
        RawPeer client = peer();
        client.send("{'group':'R1','return':'group','work':[{'op':'sleep','v':'hello'}],'sentArray':false,'command':'push'}");
        JsonNode answer = client.answer("push");
        assertThat(answer.get("group").asText()).isEqualTo("R1");
        assertThat(answer.has("rid")).isFalse();
        String workId = answer.get("work").get(0).asText();
        assertThat(workId).matches("W\\d{6}R\\d+");

        JsonNode dispatch = worker.takeDispatch();
        assertThat(dispatch.get("work").get(0).get("id").asText()).isEqualTo(workId);
        assertThat(dispatch.get("work").get(0).get("args")).isEqualTo(RawPeer.json("{'op':'sleep','v':'hello'}"));
        assertThat(dispatch.get("work").get(0).has("timeout")).isFalse();

        JsonNode done = worker.finish(List.of(workId), "{'v':'hello','slept':30}");
        assertThat(done.get("description").asText()).isEqualTo("спасибо for the 1 works");
        JsonNode relayed = client.command("done");
        assertThat(relayed).isEqualTo(RawPeer.json("{'work':[{'id':'" + workId + "','result':{'err':null,'data':{'v':'hello','slept':30}}}],'command':'done'}"));
        await().until(() -> manager.liveWorks() == 0);
    }

    @Test
    void requestIdIsEchoedUnderEveryNameTheClientUsed() {
        start();
        RawPeer client = peer();
        client.send("{'command':'push','rid':'r9','group':'r9','work':[1]}");
        JsonNode answer = client.answer("push");
        assertThat(answer.get("rid").asText()).isEqualTo("r9");
        assertThat(answer.get("group").asText()).isEqualTo("r9");
        client.send("{'command':'push','rid':'r10','work':[1]}");
        JsonNode v4 = client.answer("push");
        assertThat(v4.get("rid").asText()).isEqualTo("r10");
        assertThat(v4.has("group")).isFalse();
    }

    @Test
    void workIdsAreNeverReused() {
        start();
        RawPeer client = peer();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            List<String> ids = client.push("r" + i, "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]", "");
            for (String id : ids) {
                assertThat(seen.add(id)).as("duplicate id %s", id).isTrue();
            }
        }
    }

    @Test
    void highPriorityWorkOvertakesQueuedLowPriority() {
        start();
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        List<String> low = client.push("low", "['L1','L2']", "'priority':0");
        JsonNode first = worker.takeDispatch();
        assertThat(ids(first)).containsExactly(low.get(0));
        List<String> high = client.push("high", "['H']", "'priority':2");
        worker.finish(List.of(low.get(0)), "1");
        // The slot freed by L1 goes to H, and only to H: one slot, one work (no over-assignment).
        JsonNode second = worker.takeDispatch();
        assertThat(ids(second)).containsExactly(high.get(0));
        worker.finish(List.of(high.get(0)), "1");
        assertThat(ids(worker.takeDispatch())).containsExactly(low.get(1));
    }

    @Test
    void fifoWithinOnePriority() {
        start();
        RawPeer client = peer();
        List<String> a = client.push("a", "[1,2,3]", "");
        List<String> b = client.push("b", "[4,5]", "");
        RawPeer worker = peer();
        worker.offer("10");
        List<String> expected = new ArrayList<>(a);
        expected.addAll(b);
        assertThat(ids(worker.takeDispatch())).containsExactlyElementsOf(expected);
    }

    @Test
    void prioritySlotsGiveTheReadmeRangesInNormalMode() {
        start();
        RawPeer worker = peer();
        worker.offer("{'0':50,'1':30,'2':20}");
        JsonNode status = peer().status();
        assertThat(status.get("sacredRanges").asBoolean()).isFalse();
        assertThat(status.get("ranges")).hasSize(3);
        assertThat(limits(status.get("workers").get(0).get("ranges"))).containsExactly(50, 80, 100);
        assertThat(status.get("globalAvailableSlots").asInt()).isEqualTo(100);
    }

    @Test
    void prioritySlotsGiveTheReadmeRangesInSacredMode() {
        start(ManagerOptions.builder().sacredGuarantees(true));
        RawPeer worker = peer();
        worker.offer("{'0':50,'1':30,'2':20}");
        JsonNode status = peer().status();
        assertThat(status.get("sacredRanges").asBoolean()).isTrue();
        assertThat(limits(status.get("workers").get(0).get("ranges"))).containsExactly(50, 80, 70);
    }

    private static List<Integer> limits(JsonNode ranges) {
        List<Integer> limits = new ArrayList<>();
        ranges.forEach(r -> limits.add(r.get("limit").asInt()));
        return limits;
    }

    @Test
    void aWorkerIsNeverGivenMoreThanItsRangeOrItsTotal() {
        // slots 3 with {1:1}: ranges 0->2 and 1->3. The original ran 2 + 3 works on it (M9).
        start(ManagerOptions.builder().availThreshold(0));
        RawPeer worker = peer();
        worker.offer("{'0':2,'1':1}");
        RawPeer client = peer();
        List<String> low = client.push("low", "[1,2,3]", "'priority':0");
        assertThat(ids(worker.takeDispatch())).containsExactly(low.get(0), low.get(1));
        List<String> high = client.push("high", "[4,5]", "'priority':1");
        assertThat(ids(worker.takeDispatch())).containsExactly(high.get(0));
        worker.assertSilentFor(200);
        JsonNode status = peer().status();
        assertThat(status.get("globalAvailableSlots").asInt()).isZero();
        assertThat(status.get("pendingWorks").asInt()).isEqualTo(2);
        // A freed priority-0 slot: the queued priority-1 work goes first.
        worker.finish(List.of(low.get(0)), "1");
        assertThat(ids(worker.takeDispatch())).containsExactly(high.get(1));
    }

    @Test
    void sacredGuaranteesKeepTopPrioritiesOutOfTheMiddleBand() {
        start(ManagerOptions.builder().sacredGuarantees(true));
        RawPeer worker = peer();
        worker.offer("{'0':2,'1':1,'2':1}"); // sacred limits 2, 3, 3
        RawPeer client = peer();
        List<String> top = client.push("top", "[1,2,3,4]", "'priority':5");
        assertThat(ids(worker.takeDispatch())).hasSize(3);
        worker.assertSilentFor(200);
        // The fourth slot stays for band 1.
        List<String> mid = client.push("mid", "[9]", "'priority':1");
        assertThat(ids(worker.takeDispatch())).containsExactly(mid.get(0));
        assertThat(top).hasSize(4);
    }

    @Test
    void rejectedWorksGoBackToTheFrontAndAreDispatchedAgain() {
        start();
        RawPeer worker = peer();
        worker.offer("2");
        RawPeer client = peer();
        List<String> ids = client.push("r", "['a','b']", "");
        JsonNode dispatch = worker.command("push");
        assertThat(ids(dispatch)).containsExactlyElementsOf(ids);
        worker.send("{'to':'push','accepted':['" + ids.get(0) + "'],'rejected':['" + ids.get(1) + "'],'command':'answer'}");
        // No other trigger: the reject itself schedules the pass (the original waited, M10).
        JsonNode again = worker.command("push");
        assertThat(ids(again)).containsExactly(ids.get(1));
    }

    @Test
    void worksOfADeadWorkerAreRequeuedAtTheFrontAndReassignedAtOnce() {
        start();
        RawPeer dying = peer();
        dying.offer("1");
        RawPeer client = peer();
        List<String> ids = client.push("r", "['x','y']", "");
        assertThat(ids(dying.takeDispatch())).containsExactly(ids.get(0));
        RawPeer survivor = peer();
        survivor.offer("1");
        assertThat(ids(survivor.takeDispatch())).containsExactly(ids.get(1));
        dying.close();
        survivor.finish(List.of(ids.get(1)), "'y'");
        // X was requeued at the front and goes to the survivor as soon as it has room.
        assertThat(ids(survivor.takeDispatch())).containsExactly(ids.get(0));
        survivor.finish(List.of(ids.get(0)), "'x'");
        client.command("done");
        client.command("done");
        await().until(() -> manager.liveWorks() == 0);
    }

    @Test
    void requeuedWorkGoesToAnIdleWorkerWithoutAnyOtherTrigger() {
        start();
        RawPeer dying = peer();
        dying.offer("1");
        RawPeer client = peer();
        List<String> ids = client.push("r", "['x']", "");
        dying.takeDispatch();
        RawPeer idle = peer();
        idle.offer("1");
        dying.close();
        assertThat(ids(idle.takeDispatch())).containsExactly(ids.get(0));
    }

    @Test
    void clientDisconnectAbortsItsRunningWorksAndDropsQueuedOnes() {
        start();
        RawPeer worker = peer();
        worker.offer("2");
        RawPeer client = peer();
        List<String> ids = client.push("r", "[1,2,3]", "");
        assertThat(ids(worker.takeDispatch())).containsExactly(ids.get(0), ids.get(1));
        client.close();
        JsonNode abort = worker.command("abort");
        assertThat(abort.get("work")).hasSize(2);
        assertThat(List.of(abort.get("work").get(0).asText(), abort.get("work").get(1).asText())).containsExactly(ids.get(0), ids.get(1));
        await().until(() -> manager.liveWorks() == 0 && manager.runningWorks() == 0);
        JsonNode status = peer().status();
        assertThat(status.get("pendingWorks").asInt()).isZero();
        assertThat(status.get("globalAvailableSlots").asInt()).isEqualTo(2);
        // Late results of aborted works are ignored.
        worker.send("{'command':'done','work':[{'id':'" + ids.get(0) + "','result':{'data':1}}]}");
        assertThat(worker.answer("done").get("error").get("code").asText()).isEqualTo("EINVSTAT1");
    }

    @Test
    void abortByRequestIdStopsItsWorksOnTheWorker() {
        start();
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        List<String> ids = client.push("r2", "[1,2]", "");
        worker.takeDispatch();
        client.send("{'command':'abort','rid':'r2'}");
        JsonNode ok = client.answer("abort");
        assertThat(ok.get("ok").asBoolean()).isTrue();
        assertThat(ok.get("rid").asText()).isEqualTo("r2");
        assertThat(worker.command("abort").get("work").get(0).asText()).isEqualTo(ids.get(0));
        client.send("{'command':'abort','rid':'r2'}");
        assertThat(client.answer("abort").get("error").get("code").asText()).isEqualTo("EABRNOFO");
        await().until(() -> manager.liveWorks() == 0);
    }

    @Test
    void abortByWorkIdsListsOnlyWhatWasAborted() {
        start();
        RawPeer client = peer();
        List<String> ids = client.push("r", "[1,2]", "");
        client.send("{'command':'abort','work':['" + ids.get(0) + "','W000000R0']}");
        JsonNode ok = client.answer("abort");
        assertThat(ok.get("work")).hasSize(1);
        assertThat(ok.get("work").get(0).asText()).isEqualTo(ids.get(0));
        await().until(() -> manager.liveWorks() == 1);
    }

    @Test
    void assignTimeoutAnswersEatoPerWork() {
        start();
        RawPeer client = peer();
        List<String> ids = client.push("r", "[1,2]", "'assigntimeout':100");
        Set<String> timedOut = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            JsonNode done = client.command("done");
            assertThat(done.get("work")).hasSize(1);
            JsonNode item = done.get("work").get(0);
            assertThat(item.get("result")).isEqualTo(RawPeer.json("{'err':{'code':'EATO','message':'Assign timeout'},'data':null}"));
            timedOut.add(item.get("id").asText());
        }
        assertThat(timedOut).containsExactlyInAnyOrderElementsOf(ids);
        // A worker that connects afterwards gets nothing.
        RawPeer worker = peer();
        worker.offer("1");
        worker.assertSilentFor(200);
        assertThat(manager.liveWorks()).isZero();
    }

    @Test
    void assignedWorkIsNotTimedOut() {
        start();
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        List<String> ids = client.push("r", "[1]", "'assigntimeout':50");
        worker.takeDispatch();
        client.assertSilentFor(200);
        worker.finish(ids, "'late but fine'");
        assertThat(client.command("done").get("work").get(0).get("result").get("data").asText()).isEqualTo("late but fine");
    }

    @Test
    void runTimeoutTravelsToTheWorkerExactlyAsSent() {
        start();
        RawPeer worker = peer();
        worker.offer("2");
        RawPeer client = peer();
        client.push("r", "[1]", "'timeout':'200'");
        client.push("s", "[2]", "'timeout':300");
        client.push("t", "[3]", "'timeout':0");
        List<JsonNode> items = new ArrayList<>();
        while (items.size() < 2) {
            worker.command("push").get("work").forEach(items::add);
        }
        assertThat(items.get(0).get("timeout").isTextual()).isTrue();
        assertThat(items.get(0).get("timeout").asText()).isEqualTo("200");
        assertThat(items.get(1).get("timeout").asInt()).isEqualTo(300);
    }

    @Test
    void systemMessageReachesEveryoneAndIsAcknowledgedWhenAllReceived() {
        start();
        List<SystemMessage> local = new CopyOnWriteArrayList<>();
        manager.addListener(new ManagerListener() {
            @Override
            public void sysmsg(SystemMessage message) {
                local.add(message);
            }
        });
        RawPeer sender = peer();
        RawPeer a = peer();
        RawPeer b = peer();
        a.offer("1");
        sender.send("{'to':null,'id':'M1','content':{'hello':'everybody'},'command':'sysmsg'}");
        for (RawPeer r : List.of(a, b)) {
            JsonNode relayed = r.command("sysmsg");
            assertThat(relayed.get("content")).isEqualTo(RawPeer.json("{'hello':'everybody'}"));
            assertThat(relayed.get("id").asText()).endsWith("/M1").startsWith(relayed.get("from").asText());
            sender.assertSilentFor(50);
            r.send("{'to':'sysmsg','id':'" + relayed.get("id").asText() + "','received':1,'command':'answer'}");
        }
        JsonNode completion = sender.answer("sysmsg");
        assertThat(completion.get("id").asText()).isEqualTo("M1");
        assertThat(completion.get("done").asBoolean()).isTrue();
        assertThat(completion.get("sentTo").asInt()).isEqualTo(2);
        assertThat(completion.get("receivedBy").asInt()).isEqualTo(2);
        await().until(() -> local.size() == 1);
        assertThat(local.get(0).content().toString()).isEqualTo("{\"hello\":\"everybody\"}");
        assertThat(local.get(0).content(java.util.Map.class)).isEqualTo(java.util.Map.of("hello", "everybody"));
    }

    @Test
    void systemMessageToManagerOrNobodyCompletesAtOnce() {
        start();
        RawPeer sender = peer();
        RawPeer other = peer();
        sender.send("{'to':'MANAGER','id':'M2','content':1,'command':'sysmsg'}");
        assertThat(sender.answer("sysmsg").get("sentTo").asInt()).isZero();
        sender.send("{'to':'C0.0','id':'M3','content':1,'command':'sysmsg'}");
        assertThat(sender.answer("sysmsg").get("receivedBy").asInt()).isZero();
        other.assertSilentFor(100);
    }

    @Test
    void systemMessageToOneIdReachesOnlyThatPeer() {
        start();
        RawPeer sender = peer();
        RawPeer target = peer();
        RawPeer bystander = peer();
        String targetId = target.offer("1");
        sender.send("{'to':'" + targetId + "','id':'M4','content':'psst','command':'sysmsg'}");
        JsonNode relayed = target.command("sysmsg");
        target.send("{'to':'sysmsg','id':'" + relayed.get("id").asText() + "','command':'answer'}");
        assertThat(sender.answer("sysmsg").get("receivedBy").asInt()).isEqualTo(1);
        bystander.assertSilentFor(100);
    }

    @Test
    void aRecipientThatLeavesNoLongerBlocksTheAcknowledgement() {
        start();
        RawPeer sender = peer();
        RawPeer silent = peer();
        RawPeer polite = peer();
        polite.offer("1");
        sender.send("{'id':'M5','content':1,'command':'sysmsg'}");
        JsonNode relayed = polite.command("sysmsg");
        polite.send("{'to':'sysmsg','id':'" + relayed.get("id").asText() + "','command':'answer'}");
        // Duplicate acks do not count twice.
        polite.send("{'to':'sysmsg','id':'" + relayed.get("id").asText() + "','command':'answer'}");
        sender.assertSilentFor(100);
        silent.close();
        JsonNode completion = sender.answer("sysmsg");
        assertThat(completion.get("sentTo").asInt()).isEqualTo(2);
        assertThat(completion.get("receivedBy").asInt()).isEqualTo(1);
    }

    @Test
    void silentSystemMessageRecipientsExpire() {
        start(ManagerOptions.builder().sysmsgTimeout(Duration.ofMillis(200)));
        RawPeer sender = peer();
        peer(); // never acks
        sender.send("{'id':'M6','content':1,'command':'sysmsg'}");
        JsonNode completion = sender.answer("sysmsg");
        assertThat(completion.get("receivedBy").asInt()).isZero();
        assertThat(completion.get("expired").asBoolean()).isTrue();
    }

    @Test
    void similarWorksWaitForTheLiveOneAndShareItsResult() {
        start(ManagerOptions.builder().holdSimilarWork(true));
        RawPeer worker = peer();
        worker.offer("5");
        RawPeer c1 = peer();
        RawPeer c2 = peer();
        List<String> first = c1.push("a", "[{'_key':'k1','n':1}]", "");
        assertThat(ids(worker.takeDispatch())).containsExactlyElementsOf(first);
        List<String> second = c2.push("b", "[{'_key':'k1','n':2},{'_key':'k2'}]", "");
        // Only the k2 work runs; the second k1 is on hold.
        assertThat(ids(worker.takeDispatch())).containsExactly(second.get(1));
        assertThat(peer().status().get("globalWorksOnHold").asInt()).isEqualTo(1);
        worker.finish(first, "'shared'");
        assertThat(c1.command("done").get("work").get(0).get("result").get("data").asText()).isEqualTo("shared");
        JsonNode copy = c2.command("done").get("work").get(0);
        assertThat(copy.get("id").asText()).isEqualTo(second.get(0));
        assertThat(copy.get("result").get("data").asText()).isEqualTo("shared");
        worker.assertSilentFor(100);
    }

    @Test
    void heldWorkRunsWhenTheLiveOneIsAborted() {
        start(ManagerOptions.builder().holdSimilarWork(true));
        RawPeer worker = peer();
        worker.offer("5");
        RawPeer c1 = peer();
        RawPeer c2 = peer();
        c1.push("a", "[{'_key':'k'}]", "");
        worker.takeDispatch();
        List<String> held = c2.push("b", "[{'_key':'k'}]", "");
        c1.close();
        worker.command("abort");
        assertThat(ids(worker.takeDispatch())).containsExactlyElementsOf(held);
    }

    @Test
    void keepalivePingsSilentPeersAndDropsThoseThatNeverAnswer() {
        start(ManagerOptions.builder().keepalive(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMillis(300)));
        RawPeer answering = peer();
        RawPeer silent = peer();
        for (int i = 0; i < 3; i++) {
            answering.command("ping");
            answering.send("{'to':'ping','current':'2026-11-27T20:20:56.426Z','command':'answer'}");
        }
        assertThat(silent.closedByPeer()).isTrue();
        answering.send("{'command':'ping'}");
        assertThat(answering.answer("ping").get("current").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    }

    @Test
    void customWorkSelectorChoosesTheWorker() {
        start(ManagerOptions.builder().workSelector((work, candidates, total) -> {
            for (WorkerSlots c : candidates) {
                if (c.available() == 7) {
                    return c;
                }
            }
            return null;
        }));
        RawPeer small = peer();
        small.offer("3");
        RawPeer big = peer();
        big.offer("7");
        RawPeer client = peer();
        List<String> ids = client.push("r", "[1]", "");
        assertThat(ids(big.takeDispatch())).containsExactlyElementsOf(ids);
        small.assertSilentFor(100);
    }

    @Test
    void defaultSelectorSpreadsWorkAcrossWorkers() {
        start();
        RawPeer a = peer();
        a.offer("50");
        RawPeer b = peer();
        b.offer("50");
        RawPeer client = peer();
        client.push("r", "[" + "1,".repeat(59) + "1]", "");
        JsonNode da = a.command("push");
        JsonNode db = b.command("push");
        assertThat(da.get("work").size() + db.get("work").size()).isEqualTo(60);
        assertThat(da.get("work").size()).isBetween(10, 50);
    }

    @Test
    void listenersSeeTheWorkLifeCycle() {
        start();
        List<String> seen = new CopyOnWriteArrayList<>();
        manager.addListener(new ManagerListener() {
            @Override
            public void receive(WorkInfo work) {
                seen.add("receive " + work.args());
            }

            @Override
            public void assign(WorkInfo work, String workerId) {
                seen.add("assign");
            }

            @Override
            public void finish(WorkInfo work, io.proletariat.protocol.RawJson result) {
                seen.add("finish " + result);
            }
        });
        RawPeer worker = peer();
        worker.offer("1");
        RawPeer client = peer();
        List<String> ids = client.push("r", "[{'x':1}]", "");
        worker.takeDispatch();
        worker.finish(ids, "2");
        await().until(() -> seen.size() == 3);
        assertThat(seen).containsExactly("receive {\"x\":1}", "assign", "finish {\"err\":null,\"data\":2}");
    }

    @Test
    void statusListsWorkersAndClientsAndMyStatusDescribesTheAsker() {
        start();
        RawPeer worker = peer();
        String wid = worker.offer("{'0':2,'3':1}");
        RawPeer client = peer();
        client.push("r", "[1,2,3,4]", "");
        worker.takeDispatch();
        JsonNode status = client.status();
        assertThat(status.get("workers").get(0).get("id").asText()).isEqualTo(wid);
        assertThat(status.get("workers").get(0).get("status").asText()).isEqualTo("sentwork");
        assertThat(status.get("workers").get(0).get("offer")).isEqualTo(RawPeer.json("{'0':2,'3':1}"));
        assertThat(status.get("globalRunningWorks").asInt()).isEqualTo(2);
        assertThat(status.get("pendingWorks").asInt()).isEqualTo(2);
        assertThat(status.get("clients").get(0).get("you").asBoolean()).isTrue();
        worker.send("{'command':'mystatus'}");
        JsonNode mine = worker.answer("mystatus");
        assertThat(mine.get("type").asText()).isEqualTo("worker");
        assertThat(mine.get("ranges")).hasSize(2);
        assertThat(mine.get("ranges").get(1)).isEqualTo(RawPeer.json("{'from':3,'limit':3,'used':0}"));
    }

    @Test
    void availThresholdNeverStallsDispatch() {
        // Fewer slots than the threshold: once full, the system must still resume.
        start(ManagerOptions.builder().availThreshold(50));
        RawPeer worker = peer();
        worker.offer("2");
        RawPeer client = peer();
        List<String> ids = client.push("r", "[1,2,3,4,5]", "");
        List<String> ran = new ArrayList<>();
        while (ran.size() < 5) {
            List<String> batch = ids(worker.takeDispatch());
            ran.addAll(batch);
            worker.finish(batch, "0");
        }
        assertThat(ran).containsExactlyElementsOf(ids);
    }

    @Test
    void afterTheSystemWasFullDispatchWaitsForThresholdSlotsButNoLongerThanDistribRandMax() {
        start(ManagerOptions.builder().availThreshold(2).distribRandMax(Duration.ofMillis(300)));
        RawPeer worker = peer();
        worker.offer("3");
        RawPeer client = peer();
        List<String> ids = client.push("r", "[1,2,3,4,5]", "");
        List<String> first = ids(worker.takeDispatch());
        assertThat(first).hasSize(3);
        // One free slot is below the threshold: nothing at once...
        worker.finish(List.of(first.get(0)), "0");
        worker.assertSilentFor(100);
        // ...a second one reaches it, and both waiting works go together.
        worker.finish(List.of(first.get(1)), "0");
        assertThat(ids(worker.takeDispatch())).containsExactly(ids.get(3), ids.get(4));
    }

    @Test
    void thresholdWaitEndsAfterDistribRandMax() {
        start(ManagerOptions.builder().availThreshold(3).distribRandMax(Duration.ofMillis(150)));
        RawPeer worker = peer();
        worker.offer("2");
        RawPeer client = peer();
        long start = System.nanoTime(); // the system becomes full after this
        List<String> ids = client.push("r", "[1,2,3]", "");
        List<String> first = ids(worker.takeDispatch());
        worker.finish(List.of(first.get(0)), "0");
        // Both slots (the capped threshold) cannot be free while the worker holds one: the bound ends the wait.
        assertThat(ids(worker.takeDispatch())).containsExactly(ids.get(2));
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(150).toNanos());
    }

    @Test
    void statsCountWhatHappened() {
        start();
        RawPeer worker = peer();
        String wid = worker.offer("{'0':2,'1':1}");
        RawPeer client = peer();
        List<String> ids = client.push("r", "[1,2,3]", "");
        worker.takeDispatch();
        worker.send("{'command':'done','work':[{'id':'" + ids.get(0) + "','result':{'err':null,'data':1}},"
                + "{'id':'" + ids.get(1) + "','result':{'err':{'code':'EBOOM','message':'boom'}}}]}");
        worker.answer("done");
        client.command("done");
        worker.takeDispatch();
        ManagerStats stats = manager.stats();
        assertThat(stats.counters().pushed()).isEqualTo(3);
        assertThat(stats.counters().assigned()).isEqualTo(3);
        assertThat(stats.counters().finished()).isEqualTo(2);
        assertThat(stats.counters().failed()).isEqualTo(1);
        assertThat(stats.counters().failedByCode()).containsEntry("EBOOM", 1L);
        assertThat(stats.recentErrors()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo("EBOOM");
            assertThat(e.workerId()).isEqualTo(wid);
            assertThat(e.error()).contains("boom");
        });
        assertThat(stats.running()).isEqualTo(1);
        assertThat(stats.slotsTotal()).isEqualTo(3);
        assertThat(stats.workers()).singleElement().satisfies(w -> {
            assertThat(w.finished()).isEqualTo(2);
            assertThat(w.ranges()).extracting(ManagerStats.RangeStats::limit).containsExactly(2L, 3L);
        });
        assertThat(stats.clients()).anySatisfy(c -> assertThat(c.pendingWorks()).isEqualTo(1));
        assertThat(stats.endToEnd().count()).isEqualTo(2);
        assertThat(stats.timeInQueue().count()).isEqualTo(3);
        assertThat(stats.runTime().count()).isEqualTo(2);
    }

    @Test
    void aWorkerThatAlsoPushesKeepsRunningOthersWorks() {
        start();
        RawPeer both = peer();
        both.offer("1");
        both.push("mine", "[1]", "");
        RawPeer client = peer();
        List<String> theirs = client.push("theirs", "[2]", "");
        JsonNode status = client.status();
        assertThat(status.get("workers")).hasSize(1);
        assertThat(ids(both.takeDispatch())).hasSize(1);
        RawPeer other = peer();
        other.offer("5");
        both.close();
        // Whatever 'both' was running goes back to the queue if it was someone else's; its own works are dropped.
        JsonNode d = other.takeDispatch();
        assertThat(ids(d)).containsAnyElementsOf(theirs);
    }

    @Test
    void drainingWorkerFinishesWhatItHoldsAndIsSentNothingNew() {
        start();
        RawPeer leaving = peer();
        leaving.offer("3");
        RawPeer client = peer();
        List<String> first = client.push("r1", "['a']", "");
        assertThat(ids(leaving.takeDispatch())).containsExactly(first.get(0));

        leaving.send("{'command':'drain'}");
        assertThat(leaving.answer("drain").get("running").asInt()).isEqualTo(1);
        JsonNode status = leaving.status();
        assertThat(status.get("workers").get(0).get("status").asText()).isEqualTo("draining");
        assertThat(status.get("globalAvailableSlots").asInt()).isZero();

        List<String> second = client.push("r2", "['b']", "");
        leaving.finish(first, "'done a'");
        assertThat(client.command("done").get("work").get(0).get("result").get("data").asText()).isEqualTo("done a");
        // The pass after that result ran before the result was flushed: 'b' stayed queued.
        assertThat(manager.stats().counters().assigned()).isEqualTo(1);
        assertThat(manager.stats().slotsTotal()).isZero();
        assertThat(manager.queuedWorks()).isEqualTo(1);

        RawPeer next = peer();
        next.offer("1");
        assertThat(ids(next.takeDispatch())).containsExactly(second.get(0));
        leaving.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> manager.stats().workers().size() == 1);
        assertThat(manager.stats().slotsTotal()).isEqualTo(1);
        assertThat(manager.stats().counters().requeued()).isZero();
    }

    @Test
    void drainBeforeAnOfferIsRefused() {
        start();
        RawPeer peer = peer();
        peer.send("{'command':'drain'}");
        assertThat(peer.answer("drain").get("error").get("code").asText()).isEqualTo("EINVCMDSTAT2");
    }
}
