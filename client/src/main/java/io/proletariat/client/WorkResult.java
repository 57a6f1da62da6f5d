package io.proletariat.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.proletariat.client.internal.Json;
import io.proletariat.protocol.JsonWriter;
import io.proletariat.protocol.RawJson;

/**
 * The final answer for one work: the original's {@code {err, data}}, plus the work's position in
 * its call and its work id.
 *
 * <pre>{@code
 * for (WorkResult r : client.submit(works, WorkOptions.DEFAULT).join()) {
 *     if (r.isSuccess()) {
 *         Greeting g = r.data(Greeting.class);
 *     } else if ("ETO".equals(r.errorCode())) {
 *         // ran out of time on the worker
 *     }
 * }
 * }</pre>
 *
 * Immutable.
 */
public final class WorkResult {
    private final int index;
    private final String workId;
    private final RawJson error;
    private final RawJson data;
    private final ObjectMapper mapper;
    private final int attempts;
    private final RawJson lastError;

    WorkResult(int index, String workId, RawJson error, RawJson data, ObjectMapper mapper) {
        this(index, workId, error, data, mapper, 0, null);
    }

    private WorkResult(int index, String workId, RawJson error, RawJson data, ObjectMapper mapper, int attempts, RawJson lastError) {
        this.attempts = attempts;
        this.lastError = lastError;
        this.index = index;
        this.workId = workId;
        this.error = error == null || !error.isTruthy() ? null : error;
        this.data = data == null ? RawJson.NULL : data;
        this.mapper = mapper;
    }

    /** A result as a worker sent it: {@code {"err":..,"data":..}}. */
    static WorkResult fromWire(int index, String workId, RawJson result, ObjectMapper mapper) {
        if (result != null && result.isObject()) {
            java.util.Map<String, RawJson> f = result.fields();
            return new WorkResult(index, workId, f.get("err"), f.get("data"), mapper);
        }
        return new WorkResult(index, workId, null, result, mapper);
    }

    /** This result with the attempts and last error the manager reported (works with retries). */
    WorkResult withAttempts(int attempts, RawJson lastError) {
        return attempts == 0 && lastError == null ? this : new WorkResult(index, workId, error, data, mapper, attempts, lastError);
    }

    /** A result made on the client side, for example {@code ECSTO}. */
    static WorkResult failure(int index, String workId, String code, String message, ObjectMapper mapper) {
        return new WorkResult(index, workId, Json.error(code, message), RawJson.NULL, mapper);
    }

    /** The work's position in the list given to the call (0 for a single work). */
    public int index() {
        return index;
    }

    /** The id the manager gave the work, or {@code null} when it never got one (for example ECSTO before the push was answered). */
    public String workId() {
        return workId;
    }

    /**
     * The attempts the work took, for a work with retries ({@link WorkOptions.Builder#retries(int)}, or
     * the manager's {@code --retries}): 1 when the first succeeded; 0 when the manager reported none
     * (no retries, an original manager, or a result made on the client side).
     */
    public int attempts() {
        return attempts;
    }

    /**
     * The error of the latest failed attempt (for example {@code {"code":"ETO","message":"Timeout"}}),
     * also when a later attempt succeeded; {@code null} when none failed or the manager reported none.
     */
    public RawJson lastError() {
        return lastError;
    }

    /** The {@code code} of {@link #lastError()}, or {@code null}. */
    public String lastErrorCode() {
        return Json.text(lastError, "code");
    }

    /** True when the work has no error. */
    public boolean isSuccess() {
        return error == null;
    }

    /** True when the work has an error. */
    public boolean isFailure() {
        return error != null;
    }

    /** The error as JSON (for example {@code {"code":"ETO","message":"Timeout"}}), or {@code null} on success. */
    public RawJson error() {
        return error;
    }

    /** The error read into a Java type, or {@code null} on success. */
    public <T> T error(Class<T> type) {
        return error == null ? null : Json.fromJson(mapper, error, type);
    }

    /** The error's {@code code} member ({@code ETO}, {@code EATO}, {@code ECSTO}, ...), or {@code null}. */
    public String errorCode() {
        return Json.text(error, "code");
    }

    /** The error's {@code message} member, or {@code null}. */
    public String errorMessage() {
        return Json.text(error, "message");
    }

    /** The error as an exception, or {@code null} on success. */
    public WorkFailedException exception() {
        if (error == null) {
            return null;
        }
        String message = errorMessage();
        return new WorkFailedException(errorCode(), "work " + (workId == null ? "#" + index : workId) + " failed: "
                + (message != null ? message : error.toString()), error);
    }

    /** The result's data as JSON (JSON null when there is none). */
    public RawJson data() {
        return data;
    }

    /** The data read into a Java type ({@code null} for JSON null). */
    public <T> T data(Class<T> type) {
        return Json.fromJson(mapper, data, type);
    }

    /** The data read into a generic Java type ({@code null} for JSON null). */
    public <T> T data(TypeReference<T> type) {
        return Json.fromJson(mapper, data, type);
    }

    /**
     * The data read into a Java type when the work succeeded.
     *
     * @throws WorkFailedException when it failed
     */
    public <T> T get(Class<T> type) {
        if (error != null) {
            throw exception();
        }
        return data(type);
    }

    /** {@code {"err":..,"data":..}}, the original's result shape. */
    public RawJson toJson() {
        return JsonWriter.toBytes().beginObject().name("err").raw(error == null ? RawJson.NULL : error).name("data").raw(data)
                .endObject().toRawJson();
    }

    @Override
    public String toString() {
        return "WorkResult{index=" + index + ", workId=" + workId + ", " + toJson() + "}";
    }
}
