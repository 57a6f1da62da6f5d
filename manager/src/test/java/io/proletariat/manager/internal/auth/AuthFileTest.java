package io.proletariat.manager.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The authentication file: its format, its errors, and tokens checked against hashes. */
class AuthFileTest {
    private static final Path FILE = Path.of("auth");

    private static AuthFile parse(String... lines) {
        return AuthFile.parse(FILE, List.of(lines));
    }

    @Test
    void principalsAreFoundByTheirTokenOnly() {
        AuthFile f = parse("# a comment", "", "alice  client  " + AuthFile.hashLine("alice-token"),
                "w1 worker,admin " + AuthFile.hashLine("w1-token").substring("sha256:".length()));
        assertThat(f.verify("alice-token").name()).isEqualTo("alice");
        assertThat(f.verify("alice-token").roles()).containsExactly(Role.CLIENT);
        assertThat(f.verify("w1-token").roles()).containsExactlyInAnyOrder(Role.WORKER, Role.ADMIN);
        assertThat(f.verify("alice-token ")).isNull();
        assertThat(f.verify("ALICE-TOKEN")).isNull();
        assertThat(f.verify("")).isNull();
        assertThat(f.verify(null)).isNull();
        assertThat(f.verify("x".repeat(AuthFile.MAX_TOKEN_LENGTH + 1))).isNull();
        assertThat(f.principals().keySet()).containsExactly("alice", "w1");
    }

    @Test
    void theHashIsTheSha256OfTheTokensUtf8Bytes() {
        // printf %s hello | sha256sum
        assertThat(AuthFile.hashLine("hello")).isEqualTo("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    }

    @Test
    void aPrincipalNeverPrintsItsHash() {
        AuthFile f = parse("alice client " + AuthFile.hashLine("t"));
        assertThat(f.verify("t").toString()).isEqualTo("alice");
    }

    @Test
    void mistakesAreNamedWithTheirLine() {
        String h = AuthFile.hashLine("t");
        assertThatThrownBy(() -> parse("alice client")).hasMessageContaining("line 1").hasMessageContaining("NAME ROLES SHA256");
        assertThatThrownBy(() -> parse("# x", "alice boss " + h)).hasMessageContaining("line 2").hasMessageContaining("unknown role 'boss'");
        assertThatThrownBy(() -> parse("alice client t0ken")).hasMessageContaining("64 hex digits").hasMessageNotContaining("t0ken");
        assertThatThrownBy(() -> parse("al ice client " + h)).hasMessageContaining("line 1");
        assertThatThrownBy(() -> parse("a client " + h, "a worker " + AuthFile.hashLine("u"))).hasMessageContaining("appears twice");
        assertThatThrownBy(() -> parse("a client " + h, "b worker " + h)).hasMessageContaining("same token");
        assertThatThrownBy(() -> parse("a/b client " + h)).hasMessageContaining("a name is");
    }

    @Test
    void principalsMayBeNamedByTheirCertificateSubject() {
        AuthFile f = parse("alice client " + AuthFile.hashLine("alice-token"),
                "render-1 worker subject:CN=render-1,O=Example Corp",
                "ops admin,client   subject: cn=ops , o=example");
        assertThat(f.bySubject("CN=render-1,O=Example Corp").name()).isEqualTo("render-1");
        assertThat(f.bySubject("CN=render-1,O=Example Corp").roles()).containsExactly(Role.WORKER);
        assertThat(f.bySubject("CN=ops,O=example").roles()).containsExactlyInAnyOrder(Role.ADMIN, Role.CLIENT);
        assertThat(f.bySubject("CN=render-2,O=Example Corp")).isNull();
        assertThat(f.bySubject("CN=alice")).isNull();
        assertThat(f.bySubject("not a subject")).isNull();
        assertThat(f.bySubject(null)).isNull();
        assertThat(f.verify("alice-token").name()).isEqualTo("alice");
        assertThat(f.verify("CN=render-1,O=Example Corp")).as("a subject is no token").isNull();
        assertThat(f.principals().get("render-1").hash()).isNull();
        assertThat(f.principals().get("render-1").sameCredential(f.principals().get("render-1"))).isTrue();
        assertThat(f.principals().get("render-1").sameCredential(f.principals().get("ops"))).isFalse();
        assertThat(f.principals().get("alice").sameCredential(f.principals().get("render-1"))).isFalse();

        assertThatThrownBy(() -> parse("a worker subject:CN=x", "b worker subject:cn=X"))
                .hasMessageContaining("line 2").hasMessageContaining("same certificate subject");
        assertThatThrownBy(() -> parse("a worker subject:no equals sign")).hasMessageContaining("line 1")
                .hasMessageContaining("not a certificate subject");
        assertThatThrownBy(() -> parse("a worker " + AuthFile.hashLine("t") + " extra")).hasMessageContaining("NAME ROLES SHA256");
    }

    @Test
    void rolesAllowTheirCommandsOnly() {
        Roles r = new Roles(Set.of(Role.ADMIN));
        assertThat(r.allows(Set.of(Role.CLIENT), "push")).isTrue();
        assertThat(r.allows(Set.of(Role.CLIENT), "offer")).isFalse();
        assertThat(r.allows(Set.of(Role.CLIENT), "status")).isFalse();
        assertThat(r.allows(Set.of(Role.CLIENT), "sysmsg")).isFalse();
        assertThat(r.allows(Set.of(Role.CLIENT), "answer:sysmsg")).isTrue();
        assertThat(r.allows(Set.of(Role.WORKER), "done")).isTrue();
        assertThat(r.allows(Set.of(Role.WORKER), "push")).isFalse();
        assertThat(r.allows(Set.of(Role.ADMIN), "sysmsg")).isTrue();
        assertThat(r.allows(Set.of(), "ping")).isFalse();
        assertThat(r.allows(Set.of(), "somethingunknown")).isTrue();
        assertThat(new Roles(Set.of(Role.CLIENT, Role.WORKER)).allows(Set.of(Role.WORKER), "sysmsg")).isTrue();
    }
}
