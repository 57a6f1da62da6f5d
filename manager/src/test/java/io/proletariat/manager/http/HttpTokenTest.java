package io.proletariat.manager.http;

import static io.proletariat.manager.http.HttpTestSupport.get;
import static io.proletariat.manager.http.HttpTestSupport.parseMetrics;
import static io.proletariat.manager.http.HttpTestSupport.send;
import static io.proletariat.manager.http.HttpTestSupport.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.ProletariatManagerException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP listener's bearer token ({@code httpToken}) and its refusal to serve the network without one. */
class HttpTokenTest {
    private static final String TOKEN = "Xq3vT9pLm2Rz8Kd4Wf7Hs1Nc6Yb0Ga5E";
    private final List<Manager> managers = new ArrayList<>();

    private Manager start(ManagerOptions.Builder options) {
        Manager manager = new Manager(options.port(0).bindAddress("127.0.0.1").httpPort(0).build()).start();
        managers.add(manager);
        return manager;
    }

    @AfterEach
    void closeAll() {
        managers.forEach(Manager::close);
    }

    private static HttpResponse<String> getWith(Manager manager, String path, String authorization) {
        return send(HttpRequest.newBuilder(uri(manager, path)).header("Authorization", authorization).GET());
    }

    @Test
    void theApiNeedsTheBearerTokenAndCountsRefusals() {
        Manager manager = start(ManagerOptions.builder().httpToken(TOKEN));
        for (String path : List.of("/api/status", "/api/history", "/metrics")) {
            HttpResponse<String> none = get(manager, path);
            assertThat(none.statusCode()).as(path).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"proletariat\"");
            assertThat(none.body()).contains("Authorization: Bearer");
        }
        HttpResponse<String> wrong = getWith(manager, "/api/status", "Bearer " + TOKEN + "x");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"proletariat\", error=\"invalid_token\"");
        assertThat(wrong.body()).doesNotContain(TOKEN);
        assertThat(getWith(manager, "/api/status", "Basic " + TOKEN).statusCode()).isEqualTo(401);

        assertThat(getWith(manager, "/api/status", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(getWith(manager, "/api/history", "bearer " + TOKEN).statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = getWith(manager, "/metrics", "Bearer " + TOKEN);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(parseMetrics(metrics.body())).containsEntry("proletariat_http_auth_failures_total", 5.0);
        assertThat(metrics.body()).doesNotContain(TOKEN);
    }

    @Test
    void theDashboardFilesArePublicAndTheRestStays404() {
        Manager manager = start(ManagerOptions.builder().httpToken(TOKEN));
        for (String path : List.of("/", "/index.html", "/dashboard.js", "/dashboard.css")) {
            assertThat(get(manager, path).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(get(manager, "/").body()).contains("id=\"token-form\"");
        assertThat(get(manager, "/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void withoutATokenTheApiIsOpenOnLoopback() {
        Manager manager = start(ManagerOptions.builder());
        assertThat(get(manager, "/api/status").statusCode()).isEqualTo(200);
        assertThat(parseMetrics(get(manager, "/metrics").body())).containsEntry("proletariat_http_auth_failures_total", 0.0);
    }

    @Test
    void aNonLoopbackListenerWithoutATokenDoesNotStart() {
        ManagerOptions options = ManagerOptions.builder().port(0).bindAddress("127.0.0.1").httpPort(0).httpBindAddress("0.0.0.0").build();
        assertThatThrownBy(() -> new Manager(options).start())
                .isInstanceOfSatisfying(ProletariatManagerException.class,
                        e -> assertThat(e.code()).isEqualTo(ProletariatManagerException.EHTTPOPEN))
                .hasMessageContaining("0.0.0.0")
                .hasMessageContaining("--http-token-file")
                .hasMessageContaining("--http-open")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aNonLoopbackListenerStartsWithATokenOrWhenOpenOnPurpose() {
        Manager withToken = start(ManagerOptions.builder().httpBindAddress("0.0.0.0").httpToken(TOKEN));
        assertThat(get(withToken, "/api/status").statusCode()).isEqualTo(401);
        Manager open = start(ManagerOptions.builder().httpBindAddress("0.0.0.0").httpOpen(true));
        assertThat(get(open, "/api/status").statusCode()).isEqualTo(200);
    }

    @Test
    void theTokenIsValidated() {
        assertThatThrownBy(() -> ManagerOptions.builder().httpToken("")).hasMessageContaining("httpToken");
        assertThatThrownBy(() -> ManagerOptions.builder().httpToken("a\nb")).hasMessageContaining("httpToken");
        assertThatThrownBy(() -> ManagerOptions.builder().httpToken("x".repeat(4097))).hasMessageContaining("httpToken");
        ManagerOptions o = ManagerOptions.builder().httpToken(TOKEN).httpOpen(true).build();
        assertThat(o.toBuilder().build().httpToken()).isEqualTo(TOKEN);
        assertThat(o.toBuilder().build().httpOpen()).isTrue();
    }
}
