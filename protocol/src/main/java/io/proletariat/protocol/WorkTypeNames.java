package io.proletariat.protocol;

/**
 * The rules of work type names (our extension, docs/protocol.md, "Work types and limits"): a push's
 * {@code type}, a worker's offered {@code types}, a {@code limit}'s {@code type}. The manager refuses
 * other names with {@link WireError#EINVTYPE}; the libraries refuse them when the options are built.
 */
public final class WorkTypeNames {
    /** The longest name, in characters. */
    public static final int MAX_LENGTH = 64;
    /** The most types one worker may offer. */
    public static final int MAX_PER_WORKER = 64;

    private WorkTypeNames() {
    }

    /** True for 1 to {@value #MAX_LENGTH} characters, each one of {@code A-Z a-z 0-9 _ . : -}. */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            boolean ok = ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
                    || ch == '_' || ch == '.' || ch == ':' || ch == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The name if it is valid.
     *
     * @throws IllegalArgumentException saying what a name may be
     */
    public static String check(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("invalid work type '" + name + "': it must be 1 to " + MAX_LENGTH
                    + " characters of A-Z a-z 0-9 _ . : -");
        }
        return name;
    }
}
