package io.proletariat.manager.internal.auth;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which commands each role may send, as one table (docs/security.md, "Tokens and roles"). Commands
 * are named as on the wire; an answer is {@code answer:TO}. A command missing from the table is
 * one the manager answers with an error whoever sends it (unknown commands, bad frames), so it is
 * not a permission's concern. A principal with several roles may send what any of them allows.
 */
public final class Roles {
    /** Every role: peers served without authentication (loopback or trusted without {@code --auth}, trusted with it). */
    public static final Set<Role> ALL = Collections.unmodifiableSet(EnumSet.allOf(Role.class));

    /** Any authenticated principal, whatever its roles: keepalive and acknowledgements of what it was sent. */
    private static final Set<Role> ANYONE = ALL;

    private static final Map<String, Set<Role>> TABLE = Map.ofEntries(
            Map.entry("ping", ANYONE),
            Map.entry("answer:ping", ANYONE),
            Map.entry("answer:sysmsg", ANYONE),
            Map.entry("push", EnumSet.of(Role.CLIENT)),
            Map.entry("abort", EnumSet.of(Role.CLIENT)),
            Map.entry("mystatus", EnumSet.of(Role.CLIENT, Role.WORKER, Role.ADMIN)),
            Map.entry("offer", EnumSet.of(Role.WORKER)),
            Map.entry("done", EnumSet.of(Role.WORKER)),
            Map.entry("answer:push", EnumSet.of(Role.WORKER)),
            Map.entry("drain", EnumSet.of(Role.WORKER)),
            Map.entry("resume", EnumSet.of(Role.WORKER)),
            Map.entry("progress", EnumSet.of(Role.WORKER)),
            Map.entry("works", EnumSet.of(Role.ADMIN)),
            Map.entry("cancel", EnumSet.of(Role.ADMIN)),
            Map.entry("status", EnumSet.of(Role.ADMIN)),
            Map.entry("cleanup", EnumSet.of(Role.ADMIN)),
            Map.entry("gc", EnumSet.of(Role.ADMIN)),
            Map.entry("dumpall", EnumSet.of(Role.ADMIN)),
            Map.entry("limit", EnumSet.of(Role.ADMIN)));

    /** The commands whose senders the table restricts, as on the wire (for docs and tests). */
    public static Set<String> commands() {
        return TABLE.keySet();
    }

    private final Set<Role> sysmsg;

    /** @param sysmsg the roles that may send system messages ({@code --sysmsg-roles}, default admin) */
    public Roles(Set<Role> sysmsg) {
        this.sysmsg = sysmsg.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(sysmsg));
    }

    /** Whether a principal with these roles may send this command. */
    public boolean allows(Set<Role> roles, String command) {
        Set<Role> allowed = command.equals("sysmsg") ? sysmsg : TABLE.get(command);
        if (allowed == null) {
            return true;
        }
        for (Role r : roles) {
            if (allowed.contains(r)) {
                return true;
            }
        }
        return false;
    }

    /** The roles that may send system messages. */
    public Set<Role> sysmsg() {
        return sysmsg;
    }
}
