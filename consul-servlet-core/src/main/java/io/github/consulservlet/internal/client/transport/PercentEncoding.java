package io.github.consulservlet.internal.client.transport;

import java.nio.charset.StandardCharsets;

/**
 * RFC 3986 percent-encoding that leaves only unreserved characters as they are. Dots are
 * encoded too when a segment is made of dots only, so {@code ..} stays data instead of being
 * resolved as "the parent" by a client, proxy or server on the way.
 */
public final class PercentEncoding {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PercentEncoding() {
    }

    /** Encodes each {@code /}-separated segment of {@code key}; the slashes stay separators. */
    static String path(String key) {
        StringBuilder out = new StringBuilder(key.length() + 16);
        int start = 0;
        while (true) {
            int slash = key.indexOf('/', start);
            String segment = slash < 0 ? key.substring(start) : key.substring(start, slash);
            if (!segment.isEmpty() && segment.chars().allMatch(c -> c == '.')) {
                out.append("%2E".repeat(segment.length()));
            } else {
                out.append(component(segment));
            }
            if (slash < 0) {
                return out.toString();
            }
            out.append('/');
            start = slash + 1;
        }
    }

    /** Encodes every byte of the UTF-8 form of {@code text} that is not unreserved. */
    static String component(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return out.toString();
    }
}
