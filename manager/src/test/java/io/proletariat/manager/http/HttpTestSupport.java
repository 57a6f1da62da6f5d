package io.proletariat.manager.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.manager.Manager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Fetches the manager's HTTP endpoints with the JDK's client, and reads the Prometheus text format. */
final class HttpTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private HttpTestSupport() {
    }

    static URI uri(Manager manager, String path) {
        InetSocketAddress a = manager.httpAddress();
        return URI.create("http://127.0.0.1:" + a.getPort() + path);
    }

    static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> get(Manager manager, String path) {
        return send(HttpRequest.newBuilder(uri(manager, path)).GET());
    }

    static JsonNode status(Manager manager) {
        HttpResponse<String> r = get(manager, "/api/status");
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /api/status: " + r.statusCode() + " " + r.body());
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** Every sample of {@code GET /metrics}, keyed by name and labels as written: {@code works_failed_total{code="EX"}}. */
    static Map<String, Double> metrics(Manager manager) {
        HttpResponse<String> r = get(manager, "/metrics");
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /metrics: " + r.statusCode() + " " + r.body());
        }
        return parseMetrics(r.body());
    }

    static Map<String, Double> parseMetrics(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }
}
