package io.proletariat.manager.internal.http;

import java.util.Locale;
import java.util.Set;

/**
 * Which {@code Host} headers the HTTP listener answers: a defence against DNS rebinding, where a
 * web page on a name its author controls points that name at the manager and reads its status.
 *
 * <p>Allowed: IP addresses (a page whose origin is an IP literal cannot be rebound), {@code localhost}
 * and names under {@code .localhost}, the listener's own bind address, and the names of
 * {@code --http-allowed-hosts} ({@code *} allows all). A request without {@code Host} (HTTP/1.0
 * tools; browsers always send one) is allowed. Thread-safe.
 */
final class HostCheck {
    private final Set<String> names;
    private final String bindAddress;
    private final boolean any;

    HostCheck(String bindAddress, Set<String> allowedNames) {
        this.names = allowedNames;
        this.bindAddress = bindAddress == null ? "" : bindAddress.toLowerCase(Locale.ROOT);
        this.any = allowedNames.contains("*");
    }

    boolean allows(String hostHeader) {
        if (hostHeader == null || any) {
            return true;
        }
        String name = name(hostHeader);
        if (name.isEmpty()) {
            return false;
        }
        return isIpLiteral(name) || name.equals("localhost") || name.endsWith(".localhost")
                || name.equals(bindAddress) || names.contains(name);
    }

    /** The header's host without its port or IPv6 brackets, lower case: {@code [::1]:8917} is {@code ::1}. */
    static String name(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String h = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? "" : h.substring(1, end);
        }
        int colon = h.indexOf(':');
        if (colon >= 0 && h.indexOf(':', colon + 1) < 0) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1); // the fully qualified form of the same name
        }
        return h;
    }

    /** For the 403 message: at most 100 printable ASCII characters. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 100; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

    private static boolean isIpLiteral(String name) {
        if (name.indexOf(':') >= 0) {
            return name.matches("[0-9a-f:.]+(%[0-9a-z]+)?"); // IPv6, perhaps with a zone or an IPv4 tail
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
