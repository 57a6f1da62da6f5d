package io.proletariat.manager.http;

import static io.proletariat.manager.http.HttpTestSupport.get;
import static io.proletariat.manager.http.HttpTestSupport.metrics;
import static io.proletariat.manager.http.HttpTestSupport.send;
import static io.proletariat.manager.http.HttpTestSupport.status;
import static io.proletariat.manager.http.HttpTestSupport.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.manager.ClusterRole;
import io.proletariat.manager.Leadership;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.ProletariatManagerException;
import io.proletariat.manager.RawPeer;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /api/status} and {@code /metrics} of a real manager, checked against the load the test pushed. */
class HttpEndpointsTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private Manager start(ManagerOptions.Builder options) {
        Manager manager = new Manager(options.port(0).bindAddress("127.0.0.1").build()).start();
        closeables.add(manager);
        return manager;
    }

    private Manager startWithHttp() {
        return start(ManagerOptions.builder().httpPort(0));
    }

    private RawPeer peer(Manager manager) {
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
    void statusAndMetricsMatchTheLoadPushed() {
        Manager manager = startWithHttp();
        RawPeer worker = peer(manager);
        String workerId = worker.offer("{'0':2,'3':1}");
        RawPeer client = peer(manager);
        List<String> low = client.push("low", "[1,2,3,4,5]", "'priority':0");
        Set<String> running = new HashSet<>();
        while (running.size() < 2) { // range 0 has two slots
            running.addAll(RawPeer.ids(worker.takeDispatch()));
        }
        List<String> high = client.push("high", "['a','b']", "'priority':4");
        while (running.size() < 3) { // range 3 takes one high work
            running.addAll(RawPeer.ids(worker.takeDispatch()));
        }

        // Three running, three low and one high queued: the snapshot says so.
        await().untilAsserted(() -> {
            JsonNode s = status(manager);
            assertThat(s.get("queues").toString()).isEqualTo("{\"4\":1,\"0\":3}");
            assertThat(s.get("pendingWorks").asLong()).isEqualTo(4);
            assertThat(s.get("globalRunningWorks").asLong()).isEqualTo(3);
            assertThat(s.get("globalAvailableSlots").asLong()).isZero();
            assertThat(s.get("counters").get("pushed").asLong()).isEqualTo(7);
            assertThat(s.get("counters").get("assigned").asLong()).isEqualTo(3);
            assertThat(s.get("connections").get("worker").asLong()).isEqualTo(1);
            assertThat(s.get("connections").get("client").asLong()).isEqualTo(1);
            JsonNode w = s.get("workers").get(0);
            assertThat(w.get("id").asText()).isEqualTo(workerId);
            assertThat(w.get("address").asText()).contains("127.0.0.1");
            assertThat(w.get("connectedSince").asLong()).isBetween(s.get("bootTime").asLong(), s.get("takenAt").asLong());
            assertThat(w.get("slots").asLong()).isEqualTo(3);
            assertThat(w.get("busy").asLong()).isEqualTo(3);
            assertThat(w.get("finished").asLong()).isZero();
            assertThat(w.get("ranges").toString()).isEqualTo(
                    "[{\"from\":0,\"limit\":2,\"used\":2},{\"from\":3,\"limit\":3,\"used\":1}]");
            assertThat(s.get("clients").get(0).get("pendingWorks").asLong()).isEqualTo(7);
            assertThat(s.get("memory").get("queuedBytes").asLong()).isEqualTo(5 + 2 * 3); // the args' JSON: 1..5, "a", "b"
            assertThat(s.get("memory").get("pushesRefused").asLong()).isZero();
        });
        Map<String, Double> m = metrics(manager);
        assertThat(m).containsEntry("proletariat_queue_length{priority=\"0\"}", 3.0)
                .containsEntry("proletariat_queue_length{priority=\"4\"}", 1.0)
                .containsEntry("proletariat_works_queued", 4.0)
                .containsEntry("proletariat_works_running", 3.0)
                .containsEntry("proletariat_slots_offered", 3.0)
                .containsEntry("proletariat_slots_free", 0.0)
                .containsEntry("proletariat_works_pushed_total", 7.0)
                .containsEntry("proletariat_works_assigned_total", 3.0)
                .containsEntry("proletariat_connections{type=\"worker\"}", 1.0)
                .containsEntry("proletariat_connections{type=\"client\"}", 1.0)
                .containsEntry("proletariat_memory_queued_bytes", 11.0)
                .containsKey("proletariat_memory_buffer_bytes_max");

        // The worker answers everything: every third work fails, alternating two error codes.
        int answered = 0;
        int ok = 0;
        int boom = 0;
        int eto = 0;
        Set<String> done = new HashSet<>();
        List<String> pending = new ArrayList<>(running);
        while (answered < 7) {
            if (pending.isEmpty()) {
                pending.addAll(RawPeer.ids(worker.takeDispatch()));
            }
            String id = pending.remove(0);
            assertThat(done.add(id)).isTrue();
            String result;
            if (answered % 3 == 2) {
                String code = boom <= eto ? "EBOOM" : "ETO";
                result = "{'err':{'code':'" + code + "','message':'x'},'data':null}";
                if (code.equals("EBOOM")) {
                    boom++;
                } else {
                    eto++;
                }
            } else {
                result = "{'err':null,'data':" + answered + "}";
                ok++;
            }
            worker.send("{'command':'done','work':[{'id':'" + id + "','result':" + result + "}]}");
            awaitDoneAnswer(worker, pending);
            answered++;
        }
        assertThat(done).containsAll(low).containsAll(high);
        int relayed = 0;
        while (relayed < 7) {
            relayed += client.command("done").get("work").size();
        }
        final int oks = ok;
        final int booms = boom;
        final int etos = eto;

        await().untilAsserted(() -> {
            Map<String, Double> after = metrics(manager);
            assertThat(after).containsEntry("proletariat_works_finished_total", 7.0)
                    .containsEntry("proletariat_works_failed_total{code=\"EBOOM\"}", (double) booms)
                    .containsEntry("proletariat_works_failed_total{code=\"ETO\"}", (double) etos)
                    .containsEntry("proletariat_works_timeouts_total{kind=\"run\"}", (double) etos)
                    .containsEntry("proletariat_works_timeouts_total{kind=\"assign\"}", 0.0)
                    .containsEntry("proletariat_works_assigned_total", 7.0)
                    .containsEntry("proletariat_works_queued", 0.0)
                    .containsEntry("proletariat_slots_free", 3.0)
                    .containsEntry("proletariat_work_end_to_end_seconds_count", 7.0)
                    .containsEntry("proletariat_work_run_seconds_count", 7.0)
                    .containsEntry("proletariat_work_queue_seconds_count", 7.0)
                    .containsEntry("proletariat_work_run_seconds_bucket{le=\"+Inf\"}", 7.0)
                    .doesNotContainKey("proletariat_queue_length{priority=\"0\"}");
        });
        JsonNode s = status(manager);
        assertThat(s.get("counters").get("finished").asLong()).isEqualTo(7);
        assertThat(s.get("counters").get("succeeded").asLong()).isEqualTo(oks);
        assertThat(s.get("counters").get("failedByCode").get("EBOOM").asLong()).isEqualTo(booms);
        assertThat(s.get("finishCount").asLong()).isEqualTo(7);
        assertThat(s.get("workers").get(0).get("finished").asLong()).isEqualTo(7);
        assertThat(s.get("workers").get(0).get("busy").asLong()).isZero();
        assertThat(s.get("latency").get("endToEnd").get("count").asLong()).isEqualTo(7);
        assertThat(s.get("latency").get("endToEnd").get("p50Seconds").asDouble())
                .isBetween(0.0, s.get("latency").get("endToEnd").get("p99Seconds").asDouble());
        // The dashboard's chart point: the history's newest, with the same quantile rule.
        await().untilAsserted(() -> {
            JsonNode now = status(manager);
            JsonNode history = HttpTestSupport.JSON.readTree(get(manager, "/api/history").body()).get("points");
            assertThat(history.size()).isPositive();
            JsonNode newest = history.get(history.size() - 1);
            assertThat(now.path("lastSecond").path("t").asLong()).isEqualTo(newest.get(0).asLong());
            assertThat(now.path("lastSecond").path("p50").isNull()).isEqualTo(newest.get(4).isNull());
        });
        // Rates count full seconds: the current one shows once it is over.
        await().untilAsserted(() -> assertThat(status(manager).get("rates").get("finishedPerSecondMinute").asDouble())
                .isEqualTo(7 / 60.0, org.assertj.core.data.Offset.offset(1e-9)));
        assertThat(s.get("recentErrors")).hasSize(booms + etos);
        assertThat(s.get("recentErrors").get(0).get("workerId").asText()).isEqualTo(workerId);
    }

    /** Reads the answer to a done; a dispatch arriving first is accepted and its ids kept. */
    private static void awaitDoneAnswer(RawPeer worker, List<String> pending) {
        worker.readUntil(frame -> {
            if ("push".equals(frame.path("command").asText()) && !frame.has("to")) {
                List<String> ids = RawPeer.ids(frame);
                pending.addAll(ids);
                StringBuilder accepted = new StringBuilder();
                ids.forEach(i -> accepted.append(accepted.length() == 0 ? "'" : ",'").append(i).append('\''));
                worker.send("{'to':'push','command':'answer','accepted':[" + accepted + "]}");
                return false;
            }
            return "answer".equals(frame.path("command").asText()) && "done".equals(frame.path("to").asText());
        });
    }

    /** One raw HTTP/1.1 GET with this Host header (the JDK's client will not set Host); returns the response. */
    private static String rawGet(Manager manager, String path, String host) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", manager.httpAddress().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void aForeignHostHeaderIsRefusedWith403() throws Exception {
        // DNS rebinding (issue 12, item 15): a page on evil.example whose name now points at us.
        Manager manager = start(ManagerOptions.builder().httpPort(0).httpAllowedHosts(List.of("Manager.Example.com")));
        int port = manager.httpAddress().getPort();
        for (String path : List.of("/api/status", "/metrics", "/", "/api/history", "/nope")) {
            String r = rawGet(manager, path, "evil.example:" + port);
            assertThat(r).as(path).startsWith("HTTP/1.1 403 ")
                    .contains("Host 'evil.example:" + port + "' is not allowed")
                    .contains("--http-allowed-hosts evil.example")
                    .doesNotContain("workers");
        }
        assertThat(rawGet(manager, "/api/status", "evil.localhost.example.com")).startsWith("HTTP/1.1 403 ");
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "localhost", "[::1]:" + port,
                "10.1.2.3", "dash.localhost", "manager.example.com", "MANAGER.example.com:" + port)) {
            assertThat(rawGet(manager, "/api/status", host)).as(host).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void errorPayloadsAreShownOnlyWhenAskedFor() {
        for (boolean show : List.of(false, true)) {
            Manager manager = start(ManagerOptions.builder().httpPort(0).httpShowErrors(show));
            RawPeer worker = peer(manager);
            RawPeer client = peer(manager);
            worker.offer("1");
            client.push("r", "[1]", "");
            String id = RawPeer.ids(worker.takeDispatch()).get(0);
            worker.send("{'command':'done','work':[{'id':'" + id + "','result':{'err':{'code':'EBOOM','message':'password=hunter2'}}}]}");
            client.command("done");
            await().untilAsserted(() -> assertThat(status(manager).get("recentErrors")).hasSize(1));
            JsonNode e = status(manager).get("recentErrors").get(0);
            assertThat(e.get("code").asText()).isEqualTo("EBOOM");
            assertThat(e.get("workId").asText()).isEqualTo(id);
            if (show) {
                assertThat(e.get("error").asText()).contains("hunter2");
            } else {
                assertThat(e.has("error")).isFalse();
                assertThat(get(manager, "/api/status").body()).doesNotContain("hunter2");
            }
        }
    }

    @Test
    void workTypesShowInStatusAndMetricsPerTypeAndPriority() {
        Manager plain = startWithHttp();
        peer(plain).offer("1");
        assertThat(HttpTestSupport.status(plain).has("types")).as("nothing typed: the document as before").isFalse();
        assertThat(metrics(plain).keySet()).noneMatch(k -> k.startsWith("proletariat_type_"));

        Manager manager = start(ManagerOptions.builder().httpPort(0).typeLimit("resize", 1));
        peer(manager).offer("1"); // untyped: takes none of them

        RawPeer worker = peer(manager);
        worker.send("{'command':'offer','slots':4,'types':['resize']}");
        worker.answer("offer");
        RawPeer client = peer(manager);
        client.push("r", "[1,2,3]", "'type':'resize','priority':2");
        client.push("o", "[1]", "'type':'render'");
        await().until(() -> manager.stats().types().stream().anyMatch(t -> t.type().equals("resize") && t.running() == 1));

        JsonNode status = HttpTestSupport.status(manager);
        assertThat(status.path("pendingWorks").asLong()).isEqualTo(3);
        JsonNode resize = status.path("types").get(1);
        assertThat(resize.path("type").asText()).isEqualTo("resize");
        assertThat(resize.path("queues").path("2").asLong()).isEqualTo(2);
        assertThat(resize.path("running").asLong()).isEqualTo(1);
        assertThat(resize.path("limit").asLong()).isEqualTo(1);
        assertThat(status.path("types").get(0).path("limit").isNull()).isTrue();
        assertThat(status.path("typesWithoutWorkers").toString()).isEqualTo("[\"render\"]");
        assertThat(status.path("workers").get(0).has("types")).isFalse();
        assertThat(status.path("workers").get(1).path("types").toString()).isEqualTo("[\"resize\"]");
        assertThat(status.path("workers").get(1).path("untyped").asBoolean()).isFalse();

        Map<String, Double> m = metrics(manager);
        assertThat(m).containsEntry("proletariat_type_queue_length{priority=\"2\",type=\"resize\"}", 2.0)
                .containsEntry("proletariat_type_queue_length{priority=\"0\",type=\"render\"}", 1.0)
                .containsEntry("proletariat_type_running{type=\"resize\"}", 1.0)
                .containsEntry("proletariat_type_limit{type=\"resize\"}", 1.0)
                .containsEntry("proletariat_type_workers{type=\"render\"}", 0.0)
                .containsEntry("proletariat_works_queued", 3.0)
                .doesNotContainKey("proletariat_type_limit{type=\"render\"}");
    }

    @Test
    void historyRecordsOnePointASecond() {
        Manager manager = startWithHttp();
        await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode h = HttpTestSupport.JSON.readTree(get(manager, "/api/history").body());
            assertThat(h.get("columns").toString()).isEqualTo("[\"t\",\"pushed\",\"finished\",\"failed\",\"p50\",\"p99\",\"q50\"]");
            assertThat(h.get("points").size()).isGreaterThanOrEqualTo(2);
            JsonNode first = h.get("points").get(0);
            JsonNode second = h.get("points").get(1);
            assertThat(second.get(0).asLong()).isGreaterThan(first.get(0).asLong());
            assertThat(second.get(2).asDouble()).isZero();
            assertThat(second.get(4).isNull()).isTrue(); // no work finished: no latency
        });
        assertThat(status(manager).get("latency").get("endToEnd").get("p50Seconds").isNull())
                .as("no observation: no quantile, and JSON has no NaN").isTrue();
    }

    @Test
    void metricsFollowPrometheusTextFormat() {
        Manager manager = startWithHttp();
        HttpResponse<String> r = get(manager, "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        assertThat(r.body())
                .contains("# TYPE proletariat_works_pushed_total counter")
                .contains("proletariat_works_failed_total{code=\"ETO\"} 0")
                .contains("proletariat_works_failed_total{code=\"EATO\"} 0")
                .contains("# TYPE proletariat_works_queued gauge")
                .contains("proletariat_connections{type=\"worker\"} 0")
                .contains("# TYPE proletariat_work_queue_seconds histogram")
                .contains("# TYPE proletariat_work_run_seconds histogram")
                .contains("# TYPE proletariat_work_end_to_end_seconds histogram")
                .contains("proletariat_work_queue_seconds_bucket{le=\"+Inf\"} 0")
                // A manager without a cluster: alone, epoch 0, and no cluster member in its status.
                .contains("# TYPE proletariat_cluster_role gauge")
                .contains("proletariat_cluster_role{role=\"alone\"} 1")
                .contains("proletariat_cluster_role{role=\"leader\"} 0")
                .contains("proletariat_cluster_epoch 0")
                .contains("# TYPE proletariat_cluster_failovers_total counter");
        assertThat(status(manager).has("cluster")).isFalse();
    }

    @Test
    void delayedAndRetryingWorksAreShownAndCounted() {
        Manager manager = startWithHttp();
        assertThat(metrics(manager)).containsEntry("proletariat_works_delayed", 0.0).containsEntry("proletariat_works_retried_total", 0.0)
                .containsEntry("proletariat_progress_relayed_total", 0.0).containsEntry("proletariat_works_cancelled_total", 0.0);
        RawPeer worker = peer(manager);
        worker.offer("1");
        RawPeer client = peer(manager);
        client.push("later", "[1,2]", "'delay':3600000");
        String id = client.push("flaky", "['x']", "'retries':1,'backoff':3600000").get(0);
        worker.takeDispatch();
        worker.send("{'command':'done','work':[{'id':'" + id + "','result':{'err':{'code':'EX'},'data':null}}]}");
        worker.answer("done");
        await().untilAsserted(() -> assertThat(metrics(manager)).containsEntry("proletariat_works_delayed", 2.0)
                .containsEntry("proletariat_works_retry_waiting", 1.0).containsEntry("proletariat_works_retried_total", 1.0)
                .containsEntry("proletariat_works_retries_exhausted_total", 0.0));
        JsonNode waiting = status(manager).get("waiting");
        assertThat(waiting.get("delayed").asLong()).isEqualTo(2);
        assertThat(waiting.get("retryWaiting").asLong()).isEqualTo(1);
        assertThat(waiting.get("retried").asLong()).isEqualTo(1);
    }

    @Test
    void resumedAndRerunWorksAreCounted() {
        Manager manager = startWithHttp();
        assertThat(metrics(manager)).containsEntry("proletariat_works_resumed_total", 0.0)
                .containsEntry("proletariat_works_rerun_total", 0.0);

        // Resumed: a worker back from a lost manager hands over a result; the client's resend takes it, nothing runs.
        RawPeer returning = peer(manager);
        returning.offer("1");
        returning.send("{'command':'resume','results':[{'uid':'s1/r1/0','result':{'err':null,'data':42}}],'running':[]}");
        assertThat(returning.answer("resume").get("stored").asInt()).isEqualTo(1);
        RawPeer client = peer(manager);
        client.push("r1", "[1]", "'session':'s1','resent':true");
        assertThat(client.command("done").get("work").get(0).get("result").get("data").asInt()).isEqualTo(42);

        // Rerun: a work's worker leaves while running it, and another worker runs it again.
        client.push("r2", "[2]", "'session':'s1'");
        JsonNode first = returning.takeDispatch();
        assertThat(first.get("work").get(0).get("uid").asText()).isEqualTo("s1/r2/0");
        RawPeer next = peer(manager);
        next.offer("1");
        returning.close();
        JsonNode again = next.takeDispatch();
        assertThat(RawPeer.ids(again)).isEqualTo(RawPeer.ids(first));
        await().untilAsserted(() -> assertThat(metrics(manager)).containsEntry("proletariat_works_resumed_total", 1.0)
                .containsEntry("proletariat_works_rerun_total", 1.0));
        JsonNode counters = status(manager).get("counters");
        assertThat(counters.get("resumed").asLong()).isEqualTo(1);
        assertThat(counters.get("rerun").asLong()).isEqualTo(1);
    }

    /** Leads at once, with a lease that never runs out: the cluster as the HTTP side sees it, without ZooKeeper. */
    private static final class FakeLeadership implements Leadership {
        @Override
        public void start(String advertised, Consumer<ClusterRole> roles) {
            roles.accept(new ClusterRole(ClusterRole.Kind.LEADER, "blue", 3, advertised, 2));
        }

        @Override
        public long leaseDeadlineNanos() {
            return System.nanoTime() + TimeUnit.HOURS.toNanos(1);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aClusterLeaderShowsItsRoleEpochAndFailovers() {
        Manager manager = start(ManagerOptions.builder().httpPort(0).leadership(new FakeLeadership()));
        String address = "127.0.0.1:" + manager.port();
        await().until(() -> manager.role().kind() == ClusterRole.Kind.LEADER);

        JsonNode cluster = status(manager).get("cluster");
        assertThat(cluster.toString()).isEqualTo("{\"name\":\"blue\",\"role\":\"leader\",\"epoch\":3,\"leader\":\"" + address
                + "\",\"failovers\":2}");
        assertThat(metrics(manager)).containsEntry("proletariat_cluster_role{role=\"leader\"}", 1.0)
                .containsEntry("proletariat_cluster_role{role=\"standby\"}", 0.0)
                .containsEntry("proletariat_cluster_role{role=\"alone\"}", 0.0)
                .containsEntry("proletariat_cluster_epoch", 3.0)
                .containsEntry("proletariat_cluster_failovers_total", 2.0);
        assertThat(get(manager, "/").body()).contains("id=\"cluster-role\"");
        assertThat(get(manager, "/dashboard.js").body()).contains("s.cluster");
    }

    @Test
    void metricsIncludeTheJvmFiguresInEveryManager() {
        // Two managers in one JVM: the JVM collectors are registered once and both serve them.
        for (Manager manager : List.of(startWithHttp(), startWithHttp())) {
            Map<String, Double> m = metrics(manager);
            assertThat(m.get("jvm_memory_used_bytes{area=\"heap\"}")).isPositive();
            assertThat(m.get("jvm_threads_current")).isPositive();
            assertThat(m).containsKey("jvm_classes_currently_loaded");
            assertThat(m.keySet()).anyMatch(k -> k.startsWith("jvm_gc_collection_seconds_count{"));
            assertThat(m).containsKey("process_cpu_seconds_total");
            assertThat(m).containsKey("proletariat_works_pushed_total");
        }
    }

    @Test
    void dashboardIsServedFromTheJar() {
        Manager manager = startWithHttp();
        HttpResponse<String> page = get(manager, "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("dashboard.js");
        assertThat(get(manager, "/dashboard.js").headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(get(manager, "/dashboard.css").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownPathIs404AndOtherMethodsAre405() {
        Manager manager = startWithHttp();
        assertThat(get(manager, "/nope").statusCode()).isEqualTo(404);
        assertThat(get(manager, "/api/status/extra").statusCode()).isEqualTo(404);
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri(manager, "/api/status")).POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
        assertThat(send(HttpRequest.newBuilder(uri(manager, "/")).DELETE()).statusCode()).isEqualTo(405);
        // The connection and the server are still fine.
        assertThat(get(manager, "/api/status?x=1").statusCode()).isEqualTo(200);
    }

    @Test
    void httpIsOffUnlessAsked() {
        Manager manager = start(ManagerOptions.builder());
        assertThat(manager.options().httpEnabled()).isFalse();
        assertThat(manager.httpAddress()).isNull();
    }

    @Test
    void httpPortInUseFailsStartNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Manager manager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1")
                    .httpPort(taken.getLocalPort()).build());
            closeables.add(manager);
            assertThatThrownBy(manager::start)
                    .isInstanceOf(ProletariatManagerException.class)
                    .hasMessageContaining("HTTP on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("--http-port");
        }
    }

    @Test
    void httpOptionsAreValidated() {
        assertThatThrownBy(() -> ManagerOptions.builder().httpPort(-1)).hasMessageContaining("httpPort");
        assertThatThrownBy(() -> ManagerOptions.builder().httpPort(65536)).hasMessageContaining("httpPort");
        assertThatThrownBy(() -> ManagerOptions.builder().httpBindAddress(" ")).hasMessageContaining("httpBindAddress");
        ManagerOptions o = ManagerOptions.builder().httpPort(8917).httpBindAddress("0.0.0.0").build();
        assertThat(o.toBuilder().build().httpPort()).isEqualTo(8917);
        assertThat(o.toBuilder().build().httpEnabled()).isTrue();
        assertThat(o.toBuilder().build().httpBindAddress()).isEqualTo("0.0.0.0");
        assertThat(ManagerOptions.defaults().httpEnabled()).isFalse();
        assertThat(ManagerOptions.builder().httpPort(0).http(false).build().httpEnabled()).isFalse();
        assertThat(ManagerOptions.builder().http(true).build().httpPort()).isEqualTo(ManagerOptions.DEFAULT_HTTP_PORT);
    }
}
