package io.proletariat.protocol;

/**
 * The error codes of the protocol, with the descriptions the original manager sends.
 *
 * <p>Codes marked "Java" are this implementation's additions for input the original crashed on or
 * accepted silently; the original libraries ignore error answers they do not know.
 */
public enum WireError {
    EUNKNCMD("Unknown command"),
    EUNKNANDT("Unknown answer type"),
    ELARGEMSG("Message too large"),
    EINVSLOTNR("Invalid/Unexistent slot number"),
    EINVCMDSTAT1("You are not new here."),
    EINVCMDSTAT2("You are a new comrade. You had not work"),
    EINVSTAT1("You had no work"),
    ENORID("No request ID"),
    EINVWORKL("Invalid work list"),
    EABINVINP("Invalid input for abort command. Need a group or a work list."),
    EABRNOFO("Request ID not found."),
    EINVWLI("Invalid work list."),
    EINVWORK("Invalid work ?array?"),
    /** Java: a push reused the id of a request of the same connection that is still pending. */
    EDUPRID("Request ID already in use by a pending request"),
    /** Java: priority is negative or too large. */
    EINVPRIO("Invalid priority: it must be an integer from 0 to 2147483647"),
    /** Java: timeout or assigntimeout is negative. */
    EINVTIMEOUT("Invalid timeout: it must be a number of milliseconds >= 0"),
    /** Java: a push's {@code retries}, {@code backoff}, {@code backoffMax} or {@code retryOn} is not valid. */
    EINVRETRY("Invalid retries: retries must be an integer from 0 to 1000, backoff and backoffMax integers of milliseconds"
            + " from 0 to 86400000 (backoffMax >= backoff), retryOn a non-empty array of \"error\", \"ETO\", \"lost\""),
    /** Java: a push's {@code delay} or {@code notBefore} is not valid. */
    EINVDELAY("Invalid delay: delay must be an integer of milliseconds from 0 to 2592000000 (30 days), notBefore an integer"
            + " of epoch milliseconds at most 30 days ahead"),
    /** Java: a delayed push would take the manager's delayed works beyond its {@code maxDelayed}. */
    ETOOMANYDELAYED("Too many delayed works: wait for some to become due before pushing more"),
    /** Java: a frame was not valid JSON. */
    EBADJSON("Invalid JSON"),
    /** Java: the dumpall command is not supported. */
    ENOTSUP("Not supported"),
    /** Java: a push carried more works than the manager's {@code maxWorksPerPush}. */
    ETOOMANYWORKS("Too many works in one push: split it"),
    /** Java: a push would take the connection's unanswered works beyond the manager's {@code maxPendingWorks}. */
    ETOOMANYPENDING("Too many unanswered works: wait for answers before pushing more"),
    /** Java: the manager has {@code maxConnections} open; sent bare, then the connection is closed. */
    ETOOMANYCONN("Too many connections"),
    /** Java: the sender, or the manager as a whole, has too many system messages waiting for acknowledgements. */
    ETOOMANYSYSMSG("Too many system messages waiting for acknowledgements: wait for answers before sending more"),
    /**
     * Java: the manager's memory budget is used up: a push answered so would go past
     * {@code maxQueuedBytes} of live works' args (retry once works are answered); sent bare before
     * closing a connection that holds the most buffered bytes past {@code maxBufferBytes}.
     */
    ENOMEM("The manager's memory budget is used up: retry later"),
    /** Java: more than 100 {@code status}/{@code mystatus} requests a second on one connection; sent bare, then closed. */
    ETOOMANYREQS("Too many status requests: at most 100 a second per connection"),
    /**
     * Java: this manager is a standby of a cluster; sent bare to every new connection, which is then
     * closed. A {@code "leader":"host:port"} member beside the code names the leader when one is known.
     */
    ENOTLEADER("This manager is a standby: connect to the leader"),
    /**
     * Java: the manager runs in protected mode (no authentication configured) and the peer's address is
     * neither loopback nor in a trusted network; sent bare to the new connection, which is then closed.
     */
    EPROTECTED("This manager is in protected mode: it serves only loopback peers and trusted networks."
            + " Configure authentication (proletariat manager --auth FILE, then connect with a token) or trust"
            + " this peer's network (--trust CIDR); see docs/security.md"),
    /**
     * Java: authentication is on and the connection's first frame was not an {@code auth} frame with a
     * valid token (or its token was revoked); sent bare, then the connection is closed.
     */
    EAUTH("Authentication failed: send {\"command\":\"auth\",\"token\":\"...\"} first, with a valid token;"
            + " see docs/security.md"),
    /** Java: the authenticated principal's roles do not allow this command; nothing changed. */
    EPERM("Not allowed: the principal's roles do not permit this command (docs/security.md, Tokens and roles)"),
    /** Java: a work type ({@code type} of a push or limit, {@code types} of an offer) that is not a valid name, or too many types in one offer. */
    EINVTYPE("Invalid work type: 1 to 64 characters of A-Z a-z 0-9 _ . : -, at most 64 types per worker"),
    /** Java: the manager already keeps as many distinct work types as it may ({@code maxWorkTypes}). */
    ETOOMANYTYPES("Too many distinct work types in the manager: use fewer type names"),
    /** Java: a {@code limit}'s {@code max} is not null or an integer from 0 to 2147483647. */
    EINVLIMIT("Invalid limit: max must be null (no limit) or an integer from 0 to 2147483647"),
    /** Java: an operator cancelled the work ({@code cancel}); the code of its result, sent to its client in a {@code done}. */
    ECANCELED("Cancelled by an operator"),
    /** Java: a worker's {@code progress} value is larger than the manager relays (64 KiB); nothing was relayed. */
    ELARGEPROGRESS("Progress too large: at most 65536 bytes of JSON per progress"),
    /** Java: a {@code works} or {@code cancel} request with a filter or id list the manager cannot read. */
    EINVQUERY("Invalid works or cancel request: see docs/protocol.md, Operator commands");

    private final String description;

    WireError(String description) {
        this.description = description;
    }

    /** The code as it appears on the wire, e.g. {@code "EUNKNCMD"}. */
    public String code() {
        return name();
    }

    /** The human-readable description sent beside the code. */
    public String description() {
        return description;
    }

    /** Writes {@code "error":{"code":..,"description":..}} as a member of the current object. */
    public JsonWriter writeMember(JsonWriter w) {
        return w.name("error").beginObject().name("code").value(code()).name("description").value(description).endObject();
    }
}
