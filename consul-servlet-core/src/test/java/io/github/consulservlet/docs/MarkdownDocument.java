package io.github.consulservlet.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Markdown file of the documentation, read the way GitHub renders it as far as links go: the
 * link targets it holds outside code, and the anchors its headings get. {@link DocsLinksTest}
 * reads each file of the README and {@code docs/} through it. Only what the project's docs use
 * is understood: ATX headings ({@code ## Title}), inline links and images ({@code [text](target)}),
 * reference definitions ({@code [name]: target}), fenced code blocks and inline code spans.
 */
final class MarkdownDocument {
    private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~)");
    private static final Pattern HEADING = Pattern.compile("^\\s{0,3}#{1,6}\\s+(.*?)(\\s+#+)?\\s*$");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
    private static final Pattern INLINE_LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\(\\s*<?([^)\\s>]*)>?(\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(\\s+\"[^\"]*\")?\\s*$");

    private final Path file;
    private final List<String> links = new ArrayList<>();
    private final Set<String> anchors = new LinkedHashSet<>();

    private MarkdownDocument(Path file, List<String> lines) {
        this.file = file;
        Map<String, Integer> seen = new HashMap<>();
        boolean inFence = false;
        for (String line : lines) {
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
                continue;
            }
            if (inFence) {
                continue; // a link or a '#' in a code sample is not one
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = slug(heading.group(1));
                int n = seen.merge(slug, 1, Integer::sum);
                anchors.add(n == 1 ? slug : slug + "-" + (n - 1)); // GitHub numbers a repeated heading's anchor
            }
            Matcher reference = REFERENCE.matcher(line);
            if (reference.matches()) {
                links.add(reference.group(1));
                continue;
            }
            Matcher link = INLINE_LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
            while (link.find()) {
                links.add(link.group(2));
            }
        }
    }

    static MarkdownDocument read(Path file) {
        try {
            return new MarkdownDocument(file, Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path file() {
        return file;
    }

    /** Every link target, as written (a URL, a relative path, {@code #anchor}, {@code path#anchor}). */
    List<String> links() {
        return links;
    }

    /** The anchors of the headings, as GitHub makes them. */
    Set<String> anchors() {
        return anchors;
    }

    /**
     * GitHub's anchor for a heading: its text without Markdown (code ticks, emphasis, link
     * targets), lower-cased, with every character that is not a letter, digit, space, hyphen or
     * underscore dropped, and spaces made hyphens.
     */
    static String slug(String heading) {
        String text = INLINE_LINK.matcher(heading).replaceAll("$1").replace("`", "").replace("*", "");
        StringBuilder slug = new StringBuilder();
        for (char c : text.strip().toLowerCase(Locale.ROOT).toCharArray()) {
            if (c == ' ') {
                slug.append('-');
            } else if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.append(c);
            }
        }
        return slug.toString();
    }
}
