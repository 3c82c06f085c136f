package io.github.consulservlet.it;

/** Tomcat 10.1 (Servlet 6.0). */
class Tomcat101IT extends TomcatDistributionTests {
    @Override
    String version() {
        return System.getProperty("tomcat.versions").split(",")[1];
    }
}
