package io.proletariat.manager.internal.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The principals of an authentication file ({@code --auth FILE}), one a line:
 *
 * <pre>
 * # name      roles           SHA-256 of the token (64 hex digits, optionally "sha256:" before)
 * alice       client          sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
 * worker-1    worker          fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9
 * ops         admin,client    ...
 * </pre>
 *
 * Tokens are stored hashed: a token is random (128 bits or more: {@code openssl rand -base64 32}), so
 * one SHA-256 makes the file useless to a reader without slowing each connection's check. A token
 * presented is hashed and compared with every principal's hash in constant time
 * ({@link MessageDigest#isEqual}), so neither timing nor a log line tells anything of it. Immutable.
 */
public final class AuthFile {
    /** A principal: its name, its roles, and its token's SHA-256. */
    public record Principal(String name, Set<Role> roles, byte[] hash) {
        @Override
        public String toString() {
            return name; // never the hash
        }
    }

    /** Longest token accepted: longer ones fail without being hashed. */
    public static final int MAX_TOKEN_LENGTH = 4096;

    private final Path path;
    private final Map<String, Principal> principals;

    private AuthFile(Path path, Map<String, Principal> principals) {
        this.path = path;
        this.principals = principals;
    }

    /**
     * Reads the file.
     *
     * @throws IOException when it cannot be read, or is not an authentication file (the message names the line)
     */
    public static AuthFile read(Path path) throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        try {
            return parse(path, lines);
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }

    static AuthFile parse(Path path, List<String> lines) {
        Map<String, Principal> principals = new LinkedHashMap<>();
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String at = "line " + (i + 1) + ": ";
            String[] parts = line.split("\\s+");
            if (parts.length != 3) {
                throw new IllegalArgumentException(at + "expected NAME ROLES SHA256 (the token's SHA-256, not the token)");
            }
            String name = parts[0];
            if (!name.matches("[A-Za-z0-9._@-]{1,128}")) {
                throw new IllegalArgumentException(at + "a name is 1 to 128 of A-Z a-z 0-9 . _ @ -");
            }
            Set<Role> roles = EnumSet.noneOf(Role.class);
            try {
                for (String r : parts[1].split(",")) {
                    roles.add(Role.parse(r));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + e.getMessage());
            }
            String hex = parts[2].startsWith("sha256:") ? parts[2].substring(7) : parts[2];
            if (!hex.matches("[0-9A-Fa-f]{64}")) {
                throw new IllegalArgumentException(at + "the third field is the token's SHA-256: 64 hex digits"
                        + " (printf %s TOKEN | sha256sum)");
            }
            byte[] hash = HexFormat.of().parseHex(hex);
            for (byte[] h : hashes) {
                if (MessageDigest.isEqual(h, hash)) {
                    throw new IllegalArgumentException(at + "two principals have the same token");
                }
            }
            hashes.add(hash);
            if (principals.putIfAbsent(name, new Principal(name, Collections.unmodifiableSet(roles), hash)) != null) {
                throw new IllegalArgumentException(at + "principal '" + name + "' appears twice");
            }
        }
        return new AuthFile(path, Collections.unmodifiableMap(principals));
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** The principals by name, in file order. */
    public Map<String, Principal> principals() {
        return principals;
    }

    /**
     * The principal whose token this is, or null. Every principal's hash is compared, in constant
     * time, whichever matches: the time taken tells nothing of which, or whether one did.
     */
    public Principal verify(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            return null;
        }
        byte[] presented = sha256(token);
        Principal found = null;
        for (Principal p : principals.values()) {
            if (MessageDigest.isEqual(p.hash(), presented) && found == null) {
                found = p;
            }
        }
        return found;
    }

    /** The SHA-256 of a token's UTF-8 bytes, as the file holds it. */
    public static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-256", e);
        }
    }

    /** The hash as the file writes it: {@code sha256:} and 64 hex digits. */
    public static String hashLine(String token) {
        return "sha256:" + HexFormat.of().formatHex(sha256(token));
    }
}
