package io.proletariat.manager;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proletariat.manager.TranscriptReplayer.Line;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every recorded transcript of the original manager ({@code src/test/resources/transcripts})
 * against our manager and checks it answers each peer with the same frames, ids aside (see {@link
 * TranscriptReplayer} for what "same" means).
 *
 * <p>Where our manager deliberately differs from the original (docs/compatibility.md), the
 * transcript is adapted line by line in {@link #SCENARIOS}, each edit with its reason;
 * transcripts that only show a crash or a timing quirk of the original are listed in {@link
 * #EXCLUDED} with theirs (the crashes are covered one by one in {@link BadInputTest}). Labels such
 * as M5 or H2 in the reasons name rows of docs/protocol.md, Quirks of the original; other names
 * (Distribution, Timeouts, ...) are its sections.
 */
class TranscriptConformanceTest {

    private static final String FROM = "from_manager";
    private static final String TO = "to_manager";

    /** Transcripts not replayed, and why. */
    private static final Map<String, String> EXCLUDED = Map.ofEntries(
            Map.entry("crash_done_foreign_work.jsonl", "M5/M13: the original dies; BadInputTest.doneForAWorkOfAnotherWorkerIsIgnored"),
            Map.entry("crash_done_null_item.jsonl", "M5: the original dies; BadInputTest.doneWithANullItemIsIgnored"),
            Map.entry("crash_duplicate_done.jsonl", "M5/M13: the original dies; BadInputTest.doneListingOneIdTwiceCountsItOnce"),
            Map.entry("crash_gc_without_expose.jsonl", "M5/M20: the original dies; BadInputTest.gcIsAcknowledged"),
            Map.entry("crash_negative_length.jsonl", "M5: the original dies; BadInputTest.lengthPrefixWithTopBitSetIsAnsweredElargemsgAndClosed"),
            Map.entry("crash_negative_priority.jsonl", "M5/M21: the original dies; BadInputTest.negativePriorityIsAnsweredEinvprio"),
            Map.entry("crash_null_frame.jsonl", "M5: the original dies; BadInputTest.nullFrameIsAnsweredWithUnknownCommand"),
            Map.entry("crash_offer_null_slots.jsonl", "M5: the original dies; BadInputTest.offerWithNullSlotsIsAnsweredEinvslotnr"),
            Map.entry("head_crash_null_work.jsonl", "H8: the original dies; BadInputTest.pushWithANullWorkItemIsAnsweredEinvworkl"),
            Map.entry("head_crash_rid_reuse.jsonl", "H3: the original dies; BadInputTest.reusingAPendingRidIsAnsweredEduprid"),
            Map.entry("head_crash_abort_then_assigntimeout.jsonl", "H4: the original dies; BadInputTest.abortedRequestGetsNoAssignTimeoutLater"),
            Map.entry("head_hold_similar.jsonl", "H2: the original dies when the key completes; HOLDSIMILARWORK works in ours"),
            Map.entry("poison_null_work.jsonl", "M15: ours answers EINVWORKL instead of bouncing the work forever; BadInputTest.pushWithANullWorkItemIsAnsweredEinvworkl"),
            Map.entry("priorities.jsonl", "M9: the original over-assigns a 1-slot worker and the worker rejects; ours never over-assigns (Slots, offers and priority ranges)"),
            Map.entry("priority_ranges_reject.jsonl", "M9/M10: over-assignment, rejection and a late requeue, all of which ours avoids (Slots, offers and priority ranges; Distribution)"),
            Map.entry("distrib_randmax_ignored.jsonl", "M1/M24: only shows the original's dispatch delays; ours dispatches at once"),
            Map.entry("sysmsg_unanswered.jsonl", "M18: the original never completes; ours completes when the silent recipient leaves"),
            Map.entry("worker_disconnect_requeue.jsonl", "M10: the original only redispatches on the next push; ours at once, so the client's later frames cross"),
            Map.entry("worker_reconnect.jsonl", "M10/C4: relies on the proxy's drop and the library's 2 s reconnect; ours redispatches on disconnect"),
            Map.entry("client_reconnect_resend.jsonl", "C4: relies on the proxy's drop and the library's reconnect timing"),
            Map.entry("head_client_timeout_ecsto.jsonl", "Timeouts: the client-side timeout decides when abort is sent; covered by the abort steps of head_errors_abort"),
            Map.entry("function_work.jsonl", "W1: only shows the worker eval'ing functions; the manager part equals simple.jsonl"));

    /** Transcripts replayed, with their manager options and their adaptations to our documented differences. */
    private static final Map<String, Scenario> SCENARIOS = scenarios(
            new Scenario("simple.jsonl"),
            new Scenario("head_simple.jsonl"),
            new Scenario("work_group.jsonl"),
            new Scenario("work_individual.jsonl"),
            new Scenario("answer_threshold.jsonl"),
            new Scenario("run_timeout_eto.jsonl"),
            new Scenario("head_run_timeout_eto.jsonl"),
            new Scenario("assign_timeout_eato.jsonl"),
            new Scenario("client_disconnect_abort.jsonl")
                    .set(13, "/workers/0/status", "'available'", "M16: an idle worker is reported available again"),
            new Scenario("sysmsg.jsonl"),
            new Scenario("priority_slots.jsonl"),
            new Scenario("priority_slots_sacred.jsonl").options(b -> b.sacredGuarantees(true)),
            new Scenario("status_mystatus.jsonl")
                    .set(20, "/workers/0/status", "'available'", "M16: an idle worker is reported available again")
                    .replace(31, "{'ok':false,'err':{'code':'ENOTSUP','description':'dumpall is not supported; use the status command'},'command':'dumpall'}",
                            "M20: peers cannot make our manager write files"),
            new Scenario("errors.jsonl")
                    .insertAfter(2, "c1", FROM, "{'error':{'code':'EBADJSON','description':'Invalid JSON'}}",
                            "Framing/M7: invalid JSON gets a bare error instead of silence")
                    .replace(18, "{'error':{'code':'EABRNOFO','description':'Request ID not found.'},'to':'abort','command':'answer'}",
                            "compatibility.md: abort is supported whatever the client's version, and g1 is no pending request"),
            new Scenario("head_errors_abort.jsonl")
                    .replace(16, "{'error':{'code':'EABINVINP','description':'Invalid input for abort command. Need a group or a work list.'},'to':'abort','command':'answer'}",
                            "H5: rid:'' is invalid input, not an unknown command"),
            new Scenario("done_edge_cases.jsonl")
                    // The expectations below put both works in one pass, which needs the pass to wait for
                    // both slots: the original's nominal AVAIL_THRESHOLD (50, capped at these 2 slots).
                    // With our default of 0 the slot freed by the early done is filled at once.
                    .options(b -> b.availThreshold(50))
                    .insertAfter(8, "c2", FROM, "{'work':[{'id':'W182064R464','result':{'err':null,'data':'too early'}}],'command':'done'}",
                            "M12: a done for a work not yet accepted counts")
                    .replace(9, "{'description':'спасибо for the 1 works','to':'done','command':'answer'}", "M12, as above")
                    .moveAfter(15, 10, "M10/Distribution: the rejected work is redispatched at once, not after the next done")
                    .replace(15, "{'work':[{'id':'W182064R468','args':{'n':2}},{'id':'W182064R74','args':{'n':3}}],'command':'push'}",
                            "M12: the early done freed the slot W182064R74 waited for, so both go in one pass")
                    .skip(18, "M12: W182064R464's result was relayed at line 8; the second one is ignored")
                    .replace(19, "{'description':'You didn\\u0027t send nothing interesting sir','ignored':1,'to':'done','command':'answer'}", "as above")
                    .skip(20, "W182064R74 was dispatched with W182064R468"),
            new Scenario("oversize_frame.jsonl")
                    .insertAfter(4, "c1", FROM, "<close>", "M6: the connection is closed after ELARGEMSG")
                    .skip(5, "M6: nothing more is sent on a closed connection"),
            new Scenario("mixed_v036_client_head_manager.jsonl")
                    .replace(6, "{'work':['W000001R1'],'group':'R226604r739','to':'push','command':'answer'}",
                            "H1: our manager serves 0.3 clients (group) as a 0.3 manager does")
                    .insertAfter(6, "c1", FROM, "{'work':[{'id':'W000001R1','args':{'op':'echo','v':1}}],'command':'push'}", "as above")
                    .insertAfter(6, "c1", TO, "{'to':'push','accepted':['W000001R1'],'command':'answer'}", "the worker runs it")
                    .insertAfter(6, "c1", TO, "{'work':[{'id':'W000001R1','result':{'err':null,'data':{'echo':1}}}],'command':'done'}", "as above")
                    .insertAfter(6, "c2", FROM, "{'work':[{'id':'W000001R1','result':{'err':null,'data':{'echo':1}}}],'command':'done'}", "as above")
                    .insertAfter(6, "c1", FROM, "{'description':'спасибо for the 1 works','to':'done','command':'answer'}", "as above"),
            new Scenario("mixed_head_client_v036_manager.jsonl")
                    .set(6, "/rid", "'R224888r171'", "H1: the request id is echoed under the name the client used"),
            new Scenario("keepalive_ping.jsonl")
                    .options(b -> b.keepalive(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMillis(1000)))
                    .toleratingKeepalivePings());

    @TestFactory
    Stream<DynamicTest> replaysTranscriptWithTheOriginalsFrames() {
        Path dir = transcripts();
        return SCENARIOS.values().stream().map(s -> DynamicTest.dynamicTest(s.file, () -> {
            List<Line> lines = TranscriptReplayer.parse(dir.resolve(s.file));
            TranscriptReplayer.replay(s.apply(lines), s.options.build(), s.tolerateKeepalivePings);
        }));
    }

    /**
     * The original peers from a trusted network are served as recorded; from another one they are
     * refused with {@code EPROTECTED}. A socket bound to 127.0.0.2 is a peer of another address
     * while the manager trusts only 127.0.0.1 (Linux routes all of 127/8 to lo).
     */
    @Test
    void theOriginalPeersAreServedFromATrustedNetworkAndRefusedFromOthers() {
        List<Line> lines = TranscriptReplayer.parse(transcripts().resolve("head_simple.jsonl"));
        ManagerOptions.Builder options = ManagerOptions.builder().port(0).bindAddress("127.0.0.1").trustLoopback(false);
        TranscriptReplayer.replay(lines, options.trustedNetworks(List.of("127.0.0.2/32")).build(), false, "127.0.0.2");

        try (Manager m = new Manager(options.trustedNetworks(List.of("127.0.0.1/32")).build()).start()) {
            for (Line line : lines) {
                if (!line.toManager() || line.msg() == null) {
                    continue;
                }
                // Every frame of the recording, each on a connection from 127.0.0.2: none is read.
                try (RawPeer stranger = new RawPeer(new java.net.InetSocketAddress("127.0.0.1", m.port()), "127.0.0.2")) {
                    com.fasterxml.jackson.databind.JsonNode refusal = stranger.read(); // said at once, before anything is read
                    assertThat(refusal.path("error").path("code").asText()).as("%s", line).isEqualTo("EPROTECTED");
                    try {
                        stranger.send(line.msg());
                    } catch (UncheckedIOException closedAlready) {
                        // the manager may have closed first: the frame is not read either way
                    }
                    assertThat(stranger.closedByPeer()).isTrue();
                }
            }
            assertThat(m.stats().security().refusedUntrusted()).isPositive();
            assertThat(m.stats().counters().connectionsAccepted()).isZero();
            assertThat(m.liveWorks()).isZero();
        }
    }

    @Test
    void everyTranscriptIsReplayedOrExcludedWithAReason() throws IOException {
        Set<String> files;
        try (Stream<Path> list = Files.list(transcripts())) {
            files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jsonl")).collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> unaccounted = new TreeSet<>(files);
        unaccounted.removeAll(SCENARIOS.keySet());
        unaccounted.removeAll(EXCLUDED.keySet());
        assertThat(unaccounted).as("transcripts neither replayed nor excluded").isEmpty();
        Set<String> stale = new TreeSet<>(SCENARIOS.keySet());
        stale.addAll(EXCLUDED.keySet());
        stale.removeAll(files);
        assertThat(stale).as("scenarios without a transcript").isEmpty();
        assertThat(SCENARIOS.keySet()).as("replayed and excluded at once").doesNotContainAnyElementsOf(EXCLUDED.keySet());
    }

    /**
     * The recordings are this module's test resources ({@code src/test/resources/transcripts}),
     * read from the test classpath so that nothing outside the checkout is needed.
     */
    static Path transcripts() {
        URL readme = TranscriptConformanceTest.class.getResource("/transcripts/README.md");
        if (readme == null) {
            throw new AssertionError("transcripts/README.md is not on the test classpath: see src/test/resources/transcripts");
        }
        try {
            return Path.of(readme.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new AssertionError("cannot read the transcripts from " + readme, e);
        }
    }

    // ------------------------------------------------------------------ scenario table

    private static Map<String, Scenario> scenarios(Scenario... list) {
        Map<String, Scenario> map = new LinkedHashMap<>();
        for (Scenario s : list) {
            map.put(s.file, s);
        }
        return map;
    }

    /** A transcript to replay, the options of the manager it ran against, and line edits with reasons. */
    private static final class Scenario {
        final String file;
        ManagerOptions.Builder options = ManagerOptions.builder().port(0).bindAddress("127.0.0.1");
        boolean tolerateKeepalivePings;
        private final List<UnaryOperator<List<Line>>> edits = new ArrayList<>();

        Scenario(String file) {
            this.file = file;
        }

        Scenario options(UnaryOperator<ManagerOptions.Builder> change) {
            options = change.apply(options);
            return this;
        }

        Scenario toleratingKeepalivePings() {
            tolerateKeepalivePings = true;
            return this;
        }

        /** Line {@code no} is not replayed (a frame not sent, or not expected). */
        Scenario skip(int no, String reason) {
            edits.add(lines -> {
                lines.remove(find(lines, no));
                return lines;
            });
            return this;
        }

        /** Line {@code no} carries {@code json} instead (ids in the original's space). */
        Scenario replace(int no, String json, String reason) {
            edits.add(lines -> {
                int i = find(lines, no);
                Line l = lines.get(i);
                lines.set(i, new Line(l.no(), l.conn(), l.dir(), RawPeer.json(json), null));
                return lines;
            });
            return this;
        }

        /** In line {@code no}'s frame, the member at {@code pointer} (a JSON pointer) is set to {@code json}. */
        Scenario set(int no, String pointer, String json, String reason) {
            edits.add(lines -> {
                int i = find(lines, no);
                Line l = lines.get(i);
                ObjectNode msg = l.msg().deepCopy();
                JsonPointer at = JsonPointer.compile(pointer);
                ((ObjectNode) msg.at(at.head())).set(at.last().getMatchingProperty(), RawPeer.json(json));
                lines.set(i, new Line(l.no(), l.conn(), l.dir(), msg, null));
                return lines;
            });
            return this;
        }

        /** A frame (or {@code <close>} event) inserted after line {@code no}. */
        Scenario insertAfter(int no, String conn, String dir, String jsonOrEvent, String reason) {
            edits.add(lines -> {
                int i = find(lines, no);
                int at = i + 1;
                while (at < lines.size() && lines.get(at).no().startsWith(no + "+")) {
                    at++;
                }
                boolean event = jsonOrEvent.startsWith("<");
                lines.add(at, new Line(no + "+" + (at - i), conn, dir, event ? null : RawPeer.json(jsonOrEvent),
                        event ? jsonOrEvent.substring(1, jsonOrEvent.length() - 1) : null));
                return lines;
            });
            return this;
        }

        /** Line {@code no} is moved to just after line {@code after}. */
        Scenario moveAfter(int no, int after, String reason) {
            edits.add(lines -> {
                Line l = lines.remove(find(lines, no));
                lines.add(find(lines, after) + 1, l);
                return lines;
            });
            return this;
        }

        List<Line> apply(List<Line> original) {
            List<Line> lines = new ArrayList<>(original);
            for (UnaryOperator<List<Line>> e : edits) {
                lines = e.apply(lines);
            }
            return lines;
        }

        private static int find(List<Line> lines, int no) {
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).no().equals(Integer.toString(no))) {
                    return i;
                }
            }
            throw new IllegalArgumentException("no line " + no);
        }
    }
}
