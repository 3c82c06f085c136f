package io.github.consulservlet.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every relative link of the README and of {@code docs/*.md} leads somewhere: its file exists in
 * the repository, and its {@code #anchor}, if any, is a heading of that file. Links with a scheme
 * ({@code https:}, {@code mailto:}) are left alone: the build does not go on the network. Runs
 * with core's unit tests, from the module's directory, whose parent is the repository's root.
 */
class DocsLinksTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Test
    void everyRelativeLinkOfTheReadmeAndDocsResolves() throws IOException {
        List<Path> files = documentation();
        assertTrue(files.contains(ROOT.resolve("README.md")), "no README.md in " + ROOT);
        List<String> broken = new ArrayList<>();
        for (Path file : files) {
            MarkdownDocument document = MarkdownDocument.read(file);
            for (String link : document.links()) {
                String problem = problem(document, link);
                if (problem != null) {
                    broken.add(ROOT.relativize(file) + ": (" + link + ") " + problem);
                }
            }
        }
        assertEquals(List.of(), broken, "links that lead nowhere");
    }

    @Test
    void anchorsAreMadeFromHeadingsAsGitHubMakesThem() {
        assertEquals("tomcat-101-and-11", MarkdownDocument.slug("Tomcat 10.1 and 11"));
        assertEquals("the-webapps-own-registration", MarkdownDocument.slug("The webapp's own registration"));
        assertEquals("api-consulcontext", MarkdownDocument.slug("API: `ConsulContext`"));
        assertEquals("drain-how-a-webapp-stops", MarkdownDocument.slug("Drain: how a webapp stops"));
    }

    /** README.md and the Markdown files of docs/, in a stable order. */
    private static List<Path> documentation() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        Path docs = ROOT.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> listed = Files.list(docs)) {
                listed.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    /** Why {@code link} of {@code document} leads nowhere, or null when it resolves. */
    private static String problem(MarkdownDocument document, String link) {
        if (link.isEmpty()) {
            return "is empty";
        }
        if (link.matches("[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            return null; // a URL: not this test's to fetch
        }
        int hash = link.indexOf('#');
        String path = hash < 0 ? link : link.substring(0, hash);
        String anchor = hash < 0 ? null : link.substring(hash + 1);
        Path target = path.isEmpty() ? document.file()
                : document.file().getParent().resolve(path).normalize();
        if (!target.startsWith(ROOT)) {
            return "leaves the repository";
        }
        if (!Files.exists(target)) {
            return "names " + ROOT.relativize(target) + ", which does not exist";
        }
        if (anchor == null) {
            return null;
        }
        if (!target.toString().endsWith(".md") || Files.isDirectory(target)) {
            return "has an anchor, but " + ROOT.relativize(target) + " is not a Markdown file";
        }
        MarkdownDocument linked = target.equals(document.file()) ? document : MarkdownDocument.read(target);
        return linked.anchors().contains(anchor) ? null
                : "names the anchor #" + anchor + ", which no heading of " + ROOT.relativize(target) + " has";
    }
}
