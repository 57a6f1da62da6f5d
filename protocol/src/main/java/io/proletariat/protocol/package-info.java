/**
 * The proletariat wire protocol (docs/protocol.md), shared by the manager, the libraries and the tools.
 *
 * <p>Public, since every other module stands on it:
 * <ul>
 *   <li>{@link io.proletariat.protocol.Wire}: the protocol's constants (port, frame limit) and its date format;</li>
 *   <li>{@link io.proletariat.protocol.FrameDecoder}: the Netty decoder that cuts the byte stream into frames;</li>
 *   <li>{@link io.proletariat.protocol.RawJson}: a JSON value kept as its bytes, so payloads cross the
 *       manager without being parsed into a tree;</li>
 *   <li>{@link io.proletariat.protocol.FrameParser}: a Jackson parser reused from frame to frame by a
 *       decoder on one thread, read exactly as a fresh parser reads each frame;</li>
 *   <li>{@link io.proletariat.protocol.JsonWriter}: compact JSON and whole frames written straight into a
 *       Netty buffer (measured against Jackson's generator in the jmh module);</li>
 *   <li>{@link io.proletariat.protocol.JsNumbers}: JavaScript's {@code parseInt}, the one reading of numbers
 *       that peers send;</li>
 *   <li>{@link io.proletariat.protocol.WireError}: the error codes the manager answers with;</li>
 *   <li>{@link io.proletariat.protocol.FromManager}: what the manager sends a worker or a client, decoded
 *       once into records (the libraries switch on them);</li>
 *   <li>{@link io.proletariat.protocol.SystemMessage}: a relayed system message, one type for the manager's
 *       listeners and the libraries;</li>
 *   <li>{@link io.proletariat.protocol.ProletariatException}: the one unchecked exception root, with a code,
 *       of the libraries and the manager;</li>
 *   <li>{@link io.proletariat.protocol.Tls}: TLS contexts from PEM files, checked with clear errors, for the
 *       manager, the libraries and the tools, and the test that tells a TLS ClientHello from a frame.</li>
 * </ul>
 *
 * <p>The module descriptor exports this package only.
 *
 * <p>Threads: nothing here starts a thread or keeps shared state. A {@code FrameDecoder} belongs to its
 * channel's event loop; a {@code JsonWriter} and a {@code FrameParser} to the one thread using it; {@code RawJson} values,
 * {@code FromManager} records and {@code SystemMessage}s are immutable and may be passed between threads.
 */
package io.proletariat.protocol;
