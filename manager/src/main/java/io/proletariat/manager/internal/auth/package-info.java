/**
 * Who may talk to the manager, in one place (docs/security.md): {@link io.proletariat.manager.internal.auth.AddressPolicy}
 * (protected mode: loopback and trusted networks), {@link io.proletariat.manager.internal.auth.AuthFile}
 * (principals with hashed tokens, read from {@code --auth FILE}) and {@link io.proletariat.manager.internal.auth.Roles}
 * (which commands each role may send). The dispatch core asks them; nothing here touches its state.
 */
package io.proletariat.manager.internal.auth;
