package io.proletariat.manager.internal.auth;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Which peer addresses are trusted without authentication: loopback always (IPv4 127/8, IPv6 ::1,
 * and both written as IPv4-mapped IPv6), and the networks named with {@code --trust CIDR[,CIDR...]}.
 * A pure function of the address; immutable, so any thread may ask.
 */
public final class AddressPolicy {
    private final List<IpSubnetFilterRule> trusted;
    private final List<String> networks;
    private final boolean loopback;

    private AddressPolicy(List<IpSubnetFilterRule> trusted, List<String> networks, boolean loopback) {
        this.trusted = trusted;
        this.networks = networks;
        this.loopback = loopback;
    }

    /**
     * A policy trusting loopback and these networks, each {@code ADDRESS/PREFIX} (IPv4 or IPv6) or a
     * single address.
     *
     * @throws IllegalArgumentException naming the first network that is not one
     */
    public static AddressPolicy of(Collection<String> cidrs) {
        return of(cidrs, true);
    }

    /** A policy trusting these networks, and loopback when {@code loopback} is true; see {@link #of(Collection)}. */
    public static AddressPolicy of(Collection<String> cidrs, boolean loopback) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String cidr : cidrs) {
            rules.add(rule(cidr.strip()));
            names.add(cidr.strip());
        }
        return new AddressPolicy(List.copyOf(rules), List.copyOf(names), loopback);
    }

    /** Checks one network as {@link #of} reads it; returns it stripped. */
    public static String validate(String cidr) {
        rule(cidr.strip());
        return cidr.strip();
    }

    private static IpSubnetFilterRule rule(String cidr) {
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? cidr : cidr.substring(0, slash);
        InetAddress parsed = literal(address, cidr);
        int bits = parsed instanceof Inet4Address ? 32 : 128;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("not a network (ADDRESS/PREFIX, the prefix 0.." + bits + "): '" + cidr + "'");
            }
        }
        return new IpSubnetFilterRule(parsed, prefix, IpFilterRuleType.ACCEPT);
    }

    /** An IP address literal, never a name (no DNS lookup: a trusted network must not depend on DNS). */
    private static InetAddress literal(String address, String cidr) {
        boolean ipv4 = address.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = address.contains(":") && address.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            throw new IllegalArgumentException("not a network (an IP address, optionally /PREFIX): '" + cidr + "'");
        }
        try {
            return normalise(InetAddress.getByName(address));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a network (an IP address, optionally /PREFIX): '" + cidr + "'");
        }
    }

    /** The networks trusted besides loopback, as given. */
    public List<String> networks() {
        return networks;
    }

    /** True for loopback and for addresses in a trusted network. */
    public boolean trusts(InetAddress address) {
        InetAddress a = normalise(address);
        if (loopback && a.isLoopbackAddress()) {
            return true;
        }
        InetSocketAddress socket = new InetSocketAddress(a, 0);
        for (IpSubnetFilterRule r : trusted) {
            if (r.matches(socket)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True for a peer this policy trusts; a socket address that is not an IP one (a Unix socket, an
     * in-process channel) is local and trusted.
     */
    public boolean trusts(SocketAddress peer) {
        if (peer instanceof InetSocketAddress inet) {
            InetAddress a = inet.getAddress();
            return a != null && trusts(a);
        }
        return true;
    }

    /**
     * True for a peer in one of the trusted networks, loopback not counted (with authentication on,
     * loopback peers authenticate too, unless a network trusts them); a socket address that is not an
     * IP one is local and trusted.
     */
    public boolean trustsNetwork(SocketAddress peer) {
        if (peer instanceof InetSocketAddress inet) {
            InetAddress a = inet.getAddress();
            if (a == null) {
                return false;
            }
            InetSocketAddress socket = new InetSocketAddress(normalise(a), 0);
            for (IpSubnetFilterRule r : trusted) {
                if (r.matches(socket)) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }

    /** Whether a peer at this address is loopback, not counting the trusted networks. */
    public static boolean isLoopback(InetAddress address) {
        return normalise(address).isLoopbackAddress();
    }

    /** An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) as the IPv4 address it carries. */
    static InetAddress normalise(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (UnknownHostException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return a;
    }

    @Override
    public String toString() {
        List<String> all = new ArrayList<>();
        if (loopback) {
            all.add("loopback");
        }
        all.addAll(networks);
        return all.isEmpty() ? "nothing" : String.join(",", all);
    }
}
