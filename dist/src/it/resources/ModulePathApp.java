import io.proletariat.client.Client;
import io.proletariat.client.ClientOptions;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.worker.Worker;
import io.proletariat.worker.WorkerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An application on the module path (DistributionIT): an embedded manager with HTTP on, a worker and
 * a client of the libraries, a work round trip, and the HTTP API, all through the exported packages.
 */
public class ModulePathApp {
    public static void main(String[] args) throws Exception {
        try (Manager manager = new Manager(ManagerOptions.builder().bindAddress("127.0.0.1").port(0).httpPort(0).build()).start()) {
            Worker worker = new Worker(WorkerOptions.builder().port(manager.port()).slots(2).build());
            worker.onWork((work, handler) -> handler.done(null, Map.of("echo", work.args(Map.class).get("say"))));
            worker.start();
            try (Client client = new Client(ClientOptions.builder().port(manager.port()).build())) {
                Object result = client.submitOne(Map.of("say", "hello")).get(30, TimeUnit.SECONDS).get(Map.class);
                System.out.println("result " + result);
            } finally {
                worker.stop();
            }
            String base = "http://127.0.0.1:" + manager.httpAddress().getPort();
            HttpClient http = HttpClient.newHttpClient();
            for (String path : new String[] {"/api/status", "/api/history", "/metrics"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                System.out.println(path + " " + r.statusCode());
            }
        }
    }
}
