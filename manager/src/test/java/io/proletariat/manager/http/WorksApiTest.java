package io.proletariat.manager.http;

import static io.proletariat.manager.http.HttpTestSupport.JSON;
import static io.proletariat.manager.http.HttpTestSupport.send;
import static io.proletariat.manager.http.HttpTestSupport.uri;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.RawPeer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /api/works} and {@code POST /api/works/ID/cancel}: the dashboard's hand on the queue. */
class WorksApiTest {
    private static final String TOKEN = "Works-api-test-token-8f3kQ2";
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private Manager start(ManagerOptions.Builder options) {
        Manager manager = new Manager(options.port(0).bindAddress("127.0.0.1").httpPort(0).build()).start();
        closeables.add(manager);
        return manager;
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

    private static HttpResponse<String> cancel(Manager m, String id, String token, boolean actionHeader, String origin) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(m, "/api/works/" + id + "/cancel")).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (actionHeader) {
            b.header("X-Proletariat-Action", "cancel");
        }
        if (origin != null) {
            b.header("Origin", origin);
        }
        return send(b);
    }

    private static HttpResponse<String> list(Manager m, String query, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(m, "/api/works" + query)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    @Test
    void listsWithFiltersAndCancelsAQueuedAndARunningWork() throws Exception {
        Manager m = start(ManagerOptions.builder());
        RawPeer worker = peer(m);
        String workerId = worker.offer("1");
        RawPeer client = peer(m);
        List<String> ids = client.push("r1", "[1,2,3]", "");
        String running = RawPeer.ids(worker.takeDispatch()).get(0);

        JsonNode all = json(list(m, "", null));
        assertThat(all.path("works")).hasSize(3);
        assertThat(all.path("total").asInt()).isEqualTo(3);
        JsonNode onWorker = json(list(m, "?worker=" + workerId + "&limit=5", null));
        assertThat(onWorker.path("works")).hasSize(1);
        assertThat(onWorker.path("works").get(0).path("id").asText()).isEqualTo(running);
        JsonNode one = json(list(m, "?limit=1", null));
        assertThat(one.path("works")).hasSize(1);
        assertThat(one.path("more").asInt()).isEqualTo(2);
        assertThat(json(list(m, "?running=true", null)).path("works")).hasSize(1);
        assertThat(list(m, "?limit=0", null).statusCode()).isEqualTo(400);

        HttpResponse<String> queued = cancel(m, ids.get(2), null, true, null);
        assertThat(queued.statusCode()).isEqualTo(200);
        assertThat(json(queued).path("cancelled").asInt()).isEqualTo(1);
        HttpResponse<String> run = cancel(m, running, null, true, "http://127.0.0.1:" + m.httpAddress().getPort());
        assertThat(run.statusCode()).isEqualTo(200);
        assertThat(worker.command("abort").path("work").get(0).asText()).isEqualTo(running);
        List<String> canceled = new ArrayList<>();
        while (canceled.size() < 2) {
            client.command("done").path("work").forEach(w -> {
                assertThat(w.path("result").path("err").path("code").asText()).isEqualTo("ECANCELED");
                canceled.add(w.path("id").asText());
            });
        }
        assertThat(canceled).containsExactlyInAnyOrder(ids.get(2), running);

        HttpResponse<String> again = cancel(m, running, null, true, null);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(json(again).path("ids").get(0).path("reason").asText()).startsWith("ended");
    }

    @Test
    void cancelIsAnActionAnotherSitesPageCannotTrigger() {
        Manager m = start(ManagerOptions.builder());
        RawPeer client = peer(m);
        String id = client.push("r1", "[1]", "").get(0);
        // Not a GET: a link or an image must not cancel.
        HttpResponse<String> get = send(HttpRequest.newBuilder(uri(m, "/api/works/" + id + "/cancel")).GET());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        // A plain form post: no custom header, which a cross-site page cannot add without a preflight.
        assertThat(cancel(m, id, null, false, null).statusCode()).isEqualTo(403);
        // The header, but from another site's page.
        assertThat(cancel(m, id, null, true, "http://evil.example").statusCode()).isEqualTo(403);
        assertThat(m.liveWorks()).isEqualTo(1);
        client.assertSilentFor(100);
    }

    @Test
    void withATokenBothNeedIt() {
        Manager m = start(ManagerOptions.builder().httpToken(TOKEN));
        RawPeer client = peer(m);
        String id = client.push("r1", "[1]", "").get(0);
        assertThat(list(m, "", null).statusCode()).isEqualTo(401);
        assertThat(list(m, "", TOKEN + "x").statusCode()).isEqualTo(401);
        assertThat(list(m, "", TOKEN).statusCode()).isEqualTo(200);
        assertThat(cancel(m, id, null, true, null).statusCode()).isEqualTo(401);
        assertThat(cancel(m, id, "wrong", true, null).statusCode()).isEqualTo(401);
        assertThat(m.liveWorks()).isEqualTo(1);
        assertThat(cancel(m, id, TOKEN, false, null).statusCode()).as("the token does not replace the action header").isEqualTo(403);
        assertThat(cancel(m, id, TOKEN, true, null).statusCode()).isEqualTo(200);
        assertThat(client.command("done").path("work").get(0).path("result").path("err").path("code").asText()).isEqualTo("ECANCELED");
    }
}
