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
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * The principals of an authentication file ({@code --auth FILE}), one a line:
 *
 * <pre>
 * # name      roles           SHA-256 of the token (64 hex digits, optionally "sha256:" before)
 * alice       client          sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
 * worker-1    worker          fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9
 * ops         admin,client    ...
 * render-2    worker          subject:CN=render-2,O=example
 * </pre>
 *
 * A principal's credential is either its token's hash or, after {@code subject:}, the subject of a
 * client certificate (RFC 2253, as {@code X500Principal.getName()} writes it; it may hold spaces):
 * with mutual TLS a connection whose verified certificate has that subject is that principal,
 * without an auth frame. Subjects are compared as X.500 names ({@link X500Principal#equals}: case and
 * spacing of the canonical form do not matter).
 *
 * Tokens are stored hashed: a token is random (128 bits or more: {@code openssl rand -base64 32}), so
 * one SHA-256 makes the file useless to a reader without slowing each connection's check. A token
 * presented is hashed and compared with every principal's hash in constant time
 * ({@link MessageDigest#isEqual}), so neither timing nor a log line tells anything of it. Immutable.
 */
public final class AuthFile {
    /**
     * A principal: its name, its roles, and its credential: its token's SHA-256, or the subject of
     * its client certificate (the other one null).
     */
    public record Principal(String name, Set<Role> roles, byte[] hash, X500Principal subject) {
        /** Whether {@code other} proves the same: the same token hash, or the same certificate subject. */
        public boolean sameCredential(Principal other) {
            if (hash != null) {
                return other.hash != null && MessageDigest.isEqual(hash, other.hash);
            }
            return other.subject != null && subject.equals(other.subject);
        }

        @Override
        public String toString() {
            return name; // never the hash
        }
    }

    /** What comes before a certificate subject in a principal's third field. */
    public static final String SUBJECT = "subject:";

    /** Longest token accepted: longer ones fail without being hashed. */
    public static final int MAX_TOKEN_LENGTH = 4096;

    private final Path path;
    private final Map<String, Principal> principals;
    private final Map<X500Principal, Principal> bySubject;

    private AuthFile(Path path, Map<String, Principal> principals, Map<X500Principal, Principal> bySubject) {
        this.path = path;
        this.principals = principals;
        this.bySubject = bySubject;
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
        Map<X500Principal, Principal> bySubject = new HashMap<>();
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String at = "line " + (i + 1) + ": ";
            String[] parts = line.split("\\s+", 3);
            if (parts.length != 3 || !parts[2].startsWith(SUBJECT) && parts[2].matches(".*\\s.*")) {
                throw new IllegalArgumentException(at + "expected NAME ROLES SHA256 (the token's SHA-256, not the token)"
                        + " or NAME ROLES subject:CERTIFICATE-SUBJECT");
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
            if (parts[2].startsWith(SUBJECT)) {
                X500Principal subject;
                try {
                    subject = new X500Principal(parts[2].substring(SUBJECT.length()).strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(at + "not a certificate subject (RFC 2253, e.g. subject:CN=worker-1,O=example): "
                            + e.getMessage());
                }
                Principal p = new Principal(name, Collections.unmodifiableSet(roles), null, subject);
                if (bySubject.putIfAbsent(subject, p) != null) {
                    throw new IllegalArgumentException(at + "two principals have the same certificate subject");
                }
                if (principals.putIfAbsent(name, p) != null) {
                    throw new IllegalArgumentException(at + "principal '" + name + "' appears twice");
                }
                continue;
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
            if (principals.putIfAbsent(name, new Principal(name, Collections.unmodifiableSet(roles), hash, null)) != null) {
                throw new IllegalArgumentException(at + "principal '" + name + "' appears twice");
            }
        }
        return new AuthFile(path, Collections.unmodifiableMap(principals), Map.copyOf(bySubject));
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
            if (p.hash() != null && MessageDigest.isEqual(p.hash(), presented) && found == null) {
                found = p;
            }
        }
        return found;
    }

    /**
     * The principal of a verified client certificate with this subject (RFC 2253, as
     * {@code X500Principal.getName()} writes it), or null.
     */
    public Principal bySubject(String subject) {
        if (subject == null || bySubject.isEmpty()) {
            return null;
        }
        try {
            return bySubject.get(new X500Principal(subject));
        } catch (IllegalArgumentException e) {
            return null;
        }
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
