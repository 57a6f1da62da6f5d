package io.proletariat.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Durations on the command line: a number with a unit, {@code 250ms}, {@code 5s}, {@code 2m},
 * {@code 1h}, {@code 30d}, a plain number of milliseconds, or ISO-8601 ({@code PT5S}). Negative
 * durations are refused; each option checks its own bounds.
 */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** The duration {@code text} names; an {@link IllegalArgumentException} naming the forms when it names none. */
    static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (s.startsWith("p")) {
                d = Duration.parse(s.toUpperCase(Locale.ROOT));
            } else {
                int unit = 0;
                while (unit < s.length() && (Character.isDigit(s.charAt(unit)) || s.charAt(unit) == '.')) {
                    unit++;
                }
                if (unit == 0) {
                    throw new IllegalArgumentException();
                }
                double n = Double.parseDouble(s.substring(0, unit));
                double ms = switch (s.substring(unit)) {
                    case "", "ms" -> n;
                    case "s" -> n * 1000;
                    case "m", "min" -> n * 60_000;
                    case "h" -> n * 3_600_000;
                    case "d" -> n * 86_400_000;
                    default -> throw new IllegalArgumentException();
                };
                if (ms > Long.MAX_VALUE / 2) {
                    throw new IllegalArgumentException();
                }
                d = Duration.ofMillis(Math.round(ms));
            }
        } catch (IllegalArgumentException | DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (give e.g. 250ms, 5s, 2m, 1h, 30d, a number of ms, or PT5S)");
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("a duration must not be negative: '" + text + "'");
        }
        return d;
    }
}
