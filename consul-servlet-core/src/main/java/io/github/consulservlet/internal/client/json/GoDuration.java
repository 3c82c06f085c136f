package io.github.consulservlet.internal.client.json;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in the form Consul takes and echoes them, Go's {@code time.Duration} strings, as the
 * configuration reads them too ({@code consul.check.interval=10s}).
 */
public final class GoDuration {
    /** A number and its unit; µ as Go takes it, the micro sign (U+00B5) or the Greek mu (U+03BC). */
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final BigDecimal MIN_NANOS = BigDecimal.valueOf(Long.MIN_VALUE);

    private GoDuration() {
    }

    /** {@code 15s}, {@code 1500ms}: whole seconds when exact, else milliseconds. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /**
     * Reads a duration as Go's {@code time.ParseDuration} does: an optional sign, then one or more
     * decimal numbers each with a unit ({@code ns}, {@code us}, {@code µs}, {@code μs}, {@code ms},
     * {@code s}, {@code m}, {@code h}), such as {@code 10s}, {@code +30s}, {@code 1h2m3.5s},
     * {@code 1.5h}, {@code -250ms}, or {@code 0} alone. Surrounding blanks are ignored.
     *
     * @throws IllegalArgumentException naming the value and the accepted form; also for a value
     *     beyond Go's range (about 292 years), which Go refuses too
     */
    public static Duration parse(String text) {
        String s = text.strip();
        boolean negative = s.startsWith("-");
        String rest = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
        if (rest.equals("0")) {
            return Duration.ZERO;
        }
        Matcher part = PART.matcher(rest);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < rest.length() && part.find(at) && part.start() == at) {
            nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(unitNanos(part.group(2)))));
            at = part.end();
        }
        if (at == 0 || at != rest.length()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; expected a number with a unit,"
                    + " such as 500ms, 10s, 1m30s or 2h");
        }
        BigDecimal signed = negative ? nanos.negate() : nanos;
        if (signed.compareTo(MIN_NANOS) < 0 || signed.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: beyond Go's range of"
                    + " 2562047h47m16.854775807s either way");
        }
        return Duration.ofNanos(signed.longValue()); // the fraction of a nanosecond dropped, as Go drops it
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "\u00b5s", "\u03bcs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
        };
    }
}
