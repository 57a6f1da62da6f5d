package io.proletariat.testsupport;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for the TLS tests, made with BouncyCastle and written as PEM files (certificates,
 * and unencrypted PKCS#8 keys) into a directory: a CA; a server certificate for {@code 127.0.0.1}
 * and {@code localhost} (subject alternative names IP 127.0.0.1 and DNS localhost); a client
 * certificate for mutual TLS; a server certificate naming another host only; and a second CA with
 * a client certificate of its own, which the first CA's servers do not trust. EC P-256 keys, valid
 * from an hour ago for a day. Made in tens of milliseconds; no shared state.
 */
public final class TestCertificates {
    /** The subject of {@link #clientCert()}, as {@code X500Principal.getName()} writes it (RFC 2253). */
    public static final String CLIENT_SUBJECT = "CN=test-client,O=proletariat tests";

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** Makes every certificate and key and writes them into {@code dir} (which must exist). */
    public static TestCertificates create(Path dir) {
        try {
            KeyPair caKeys = keys();
            X509Certificate ca = issue("CN=proletariat test CA", caKeys, null, caKeys, true, null, false);
            KeyPair serverKeys = keys();
            X509Certificate server = issue("CN=localhost", serverKeys, ca, caKeys, false,
                    new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}), false);
            KeyPair clientKeys = keys();
            X509Certificate client = issue(CLIENT_SUBJECT, clientKeys, ca, caKeys, false, null, true);
            KeyPair wrongKeys = keys();
            X509Certificate wrong = issue("CN=elsewhere.example", wrongKeys, ca, caKeys, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, "elsewhere.example")), false);
            KeyPair otherCaKeys = keys();
            X509Certificate otherCa = issue("CN=another test CA", otherCaKeys, null, otherCaKeys, true, null, false);
            KeyPair strangerKeys = keys();
            X509Certificate stranger = issue("CN=stranger", strangerKeys, otherCa, otherCaKeys, false, null, true);
            TestCertificates c = new TestCertificates(dir);
            write(c.ca(), ca);
            write(c.serverCert(), server);
            write(c.serverKey(), serverKeys);
            write(c.clientCert(), client);
            write(c.clientKey(), clientKeys);
            write(c.wrongHostCert(), wrong);
            write(c.wrongHostKey(), wrongKeys);
            write(c.otherCa(), otherCa);
            write(c.strangerCert(), stranger);
            write(c.strangerKey(), strangerKeys);
            return c;
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot make test certificates", e);
        }
    }

    /** The CA that signed the server, client and wrong-host certificates. */
    public Path ca() {
        return dir.resolve("ca.pem");
    }

    /** The server certificate for IP 127.0.0.1 and DNS localhost. */
    public Path serverCert() {
        return dir.resolve("server.pem");
    }

    /** The key of {@link #serverCert()}. */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /** A client certificate signed by {@link #ca()}, subject {@link #CLIENT_SUBJECT}. */
    public Path clientCert() {
        return dir.resolve("client.pem");
    }

    /** The key of {@link #clientCert()}. */
    public Path clientKey() {
        return dir.resolve("client.key");
    }

    /** A server certificate signed by {@link #ca()} that names only {@code elsewhere.example}. */
    public Path wrongHostCert() {
        return dir.resolve("wrong-host.pem");
    }

    /** The key of {@link #wrongHostCert()}. */
    public Path wrongHostKey() {
        return dir.resolve("wrong-host.key");
    }

    /** A CA that signed none of the certificates above. */
    public Path otherCa() {
        return dir.resolve("other-ca.pem");
    }

    /** A client certificate signed by {@link #otherCa()}. */
    public Path strangerCert() {
        return dir.resolve("stranger.pem");
    }

    /** The key of {@link #strangerCert()}. */
    public Path strangerKey() {
        return dir.resolve("stranger.key");
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate issue(String subject, KeyPair keys, X509Certificate issuer, KeyPair issuerKeys,
            boolean isCa, GeneralNames sans, boolean clientAuth)
            throws GeneralSecurityException, OperatorCreationException, IOException {
        Instant now = Instant.now();
        // Names parsed as the JDK reads them (RFC 2253: the most specific part first), so they print back the same.
        X500Name subjectName = X500Name.getInstance(new javax.security.auth.x500.X500Principal(subject).getEncoded());
        X500Name issuerName = issuer == null ? subjectName : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subjectName, keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        if (issuer != null) {
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
        }
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(clientAuth ? KeyPurposeId.id_kp_clientAuth : KeyPurposeId.id_kp_serverAuth));
        }
        if (sans != null) {
            b.addExtension(Extension.subjectAlternativeName, false, sans);
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static void write(Path file, Object pemObject) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(pemObject instanceof KeyPair k ? new JcaPKCS8Generator(k.getPrivate(), null) : pemObject);
        }
        try {
            Files.writeString(file, s.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
