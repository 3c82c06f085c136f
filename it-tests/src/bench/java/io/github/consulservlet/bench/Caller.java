package io.github.consulservlet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.catalog.CatalogServicesRequest;
import com.ecwid.consul.v1.health.HealthServicesRequest;
import com.google.common.net.HostAndPort;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.option.ImmutableQueryOptions;

import io.github.consulservlet.KvEntry;
import io.github.consulservlet.internal.client.ConsulClient;
import io.github.consulservlet.internal.client.kv.HttpKeyValueStore;
import io.github.consulservlet.internal.client.transport.Request;

/** One client making each {@link Endpoint}'s call with its defaults, checking on request what it read. */
abstract class Caller implements AutoCloseable {
    final String host;
    final int port;

    Caller(String server) {
        this.host = server.substring(0, server.lastIndexOf(':'));
        this.port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
    }

    static Caller of(String client, String server) {
        return switch (client) {
            case "ours" -> new Ours(server);
            case "kiwiproject" -> new Kiwiproject(server);
            case "ecwid" -> new Ecwid(server);
            case "floor" -> new Floor(server);
            default -> throw new IllegalArgumentException("no client " + client);
        };
    }

    /** Makes the call; what it read is returned so that the JIT cannot drop the parse. */
    abstract Object call(Endpoint endpoint) throws Exception;

    @Override
    public void close() throws Exception {
    }

    static void expect(boolean read, String call, Object what) {
        if (!read) {
            throw new IllegalStateException(call + " read " + what);
        }
    }

    /** Ours: the synchronous calls on the caller's thread; a blocking round as a watch sends and reads it. */
    static final class Ours extends Caller {
        private final ConsulClient client;

        Ours(String server) {
            super(server);
            client = ConsulClient.builder().agents(server).build();
        }

        @Override
        Object call(Endpoint endpoint) {
            return switch (endpoint) {
                case KV_GET -> client.kv().get(Endpoint.KEY).orElseThrow();
                case KV_PUT -> client.kv().set(Endpoint.PUT_KEY, Endpoint.VALUE);
                case HEALTH_10 -> sized(client.discovery().service(Endpoint.SERVICE_10), 10);
                case HEALTH_100 -> sized(client.discovery().service(Endpoint.SERVICE_100), 100);
                case CATALOG_SERVICES -> client.discovery().services();
                case BLOCKING_ROUND -> {
                    Request round = Request.get("/v1/kv", Endpoint.KEY).param("index", String.valueOf(Endpoint.OLD_INDEX))
                            .param("wait", Endpoint.WAIT);
                    Optional<KvEntry> entry = HttpKeyValueStore.readOne(client.runtimeForTests().transport.send(round).join());
                    yield entry.orElseThrow();
                }
            };
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** kiwiproject consul-client 1.5.0 (Retrofit and OkHttp). */
    static final class Kiwiproject extends Caller {
        private final Consul client;

        Kiwiproject(String server) {
            super(server);
            client = Consul.builder().withHostAndPort(HostAndPort.fromParts(host, port)).withPing(false).build();
        }

        @Override
        Object call(Endpoint endpoint) {
            return switch (endpoint) {
                case KV_GET -> client.keyValueClient().getValue(Endpoint.KEY).orElseThrow();
                case KV_PUT -> client.keyValueClient().putValue(Endpoint.PUT_KEY, Endpoint.VALUE);
                case HEALTH_10 -> sized(client.healthClient().getHealthyServiceInstances(Endpoint.SERVICE_10).getResponse(), 10);
                case HEALTH_100 -> sized(client.healthClient().getHealthyServiceInstances(Endpoint.SERVICE_100).getResponse(), 100);
                case CATALOG_SERVICES -> client.catalogClient().getServices().getResponse();
                case BLOCKING_ROUND -> client.keyValueClient().getValue(Endpoint.KEY, ImmutableQueryOptions.builder()
                        .wait(Endpoint.WAIT).index(java.math.BigInteger.valueOf(Endpoint.OLD_INDEX)).build()).orElseThrow();
            };
        }

        @Override
        public void close() {
            client.destroy();
        }
    }

    /** Ecwid consul-api 1.4.5 (Apache HttpClient 4). */
    static final class Ecwid extends Caller {
        private final com.ecwid.consul.v1.ConsulClient client;
        private final HealthServicesRequest passing = HealthServicesRequest.newBuilder().setPassing(true).build();
        private final CatalogServicesRequest services = CatalogServicesRequest.newBuilder().build();
        private final QueryParams round = new QueryParams(5, Endpoint.OLD_INDEX);

        Ecwid(String server) {
            super(server);
            client = new com.ecwid.consul.v1.ConsulClient(host, port);
        }

        @Override
        Object call(Endpoint endpoint) {
            return switch (endpoint) {
                case KV_GET -> client.getKVValue(Endpoint.KEY).getValue().getDecodedValue();
                case KV_PUT -> client.setKVValue(Endpoint.PUT_KEY, Endpoint.VALUE).getValue();
                case HEALTH_10 -> sized(client.getHealthServices(Endpoint.SERVICE_10, passing).getValue(), 10);
                case HEALTH_100 -> sized(client.getHealthServices(Endpoint.SERVICE_100, passing).getValue(), 100);
                case CATALOG_SERVICES -> client.getCatalogServices(services).getValue();
                case BLOCKING_ROUND -> client.getKVValue(Endpoint.KEY, round).getValue().getDecodedValue();
            };
        }
    }

    /** The floor: a bare HttpClient 5 request and a Gson parse of the same body into a tree. */
    static final class Floor extends Caller {
        private final CloseableHttpClient http = HttpClients.createMinimal();
        private final String base;

        Floor(String server) {
            super(server);
            base = "http://" + server;
        }

        @Override
        Object call(Endpoint endpoint) throws IOException {
            return switch (endpoint) {
                case KV_GET -> get("/v1/kv/" + Endpoint.KEY);
                case KV_PUT -> {
                    HttpPut put = new HttpPut(base + "/v1/kv/" + Endpoint.PUT_KEY);
                    put.setEntity(new StringEntity(Endpoint.VALUE, ContentType.APPLICATION_OCTET_STREAM));
                    yield http.execute(put, answer -> JsonParser.parseString(EntityUtils.toString(answer.getEntity(),
                            StandardCharsets.UTF_8)));
                }
                case HEALTH_10 -> get("/v1/health/service/" + Endpoint.SERVICE_10 + "?passing");
                case HEALTH_100 -> get("/v1/health/service/" + Endpoint.SERVICE_100 + "?passing");
                case CATALOG_SERVICES -> get("/v1/catalog/services");
                case BLOCKING_ROUND -> get("/v1/kv/" + Endpoint.KEY + "?index=" + Endpoint.OLD_INDEX + "&wait=" + Endpoint.WAIT);
            };
        }

        private JsonElement get(String path) throws IOException {
            return http.execute(new HttpGet(base + path), answer -> {
                JsonElement json = JsonParser.parseString(EntityUtils.toString(answer.getEntity(), StandardCharsets.UTF_8));
                if (answer.getCode() != 200) {
                    throw new IllegalStateException(path + " answered " + answer.getCode());
                }
                return json;
            });
        }

        @Override
        public void close() throws IOException {
            http.close();
        }
    }

    static <T extends List<?>> T sized(T list, int size) {
        expect(list.size() == size, "a service", list.size() + " passing instances, not " + size);
        return list;
    }
}
