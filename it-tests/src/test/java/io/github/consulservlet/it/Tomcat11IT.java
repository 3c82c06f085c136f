package io.github.consulservlet.it;

/** Tomcat 11 (Servlet 6.1). */
class Tomcat11IT extends TomcatDistributionTests {
    @Override
    String version() {
        return System.getProperty("tomcat.versions").split(",")[0];
    }
}
