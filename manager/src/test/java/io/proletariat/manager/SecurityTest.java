package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeping strangers out (issue 15, docs/security.md), over real sockets on loopback: protected mode,
 * tokens, every role against every command, and nobody reaching another's works.
 */
class SecurityTest {
    @TempDir
    Path dir;

    private static final String CLIENT_TOKEN = "client-token-0123456789abcdef";
    private static final String WORKER_TOKEN = "worker-token-0123456789abcdef";
    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef";

    private Path authFile(String... lines) throws IOException {
        Path f = dir.resolve("auth");
        Files.write(f, List.of(lines));
        return f;
    }

    private Path defaultAuthFile() throws IOException {
        return authFile("# test principals",
                "alice client " + hash(CLIENT_TOKEN),
                "w1 worker " + hash(WORKER_TOKEN),
                "ops admin " + hash(ADMIN_TOKEN));
    }

    private static String hash(String token) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static Manager start(ManagerOptions.Builder options) {
        return new Manager(options.port(0).bindAddress("127.0.0.1").build()).start();
    }

    private static InetSocketAddress address(Manager m) {
        return new InetSocketAddress("127.0.0.1", m.port());
    }

    /** A peer that authenticated with {@code token}; asserts the manager's answer. */
    private static RawPeer authenticated(Manager m, String token) {
        RawPeer p = new RawPeer(m);
        p.send("{'command':'auth','token':'" + token + "'}");
        JsonNode a = p.answer("auth");
        assertThat(a.has("error")).as("auth answer %s", a).isFalse();
        return p;
    }

    private static void assertRefusedWith(RawPeer p, String code) {
        JsonNode n = p.read();
        assertThat(n.path("error").path("code").asText()).as("frame %s", n).isEqualTo(code);
        assertThat(n.has("command")).isFalse();
        assertThat(p.closedByPeer()).isTrue();
    }

    // ------------------------------------------------------------ protected mode

    @Test
    void protectedModeRefusesAPeerFromAnUntrustedAddressWithOneClearFrame() {
        // Linux routes all of 127/8 to lo: a peer bound to 127.0.0.2 is "another address" while the manager trusts 127.0.0.1 only.
        try (Manager m = start(ManagerOptions.builder().trustLoopback(false).trustedNetworks(List.of("127.0.0.1/32")))) {
            try (RawPeer stranger = new RawPeer(address(m), "127.0.0.2")) {
                JsonNode n = stranger.read();
                assertThat(n.path("error").path("code").asText()).isEqualTo("EPROTECTED");
                assertThat(n.path("error").path("description").asText()).contains("--auth", "--trust", "docs/security.md");
                assertThat(stranger.closedByPeer()).isTrue();
            }
            try (RawPeer trusted = new RawPeer(address(m), "127.0.0.1")) {
                trusted.send("{'command':'ping'}");
                assertThat(trusted.answer("ping").has("error")).isFalse();
                assertThat(trusted.push("r", "[1]", "")).hasSize(1);
            }
            assertThat(m.stats().security().refusedUntrusted()).isEqualTo(1);
            assertThat(m.stats().counters().connectionsAccepted()).isEqualTo(1);
        }
    }

    @Test
    void byDefaultEveryLoopbackAddressIsServed() {
        try (Manager m = start(ManagerOptions.builder()); RawPeer local = new RawPeer(address(m), "127.0.0.2")) {
            assertThat(local.push("r", "[1]", "")).hasSize(1);
            assertThat(m.stats().security().authenticating()).isFalse();
        }
    }

    @Test
    void anAuthFrameWithoutAuthenticationConfiguredChangesNothing() {
        try (Manager m = start(ManagerOptions.builder()); RawPeer p = new RawPeer(m)) {
            p.send("{'command':'auth','token':'whatever'}");
            JsonNode a = p.answer("auth");
            assertThat(a.has("principal")).isFalse();
            assertThat(a.path("roles")).hasSize(3);
            p.status();
        }
    }

    // ------------------------------------------------------------ tokens

    @Test
    void aMissingWrongOrOversizedTokenGetsEauthAndTheConnectionCloses() throws IOException {
        try (Manager m = start(ManagerOptions.builder().authFile(defaultAuthFile()))) {
            try (RawPeer p = new RawPeer(m)) {
                p.send("{'command':'push','rid':'r','work':[1]}");
                assertRefusedWith(p, "EAUTH");
            }
            try (RawPeer p = new RawPeer(m)) {
                p.send("{'command':'auth'}");
                assertRefusedWith(p, "EAUTH");
            }
            try (RawPeer p = new RawPeer(m)) {
                p.send("{'command':'auth','token':42}");
                assertRefusedWith(p, "EAUTH");
            }
            try (RawPeer p = new RawPeer(m)) {
                p.send("{'command':'auth','token':'" + CLIENT_TOKEN + "x'}");
                assertRefusedWith(p, "EAUTH");
            }
            try (RawPeer p = new RawPeer(m)) { // a token longer than 4 KiB in a frame that still fits the first frame's bound
                p.send("{'command':'auth','token':'" + "a".repeat(4097) + "'}");
                assertRefusedWith(p, "EAUTH");
            }
            try (RawPeer p = new RawPeer(m)) { // a first frame far above the auth frame's bound is refused before it is read
                // its header alone says so: a few bytes of it are sent, as a peer starting a large frame would
                p.sendRaw(java.nio.ByteBuffer.allocate(24).putInt(1_000_000).put("{\"command\":\"auth\",\"t".getBytes(
                        java.nio.charset.StandardCharsets.UTF_8)).array());
                assertRefusedWith(p, "EAUTH");
            }
            try (RawPeer p = new RawPeer(m)) {
                p.sendBytes("not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertRefusedWith(p, "EAUTH");
            }
            assertThat(m.liveWorks()).isZero();
            assertThat(m.stats().security().authFailures()).isEqualTo(7);
            assertThat(m.stats().security().authenticating()).isTrue();
        }
    }

    @Test
    void aPeerThatDoesNotAuthenticateInTimeGetsEauthAndOneThatDoesIsServed() throws IOException {
        try (Manager m = start(ManagerOptions.builder().authFile(defaultAuthFile()).authTimeout(java.time.Duration.ofMillis(200)));
                RawPeer prompt = new RawPeer(m); RawPeer silent = new RawPeer(m)) {
            prompt.send("{'command':'auth','token':'" + CLIENT_TOKEN + "'}");
            assertThat(prompt.answer("auth").has("error")).isFalse();
            assertRefusedWith(silent, "EAUTH"); // connected after prompt: prompt's deadline is past too
            assertThat(prompt.push("r", "[1]", "")).hasSize(1);
            assertThat(m.stats().security().authFailures()).isEqualTo(1);
        }
    }

    @Test
    void withoutAuthenticationThereIsNoDeadline() {
        try (Manager m = start(ManagerOptions.builder().authTimeout(java.time.Duration.ofMillis(50))); RawPeer silent = new RawPeer(m)) {
            silent.assertSilentFor(500);
            silent.send("{'command':'ping'}");
            assertThat(silent.answer("ping").has("error")).isFalse();
            assertThat(m.stats().security().authFailures()).isZero();
        }
    }

    @Test
    void theAuthTimeoutMustBePositive() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ManagerOptions.builder().authTimeout(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("authTimeout");
        assertThat(ManagerOptions.builder().build().authTimeout()).isEqualTo(ManagerOptions.DEFAULT_AUTH_TIMEOUT);
        assertThat(ManagerOptions.builder().authTimeout(java.time.Duration.ofMillis(5)).build().toBuilder().build().authTimeout())
                .isEqualTo(java.time.Duration.ofMillis(5));
    }

    @Test
    void aTokenServesEveryConnectionItIsGivenOnButAWrongOneAfterARightOneStillFails() throws IOException {
        try (Manager m = start(ManagerOptions.builder().authFile(defaultAuthFile()));
             RawPeer first = authenticated(m, CLIENT_TOKEN);
             RawPeer second = authenticated(m, CLIENT_TOKEN)) {
            assertThat(first.push("a", "[1]", "")).hasSize(1);
            assertThat(second.push("a", "[2]", "")).hasSize(1);
            try (RawPeer wrong = new RawPeer(m)) {
                wrong.send("{'command':'auth','token':'" + WORKER_TOKEN.substring(1) + "'}");
                assertRefusedWith(wrong, "EAUTH");
            }
            first.send("{'command':'auth','token':'" + CLIENT_TOKEN + "'}"); // auth only as the first frame
            assertRefusedWith(first, "EAUTH");
            assertThat(second.push("b", "[3]", "")).hasSize(1);
        }
    }

    @Test
    void theAnswerNamesThePrincipalAndItsRoles() throws IOException {
        try (Manager m = start(ManagerOptions.builder().authFile(defaultAuthFile())); RawPeer p = new RawPeer(m)) {
            p.send("{'command':'auth','token':'" + WORKER_TOKEN + "'}");
            assertThat(p.answer("auth")).isEqualTo(RawPeer.json("{'principal':'w1','roles':['worker'],'to':'auth','command':'answer'}"));
        }
    }

    @Test
    void trustedNetworksMaySkipAuthenticationAndOthersMayNot() throws IOException {
        try (Manager m = start(ManagerOptions.builder().authFile(defaultAuthFile()).trustedNetworks(List.of("127.0.0.1/32")))) {
            try (RawPeer original = new RawPeer(address(m), "127.0.0.1")) { // an original node.js peer cannot authenticate
                assertThat(original.push("r", "[1]", "")).hasSize(1);
                original.status();
            }
            try (RawPeer other = new RawPeer(address(m), "127.0.0.2")) {
                other.send("{'command':'push','rid':'r','work':[1]}");
                assertRefusedWith(other, "EAUTH");
            }
        }
    }

    @Test
    void reloadingTheFileCutsOffRemovedPrincipalsAndAdmitsNewOnes() throws IOException {
        Path f = defaultAuthFile();
        try (Manager m = start(ManagerOptions.builder().authFile(f)); RawPeer alice = authenticated(m, CLIENT_TOKEN);
             RawPeer worker = authenticated(m, WORKER_TOKEN)) {
            Files.write(f, List.of("w1 worker,admin " + hash(WORKER_TOKEN), "bob client " + hash("bob-token-0123456789")));
            assertThat(m.reloadAuth()).isEqualTo(2);
            assertRefusedWith(alice, "EAUTH");
            worker.status(); // admin now
            try (RawPeer bob = authenticated(m, "bob-token-0123456789")) {
                assertThat(bob.push("r", "[1]", "")).hasSize(1);
            }
            Files.writeString(f, "garbage\n");
            org.assertj.core.api.Assertions.assertThatThrownBy(m::reloadAuth).isInstanceOf(ProletariatManagerException.class)
                    .hasMessageContaining("line 1");
            worker.status(); // the last good file still applies
        }
    }

    @Test
    void anUnreadableFileFailsTheStart() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> start(ManagerOptions.builder().authFile(dir.resolve("missing"))))
                .isInstanceOf(ProletariatManagerException.class).hasMessageContaining("no such file")
                .extracting(e -> ((ProletariatManagerException) e).code()).isEqualTo(ProletariatManagerException.EAUTHFILE);
    }

    // ------------------------------------------------------------ roles

    /** Each command as a frame, with the roles allowed to send it (sysmsg: admin, the default). */
    private static final Map<String, String> COMMANDS = Map.ofEntries(
            Map.entry("push", "{'command':'push','rid':'x','work':[1]}"),
            Map.entry("abort", "{'command':'abort','rid':'nope'}"),
            Map.entry("mystatus", "{'command':'mystatus'}"),
            Map.entry("offer", "{'command':'offer','slots':1}"),
            Map.entry("done", "{'command':'done','work':[]}"),
            Map.entry("answer:push", "{'command':'answer','to':'push','accepted':['nope']}"),
            Map.entry("drain", "{'command':'drain'}"),
            Map.entry("resume", "{'command':'resume','results':[],'running':[]}"),
            Map.entry("progress", "{'command':'progress','id':'nope','progress':1}"),
            Map.entry("works", "{'command':'works'}"),
            Map.entry("cancel", "{'command':'cancel','ids':['nope']}"),
            Map.entry("status", "{'command':'status'}"),
            Map.entry("sysmsg", "{'command':'sysmsg','id':'s1','content':'hello'}"),
            Map.entry("cleanup", "{'command':'cleanup'}"),
            Map.entry("gc", "{'command':'gc'}"),
            Map.entry("dumpall", "{'command':'dumpall'}"),
            Map.entry("answer:sysmsg", "{'command':'answer','to':'sysmsg','id':'nope'}"),
            Map.entry("ping", "{'command':'ping'}"));

    private static final Map<String, Set<String>> ALLOWED = Map.of(
            CLIENT_TOKEN, Set.of("push", "abort", "mystatus", "answer:sysmsg", "ping"),
            WORKER_TOKEN, Set.of("mystatus", "offer", "done", "answer:push", "drain", "resume", "progress", "answer:sysmsg", "ping"),
            ADMIN_TOKEN, Set.of("mystatus", "status", "works", "cancel", "sysmsg", "cleanup", "gc", "dumpall", "answer:sysmsg", "ping"));

    @Test
    void everyRoleAgainstEveryCommand() throws IOException {
        try (Manager m = start(ManagerOptions.builder().authFile(defaultAuthFile()))) {
            long denied = 0;
            for (Map.Entry<String, Set<String>> role : ALLOWED.entrySet()) {
                for (Map.Entry<String, String> command : COMMANDS.entrySet()) {
                    boolean allowed = role.getValue().contains(command.getKey());
                    String what = role.getKey().substring(0, role.getKey().indexOf('-')) + " sending " + command.getKey();
                    try (RawPeer p = authenticated(m, role.getKey())) {
                        long liveBefore = m.liveWorks();
                        int workersBefore = m.stats().workers().size();
                        p.send(command.getValue());
                        p.send("{'command':'ping','marker':1}");
                        List<JsonNode> before = new ArrayList<>();
                        p.readUntil(n -> {
                            boolean pong = "answer".equals(n.path("command").asText()) && "ping".equals(n.path("to").asText());
                            if (!pong) {
                                before.add(n);
                            }
                            return pong;
                        });
                        List<String> codes = before.stream().map(n -> n.path("error").path("code").asText()).toList();
                        if (allowed) {
                            assertThat(codes).as(what).doesNotContain("EPERM");
                        } else {
                            denied++;
                            assertThat(codes).as(what).containsExactly("EPERM");
                            assertThat(m.liveWorks()).as(what + ": nothing changed").isEqualTo(liveBefore);
                            assertThat(m.stats().workers()).as(what + ": nothing changed").hasSize(workersBefore);
                            if (command.getKey().equals("push")) {
                                assertThat(before.get(0).path("rid").asText()).isEqualTo("x"); // the client can match the refusal
                            }
                        }
                    }
                }
            }
            assertThat(m.stats().security().denied()).isEqualTo(denied);
        }
    }

    @Test
    void systemMessagesNeedTheRolesTheOperatorAllows() throws IOException {
        try (Manager m = start(ManagerOptions.builder().authFile(defaultAuthFile()).sysmsgRoles(List.of("client")));
             RawPeer client = authenticated(m, CLIENT_TOKEN); RawPeer admin = authenticated(m, ADMIN_TOKEN)) {
            admin.send("{'command':'sysmsg','id':'s1','content':'x'}");
            assertThat(admin.answer("sysmsg").path("error").path("code").asText()).isEqualTo("EPERM");
            client.send("{'command':'sysmsg','id':'s2','to':null,'content':'x'}");
            assertThat(admin.command("sysmsg").path("content").asText()).isEqualTo("x");
        }
    }

    // ------------------------------------------------------------ nobody reaches another's works

    @Test
    void aClientReachesOnlyItsOwnWorks() throws IOException {
        try (Manager m = start(ManagerOptions.builder().authFile(defaultAuthFile()));
             RawPeer a = authenticated(m, CLIENT_TOKEN); RawPeer b = authenticated(m, CLIENT_TOKEN)) {
            List<String> ids = a.push("mine", "['secret-arg']", "");
            b.send("{'command':'abort','work':['" + ids.get(0) + "']}");
            assertThat(b.answer("abort").path("work")).isEmpty();
            b.send("{'command':'abort','rid':'mine'}");
            assertThat(b.answer("abort").path("error").path("code").asText()).isEqualTo("EABRNOFO");
            assertThat(m.liveWorks()).isEqualTo(1);
            // mystatus tells a connection about itself only: its id, type and ranges, never another's requests.
            b.send("{'command':'mystatus'}");
            JsonNode bStatus = b.answer("mystatus");
            assertThat(bStatus.toString()).doesNotContain("mine", ids.get(0), "secret");
            a.send("{'command':'mystatus'}");
            assertThat(a.answer("mystatus").path("id").asText()).isNotEqualTo(bStatus.path("id").asText());
            a.send("{'command':'abort','work':['" + ids.get(0) + "']}");
            assertThat(a.answer("abort").path("work")).hasSize(1);
            await().until(() -> m.liveWorks() == 0);
        }
    }

    @Test
    void aWorkerCountsDonesOnlyForTheWorksItHolds() throws IOException {
        try (Manager m = start(ManagerOptions.builder().authFile(defaultAuthFile()));
             RawPeer client = authenticated(m, CLIENT_TOKEN); RawPeer w1 = authenticated(m, WORKER_TOKEN);
             RawPeer w2 = authenticated(m, WORKER_TOKEN)) {
            w1.offer("1");
            List<String> ids = client.push("r", "[1]", "");
            List<String> held = RawPeer.ids(w1.takeDispatch());
            assertThat(held).isEqualTo(ids);
            w2.offer("1");
            // w2 holds nothing: its done is refused and the work stays w1's
            w2.send("{'command':'done','work':[{'id':'" + ids.get(0) + "','result':{'err':null,'data':'forged'}}]}");
            assertThat(w2.answer("done").path("error").path("code").asText()).isEqualTo("EINVSTAT1");
            assertThat(m.liveWorks()).isEqualTo(1);
            w1.finish(held, "'real'");
            assertThat(client.command("done").toString()).contains("real").doesNotContain("forged");
        }
    }

    @Test
    void workArgumentsNeverAppearInTheHttpStatusNorMetrics() throws Exception {
        try (Manager m = start(ManagerOptions.builder().authFile(defaultAuthFile()).http(true).httpPort(0));
             RawPeer client = authenticated(m, CLIENT_TOKEN); RawPeer w = authenticated(m, WORKER_TOKEN)) {
            w.offer("1");
            client.push("r", "['SECRET-ARGUMENT-1', 'SECRET-ARGUMENT-2']", "");
            w.takeDispatch();
            try (RawPeer bad = new RawPeer(m)) {
                bad.send("{'command':'auth','token':'SECRET-TOKEN-WRONG'}");
                assertRefusedWith(bad, "EAUTH");
            }
            String base = "http://127.0.0.1:" + m.httpAddress().getPort();
            String status = get(base + "/api/status");
            assertThat(status).contains("\"workers\"").doesNotContain("SECRET");
            String metrics = get(base + "/metrics");
            assertThat(metrics).contains("proletariat_auth_failures_total 1.0").contains("proletariat_commands_denied_total 0.0")
                    .contains("proletariat_connections_refused_protected_total 0.0").doesNotContain("SECRET");
        }
    }

    @Test
    void theStatusNamesEachConnectionsPrincipalNeverItsToken() throws Exception {
        try (Manager m = start(ManagerOptions.builder().authFile(defaultAuthFile()).http(true).httpPort(0));
             RawPeer client = authenticated(m, CLIENT_TOKEN); RawPeer w = authenticated(m, WORKER_TOKEN);
             RawPeer admin = authenticated(m, ADMIN_TOKEN)) {
            w.offer("1");
            client.push("r", "[1]", "");
            w.takeDispatch();
            admin.send("{'command':'status'}");
            JsonNode status = admin.answer("status");
            assertThat(status.get("workers").get(0).get("principal").asText()).isEqualTo("w1");
            List<String> clients = new java.util.ArrayList<>();
            status.get("clients").forEach(c -> clients.add(c.get("principal").asText()));
            assertThat(clients).containsExactlyInAnyOrder("alice", "ops");
            assertThat(status.toString()).doesNotContain(CLIENT_TOKEN).doesNotContain(hash(CLIENT_TOKEN));

            JsonNode http = new com.fasterxml.jackson.databind.ObjectMapper().readTree(get("http://127.0.0.1:" + m.httpAddress().getPort() + "/api/status"));
            assertThat(http.get("workers").get(0).get("principal").asText()).isEqualTo("w1");
            List<String> httpClients = new java.util.ArrayList<>();
            http.get("clients").forEach(c -> httpClients.add(c.get("principal").asText()));
            assertThat(httpClients).containsExactlyInAnyOrder("alice", "ops");
            assertThat(http.toString()).doesNotContain(WORKER_TOKEN).doesNotContain(hash(WORKER_TOKEN));
        }
    }

    private static String get(String url) throws IOException {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(url).toURL().openConnection();
        c.setRequestProperty("Connection", "close");
        try (java.io.InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }
}
