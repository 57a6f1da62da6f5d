package io.proletariat.manager.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The address policy alone: a pure function of the peer's address, IPv4 and IPv6. */
class AddressPolicyTest {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void byDefaultOnlyLoopbackIsTrusted() {
        AddressPolicy p = AddressPolicy.of(List.of());
        assertThat(p.trusts(ip("127.0.0.1"))).isTrue();
        assertThat(p.trusts(ip("127.1.2.3"))).isTrue();
        assertThat(p.trusts(ip("::1"))).isTrue();
        assertThat(p.trusts(ip("::ffff:127.0.0.1"))).isTrue();
        for (String outsider : List.of("10.0.0.1", "192.168.1.20", "8.8.8.8", "0.0.0.0", "172.16.0.1", "fe80::1", "2001:db8::1",
                "::ffff:10.0.0.1", "::2", "128.0.0.1")) {
            assertThat(p.trusts(ip(outsider))).as(outsider).isFalse();
        }
    }

    @Test
    void trustedNetworksAreMatchedByPrefixInIpv4AndIpv6() {
        AddressPolicy p = AddressPolicy.of(List.of("10.1.0.0/16", "192.168.7.9", " 2001:db8:aa::/48 "));
        assertThat(p.trusts(ip("10.1.0.1"))).isTrue();
        assertThat(p.trusts(ip("10.1.255.254"))).isTrue();
        assertThat(p.trusts(ip("10.2.0.1"))).isFalse();
        assertThat(p.trusts(ip("192.168.7.9"))).isTrue();
        assertThat(p.trusts(ip("192.168.7.10"))).isFalse();
        assertThat(p.trusts(ip("::ffff:10.1.2.3"))).as("IPv4-mapped IPv6 is the IPv4 address").isTrue();
        assertThat(p.trusts(ip("2001:db8:aa:1::5"))).isTrue();
        assertThat(p.trusts(ip("2001:db8:ab::5"))).isFalse();
        assertThat(p.networks()).containsExactly("10.1.0.0/16", "192.168.7.9", "2001:db8:aa::/48");
    }

    @Test
    void zeroPrefixTrustsEveryAddressOfItsFamily() {
        AddressPolicy p = AddressPolicy.of(List.of("0.0.0.0/0"));
        assertThat(p.trusts(ip("203.0.113.5"))).isTrue();
        assertThat(p.trusts(ip("2001:db8::1"))).isFalse();
    }

    @Test
    void withoutLoopbackOnlyTheNetworksCount() {
        AddressPolicy p = AddressPolicy.of(List.of("127.0.0.1/32"), false);
        assertThat(p.trusts(ip("127.0.0.1"))).isTrue();
        assertThat(p.trusts(ip("127.0.0.2"))).isFalse();
        assertThat(p.trusts(ip("::1"))).isFalse();
    }

    @Test
    void networksAloneLeaveLoopbackOutAndNonIpPeersIn() {
        AddressPolicy p = AddressPolicy.of(List.of("10.0.0.0/8"));
        assertThat(p.trustsNetwork(new InetSocketAddress(ip("127.0.0.1"), 5))).isFalse();
        assertThat(p.trustsNetwork(new InetSocketAddress(ip("10.9.9.9"), 5))).isTrue();
        assertThat(p.trustsNetwork(new io.netty.channel.embedded.EmbeddedChannel().remoteAddress())).isTrue();
        assertThat(p.trusts(new InetSocketAddress(ip("10.9.9.9"), 5))).isTrue();
        assertThat(p.trusts(new InetSocketAddress(ip("11.9.9.9"), 5))).isFalse();
    }

    @Test
    void anythingButAnAddressOrNetworkIsRefusedWithItsName() {
        for (String bad : List.of("localhost", "example.com", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0/8", "::1/129", "10.0.0.0/x", "", "1.2.3.4/")) {
            assertThatThrownBy(() -> AddressPolicy.of(List.of(bad))).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'");
        }
    }
}
