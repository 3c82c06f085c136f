package io.github.consulservlet.internal.client;

/**
 * Text from elsewhere (an agent's error body, a check's output, a message built from either) made
 * fit for one of our log lines: at most {@value #MAX} characters, with every control character
 * shown as an escape ({@code \n}, {@code \r}, {@code \t}, {@code \u001b}), so that neither a 2 MB
 * error page nor a body with line breaks can flood the log or forge lines in it. Line and
 * paragraph separators and bidirectional controls are escaped too: they reorder or break a line
 * in some viewers.
 */
public final class LogText {
    /** How many characters of remote text a log line quotes. */
    public static final int MAX = 512;

    private LogText() {
    }

    /** {@code text} cut to {@value #MAX} characters (escapes counted) and escaped; "null" for null. */
    public static String remote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX) + 32);
        int i = 0;
        for (; i < text.length() && out.length() < MAX; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append('\\'); // left as is: only what we add is an escape a reader must undo
                default -> {
                    if (needsEscape(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (i < text.length()) {
            out.append("... (").append(text.length() - i).append(" more characters)");
        }
        return out.toString();
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E' || c == '\u200F';
    }
}
