/**
 * What the tests of every module share; a test-scope dependency of protocol, manager, client and
 * cli, never published.
 *
 * <p>Public: {@link io.proletariat.testsupport.LeakCheck}, the JUnit extension run after every test
 * class (found through {@code META-INF/services}). It runs on JUnit's test thread and owns no
 * thread of its own; Awaitility polls for it while leftovers shut down.
 *
 * <p>{@link io.proletariat.testsupport.TestCertificates} makes the CA, server and client certificates
 * of the TLS tests with BouncyCastle (a dependency of this module only, so test scope everywhere else).
 */
package io.proletariat.testsupport;
