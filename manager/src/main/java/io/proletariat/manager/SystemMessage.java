package io.proletariat.manager;

import io.proletariat.protocol.RawJson;

/**
 * A system message that reached the manager's own {@code sysmsg} event: a broadcast, or one sent
 * {@code to: "MANAGER"}.
 *
 * @param from the sender's connection id
 * @param id the message id the sender chose
 * @param content the content, exactly as sent ({@link RawJson#NULL} when absent)
 */
public record SystemMessage(String from, String id, RawJson content) {
}
