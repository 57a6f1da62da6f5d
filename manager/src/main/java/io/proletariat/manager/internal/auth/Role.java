package io.proletariat.manager.internal.auth;

import java.util.Locale;

/** A role an authentication file gives a principal (docs/security.md, "Tokens and roles"). */
public enum Role {
    /** Pushes works, aborts its own, asks its own status. */
    CLIENT,
    /** Offers slots, takes works and answers the ones it holds. */
    WORKER,
    /** Status of everything, system messages, cleanup. */
    ADMIN;

    /** The role's name as written in the file and on the command line: {@code client}, {@code worker}, {@code admin}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the roles there are */
    public static Role parse(String name) {
        for (Role r : values()) {
            if (r.label().equals(name.strip().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + name + "': the roles are client, worker and admin");
    }
}
