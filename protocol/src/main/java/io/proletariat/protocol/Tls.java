package io.proletariat.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS from PEM files, one way for the manager, the libraries and the tools (docs/security.md).
 *
 * <p>Certificates are X.509 in PEM ({@code -----BEGIN CERTIFICATE-----}, a chain or a bundle of CAs
 * in one file); a private key is unencrypted PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}, what
 * {@code openssl genpkey} and {@code openssl req -newkey} write), RSA, EC or Ed25519. Every file is
 * read and checked when the context is made, and a bad one is an {@link IllegalArgumentException}
 * that names the option and the file: missing, not PEM, or a key that does not match its certificate.
 *
 * <p>Contexts use Netty's OpenSSL engine when netty-tcnative is on the class path, the JDK's otherwise.
 * Clients verify the manager's host name against its certificate (endpoint identification
 * {@code HTTPS}: the name or IP address connected to must be in the certificate's subject
 * alternative names). Stateless; every method may be called from any thread.
 */
public final class Tls {
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private Tls() {
    }

    /** The engine the contexts use: OpenSSL when netty-tcnative is present, else the JDK's. */
    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /**
     * The certificates of a PEM file, in order (a chain: the leaf first).
     *
     * @param option the option that named the file, for the error message
     * @throws IllegalArgumentException when the file is missing, unreadable or holds no PEM certificate
     */
    public static X509Certificate[] readCertificates(Path pem, String option) {
        byte[] bytes = read(pem, option);
        if (!new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(option + " " + pem + ": not a PEM certificate file (no -----BEGIN CERTIFICATE-----)");
        }
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            Collection<? extends java.security.cert.Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (all.isEmpty()) {
                throw new IllegalArgumentException(option + " " + pem + ": no certificate in the file");
            }
            return all.toArray(new X509Certificate[0]);
        } catch (CertificateException | IOException e) {
            throw new IllegalArgumentException(option + " " + pem + ": not a valid PEM certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The private key of a PEM file (unencrypted PKCS#8: RSA, EC or Ed25519).
     *
     * @param option the option that named the file, for the error message
     * @throws IllegalArgumentException when the file is missing, unreadable or holds no such key
     */
    public static PrivateKey readPrivateKey(Path pem, String option) {
        String text = new String(read(pem, option), StandardCharsets.US_ASCII);
        Matcher m = PRIVATE_KEY.matcher(text);
        if (!m.find()) {
            String hint = text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")
                    ? "; convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem"
                    : text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") ? "; encrypted keys are not supported: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem"
                    : "";
            throw new IllegalArgumentException(option + " " + pem + ": not an unencrypted PKCS#8 PEM private key (no -----BEGIN PRIVATE KEY-----)" + hint);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + pem + ": the private key is not valid base64", e);
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "EdDSA", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Try the next algorithm.
            }
        }
        throw new IllegalArgumentException(option + " " + pem + ": not an RSA, EC or Ed25519 private key");
    }

    /**
     * Checks that {@code key} is the private key of {@code certificate}'s public key, by signing and
     * verifying a few bytes.
     *
     * @throws IllegalArgumentException naming both files when they do not match
     */
    public static void checkKeyMatches(X509Certificate certificate, PrivateKey key, Path certFile, Path keyFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> null;
        };
        if (algorithm == null) {
            return; // an algorithm this check does not know: the handshake tells
        }
        boolean matches;
        try {
            byte[] probe = "proletariat key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                signer.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verifier.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // a key of another type than the certificate's
        }
        if (!matches) {
            throw new IllegalArgumentException("the private key " + keyFile + " does not match the certificate " + certFile
                    + " (" + certificate.getSubjectX500Principal().getName() + ")");
        }
    }

    /**
     * A server's context: its certificate chain and key, and, when {@code clientCa} is not null, mutual
     * TLS: every client must present a certificate signed by a CA of that file.
     *
     * @param cert the certificate chain ({@code --tls-cert})
     * @param key its private key ({@code --tls-key})
     * @param clientCa the CAs of client certificates ({@code --tls-client-ca}), or null
     * @throws IllegalArgumentException when a file is missing or bad, or the key does not match
     */
    public static SslContext serverContext(Path cert, Path key, Path clientCa) {
        X509Certificate[] chain = readCertificates(cert, "--tls-cert");
        PrivateKey privateKey = readPrivateKey(key, "--tls-key");
        checkKeyMatches(chain[0], privateKey, cert, key);
        SslContextBuilder b = SslContextBuilder.forServer(privateKey, chain).sslProvider(provider());
        if (clientCa != null) {
            b.trustManager(readCertificates(clientCa, "--tls-client-ca")).clientAuth(ClientAuth.REQUIRE);
        }
        try {
            return b.build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalArgumentException("cannot use " + cert + " and " + key + " for TLS: " + e.getMessage(), e);
        }
    }

    /**
     * A client's context: trusts the CAs of {@code ca}, or the JVM's trust store when it is null, and
     * presents {@code cert} with {@code key} when both are set (mutual TLS).
     *
     * @throws IllegalArgumentException when a file is missing or bad, or the key does not match
     */
    public static SslContext clientContext(Path ca, Path cert, Path key) {
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(provider()).endpointIdentificationAlgorithm("HTTPS");
        if (ca != null) {
            b.trustManager(readCertificates(ca, "--tls-ca"));
        }
        if (cert != null || key != null) {
            X509Certificate[] chain = readCertificates(requireBoth(cert, key, "--tls-cert"), "--tls-cert");
            PrivateKey privateKey = readPrivateKey(requireBoth(key, cert, "--tls-key"), "--tls-key");
            checkKeyMatches(chain[0], privateKey, cert, key);
            b.keyManager(privateKey, chain);
        }
        try {
            return b.build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalArgumentException("cannot make a TLS client context: " + e.getMessage(), e);
        }
    }

    /**
     * A handler for one connection to {@code host}, which verifies that the manager's certificate
     * names that host (a name or an IP address in its subject alternative names).
     */
    public static SslHandler clientHandler(SslContext context, ByteBufAllocator alloc, String host, int port) {
        SslHandler handler = context.newHandler(alloc, host, port);
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return handler;
    }

    /**
     * The JDK's TLS sockets for blocking tools ({@link BlockingConnection}), with the same trust and
     * client certificate as {@link #clientContext}. Host names are verified by
     * {@link BlockingConnection#connect(String, int, java.time.Duration, SSLSocketFactory)}.
     */
    public static SSLSocketFactory socketFactory(Path ca, Path cert, Path key) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (ca == null) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                int i = 0;
                for (X509Certificate c : readCertificates(ca, "--tls-ca")) {
                    trust.setCertificateEntry("ca" + i++, c);
                }
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (cert != null || key != null) {
                X509Certificate[] chain = readCertificates(requireBoth(cert, key, "--tls-cert"), "--tls-cert");
                PrivateKey privateKey = readPrivateKey(requireBoth(key, cert, "--tls-key"), "--tls-key");
                checkKeyMatches(chain[0], privateKey, cert, key);
                KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
                keys.load(null, null);
                keys.setKeyEntry("client", privateKey, new char[0], chain);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot make a TLS client context: " + e.getMessage(), e);
        }
    }

    /**
     * True when {@code in} starts like a TLS record carrying a handshake (a ClientHello): byte 0x16
     * then 0x03 (the major version of SSL 3 and every TLS). A proletariat frame starting so would
     * announce more than 369 MB, which no manager accepts. Reads without consuming; needs 2 bytes.
     */
    public static boolean looksLikeTls(ByteBuf in) {
        int at = in.readerIndex();
        return in.readableBytes() >= 2 && in.getByte(at) == 0x16 && in.getByte(at + 1) == 0x03;
    }

    /** The message of an error when one of a certificate and its key is given without the other. */
    private static Path requireBoth(Path one, Path other, String option) {
        if (one == null || other == null) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: " + option + " is " + (one == null ? "missing" : "alone"));
        }
        return one;
    }

    private static byte[] read(Path pem, String option) {
        try {
            return Files.readAllBytes(pem);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(option + " " + pem + ": no such file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + pem + ": cannot read it: " + e, e);
        }
    }
}
