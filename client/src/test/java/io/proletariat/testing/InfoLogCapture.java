package io.proletariat.testing;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While open: every SLF4J simple logger logs at INFO (tests log at WARN, simplelogger.properties),
 * and standard error, where the simple logger writes (looked up per line), is kept as well as
 * printed. The simple logger fixes a logger's level when the logger is made, and the loggers of
 * the classes already loaded are made: their levels, and the default for the next ones, are set by
 * reflection, and restored on close.
 */
public final class InfoLogCapture implements AutoCloseable {
    private static final int INFO = 20; // SimpleLogger.LOG_LEVEL_INFO

    private io.proletariat.testsupport.StderrCapture stderr;
    private final Map<Logger, Integer> levels = new HashMap<>();
    private final Object config;
    private final int defaultLevel;

    public InfoLogCapture() {
        try {
            LoggerFactory.getLogger(InfoLogCapture.class); // the configuration is read with the first logger
            Class<?> simple = Class.forName("org.slf4j.simple.SimpleLogger");
            Field configField = simple.getDeclaredField("CONFIG_PARAMS");
            configField.setAccessible(true);
            config = configField.get(null);
            Field defaultField = config.getClass().getDeclaredField("defaultLogLevel");
            defaultField.setAccessible(true);
            defaultLevel = defaultField.getInt(config);
            defaultField.setInt(config, INFO);
            for (Logger l : loggers().values()) {
                levels.put(l, level(l));
                setLevel(l, INFO);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("slf4j-simple changed: " + e, e);
        }
        stderr = new io.proletariat.testsupport.StderrCapture();
    }

    /** What was logged (and else written to standard error) so far. */
    public String text() {
        return stderr.text();
    }

    @Override
    public void close() {
        stderr.close();
        try {
            Field defaultField = config.getClass().getDeclaredField("defaultLogLevel");
            defaultField.setAccessible(true);
            defaultField.setInt(config, defaultLevel);
            for (Logger l : loggers().values()) {
                setLevel(l, levels.getOrDefault(l, defaultLevel));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Logger> loggers() throws ReflectiveOperationException {
        Object factory = LoggerFactory.getILoggerFactory();
        Field map = factory.getClass().getDeclaredField("loggerMap");
        map.setAccessible(true);
        return (Map<String, Logger>) map.get(factory);
    }

    private static Field levelField(Logger l) throws NoSuchFieldException {
        Field f = l.getClass().getDeclaredField("currentLogLevel");
        f.setAccessible(true);
        return f;
    }

    private static int level(Logger l) throws ReflectiveOperationException {
        return levelField(l).getInt(l);
    }

    private static void setLevel(Logger l, int level) throws ReflectiveOperationException {
        levelField(l).setInt(l, level);
    }
}
