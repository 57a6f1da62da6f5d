package io.proletariat.manager.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The dashboard's files, read once from the jar: path to bytes and content type. Immutable. */
final class Resources {
    private static final String BASE = "/io/proletariat/manager/dashboard/";

    record Resource(byte[] bytes, String contentType) {
    }

    private final Map<String, Resource> byPath;

    private Resources(Map<String, Resource> byPath) {
        this.byPath = byPath;
    }

    static Resources load() {
        Resource index = read("index.html", "text/html; charset=utf-8");
        return new Resources(Map.of(
                "/", index,
                "/index.html", index,
                "/dashboard.css", read("dashboard.css", "text/css; charset=utf-8"),
                "/dashboard.js", read("dashboard.js", "text/javascript; charset=utf-8")));
    }

    /** The file served at {@code path}, or null. */
    Resource get(String path) {
        return byPath.get(path);
    }

    private static Resource read(String name, String contentType) {
        try (InputStream in = Resources.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard resource missing from the jar: " + BASE + name);
            }
            return new Resource(in.readAllBytes(), contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboard resource " + BASE + name, e);
        }
    }
}
