package io.proletariat.manager.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.manager.Manager;
import io.proletariat.manager.ManagerOptions;
import io.proletariat.manager.RawPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The protocol fuzzer's frames against a manager with authentication on (issue 15): as a first frame
 * every one is answered {@code EAUTH} and closes its connection; after authenticating (a principal
 * with every role, so that every command is reached) every one is answered or ignored and the
 * connection lives. A healthy authenticated pair runs a work after every try.
 */
class AuthFuzzTest {
    private static final String TOKEN = "fuzz-token-0123456789abcdef";
    private static final ProtocolFuzzTest GENERATORS = new ProtocolFuzzTest();
    private static Path file;
    private static Manager manager;
    private static RawPeer worker;
    private static RawPeer client;
    private static long round;

    @BeforeContainer
    static void start() throws IOException {
        file = Files.createTempFile("proletariat-auth", ".txt");
        String hash = java.util.HexFormat.of().formatHex(sha256(TOKEN));
        Files.write(file, List.of("everyone client,worker,admin " + hash));
        manager = new Manager(ManagerOptions.builder().port(0).bindAddress("127.0.0.1").maxFrameLength(64 * 1024).authFile(file).build()).start();
        worker = authenticated();
        worker.offer("4");
        client = authenticated();
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @AfterContainer
    static void stop() throws IOException {
        try {
            assertHealthy();
        } finally {
            worker.close();
            client.close();
            manager.close();
            Files.deleteIfExists(file);
        }
    }

    private static RawPeer authenticated() {
        RawPeer p = new RawPeer(manager);
        p.send("{'command':'auth','token':'" + TOKEN + "'}");
        assertThat(p.answer("auth").path("principal").asText()).isEqualTo("everyone");
        return p;
    }

    private static void assertHealthy() {
        assertThat(manager.fatalError()).isNull();
        assertThat(manager.counts().unexpectedErrors()).isZero();
    }

    @AfterTry
    void healthyPairIsServed() {
        String rid = "healthy" + (round++);
        String id = client.push(rid, "[1]", "").get(0);
        boolean ours = false;
        while (!ours) {
            JsonNode frame = worker.read();
            if (!"push".equals(frame.path("command").asText()) || frame.has("to")) {
                continue;
            }
            List<String> ids = RawPeer.ids(frame);
            ours = ids.contains(id);
            StringBuilder accepted = new StringBuilder();
            StringBuilder results = new StringBuilder();
            for (String w : ids) {
                accepted.append(accepted.length() == 0 ? "" : ",").append('"').append(w).append('"');
                results.append(results.length() == 0 ? "" : ",").append("{\"id\":\"").append(w).append("\",\"result\":{\"err\":null,\"data\":1}}");
            }
            worker.sendBytes(("{\"to\":\"push\",\"command\":\"answer\",\"accepted\":[" + accepted + "]}").getBytes(StandardCharsets.UTF_8));
            worker.sendBytes(("{\"command\":\"done\",\"work\":[" + results + "]}").getBytes(StandardCharsets.UTF_8));
        }
        client.readUntil(n -> "done".equals(n.path("command").asText()) && n.path("work").findValuesAsText("id").contains(id));
        assertHealthy();
    }

    @Property(tries = 200)
    void beforeAuthenticationEveryFrameIsEauthAndCloses(@ForAll("anyFrame") byte[] frame) {
        try (RawPeer peer = new RawPeer(manager)) {
            peer.sendBytes(frame);
            JsonNode n = peer.read();
            assertThat(n.path("error").path("code").asText()).as("answer to %s", new String(frame, StandardCharsets.UTF_8)).isEqualTo("EAUTH");
            assertThat(peer.closedByPeer()).isTrue();
        } catch (UncheckedIOException e) {
            throw new AssertionError("no EAUTH for " + new String(frame, StandardCharsets.UTF_8), e);
        }
    }

    @Property(tries = 300)
    void afterAuthenticationEveryFrameIsAnsweredAndTheConnectionLives(@ForAll("anyFrame") byte[] frame) {
        try (RawPeer peer = authenticated()) {
            peer.sendBytes(frame);
            peer.send("{'command':'ping'}");
            peer.answer("ping");
        }
    }

    @Provide
    Arbitrary<byte[]> anyFrame() {
        return net.jqwik.api.Arbitraries.oneOf(GENERATORS.frames().map(s -> s.getBytes(StandardCharsets.UTF_8)),
                GENERATORS.mutated(), GENERATORS.junk().map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }
}
