package io.proletariat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.proletariat.protocol.BlockingConnection;
import io.proletariat.protocol.FrameTooLargeException;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One operator command over a connection of its own ({@code works}, {@code cancel}): sends the
 * frame (after {@code auth} when a token is given) and returns the manager's answer to it, as
 * {@code status} asks its question ({@link StatusCommand#ask(ManagerAddress, int)}): the first of
 * {@code --managers} that answers, a standby's leader rather than the standby.
 */
final class OperatorQuery {
    private OperatorQuery() {
    }

    /** A refusal the manager answered ({@code EPERM}, {@code EAUTH}, {@code EPROTECTED}, an error of the command). */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * The answer whose {@code to} is {@code to}.
     *
     * @throws Refused the manager answered with an error
     * @throws IOException no manager could be asked ({@link ConnectException} when none could be reached)
     */
    static JsonNode ask(ManagerAddress manager, String frame, String to, int timeoutMillis) throws IOException {
        IOException failure = null;
        javax.net.ssl.SSLSocketFactory tls = manager.socketFactory();
        for (ManagerAddress.Endpoint first : manager.endpoints()) {
            ManagerAddress.Endpoint at = first;
            try {
                for (int hops = 0; hops <= StatusCommand.MAX_REDIRECTS; hops++) {
                    JsonNode answer = askOne(at, frame, to, timeoutMillis, manager.token, tls);
                    JsonNode error = answer.path("error");
                    if (!"ENOTLEADER".equals(error.path("code").asText())) {
                        return answer;
                    }
                    if (!error.path("leader").isTextual()) {
                        throw new IOException("the manager at " + at + " is a standby and knows no leader yet (ENOTLEADER)");
                    }
                    at = ManagerAddress.Endpoint.parse(error.path("leader").asText());
                }
                throw new IOException("the standbys sent the request on " + StatusCommand.MAX_REDIRECTS + " times: a leader is being elected; try again");
            } catch (Refused e) {
                throw e;
            } catch (IOException | IllegalArgumentException e) {
                IOException io = e instanceof IOException x ? x : new IOException(e.getMessage(), e);
                if (failure == null || failure instanceof ConnectException || failure instanceof java.net.UnknownHostException) {
                    failure = io;
                }
            }
        }
        throw failure;
    }

    private static JsonNode askOne(ManagerAddress.Endpoint manager, String frame, String to, int timeoutMillis, String token,
                                   javax.net.ssl.SSLSocketFactory tls) throws IOException {
        Duration timeout = Duration.ofMillis(timeoutMillis);
        try (BlockingConnection connection = BlockingConnection.connect(manager.host(), manager.port(), timeout, tls)) {
            IOException notWritten = null;
            try {
                if (token != null) {
                    connection.writeFrame(Json.MAPPER.writeValueAsString(java.util.Map.of("command", "auth", "token", token)));
                }
                connection.writeFrame(frame);
            } catch (IOException e) {
                notWritten = e; // closed already: perhaps a standby, whose answer waits to be read
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                byte[] bytes;
                try {
                    bytes = connection.readFrame(Duration.ofNanos(deadline - System.nanoTime()));
                } catch (IOException e) {
                    throw notWritten != null ? notWritten : e;
                }
                JsonNode node = Json.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
                if (node == null) {
                    continue;
                }
                JsonNode error = node.path("error");
                String code = error.path("code").asText();
                if (code.equals("ENOTLEADER")) {
                    return node;
                }
                boolean ours = to.equals(node.path("to").asText()) && "answer".equals(node.path("command").asText());
                if (code.equals("EAUTH") || code.equals("EPROTECTED") || code.equals("EPERM") || (ours && !code.isEmpty())) {
                    throw new Refused("the manager at " + manager + " refused: " + code + " " + error.path("description").asText()
                            + (code.equals("EPERM") ? " (" + to + " needs the admin role)" : ""));
                }
                if (code.equals("EUNKNCMD")) {
                    throw new Refused("the manager at " + manager + " does not know '" + to + "' (an original manager, or an older one)");
                }
                if (ours) {
                    return node;
                }
            }
        } catch (FrameTooLargeException e) {
            throw new IOException("bad frame length from the manager: " + e.declaredLength(), e);
        }
    }
}
