package io.proletariat.client.internal;

import java.util.Objects;

/**
 * A manager's address, {@code host:port}, as the {@code managers} option, the CLI's {@code --managers}
 * and a standby's {@code ENOTLEADER} redirect write it ({@code [::1]:1917} for an IPv6 literal).
 */
public record Address(String host, int port) {
    public Address {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("a manager's host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("a manager's port must be between 1 and 65535: " + port);
        }
    }

    /**
     * Parses {@code host:port}; a bare host takes {@code defaultPort}.
     *
     * @throws IllegalArgumentException naming the text when it is not an address
     */
    public static Address parse(String text, int defaultPort) {
        String s = Objects.requireNonNull(text, "address").trim();
        try {
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("no closing ]");
                }
                String host = s.substring(1, close);
                String rest = s.substring(close + 1);
                return new Address(host, rest.isEmpty() ? defaultPort : port(rest.substring(rest.startsWith(":") ? 1 : 0)));
            }
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                return new Address(s, defaultPort);
            }
            if (s.indexOf(':') != colon) {
                return new Address(s, defaultPort); // an IPv6 literal without brackets and without a port
            }
            return new Address(s.substring(0, colon), port(s.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a manager address (host:port): \"" + text + "\": " + e.getMessage(), e);
        }
    }

    private static int port(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port is not a number");
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
