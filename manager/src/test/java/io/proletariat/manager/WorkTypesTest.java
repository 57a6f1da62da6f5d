package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Work types and their limits (issue 16, docs/protocol.md, "Work types and limits"), on a real
 * manager over real sockets, with peers that speak raw frames: typed and untyped workers beside a
 * peer that speaks exactly as the original node.js worker and client (no new field).
 */
class WorkTypesTest {
    @TempDir
    Path dir;

    private static Manager start(ManagerOptions.Builder options) {
        return new Manager(options.port(0).bindAddress("127.0.0.1").build()).start();
    }

    private static long busy(Manager m, String workerId) {
        return m.stats().workers().stream().filter(w -> w.id().equals(workerId)).findFirst().orElseThrow().busy();
    }

    private static String works(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(i);
        }
        return sb.append(']').toString();
    }

    private static String errorCode(JsonNode answer) {
        return answer.path("error").path("code").asText(null);
    }

    @Test
    void typedWorksGoOnlyToWorkersOfTheirTypeAndUntypedOnesToWorkersThatTakeThem() {
        try (Manager m = start(ManagerOptions.builder());
             RawPeer original = new RawPeer(m); RawPeer resize = new RawPeer(m); RawPeer thumbAndUntyped = new RawPeer(m);
             RawPeer originalClient = new RawPeer(m); RawPeer client = new RawPeer(m)) {
            String o = original.offer("10"); // the original's offer: no types, takes untyped works only
            resize.send("{'command':'offer','slots':10,'types':['resize']}");
            String r = resize.answer("offer").path("you").asText();
            thumbAndUntyped.send("{'command':'offer','slots':{'0':20},'types':['thumbnail'],'untyped':true}");
            String t = thumbAndUntyped.answer("offer").path("you").asText();

            originalClient.push("u", works(12), ""); // as the original client pushes: no type
            await().until(() -> m.stats().running() == 12);
            assertThat(busy(m, r)).isZero();
            assertThat(busy(m, o) + busy(m, t)).isEqualTo(12);

            client.push("r", works(7), "'type':'resize'");
            await().until(() -> busy(m, r) == 7);
            client.push("t", works(2), "'type':'thumbnail'");
            await().until(() -> m.stats().running() == 21);
            assertThat(busy(m, r)).isEqualTo(7);
            assertThat(busy(m, o) + busy(m, t)).isEqualTo(14);

            // The original worker's dispatches hold untyped works only, the resize worker's the resize works only.
            List<String> resizeIds = RawPeer.ids(resize.takeDispatch());
            assertThat(resizeIds).hasSize(7);
            List<String> untypedIds = new ArrayList<>();
            while (untypedIds.size() < busy(m, o)) {
                untypedIds.addAll(RawPeer.ids(original.takeDispatch()));
            }
            assertThat(untypedIds).doesNotContainAnyElementsOf(resizeIds);
            resize.finish(resizeIds, "1");
            JsonNode done = client.command("done");
            List<String> answeredIds = new ArrayList<>();
            done.path("work").forEach(x -> answeredIds.add(x.path("id").asText()));
            assertThat(answeredIds).containsExactlyInAnyOrderElementsOf(resizeIds);

            JsonNode status = originalClient.status();
            JsonNode types = status.path("types");
            assertThat(types.isArray()).isTrue();
            Map<String, JsonNode> byName = new java.util.HashMap<>();
            types.forEach(x -> byName.put(x.path("type").asText(), x));
            assertThat(byName.get("thumbnail").path("running").asLong()).isEqualTo(2);
            assertThat(byName.get("resize").path("running").asLong()).isZero();
            assertThat(byName.get("resize").path("workers").asInt()).isEqualTo(1);
            assertThat(status.path("typesWithoutWorkers")).isEmpty();
            JsonNode worker = null;
            for (JsonNode w : status.path("workers")) {
                if (w.path("id").asText().equals(t)) {
                    worker = w;
                }
                if (w.path("id").asText().equals(o)) {
                    assertThat(w.has("types")).as("an original worker's entry is as before").isFalse();
                }
            }
            assertThat(worker.path("types").get(0).asText()).isEqualTo("thumbnail");
            assertThat(worker.path("untyped").asBoolean()).isTrue();
        }
    }

    @Test
    void typesShareAWorkersSlotsRangesAndSacredGuaranteesAndTheHighestPriorityGoesFirstWhateverItsType() {
        try (Manager m = start(ManagerOptions.builder().sacredGuarantees(true)); RawPeer client = new RawPeer(m); RawPeer worker = new RawPeer(m)) {
            // Queued before the worker comes: untyped priority 0, then typed priority 5, 2 and 0.
            List<String> low = client.push("u0", "[1]", "");
            List<String> high = client.push("a5", "[1]", "'type':'a','priority':5");
            List<String> mid = client.push("b2", "[1,2]", "'type':'b','priority':2");
            client.push("a0", "[1,2]", "'type':'a'");
            // Sacred: range 0 has 1 slot, range 2 has 1 + 1; 2 slots in all.
            worker.send("{'command':'offer','slots':{'0':1,'2':1},'types':['a','b'],'untyped':true}");
            String w = worker.answer("offer").path("you").asText();
            List<String> first = RawPeer.ids(worker.takeDispatch());
            // The priority 5 work first, then one of priority 2: the 2 slots, whatever the types.
            assertThat(first).containsExactly(high.get(0), mid.get(0));
            await().until(() -> busy(m, w) == 2);
            worker.finish(List.of(high.get(0)), "1");
            assertThat(RawPeer.ids(worker.takeDispatch())).containsExactly(mid.get(1)); // priority 2 still before 0
            worker.finish(List.of(mid.get(0), mid.get(1)), "1");
            // Priority 0 works use range 0 alone in sacred mode: one at a time, the untyped work first (it came first in its priority).
            assertThat(RawPeer.ids(worker.takeDispatch())).containsExactly(low.get(0));
            await().until(() -> busy(m, w) == 1);
            worker.assertSilentFor(200);
            assertThat(client.status().path("pendingWorks").asLong()).isEqualTo(2);
        }
    }

    @Test
    void aManagerOfUntypedWorksAnswersStatusAsBefore() {
        try (Manager m = start(ManagerOptions.builder()); RawPeer worker = new RawPeer(m); RawPeer client = new RawPeer(m)) {
            worker.offer("1");
            client.push("a", "[1]", "");
            JsonNode status = client.status();
            assertThat(status.has("types")).isFalse();
            assertThat(status.has("typesWithoutWorkers")).isFalse();
            assertThat(m.stats().types()).isEmpty();
        }
    }

    @Test
    void aTypedWorkWithNoWorkerWaitsStatusNamesItsTypeAndItsAssignTimeoutFires() {
        try (Manager m = start(ManagerOptions.builder()); RawPeer worker = new RawPeer(m); RawPeer client = new RawPeer(m)) {
            worker.offer("5"); // untyped: never takes a typed work
            String timed = client.push("a", "[1]", "'type':'render','assigntimeout':300").get(0);
            client.push("b", "[2]", "'type':'render'");
            JsonNode status = client.status();
            assertThat(status.path("pendingWorks").asLong()).isEqualTo(2);
            assertThat(status.path("typesWithoutWorkers").get(0).asText()).isEqualTo("render");
            JsonNode done = client.command("done");
            assertThat(done.path("work").get(0).path("id").asText()).isEqualTo(timed);
            assertThat(done.path("work").get(0).path("result").path("err").path("code").asText()).isEqualTo("EATO");
            assertThat(busy(m, m.stats().workers().get(0).id())).isZero();

            // A worker of the type comes: the other work goes to it.
            try (RawPeer render = new RawPeer(m)) {
                render.send("{'command':'offer','slots':1,'types':['render']}");
                render.answer("offer");
                assertThat(RawPeer.ids(render.takeDispatch())).hasSize(1);
                assertThat(client.status().path("typesWithoutWorkers")).isEmpty();
            }
        }
    }

    @Test
    void badTypesAndLimitsAreRefusedWithTheirCodesAndChangeNothing() {
        try (Manager m = start(ManagerOptions.builder().maxWorkTypes(2)); RawPeer client = new RawPeer(m); RawPeer worker = new RawPeer(m)) {
            for (String type : List.of("''", "5", "'a b'", "'" + "x".repeat(65) + "'", "['a']", "{}", "'é'")) {
                client.send("{'command':'push','rid':'bad','work':[1],'type':" + type + "}");
                JsonNode a = client.answer("push");
                assertThat(errorCode(a)).as("type %s", type).isEqualTo("EINVTYPE");
                assertThat(a.path("rid").asText()).isEqualTo("bad");
            }
            assertThat(m.liveWorks()).isZero();
            client.push("null", "[1]", "'type':null"); // JSON null: untyped
            assertThat(client.push("max", "[1]", "'type':'" + "x".repeat(64) + "'")).hasSize(1);
            client.push("b", "[1]", "'type':'A-z_0.9:b'");
            client.send("{'command':'push','rid':'c','work':[1],'type':'third'}");
            assertThat(errorCode(client.answer("push"))).isEqualTo("ETOOMANYTYPES");

            for (String types : List.of("'resize'", "[1]", "['ok','']", "[" + "'t',".repeat(64) + "'u']", "[null]")) {
                worker.send("{'command':'offer','slots':1,'types':" + types + "}");
                assertThat(errorCode(worker.answer("offer"))).as("types %s", types).isEqualTo("EINVTYPE");
            }
            worker.send("{'command':'offer','slots':1,'types':['new']}");
            assertThat(errorCode(worker.answer("offer"))).isEqualTo("ETOOMANYTYPES");
            assertThat(m.stats().workers()).isEmpty();

            for (String max : List.of("-1", "1.5", "'3'", "true", "2147483648")) {
                client.send("{'command':'limit','type':'b','max':" + max + "}");
                assertThat(errorCode(client.answer("limit"))).as("max %s", max).isEqualTo("EINVLIMIT");
            }
            client.send("{'command':'limit','type':'a b','max':1}");
            assertThat(errorCode(client.answer("limit"))).isEqualTo("EINVTYPE");
            client.send("{'command':'limit','type':'third','max':1}");
            assertThat(errorCode(client.answer("limit"))).isEqualTo("ETOOMANYTYPES");
            client.send("{'command':'limit'}");
            assertThat(client.answer("limit").path("limits").size()).isZero();

            // A type whose works are gone is forgotten: its place serves another.
            client.send("{'command':'abort','rid':'b'}");
            client.answer("abort");
            await().until(() -> m.stats().types().size() == 1);
            assertThat(client.push("c", "[1]", "'type':'third'")).hasSize(1);
            worker.send("{'command':'offer','slots':1,'types':['third']}");
            assertThat(worker.answer("offer").has("error")).isFalse();
            assertThat(RawPeer.ids(worker.takeDispatch())).hasSize(1);
        }
    }

    @Test
    void aLimitChangedAtRunTimeReleasesWaitingWorksAndNoneRemovesIt() {
        try (Manager m = start(ManagerOptions.builder().typeLimit("resize", 0));
             RawPeer worker = new RawPeer(m); RawPeer admin = new RawPeer(m); RawPeer client = new RawPeer(m)) {
            worker.send("{'command':'offer','slots':10,'types':['resize']}");
            String w = worker.answer("offer").path("you").asText();
            client.push("a", works(5), "'type':'resize'");
            admin.send("{'command':'limit'}");
            assertThat(admin.answer("limit").path("limits").path("resize").path("max").asLong()).isZero();
            assertThat(client.status().path("pendingWorks").asLong()).isEqualTo(5);
            assertThat(busy(m, w)).isZero();

            admin.send("{'command':'limit','type':'resize','max':2}");
            JsonNode a = admin.answer("limit");
            assertThat(a.has("error")).isFalse();
            assertThat(a.path("limits").path("resize").path("max").asLong()).isEqualTo(2);
            List<String> first = RawPeer.ids(worker.takeDispatch());
            assertThat(first).hasSize(2);
            await().until(() -> busy(m, w) == 2);
            worker.finish(first.subList(0, 1), "1"); // one finishes: one more may run
            assertThat(RawPeer.ids(worker.takeDispatch())).hasSize(1);
            await().until(() -> busy(m, w) == 2);
            JsonNode type = client.status().path("types").get(0);
            assertThat(type.path("running").asLong()).isEqualTo(2);
            assertThat(type.path("limit").asLong()).isEqualTo(2);

            admin.send("{'command':'limit','type':'resize','max':null}");
            assertThat(admin.answer("limit").path("limits").has("resize")).isFalse();
            assertThat(RawPeer.ids(worker.takeDispatch())).hasSize(2);
            await().until(() -> busy(m, w) == 4);
            assertThat(client.status().path("types").get(0).path("limit").isNull()).isTrue();
        }
    }

    @Test
    void theLimitNeedsTheAdminRoleUnderAuthentication() throws IOException {
        Path auth = Files.write(dir.resolve("auth"), List.of("alice client " + sha256("client-token-0123456789"),
                "ops admin " + sha256("admin-token-0123456789")));
        try (Manager m = start(ManagerOptions.builder().authFile(auth)); RawPeer client = new RawPeer(m); RawPeer admin = new RawPeer(m)) {
            client.send("{'command':'auth','token':'client-token-0123456789'}");
            client.answer("auth");
            client.send("{'command':'limit','type':'resize','max':1}");
            assertThat(errorCode(client.answer("limit"))).isEqualTo("EPERM");
            assertThat(m.stats().types()).isEmpty();
            client.send("{'command':'limit'}");
            assertThat(errorCode(client.answer("limit"))).isEqualTo("EPERM");

            admin.send("{'command':'auth','token':'admin-token-0123456789'}");
            admin.answer("auth");
            admin.send("{'command':'limit','type':'resize','max':1}");
            assertThat(admin.answer("limit").path("limits").path("resize").path("max").asLong()).isEqualTo(1);
            assertThat(m.stats().types().get(0).limit()).isEqualTo(1);
        }
    }

    private static String sha256(String token) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------ the limit under load and faults

    /**
     * A worker that runs its works for a few milliseconds each and counts them into the test's
     * running total; {@link #kill} drops its connection with works still on it.
     */
    private static final class LoadWorker implements Runnable {
        final RawPeer peer;
        final AtomicInteger running;
        final AtomicInteger maxRunning;
        final ScheduledExecutorService clock;
        final List<String> held = new ArrayList<>();
        boolean dead;

        LoadWorker(Manager m, AtomicInteger running, AtomicInteger maxRunning, ScheduledExecutorService clock) {
            this(m, running, maxRunning, clock, "{'command':'offer','slots':4,'types':['resize']}");
        }

        LoadWorker(Manager m, AtomicInteger running, AtomicInteger maxRunning, ScheduledExecutorService clock, String offer) {
            this.peer = new RawPeer(m);
            this.running = running;
            this.maxRunning = maxRunning;
            this.clock = clock;
            peer.send(offer);
        }

        @Override
        public void run() {
            try {
                while (true) {
                    JsonNode f = peer.read();
                    if (!"push".equals(f.path("command").asText())) {
                        continue;
                    }
                    List<String> ids = RawPeer.ids(f);
                    synchronized (this) {
                        if (dead) {
                            return;
                        }
                        held.addAll(ids);
                        int now = running.addAndGet(ids.size()); // counted before it is accepted: never later than the manager
                        maxRunning.accumulateAndGet(now, Math::max);
                        JsonNode answer = RawPeer.json("{'to':'push','command':'answer','accepted':["
                                + ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(",")) + "]}");
                        peer.send(answer);
                    }
                    for (String id : ids) {
                        clock.schedule(() -> finish(id), 1 + (id.hashCode() & 7), TimeUnit.MILLISECONDS);
                    }
                }
            } catch (RuntimeException e) {
                // killed, or the manager closed
            }
        }

        synchronized void finish(String id) {
            if (dead || !held.remove(id)) {
                return;
            }
            running.decrementAndGet(); // before the done: the manager may send the next work at once
            peer.send("{'command':'done','work':[{'id':'" + id + "','result':{'err':null,'data':1}}]}");
        }

        /** Kills it when it holds works; true when it did. */
        synchronized boolean killHolding() {
            if (dead || held.isEmpty()) {
                return false;
            }
            kill();
            return true;
        }

        synchronized void kill() {
            dead = true;
            running.addAndGet(-held.size()); // gone with it; the manager requeues them when it sees the close
            held.clear();
            peer.close();
        }
    }

    @Test
    void theLimitHoldsExactlyUnderLoadWhileWorkersAreKilled() throws Exception {
        int limit = 3;
        int total = 400;
        ScheduledExecutorService clock = Executors.newScheduledThreadPool(2);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        List<LoadWorker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try (Manager m = start(ManagerOptions.builder().typeLimit("resize", limit)); RawPeer client = new RawPeer(m)) {
            for (int i = 0; i < 4; i++) {
                LoadWorker w = new LoadWorker(m, running, maxRunning, clock);
                workers.add(w);
                Thread t = new Thread(w, "load-worker-" + i);
                t.start();
                threads.add(t);
            }
            // An original worker beside them takes the untyped works, which the limit does not count.
            LoadWorker original = new LoadWorker(m, new AtomicInteger(), new AtomicInteger(), clock, "{'command':'offer','slots':4}");
            workers.add(original);
            Thread o = new Thread(original, "load-worker-original");
            o.start();
            threads.add(o);
            await().until(() -> m.stats().workers().size() == 5);
            Map<String, Boolean> answered = new ConcurrentHashMap<>();
            java.util.Set<String> untypedIds = ConcurrentHashMap.newKeySet();
            Thread reader = new Thread(() -> {
                try {
                    while (answered.size() < total + 20) {
                        JsonNode f = client.read();
                        if ("done".equals(f.path("command").asText())) {
                            f.path("work").forEach(x -> answered.put(x.path("id").asText(), true));
                        } else if ("u".equals(f.path("rid").asText()) && "push".equals(f.path("to").asText())) {
                            f.path("work").forEach(x -> untypedIds.add(x.asText()));
                        }
                    }
                } catch (RuntimeException e) {
                    // the test ends
                }
            }, "load-client");
            reader.start();
            for (int i = 0; i < total / 50; i++) {
                client.send("{'command':'push','rid':'r" + i + "','work':" + works(50) + ",'type':'resize','priority':" + (i % 3) + "}");
            }
            client.send("{'command':'push','rid':'u','work':" + works(20) + "}"); // untyped works are not limited by it

            // Kill a worker with works on it, and start another, a few times while works are answered.
            int killed = 0;
            for (int round = 0; round < 6 && answered.size() < total; round++) {
                int before = answered.size();
                await().atMost(Duration.ofSeconds(30)).until(() -> answered.size() >= Math.min(total, before + 30));
                int[] victim = {-1};
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (int i = 0; i < 4; i++) {
                        if (workers.get(i).killHolding()) {
                            victim[0] = i;
                            return true;
                        }
                    }
                    return answered.size() >= total;
                });
                if (victim[0] < 0) {
                    break;
                }
                killed++;
                LoadWorker fresh = new LoadWorker(m, running, maxRunning, clock);
                workers.set(victim[0], fresh);
                Thread t = new Thread(fresh, "load-worker-fresh-" + round);
                t.start();
                threads.add(t);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> answered.size() == total + 20);
            assertThat(answered.keySet()).containsAll(untypedIds);
            assertThat(killed).as("workers killed with works on them").isGreaterThan(0);
            assertThat(maxRunning.get()).as("most works of the type running at once").isLessThanOrEqualTo(limit).isGreaterThan(0);
            await().until(() -> m.stats().types().get(0).running() == 0);
            assertThat(m.stats().types().get(0).limit()).isEqualTo(limit);
            assertThat(m.stats().counters().requeued()).isGreaterThan(0);
        } finally {
            for (LoadWorker w : workers) {
                w.kill();
            }
            clock.shutdownNow();
            for (Thread t : threads) {
                t.join(5_000);
            }
        }
    }
}
