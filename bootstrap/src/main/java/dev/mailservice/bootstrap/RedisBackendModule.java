package dev.mailservice.bootstrap;

import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.mailservice.adapters.config.PipesHubStore;
import dev.mailservice.adapters.config.RedisEndpoint;
import dev.mailservice.adapters.config.RedisStore;
import java.util.Optional;

/** The Redis backend, in PipesHub's layout (PipesHub's default store): one connection pool and one subscription. */
final class RedisBackendModule extends KeyValueBackendModule {

    private final RedisSettings redis;

    RedisBackendModule(Settings settings) {
        this(settings, settings.backend().redis().orElseThrow());
    }

    private RedisBackendModule(Settings settings, RedisSettings redis) {
        super(settings, redis.secretKey(), redis.secretsWait());
        this.redis = redis;
    }

    /** Connects lazily: no call is made until the first read. */
    @Provides
    @Singleton
    PipesHubStore redisStore(TrustedAuthorities authorities) {
        return new RedisStore(new RedisEndpoint(redis.host(), redis.port(), redis.database(), redis.username(),
                redis.password().map(Secret::reveal), redis.tls() ? Optional.of(authorities.sslContext()) : Optional.empty(),
                redis.timeout()), redis.keyPrefix(), settings.backend().storedValueMaxBytes());
    }
}
