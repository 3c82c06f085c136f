package io.github.consulservlet.internal.config;

/**
 * {@code consul.service.weights}: Consul's DNS SRV weights of the instance while its checks pass
 * and while one warns (https://developer.hashicorp.com/consul/api-docs/agent/service#weights).
 *
 * @param passing the weight while every check passes, 1 to 65535
 * @param warning the weight while a check warns, 0 to 65535
 */
public record ServiceWeights(int passing, int warning) {
}
